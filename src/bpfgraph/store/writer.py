"""The writer process of ``serve --workers N``: it alone owns and writes the embedded store.

It loads the framework and ``data/cities`` at start and answers a small private protocol (HTTP
over ``RUN_DIR/writer.sock``; nothing listens on a network port) that the workers' replicas
(:mod:`bpfgraph.store.replica`) read and write through:

- ``GET /state``: ``{"epoch", "seq", "empty": [graphs without triples]}``;
- ``GET /snapshot``: the whole store as N-Quads;
- ``GET /changes?since=S&epoch=E``: the update bringing a replica at ``S`` up to date, with
  the sequence it reaches in ``X-Seq``; 409 when only a full copy will do;
- ``POST /write/{op}``: ``load_data``, ``put_graphs``, ``delete_graph``, ``update``,
  ``add_nquads`` (the :class:`~bpfgraph.store.base.Store` writes), answered once applied.

:class:`Writer` starts the process (``python -m bpfgraph.store.writer``) and stops it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .. import rdfio
from ..loading import ensure_loaded, load_cities
from ..settings import Settings
from .base import StoreError
from .copies import copy_update
from .engines import open_store
from .oxigraph import OxigraphStore

log = logging.getLogger("bpfgraph.store")
SOCKET = "writer.sock"
SEQUENCE = "sequence"
ERROR = "writer-error.txt"


def writer_app(store: OxigraphStore) -> Starlette:
    """The writer's private protocol over ``store``, the embedded store it owns (its journal,
    started here if need be, tells the replicas what each write touched)."""
    journal = store.journal()
    native = store.primary

    def state(request: Request) -> Response:
        with store.writes_held():
            return JSONResponse(
                {
                    "epoch": journal.epoch,
                    "seq": journal.seq,
                    "modified": journal.modified,
                    "empty": store.empty_graphs(),
                }
            )

    def snapshot(request: Request) -> Response:
        return StreamingResponse(_dump(native), media_type="application/n-quads")

    def changes(request: Request) -> Response:
        try:
            since = int(request.query_params["since"])
            epoch = int(request.query_params["epoch"])
        except (KeyError, ValueError):
            return JSONResponse({"kind": "value", "message": "since and epoch needed"}, 400)
        with store.writes_held():  # a consistent cut: no write lands while the graphs are read
            seq, modified = journal.seq, journal.modified
            touched = journal.since(since) if epoch == journal.epoch else None
            if touched is None:
                return Response(status_code=409)
            text = copy_update(native, touched[0], touched[1])
        headers = {"x-seq": str(seq), "x-modified": str(modified)}
        return Response(text, media_type="application/sparql-update", headers=headers)

    async def write(request: Request) -> Response:
        op = request.path_params["op"]
        params = request.query_params
        body = await request.body()
        try:
            if op == "load_data":
                call: Callable[[], object] = lambda: store.load_data(  # noqa: E731
                    body, params["fmt"], params["graph"], params.get("replace") == "true"
                )
            elif op == "put_graphs":
                graphs = {
                    name: rdfio.parse_data(text.encode("utf-8"), "nt")
                    for name, text in json.loads(body).items()
                }
                call = lambda: store.put_graphs(graphs)  # noqa: E731
            elif op == "delete_graph":
                call = lambda: store.delete_graph(params["graph"])  # noqa: E731
            elif op == "update":
                text = body.decode("utf-8")
                call = lambda: store.update(text, base_iri=params.get("base_iri"))  # noqa: E731
            elif op == "add_nquads":
                call = lambda: store.add_nquads(body)  # noqa: E731
            else:
                return JSONResponse({"kind": "value", "message": f"no write {op!r}"}, 404)
            result = await run_in_threadpool(call)
        except SyntaxError as exc:
            return JSONResponse({"kind": "syntax", "message": str(exc)}, 400)
        except StoreError as exc:
            return JSONResponse({"kind": "store", "message": str(exc)}, 503)
        except Exception as exc:  # the message goes back to the worker, which reports it
            return JSONResponse({"kind": "value", "message": f"{exc}"}, 400)
        return JSONResponse({"result": result, "seq": journal.seq})

    return Starlette(
        routes=[
            Route("/state", state),
            Route("/snapshot", snapshot),
            Route("/changes", changes),
            Route("/write/{op}", write, methods=["POST"]),
        ]
    )


def _dump(store: ox.Store) -> Iterator[bytes]:
    """The store's N-Quads dump, in chunks, as the dump thread writes it."""
    read_fd, write_fd = os.pipe()

    def run() -> None:
        with contextlib.suppress(BrokenPipeError), os.fdopen(write_fd, "wb") as out:
            store.dump(output=out, format=ox.RdfFormat.N_QUADS)

    thread = threading.Thread(target=run, name="bpfgraph-snapshot", daemon=True)
    thread.start()
    with os.fdopen(read_fd, "rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk
    thread.join()


def run_writer(  # pragma: no cover - a process
    run_dir: str, log_level: str = "warning", parent: str | None = None
) -> None:
    """The writer process: open the store the settings name, load what ``serve`` loads at
    start, then answer the protocol until stopped (or until the process that started it is
    gone). A failure to start is written to ``RUN_DIR/writer-error.txt``."""
    import uvicorn  # deferred: the server only where the process runs

    folder = Path(run_dir)
    watched = int(parent) if parent else os.getppid()

    def watch() -> None:  # the service is gone (even killed, even while loading): stop too
        while os.getppid() == watched:
            time.sleep(1)
        shutil.rmtree(folder, ignore_errors=True)  # nobody else will
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    try:
        settings = Settings()
        store = open_store(settings)
        if not isinstance(store, OxigraphStore):  # embedded, with every write the protocol calls
            raise StoreError("replicas need the embedded store (BPFGRAPH_STORE=oxigraph|memory)")
        store.journal(folder / SEQUENCE)
        ensure_loaded(store)
        if settings.load_cities:
            load_cities(store)
    except Exception as exc:
        (folder / ERROR).write_text(str(exc), encoding="utf-8")
        sys.exit(1)
    uvicorn.run(
        writer_app(store),
        uds=str(folder / SOCKET),
        log_level=log_level,
        lifespan="off",
        access_log=False,  # the workers' private calls: nothing for an operator to read
    )
    store.close()


class Writer:
    """Starts the writer process in a new run directory and waits until it answers."""

    def __init__(self, log_level: str = "warning", timeout: float = 600.0) -> None:
        """Start the writer and wait up to ``timeout`` seconds for it (StoreError if not)."""
        #: short, for the socket path (at most 107 bytes)
        self.run_dir = Path(tempfile.mkdtemp(prefix="bpfgraph-run-"))
        self._stopping = False
        #: whether the process exited on its own while watched (:meth:`on_exit`)
        self.exited = False
        # its own session: a Ctrl-C meant for the service reaches the service, which then stops
        # the writer last (a writer exiting by itself stops the service, see on_exit)
        command = [sys.executable, "-m", "bpfgraph.store.writer", str(self.run_dir), log_level]
        self.process = subprocess.Popen([*command, str(os.getpid())], start_new_session=True)
        try:
            self._wait(timeout)
        except BaseException:  # not started, a Ctrl-C meanwhile: nothing left behind
            self.stop()
            raise

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with writer_client(self.run_dir, 5.0) as client:
            while True:
                if self.process.poll() is not None:
                    error = self.run_dir / ERROR
                    message = error.read_text() if error.exists() else "it exited"
                    raise StoreError(f"the store's writer process did not start: {message}")
                with contextlib.suppress(httpx.HTTPError, OSError):
                    if client.get("/state").status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise StoreError(f"the store's writer process did not start in {timeout} s")
                time.sleep(0.1)

    def on_exit(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` (in a thread) if the writer process exits before :meth:`stop`."""

        def watch() -> None:
            self.process.wait()
            if not self._stopping:
                self.exited = True
                log.error("the store's writer process exited (code %s)", self.process.returncode)
                callback()

        threading.Thread(target=watch, name="bpfgraph-writer-watch", daemon=True).start()

    def stop(self) -> None:
        """Stop the writer process (terminate, kill after 30 s) and remove the run directory."""
        self._stopping = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> Writer:
        """The writer, stopped when the block ends."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the writer."""
        self.stop()


def writer_client(run_dir: Path, timeout: float) -> httpx.Client:
    """An HTTP client speaking to the writer over its Unix socket."""
    return httpx.Client(
        transport=httpx.HTTPTransport(uds=str(run_dir / SOCKET)),
        base_url="http://writer",
        timeout=timeout,
    )


if __name__ == "__main__":  # pragma: no cover - the writer process, started by Writer
    run_writer(*sys.argv[1:])
