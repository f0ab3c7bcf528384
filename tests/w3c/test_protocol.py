"""The W3C SPARQL 1.1 Protocol test suite (w3c/rdf-tests, sparql/sparql11/protocol), run
against a real ``bpfgraph serve``.

The 34 tests are read from the copied manifest (``data/protocol/manifest.ttl``). The manifest's
endpoint path ``/sparql/`` is ours ``/sparql``. The graphs a test names with ``ut:graphData``
(``http://kasei.us/2009/09/sparql/data/data1.rdf`` …) are never fetched: the copied data files
are stored under those IRIs through our Graph Store endpoint first, so that FROM,
``default-graph-uri`` and ``named-graph-uri`` name graphs present in the store. Every request
carries the write token, so that a refusal the suite expects is the protocol's, not the token's.
"""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, RDFXML, SPARQLWrapper

from ..servers import BpfgraphServer
from .manifest import DATA, ManifestTest, Status, load, run

CASES = load(DATA / "protocol" / "manifest.ttl")
ENDPOINT = "/sparql"
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
DATA2 = "http://kasei.us/2009/09/sparql/data/data2.rdf"


def to_endpoint(path: str) -> str:
    """``/sparql/?query=…`` (the manifest's endpoint) -> ``/sparql?query=…`` (ours)."""
    assert path.startswith("/sparql/"), path
    return ENDPOINT + path.removeprefix("/sparql/")


def store_graph_data(client: httpx.Client, server: BpfgraphServer, test: ManifestTest) -> None:
    for path, iri in test.graph_data:
        response = client.put(
            "/graphs",
            params={"graph": iri},
            content=path.read_bytes(),
            headers={"Content-Type": "application/n-triples", **server.auth},
        )
        assert response.status_code in (201, 204), response.text


def test_the_manifest_has_the_34_protocol_tests():
    assert len(CASES) == 34
    assert {c.kind for c in CASES} == {"ProtocolTest"}
    assert all(c.exchanges and all(ex.statuses for ex in c.exchanges) for c in CASES)
    names = {c.name for c in CASES}
    assert {"query_post_form", "update_base_uri", "bad_update_dataset_conflict"} <= names
    assert all(path.is_file() for c in CASES for path, _ in c.graph_data)


@pytest.mark.usefixtures("empty_store")
@pytest.mark.parametrize("test", CASES, ids=str)
def test_protocol(test: ManifestTest, w3c_server: BpfgraphServer, w3c_client: httpx.Client):
    store_graph_data(w3c_client, w3c_server, test)
    responses = run(w3c_client, test, to_endpoint, w3c_server.auth)
    for ex, response in zip(test.exchanges, responses, strict=True):
        if ex.statuses == [Status(klass=4)]:
            assert response.status_code not in (401, 403), response.text


# -- the dataset rules the suite leaves to the specifications --------------------------------


@pytest.fixture
def kasei_graphs(w3c_server: BpfgraphServer, w3c_client: httpx.Client, empty_store: None) -> None:
    full = next(t for t in CASES if t.name == "query_dataset_full")
    store_graph_data(w3c_client, w3c_server, full)


