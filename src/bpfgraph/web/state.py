"""What a running service holds: its store, the version every write bumps, the answer cache,
the limits of queries, the query worker pool, the write lock and the heavy-work slots.

Routes receive it as a FastAPI dependency (:data:`StateDep`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ..settings import Settings
from ..sparql_bounds import RECOMMENDED_STACK_BYTES, Bounds
from ..store.base import Store
from .cache import AnswerCache, NoCache
from .errors import ProtocolError
from .evaluation import Limits
from .executor import PoolSettings, QueryPool
from .sparql import QUERY_POOL


class State:
    """The store and a version counter that every write bumps (caches key on it)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        """The state of a service answering from ``store`` (started: the pool, the threads)."""
        self.settings = settings
        self.store = store
        self.version = 0
        self.modified = _modified(store)
        # a remote store may be written by other app processes: nothing is cached then
        self.cache: AnswerCache = AnswerCache(settings.cache_bytes) if store.embedded else NoCache()
        self.lock = threading.Lock()
        self.limits = limits(settings)
        #: the worker processes queries and trial updates run on (None: threads)
        self.pool: QueryPool | None = None
        if store.embedded and settings.heavy_queries > 0:
            self.pool = QueryPool(
                store,
                PoolSettings(
                    heavy=settings.heavy_queries,
                    reserve=settings.query_reserve_workers,
                    heavy_after=settings.query_heavy_after,
                    memory=settings.query_memory,
                    wait=settings.query_queue_wait,
                ),
            )
        if self.pool is None:
            _deep_stacked(QUERY_POOL)
        #: every write (SPARQL Update, graph store) is checked and written under this lock
        self.write_lock = asyncio.Lock()
        #: uploads and validations parsed and validated at once (each may take a core and a
        #: large part of memory); more wait up to BPFGRAPH_QUERY_QUEUE_WAIT, then 503
        self.heavy = asyncio.Semaphore(max(1, settings.heavy_queries or os.cpu_count() or 1))

    @asynccontextmanager
    async def heavy_work(self) -> AsyncIterator[None]:
        """A slot for parsing or validating a request body (503 with Retry-After when none
        frees up in time)."""
        try:
            await asyncio.wait_for(self.heavy.acquire(), self.settings.query_queue_wait)
        except TimeoutError:
            raise ProtocolError(
                503,
                "the service is busy with other uploads and validations; try again shortly",
                {"Retry-After": "5"},
            ) from None
        try:
            yield
        finally:
            self.heavy.release()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """Hold the write lock (and, on a replica, the store's own lock for writes across the
        service's processes); afterwards (written or refused) a new version of the data."""
        async with self.write_lock:
            release = await run_in_threadpool(self.store.acquire_writes)
            try:
                yield
            finally:
                release()
                self.bump()

    def sparql_url(self, request: Request) -> str:
        """The endpoint's own URL (the base IRI of queries and updates)."""
        return str(request.base_url) + "sparql"

    def bump(self) -> None:
        """The data changed: a new version, a new modification time, an empty cache."""
        with self.lock:
            self.version += 1
            self.modified = _modified(self.store)
            self.cache.clear()

    def close(self) -> None:
        """Stop the query workers and close the store."""
        if self.pool is not None:
            self.pool.close()
        self.store.close()


def limits(settings: Settings) -> Limits:
    """The limits of queries and updates the settings give."""
    bounds = Bounds(
        max_length=settings.query_max_length,
        max_depth=settings.query_max_depth,
        max_branches=settings.query_max_branches,
        max_path_length=settings.query_max_path_length,
    )
    return Limits(
        settings.query_timeout,
        settings.max_rows,
        settings.allow_service,
        settings.allow_load,
        settings.max_body_bytes,
        bounds,
        # an update's length is bounded by the body limit: data (INSERT DATA) is flat
        dataclasses.replace(bounds, max_length=max(bounds.max_length, settings.max_body_bytes)),
    )


async def get_state(request: Request) -> State:
    """The service's state (a dependency of every route that reads or writes the store)."""
    return request.app.state.bpf


#: a route's parameter ``st: StateDep`` receives the service's state
StateDep = Annotated[State, Depends(get_state)]

#: thread pools whose threads were started with the deep stack
_STACKED: set[int] = set()


def _deep_stacked(pool: ThreadPoolExecutor) -> None:
    """Start every thread of ``pool`` now, with the stack the query bounds are measured for
    (threads take their stack size when they start; the pool would start them later)."""
    if id(pool) in _STACKED:
        return
    barrier = threading.Barrier(pool._max_workers + 1)
    previous = threading.stack_size(RECOMMENDED_STACK_BYTES)
    try:
        for _ in range(pool._max_workers):
            pool.submit(barrier.wait)
        barrier.wait()
    finally:
        threading.stack_size(previous)
    _STACKED.add(id(pool))


def _modified(store: Store) -> dt.datetime:
    """Now, or for a replica the time the writer last wrote (every worker says the same)."""
    return store.modified() or dt.datetime.now(dt.UTC).replace(microsecond=0)
