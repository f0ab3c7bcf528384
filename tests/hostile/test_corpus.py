"""A hostile corpus against a real server: every case gets a 4xx (or the timeout answer) with a
clear message, never a 5xx or a traceback, and the store is unchanged afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..servers import BpfgraphServer

DATA = Path(__file__).parent / "data"
TOKEN = "hostile-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CTYPE = {
    ".ttl": "text/turtle",
    ".trig": "application/trig",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(
        tmp_path_factory.mktemp("hostile"),
        token=TOKEN,
        env={
            "BPFGRAPH_MAX_BODY_BYTES": str(4 * 1024 * 1024),
            "BPFGRAPH_QUERY_TIMEOUT": "2",
            "BPFGRAPH_MAX_ROWS": "1000",
        },
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: BpfgraphServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        yield c


def snapshot(client: httpx.Client) -> tuple:
    r = client.get(
        "/sparql",
        params={
            "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        },
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200
    return tuple(r.text.splitlines())


def check(response: httpx.Response, statuses: set[int], message: str | None) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    if message:
        assert message.lower() in response.text.lower(), response.text[:500]


FILES = sorted(DATA.glob("*"))
FILE_MESSAGES = {
    "invalid-iri.ttl": "invalid IRI",
    "invalid-iri.nt": ":1: Invalid line",
    "invalid-utf8": "UTF-8",
    "xxe": "entities",
    "billion-laughs": "entities",
    "remote-context": "remote JSON-LD context",
    "remote-context-nested": "remote JSON-LD context",
}


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
@pytest.mark.parametrize("endpoint", ["graphs", "validate"])
def test_hostile_rdf(client: httpx.Client, path: Path, endpoint: str):
    before = snapshot(client)
    headers = {"Content-Type": CTYPE[path.suffix], **AUTH}
    if endpoint == "graphs":
        r = client.put(
            "/graphs",
            params={"graph": "https://example.org/hostile"},
            content=path.read_bytes(),
            headers=headers,
        )
    else:
        r = client.post("/validate", content=path.read_bytes(), headers=headers)
    check(r, {400}, FILE_MESSAGES.get(path.name))
    assert snapshot(client) == before


GENERATED = [
    (
        "huge-literal",
        b'<urn:a> <urn:b> "' + b"x" * 1_500_000 + b'" .',
        "text/turtle",
        {400},
        "longer than",
    ),
    (
        "deep-list",
        b"<urn:a> <urn:b> " + b"(" * 20000 + b")" * 20000 + b" .",
        "text/turtle",
        {400},
        None,
    ),
    (
        "over-the-limit",
        b"# " + b"x" * (5 * 1024 * 1024),
        "text/turtle",
        {413},
        "larger than the limit",
    ),
    (
        "framework-graph",
        b"<urn:a> <urn:b> <urn:c> .",
        "text/turtle",
        {403},
        "belongs to the framework",
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "ctype", "statuses", "message"), GENERATED, ids=[g[0] for g in GENERATED]
)
def test_generated_bodies(client: httpx.Client, name, body, ctype, statuses, message):
    before = snapshot(client)
    graph = (
        "https://w3id.org/bpfgraph/graph/framework"
        if name == "framework-graph"
        else "https://example.org/hostile"
    )
    r = client.put(
        "/graphs", params={"graph": graph}, content=body, headers={"Content-Type": ctype, **AUTH}
    )
    check(r, statuses, message)
    assert snapshot(client) == before


SPARQL = [
    (
        "syntax-error",
        "GET",
        {"query": "SELEKT * WHERE { ?s ?p ?o }"},
        None,
        {400},
        "invalid SPARQL",
    ),
    (
        "update-syntax",
        "POST",
        None,
        {"update": "INSERT DATUM { <a> <b> <c> }"},
        {400},
        "invalid SPARQL update",
    ),
    (
        "load-loopback",
        "POST",
        None,
        {"update": "LOAD <http://127.0.0.1:8000/download/all.ttl>"},
        {403},
        "LOAD",
    ),
    (
        "load-private",
        "POST",
        None,
        {"update": "LOAD <http://10.0.0.1/x> INTO GRAPH <urn:g>"},
        {403},
        "LOAD",
    ),
    (
        "service-loopback",
        "GET",
        {"query": "SELECT * { SERVICE <http://127.0.0.1:8000/sparql> { ?s ?p ?o } }"},
        None,
        {403},
        "SERVICE",
    ),
    (
        "service-link-local",
        "GET",
        {"query": "SELECT * { SERVICE <http://169.254.169.254/latest> { ?s ?p ?o } }"},
        None,
        {403},
        "SERVICE",
    ),
    (
        "service-private",
        "GET",
        {"query": "SELECT * { SERVICE SILENT <http://192.168.1.1/sparql> { ?s ?p ?o } }"},
        None,
        {403},
        "SERVICE",
    ),
    (
        "runs-for-minutes",
        "GET",
        {"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
        None,
        {503},
        "did not finish",
    ),
    (
        "deep-path",
        "GET",
        {
            "query": "SELECT (COUNT(*) AS ?n) { ?s (<urn:p>|^<urn:p>)*/("
            + "/".join(["<urn:q>*"] * 200)
            + ") ?o }"
        },
        None,
        {400},
        "BPFGRAPH_QUERY_MAX_PATH_LENGTH",
    ),
    ("enormous-result", "GET", {"query": "SELECT * { ?a ?b ?c . ?d ?e ?f }"}, None, {200}, None),
    ("two-queries", "GET", [("query", "ASK {}"), ("query", "ASK {}")], None, {400}, "exactly one"),
    (
        "query-and-update",
        "POST",
        None,
        {"query": "ASK {}", "update": "CLEAR ALL"},
        {400},
        "not both",
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "params", "form", "statuses", "message"), SPARQL, ids=[s[0] for s in SPARQL]
)
def test_hostile_sparql(client: httpx.Client, name, method, params, form, statuses, message):
    before = snapshot(client)
    if method == "GET":
        r = client.get(
            "/sparql", params=params, headers={"Accept": "application/sparql-results+json"}
        )
    else:
        r = client.post("/sparql", data=form, headers=AUTH)
    check(r, statuses, message)
    if name == "enormous-result":
        assert len(r.json()["results"]["bindings"]) == 1000
        assert r.headers["x-result-truncated"] == "max-rows=1000"
    assert snapshot(client) == before


def test_update_on_a_read_only_server(tmp_path):
    srv = BpfgraphServer(tmp_path, token=None)
    try:
        r = httpx.post(
            srv.url("/sparql"), data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer x"}
        )
        check(r, {403}, "read-only")
        assert (
            httpx.get(srv.url("/queries/stakeholders"), headers={"Accept": "text/csv"}).text.count(
                "\n"
            )
            == 5
        )
    finally:
        srv.stop()


HTTP = [
    ("wrong-method-sparql", "DELETE", "/sparql", {}, None, {405}),
    ("wrong-method-download", "POST", "/download/framework.ttl", {}, b"x", {405}),
    ("wrong-content-type-sparql", "POST", "/sparql", {"Content-Type": "image/png"}, b"x", {415}),
    (
        "utf16-query",
        "POST",
        "/sparql",
        {"Content-Type": "application/sparql-query; charset=UTF-16"},
        "ASK {}".encode("utf-16"),
        {415},
    ),
    ("traversal-download", "GET", "/download/..%2f..%2f..%2fetc%2fpasswd", {}, None, {404}),
    ("traversal-download-2", "GET", "/download/../../pyproject.toml", {}, None, {404}),
    ("traversal-static", "GET", "/static/../../../../etc/passwd", {}, None, {404}),
    ("traversal-graph", "GET", "/graphs?graph=../../etc/passwd", {}, None, {400}),
    (
        "crlf-graph",
        "PUT",
        "/graphs?graph=urn:a%0d%0aX-Injected:%201",
        {"Content-Type": "text/turtle", **AUTH},
        b"<urn:a> <urn:b> <urn:c> .",
        {400},
    ),
    (
        "missing-token",
        "PUT",
        "/graphs?graph=urn:x",
        {"Content-Type": "text/turtle"},
        b"<urn:a> <urn:b> <urn:c> .",
        {401},
    ),
    (
        "wrong-token",
        "PUT",
        "/graphs?graph=urn:x",
        {"Content-Type": "text/turtle", "Authorization": "Bearer nope"},
        b"<urn:a> <urn:b> <urn:c> .",
        {401},
    ),
    ("empty-token", "DELETE", "/graphs?graph=urn:x", {"Authorization": "Bearer"}, None, {401}),
    ("repeated-graph", "GET", "/graphs?graph=urn:a&graph=urn:b", {}, None, {400}),
    ("unknown-query-name", "GET", "/queries/..%2f..%2fsecret", {}, None, {404}),
    ("unknown-page", "GET", "/nothing-here", {}, None, {404}),
    ("bad-accept", "GET", "/id/process/G1", {"Accept": "application/x-nothing"}, None, {406}),
    ("unknown-city", "GET", "/city?mapping=urn:none", {}, None, {404}),
    ("city-not-an-iri", "GET", "/city?city=not%20an%20iri", {}, None, {400}),
    ("unknown-city-timeline", "GET", "/city?city=urn:none", {}, None, {404}),
    ("city-and-mapping", "GET", "/city?city=urn:a&mapping=urn:b", {}, None, {400}),
    ("compare-unknown-mapping", "GET", "/compare?mapping=urn:none", {}, None, {404}),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "headers", "body", "statuses"), HTTP, ids=[h[0] for h in HTTP]
)
def test_hostile_http(client: httpx.Client, name, method, path, headers, body, statuses):
    before = snapshot(client)
    r = client.request(method, path, headers=headers, content=body)
    check(r, statuses, None)
    assert (
        r.headers.get("content-type", "").startswith(("application/json", "text/plain"))
        or r.status_code == 405
    )
    assert "x-injected" not in {k.lower() for k in r.headers}
    assert snapshot(client) == before
