"""Runaway work: while a query is being stopped at the timeout and a large validation runs,
/health and a simple query still answer within one second."""

from __future__ import annotations

import sys
import threading
import time

import httpx

from ..conftest import ROOT
from ..servers import BpfgraphServer

sys.path.insert(0, str(ROOT / "bench"))
from generate import mapping


def test_health_and_simple_queries_stay_fast(tmp_path):
    srv = BpfgraphServer(tmp_path, env={"BPFGRAPH_QUERY_TIMEOUT": "4"})
    big = "\n".join(mapping(i) for i in range(12)).encode()  # ~16,000 triples, 12 mappings
    outcomes: dict[str, int] = {}

    def slow_query() -> None:
        r = httpx.get(
            srv.url("/sparql"),
            params={"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
            timeout=60,
        )
        outcomes["query"] = r.status_code

    def big_validation() -> None:
        r = httpx.post(
            srv.url("/validate"), content=big, headers={"Content-Type": "text/turtle"}, timeout=120
        )
        outcomes["validation"] = r.status_code

    try:
        threads = [threading.Thread(target=slow_query), threading.Thread(target=big_validation)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        worst = 0.0
        with httpx.Client(base_url=srv.base, timeout=5) as client:
            for _ in range(8):
                start = time.monotonic()
                assert client.get("/health").status_code == 200
                r = client.get(
                    "/sparql",
                    params={"query": f"ASK {{ ?s ?p ?o }} # {time.time()}"},
                    headers={"Accept": "application/sparql-results+json"},
                )
                assert r.json()["boolean"] is True
                worst = max(worst, time.monotonic() - start)
                time.sleep(0.25)
        for t in threads:
            t.join(120)
        assert worst < 1.0, f"slowest health + simple query round: {worst:.2f} s"
        assert outcomes["query"] == 503
        assert outcomes["validation"] == 200
    finally:
        srv.stop()
