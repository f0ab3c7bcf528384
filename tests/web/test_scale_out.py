"""Scale out: two uvicorn workers, stateless, on one remote store (a real Oxigraph server)."""

from __future__ import annotations

import httpx

from ..conftest import ROOT
from ..servers import BpfgraphServer, OxigraphServer


def test_two_workers_share_one_remote_store(tmp_path):
    store = OxigraphServer(tmp_path / "oxigraph")
    env = {
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": store.query_url,
        "BPFGRAPH_SPARQL_UPDATE_URL": store.update_url,
        "BPFGRAPH_SPARQL_GRAPH_STORE_URL": store.graph_store_url,
    }
    app = BpfgraphServer(tmp_path / "app", env=env, workers=2)
    try:
        with httpx.Client(base_url=app.base, timeout=60) as client:
            assert client.get("/health").json()["store"] == "sparql"
            path = ROOT / "data" / "examples" / "valdoria.ttl"
            r = client.put(
                "/graphs",
                params={"graph": "https://example.org/graph/valdoria"},
                content=path.read_bytes(),
                headers={"Content-Type": "text/turtle", **app.auth},
            )
            assert r.status_code == 201
            # every request, whichever worker answers it, sees the write
            for _ in range(12):
                page = client.get("/cities").text
                assert "Valdoria" in page
                rows = client.get(
                    "/queries/mapping-practice-coverage",
                    headers={"Accept": "application/sparql-results+json"},
                ).json()
                assert len(rows["results"]["bindings"]) == 14
        # the data lives in the store, not in the app processes
        direct = httpx.post(
            store.query_url,
            data={"query": "ASK { GRAPH <https://example.org/graph/valdoria> { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert direct.json()["boolean"] is True
    finally:
        app.stop()
        store.stop()


def test_workers_refuse_an_embedded_store(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bpfgraph.cli",
            "serve",
            "--workers",
            "2",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "need a shared remote store" in proc.stderr
