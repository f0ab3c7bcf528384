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

The writer and its private protocol are :mod:`bpfgraph.store.writer`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import mmap
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import Graph

from .. import rdfio
from ..sparql_text import touched_graphs
from .base import StoreError
from .copies import file_quads, piped
from .journal import SHARED
from .oxigraph import OxigraphStore
from .writer import SEQUENCE, writer_client

#: a full copy is tried this many times while writes that may touch any graph go on
RELOADS = 5
#: the file in the run directory whose lock a worker holds for a whole write
WRITE_LOCK = "write.lock"


class ReplicaStore(OxigraphStore):
    """An in-memory copy of the writer's store: reads here, writes through the writer.

    Filled when created (the writer's snapshot, then what changed meanwhile); :meth:`behind`
    tells whether the writer has written since, :meth:`catch_up` applies it. Each write
    returns once this replica holds it.
    """

    def __init__(self, run_dir: Path, timeout: float = 600.0) -> None:
        """Copy the store of the writer running in ``run_dir`` (``timeout``: seconds for each
        call to the writer). StoreError when no writer runs there or it does not answer."""
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
        self._client = writer_client(self.run_dir, timeout)
        self._view = memoryview(self._map).cast("Q")
        self.epoch = -1
        #: the writer's sequence this replica holds
        self.seq = -1
        #: when the writer made the last write this replica holds (Unix seconds): the same in
        #: every worker holding it, for Last-Modified
        self.written_at = 0
        self._catching = threading.Lock()
        #: called after the replica changed (the service clears its caches)
        self.listeners: list[Callable[[], None]] = []
        with self._catching:
            self.seq = self._reload()

    def status(self) -> dict[str, object]:
        """The read mirror's state (always ``off``: the replica is in memory) and the
        writer's sequence this replica holds."""
        return {"readMirror": self.mirror_state, "replicaSeq": self.seq}

    def modified(self) -> dt.datetime | None:
        """When the writer made the last write this replica holds (UTC; the same in every
        worker), None before any write."""
        if self.written_at <= 0:
            return None
        return dt.datetime.fromtimestamp(self.written_at, dt.UTC)

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` each time :meth:`catch_up` changed the replica, before the new
        sequence shows."""
        self.listeners.append(listener)

    def acquire_writes(self) -> Callable[[], None]:
        """An exclusive lock on ``RUN_DIR/write.lock``, shared by every worker of the service,
        then this replica brought up to date: a write reads what every earlier write left
        (a merge or an update's trial run on a replica behind would undo another worker's
        write). Blocks until the lock is free."""
        lock = (self.run_dir / WRITE_LOCK).open("a+b")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.catch_up()
        except BaseException:
            lock.close()  # closing the file releases the lock
            raise
        return lock.close

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
                if self._journal is not None:  # this process's query workers copy it all again
                    self._journal.record(None, True)
            else:
                _check(response)
                if response.text:
                    with self._lock:
                        self._store.update(response.text)
                        if self._journal is not None:
                            self._journal.record(touched_graphs(response.text), True)
                seq = int(response.headers["x-seq"])
                self.written_at = int(response.headers["x-modified"])
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
                self.written_at = int(since.headers["x-modified"])
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
        """Add a file's triples to ``graph`` through the writer (the file is read here)."""
        self.load_data(path.read_bytes(), rdfio.format_for(path, fmt), graph, replace=False)

    def load_many(
        self, items: Iterable[tuple[Path, str]], derived: Iterable[bytes] | None = None
    ) -> None:
        """Send the files, each as its own graph, and the ``derived`` N-Quads to the writer as
        one N-Quads document, added in one transaction."""
        nquads = ox.serialize(file_quads(items, derived), format=ox.RdfFormat.N_QUADS)
        assert nquads is not None  # given no output, pyoxigraph returns the bytes
        self.add_nquads(nquads)

    def load_data(self, data: bytes, fmt: str, graph: str, replace: bool = True) -> None:
        """The writer parses ``data`` into ``graph`` (see :meth:`OxigraphStore.load_data`);
        its refusal is raised here as SyntaxError, StoreError or ValueError."""
        params = {"fmt": fmt, "graph": graph, "replace": "true" if replace else "false"}
        self._write("load_data", params=params, content=data)

    def put_graphs(self, graphs: dict[str, Graph]) -> None:
        """The writer replaces these graphs in one transaction (sent as N-Triples)."""
        payload = {
            name: rdfio.as_graph(data).serialize(format="nt", encoding="utf-8").decode("utf-8")
            for name, data in graphs.items()
        }
        self._write("put_graphs", json=payload)

    def delete_graph(self, graph: str) -> bool:
        """The writer removes ``graph``; whether it existed."""
        return bool(self._write("delete_graph", params={"graph": graph}))

    def update(self, sparql: str, base_iri: str | None = None, **hints: object) -> None:
        """The writer runs the update, which finds the graphs it wrote itself (the ``hints``,
        ``touches`` and ``default``, are not sent). SyntaxError when it does not parse."""
        params = {"base_iri": base_iri} if base_iri else {}
        self._write("update", params=params, content=sparql.encode("utf-8"))

    def add_nquads(self, data: bytes) -> None:
        """The writer adds the quads (N-Quads) in one transaction."""
        self._write("add_nquads", content=data)

    def close(self) -> None:
        """Close the connection to the writer and unmap its sequence file; the writer and its
        store are left as they are."""
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
