"""HTTP as clients expect it, on the real server: HEAD on every GET route, validators (ETag,
Last-Modified, 304) on the linked-data resources, errors in the documented JSON format (an HTML
page for a browser asking for an unknown resource), ``Vary`` on 406, and JSON-LD for clients
that ask for plain JSON."""

from __future__ import annotations

import datetime as dt
import json
import time
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pytest
from rdflib import Graph

from bpfgraph.web.catalog_mappings import mapping_key

ALDERMOOR = "https://example.org/city/aldermoor/bpf-mapping/mapping"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

#: a request for each GET route the API describes (and the routes it leaves out of its schema);
#: a new GET route without an entry here fails test_every_get_route_is_sampled
SAMPLES: dict[str, list[str]] = {
    "/": ["/"],
    "/catalog": ["/catalog", "/catalog?page=1"],
    "/catalog/mapping/{key}": [],  # filled in below: the key of a stored mapping
    "/cities": ["/cities"],
    "/city": [f"/city?mapping={ALDERMOOR}", "/city?city=https://example.org/city/aldermoor"],
    "/compare": ["/compare"],
    "/def": ["/def"],
    "/download/{filename}": ["/download/framework.ttl", "/download/ontology"],
    "/download/mapping/{filename}": [],  # filled in below
    "/graph": ["/graph"],
    "/graph.svg": ["/graph.svg"],
    "/graphs": ["/graphs?graph=https://example.org/graph/aldermoor", "/graphs?default"],
    "/health": ["/health"],
    "/id/{path}": ["/id/process/G1", "/id/process/G1/outcome/1"],
    "/provenance": ["/provenance"],
    "/queries": ["/queries"],
    "/queries/{name}": ["/queries/process-outcomes?notation=G1"],
    "/query": ["/query"],
    "/validate": ["/validate"],
    "/sparql": ["/sparql", "/sparql?query=ASK%20%7B%7D", "/sparql?query=ASK%7B%7D&x=1"],
    "/void": ["/void"],
}
_KEY = mapping_key("https://example.org/city/aldermoor/bpf-mapping/mapping")
SAMPLES["/catalog/mapping/{key}"] = [f"/catalog/mapping/{_KEY}"]
SAMPLES["/download/mapping/{filename}"] = [f"/download/mapping/{_KEY}.ttl"]
#: GET routes outside the OpenAPI schema
UNLISTED: dict[str, list[str]] = {
    "/docs": ["/docs"],
    "/openapi.json": ["/openapi.json"],
    "/static": ["/static/site.css"],
}
#: answers whose size may change between two requests (the cache's figures)
VOLATILE = {"/health"}
#: headers a HEAD must carry as its GET does
SAME = ("content-type", "content-length", "etag", "last-modified", "vary", "content-encoding")

CASES = [
    pytest.param(route, url, accept, id=f"{url}-{name}")
    for route, urls in {**SAMPLES, **UNLISTED}.items()
    for url in urls
    for name, accept in {"any": "*/*", "browser": BROWSER, "turtle": "text/turtle"}.items()
]


def test_every_get_route_is_sampled(client: httpx.Client):
    schema = client.get("/openapi.json").json()
    listed = {path for path, operations in schema["paths"].items() if "get" in operations}
    assert listed == set(SAMPLES), "a GET route needs a sample (and so a HEAD test) here"


@pytest.mark.parametrize(("route", "url", "accept"), CASES)
def test_head_answers_as_get_without_a_body(route: str, url: str, accept: str, client):
    headers = {"Accept": accept}
    got = client.get(url, headers=headers)
    head = client.head(url, headers=headers)
    if accept == "*/*":
        assert got.status_code == 200, got.text
    assert head.status_code == got.status_code
    assert head.content == b""
    for name in SAME:
        if name == "content-length" and route in VOLATILE:
            assert head.headers.get(name) is not None
            continue
        assert head.headers.get(name) == got.headers.get(name), name


