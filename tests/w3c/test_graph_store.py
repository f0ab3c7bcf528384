"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests for indirect graph identification
(w3c/rdf-tests, sparql/sparql11/graph-store-protocol/manifest-indirect.ttl), run against a real
``bpfgraph serve``.

The tests are read from the copied manifest. The manifest's endpoint path ``/gsp`` is ours
``/graphs``; every request carries the write token. Each test starts from an empty graph store
(several expect ``201 Created`` for a graph an earlier test made). ``$LOCATION$`` (the
``Location`` of a graph created by POST) is replaced in later requests, as the manifest says.
"""

from __future__ import annotations

import httpx
import pytest

from ..servers import BpfgraphServer
from .manifest import DATA, ManifestTest, load, run

CASES = load(DATA / "graph-store-protocol" / "manifest-indirect.ttl")
ENDPOINT = "/graphs"


def to_endpoint(path: str) -> str:
    """``/gsp?graph=…`` (the manifest's endpoint) -> ``/graphs?graph=…`` (ours)."""
    assert path == "/gsp" or path.startswith("/gsp?"), path
    return ENDPOINT + path.removeprefix("/gsp")


def test_the_manifest_is_the_indirect_identification_one():
    assert len(CASES) == 9
    assert {c.kind for c in CASES} == {"GraphStoreProtocolTest"}
    assert all("DirectGraphIdentification" not in c.requires for c in CASES)
    assert all(ex.statuses for c in CASES for ex in c.exchanges)


@pytest.mark.usefixtures("empty_store")
@pytest.mark.parametrize("test", CASES, ids=str)
def test_graph_store(test: ManifestTest, w3c_server: BpfgraphServer, w3c_client: httpx.Client):
    run(w3c_client, test, to_endpoint, w3c_server.auth)


@pytest.mark.usefixtures("empty_store")
def test_a_graph_created_by_post_is_new_each_time(
    w3c_server: BpfgraphServer, w3c_client: httpx.Client
):
    body = b"<http://www.example/s> <http://www.example/p> <http://www.example/o> ."
    headers = {"Content-Type": "application/n-triples", **w3c_server.auth}
    first = w3c_client.post(ENDPOINT, content=body, headers=headers)
    second = w3c_client.post(ENDPOINT, content=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.headers["location"] != second.headers["location"]
    for response in (first, second):
        got = w3c_client.get(
            ENDPOINT,
            params={"graph": response.headers["location"]},
            headers={"Accept": "application/n-triples"},
        )
        assert got.status_code == 200
        assert got.text.strip() == body.decode()


@pytest.mark.usefixtures("empty_store")
def test_a_multipart_post_with_a_bad_part_stores_nothing(
    w3c_server: BpfgraphServer, w3c_client: httpx.Client
):
    graph = "http://www.example/gsp/multipart"
    files = [
        ("a", ("a.ttl", b"<http://www.example/a> <http://www.example/p> 1 .", "text/turtle")),
        ("b", ("b.ttl", b"<http://www.example/b> <http://www.example/p> ", "text/turtle")),
    ]
    response = w3c_client.post(
        ENDPOINT, params={"graph": graph}, files=files, headers=w3c_server.auth
    )
    assert response.status_code == 400, response.text
    assert w3c_client.get(ENDPOINT, params={"graph": graph}).status_code == 404
    files[1] = ("b", ("b.txt", b"hello", "application/octet-stream"))
    response = w3c_client.post(
        ENDPOINT, params={"graph": graph}, files=files, headers=w3c_server.auth
    )
    assert response.status_code == 415, response.text
