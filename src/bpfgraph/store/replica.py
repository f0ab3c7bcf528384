"""Replicas: several serving processes on one embedded store (``serve --workers N``).

The embedded Oxigraph store belongs to one process, and one Python process answers HTTP on one
core at a time (the GIL). With ``bpfgraph serve --workers N`` on the embedded store (on disk or
in memory) the service runs as:

- one **writer** process that owns the store: it loads the framework and ``data/cities``, and
  it alone writes; it answers a small private protocol on a Unix socket in a run directory;
- N uvicorn **workers**, each with an in-memory **replica** of the whole store
  (:class:`ReplicaStore`): queries, pages and downloads run there, N event loops in parallel.

Writes keep their meaning. A worker validates a write as always, then hands the store operation
to the writer and, before it answers, brings its replica up to date, so a client reads its own
write. The writer publishes a sequence number in a memory-mapped file of the run directory,
bumped by every write; before each request a worker compares it with its own (one memory read)
and, when behind, fetches what changed: one SPARQL Update that replaces each graph written since
by its current content, applied in one transaction of the replica. So a write answered through
one worker is visible through every other from the next request on, and no request sees half a
write. A write that may touch any graph (a SPARQL Update with ``GRAPH ?g``) makes the workers
copy the whole store again.

The writer's protocol (HTTP over ``RUN_DIR/writer.sock``; nothing listens on a network port):

- ``GET /state``: ``{"epoch", "seq", "empty": [graphs without triples]}``;
- ``GET /snapshot``: the whole store as N-Quads;
- ``GET /changes?since=S&epoch=E``: the update bringing a replica at ``S`` up to date, with
  the sequence it reaches in ``X-Seq``; 409 when only a full copy will do;
- ``POST /write/{op}``: ``load_data``, ``put_graphs``, ``delete_graph``, ``update``,
  ``add_nquads`` (the :class:`~bpfgraph.store.base.Store` writes), answered once applied.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import Graph

from .. import rdfio
from .base import StoreError
from .oxigraph import OxigraphStore, _copy_update, file_quads, piped

log = logging.getLogger("bpfgraph.store")
SOCKET = "writer.sock"
SEQUENCE = "sequence"
#: bytes of the shared sequence file: epoch, sequence
SHARED = 16
#: a full copy is tried this many times while writes that may touch any graph go on
RELOADS = 5
ERROR = "writer-error.txt"
#: the writes a journal remembers; a replica further behind copies the whole store again
KEEP = 100_000


class Journal:
    """The writer's record of the graphs each write touched, and the sequence it publishes.

    >>> import tempfile, pathlib
    >>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "sequence")
    >>> journal.record(["https://example.org/g"], default=False)
    >>> journal.record(["https://example.org/h"], default=True)
    >>> sorted(journal.since(0)[0]), journal.since(0)[1], journal.since(2)
    (['https://example.org/g', 'https://example.org/h'], True, (set(), False))
    >>> journal.record(None, default=True)  # a write that may have touched anything
    >>> journal.since(2) is None
    True
    """

    def __init__(self, path: Path, keep: int = KEEP) -> None:
        #: tells a writer's sequence from an earlier writer's (a restarted service)
        self.epoch = int.from_bytes(os.urandom(6), "little")
        self.seq = 0
        self._entries: deque[tuple[int, frozenset[str] | None, bool]] = deque(maxlen=keep)
        path.write_bytes(bytes(SHARED))
        self._file = path.open("r+b")
        self._map = mmap.mmap(self._file.fileno(), SHARED)
        #: epoch and sequence: what the workers read before each request
        self._view = memoryview(self._map).cast("Q")
        self._view[0] = self.epoch
        #: when the last write was made (Unix seconds), for Last-Modified
        self.modified = int(time.time())

    def record(self, graphs: Iterable[str] | None, default: bool) -> None:
        """Note a write (``graphs`` None: it may have touched any graph) and publish it."""
        self.seq += 1
        self._entries.append((self.seq, None if graphs is None else frozenset(graphs), default))
        self.modified = int(time.time())
        self._view[1] = self.seq

    def since(self, seq: int) -> tuple[set[str], bool] | None:
        """The graphs written after ``seq`` and whether the default graph was; None when
        the journal cannot tell (too far back, or a write touched any graph)."""
        if seq > self.seq:
            return None
        oldest = self._entries[0][0] if self._entries else self.seq + 1
        if oldest > seq + 1:
            return None
        graphs: set[str] = set()
        default = False
        for number, touched, with_default in reversed(self._entries):
            if number <= seq:
                break
            if touched is None:
                return None
            graphs |= touched
            default = default or with_default
        return graphs, default


# -- the writer ----------------------------------------------------------------------------------


def writer_app(store: OxigraphStore) -> Any:
    """The writer's private protocol over ``store`` (which must have a journal)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    journal = store.journal
    assert journal is not None

    def state(request: Request) -> Response:
        with store._lock:
            return JSONResponse(
                {
                    "epoch": journal.epoch,
                    "seq": journal.seq,
                    "modified": journal.modified,
                    "empty": store.empty_graphs(),
                }
            )

    def snapshot(request: Request) -> Response:
        return StreamingResponse(_dump(store._store), media_type="application/n-quads")

    def changes(request: Request) -> Response:
        try:
            since = int(request.query_params["since"])
            epoch = int(request.query_params["epoch"])
        except (KeyError, ValueError):
            return JSONResponse({"kind": "value", "message": "since and epoch needed"}, 400)
        with store._lock:  # a consistent cut: no write lands while the graphs are read
            seq, modified = journal.seq, journal.modified
            touched = journal.since(since) if epoch == journal.epoch else None
            if touched is None:
                return Response(status_code=409)
            text = _copy_update(store._store, touched[0], touched[1])
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
    import uvicorn

    from ..framework import ensure_loaded
    from ..settings import Settings
    from . import open_store

    folder = Path(run_dir)
    watched = int(parent) if parent else os.getppid()

    def watch() -> None:  # the service is gone (even killed, even while loading): stop too
        while os.getppid() == watched:
            time.sleep(1)
        import shutil

        shutil.rmtree(folder, ignore_errors=True)  # nobody else will
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    try:
        settings = Settings()
        store = open_store(settings)
        if not isinstance(store, OxigraphStore):
            raise StoreError("replicas need the embedded store (BPFGRAPH_STORE=oxigraph|memory)")
        store.journal = Journal(folder / SEQUENCE)
        ensure_loaded(store)
        if settings.load_cities:
            from ..web.app import load_cities

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
        import subprocess

        #: short, for the socket path (at most 107 bytes)
        self.run_dir = Path(tempfile.mkdtemp(prefix="bpfgraph-run-"))
        self._stopping = False
        #: whether the process exited on its own while watched (:meth:`on_exit`)
        self.exited = False
        # its own session: a Ctrl-C meant for the service reaches the service, which then stops
        # the writer last (a writer exiting by itself stops the service, see on_exit)
        command = [sys.executable, "-m", "bpfgraph.store.replica", str(self.run_dir), log_level]
        self.process = subprocess.Popen([*command, str(os.getpid())], start_new_session=True)
        try:
            self._wait(timeout)
        except BaseException:  # not started, a Ctrl-C meanwhile: nothing left behind
            self.stop()
            raise

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with _client(self.run_dir, 5.0) as client:
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
        import shutil
        import subprocess

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
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _client(run_dir: Path, timeout: float) -> httpx.Client:
    return httpx.Client(
        transport=httpx.HTTPTransport(uds=str(run_dir / SOCKET)),
        base_url="http://writer",
        timeout=timeout,
    )