@pytest.mark.parametrize(
    "url", ["/download/all.ttl", "/sparql?query=ASK%7B%7D", "/id/process/C3", "/void"]
)
def test_head_content_length_is_the_get_body_length(url: str, server):
    plain = {"Accept-Encoding": "identity"}
    got = httpx.get(server.url(url), headers=plain, timeout=60)
    head = httpx.head(server.url(url), headers=plain, timeout=60)
    assert got.status_code == head.status_code == 200
    assert int(head.headers["content-length"]) == len(got.content) > 0


# -- validators: ETag, Last-Modified, 304 ------------------------------------------------------

VALIDATED = [
    ("/id/process/G1", "text/turtle"),
    ("/id/process/G1", "application/ld+json"),
    ("/id/process/G1", BROWSER),
    ("/id/process/G1/outcome/1", "application/n-triples"),
    ("/def", "text/turtle"),
    ("/def", BROWSER),
    ("/catalog", "text/turtle"),
    ("/catalog", BROWSER),
    ("/void", "text/turtle"),
    ("/void", "application/ld+json"),
]


@pytest.mark.parametrize(("url", "accept"), VALIDATED)
def test_validators_and_304(url: str, accept: str, client: httpx.Client):
    first = client.get(url, headers={"Accept": accept})
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and parsedate_to_datetime(modified).tzinfo is not None
    again = client.get(url, headers={"Accept": accept})
    assert again.headers["etag"] == etag and again.content == first.content
    held = client.get(url, headers={"Accept": accept, "If-None-Match": etag})
    assert held.status_code == 304 and held.content == b""
    assert held.headers["etag"] == etag and held.headers["last-modified"] == modified
    other = client.get(url, headers={"Accept": accept, "If-None-Match": '"other"'})
    assert other.status_code == 200
    # a Last-Modified date is trusted once its second has passed (a write may still come in it)
    settled = parsedate_to_datetime(modified) + dt.timedelta(seconds=1.05)
    time.sleep(max(0.0, (settled - dt.datetime.now(dt.UTC)).total_seconds()))
    since = client.get(url, headers={"Accept": accept, "If-Modified-Since": modified})
    assert since.status_code == 304
    earlier = parsedate_to_datetime(modified) - dt.timedelta(days=1)
    stale = client.get(
        url, headers={"Accept": accept, "If-Modified-Since": format_datetime(earlier, True)}
    )
    assert stale.status_code == 200 and stale.content == first.content
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
    both = client.get(
        url, headers={"Accept": accept, "If-None-Match": '"other"', "If-Modified-Since": modified}
    )
    assert both.status_code == 200
    unreadable = client.get(url, headers={"Accept": accept, "If-Modified-Since": "yesterday"})
    assert unreadable.status_code == 200
    # RFC 9110 13.1.2: If-None-Match compares weakly; "*" matches any current representation
    for held_as in (f"W/{etag}", "*", f'"other", W/{etag}'):
        weak = client.get(url, headers={"Accept": accept, "If-None-Match": held_as})
        assert weak.status_code == 304, held_as


#: dates a client may send that no calendar holds: ignored, never a 500 (the attack's finding)
OVERFLOWING = [
    "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
    "Mon, 01 Jan 2024 00:00:00 +99999999999999999999",
    "Mon, 99 Jan 2024 00:00:00 GMT",
    "Mon, 01 Jan 0 00:00:00 GMT",
]


@pytest.mark.parametrize("since", OVERFLOWING)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    "url", ["/id/process/G1", "/def", "/catalog", "/void", "/provenance", "/download/ontology.ttl"]
)
def test_an_impossible_date_is_ignored(url: str, method: str, since: str, client: httpx.Client):
    response = client.request(method, url, headers={"If-Modified-Since": since})
    assert response.status_code == 200, response.text


def test_representations_have_their_own_etags(client: httpx.Client):
    tags = {
        client.get("/id/process/G1", headers={"Accept": accept}).headers["etag"]
        for accept in ("text/turtle", "application/ld+json", "application/n-triples", BROWSER)
    }
    assert len(tags) == 4


# -- errors --------------------------------------------------------------------------------------

UNKNOWN = ["/nothing", "/id/", "/def/more", "/download", "/static/none.css", "/queries/a/b"]


