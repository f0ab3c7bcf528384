"""Downloads and metadata that portals harvest (real server)."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import sys
import time
from decimal import Decimal
from email.utils import parsedate_to_datetime

import httpx
import pytest
from pyshacl import validate
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import DCAT, RDF, SH, SKOS, XSD

from bpfgraph.web.catalog_mappings import mapping_key

from ..conftest import ROOT

PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml", "trig": "trig"}
NAMES = ["ontology", "alignments", "shapes", "framework", "mappings", "all", "mapping-context"]


def _download_graph(client: httpx.Client, name: str, ext: str) -> Graph:
    """A download parsed back, its named graphs (TriG) merged into one graph."""
    r = client.get(f"/download/{name}.{ext}")
    assert r.status_code == 200
    assert f'filename="bpfgraph-{name}.{ext}"' in r.headers["content-disposition"]
    if ext != "trig":
        return Graph().parse(data=r.content, format=PARSERS[ext])
    ds = Dataset()
    ds.parse(data=r.content, format="trig")
    merged = Graph()
    for g in ds.graphs():
        merged += g
    return merged


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("ext", list(PARSERS))
def test_every_download_parses(client: httpx.Client, name: str, ext: str):
    """Every syntax of every download parses back into the same graph as its Turtle: no
    triple lost or changed (RDF/XML once wrote `sh:languageIn ("en")` as `(<en>)`). Compared
    with `to_isomorphic`: rdflib's `Graph.isomorphic` takes the literal "en" and the IRI <en>
    for the same term."""
    g = _download_graph(client, name, ext)
    assert len(g) > 20
    turtle = _download_graph(client, name, "ttl")
    assert to_isomorphic(_decimals_by_value(g)) == to_isomorphic(_decimals_by_value(turtle)), (
        name,
        ext,
        len(g),
        len(turtle),
    )


def _decimals_by_value(g: Graph) -> Graph:
    """``g`` with each xsd:decimal in one lexical form: Turtle's shorthand writes the store's
    canonical "15"^^xsd:decimal as 15.0 — the same value, another lexical form."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(str(Decimal(str(o)).normalize()), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("ext", ["rdf", "jsonld", "nt"])
def test_pyshacl_takes_the_shapes_in_every_syntax(client: httpx.Client, ext: str):
    """pyshacl reads the shapes download in each syntax and finds what it finds with the
    Turtle: the framework with a mapping conforms, and a process with a French preferred label breaks
    `sh:languageIn ("en")` (the list RDF/XML once wrote as `(<en>)`)."""
    shapes = _download_graph(client, "shapes", ext)
    data = _download_graph(client, "framework", "nt") + _download_graph(client, "ontology", "nt")
    data.parse(ROOT / "data" / "examples" / "aldermoor.ttl")  # the city-mapping shapes' target
    conforms, _g, text = validate(data, shacl_graph=shapes)
    assert conforms, text[:2000]
    process = URIRef("https://w3id.org/bpfgraph/id/process/G1")
    label = data.value(process, SKOS.prefLabel)
    data.remove((process, SKOS.prefLabel, None))
    data.add((process, SKOS.prefLabel, Literal(str(label), lang="fr")))
    conforms, report, text = validate(data, shacl_graph=shapes)
    constraints = set(report.objects(None, SH.sourceConstraintComponent))
    assert not conforms and constraints == {SH.LanguageInConstraintComponent}, text[:2000]