DATA3 = "http://kasei.us/2009/09/sparql/data/data3.rdf"
#: the framework graphs stay after DROP ALL (they are read-only): only the suite's documents
KASEI = 'FILTER(STRSTARTS(STR(?doc), "http://kasei.us/"))'
SELECT_DOCS = "SELECT ?doc {dataset} WHERE {{ ?doc a ?type " + KASEI + " }} ORDER BY ?doc"
SELECT_NAMED = (
    "SELECT ?doc {dataset} WHERE {{ GRAPH ?g {{ ?doc a ?type }} " + KASEI + " }} ORDER BY ?doc"
)
#: (query, protocol parameters, the documents answered); SPARQL 1.1 Query 13.2, Protocol 2.1.4
DATASETS = [
    pytest.param(SELECT_DOCS.format(dataset=""), {}, [DATA1, DATA2, DATA3], id="union-default"),
    pytest.param(SELECT_DOCS.format(dataset=f"FROM <{DATA3}>"), {}, [DATA3], id="from"),
    pytest.param(
        SELECT_DOCS.format(dataset=f"FROM <{DATA1}> FROM <{DATA2}>"),
        {},
        [DATA1, DATA2],
        id="from-twice",
    ),
    pytest.param(
        SELECT_DOCS.format(dataset=f"FROM NAMED <{DATA1}>"), {}, [], id="from-named-empty-default"
    ),
    pytest.param(
        SELECT_NAMED.format(dataset=f"FROM NAMED <{DATA1}>"), {}, [DATA1], id="from-named"
    ),
    pytest.param(
        SELECT_DOCS.format(dataset=f"FROM <{DATA3}>"),
        {"default-graph-uri": DATA1},
        [DATA1],
        id="protocol-default-overrides-from",
    ),
    pytest.param(
        SELECT_DOCS.format(dataset=f"FROM <{DATA3}>"),
        {"named-graph-uri": DATA1},
        [],
        id="protocol-named-only-empty-default",
    ),
    pytest.param(
        SELECT_NAMED.format(dataset=f"FROM NAMED <{DATA3}>"),
        {"named-graph-uri": [DATA1, DATA2]},
        [DATA1, DATA2],
        id="protocol-named-overrides-from-named",
    ),
]


@pytest.mark.usefixtures("kasei_graphs")
@pytest.mark.parametrize(("query", "params", "docs"), DATASETS)
def test_dataset(query: str, params: dict, docs: list[str], w3c_client: httpx.Client):
    for response in (
        w3c_client.get(ENDPOINT, params={"query": query, **params}),
        w3c_client.post(
            ENDPOINT,
            params=params,
            content=query,
            headers={"Content-Type": "application/sparql-query"},
        ),
    ):
        assert response.status_code == 200, response.text
        bindings = response.json()["results"]["bindings"]
        assert [b["doc"]["value"] for b in bindings] == docs


UPDATE = "application/sparql-update"
#: (method, parameters, content type, body, status) beyond the suite's cases
EDGES = [
    pytest.param(
        "GET",
        {"query": "ASK {}", "default-graph-uri": "not an IRI"},
        None,
        None,
        400,
        id="bad-default-graph-uri",
    ),
    pytest.param(
        "POST",
        {"named-graph-uri": "http://example.org/a b"},
        "application/sparql-query",
        "ASK {}",
        400,
        id="bad-named-graph-uri",
    ),
    pytest.param(
        "POST",
        {"using-graph-uri": "not<an>IRI"},
        UPDATE,
        "DELETE WHERE { ?s ?p ?o }",
        400,
        id="bad-using-graph-uri",
    ),
    pytest.param(
        "POST",
        {"using-graph-uri": DATA1},
        UPDATE,
        "PREFIX with: <http://example.org/with#> "
        "INSERT { GRAPH <http://example.org/out> { ?using with:p ?with } } "
        "WHERE { ?using a ?with }",
        204,
        id="with-and-using-as-names-are-no-conflict",
    ),
    pytest.param(
        "POST",
        {"using-named-graph-uri": DATA1},
        UPDATE,
        f"DELETE WHERE {{ GRAPH <{DATA1}> {{ ?s ?p ?o }} }}",
        204,
        id="delete-where-with-using-named",
    ),
]


@pytest.mark.usefixtures("kasei_graphs")
@pytest.mark.parametrize(("method", "params", "media", "body", "status"), EDGES)
def test_protocol_edges(
    method: str,
    params: dict,
    media: str | None,
    body: str | None,
    status: int,
    w3c_server: BpfgraphServer,
    w3c_client: httpx.Client,
):
    headers = {**w3c_server.auth, **({"Content-Type": media} if media else {})}
    response = w3c_client.request(method, ENDPOINT, params=params, content=body, headers=headers)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.json()["status"] == status


