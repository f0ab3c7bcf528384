"""The upload page's routes over HTTP: ``GET /validate``, ``POST /validate/turtle`` and
``POST /validate/store`` (the page itself in a browser: tests/browser/test_upload_page.py)."""

from __future__ import annotations

import html

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ..conftest import ROOT
from ..servers import BpfgraphServer

EXAMPLE = ROOT / "data" / "examples" / "valdoria.ttl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "status"),
    [(BROWSER, 200), ("text/html", 200), ("*/*", 200), ("application/json", 406)],
)
def test_the_page_is_for_browsers(client: httpx.Client, accept: str, status: int) -> None:
    r = client.get("/validate", headers={"Accept": accept})
    assert r.status_code == status, r.text
    if status == 200:
        assert '<form method="post" action="/validate" enctype="multipart/form-data"' in r.text
        assert 'name="file"' in r.text and ".xlsx" in r.text
        assert 'formaction="/validate/store"' in r.text  # the test server has a write token


def test_turtle_conversion_is_the_same_graph(client: httpx.Client) -> None:
    r = client.post("/validate/turtle", files={"file": ("valdoria.ttl", EXAMPLE.read_bytes())})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert 'filename="valdoria.ttl"' in r.headers["content-disposition"]
    assert isomorphic(Graph().parse(data=r.text, format="turtle"), Graph().parse(EXAMPLE))


@pytest.mark.parametrize(
    ("files", "status", "said"),
    [
        ({"file": ("x.ttl", b"<urn:a> <urn:b> .")}, 400, "x.ttl"),
        ({"file": ("x.pdf", b"%PDF")}, 415, "suffix '.pdf'"),
        ({"other": ("x.ttl", b"")}, 400, "multipart field 'file'"),
    ],
    ids=["bad turtle", "unknown syntax", "no file field"],
)
@pytest.mark.parametrize("accept", ["application/json", BROWSER])
def test_bad_uploads_are_explained(
    client: httpx.Client, files: dict, status: int, said: str, accept: str
) -> None:
    for route in ("/validate", "/validate/turtle"):
        r = client.post(route, files=files, headers={"Accept": accept})
        assert r.status_code == status, (route, r.text)
        if accept == BROWSER:
            assert r.headers["content-type"].startswith("text/html")
            assert said in html.unescape(r.text) and 'role="alert"' in r.text
        else:
            assert said in r.json()["error"]


def test_a_read_only_service_stores_nothing(tmp_path) -> None:
    srv = BpfgraphServer(tmp_path, token=None)
    try:
        page = httpx.get(srv.url("/validate"), headers={"Accept": BROWSER})
        assert "read-only" in page.text and "/validate/store" not in page.text
        r = httpx.post(
            srv.url("/validate/store"),
            data={"graph": "https://example.org/g", "token": "x"},
            files={"file": ("valdoria.ttl", EXAMPLE.read_bytes())},
            timeout=60,
        )
        assert r.status_code == 403 and "read-only" in r.text
        assert (
            httpx.get(srv.url("/graphs"), params={"graph": "https://example.org/g"}).status_code
            == 404
        )
    finally:
        srv.stop()


@pytest.mark.parametrize(
    ("graph", "said"),
    [("", "give the IRI of the graph"), ("not an iri", "is not an absolute IRI")],
)
def test_store_needs_a_graph_iri(
    client: httpx.Client, server: BpfgraphServer, graph: str, said: str
) -> None:
    r = client.post(
        "/validate/store",
        data={"graph": graph, "token": server.token or ""},
        files={"file": ("valdoria.ttl", EXAMPLE.read_bytes())},
    )
    assert r.status_code == 400 and said in r.text