def test_mappings_download_has_one_graph_per_mapping(client: httpx.Client):
    ds = Dataset()
    ds.parse(data=client.get("/download/mappings.trig").content, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {
        f"https://example.org/graph/{s}" for s in ("aldermoor", "kestrel-bay", "valdoria")
    } <= names


def test_etag_last_modified_and_304(client: httpx.Client):
    r = client.get("/download/framework.ttl")
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert client.get("/download/framework.ttl", headers={"If-None-Match": etag}).status_code == 304
    # a Last-Modified date is trusted once its second has passed (a write may still come in it)
    settled = parsedate_to_datetime(modified) + dt.timedelta(seconds=1.05)
    time.sleep(max(0.0, (settled - dt.datetime.now(dt.UTC)).total_seconds()))
    assert (
        client.get("/download/framework.ttl", headers={"If-Modified-Since": modified}).status_code
        == 304
    )
    assert (
        client.get("/download/framework.ttl", headers={"If-None-Match": '"other"'}).status_code
        == 200
    )


def test_gzip_when_asked(client: httpx.Client):
    r = client.get("/download/framework.nt", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    raw = httpx.get(
        str(client.base_url) + "/download/framework.nt", headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in raw.headers
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        (None, "text/turtle"),
    ],
)
def test_download_without_extension_negotiates(client: httpx.Client, accept, media):
    r = client.get("/download/ontology", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)


def test_download_errors(client: httpx.Client):
    assert client.get("/download/secret.ttl").status_code == 404
    assert client.get("/download/framework.exe").status_code == 404
    assert client.get("/download/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/download/framework", headers={"Accept": "image/png"}).status_code == 406


DCTERMS = Namespace("http://purl.org/dc/terms/")


def test_catalog_conforms_to_dcat_ap_3(client: httpx.Client):
    catalog = Graph().parse(
        data=client.get("/catalog", headers={"Accept": "text/turtle"}).content, format="turtle"
    )
    shapes = Graph().parse(ROOT / "reference" / "dcat-ap" / "dcat-ap-3.0.0-SHACL.ttl")
    conforms, _g, text = validate(catalog, shacl_graph=shapes, advanced=True)
    assert conforms, text[:3000]


def test_catalog_content(client: httpx.Client, server):
    g = Graph().parse(data=client.get("/catalog").content, format="turtle")
    base = server.base + "/"
    cat = URIRef(base + "catalog")
    assert (cat, RDF.type, DCAT.Catalog) in g
    subs = set(g.objects(cat, DCAT.catalog))
    titles = {str(g.value(s, DCTERMS.title)) for s in subs}
    assert titles == {"City core knowledge set", "City metadata set"}
    services = list(g.subjects(RDF.type, DCAT.DataService))
    assert [str(g.value(s, DCAT.endpointURL)) for s in services] == [base + "sparql"]
    urls = {str(u) for u in g.objects(None, DCAT.downloadURL)}
    key = mapping_key("https://example.org/city/aldermoor/bpf-mapping/mapping")
    assert base + "download/framework.ttl" in urls
    assert base + f"download/mapping/{key}.ttl" in urls  # each city mapping its own dataset
    for url in sorted(urls)[:5]:
        assert httpx.get(url).status_code == 200


def test_void_and_provenance(client: httpx.Client):
    void = Graph().parse(data=client.get("/void").content, format="turtle")
    VOID = Namespace("http://rdfs.org/ns/void#")
    root = URIRef(str(client.base_url) + "/void#bpfgraph")
    subsets = list(void.objects(root, VOID.subset))
    assert len(subsets) >= 9
    total = int(void.value(root, VOID.triples))
    assert total == sum(int(void.value(s, VOID.triples)) for s in subsets) > 9000
    prov = Graph().parse(data=client.get("/provenance").content, format="turtle")
    PROV = Namespace("http://www.w3.org/ns/prov#")
    assert (
        URIRef("https://w3id.org/bpfgraph/graph/framework"),
        PROV.wasDerivedFrom,
        URIRef("https://w3id.org/bpfgraph/id/document/iso-iec-30145-1-2021"),
    ) in prov
    generated = {str(s) for s in prov.subjects(PROV.generatedAtTime, None)}
    assert "https://example.org/graph/valdoria" in generated


def test_void_names_each_graph_the_same_in_every_process():
    """The VoID subsets' IRIs do not depend on the process (Python's hash() is salted): every
    worker of `serve --workers N`, and the service after a restart, serve the same bytes."""
    code = (
        "from bpfgraph.store.engines import framework_store\n"
        "from bpfgraph.web.void import build_void\n"
        "g = build_void(framework_store(inferred=False), 'http://example.org/')\n"
        "print(sorted(str(s) for s in g.subjects() if '#graph-' in str(s)))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and "#graph-" in outputs.pop()
