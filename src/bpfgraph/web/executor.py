"""Query worker processes: where the service evaluates SPARQL so that a deadline really stops
the work.

pyoxigraph offers no way to cancel a query (it looks at nothing between the solutions it
yields), so queries and the trial runs of updates go to a small pool of worker processes
(:mod:`bpfgraph.web.query_worker`), each holding an in-memory copy of the store. At the deadline
the worker is killed — its CPU and memory are released at once — and a new one takes its place.

- **Copies kept current.** Every write to the store is noted in a journal (the graphs it
  touched); before a job, a worker that is behind gets those graphs as N-Quads (a whole copy
  when the journal cannot tell). A worker reads the latest committed data.
- **Few heavy queries at once.** A query still running after ``heavy_after`` seconds counts as
  heavy; at most ``heavy`` of them run at once (default: the number of cores). Another query
  turning heavy is stopped with 503 and ``Retry-After``; the pool keeps ``reserve`` more
  workers than that, so a flood of runaway queries leaves room for small ones.
- **A memory ceiling per query** (``memory`` bytes above the worker's copy of the store):
  a heavy query past it is stopped with 503.
- **Crashes stay in the worker**: a worker that dies answers 400 (the query could not be
  evaluated) and is replaced.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..store.oxigraph import OxigraphStore
from ..store.replica import Journal
from .query_worker import read_frame, write_frame
from .sparql import ProtocolError

log = logging.getLogger("bpfgraph.web")
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class PoolSettings:
    heavy: int
    reserve: int = 1
    heavy_after: float = 0.25
    memory: int = 0
    wait: float = 5.0


class WorkerGone(Exception):
    """The worker process ended (killed at a deadline, or crashed)."""


class Worker:
    """One worker process and what of the store it holds."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bpfgraph.web.query_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        #: the journal sequence this worker's copy holds (-1: nothing yet)
        self.seq = -1
        #: graphs that must be copied again whatever the journal says (None: everything)
        self.dirty: set[str] | None = set()
        self.dirty_default = False
        self.baseline = 0
        self.killed = False

    def call(self, message: tuple) -> Any:
        """Send one message and wait for the answer (blocking; run in a thread)."""
        try:
            assert self.process.stdin is not None and self.process.stdout is not None
            write_frame(self.process.stdin, message)
            reply = read_frame(self.process.stdout)
        except (OSError, ValueError, EOFError) as exc:
            raise WorkerGone(str(exc)) from None
        if reply is None:
            raise WorkerGone("the worker ended")
        return reply

    def rss(self) -> int:
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        self.killed = True
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(Exception):
                stream.close()  # type: ignore[union-attr]


