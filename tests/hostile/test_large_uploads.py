"""Large uploads: read and written by Oxigraph alone when they hold no city mapping (no Python
object per triple), the event loop answering /health meanwhile; the same answers as the
ordinary path (counts, merge on POST, mappings still validated)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from ..conftest import ROOT
from ..servers import BpfgraphServer

GRAPH = "https://example.org/large/"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("large"), env={"BPFGRAPH_LOAD_CITIES": "false"})
    yield srv
    srv.stop()


def ntriples(n: int, offset: int = 0) -> bytes:
    return "".join(
        f'<urn:s:{i}> <urn:p:{i % 50}> "value number {i} with some padding text" .\n'
        for i in range(offset, offset + n)
    ).encode()


def count(server: BpfgraphServer, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    rows = httpx.get(server.url("/sparql"), params={"query": query}, timeout=60).json()
    return int(rows["results"]["bindings"][0]["n"]["value"])


def put(
    server: BpfgraphServer,
    graph: str,
    body: bytes,
    method: str = "PUT",
    media: str = "application/n-triples",
):
    return httpx.request(
        method,
        server.url("/graphs"),
        params={"graph": graph},
        content=body,
        headers={"Content-Type": media, **server.auth},
        timeout=600,
    )


def test_two_large_uploads_leave_the_event_loop_free(server):
    bodies = [ntriples(250_000, k * 1_000_000) for k in range(2)]  # ~20 MiB each
    statuses: list[int] = []

    def upload(k: int) -> None:
        statuses.append(put(server, f"{GRAPH}{k}", bodies[k]).status_code)

    threads = [threading.Thread(target=upload, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    lags = []
    while any(t.is_alive() for t in threads):
        start = time.monotonic()
        assert httpx.get(server.url("/health"), timeout=10).status_code == 200
        lags.append(time.monotonic() - start)
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 201]
    assert max(lags) < 1.0, f"/health took {max(lags):.2f} s"
    assert count(server, f"{GRAPH}0") == count(server, f"{GRAPH}1") == 250_000


def test_a_large_post_adds_to_the_graph(server):
    assert put(server, f"{GRAPH}post", ntriples(20_000)).status_code == 201
    assert put(server, f"{GRAPH}post", ntriples(20_000, 10_000), "POST").status_code == 204
    assert count(server, f"{GRAPH}post") == 30_000
    ask = f"ASK {{ GRAPH <https://w3id.org/bpfgraph/graph/provenance> {{ <{GRAPH}post> ?p ?o }} }}"
    assert httpx.get(server.url("/sparql"), params={"query": ask}).json()["boolean"] is True


def test_a_large_turtle_body_with_errors_names_the_line(server):
    body = ntriples(20_000) + b"<urn:broken> <urn:p> .\n"
    response = put(server, f"{GRAPH}broken", body, media="text/turtle")
    assert response.status_code == 400 and "line 20,001" in response.json()["error"].replace(
        "20001", "20,001"
    )
    assert count(server, f"{GRAPH}broken") == 0


def test_a_large_mapping_is_still_validated(server):
    mapping = (ROOT / "data" / "examples" / "aldermoor.ttl").read_text()
    broken = mapping.replace("bpf:city <https://example.org/city/aldermoor> ;", "")
    assert broken != mapping
    padding = "".join(f'<urn:x:{i}> <urn:p> "padding {i}" .\n' for i in range(30_000))
    response = put(server, f"{GRAPH}mapping", (broken + padding).encode(), media="text/turtle")
    assert response.status_code == 422, response.text[:300]
    assert count(server, f"{GRAPH}mapping") == 0
