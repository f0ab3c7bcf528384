"""The ``bpfgraph`` command line. Every command prints problems, never a traceback.

Exit codes: 0 success, 1 the content has problems (check failed, violations), 2 the input
could not be used (unreadable file, bad option).
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import logging
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


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from .settings import Settings

    overrides = {}
    if getattr(args, "store", None):
        overrides["store"] = args.store
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise UsageError(f"bad setting BPFGRAPH_{field.upper()}: {first['msg']}") from None


def _open_store(args: argparse.Namespace, write: bool):  # type: ignore[no-untyped-def]
    """The configured store with the framework loaded (once; a no-op when up to date)."""
    from .loading import ensure_loaded, source_digest, stored_digest
    from .store import StoreError
    from .store.engines import open_store

    settings = _settings(args)
    try:
        store = open_store(settings)
        ensure_loaded(store)
    except StoreError as exc:
        if write or settings.store != "oxigraph":
            raise UsageError(str(exc)) from None
        # another process (bpfgraph serve) holds the store: read it without writing
        try:
            store = open_store(settings, read_only=True)
        except StoreError as exc2:
            raise UsageError(str(exc2)) from None
        if stored_digest(store) != source_digest():
            print(
                "bpfgraph: warning: the store holds another version of the framework",
                file=sys.stderr,
            )
    return store


def cmd_query(args: argparse.Namespace) -> int:
    from .queries import QueryError, get
    from .store import AskResult, GraphResult, StoreError

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
    store = _open_store(args, write=False)
    try:
        result = store.query(text)
    except (SyntaxError, ValueError, OSError, StoreError) as exc:
        raise UsageError(f"query {args.query!r} failed: {exc}") from None
    finally:
        store.close()
    if isinstance(result, AskResult):
        if args.format == "json":
            _out(json.dumps({"head": {}, "boolean": result.value}))
        else:
            _out(str(result.value).lower())
        return 0
    if isinstance(result, GraphResult):
        sys.stdout.buffer.write(result.graph.serialize(format="turtle", encoding="utf-8"))
        return 0
    _out(format_select(result, args.format))
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from . import rdfio, validation_report
    from .store import StoreError
    from .validation import ValidationError
    from .writes import WriteRefused, store_mapping

    if args.graph and len(args.files) > 1:
        raise UsageError("--graph names one graph: give one file with it")
    parsed = []
    for name in args.files:
        try:
            parsed.append((name, rdfio.parse_file(Path(name), args.input_format)))
        except rdfio.RDFInputError as exc:
            raise UsageError(str(exc)) from None
    store = _open_store(args, write=True)
    failures = 0
    try:
        for name, graph in parsed:
            try:
                stored = store_mapping(store, graph, args.graph)
            except WriteRefused as exc:
                failures += 1
                _out(f"{name}: refused: {exc.message}")
                if exc.report is not None:
                    run = validation_report.RunOutcome(
                        [validation_report.FileOutcome(name, exc.report)]
                    )
                    _out(validation_report.to_text(run))
                continue
            except (ValidationError, StoreError) as exc:
                failures += 1
                _out(f"{name}: refused: {exc}")
                continue
            _out(f"{name}: stored {stored.triples} triples in graph <{stored.graph}>")
    finally:
        store.close()
    return 1 if failures else 0


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


def cmd_validate(args: argparse.Namespace) -> int:
    from . import rdfio, validation_report
    from .validation import ValidationError, validate_mapping

    run = validation_report.RunOutcome(strict=args.strict)
    for name in args.files:
        outcome = validation_report.FileOutcome(name)
        try:
            graph = rdfio.parse_file(Path(name), args.input_format)
            outcome.report = validate_mapping(graph, engine=args.engine)
        except rdfio.RDFInputError as exc:
            outcome.error = str(exc)
        except ValidationError as exc:
            outcome.error = f"{name}: {exc}"
        run.files.append(outcome)
    render = {
        "text": validation_report.to_text,
        "json": validation_report.to_json,
        "turtle": validation_report.to_turtle,
    }
    _out(render[args.format](run))
    for f in run.files:
        if f.error and args.format != "text":
            print(f"bpfgraph validate: error: {f.error}", file=sys.stderr)
    return run.exit_code()


def cmd_template(args: argparse.Namespace) -> int:
    from .template import render

    try:
        text = render(args.city, args.label, args.base)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        _out(text)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from . import gaps, rdfio
    from .store.engines import framework_store

    paths = [Path(f) for f in args.files]
    graphs = []
    for path, name in zip(paths, gaps.names_for(paths), strict=True):
        try:
            graphs.append((name, rdfio.parse_file(path, args.input_format)))
        except rdfio.RDFInputError as exc:
            raise UsageError(str(exc)) from None
    store = framework_store()
    gaps.load_mappings(store, graphs)
    cities = gaps.city_reports(store)
    if not cities:
        raise UsageError("no bpf:CityMapping found in the given files")
    comp = gaps.comparison(store, args.top) if len(cities) > 1 else None
    _out(gaps.to_json(cities, comp) if args.format == "json" else gaps.to_text(cities, comp))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os
    import signal

    import uvicorn

    # the app reads its settings from the environment, so every worker sees the same
    for option, variable in (("store", "BPFGRAPH_STORE"), ("data_dir", "BPFGRAPH_DATA_DIR")):
        value = getattr(args, option, None)
        if value:
            os.environ[variable] = str(value)
    settings = _settings(args)
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers if args.workers is not None else settings.workers
    if workers < 1:
        raise UsageError(f"--workers must be 1 or more, not {workers}")
    print(f"bpfgraph serving on http://{host}:{port}/ (store: {settings.store})", file=sys.stderr)
    run = functools.partial(
        uvicorn.run,
        "bpfgraph.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=args.log_level,
        proxy_headers=True,
        loop="uvloop" if _has("uvloop") else "asyncio",
        http="httptools",  # the C parser: several times h11's throughput
        access_log=args.log_level in ("info", "debug"),  # below info nobody reads it
        # a worker fills its replica before it serves: give it time at scale
        timeout_worker_healthcheck=120,
    )
    if workers == 1 or settings.store == "sparql":
        run()  # one process, or stateless workers on one remote store
        return 0
    # the embedded store: one writer process owns it, each worker answers from a replica
    from .store.base import StoreError
    from .store.writer import Writer

    try:
        writer = Writer(args.log_level)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    with writer:
        os.environ["BPFGRAPH_REPLICA_OF"] = str(writer.run_dir)
        # without its writer the service cannot write: stop it all, so that whatever
        # supervises it (systemd, Kubernetes) starts it again
        writer.on_exit(lambda: os.kill(os.getpid(), signal.SIGTERM))
        run()
    if writer.exited:
        raise UsageError(
            f"the store's writer process exited (code {writer.process.returncode}); "
            "the service stopped"
        )
    return 0


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


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

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--store",
            choices=["oxigraph", "memory", "sparql"],
            help="storage engine (default BPFGRAPH_STORE or oxigraph)",
        )
        p.add_argument("--data-dir", help="directory of the embedded store (BPFGRAPH_DATA_DIR)")

    p = sub.add_parser("load", help="validate city mappings and store each in its own graph")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--graph", help="graph IRI (default: the IRI of the bpf:CityMapping)")
    p.add_argument("--input-format", help="RDF syntax of the files (default: from the suffix)")
    store_options(p)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("query", help="run a named query (or a .rq file) against the store")
    p.add_argument("query", metavar="NAME|FILE")
    store_options(p)
    p.add_argument("--param", "-p", action="append", metavar="KEY=VALUE")
    p.add_argument("--format", "-f", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("validate", help="validate city mapping files against the SHACL shapes")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", "-f", choices=["text", "json", "turtle"], default="text")
    p.add_argument("--strict", action="store_true", help="warnings also fail (exit 1)")
    p.add_argument("--input-format", help="RDF syntax of the files (default: from the suffix)")
    p.add_argument(
        "--engine",
        choices=["turbo", "pyshacl"],
        default=None,
        help="SHACL engine (default turbo; pyshacl is the reference, slower)",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help="write a Turtle skeleton of a complete city mapping")
    p.add_argument("--city", required=True, help="IRI of the city")
    p.add_argument("--label", required=True, help="name of the mapping")
    p.add_argument(
        "--base", help="namespace for the mapping's resources (default: CITY/bpf-mapping/)"
    )
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("report", help="gap analysis per city; cross-city comparison for several")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.add_argument("--top", type=int, default=5, help="how many most/least adopted outcomes")
    p.add_argument("--input-format", help="RDF syntax of the files (default: from the suffix)")
    p.set_defaults(func=cmd_report)

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
    store_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("queries", help="list the named queries")
    p.set_defaults(func=cmd_queries)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    except Exception as exc:  # never a traceback: say what failed, in one line
        print(
            f"bpfgraph {args.command}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr
        )
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
