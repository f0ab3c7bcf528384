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
import concurrent.futures
import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..sparql_text import suspect_key
from ..store.base import Store
from ..store.journal import Journal
from .evaluation import ProtocolError
from .worker_process import IdleWorkers, Worker, WorkerGone, alive, empty_graphs, graphs_message

log = logging.getLogger("bpfgraph.web")


@dataclass
class PoolSettings:
    """The pool's size and limits: long-running slots, reserve, promotion delay, memory
    ceiling per query (bytes; 0 none), wait for a free worker (seconds)."""

    heavy: int
    reserve: int = 1
    heavy_after: float = 0.25
    memory: int = 0
    wait: float = 5.0


class _Watch:
    """The deadline of one job, kept by timers on the event loop: a job still running after
    ``heavy_after`` takes a heavy slot (or is stopped when none is free), then is looked at
    every 0.2 s until it ends, passes its deadline or its memory ceiling. Stopping is killing
    the worker; the job then sees the end of its stream and raises :meth:`error`."""

    def __init__(
        self,
        pool: QueryPool,
        worker: Worker,
        loop: asyncio.AbstractEventLoop,
        deadline: float,
        key: str,
        suspect: bool,
    ) -> None:
        self.pool = pool
        self.worker = worker
        self.loop = loop
        self.deadline = deadline
        self.key = key
        self.reason: str | None = None
        self.heavy = False
        first = 0.0 if suspect else pool.settings.heavy_after
        if pool.heavy_running >= pool.settings.heavy:
            # under pressure (the long-running slots full) a query must prove short at once:
            # a flood of new runaways holds a worker for milliseconds, not a quarter second
            first = min(first, PRESSURE_AFTER)
        first = min(first, max(0.0, deadline - time.monotonic()))
        self.handle: asyncio.TimerHandle | None = loop.call_later(first, self._promote)

    def _promote(self) -> None:
        with self.pool._heavy_lock:
            if self.pool.heavy_running >= self.pool.settings.heavy:
                self._stop("busy")
                return
            self.pool.heavy_running += 1
            self.heavy = True
        self._look()

    def _look(self) -> None:
        settings = self.pool.settings
        if time.monotonic() >= self.deadline:
            self._stop("timeout")
            return
        if settings.memory and self.worker.rss() - self.worker.baseline > settings.memory:
            self._stop("memory")
            return
        delay = min(0.2, max(0.0, self.deadline - time.monotonic()))
        self.handle = self.loop.call_later(delay, self._look)

    def _stop(self, reason: str) -> None:
        self.reason = reason
        self.handle = None
        self.worker.kill()
        self.pool.suspect(self.key)

    def stop(self) -> None:
        """The job ended: no more timers, its heavy slot given back."""
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
        if self.heavy:
            self.heavy = False
            with self.pool._heavy_lock:
                self.pool.heavy_running -= 1

    def error(self, kind: str, timeout: float) -> ProtocolError:
        settings = self.pool.settings
        if self.reason == "timeout":
            return timed_out(timeout, kind)
        if self.reason == "busy":
            return self.pool._busy()
        if self.reason == "memory":
            return ProtocolError(
                503,
                f"the {kind} needed more than {settings.memory // (1024 * 1024)} MiB of memory "
                "and was stopped; narrow it, or ask the operator to raise BPFGRAPH_QUERY_MEMORY",
            )
        if not self.pool.zygote_alive():  # all workers went with it: no fault of the query
            return ProtocolError(
                503, "the query workers were restarting; try again", {"Retry-After": "1"}
            )
        return ProtocolError(400, f"the {kind} could not be evaluated: the engine stopped on it")


