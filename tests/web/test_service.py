"""Health, named queries, linked data, validation over HTTP, limits (real server)."""

from __future__ import annotations

import time

import httpx
import pytest
from rdflib import Graph

from ..conftest import DATA
from ..servers import BpfgraphServer

SELECT_JSON = {"Accept": "application/sparql-results+json"}


def test_health(client: httpx.Client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["store"] == "oxigraph"


def test_named_queries_listed_and_runnable(client: httpx.Client):
    listed = client.get("/queries").json()
    names = {q["name"] for q in listed}
    assert {"processes-by-type", "best-rated-city-per-process"} <= names
    r = client.get("/queries/process-outcomes", params={"notation": "C2"}, headers=SELECT_JSON)
    assert len(r.json()["results"]["bindings"]) == 6
    assert client.get("/queries/process-outcomes").status_code == 400
    assert client.get("/queries/nope").status_code == 404
    best = client.get("/queries/best-rated-city-per-process", headers=SELECT_JSON).json()[
        "results"
    ]["bindings"]
    assert {b["city"]["value"] for b in best} <= {
        "https://example.org/city/aldermoor",
        "https://example.org/city/kestrel-bay",
        "https://example.org/city/valdoria",
    }


def test_entailments_visible_over_http(client: httpx.Client):
    r = client.get(
        "/sparql",
        params={
            "query": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/bpfgraph/def#BusinessProcess> }"
        },
        headers=SELECT_JSON,
    )
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "21"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/html", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.1", "application/rdf+xml"),
    ],
)
def test_dereferencing(client: httpx.Client, accept, media):
    r = client.get("/id/process/G5", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
    if media == "text/turtle":
        g = Graph().parse(data=r.text, format="turtle")
        assert len(g) > 30


def test_ontology_iri_dereferences(client: httpx.Client):
    assert "bpf:BusinessProcess" in client.get("/def", headers={"Accept": "text/html"}).text
    g = Graph().parse(
        data=client.get("/def", headers={"Accept": "text/turtle"}).text, format="turtle"
    )
    assert len(g) > 400


def test_unknown_resource_is_404(client: httpx.Client):
    assert client.get("/id/process/Z9").status_code == 404


def test_validate_over_http(client: httpx.Client):
    bad = (DATA / "mappings" / "invalid" / "duplicate-step-numbers.ttl").read_bytes()
    r = client.post("/validate", content=bad, headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200 and r.json()["conforms"] is False
    r = client.post(
        "/validate", content=bad, headers={"Content-Type": "text/turtle", "Accept": "text/turtle"}
    )
    assert "ValidationReport" in r.text
    r = client.post(
        "/validate", content=bad, headers={"Content-Type": "text/turtle", "Accept": "text/html"}
    )
    assert "does not conform" in r.text
    r = client.post("/validate", files={"file": ("mapping.ttl", bad, "text/turtle")})
    assert r.json()["files"][0]["file"] == "mapping.ttl"


@pytest.mark.parametrize(
    ("content", "ctype", "status"),
    [
        (b"<urn:a> <urn:b> .", "text/turtle", 400),
        (b"x", "application/msword", 415),
        (b"x", None, 415),
    ],
)
def test_validate_errors(client: httpx.Client, content, ctype, status):
    headers = {"Content-Type": ctype} if ctype else {}
    r = client.post("/validate", content=content, headers=headers)
    assert r.status_code == status
    assert r.json()["error"]


def test_body_limit(tmp_path):
    srv = BpfgraphServer(tmp_path, env={"BPFGRAPH_MAX_BODY_BYTES": "1000"})
    try:
        r = httpx.post(
            srv.url("/validate"), content=b"#" * 2000, headers={"Content-Type": "text/turtle"}
        )
        assert r.status_code == 413
    finally:
        srv.stop()


def test_timeout_and_row_cap(tmp_path):
    srv = BpfgraphServer(tmp_path, env={"BPFGRAPH_QUERY_TIMEOUT": "1", "BPFGRAPH_MAX_ROWS": "50"})
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        start = time.monotonic()
        r = httpx.get(srv.url("/sparql"), params={"query": slow}, timeout=30)
        assert r.status_code == 503 and "did not finish within the 1 s limit" in r.json()["error"]
        assert time.monotonic() - start < 5
        assert httpx.get(srv.url("/health"), timeout=2).status_code == 200
        r = httpx.get(
            srv.url("/sparql"),
            params={"query": "SELECT * WHERE { ?s ?p ?o }"},
            headers=SELECT_JSON,
            timeout=30,
        )
        assert len(r.json()["results"]["bindings"]) == 50
        assert r.headers["x-result-truncated"] == "max-rows=50"
    finally:
        srv.stop()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service <http://10.0.0.1/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(client: httpx.Client, query):
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 403 and "SERVICE" in r.json()["error"]


def test_load_is_refused(server: BpfgraphServer, client: httpx.Client):
    r = client.post("/sparql", data={"update": "LOAD <http://127.0.0.1:1/x>"}, headers=server.auth)
    assert r.status_code == 403


def test_update_needs_token(client: httpx.Client):
    r = client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert r.status_code == 401


def test_openapi_and_docs(client: httpx.Client):
    assert "/sparql" in client.get("/openapi.json").json()["paths"]
    html = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html


def test_cors_is_configurable(tmp_path):
    srv = BpfgraphServer(tmp_path, env={"BPFGRAPH_CORS_ORIGINS": "https://portal.example.org"})
    try:
        r = httpx.get(srv.url("/health"), headers={"Origin": "https://portal.example.org"})
        assert r.headers["access-control-allow-origin"] == "https://portal.example.org"
        r = httpx.get(srv.url("/health"), headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
    finally:
        srv.stop()
