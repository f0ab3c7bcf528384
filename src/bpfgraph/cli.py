"""The ``bpfgraph`` command line. Every command prints problems, never a traceback.

Exit codes: 0 success, 1 the content has problems (check failed, violations), 2 the input
could not be used (unreadable file, bad option).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def _out(text: str) -> None:
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")


# --------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from .check import run_check

    report = run_check(progress=lambda line: _out(f"  {line}") if not args.quiet else None)
    if report.ok:
        _out("check passed: no problems")
        return 0
    _out(f"check failed: {len(report.problems)} problem(s)")
    for problem in report.problems:
        _out(f"  - {problem}")
    return 1


def cmd_export(args: argparse.Namespace) -> int:
    from .export import build, serialise

    try:
        data = serialise(build(args.part or None or _all_parts(), args.inferred), args.format)
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


def _all_parts() -> list[str]:
    from .framework import PARTS

    return list(PARTS)


def cmd_query(args: argparse.Namespace) -> int:
    from .framework import framework_store
    from .queries import QueryError, get
    from .store import AskResult, GraphResult

    values = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {item!r}: expected KEY=VALUE")
        values[key] = value
    try:
        query = get(args.query)
        text = query.bind(values)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    store = framework_store()
    try:
        result = store.query(text)
    except (SyntaxError, ValueError, OSError) as exc:
        raise UsageError(f"query {args.query!r} failed: {exc}") from None
    if isinstance(result, AskResult):
        _out(
            json.dumps({"head": {}, "boolean": result.value})
            if args.format == "json"
            else str(result.value).lower()
        )
        return 0
    if isinstance(result, GraphResult):
        sys.stdout.buffer.write(result.graph.serialize(format="turtle", encoding="utf-8"))
        return 0
    _out(format_select(result, args.format))
    return 0


def format_select(result, fmt: str) -> str:  # type: ignore[no-untyped-def]
    from rdflib import BNode, Literal

    if fmt == "json":
        bindings = []
        for row in result.rows:
            binding = {}
            for name, term in row.items():
                if isinstance(term, Literal):
                    cell = {"type": "literal", "value": str(term)}
                    if term.language:
                        cell["xml:lang"] = term.language
                    elif term.datatype:
                        cell["datatype"] = str(term.datatype)
                elif isinstance(term, BNode):
                    cell = {"type": "bnode", "value": str(term)}
                else:
                    cell = {"type": "uri", "value": str(term)}
                binding[name] = cell
            bindings.append(binding)
        return json.dumps(
            {"head": {"vars": result.variables}, "results": {"bindings": bindings}},
            indent=2,
            ensure_ascii=False,
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([str(row.get(v, "")) for v in result.variables])
        return buffer.getvalue()
    cells = [[str(row.get(v, "")) for v in result.variables] for row in result.rows]
    widths = [
        min(60, max([len(v)] + [len(c[i]) for c in cells])) for i, v in enumerate(result.variables)
    ]

    def line(values: Sequence[str]) -> str:
        return " | ".join(
            (v if len(v) <= w else v[: w - 1] + "…").ljust(w)
            for v, w in zip(values, widths, strict=True)
        ).rstrip()

    rows = [line(result.variables), "-+-".join("-" * w for w in widths)]
    rows += [line(c) for c in cells]
    rows.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(rows)


def cmd_queries(args: argparse.Namespace) -> int:
    from .queries import load_all

    for name, query in load_all().items():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}" for p in query.params.values())
        _out(f"{name:28} {query.title}" + (f"  [{params}]" if params else ""))
    return 0


# --------------------------------------------------------------------------------------------
# parser
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bpfgraph",
        description="The ISO/IEC 30145-1 smart city business process framework as linked data.",
    )
    parser.add_argument("--version", action="version", version=f"bpfgraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="parse, reason, validate and lint the project's RDF")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the verdict and problems")
    p.set_defaults(func=cmd_check)

    from .export import FORMATS

    p = sub.add_parser("export", help="write the graph in an RDF syntax")
    p.add_argument("--format", "-f", choices=sorted(FORMATS), default="ttl")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.add_argument(
        "--part",
        action="append",
        choices=_all_parts(),
        help="part to include (repeatable; default: all)",
    )
    p.add_argument("--inferred", action="store_true", help="include the OWL RL entailments")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("query", help="run a named query (or a .rq file)")
    p.add_argument("query", metavar="NAME|FILE")
    p.add_argument("--param", "-p", action="append", metavar="KEY=VALUE")
    p.add_argument("--format", "-f", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("queries", help="list the named queries")
    p.set_defaults(func=cmd_queries)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"bpfgraph {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
