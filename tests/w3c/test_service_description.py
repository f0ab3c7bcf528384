"""The W3C SPARQL 1.1 Service Description tests (w3c/rdf-tests,
sparql/sparql11/service-description), run against a real ``bpfgraph serve``.

The manifest names three tests and gives their checks only in words (its ``mf:name``); the
checks below encode them as the W3C validator for these tests does (kasei/sparql11-sdvalidator):

* ``returns-rdf``: a GET on the endpoint URL answers RDF;
* ``has-endpoint-triple``: that RDF has a triple ``?service sd:endpoint <U>``, ``U`` the URL;
* ``conforms-to-schema``: it uses the Service Description vocabulary as specified (the
  validator checks that every ``sd:NamedGraph`` has an ``sd:name``; we check the domains and
  ranges the vocabulary gives too).

The validator's optional best-practice checks follow as a table of their own.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import BNode

from ..servers import BpfgraphServer
from .manifest import DATA, MF, RDF_SYNTAX, load, media_type

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = "http://www.w3.org/ns/formats/"
ENDPOINT = "/sparql"
CASES = load(DATA / "service-description" / "manifest.ttl")
#: Accept headers a client may send to the endpoint URL (none, any, each RDF syntax, a browser)
ACCEPTS = [
    None,
    "*/*",
    "text/turtle",
    "application/rdf+xml",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml, text/turtle;q=0.9, */*;q=0.1",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
]


def fetch(server: BpfgraphServer, accept: str | None = None) -> tuple[httpx.Response, Graph]:
    headers = {"Accept": accept} if accept else {}
    with httpx.Client(timeout=60) as client:
        if accept is None:
            del client.headers["Accept"]
        response = client.get(server.url(ENDPOINT), headers=headers)
    assert response.status_code == 200, response.text
    media, _ = media_type(response.headers.get("content-type"))
    assert media in RDF_SYNTAX, f"{media!r} is not RDF"
    graph = Graph().parse(data=response.content, format=RDF_SYNTAX[media])
    return response, graph


@pytest.fixture(scope="module")
def description(w3c_server: BpfgraphServer) -> Graph:
    return fetch(w3c_server)[1]


# -- the three tests of the manifest ---------------------------------------------------------


def returns_rdf(server: BpfgraphServer, graph: Graph) -> None:
    for accept in ACCEPTS:
        _response, fetched = fetch(server, accept)
        assert len(fetched) > 0, accept


def has_endpoint_triple(server: BpfgraphServer, graph: Graph) -> None:
    endpoint = URIRef(server.url(ENDPOINT))
    assert (None, SD.endpoint, endpoint) in graph, graph.serialize(format="turtle")


#: property -> (the class of its subjects, the class of its objects or "literal"/"iri")
SCHEMA: dict[URIRef, tuple[URIRef, URIRef | str | None]] = {
    SD.endpoint: (SD.Service, "iri"),
    SD.feature: (SD.Service, SD.Feature),
    SD.defaultEntailmentRegime: (SD.Service, SD.EntailmentRegime),
    SD.defaultSupportedEntailmentProfile: (SD.Service, SD.EntailmentProfile),
    SD.extensionFunction: (SD.Service, SD.Function),
    SD.extensionAggregate: (SD.Service, SD.Aggregate),
    SD.languageExtension: (SD.Service, SD.Language),
    SD.supportedLanguage: (SD.Service, SD.Language),
    SD.propertyFeature: (SD.Service, None),
    SD.defaultDataset: (SD.Service, SD.Dataset),
    SD.availableGraphs: (SD.Service, SD.GraphCollection),
    SD.resultFormat: (SD.Service, "iri"),
    SD.inputFormat: (SD.Service, "iri"),
    SD.defaultGraph: (SD.Dataset, SD.Graph),
    SD.namedGraph: (SD.GraphCollection, SD.NamedGraph),
    SD.name: (SD.NamedGraph, "iri"),
    SD.graph: (SD.NamedGraph, SD.Graph),
    SD.entailmentRegime: (None, SD.EntailmentRegime),
    SD.supportedEntailmentProfile: (None, SD.EntailmentProfile),
}
#: instances the vocabulary itself defines
KNOWN = {
    SD.Feature: {
        SD.DereferencesURIs,
        SD.UnionDefaultGraph,
        SD.RequiresDataset,
        SD.EmptyGraphs,
        SD.BasicFederatedQuery,
    },
    SD.Language: {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update},
}
CLASSES = {
    SD.Service,
    SD.Language,
    SD.Function,
    SD.Aggregate,
    SD.EntailmentRegime,
    SD.EntailmentProfile,
    SD.Feature,
    SD.GraphCollection,
    SD.Dataset,
    SD.Graph,
    SD.NamedGraph,
}
#: class -> its subclasses in the vocabulary
SUBCLASSES = {SD.GraphCollection: {SD.Dataset}, SD.Function: {SD.Aggregate}}


def _is_a(graph: Graph, node: object, cls: URIRef) -> bool:
    if node in KNOWN.get(cls, ()):
        return True
    types = set(graph.objects(node, RDF.type))
    return cls in types or bool(types & SUBCLASSES.get(cls, set()))


def conforms_to_schema(server: BpfgraphServer, graph: Graph) -> None:
    problems = []
    for named in graph.subjects(RDF.type, SD.NamedGraph):
        if graph.value(named, SD.name) is None:
            problems.append(f"the sd:NamedGraph {named.n3()} has no sd:name")
    for s, p, o in graph.triples((None, None, None)):
        if p not in SCHEMA and str(p).startswith(str(SD)):
            problems.append(f"{p.n3()} is not a Service Description property")
        if p == RDF.type and str(o).startswith(str(SD)) and o not in CLASSES:
            problems.append(f"{o.n3()} is not a Service Description class")
        if p not in SCHEMA:
            continue
        domain, range_ = SCHEMA[p]
        if domain is not None and not _is_a(graph, s, domain):
            problems.append(f"the subject of {p.n3()} ({s.n3()}) is not an {domain.n3()}")
        if range_ == "iri" and not isinstance(o, URIRef):
            problems.append(f"{p.n3()} has {o.n3()}, not an IRI")
        elif isinstance(range_, URIRef) and (
            isinstance(o, Literal)
            or not (isinstance(o, BNode | URIRef) and _is_a(graph, o, range_))
        ):
            problems.append(f"the object of {p.n3()} ({o.n3()}) is not an {range_.n3()}")
    assert not problems, "\n".join(problems)


CHECKS: dict[str, Callable[[BpfgraphServer, Graph], None]] = {
    "returns-rdf": returns_rdf,
    "has-endpoint-triple": has_endpoint_triple,
    "conforms-to-schema": conforms_to_schema,
}


def test_the_manifest_has_the_three_checks():
    assert [c.name for c in CASES] == ["has-endpoint-triple", "returns-rdf", "conforms-to-schema"]
    assert {c.kind for c in CASES} == {"ServiceDescriptionTest"}
    assert MF.ServiceDescriptionTest.endswith(CASES[0].kind)


@pytest.mark.parametrize("test", CASES, ids=str)
def test_service_description(test, w3c_server: BpfgraphServer, description: Graph):
    CHECKS[test.name](w3c_server, description)


# -- the validator's best-practice checks ----------------------------------------------------


def _typed(graph: Graph, cls: URIRef, domains=(), ranges=()) -> list[str]:
    candidates = {s for p in domains for s in graph.subjects(p, None)}
    candidates |= {o for p in ranges for o in graph.objects(None, p)}
    return [c.n3() for c in candidates if (c, RDF.type, cls) not in graph]


def _datasets(graph: Graph) -> set:
    return set(graph.subjects(SD.defaultGraph, None)) | set(graph.objects(None, SD.defaultDataset))


BEST_PRACTICE = {
    "typed-service": lambda g: _typed(
        g,
        SD.Service,
        domains=[p for p, (domain, _) in SCHEMA.items() if domain == SD.Service],
    ),
    "typed-dataset": lambda g: _typed(
        g, SD.Dataset, domains=[SD.defaultGraph], ranges=[SD.defaultDataset]
    ),
    "typed-named-graph": lambda g: _typed(
        g,
        SD.NamedGraph,
        domains=[SD.entailmentRegime, SD.supportedEntailmentProfile, SD.name, SD.graph],
        ranges=[SD.namedGraph],
    ),
    "typed-graph": lambda g: _typed(g, SD.Graph, ranges=[SD.defaultGraph, SD.graph]),
    "dataset-with-graph": lambda g: [
        d.n3()
        for d in _datasets(g)
        if (d, SD.defaultGraph, None) not in g and (d, SD.namedGraph, None) not in g
    ],
    "recognized-language": lambda g: (
        []
        if set(g.objects(None, SD.supportedLanguage)) & KNOWN[SD.Language]
        else ["no SPARQL 1.0 / 1.1 sd:supportedLanguage"]
    ),
}


@pytest.mark.parametrize("check", sorted(BEST_PRACTICE))
def test_best_practice(check: str, description: Graph):
    assert BEST_PRACTICE[check](description) == []


def test_the_description_tells_what_the_endpoint_does(description: Graph):
    service = description.value(predicate=SD.endpoint)
    languages = set(description.objects(service, SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query, SD.SPARQL11Update}  # the server has a write token
    formats = {str(f).removeprefix(FORMATS) for f in description.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "Turtle", "RDF_XML"} <= formats
    assert (service, SD.feature, SD.UnionDefaultGraph) in description
