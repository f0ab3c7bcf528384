"""``bpfgraph load``, ``query``, ``queries`` and ``serve``: the configured store."""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from .. import rdfio, validation_report
from ..iris import iri_problem
from ..queries import QueryError, get, load_all
from ..store.base import AskResult, GraphResult, StoreError
from ..store.writer import Writer
from ..validation import ValidationError
from ..writes import WriteRefused, store_mapping
from .common import UsageError, open_configured_store, out, settings_for
from .select_formats import format_select


def cmd_load(args: argparse.Namespace) -> int:
    """Validate city mapping files and store each in its own graph: 1 when any is refused, 2
    when the store fails (the files before it are stored)."""
    if args.graph and len(args.files) > 1:
        raise UsageError("--graph names one graph: give one file with it")
    if args.graph is not None and iri_problem(args.graph):
        raise UsageError(f"--graph {args.graph[:200]!r} is not an IRI: {iri_problem(args.graph)}")
    parsed = []
    for name in args.files:
        try:
            parsed.append((name, rdfio.parse_file(Path(name), args.input_format)))
        except rdfio.RDFInputError as exc:
            raise UsageError(str(exc)) from None
    store = open_configured_store(args, write=True)
    failures = 0
    try:
        for name, graph in parsed:
            try:
                stored = store_mapping(store, graph, args.graph)
            except WriteRefused as exc:
                failures += 1
                out(f"{name}: refused: {exc.message}")
                if exc.report is not None:
                    run = validation_report.RunOutcome(
                        [validation_report.FileOutcome(name, exc.report)]
                    )
                    out(validation_report.to_text(run))
                continue
            except ValidationError as exc:
                failures += 1
                out(f"{name}: refused: {exc}")
                continue
            except StoreError as exc:  # the store failed (unreachable, credentials): stop here
                raise UsageError(f"{name}: not stored: {exc}") from None
            out(f"{name}: stored {stored.triples} triples in graph <{stored.graph}>")
    finally:
        store.close()
    return 1 if failures else 0


def cmd_query(args: argparse.Namespace) -> int:
    """Run a named query (or a .rq file) with its parameters and print the result."""
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
    store = open_configured_store(args, write=False)
    try:
        result = store.query(text)
    except (SyntaxError, ValueError, OSError, StoreError) as exc:
        raise UsageError(f"query {args.query!r} failed: {exc}") from None
    finally:
        store.close()
    if isinstance(result, AskResult):
        if args.format == "json":
            out(json.dumps({"head": {}, "boolean": result.value}))
        else:
            out(str(result.value).lower())
        return 0
    if isinstance(result, GraphResult):
        sys.stdout.buffer.write(result.graph.serialize(format="turtle", encoding="utf-8"))
        return 0
    out(format_select(result, args.format))
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    """List the named queries: name, title and parameters (``?`` marks an optional one)."""
    for name, query in load_all().items():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}" for p in query.params.values())
        out(f"{name:28} {query.title}" + (f"  [{params}]" if params else ""))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP service; on the embedded store with several workers, behind one writer."""
    # the app reads its settings from the environment, so every worker sees the same
    for option, variable in (("store", "BPFGRAPH_STORE"), ("data_dir", "BPFGRAPH_DATA_DIR")):
        value = getattr(args, option, None)
        if value:
            os.environ[variable] = str(value)
    settings = settings_for(args)
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers if args.workers is not None else settings.workers
    if workers < 1:
        raise UsageError(f"--workers must be 1 or more, not {workers}")
    print(f"bpfgraph serving on http://{host}:{port}/ (store: {settings.store})", file=sys.stderr)
    run = _uvicorn_runner(host, port, workers, args.log_level)
    if workers == 1 or settings.store == "sparql":
        run()  # one process, or stateless workers on one remote store
        return 0
    _run_behind_writer(run, args.log_level)
    return 0


def _uvicorn_runner(host: str, port: int, workers: int, log_level: str) -> Callable[[], None]:
    """uvicorn serving the web app with these options, ready to run."""
    # deferred: uvicorn is needed only to serve (it imports the web app by name, in each worker)
    import uvicorn

    return functools.partial(
        uvicorn.run,
        "bpfgraph.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=True,
        loop="uvloop" if _has("uvloop") else "asyncio",
        http="httptools",  # the C parser: several times h11's throughput
        access_log=log_level in ("info", "debug"),  # below info nobody reads it
        # a worker fills its replica before it serves: give it time at scale
        timeout_worker_healthcheck=120,
    )


def _run_behind_writer(run: Callable[[], None], log_level: str) -> None:
    """The embedded store: one writer process owns it, each worker answers from a replica."""
    try:
        writer = Writer(log_level)
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


def _has(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    return importlib.util.find_spec(module) is not None
