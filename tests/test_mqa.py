"""Calibration of the offline MQA scorer (tests/mqa.py) on hand-written DCAT graphs, and its
figures for the catalog the service serves today."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef

from . import mqa
from .conftest import ROOT
from .servers import BpfgraphServer

SHAPES = ROOT / "reference" / "dcat-ap" / "dcat-ap-3.0.0-SHACL.ttl"
EX = "https://example.org/"
DS = URIRef(EX + "dataset/1")

#: a dataset with everything the MQA looks at, in two distributions
COMPLETE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
@prefix ft: <http://publications.europa.eu/resource/authority/file-type/> .
@prefix iana: <https://www.iana.org/assignments/media-types/> .

ex:catalog a dcat:Catalog ; dct:title "Catalog"@en ; dct:description "A catalog."@en ;
    dct:publisher ex:org ; dcat:dataset ex:dataset\\/1 .
ex:dataset\\/1 a dcat:Dataset ;
    dct:title "Dataset"@en ; dct:description "A dataset."@en ;
    dcat:keyword "city"@en ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/GOVE> ;
    dct:spatial <https://sws.geonames.org/2950159/> ;
    dct:temporal ex:period ;
    dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
    dcat:contactPoint ex:contact ;
    dct:publisher ex:org ;
    dct:issued "2025-01-20"^^xsd:date ; dct:modified "2025-07-08"^^xsd:date ;
    dcat:distribution ex:dist-ttl, ex:dist-csv .
<http://publications.europa.eu/resource/authority/data-theme/GOVE> a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "Government and public sector"@en .
<https://sws.geonames.org/2950159/> a dct:Location .
ex:period a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date .
<http://publications.europa.eu/resource/authority/access-right/PUBLIC> a dct:RightsStatement .
ex:contact a vcard:Kind ; vcard:fn "Data desk" ; vcard:hasEmail <mailto:data@example.org> .
ex:org a foaf:Agent ; foaf:name "Example city"@en .
ex:dist-ttl a dcat:Distribution ;
    dcat:accessURL ex:access\\/ttl ; dcat:downloadURL ex:download\\/ttl ;
    dct:format ft:RDF_TURTLE ; dcat:mediaType iana:text\\/turtle ;
    dct:license <https://creativecommons.org/licenses/by/4.0/> ;
    dct:rights ex:rights ; dcat:byteSize "1234"^^xsd:nonNegativeInteger ;
    dct:issued "2025-01-20"^^xsd:date ; dct:modified "2025-07-08"^^xsd:date .
ex:dist-csv a dcat:Distribution ;
    dcat:accessURL ex:access\\/csv ; dcat:downloadURL ex:download\\/csv ;
    dct:format ft:CSV ; dcat:mediaType iana:text\\/csv ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC0> ;
    dct:rights ex:rights ; dcat:byteSize "99"^^xsd:nonNegativeInteger ;
    dct:issued "2025-01-20"^^xsd:date ; dct:modified "2025-07-08"^^xsd:date .
ft:RDF_TURTLE a dct:MediaTypeOrExtent . ft:CSV a dct:MediaTypeOrExtent .
iana:text\\/turtle a dct:MediaType . iana:text\\/csv a dct:MediaType .
<https://creativecommons.org/licenses/by/4.0/> a dct:LicenseDocument .
<http://publications.europa.eu/resource/authority/licence/CC0> a dct:LicenseDocument .
ex:rights a dct:RightsStatement .
ex:access\\/ttl a rdfs:Resource . ex:access\\/csv a rdfs:Resource .
ex:download\\/ttl a rdfs:Resource . ex:download\\/csv a rdfs:Resource .
"""
PREFIXES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX ex: <https://example.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ft: <http://publications.europa.eu/resource/authority/file-type/>
PREFIX iana: <https://www.iana.org/assignments/media-types/>
"""


def _status(url: str) -> int:
    """The example's URLs: everything answers but what is named broken."""
    return 404 if "broken" in url else 200


#: the class DCAT-AP wants of each value that the changes below put in
CLASSES = {
    "dcat:accessURL": "rdfs:Resource",
    "dcat:downloadURL": "rdfs:Resource",
    "dct:format": "dct:MediaTypeOrExtent",
    "dcat:mediaType": "dct:MediaType",
    "dct:license": "dct:LicenseDocument",
}


