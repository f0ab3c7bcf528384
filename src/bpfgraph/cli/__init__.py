"""The ``bpfgraph`` command line. Every command prints problems, never a traceback.

Exit codes: 0 success, 1 the content has problems (check failed, violations), 2 the input
could not be used (unreadable file, bad option).

The package, in the order a reader meets it:

- ``parser.py`` the sub-commands, their options and help texts;
- ``framework_commands.py`` check and export (the framework's own RDF);
- ``store_commands.py`` load, query, queries and serve (the configured store);
- ``mapping_commands.py`` validate, template and report (city mapping files);
- ``select_formats.py`` a SELECT result as a table, SPARQL JSON or CSV;
- ``common.py`` what the commands share: :class:`UsageError`, printing, settings, the store.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from .common import UsageError
from .parser import build_parser
from .select_formats import format_select

__all__ = ["UsageError", "build_parser", "format_select", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code; problems are printed in one line."""
    # rdflib logs literal conversion problems with tracebacks; the shapes report them instead
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"bpfgraph {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (bpfgraph export | head): nothing to say
        # what is still buffered would fail again at exit: it goes nowhere instead
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # never a traceback: say what failed, in one line
        print(
            f"bpfgraph {args.command}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr
        )
        return 2