class _Idle:
    """Idle workers, handed out in order to waiters on any event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: collections.deque[Worker] = collections.deque()
        self._waiters: collections.deque[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = (
            collections.deque()
        )

    def put(self, worker: Worker) -> None:
        with self._lock:
            while self._waiters:
                loop, future = self._waiters.popleft()
                if not future.done():
                    loop.call_soon_threadsafe(_hand, future, worker, self)
                    return
            self._workers.append(worker)

    async def get(self, wait: float) -> Worker | None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._workers:
                return self._workers.popleft()
            future: asyncio.Future[Worker] = loop.create_future()
            self._waiters.append((loop, future))
        try:
            return await asyncio.wait_for(future, wait)
        except TimeoutError:
            return None

    def drain(self) -> list[Worker]:
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        return workers


def _hand(future: asyncio.Future, worker: Worker, idle: _Idle) -> None:
    if future.done():  # the waiter gave up meanwhile: to the next one
        idle.put(worker)
    else:
        future.set_result(worker)


class QueryPool:
    """Worker processes evaluating queries and trial updates on copies of ``store``."""

    def __init__(self, store: OxigraphStore, settings: PoolSettings) -> None:
        self.store = store
        self.settings = settings
        if store.journal is None:
            fd, path = tempfile.mkstemp(prefix="bpfgraph-journal-")
            os.close(fd)
            store.journal = Journal(__import__("pathlib").Path(path))
            os.unlink(path)  # the mapping stays valid; nothing else reads it
        self.journal: Journal = store.journal
        self.size = settings.heavy + settings.reserve
        self.heavy_running = 0
        self._heavy_lock = threading.Lock()
        self._idle = _Idle()
        self._threads = __import__("concurrent.futures").futures.ThreadPoolExecutor(
            max_workers=self.size + 2, thread_name_prefix="bpfgraph-worker-io"
        )
        self._closed = False
        #: every live worker, idle or busy (all are killed on close)
        self._all: set[Worker] = set()
        self.started = 0
        for _ in range(self.size):
            self._start_worker()

    # -- workers -------------------------------------------------------------------------------

    def _start_worker(self) -> None:
        """Start a worker and hand it out once it holds the store (in the background)."""
        if self._closed:
            return

        def run() -> None:
            for attempt in range(3):
                worker = Worker()
                self._all.add(worker)
                try:
                    self._full_copy(worker)
                    worker.baseline = worker.rss()
                except Exception:
                    worker.kill()
                    self._all.discard(worker)
                    if self._closed:
                        return
                    log.exception("a query worker could not start (attempt %d)", attempt + 1)
                    time.sleep(0.5)
                    continue
                if self._closed:
                    worker.kill()
                    return
                self.started += 1
                self._idle.put(worker)
                return

        threading.Thread(target=run, name="bpfgraph-worker-start", daemon=True).start()

    def _full_copy(self, worker: Worker) -> None:
        seq = self.journal.seq
        native = self.store.native
        fd, path = tempfile.mkstemp(prefix="bpfgraph-copy-", suffix=".nq")
        try:
            with os.fdopen(fd, "wb") as out:
                native.dump(output=out, format=ox.RdfFormat.N_QUADS)
            empty = _empty_graphs(native)
            reply = worker.call(("sync", path, empty, b"", [], False))
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if reply[0] != "ok":
            raise RuntimeError(reply)
        worker.seq, worker.dirty, worker.dirty_default = seq, set(), False

    def _catch_up(self, worker: Worker) -> None:
        """Bring a worker's copy up to the journal (blocking)."""
        if worker.seq == self.journal.seq and worker.dirty == set() and not worker.dirty_default:
            return
        with self.store._lock:  # no write in between: the copy matches one sequence
            seq = self.journal.seq
            since = self.journal.since(worker.seq) if worker.dirty is not None else None
            if since is None:
                full = True
            else:
                full = False
                graphs = since[0] | (worker.dirty or set())
                default = since[1] or worker.dirty_default
                message = _graphs_message(self.store.native, graphs, default)
        if full:
            self._full_copy(worker)
            return
        reply = worker.call(message)
        if reply[0] != "ok":
            raise RuntimeError(reply)
        worker.seq, worker.dirty, worker.dirty_default = seq, set(), False

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        self._start_worker()

    def mark_dirty(self, worker: Worker, graphs: Iterable[str | None] | None) -> None:
        """Graphs this worker's copy holds differently from the store (a refused update)."""
        if graphs is None or worker.dirty is None:
            worker.dirty = None
            return
        for graph in graphs:
            if graph is None:
                worker.dirty_default = True
            else:
                worker.dirty.add(graph)

    # -- jobs ----------------------------------------------------------------------------------

    async def run(self, message: tuple, timeout: float, kind: str = "query") -> tuple[Any, Worker]:
        """Run one job on a worker within ``timeout`` seconds; the reply's payload and the
        worker (already back in the pool). Raises ProtocolError for every failure."""
        worker = await self._idle.get(min(self.settings.wait, timeout))
        if worker is None:
            raise ProtocolError(
                503,
                f"all {self.size} query workers are busy; try again in a few seconds",
                {"Retry-After": "2"},
            )
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout

        def job() -> Any:
            self._catch_up(worker)
            return worker.call(message)

        future = loop.run_in_executor(self._threads, job)
        # a killed worker's job ends with WorkerGone after its request was answered: retrieved
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        heavy = False
        try:
            reply = await self._wait(worker, future, deadline, kind, timeout)
        finally:
            heavy = getattr(future, "_bpf_heavy", False)
            if heavy:
                with self._heavy_lock:
                    self.heavy_running -= 1
        if reply[0] == "ok":
            self._idle.put(worker)
            return reply[1], worker
        self._idle.put(worker)
        _, status, text = reply
        if status >= 500:
            log.error("query worker error: %s", text)
            raise ProtocolError(
                500, f"the {kind} failed in the engine; the operator's log has details"
            )
        raise ProtocolError(status, text)

    async def _wait(
        self, worker: Worker, future: asyncio.Future, deadline: float, kind: str, timeout: float
    ) -> tuple:
        s = self.settings
        first = min(s.heavy_after, max(0.0, deadline - time.monotonic()))
        try:
            return await asyncio.wait_for(asyncio.shield(future), first)
        except TimeoutError:
            pass
        except WorkerGone:
            self._replace(worker)
            raise ProtocolError(
                400, f"the {kind} could not be evaluated: the engine stopped on it"
            ) from None
        with self._heavy_lock:
            if self.heavy_running >= s.heavy:
                full = True
            else:
                full = False
                self.heavy_running += 1
                future._bpf_heavy = True  # type: ignore[attr-defined]
        if full:
            self._replace(worker)
            raise ProtocolError(
                503,
                f"{s.heavy} long-running queries are already being answered (the most at "
                "once); try again shortly",
                {"Retry-After": "5"},
            )
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._replace(worker)
                raise timed_out(timeout, kind)
            try:
                return await asyncio.wait_for(asyncio.shield(future), min(left, 0.2))
            except TimeoutError:
                if s.memory and worker.rss() - worker.baseline > s.memory:
                    self._replace(worker)
                    raise ProtocolError(
                        503,
                        f"the {kind} needed more than {s.memory // (1024 * 1024)} MiB of "
                        "memory and was stopped; narrow it, or ask the operator to raise "
                        "BPFGRAPH_QUERY_MEMORY",
                    ) from None
            except WorkerGone:
                self._replace(worker)
                raise ProtocolError(
                    400, f"the {kind} could not be evaluated: the engine stopped on it"
                ) from None

    def close(self) -> None:
        self._closed = True
        self._idle.drain()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)


#: set by the service: the timeout its messages name
TIMEOUT_SETTING = "BPFGRAPH_QUERY_TIMEOUT"


def timed_out(timeout: float, kind: str) -> ProtocolError:
    return ProtocolError(
        503,
        f"the {kind} did not finish within the {timeout:g} s limit and was stopped; narrow it "
        f"(LIMIT, more specific patterns) or ask the operator to raise {TIMEOUT_SETTING}",
    )


def _empty_graphs(native: ox.Store) -> list[str]:
    return [
        g.value
        for g in native.named_graphs()
        if isinstance(g, ox.NamedNode)
        and next(native.quads_for_pattern(None, None, None, g), None) is None
    ]


def _graphs_message(native: ox.Store, graphs: set[str], default: bool) -> tuple:
    quads: list[ox.Quad] = []
    empty = []
    for graph in sorted(graphs):
        node = ox.NamedNode(graph)
        found = list(native.quads_for_pattern(None, None, None, node))
        quads += found
        if not found and native.contains_named_graph(node):
            empty.append(graph)
    if default:
        quads += native.quads_for_pattern(None, None, None, ox.DefaultGraph())
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b""
    return ("sync", None, empty, data, sorted(graphs), default)
