"""Each city mapping is its own dataset in the catalog, with what the mapping says of itself
(its licence, organisation, dates, place, period and contact point) and what the service's
settings say where the mapping is silent; its identity comes from the catalog base, not the
host a request used; the settings are checked at start."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from bpfgraph.web.catalog_mappings import mapping_key

from ..conftest import ROOT
from ..servers import BpfgraphServer
from ..test_cli import run

BASE = "https://data.example.org/bpf/"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
GEONAMES = URIRef("https://sws.geonames.org/2988507/")
ALDERMOOR = "https://example.org/city/aldermoor/bpf-mapping/mapping"
KESTREL = "https://example.org/city/kestrel-bay/bpf-mapping/mapping"
OWN = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<MAPPING> dcterms:spatial <https://sws.geonames.org/2988507/> ;
    dcterms:temporal [ a dcterms:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ;
                       dcat:endDate "2025-12-31"^^xsd:date ] ;
    dcat:contactPoint <https://example.org/city/aldermoor/contact> .
<https://example.org/city/aldermoor/contact> a vcard:Kind ; vcard:fn "Aldermoor data office" ;
    vcard:hasEmail <mailto:data@aldermoor.example> .
""".replace("MAPPING", ALDERMOOR)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    env = {
        "BPFGRAPH_LOAD_CITIES": "false",
        "BPFGRAPH_CATALOG_BASE": BASE,
        "BPFGRAPH_PUBLISHER_NAME": "City Data Office",
        "BPFGRAPH_PUBLISHER_IRI": "https://data.example.org/office",
        "BPFGRAPH_CONTACT_EMAIL": "open-data@data.example.org",
        "BPFGRAPH_CATALOG_PAGE_SIZE": "4",
    }
    srv = BpfgraphServer(tmp_path_factory.mktemp("catalog"), env=env)
    aldermoor = (ROOT / "data" / "examples" / "aldermoor.ttl").read_text()
    aldermoor = aldermoor.replace(
        "creativecommons.org/licenses/by/4.0/", "creativecommons.org/publicdomain/zero/1.0/"
    )
    for name, body in (
        ("aldermoor", aldermoor + OWN),
        ("kestrel", (ROOT / "data" / "examples" / "kestrel-bay.ttl").read_text()),
    ):
        put = httpx.put(
            srv.url("/graphs"),
            params={"graph": f"https://example.org/graph/{name}"},
            content=body.encode(),
            headers={"Content-Type": "text/turtle", **srv.auth},
            timeout=60,
        )
        assert put.status_code == 201, put.text
    yield srv
    srv.stop()


def dataset_of(server: BpfgraphServer, mapping: str, host: str | None = None) -> Graph:
    headers = {"Accept": "text/turtle", **({"Host": host} if host else {})}
    r = httpx.get(
        server.url(f"/catalog/mapping/{mapping_key(mapping)}"), headers=headers, timeout=60
    )
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.content, format="turtle")