# -- the workers' replicas -------------------------------------------------------------------


class ReplicaStore(OxigraphStore):
    """An in-memory copy of the writer's store: reads here, writes through the writer.

    Filled when created (the writer's snapshot, then what changed meanwhile); :meth:`behind`
    tells whether the writer has written since, :meth:`catch_up` applies it. Each write
    returns once this replica holds it.
    """

    def __init__(self, run_dir: Path, timeout: float = 600.0) -> None:
        super().__init__(None)
        self.engine = "oxigraph-replica"
        self.run_dir = Path(run_dir)
        try:
            self._file = (self.run_dir / SEQUENCE).open("rb")
            self._map = mmap.mmap(self._file.fileno(), SHARED, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"{self.run_dir} is not the run directory of a running bpfgraph writer ({exc})"
            ) from None
        self._client = _client(self.run_dir, timeout)
        self._view = memoryview(self._map).cast("Q")
        self.epoch = -1
        #: the writer's sequence this replica holds
        self.seq = -1
        #: when the writer made the last write this replica holds (Unix seconds): the same in
        #: every worker holding it, for Last-Modified
        self.modified = 0
        self._catching = threading.Lock()
        #: called after the replica changed (the service clears its caches)
        self.listeners: list[Callable[[], None]] = []
        with self._catching:
            self.seq = self._reload()

    def behind(self) -> bool:
        """Whether the writer has written what this replica does not hold yet."""
        view = self._view
        return view[1] != self.seq or view[0] != self.epoch

    def catch_up(self) -> bool:
        """Apply the writes this replica has not seen (in one transaction); True if any."""
        with self._catching:
            if not self.behind():
                return False
            params = {"since": self.seq, "epoch": self.epoch}
            response = self._call("GET", "/changes", params=params)
            if response.status_code == 409:
                seq = self._reload()
                if self.journal is not None:  # this process's query workers copy it all again
                    self.journal.record(None, True)
            else:
                _check(response)
                if response.text:
                    with self._lock:
                        self._store.update(response.text)
                        if self.journal is not None:
                            from ..summaries import touched_graphs

                            self.journal.record(touched_graphs(response.text), True)
                seq = int(response.headers["x-seq"])
                self.modified = int(response.headers["x-modified"])
            # caches are cleared before the new sequence shows: a request that finds this
            # replica up to date finds no answer cached from before
            for listener in self.listeners:
                listener()
            self.seq = seq
        return True

    def _reload(self) -> int:
        """Copy the whole store: the snapshot, then what was written while it streamed;
        returns the sequence it holds (for the caller to publish once caches are cleared)."""
        for _ in range(RELOADS):
            state = _check(self._call("GET", "/state")).json()
            try:
                with self._client.stream("GET", "/snapshot") as response:
                    _check(response)
                    # the writer's blank node labels kept: every worker serialises the same bytes
                    store = piped(
                        lambda out: _copy_stream(response.iter_bytes(), out),
                        keep_blank_nodes=True,
                    )
            except httpx.HTTPError as exc:
                raise _gone(exc) from None
            for graph in state["empty"]:
                store.add_graph(ox.NamedNode(graph))
            since = self._call(
                "GET", "/changes", params={"since": state["seq"], "epoch": state["epoch"]}
            )
            if since.status_code == 409:  # everything was rewritten meanwhile: again
                continue
            _check(since)
            if since.text:
                store.update(since.text)
            with self._lock:
                self._store = self._reader = store
                self.epoch = state["epoch"]
                self.modified = int(since.headers["x-modified"])
            return int(since.headers["x-seq"])
        raise StoreError(
            f"the store was rewritten {RELOADS} times while this worker copied it; "
            "restart the service when writes that may touch any graph have stopped"
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise _gone(exc) from None

    def _write(self, op: str, **kwargs: Any) -> Any:
        response = self._call("POST", f"/write/{op}", **kwargs)
        answer = _check(response).json()
        self.catch_up()
        return answer["result"]

    # -- the Store's writes, through the writer --------------------------------------------------

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        self.load_data(path.read_bytes(), rdfio.format_for(path, fmt), graph, replace=False)

    def load_many(
        self, items: Iterable[tuple[Path, str]], derived: Iterable[bytes] | None = None
    ) -> None:
        self.add_nquads(ox.serialize(file_quads(items, derived), format=ox.RdfFormat.N_QUADS))

    def load_data(self, data: bytes, fmt: str, graph: str, replace: bool = True) -> None:
        params = {"fmt": fmt, "graph": graph, "replace": "true" if replace else "false"}
        self._write("load_data", params=params, content=data)

    def put_graphs(self, graphs: dict[str, Graph]) -> None:
        payload = {
            name: rdfio.as_graph(data).serialize(format="nt", encoding="utf-8").decode("utf-8")
            for name, data in graphs.items()
        }
        self._write("put_graphs", json=payload)

    def delete_graph(self, graph: str) -> bool:
        return bool(self._write("delete_graph", params={"graph": graph}))

    def update(
        self,
        sparql: str,
        base_iri: str | None = None,
        *,
        touches: Collection[str] | None = None,
        default: bool = False,
    ) -> None:
        params = {"base_iri": base_iri} if base_iri else {}
        self._write("update", params=params, content=sparql.encode("utf-8"))

    def add_nquads(self, data: bytes) -> None:
        self._write("add_nquads", content=data)

    def close(self) -> None:
        self._client.close()
        self._view.release()
        self._map.close()
        self._file.close()


def _copy_stream(chunks: Iterable[bytes], out: Any) -> None:
    for chunk in chunks:
        out.write(chunk)


def _gone(exc: httpx.HTTPError) -> StoreError:
    return StoreError(
        f"the store's writer process did not answer ({type(exc).__name__}: {exc}); "
        "restart the service"
    )


def _check(response: httpx.Response) -> httpx.Response:
    """The response, or the writer's refusal raised as the error the engine would raise."""
    if response.status_code < 400:
        return response
    try:
        response.read()
        body = response.json()
        kind, message = body["kind"], body["message"]
    except (ValueError, KeyError, httpx.HTTPError):
        raise StoreError(f"the store's writer answered {response.status_code}") from None
    if kind == "syntax":
        raise SyntaxError(message)
    if kind == "store":
        raise StoreError(message)
    raise ValueError(message)


if __name__ == "__main__":  # pragma: no cover - the writer process, started by Writer
    run_writer(*sys.argv[1:])