def _both(prop: str, new: str) -> str:
    """An update that replaces ``prop`` of both distributions by ``new`` (one IRI, given the
    class DCAT-AP asks of it, so that the dataset stays compliant)."""
    return (
        f"DELETE {{ ?d {prop} ?o }} INSERT {{ ?d {prop} {new} . {new} a {CLASSES[prop]} }} "
        f"WHERE {{ ?d a dcat:Distribution ; {prop} ?o }}"
    )


def _drop(prop: str, kind: str = "dcat:Distribution") -> str:
    return f"DELETE {{ ?d {prop} ?o }} WHERE {{ ?d a {kind} ; {prop} ?o }}"


def _score(g: Graph) -> mqa.Score:
    shapes = Graph().parse(SHAPES)
    return mqa.score_graph(g, _status, shapes)[DS]


@pytest.fixture(scope="module")
def complete() -> mqa.Score:
    return _score(Graph().parse(data=COMPLETE, format="turtle"))


def test_a_complete_dataset_scores_405(complete: mqa.Score):
    assert mqa.MAXIMUM == 405
    assert complete.points == mqa.WEIGHTS, complete.explain()
    assert (complete.total, complete.band, complete.missing()) == (405, "Excellent", [])


#: one row per indicator: a change to the complete dataset, and the indicators it costs
CHANGES = [
    ("keyword", _drop("dcat:keyword", "dcat:Dataset"), {"keyword"}),
    ("theme", _drop("dcat:theme", "dcat:Dataset"), {"theme"}),
    ("spatial", _drop("dct:spatial", "dcat:Dataset"), {"spatial"}),
    ("temporal", _drop("dct:temporal", "dcat:Dataset"), {"temporal"}),
    ("access_url", _both("dcat:accessURL", "ex:broken"), {"access_url"}),
    ("download_url", _drop("dcat:downloadURL"), {"download_url", "download_url_ok"}),
    ("download_url_ok", _both("dcat:downloadURL", "ex:broken"), {"download_url_ok"}),
    ("format", _drop("dct:format"), {"format", "vocabulary"}),
    ("format-unknown", _both("dct:format", "ft:DOCX"), {"vocabulary"}),
    ("media_type", _drop("dcat:mediaType"), {"media_type", "vocabulary"}),
    (
        "media_type-unknown",
        _both("dcat:mediaType", "<https://www.iana.org/assignments/media-types/text/no-such-type>"),
        {"vocabulary"},
    ),
    (
        "non_proprietary",
        _both("dct:format", "ft:XLSX")
        + ";"
        + _both(
            "dcat:mediaType",
            "<https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet>",
        ),
        {"non_proprietary"},
    ),
    (
        "machine_readable",
        _both("dct:format", "ft:HTML")
        + ";"
        + _both("dcat:mediaType", "<https://www.iana.org/assignments/media-types/text/html>"),
        {"machine_readable"},
    ),
    ("dcat_ap", _drop("dct:description", "dcat:Dataset"), {"dcat_ap"}),
    ("license", _drop("dct:license"), {"license", "license_vocabulary"}),
    ("license_vocabulary", _both("dct:license", "ex:our-licence"), {"license_vocabulary"}),
    (
        "access_rights",
        _drop("dct:accessRights", "dcat:Dataset"),
        {"access_rights", "access_rights_vocabulary"},
    ),
    (
        "access_rights_vocabulary",
        "DELETE { ?d dct:accessRights ?o } INSERT { ?d dct:accessRights ex:open } "
        "WHERE { ?d a dcat:Dataset ; dct:accessRights ?o };"
        "INSERT DATA { ex:open a dct:RightsStatement }",
        {"access_rights_vocabulary"},
    ),
    ("contact_point", _drop("dcat:contactPoint", "dcat:Dataset"), {"contact_point"}),
    ("publisher", _drop("dct:publisher", "dcat:Dataset"), {"publisher"}),
    ("rights", _drop("dct:rights"), {"rights"}),
    ("byte_size", _drop("dcat:byteSize"), {"byte_size"}),
    ("issued", _drop("dct:issued") + ";" + _drop("dct:issued", "dcat:Dataset"), {"issued"}),
    (
        "modified",
        _drop("dct:modified") + ";" + _drop("dct:modified", "dcat:Dataset"),
        {"modified"},
    ),
]


