"""A portal harvesting the catalog (issue 17): pages, datasets, distributions, downloads.

INTERFACE ASSUMED (the catalog rewrite of issue 17; these tests fail on the catalog before it,
first for want of a Hydra page):

- ``GET /catalog`` (``Accept: text/turtle``) is page 1. Every page has one node typed
  ``hydra:PagedCollection`` (``http://www.w3.org/ns/hydra/core#``) with ``hydra:next`` or
  ``hydra:nextPage`` (an IRI; absent on the last page), ``hydra:last``/``hydra:lastPage``,
  ``hydra:first``/``hydra:firstPage``, ``hydra:totalItems`` and ``hydra:itemsPerPage``. The page
  size is ``BPFGRAPH_CATALOG_PAGE_SIZE``. Every page answers with ``ETag`` and
  ``Last-Modified``, and 304 to ``If-None-Match`` with its ETag.
- One ``dcat:Dataset`` per stored city mapping, IRI ``{base}catalog/mapping/{key}`` (``key``: 16
  hex digits), besides the framework datasets (framework, ontology, alignments, shapes) and the
  metadata datasets (catalog, void, provenance), whose IRIs end with those names (as today's
  ``{base}catalog#dataset-framework``); every dataset has ``dct:modified``.
- A mapping's dataset: ``dct:title`` its ``rdfs:label``; ``dct:publisher`` its
  ``prov:wasAttributedTo`` organisation, a ``foaf:Agent`` whose ``foaf:name`` is the
  organisation's ``rdfs:label``; ``dct:license`` its own ``dcterms:license``;
  ``dct:issued``/``dct:modified`` its ``dcterms:created``/``dcterms:modified``; ``dct:spatial``
  includes its ``bpf:city``; ``dcat:theme`` from the EU data-theme vocabulary; ``dcat:keyword``;
  ``dcat:contactPoint`` (a vCard node); ``dct:accessRights`` from the EU access-right
  vocabulary; ``dcat:landingPage``; distributions (whatever set the catalog gives), each with
  ``dcat:downloadURL`` ``{base}download/mapping/{key}.{ext}``, ``dcat:mediaType`` (an IANA IRI),
  ``dct:format``, ``dcat:byteSize`` and ``dct:license``.
- ``DELETE /graphs?graph=...`` removes a mapping; the next fetch of its page no longer lists it
  and has another ETag.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from pyshacl import validate
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SH

from .. import mqa
from ..conftest import ROOT
from ..servers import BpfgraphServer

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
BPF = Namespace("https://w3id.org/bpfgraph/def#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
SHAPES = ROOT / "reference" / "dcat-ap" / "dcat-ap-3.0.0-SHACL.ttl"
RECOMMENDED = ROOT / "reference" / "dcat-ap" / "dcat-ap-3.0.0-shapes_recommended.ttl"
EXAMPLES = ROOT / "data" / "examples"
KEY = re.compile(r"catalog/mapping/([0-9a-f]{16})\Z")
PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
FRAMEWORK = ("framework", "ontology", "alignments", "shapes")
METADATA = ("catalog", "void", "provenance")


def _one(g: Graph, s, *props: URIRef):
    """The value of the first of ``props`` that ``s`` has (Hydra's two spellings)."""
    for p in props:
        v = g.value(s, p)
        if v is not None:
            return v
    return None


@dataclass
class Page:
    """One catalog page as a harvester keeps it."""

    url: str
    graph: Graph
    etag: str
    last_modified: str
    next: str | None
    collection: URIRef


@dataclass
class Harvest:
    """What a walk of every page found."""

    pages: list[Page] = field(default_factory=list)
    datasets: dict[URIRef, Graph] = field(default_factory=dict)
    seen: list[URIRef] = field(default_factory=list)


def fetch_page(client: httpx.Client, url: str) -> Page:
    r = client.get(url, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    g = Graph().parse(data=r.content, format="turtle")
    collections = list(g.subjects(RDF.type, HYDRA.PagedCollection))
    assert len(collections) == 1, f"{url}: no single hydra:PagedCollection ({collections})"
    c = collections[0]
    for props in ((HYDRA.last, HYDRA.lastPage), (HYDRA.first, HYDRA.firstPage)):
        assert isinstance(_one(g, c, *props), URIRef), f"{url}: no {props[0]}"
    for p in (HYDRA.totalItems, HYDRA.itemsPerPage):
        assert isinstance(g.value(c, p), Literal), f"{url}: no {p}"
    assert r.headers.get("etag") and r.headers.get("last-modified"), (url, dict(r.headers))
    nxt = _one(g, c, HYDRA.next, HYDRA.nextPage)
    return Page(url, g, r.headers["etag"], r.headers["last-modified"], nxt and str(nxt), c)


def harvest(client: httpx.Client, base: str) -> Harvest:
    """Walk ``/catalog`` page by page along hydra:next, as ckanext-dcat does."""
    out = Harvest()
    url: str | None = base + "/catalog"
    while url is not None:
        assert url not in {p.url for p in out.pages}, f"the pages loop back to {url}"
        page = fetch_page(client, url)
        out.pages.append(page)
        for ds in page.graph.subjects(RDF.type, DCAT.Dataset):
            assert isinstance(ds, URIRef)
            out.seen.append(ds)
            out.datasets[ds] = page.graph
        url = page.next
        if url is None:
            last = _one(page.graph, page.collection, HYDRA.last, HYDRA.lastPage)
            assert str(last) == page.url or len(out.pages) == 1, (last, page.url)
    return out


def mapping_datasets(h: Harvest, base: str) -> dict[URIRef, Graph]:
    return {d: g for d, g in h.datasets.items() if KEY.search(str(d))}


# --- servers ----------------------------------------------------------------------------


def generated(i: int, licence: URIRef | None = None) -> str:
    """Kestrel Bay's mapping with every IRI of its own renamed for copy ``i`` (a city mapping's
    parts may be described by one graph only) and a city of its own."""
    text = (EXAMPLES / "kestrel-bay.ttl").read_text(encoding="utf-8")
    text = text.replace(
        "https://example.org/city/kestrel-bay", f"https://example.org/city/gen-{i:04d}"
    )
    text = text.replace(
        '"Kestrel Bay smart town process mapping 2025"@en',
        f'"Generated town {i:04d} process mapping 2025"@en',
    )
    if licence is not None:
        text = text.replace("<https://creativecommons.org/licenses/by/4.0/>", f"<{licence}>")
    return text


def put(server: BpfgraphServer, graph: str, text: str) -> None:
    r = httpx.put(
        server.url("/graphs"),
        params={"graph": graph},
        content=text.encode("utf-8"),
        headers={"Content-Type": "text/turtle", **server.auth},
        timeout=120,
    )
    assert r.status_code in (201, 204), r.text


@pytest.fixture(scope="module", params=[1, 3, 1000], ids=lambda n: f"{n}-mappings")
def served(request, tmp_path_factory) -> Iterator[tuple[BpfgraphServer, int]]:
    n = request.param
    data = tmp_path_factory.mktemp(f"harvest-{n}")
    env = {"BPFGRAPH_CATALOG_PAGE_SIZE": "100"} if n == 1000 else {}
    if n == 1000:
        files = data / "mappings"
        files.mkdir()
        for i in range(n):
            (files / f"gen-{i:04d}.ttl").write_text(generated(i), encoding="utf-8")
        store = data / "store"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bpfgraph.cli",
                "load",
                "--data-dir",
                str(store),
                *sorted(str(p) for p in files.glob("*.ttl")),
            ],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        server = BpfgraphServer(store, env=env)
    else:
        server = BpfgraphServer(data / "store", env=env)
        if n == 3:
            server.store_examples()
        else:
            put(server, "https://example.org/graph/kestrel-bay", generated(0))
    yield server, n
    server.stop()


@pytest.fixture(scope="module")
def harvested(served) -> tuple[BpfgraphServer, int, Harvest]:
    server, n = served
    with httpx.Client(timeout=120) as client:
        return server, n, harvest(client, server.base)


# --- tests ------------------------------------------------------------------------------


def test_every_mapping_is_one_dataset_found_once(harvested):
    server, n, h = harvested
    base = server.base + "/"
    mappings = mapping_datasets(h, base)
    assert len(mappings) == n, sorted(h.datasets)
    assert len(h.seen) == len(set(h.seen)), "a dataset on two pages"
    for d in mappings:
        assert str(d).startswith(base + "catalog/mapping/"), d
    others = [str(d) for d in h.datasets if d not in mappings]
    for name in (*FRAMEWORK, *METADATA):
        assert any(o.endswith(name) for o in others), (name, others)
    for d, g in h.datasets.items():
        assert g.value(d, DCTERMS.modified) is not None, f"{d} has no dct:modified"
    if n == 1000:
        assert len(h.pages) >= 10, len(h.pages)
        total = h.pages[0].graph.value(h.pages[0].collection, HYDRA.totalItems)
        assert int(total) >= n


def test_pages_answer_304_to_their_etag(harvested):
    _server, _n, h = harvested
    with httpx.Client(timeout=120) as client:
        for page in h.pages:
            r = client.get(page.url, headers={"Accept": "text/turtle", "If-None-Match": page.etag})
            assert r.status_code == 304, (page.url, r.status_code)


def _mapping_files(n: int) -> dict[str, Graph]:
    """The mappings each server holds, by city IRI."""
    if n == 3:
        texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.ttl"))]
    else:
        texts = [generated(i) for i in range(n)]
    out = {}
    for text in texts:
        g = Graph().parse(data=text, format="turtle")
        mapping = g.value(None, RDF.type, BPF.CityMapping, any=False)
        out[str(g.value(mapping, BPF.city))] = g
    return out


def test_mapping_datasets_carry_the_mappings_metadata(harvested):
    server, n, h = harvested
    sources = _mapping_files(n)
    mappings = mapping_datasets(h, server.base + "/")
    for d, g in list(mappings.items())[:50]:
        cities = {str(c) for c in g.objects(d, DCTERMS.spatial)} & sources.keys()
        assert len(cities) == 1, (d, list(g.objects(d, DCTERMS.spatial)))
        src = sources[cities.pop()]
        m = src.value(None, RDF.type, BPF.CityMapping, any=False)
        assert str(g.value(d, DCTERMS.title)) == str(src.value(m, RDFS.label))
        publisher = g.value(d, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in g
        org = src.value(m, PROV.wasAttributedTo)
        assert str(g.value(publisher, FOAF.name)) == str(src.value(org, RDFS.label))
        assert set(g.objects(d, DCTERMS.license)) == set(src.objects(m, DCTERMS.license))
        for mine, theirs in (
            (DCTERMS.issued, DCTERMS.created),
            (DCTERMS.modified, DCTERMS.modified),
        ):
            assert str(g.value(d, mine)) == str(src.value(m, theirs)), (d, mine)
        assert any(str(t).startswith(DATA_THEME) for t in g.objects(d, DCAT.theme)), d
        assert g.value(d, DCAT.keyword) is not None, d
        contact = g.value(d, DCAT.contactPoint)
        assert contact is not None and any(
            str(t).startswith(str(VCARD)) for t in g.objects(contact, RDF.type)
        ), d
        assert any(str(a).startswith(ACCESS_RIGHT) for a in g.objects(d, DCTERMS.accessRights))
        assert g.value(d, DCAT.landingPage) is not None, d
        key = KEY.search(str(d)).group(1)
        dists = list(g.objects(d, DCAT.distribution))
        assert dists, d
        for dist in dists:
            url = str(g.value(dist, DCAT.downloadURL))
            assert re.fullmatch(
                re.escape(server.base + f"/download/mapping/{key}.") + r"[a-z]+", url
            ), url
            for p in (DCAT.mediaType, DCTERMS.format, DCAT.byteSize):
                assert g.value(dist, p) is not None, (dist, p)
            assert set(g.objects(dist, DCTERMS.license)) == set(src.objects(m, DCTERMS.license))


def test_every_download_is_what_the_catalog_says(harvested):
    """GET every distribution's access URL (200) and download: 200, the media type the catalog
    gives, parses in it, and its size is the dcat:byteSize."""
    _server, _n, h = harvested
    with httpx.Client(timeout=120) as client:
        for d, g in h.datasets.items():
            for dist in g.objects(d, DCAT.distribution):
                for url in g.objects(dist, DCAT.accessURL):
                    assert client.get(str(url)).status_code == 200, url
                for url in g.objects(dist, DCAT.downloadURL):
                    r = client.get(str(url))
                    assert r.status_code == 200, (url, r.status_code)
                    media = "/".join(str(g.value(dist, DCAT.mediaType)).split("/")[-2:])
                    got = r.headers["content-type"].split(";")[0].strip()
                    assert got == media, (url, got, media)
                    fmt = PARSERS[media]
                    if fmt in ("trig", "nquads"):
                        Dataset().parse(data=r.content, format=fmt)
                    else:
                        Graph().parse(data=r.content, format=fmt)
                    size = g.value(dist, DCAT.byteSize)
                    assert size is not None and int(size) == len(r.content), (url, size)


def test_pages_conform_to_dcat_ap_3(harvested):
    """Mandatory shapes: no violation; recommended shapes (all sh:Warning): no violation, and the
    warnings are printed."""
    _server, _n, h = harvested
    shapes = Graph().parse(SHAPES)
    recommended = Graph().parse(RECOMMENDED)
    for page in h.pages:
        conforms, _g, text = validate(page.graph, shacl_graph=shapes, advanced=True)
        assert conforms, (page.url, text[:3000])
        _c, report, _t = validate(page.graph, shacl_graph=recommended, advanced=True)
        violations = list(report.subjects(SH.resultSeverity, SH.Violation))
        assert not violations, (page.url, _t[:3000])
        warnings = [
            (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)))
            for r in report.subjects(SH.resultSeverity, SH.Warning)
        ]
        print(page.url, "recommended-shapes warnings:", sorted(set(warnings))[:40])


