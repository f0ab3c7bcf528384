"""The graph store with its SHACL gate, tokens and persistence (real server)."""

from __future__ import annotations

import datetime as dt
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from ..conftest import DATA, ROOT
from ..servers import BpfgraphServer

VALID = (DATA / "mappings" / "valid" / "rating-not-npfl.ttl").read_bytes()
INVALID = (DATA / "mappings" / "invalid" / "rating-not-npfl.ttl").read_bytes()
TTL = {"Content-Type": "text/turtle"}


def state(client: httpx.Client) -> tuple[int, list[str]]:
    rows = client.get(
        "/sparql",
        params={
            "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        },
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    return sum(int(r["n"]["value"]) for r in rows), [r["g"]["value"] for r in rows]


def test_put_get_head_post_delete(server: BpfgraphServer, client: httpx.Client):
    g = "https://example.org/graph/test-cycle"
    r = client.put(
        "/graphs",
        params={"graph": g},
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers={**TTL, **server.auth},
    )
    assert r.status_code == 201
    r = client.put(
        "/graphs",
        params={"graph": g},
        content=b"<urn:a> <urn:b> <urn:d> .",
        headers={**TTL, **server.auth},
    )
    assert r.status_code == 204
    r = client.get("/graphs", params={"graph": g}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.strip() == "<urn:a> <urn:b> <urn:d> ."
    assert "Accept" in r.headers["vary"]
    head = client.head("/graphs", params={"graph": g})
    assert head.status_code == 200 and head.content == b""
    r = client.post(
        "/graphs",
        params={"graph": g},
        content=b"<urn:a> <urn:b> <urn:e> .",
        headers={**TTL, **server.auth},
    )
    assert r.status_code == 204
    r = client.get("/graphs", params={"graph": g}, headers={"Accept": "application/n-triples"})
    assert len(r.text.strip().splitlines()) == 2
    assert client.delete("/graphs", params={"graph": g}, headers=server.auth).status_code == 204
    assert client.get("/graphs", params={"graph": g}).status_code == 404
    assert client.delete("/graphs", params={"graph": g}, headers=server.auth).status_code == 404


def test_invalid_mapping_is_refused_with_422_and_nothing_stored(
    server: BpfgraphServer, client: httpx.Client
):
    before = state(client)
    r = client.put(
        "/graphs",
        params={"graph": "https://example.org/graph/bad"},
        content=INVALID,
        headers={**TTL, **server.auth},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["report"]["conforms"] is False
    assert (
        "ISO/IEC 33020 ratings N, P, L or F" in body["report"]["files"][0]["results"][0]["message"]
    )
    assert state(client) == before


def test_post_that_would_make_a_mapping_invalid_is_refused(
    server: BpfgraphServer, client: httpx.Client
):
    g = "https://example.org/graph/post-merge"
    assert (
        client.put(
            "/graphs", params={"graph": g}, content=VALID, headers={**TTL, **server.auth}
        ).status_code
        == 201
    )
    before = state(client)
    extra = b"<https://example.org/city/testville/bpf-mapping/o1> <https://w3id.org/bpfgraph/def#achievementRating> <https://w3id.org/bpfgraph/id/rating/X> ."
    r = client.post("/graphs", params={"graph": g}, content=extra, headers={**TTL, **server.auth})
    assert r.status_code == 422
    assert state(client) == before
    client.delete("/graphs", params={"graph": g}, headers=server.auth)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Authorization": "Basic dGVzdA=="}, 401),
    ],
)
def test_writes_need_the_token(client: httpx.Client, headers, status):
    before = state(client)
    r = client.put(
        "/graphs",
        params={"graph": "https://example.org/graph/x"},
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers={**TTL, **headers},
    )
    assert r.status_code == status
    assert "Bearer" in r.headers.get("www-authenticate", "")
    assert state(client) == before


def test_framework_graphs_are_protected(server: BpfgraphServer, client: httpx.Client):
    before = state(client)
    for g in (
        "https://w3id.org/bpfgraph/graph/framework",
        "https://w3id.org/bpfgraph/graph/ontology",
    ):
        r = client.put(
            "/graphs",
            params={"graph": g},
            content=b"<urn:a> <urn:b> <urn:c> .",
            headers={**TTL, **server.auth},
        )
        assert r.status_code == 403
        assert "belongs to the framework" in r.json()["error"]
        assert client.delete("/graphs", params={"graph": g}, headers=server.auth).status_code == 403
    assert state(client) == before


@pytest.mark.parametrize(
    ("content", "ctype", "status", "message"),
    [
        (b"<urn:a> <urn:b> .", "text/turtle", 400, "line 1"),
        (b"<urn:a> <urn:b> <urn:c> .", "application/x-unknown", 415, "cannot read"),
        (b"<urn:a> <urn:b> <urn:c> .", None, 415, "Content-Type"),
        (
            b'{"@context": "https://example.org/ctx", "@id": "urn:a"}',
            "application/ld+json",
            400,
            "remote JSON-LD context",
        ),
    ],
)
def test_bad_bodies(server: BpfgraphServer, client: httpx.Client, content, ctype, status, message):
    before = state(client)
    headers = dict(server.auth)
    if ctype:
        headers["Content-Type"] = ctype
    r = client.put(
        "/graphs",
        params={"graph": "https://example.org/graph/bad-body"},
        content=content,
        headers=headers,
    )
    assert r.status_code == status
    assert message in r.json()["error"]
    assert state(client) == before


def test_graph_parameter_problems(client: httpx.Client):
    assert client.get("/graphs").status_code == 400
    assert client.get("/graphs", params={"graph": "not an iri"}).status_code == 400
    assert client.get("/graphs?graph=urn:a&default").status_code == 400


def test_accepted_mappings_persist_across_restarts(tmp_path):
    srv = BpfgraphServer(tmp_path)
    try:
        path = ROOT / "data" / "examples" / "kestrel-bay.ttl"
        r = httpx.put(
            srv.url("/graphs"),
            params={"graph": "https://example.org/graph/kb"},
            content=path.read_bytes(),
            headers={**TTL, **srv.auth},
            timeout=60,
        )
        assert r.status_code == 201
        srv.restart()
        r = httpx.get(
            srv.url("/graphs"),
            params={"graph": "https://example.org/graph/kb"},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
        assert r.status_code == 200 and len(r.text.strip().splitlines()) == 490
        assert "Kestrel Bay" in httpx.get(srv.url("/cities"), timeout=60).text
    finally:
        srv.stop()


def test_read_only_without_token(tmp_path):
    srv = BpfgraphServer(tmp_path, token=None)
    try:
        r = httpx.put(
            srv.url("/graphs"),
            params={"graph": "https://example.org/g"},
            content=b"<urn:a> <urn:b> <urn:c> .",
            headers={**TTL, "Authorization": "Bearer x"},
        )
        assert r.status_code == 403 and "read-only" in r.json()["error"]
    finally:
        srv.stop()


MAPPING_TYPE = b"<https://w3id.org/bpfgraph/def#CityMapping>"


@pytest.mark.parametrize(
    ("method", "body", "content_type"),
    [
        ("PUT", b"<urn:m> a " + MAPPING_TYPE + b" .", "text/turtle"),
        ("POST", b"<urn:m> a " + MAPPING_TYPE + b" .", "text/turtle"),
        (
            "PUT",
            b"<urn:m> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " + MAPPING_TYPE + b" .",
            "application/n-triples",
        ),
        (
            "POST",
            b'{"@id": "urn:m", "@type": "https://w3id.org/bpfgraph/def#CityMapping"}',
            "application/ld+json",
        ),
    ],
)
def test_a_mapping_refused_for_the_default_graph_changes_nothing(
    server: BpfgraphServer, client: httpx.Client, method: str, body: bytes, content_type: str
):
    """Refused before the write begins: the data version, the caches and Last-Modified stay."""
    before = client.get("/health").json()["dataVersion"]
    download = client.get("/download/framework.ttl")
    r = client.request(
        method,
        "/graphs",
        params={"default": ""},
        content=body,
        headers={"Content-Type": content_type, **server.auth},
    )
    assert r.status_code == 400 and "named graph" in r.json()["error"]
    assert client.get("/health").json()["dataVersion"] == before
    # a Last-Modified date is trusted once its second has passed (a write may still come in it)
    settled = parsedate_to_datetime(download.headers["last-modified"]) + dt.timedelta(seconds=1.05)
    time.sleep(max(0.0, (settled - dt.datetime.now(dt.UTC)).total_seconds()))
    again = client.get(
        "/download/framework.ttl",
        headers={"If-Modified-Since": download.headers["last-modified"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        # bad RDF: the parser's message names the part and the line once
        (b"Content-Type: text/turtle\r\n\r\n<urn:a> <urn:b> .\r\n", "part 1 (a.ttl):1:"),
        # a charset the service does not read: the part is named once, before the reason
        (
            b"Content-Type: text/turtle; charset=latin-1\r\n\r\n<urn:a> <urn:b> <urn:c> .\r\n",
            "part 1 (a.ttl): charset",
        ),
    ],
)
def test_a_bad_multipart_part_is_named_once(part: bytes, expected: str):
    from bpfgraph.web.errors import ProtocolError
    from bpfgraph.web.graphs import parse_multipart

    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.ttl"\r\n'
        + part
        + b"--XyZ--\r\n"
    )
    with pytest.raises(ProtocolError) as raised:
        parse_multipart(body, "multipart/form-data; boundary=XyZ")
    assert raised.value.message.startswith(expected), raised.value.message
    assert raised.value.message.count("part 1 (a.ttl)") == 1