@pytest.mark.parametrize("url", UNKNOWN)
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "DELETE"])
def test_unknown_routes_answer_the_json_error(url: str, method: str, client: httpx.Client):
    response = client.request(method, url, headers={"Accept": "application/json"})
    assert response.status_code in (404, 405)
    if method == "HEAD":
        assert response.content == b""
        return
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": response.json()["error"], "status": response.status_code}


NOT_ALLOWED = [
    ("DELETE", "/health"),
    ("POST", "/"),
    ("PUT", "/sparql"),
    ("PATCH", "/graphs?default"),
    ("DELETE", "/id/process/G1"),
    ("POST", "/download/all.ttl"),
    ("PUT", "/void"),
]


@pytest.mark.parametrize(("method", "url"), NOT_ALLOWED)
def test_405_is_the_json_error_and_allows_head(method: str, url: str, client: httpx.Client):
    response = client.request(method, url)
    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed", "status": 405}
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed


@pytest.mark.parametrize("path", ["id/process/X9", "id/nothing/here", "id/a%20b"])
def test_an_unknown_resource_is_a_page_for_a_browser(path: str, client: httpx.Client):
    page = client.get(f"/{path}", headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text and "nothing is known" in page.text
    assert "Accept" in page.headers["vary"]
    for accept in ("text/turtle", "application/json", "*/*;q=0.1, application/ld+json"):
        data = client.get(f"/{path}", headers={"Accept": accept})
        assert data.status_code == 404
        assert data.json()["status"] == 404 and "nothing is known" in data.json()["error"]
        assert "Accept" in data.headers.get("vary", "")  # a cache keeps the page and JSON apart


REFUSED_MEDIA = [
    "/id/process/G1",
    "/def",
    "/void",
    "/catalog",
    "/download/all",
    "/graphs?default",
    "/sparql",
    "/sparql?query=ASK%7B%7D",
    "/sparql?query=CONSTRUCT%7B%7DWHERE%7B%7D",
    "/queries/process-outcomes?notation=G1",
]


@pytest.mark.parametrize("url", REFUSED_MEDIA)
def test_406_varies_by_accept(url: str, client: httpx.Client):
    response = client.get(url, headers={"Accept": "image/png"})
    assert response.status_code == 406, response.text
    assert "Accept" in response.headers["vary"]
    assert response.json()["status"] == 406 and "offered" in response.json()["error"]


# -- JSON-LD for clients that ask for JSON -----------------------------------------------------

JSON_LD = [
    ("/id/process/G1", "application/json"),
    ("/id/process/G1", "application/json;q=0.9, text/plain;q=0.1"),
    ("/def", "application/json"),
    ("/void", "application/json"),
    ("/catalog", "application/json"),
    ("/provenance", "application/json"),
    ("/download/ontology", "application/json"),
    ("/graphs?graph=https://example.org/graph/aldermoor", "application/json"),
    ("/sparql?query=CONSTRUCT%7B?s?p?o%7DWHERE%7B?s?p?o%7DLIMIT%203", "application/json"),
]


@pytest.mark.parametrize(("url", "accept"), JSON_LD)
def test_plain_json_gets_json_ld(url: str, accept: str, client: httpx.Client):
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    json.loads(response.content)
    graph = Graph().parse(data=response.content, format="json-ld")
    assert len(graph) > 0


@pytest.mark.parametrize(
    ("url", "accept", "media"),
    [
        # a client that prefers another syntax gets it
        ("/id/process/G1", "text/turtle, application/json;q=0.5", "text/turtle"),
        # plain JSON is a SPARQL results format: a SELECT answers it as such
        ("/sparql?query=SELECT%20*%20%7B%7D", "application/json", "application/json"),
        # JSON-LD refused by name stays refused
        ("/id/process/G1", "application/json, application/ld+json;q=0", None),
    ],
)
def test_json_alias_keeps_preferences(url: str, accept: str, media, client: httpx.Client):
    response = client.get(url, headers={"Accept": accept})
    if media is None:
        assert response.status_code == 406
    else:
        assert response.headers["content-type"].split(";")[0] == media


#: every method a path takes is in Allow, whichever route refused (Starlette named only the
#: first route matching the path: PUT /sparql said "GET, HEAD")
ALLOW = [
    ("PUT", "/sparql", {"GET", "HEAD", "POST"}),
    ("DELETE", "/sparql", {"GET", "HEAD", "POST"}),
    ("PATCH", "/graphs?default", {"GET", "HEAD", "PUT", "POST", "DELETE"}),
    ("OPTIONS", "/graphs?graph=https://example.org/g", {"GET", "HEAD", "PUT", "POST", "DELETE"}),
    ("GET", "/sparql?update=CLEAR%20ALL", {"GET", "HEAD", "POST"}),
    ("POST", "/download/all.ttl", {"GET", "HEAD"}),
    ("PUT", "/validate", {"POST"}),
]


@pytest.mark.parametrize(("method", "url", "methods"), ALLOW)
def test_405_allows_every_method_of_the_path(method, url, methods, client: httpx.Client):
    response = client.request(method, url)
    assert response.status_code == 405, response.text
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert methods <= allowed
    # GET /sparql takes queries, not updates: GET is in Allow there, the update needs POST
    assert method not in allowed or "update=" in url


def test_if_modified_since_is_never_stale_within_a_second(server, client: httpx.Client):
    # the attack's finding: two writes in one second, and If-Modified-Since with the first's
    # Last-Modified got 304 for a changed answer (Last-Modified has whole seconds)
    graph = "https://example.org/graph/same-second"
    for i in range(6):
        body = f'<https://example.org/s> <https://example.org/p> "{i}" .'
        for url in ("/void", "/catalog"):
            put = client.put(
                "/graphs",
                params={"graph": graph},
                content=body.encode(),
                headers={"Content-Type": "application/n-triples", **server.auth},
            )
            assert put.status_code in (201, 204), put.text
            first = client.get(url, headers={"Accept": "text/turtle"})
            more = f'{body}\n<https://example.org/s> <https://example.org/q> "{i}" .'
            client.put(
                "/graphs",
                params={"graph": graph},
                content=more.encode(),
                headers={"Content-Type": "application/n-triples", **server.auth},
            )
            since = first.headers["last-modified"]
            again = client.get(url, headers={"Accept": "text/turtle", "If-Modified-Since": since})
            now = client.get(url, headers={"Accept": "text/turtle"})
            if again.status_code == 304:
                assert now.headers["etag"] == first.headers["etag"], (url, i)
            else:
                assert again.status_code == 200 and again.headers["etag"] == now.headers["etag"]
    client.delete("/graphs", params={"graph": graph}, headers=server.auth)


#: oversized headers are refused before anything parses them (the attack's finding: a 20 MB
#: Accept on GET /sparql held the event loop for 3 s)
BIG_HEADERS = [
    ("GET", "/sparql?query=ASK%7B%7D", "Accept"),
    ("GET", "/id/process/G1", "Accept"),
    ("HEAD", "/catalog", "If-None-Match"),
    ("POST", "/validate", "X-Anything"),
]


@pytest.mark.parametrize(("method", "url", "header"), BIG_HEADERS)
def test_oversized_headers_are_refused(method: str, url: str, header: str, client: httpx.Client):
    response = client.request(method, url, headers={header: "a/b," * 40_000})
    assert response.status_code == 431
    if method != "HEAD":
        assert response.json()["status"] == 431 and "KiB" in response.json()["error"]
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/id/process/G1",
        "/def",
        "/cities",
        "/health",
        "/catalog",
        "/download/framework.ttl",
        "/queries",
    ],
)
@pytest.mark.parametrize("spoil", ["%0A", "%0D", "%0D%0A", "%09", "%00", "%7F"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_path_with_a_control_character_names_nothing(client: httpx.Client, path, spoil, method):
    """Starlette's route patterns end in $, which matches before a final newline: /cities%0A
    answered as /cities (the attack's finding; duplicate URLs, cache entries and ETags)."""
    response = client.request(method, path + spoil)
    assert response.status_code == 404, (path + spoil, response.status_code)
    assert client.request(method, path).status_code == 200