def test_framework_and_mapping_datasets_score_excellent(harvested):
    _server, _n, h = harvested
    shapes = Graph().parse(SHAPES)
    scores: list[mqa.Score] = []
    with httpx.Client(timeout=120) as client:
        status = {}

        def fetch(url: str) -> int:
            if url not in status:
                status[url] = client.get(url).status_code
            return status[url]

        for page in h.pages:
            check = mqa.DcatApCheck(page.graph, shapes)
            scorer = mqa.Scorer(page.graph, fetch, check)
            for d in mqa.datasets(page.graph):
                if KEY.search(str(d)) or any(str(d).endswith(name) for name in FRAMEWORK):
                    scores.append(scorer.score(d))
    assert scores
    poor = [s for s in scores if s.total <= 350]
    assert not poor, mqa.table(scores) + "\n" + "\n".join(s.explain() for s in poor[:5])


def test_a_mapping_with_its_own_licence(tmp_path):
    server = BpfgraphServer(tmp_path / "store")
    try:
        put(server, "https://example.org/graph/gen-0007", generated(7, CC0))
        with httpx.Client(timeout=120) as client:
            h = harvest(client, server.base)
        (d, g), *_ = mapping_datasets(h, server.base + "/").items()
        assert set(g.objects(d, DCTERMS.license)) == {CC0}
        dists = list(g.objects(d, DCAT.distribution))
        assert dists and all(set(g.objects(x, DCTERMS.license)) == {CC0} for x in dists)
    finally:
        server.stop()


def test_a_deleted_mapping_leaves_its_page(tmp_path):
    server = BpfgraphServer(tmp_path / "store")
    try:
        server.store_examples()
        with httpx.Client(timeout=120) as client:
            before = harvest(client, server.base)
            mappings = mapping_datasets(before, server.base + "/")
            assert len(mappings) == 3
            gone = next(
                d
                for d, g in mappings.items()
                if URIRef("https://example.org/city/valdoria") in set(g.objects(d, DCTERMS.spatial))
            )
            page = next(p for p in before.pages if (gone, RDF.type, DCAT.Dataset) in p.graph)
            r = client.delete(
                server.url("/graphs"),
                params={"graph": "https://example.org/graph/valdoria"},
                headers=server.auth,
            )
            assert r.status_code in (200, 204), r.text
            again = fetch_page(client, page.url)
            assert (gone, RDF.type, DCAT.Dataset) not in again.graph
            assert again.etag != page.etag
            assert len(mapping_datasets(harvest(client, server.base), server.base + "/")) == 2
    finally:
        server.stop()
