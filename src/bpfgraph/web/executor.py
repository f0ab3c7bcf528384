"""Experimental (``BPFGRAPH_QUERY_WORKERS`` > 0): queries on the persistent store run in worker
processes, so that a timeout really stops the work: the worker running a query past its limit
is killed and replaced. Off by default: read-only views of a store that is being written and
compacted can fail, which the W3C protocol tests expose.

Each worker opens the on-disk Oxigraph store read-only (alongside the serving process, which
holds it read-write) and reopens it when the store's version has changed since its last query,
so it always answers from the latest committed data.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from .sparql import Answer, Limits, ProtocolError


@dataclass
class Job:
    text: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    base_iri: str | None
    media: str
    max_rows: int
    version: int


def _worker(path: str, conn: Connection) -> None:  # pragma: no cover - runs in a child process
    import pyoxigraph as ox

    from .sparql import dataset_arguments, evaluate_native

    store = None
    version = -1
    while True:
        try:
            job: Job = conn.recv()
        except EOFError:
            return
        try:
            if store is None or job.version != version:
                store = ox.Store.read_only(path)
                version = job.version
            kwargs: dict = {
                "base_iri": job.base_iri,
                **dataset_arguments(job.text, job.default_graphs, job.named_graphs),
            }
            for attempt in range(3):
                try:
                    answer = evaluate_native(store, job.text, kwargs, job.media, job.max_rows)
                    break
                except (OSError, RuntimeError):
                    # the serving process compacted files this read-only view still used:
                    # reopen on the current files and run again
                    if attempt == 2:
                        raise
                    store = ox.Store.read_only(path)
            conn.send(("ok", answer))
        except SyntaxError as exc:
            conn.send(("error", 400, f"invalid SPARQL query: {exc}"))
        except (ValueError, TypeError) as exc:
            conn.send(("error", 400, f"the query could not be evaluated: {exc}"))
        except ProtocolError as exc:
            conn.send(("error", exc.status, exc.message))
        except Exception as exc:  # reported to the request, the worker goes on
            conn.send(("error", 500, f"{type(exc).__name__}: {exc}"))


class _Process:
    def __init__(self, ctx: multiprocessing.context.BaseContext, path: Path) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(str(path), child), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class ProcessExecutor:
    """A small pool of query worker processes for the on-disk store."""

    def __init__(self, path: Path, workers: int = 2) -> None:
        self.path = path
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Process] = queue.Queue()
        self._lock = threading.Lock()
        for _ in range(workers):
            self._idle.put(_Process(self._ctx, path))

    def run(self, job: Job, limits: Limits) -> Answer:
        try:
            worker = self._idle.get(timeout=limits.timeout)
        except queue.Empty:
            raise ProtocolError(503, "all query workers are busy; try again shortly") from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(limits.timeout):
                worker.kill()
                worker = _Process(self._ctx, self.path)
                raise ProtocolError(
                    503,
                    f"the query did not finish within the {limits.timeout:g} s limit and was "
                    "stopped; narrow it (LIMIT, more specific patterns) or ask the operator to "
                    "raise BPFGRAPH_QUERY_TIMEOUT",
                )
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            worker.kill()
            worker = _Process(self._ctx, self.path)
            raise ProtocolError(503, "the query worker stopped; try again") from None
        finally:
            self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        _, status, message = reply
        if status >= 500:
            raise RuntimeError(message)
        raise ProtocolError(status, message)

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().kill()
