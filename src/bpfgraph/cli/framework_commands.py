"""``bpfgraph check`` and ``bpfgraph export``: the framework's own RDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..check import run_check
from ..export import build, serialise
from ..framework import PARTS
from .common import UsageError, out


def all_parts() -> list[str]:
    """The names of the framework's parts, in their order."""
    return list(PARTS)


def cmd_check(args: argparse.Namespace) -> int:
    """Parse, reason, validate and lint the project's RDF: 0 when clean, 1 with problems."""
    report = run_check(progress=lambda line: out(f"  {line}") if not args.quiet else None)
    if report.ok:
        out("check passed: no problems")
        return 0
    out(f"check failed: {len(report.problems)} problem(s)")
    for problem in report.problems:
        out(f"  - {problem}")
    return 1


def cmd_export(args: argparse.Namespace) -> int:
    """Write the chosen parts (all by default) in an RDF syntax, to a file or standard output."""
    try:
        data = serialise(build(args.part or all_parts(), args.inferred), args.format)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output} ({len(data)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0
