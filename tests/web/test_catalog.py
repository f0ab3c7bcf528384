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
    assert r.status_code == 303 and r.headers["location"].startswith("/city?mapping=")
    assert httpx.get(server.url("/catalog/mapping/0000000000000000")).status_code == 404


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("BPFGRAPH_CATALOG_BASE", "not-an-iri", "is not an http(s) IRI"),
        ("BPFGRAPH_CATALOG_BASE", "ftp://example.org/", "is not an http(s) IRI"),
        ("BPFGRAPH_PUBLISHER_IRI", "https://exa mple.org/", "is not an http(s) IRI"),
        ("BPFGRAPH_CONTACT_EMAIL", "nobody", "is not an e-mail address"),
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
