"""GET /sparql through the ASGI front (the fast lane): same answers, ETags, gzip, errors and
cache as the app's routes, which take the same query path (bpfgraph.web.query)."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from ..servers import BpfgraphServer

JSON = {"Accept": "application/sparql-results+json"}
PROCESSES = (
    "SELECT ?p ?n WHERE { ?p <http://www.w3.org/2004/02/skos/core#notation> ?n ; "
    "<http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/bpfgraph/id/framework> }"
)


def test_same_answer_from_the_front_and_the_app(client: httpx.Client):
    fast = client.get("/sparql", params={"query": PROCESSES}, headers=JSON)
    routed = client.post("/sparql", data={"query": PROCESSES}, headers=JSON)  # the app's route
    assert fast.status_code == routed.status_code == 200
    assert fast.headers["content-type"].startswith("application/sparql-results+json")
    assert len(fast.json()["results"]["bindings"]) == 21
    assert fast.json() == routed.json()
    assert fast.headers["etag"] == routed.headers["etag"]
    assert "Accept" in fast.headers["vary"]


def test_etag_revalidation(client: httpx.Client):
    first = client.get("/sparql", params={"query": PROCESSES}, headers=JSON)
    again = client.get(
        "/sparql",
        params={"query": PROCESSES},
        headers={**JSON, "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


def test_gzip_when_asked(client: httpx.Client):
    with httpx.Client(base_url=str(client.base_url), timeout=60) as raw:
        r = raw.get(
            "/sparql",
            params={"query": PROCESSES},
            headers={**JSON, "Accept-Encoding": "gzip"},
        )
        assert r.headers["content-encoding"] == "gzip"
        plain = raw.get(
            "/sparql", params={"query": PROCESSES}, headers={**JSON, "Accept-Encoding": "identity"}
        )
        assert "content-encoding" not in plain.headers
        assert r.json() == json.loads(plain.content)  # httpx decodes the gzip body
        assert int(r.headers["content-length"]) < len(plain.content)
        assert gzip.decompress(gzip.compress(plain.content)) == plain.content


def test_errors_in_the_apps_format(client: httpx.Client):
    bad = client.get("/sparql", params={"query": "SELEKT * WHERE { ?s ?p ?o }"})
    assert bad.status_code == 400
    assert bad.json()["status"] == 400 and "invalid SPARQL query" in bad.json()["error"]
    refused = client.get("/sparql", params={"query": PROCESSES}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.json()["status"] == 406
    two = client.get("/sparql", params=[("query", PROCESSES), ("query", PROCESSES)])
    assert two.status_code == 400 and "exactly one" in two.json()["error"]


def test_a_write_is_seen_at_once(server: BpfgraphServer, client: httpx.Client):
    ask = "ASK { <urn:fastlane:s> <urn:fastlane:p> ?o }"
    before = client.get("/sparql", params={"query": ask}, headers=JSON).json()["boolean"]
    assert before is False
    r = client.put(
        "/graphs",
        params={"graph": "urn:fastlane:g"},
        content=b"<urn:fastlane:s> <urn:fastlane:p> 1 .",
        headers={**server.auth, "Content-Type": "text/turtle"},
    )
    assert r.status_code in (201, 204)
    try:
        assert client.get("/sparql", params={"query": ask}, headers=JSON).json()["boolean"] is True
    finally:
        client.delete("/graphs", params={"graph": "urn:fastlane:g"}, headers=server.auth)
    assert client.get("/sparql", params={"query": ask}, headers=JSON).json()["boolean"] is False


def test_the_cache_stays_within_its_bound(tmp_path):
    srv = BpfgraphServer(tmp_path, env={"BPFGRAPH_CACHE_BYTES": "20000"})
    try:
        for i in range(60):
            r = httpx.get(srv.url("/sparql"), params={"query": PROCESSES + f" # {i}"}, headers=JSON)
            assert r.status_code == 200
        cache = httpx.get(srv.url("/health")).json()["cache"]
        assert 0 < cache["bytes"] <= 20000
        assert 0 < cache["entries"] < 60
    finally:
        srv.stop()


BASE_SCOPES = [
    {"scheme": "http", "server": ("127.0.0.1", 8000), "headers": [(b"host", b"example.org")]},
    {"scheme": "https", "server": ("10.0.0.1", 443), "headers": [(b"host", b"x.org:8443")]},
    {"scheme": "http", "server": ("127.0.0.1", 8000), "headers": [], "root_path": "/bpf"},
    {
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"h")],
        "root_path": "/a",
    },
]


@pytest.mark.parametrize("extra", BASE_SCOPES)
def test_the_front_base_url_is_the_apps(extra: dict):
    from starlette.requests import Request

    from bpfgraph.web.http import base_url as _base

    scope = {"type": "http", "method": "GET", "path": "/sparql", "query_string": b"", **extra}
    assert _base(scope) == str(Request(scope).base_url)


def test_truncation_and_cors_alike_on_the_front_and_the_routes(tmp_path):
    srv = BpfgraphServer(
        tmp_path,
        env={"BPFGRAPH_MAX_ROWS": "5", "BPFGRAPH_CORS_ORIGINS": "https://portal.example.org"},
    )
    try:
        query = {"query": PROCESSES}
        fast = httpx.get(srv.url("/sparql"), params=query, headers=JSON)
        routed = httpx.post(srv.url("/sparql"), data=query, headers=JSON)
        for r in (fast, routed):
            assert r.status_code == 200 and r.headers["x-result-truncated"] == "max-rows=5"
            assert len(r.json()["results"]["bindings"]) == 5
        assert fast.headers["etag"] == routed.headers["etag"]
        origin = {**JSON, "Origin": "https://portal.example.org"}
        cors = httpx.get(srv.url("/sparql"), params=query, headers=origin)  # the app's middleware
        assert cors.headers["access-control-allow-origin"] == "https://portal.example.org"
        assert cors.json() == fast.json()
    finally:
        srv.stop()


def test_if_none_match_with_several_etags(client: httpx.Client):
    first = client.get("/sparql", params={"query": PROCESSES}, headers=JSON)
    held = f'"other", {first.headers["etag"]}'
    for r in (
        client.get("/sparql", params={"query": PROCESSES}, headers={**JSON, "If-None-Match": held}),
        client.post("/sparql", data={"query": PROCESSES}, headers={**JSON, "If-None-Match": held}),
    ):
        assert r.status_code == 304 and r.headers["etag"] == first.headers["etag"]


def test_the_answers_messages():
    from bpfgraph.web.query import GZIP_MIN, QueryAnswer, messages

    body = b"a,b\r\n" * GZIP_MIN
    answer = QueryAnswer(200, body, "text/csv", '"e"', truncated_at=7)
    start, sent = messages(answer, b"gzip, br")
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"text/csv; charset=utf-8"
    assert headers[b"content-encoding"] == b"gzip"
    assert headers[b"vary"] == b"Accept, Accept-Encoding"
    assert headers[b"x-result-truncated"] == b"max-rows=7"
    assert gzip.decompress(sent["body"]) == body
    assert int(headers[b"content-length"]) == len(sent["body"])
    start, sent = messages(QueryAnswer(304, body, "text/csv", '"e"'), b"gzip")
    assert start["status"] == 304 and sent["body"] == b""
    assert b"content-type" not in dict(start["headers"])