# -- the endpoint through a client library ---------------------------------------------------


def wrapper(server: BpfgraphServer, update: bool = False) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url(ENDPOINT), updateEndpoint=server.url(ENDPOINT))
    if update:
        sparql.addCustomHttpHeader("Authorization", server.auth["Authorization"])
    return sparql


@pytest.mark.usefixtures("kasei_graphs")
def test_sparqlwrapper_ask_with_protocol_default_graphs(w3c_server: BpfgraphServer):
    sparql = wrapper(w3c_server)
    sparql.setQuery(f"ASK {{ <{DATA1}> a ?type . <{DATA2}> a ?type }}")
    sparql.setReturnFormat(JSON)
    sparql.addDefaultGraph(DATA1)
    sparql.addDefaultGraph(DATA2)
    assert sparql.queryAndConvert()["boolean"] is True
    sparql.clearParameter("default-graph-uri")
    sparql.addDefaultGraph(DATA1)
    assert sparql.queryAndConvert()["boolean"] is False


@pytest.mark.usefixtures("kasei_graphs")
def test_sparqlwrapper_select_with_named_graphs_by_post(w3c_server: BpfgraphServer):
    sparql = wrapper(w3c_server)
    sparql.setMethod(POST)
    sparql.setQuery("SELECT ?g ?doc WHERE { GRAPH ?g { ?doc a ?type } } ORDER BY ?g")
    sparql.setReturnFormat(JSON)
    sparql.addNamedGraph(DATA1)
    sparql.addNamedGraph(DATA2)
    result = sparql.queryAndConvert()
    assert result["head"]["vars"] == ["g", "doc"]
    rows = [(b["g"]["value"], b["doc"]["value"]) for b in result["results"]["bindings"]]
    assert rows == [(DATA1, DATA1), (DATA2, DATA2)]


@pytest.mark.usefixtures("kasei_graphs")
def test_sparqlwrapper_construct_posted_directly(w3c_server: BpfgraphServer):
    sparql = wrapper(w3c_server)
    sparql.setMethod(POST)
    sparql.setRequestMethod(POSTDIRECTLY)
    sparql.setQuery(
        "CONSTRUCT { ?doc a <http://purl.org/dc/terms/BibliographicResource> } "
        "WHERE { ?doc a <http://xmlns.com/foaf/0.1/Document> }"
    )
    sparql.setReturnFormat(RDFXML)
    sparql.addDefaultGraph("http://kasei.us/2009/09/sparql/data/data3.rdf")
    graph = sparql.queryAndConvert()
    assert isinstance(graph, Graph)
    expected = Graph().parse(
        data="<http://kasei.us/2009/09/sparql/data/data3.rdf> a "
        "<http://purl.org/dc/terms/BibliographicResource> .",
        format="turtle",
    )
    assert isomorphic(graph, expected)


@pytest.mark.usefixtures("kasei_graphs")
def test_sparqlwrapper_update_with_the_token(w3c_server: BpfgraphServer):
    target = "http://example.org/protocol-sparqlwrapper-test/"
    sparql = wrapper(w3c_server, update=True)
    sparql.setMethod(POST)
    sparql.setQuery(
        f"INSERT {{ GRAPH <{target}> {{ ?doc a <http://purl.org/dc/terms/BibliographicResource> }} }} "
        "WHERE { ?doc a <http://xmlns.com/foaf/0.1/Document> }"
    )
    sparql.addParameter("using-graph-uri", DATA2)
    result = sparql.query()
    assert result.response.status == 204
    check = wrapper(w3c_server)
    check.setQuery(f"SELECT ?doc WHERE {{ GRAPH <{target}> {{ ?doc a ?type }} }}")
    check.setReturnFormat(JSON)
    bindings = check.queryAndConvert()["results"]["bindings"]
    assert [URIRef(b["doc"]["value"]) for b in bindings] == [URIRef(DATA2)]
