"""The 503 a query gets when no query worker comes free in time says why: the workers are
still starting (the service has just started: none, or not all, hold their copy of the store
yet), or all of them are busy. On a real pool of worker processes over a real store, asked
before its workers could start, then once they have."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest

from bpfgraph.loading import ensure_loaded
from bpfgraph.store.oxigraph import OxigraphStore
from bpfgraph.web.evaluation import ProtocolError
from bpfgraph.web.executor import PoolSettings, QueryPool, no_worker

ASK = ("query", "ASK { GRAPH ?g { ?s ?p ?o } }", {}, "application/sparql-results+json", 100)


@pytest.fixture
def store() -> Iterator[OxigraphStore]:
    s = OxigraphStore(None)
    ensure_loaded(s)
    yield s
    s.close()


def test_a_query_asked_while_the_workers_start_is_told_so(store: OxigraphStore) -> None:
    # no waiting for a worker: the query is asked before the first worker (a process that
    # copies the store) can have started
    pool = QueryPool(store, PoolSettings(heavy=3, wait=0.0))
    try:
        with pytest.raises(ProtocolError) as refused:
            asyncio.run(pool.run(ASK, 5.0))
        assert refused.value.status == 503
        assert refused.value.message.startswith("the query workers are starting")
        assert refused.value.message.endswith("; try again in a few seconds")
        assert "busy" not in refused.value.message
        assert refused.value.headers == {"Retry-After": "2"}
        deadline = time.monotonic() + 60
        while pool.ready() < pool.size and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.ready() == pool.size == 4
        answer, _worker = asyncio.run(pool.run(ASK, 5.0))
        assert json.loads(answer.body)["boolean"] is True
    finally:
        pool.close()


#: (workers, workers holding their copy) -> the start of the message
MESSAGES = [
    (4, 0, "the query workers are starting (0 of 4 ready)"),
    (4, 1, "the query workers are starting (1 of 4 ready)"),
    (4, 3, "the query workers are starting (3 of 4 ready)"),
    (1, 0, "the query workers are starting (0 of 1 ready)"),
    (4, 4, "all 4 query workers are busy"),
    (1, 1, "all 1 query workers are busy"),
]


@pytest.mark.parametrize(("n", "ready", "says"), MESSAGES)
def test_the_message_says_starting_or_busy(n: int, ready: int, says: str) -> None:
    error = no_worker(n, ready)
    assert error.status == 503 and error.headers == {"Retry-After": "2"}
    assert error.message == says + "; try again in a few seconds"