def test_a_mapping_dataset_carries_what_the_mapping_says(server: BpfgraphServer) -> None:
    g = dataset_of(server, ALDERMOOR)
    ds = URIRef(BASE + "catalog/mapping/" + mapping_key(ALDERMOOR))
    assert (ds, RDF.type, DCAT.Dataset) in g
    assert str(g.value(ds, DCTERMS.title)) == "Aldermoor smart city process mapping 2025"
    assert g.value(ds, DCTERMS.license) == CC0
    dists = list(g.objects(ds, DCAT.distribution))
    assert len(dists) == 4 and all(g.value(d, DCTERMS.license) == CC0 for d in dists)
    publisher = g.value(ds, DCTERMS.publisher)
    assert str(publisher).startswith("https://example.org/city/aldermoor/")
    assert (publisher, RDF.type, FOAF.Agent) in g and g.value(publisher, FOAF.name) is not None
    assert g.value(ds, DCTERMS.issued) == Literal("2024-02-12", datatype=XSD.date)
    assert g.value(ds, DCTERMS.modified) == Literal("2025-06-27", datatype=XSD.date)
    assert set(g.objects(ds, DCTERMS.spatial)) == {
        URIRef("https://example.org/city/aldermoor"),
        GEONAMES,
    }
    period = g.value(ds, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == Literal("2025-01-01", datatype=XSD.date)
    contact = g.value(ds, DCAT.contactPoint)
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:data@aldermoor.example")
    assert str(g.value(ds, DCAT.landingPage)).startswith(BASE + "city?mapping=")


def test_where_the_mapping_is_silent_the_settings_speak(server: BpfgraphServer) -> None:
    g = dataset_of(server, KESTREL)
    ds = URIRef(BASE + "catalog/mapping/" + mapping_key(KESTREL))
    contact = g.value(ds, DCAT.contactPoint)
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:open-data@data.example.org")
    assert g.value(ds, DCTERMS.temporal) is None  # no period given: none made up
    r = httpx.get(server.url("/catalog"), headers={"Accept": "text/turtle"}, timeout=60)
    catalog = Graph().parse(data=r.content, format="turtle")
    framework = URIRef(BASE + "catalog#dataset-framework")
    office = URIRef("https://data.example.org/office")
    assert catalog.value(framework, DCTERMS.publisher) == office
    assert str(catalog.value(office, FOAF.name)) == "City Data Office"


@pytest.mark.parametrize("host", [None, "other.example:8443", "proxy.internal"])
def test_identities_come_from_the_catalog_base_not_the_host(
    server: BpfgraphServer, host: str | None
) -> None:
    g = dataset_of(server, ALDERMOOR, host)
    datasets = set(g.subjects(RDF.type, DCAT.Dataset))
    assert datasets == {URIRef(BASE + "catalog/mapping/" + mapping_key(ALDERMOOR))}
    urls = {str(u) for u in g.objects(None, DCAT.downloadURL)}
    assert urls and all(u.startswith(BASE + "download/mapping/") for u in urls)


def test_a_browser_is_sent_to_the_mappings_page(server: BpfgraphServer) -> None:
    r = httpx.get(
        server.url(f"/catalog/mapping/{mapping_key(ALDERMOOR)}"), headers={"Accept": "text/html"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith(BASE + "city?mapping=")
    assert httpx.get(server.url("/catalog/mapping/0000000000000000")).status_code == 404


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("BPFGRAPH_CATALOG_BASE", "not-an-iri", "is not an http(s) IRI"),
        ("BPFGRAPH_CATALOG_BASE", "ftp://example.org/", "is not an http(s) IRI"),
        ("BPFGRAPH_PUBLISHER_IRI", "https://exa mple.org/", "is not an http(s) IRI"),
        ("BPFGRAPH_CONTACT_EMAIL", "nobody", "is not an e-mail address"),
        ("BPFGRAPH_CATALOG_BASE", "https://data.example.org/b#frag", "a query or a fragment"),
        ("BPFGRAPH_CATALOG_BASE", "https://a.example/?q=1", "a query or a fragment"),
        ("BPFGRAPH_CATALOG_BASE", "https:///", "with a host"),
        ("BPFGRAPH_PUBLISHER_NAME", " ", "needs a name"),
        ("BPFGRAPH_CATALOG_PAGE_SIZE", "0", "give 1 to 10000"),
        ("BPFGRAPH_CATALOG_PAGE_SIZE", "many", "BPFGRAPH_CATALOG_PAGE_SIZE"),
    ],
)
def test_bad_catalog_settings_stop_serve_with_one_line(
    tmp_path, variable: str, value: str, said: str
) -> None:
    proc = run("serve", "--port", "9", env={variable: value}, cwd=tmp_path)
    assert proc.returncode != 0
    assert f"bad setting {variable}" in proc.stderr and said in proc.stderr
    assert "Traceback" not in proc.stderr


HOSTILE = [
    # (id, what the mapping adds about itself, what must not reach the catalog)
    ("contact-is-the-mapping", "<M> dcat:contactPoint <M> .", "hasProcessMapping"),
    ("period-is-the-mapping", "<M> dcterms:temporal <M> .", "hasProcessMapping"),
    (
        "contact-is-the-catalog",
        f'<M> dcat:contactPoint <{BASE}catalog> . <{BASE}catalog> dcterms:title "Evil" ; vcard:fn "Evil" .',
        "Evil",
    ),
    (
        "contact-says-more",
        '<M> dcat:contactPoint <https://evil.example/c> . <https://evil.example/c> vcard:fn "Office" ; '
        'dcterms:title "Evil" ; dcat:dataset <https://evil.example/fake> .',
        "evil.example/fake",
    ),
    (
        "city-is-the-catalog",
        f"<M> dcterms:spatial <{BASE}catalog#contact> .",
        "catalog#contact> a dcterms:Location",
    ),
]


@pytest.mark.parametrize(
    ("extra", "kept_out"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_a_mapping_cannot_write_into_the_catalog(
    tmp_path_factory: pytest.TempPathFactory, extra: str, kept_out: str
) -> None:
    """A contact point, period or place the mapping points at the catalog, itself or
    another dataset: only a vCard's name and addresses and a period's dates are carried over;
    the page stays RDF that strict parsers read and DCAT-AP it was."""
    import pyoxigraph as ox

    srv = BpfgraphServer(
        tmp_path_factory.mktemp("hostile"),
        env={"BPFGRAPH_LOAD_CITIES": "false", "BPFGRAPH_CATALOG_BASE": BASE},
    )
    try:
        text = (ROOT / "data" / "examples" / "kestrel-bay.ttl").read_text()
        prefixes = "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n"
        body = prefixes + text + "\n" + extra.replace("<M>", f"<{KESTREL}>")
        put = httpx.put(
            srv.url("/graphs"),
            params={"graph": "https://example.org/graph/k"},
            content=body.encode(),
            headers={"Content-Type": "text/turtle", **srv.auth},
            timeout=60,
        )
        assert put.status_code in (201, 422), put.text
        for accept, fmt in (
            ("application/n-triples", ox.RdfFormat.N_TRIPLES),
            ("text/turtle", ox.RdfFormat.TURTLE),
        ):
            page = httpx.get(srv.url("/catalog"), headers={"Accept": accept}, timeout=60)
            assert page.status_code == 200
            list(ox.parse(page.content, format=fmt))  # strict parsers read it
            assert kept_out not in page.text
    finally:
        srv.stop()


def test_pages_refuse_what_is_no_page(server: BpfgraphServer) -> None:
    for query in (
        "page=%C2%B2",
        "page=%EF%BC%91",
        "page=0",
        "page=1&page=2",
        "after=XYZ",
        "page=2&after=0000000000000000",
        "after=a&after=b",
    ):
        r = httpx.get(
            server.url("/catalog?" + query), headers={"Accept": "text/turtle"}, timeout=60
        )
        assert r.status_code == 400, (query, r.status_code)


def test_a_walk_by_next_links_misses_nothing_deleted_before_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Pages after the first are cursors (after=KEY): a mapping deleted from a page already
    read does not shift the rest out of the walk (positional pages did: the attack's finding)."""
    srv = BpfgraphServer(
        tmp_path_factory.mktemp("walk"),
        env={"BPFGRAPH_LOAD_CITIES": "false", "BPFGRAPH_CATALOG_PAGE_SIZE": "1"},
    )
    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    try:
        srv.store_examples()
        seen: set[str] = set()
        url, deleted = srv.url("/catalog"), False
        while url:
            g = Graph().parse(
                data=httpx.get(url, headers={"Accept": "text/turtle"}, timeout=60).content,
                format="turtle",
            )
            seen |= {
                str(d) for d in g.subjects(RDF.type, DCAT.Dataset) if "/catalog/mapping/" in str(d)
            }
            if not deleted:  # the first page read: delete the mapping shown on it
                shown = next(iter(seen))
                graphs = {
                    mapping_key(m): g
                    for m, g in (
                        (ALDERMOOR, "aldermoor"),
                        (KESTREL, "kestrel-bay"),
                        ("https://example.org/city/valdoria/bpf-mapping/mapping", "valdoria"),
                    )
                }
                gone = graphs[shown.rsplit("/", 1)[1]]
                httpx.delete(
                    srv.url("/graphs"),
                    params={"graph": f"https://example.org/graph/{gone}"},
                    headers=srv.auth,
                )
                deleted = True
            following = [o for o in g.objects(None, hydra.next)]
            url = str(following[0]) if following else ""
        assert len(seen) == 3  # the two left, and the one deleted after it was read
    finally:
        srv.stop()