class QueryPool:
    """Worker processes evaluating queries and trial updates on copies of ``store``."""

    def __init__(self, store: Store, settings: PoolSettings) -> None:
        """Start the workers on copies of ``store``, an embedded store (ValueError if not)."""
        journal, primary = store.journal(), store.primary
        if journal is None or primary is None:
            raise ValueError("query workers copy an embedded store only")
        self.store = store
        self.settings = settings
        self.journal: Journal = journal
        #: the store copies are taken from (never the read mirror: its blank node labels
        #: are its own)
        self.primary: ox.Store = primary
        self.size = settings.heavy + settings.reserve
        self.heavy_running = 0
        self._heavy_lock = threading.Lock()
        self._idle = IdleWorkers()
        self._threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.size + 2, thread_name_prefix="bpfgraph-worker-io"
        )
        self._closed = False
        self._zygote: Worker | None = None
        #: texts recently stopped as long-running, and until when they are suspect
        self._suspects: dict[str, float] = {}
        self._zygote_lock = threading.Lock()
        self._spawner = concurrent.futures.ThreadPoolExecutor(1, "bpfgraph-spawner")
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
                try:
                    worker = self._forked()
                except Exception:
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

    def _forked(self) -> Worker:
        """A new worker, forked from the zygote: a process that holds a copy of the store and
        runs no query, so a worker killed at its deadline is replaced in milliseconds, without
        copying the store again (started, and filled with a whole copy, when there is none)."""
        with self._zygote_lock:
            zygote = self._zygote
            if zygote is None or zygote.killed or not alive(zygote):
                if zygote is not None:
                    zygote.kill()
                # started from one long-lived thread: the worker dies with the thread that
                # started it (PR_SET_PDEATHSIG), which must be as long-lived as the service
                zygote = self._zygote = self._spawner.submit(Worker.spawn).result()
                try:
                    self._full_copy(zygote)
                except BaseException:
                    zygote.kill()
                    self._zygote = None
                    raise
            self._catch_up(zygote)
            worker = zygote.fork()
        self._all.add(worker)
        worker.baseline = worker.rss()
        return worker

    def _full_copy(self, worker: Worker) -> None:
        seq = self.journal.seq
        native = self.primary
        fd, path = tempfile.mkstemp(prefix="bpfgraph-copy-", suffix=".nq")
        try:
            with os.fdopen(fd, "wb") as out:
                native.dump(output=out, format=ox.RdfFormat.N_QUADS)
            empty = empty_graphs(native)
            reply = worker.call(("sync", path, empty, [], [], False))
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if reply[0] != "ok":
            raise RuntimeError(reply)
        worker.seq, worker.dirty, worker.dirty_default = seq, set(), False

    def _behind(self, worker: Worker) -> bool:
        return worker.seq != self.journal.seq or worker.dirty != set() or worker.dirty_default

    def _catch_up(self, worker: Worker) -> None:
        """Bring a worker's copy up to the journal (blocking)."""
        if worker.seq == self.journal.seq and worker.dirty == set() and not worker.dirty_default:
            return
        with self.store.writes_held():  # no write in between: the copy matches one sequence
            seq = self.journal.seq
            since = self.journal.since(worker.seq) if worker.dirty is not None else None
            if since is None:
                full = True
            else:
                full = False
                graphs = since[0] | (worker.dirty or set())
                default = since[1] or worker.dirty_default
                message = graphs_message(self.primary, graphs, default)
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

    def _busy(self) -> ProtocolError:
        return ProtocolError(
            503,
            f"{self.settings.heavy} long-running queries are already being answered (the most "
            "at once, BPFGRAPH_QUERY_WORKERS); try again shortly",
            {"Retry-After": "5"},
        )

    def suspect(self, key: str) -> None:
        """Note a text stopped as long-running (kept a minute; the oldest forgotten first)."""
        if len(self._suspects) >= SUSPECTS:
            self._suspects.pop(next(iter(self._suspects)))
        self._suspects.pop(key, None)
        self._suspects[key] = time.monotonic() + 60

    def zygote_alive(self) -> bool:
        """Whether the process the workers are forked from still runs."""
        zygote = self._zygote
        return zygote is not None and not zygote.killed and alive(zygote)

    def ready(self) -> int:
        """How many workers hold a copy of the store (idle or busy)."""
        return sum(1 for worker in list(self._all) if worker.seq >= 0 and not worker.killed)

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
        worker (already back in the pool). Raises ProtocolError for every failure.

        A text stopped as long-running in the last minute (comments and spacing aside) is a
        *suspect*: it counts as long-running at once, and is refused without taking a worker
        while the long-running slots are full — a flood of one runaway query costs nothing."""
        key = suspect_key(message[1])
        suspect = self._suspects.get(key, 0.0) > time.monotonic()
        if suspect and self.heavy_running >= self.settings.heavy:
            raise self._busy()
        worker = await self._idle.get(min(self.settings.wait, timeout))
        if worker is None:
            raise no_worker(self.size, min(self.ready(), self.size))
        loop = asyncio.get_running_loop()
        watch = _Watch(self, worker, loop, time.monotonic() + timeout, key, suspect)
        try:
            if self._behind(worker):
                await loop.run_in_executor(self._threads, self._catch_up, worker)
            reply = await worker.call_async(message)
        except WorkerGone:
            watch.stop()
            self._replace(worker)
            raise watch.error(kind, timeout) from None
        except Exception:
            watch.stop()
            self._replace(worker)
            log.exception("a query worker could not be brought up to date")
            raise ProtocolError(
                503,
                "a query worker could not be brought up to date; try again",
                {"Retry-After": "1"},
            ) from None
        except BaseException:  # the request went away: its worker may still be busy with it
            watch.stop()
            self._replace(worker)
            raise
        watch.stop()
        if reply[0] != "ok" and kind == "update":
            # a refused update may have changed the copy before it was refused (RDF-star, the
            # write limit): the copy is taken again before its next job
            self.mark_dirty(worker, None)
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1], worker
        _, status, text = reply
        if status >= 500:
            log.error("query worker error: %s", text)
            raise ProtocolError(
                500, f"the {kind} failed in the engine; the operator's log has details"
            )
        raise ProtocolError(status, text)

    def close(self) -> None:
        """Kill every worker and the zygote; no job is taken after this."""
        self._closed = True
        self._idle.drain()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        if self._zygote is not None:
            self._zygote.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)


#: seconds a query may run before it counts as long-running while the long-running slots are
#: all taken
PRESSURE_AFTER = 0.03
#: suspect texts remembered at most
SUSPECTS = 1000


#: set by the service: the timeout its messages name
TIMEOUT_SETTING = "BPFGRAPH_QUERY_TIMEOUT"


def timed_out(timeout: float, kind: str) -> ProtocolError:
    """The 503 of a query or update stopped at its deadline."""
    return ProtocolError(
        503,
        f"the {kind} did not finish within the {timeout:g} s limit and was stopped; narrow it "
        f"(LIMIT, more specific patterns) or ask the operator to raise {TIMEOUT_SETTING}",
    )


def no_worker(n: int, ready: int) -> ProtocolError:
    """The 503 when none of ``n`` workers came free in time, ``ready`` holding their copy."""
    why = f"the query workers are starting ({ready} of {n} ready)" if ready < n else ""
    why = why or f"all {n} query workers are busy"
    return ProtocolError(503, f"{why}; try again in a few seconds", {"Retry-After": "2"})