@pytest.mark.parametrize(("name", "update", "lost"), CHANGES, ids=[c[0] for c in CHANGES])
def test_each_missing_property_loses_exactly_its_weight(name: str, update: str, lost: set[str]):
    g = Graph().parse(data=COMPLETE, format="turtle")
    g.update(PREFIXES + update)
    score = _score(g)
    expected = {k: (0 if k in lost else w) for k, w in mqa.WEIGHTS.items()}
    assert score.points == expected, score.explain()
    assert score.total == 405 - sum(mqa.WEIGHTS[k] for k in lost)
    assert len(score.missing()) == len(lost)


def test_every_indicator_has_a_row():
    assert {k for _n, _u, lost in CHANGES for k in lost} == set(mqa.WEIGHTS)


@pytest.mark.parametrize(
    ("update", "key", "points"),
    [
        # one distribution of two: half the weight
        (
            "DELETE { ex:dist-csv dcat:downloadURL ?u } INSERT { ex:dist-csv dcat:downloadURL ex:broken } WHERE { ex:dist-csv dcat:downloadURL ?u }",
            "download_url_ok",
            15,
        ),
        ("DELETE WHERE { ex:dist-csv dct:license ?l }", "license", 10),
        ("DELETE WHERE { ex:dist-csv dcat:byteSize ?s }", "byte_size", 2.5),
        # dates: the dataset and its two distributions, one of three missing
        ("DELETE WHERE { <https://example.org/dataset/1> dct:issued ?d }", "issued", 3.33),
        # a dataset without distributions scores nothing on them
        ("DELETE WHERE { <https://example.org/dataset/1> dcat:distribution ?d }", "access_url", 0),
    ],
)
def test_distribution_indicators_count_the_share(update: str, key: str, points: float):
    g = Graph().parse(data=COMPLETE, format="turtle")
    g.update(PREFIXES + update)
    score = mqa.score_graph(g, _status, compliant=True)[DS]
    assert score.points[key] == points, score.explain()


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (405, "Excellent"),
        (351, "Excellent"),
        (350, "Good"),
        (221, "Good"),
        (220, "Sufficient"),
        (121, "Sufficient"),
        (120, "Bad"),
        (0, "Bad"),
    ],
)
def test_bands(total: int, band: str):
    assert mqa.band(total) == band


@pytest.mark.parametrize(
    ("licence", "known"),
    [
        ("https://creativecommons.org/licenses/by/4.0/", True),
        ("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", True),
        # the vendored vocabulary matches CC0 by its http IRI only (not https)
        ("http://creativecommons.org/publicdomain/zero/1.0/", True),
        ("https://creativecommons.org/publicdomain/zero/1.0/", False),
        ("http://publications.europa.eu/resource/authority/licence/CC0", True),
        ("https://example.org/our-licence", False),
    ],
)
def test_licence_vocabulary(licence: str, known: bool):
    assert (licence in mqa.licences()) is known


@pytest.mark.parametrize(
    ("value", "known"),
    [
        ("http://publications.europa.eu/resource/authority/access-right/PUBLIC", True),
        ("http://publications.europa.eu/resource/authority/access-right/RESTRICTED", True),
        ("http://publications.europa.eu/resource/authority/access-right/OPEN", False),
    ],
)
def test_access_right_vocabulary(value: str, known: bool):
    assert (value in mqa.access_rights()) is known


@pytest.mark.parametrize(
    ("media", "known"),
    [
        ("text/turtle", True),
        ("application/ld+json", True),
        ("application/trig", True),
        ("image/gif", True),
        ("text/no-such-type", False),
    ],
)
def test_media_type_vocabulary(media: str, known: bool):
    assert (media in mqa.media_types()) is known


def test_score_of_the_served_catalog(tmp_path):
    """The catalog the service serves, scored as a portal would (over HTTP, the DCAT-AP shapes):
    the figures are printed (they change with the catalog); every dataset gets its access points
    (the URLs answer) and its DCAT-AP points (the catalog conforms)."""
    server = BpfgraphServer(tmp_path / "served")
    try:
        server.store_examples()
        response = httpx.get(server.url("/catalog"), headers={"Accept": "text/turtle"}, timeout=60)
        g = Graph().parse(data=response.content, format="turtle")
        with httpx.Client(timeout=60) as client:
            scores = mqa.score_graph(
                g, lambda url: client.get(url).status_code, Graph().parse(SHAPES)
            )
    finally:
        server.stop()
    print(mqa.table(scores.values()))
    assert len(scores) >= 5
    for score in scores.values():
        assert score.points["access_url"] == 50, score.explain()
        assert score.points["dcat_ap"] == 30, score.explain()
