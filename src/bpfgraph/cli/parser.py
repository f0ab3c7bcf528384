"""The argument parser: one function per sub-command adds its options and help texts."""

from __future__ import annotations

import argparse
from typing import TypeAlias

from ..export import FORMATS
from ..version import __version__
from .framework_commands import all_parts, cmd_check, cmd_export
from .mapping_commands import cmd_convert, cmd_report, cmd_template, cmd_validate
from .store_commands import cmd_load, cmd_queries, cmd_query, cmd_serve

#: what ``add_subparsers`` returns: each ``_add_…`` function adds one sub-command to it
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

#: the help of ``--input-format`` (load, validate, report)
INPUT_FORMAT_HELP = "RDF syntax of the files (default: from the suffix)"


def build_parser() -> argparse.ArgumentParser:
    """The ``bpfgraph`` parser with every sub-command, in the order ``--help`` lists them."""
    parser = argparse.ArgumentParser(
        prog="bpfgraph",
        description="The ISO/IEC 30145-1 smart city business process framework as linked data.",
    )
    parser.add_argument("--version", action="version", version=f"bpfgraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _add_check,
        _add_export,
        _add_load,
        _add_query,
        _add_validate,
        _add_template,
        _add_convert,
        _add_report,
        _add_serve,
        _add_queries,
    ):
        add(sub)
    return parser


def _store_options(p: argparse.ArgumentParser) -> None:
    """``--store`` and ``--data-dir``, for the commands that open the store."""
    p.add_argument(
        "--store",
        choices=["oxigraph", "memory", "sparql"],
        help="storage engine (default BPFGRAPH_STORE or oxigraph)",
    )
    p.add_argument("--data-dir", help="directory of the embedded store (BPFGRAPH_DATA_DIR)")


def _add_check(sub: Commands) -> None:
    p = sub.add_parser("check", help="parse, reason, validate and lint the project's RDF")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the verdict and problems")
    p.set_defaults(func=cmd_check)


def _add_export(sub: Commands) -> None:
    p = sub.add_parser("export", help="write the graph in an RDF syntax")
    p.add_argument("--format", "-f", choices=sorted(FORMATS), default="ttl")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.add_argument(
        "--part",
        action="append",
        choices=all_parts(),
        help="part to include (repeatable; default: all)",
    )
    p.add_argument("--inferred", action="store_true", help="include the OWL RL entailments")
    p.set_defaults(func=cmd_export)


def _add_load(sub: Commands) -> None:
    p = sub.add_parser("load", help="validate city mappings and store each in its own graph")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--graph", help="graph IRI (default: the IRI of the bpf:CityMapping)")
    p.add_argument("--input-format", help=INPUT_FORMAT_HELP)
    _store_options(p)
    p.set_defaults(func=cmd_load)


def _add_query(sub: Commands) -> None:
    p = sub.add_parser("query", help="run a named query (or a .rq file) against the store")
    p.add_argument("query", metavar="NAME|FILE")
    _store_options(p)
    p.add_argument("--param", "-p", action="append", metavar="KEY=VALUE")
    p.add_argument("--format", "-f", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_query)


def _add_validate(sub: Commands) -> None:
    p = sub.add_parser("validate", help="validate city mapping files against the SHACL shapes")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", "-f", choices=["text", "json", "turtle"], default="text")
    p.add_argument("--strict", action="store_true", help="warnings also fail (exit 1)")
    p.add_argument("--input-format", help=INPUT_FORMAT_HELP)
    p.add_argument(
        "--engine",
        choices=["turbo", "pyshacl"],
        default=None,
        help="SHACL engine (default turbo; pyshacl is the reference, slower)",
    )
    p.set_defaults(func=cmd_validate)


def _add_template(sub: Commands) -> None:
    p = sub.add_parser(
        "template", help="write a complete city mapping to fill in: Turtle, or a workbook"
    )
    p.add_argument("--city", required=True, help="IRI of the city")
    p.add_argument("--label", required=True, help="name of the mapping")
    p.add_argument(
        "--base", help="namespace for the mapping's resources (default: CITY/bpf-mapping/)"
    )
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.add_argument(
        "--format",
        choices=["ttl", "xlsx"],
        help="ttl (Turtle) or xlsx (a workbook; needs --output); default: from --output's suffix",
    )
    p.set_defaults(func=cmd_template)


def _add_convert(sub: Commands) -> None:
    p = sub.add_parser(
        "convert", help="convert a city mapping between RDF syntaxes and a workbook (.xlsx)"
    )
    p.add_argument("input", metavar="IN", help="the mapping (any RDF syntax, or .xlsx)")
    p.add_argument("output", metavar="OUT", help="the file to write; its suffix names the syntax")
    p.add_argument("--input-format", help=INPUT_FORMAT_HELP)
    p.set_defaults(func=cmd_convert)


def _add_report(sub: Commands) -> None:
    p = sub.add_parser("report", help="gap analysis per city; cross-city comparison for several")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.add_argument("--top", type=int, default=5, help="how many most/least adopted outcomes")
    p.add_argument("--input-format", help=INPUT_FORMAT_HELP)
    p.set_defaults(func=cmd_report)


def _add_serve(sub: Commands) -> None:
    p = sub.add_parser("serve", help="run the HTTP service (SPARQL, downloads, pages, validation)")
    p.add_argument("--host", help="address to listen on (BPFGRAPH_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (BPFGRAPH_PORT, default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        help="worker processes (BPFGRAPH_WORKERS; on the embedded store each keeps a replica)",
    )
    p.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    _store_options(p)
    p.set_defaults(func=cmd_serve)


def _add_queries(sub: Commands) -> None:
    p = sub.add_parser("queries", help="list the named queries")
    p.set_defaults(func=cmd_queries)
