"""Third-party clients against the real server: SPARQLWrapper (every result format, Basic
credentials), rdflib's SPARQLStore and SPARQLUpdateStore (a Dataset's whole write flow, with
``auth=``), and curl."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import urllib.error
import uuid
from collections.abc import Iterator
from pathlib import Path
from xml.dom.minidom import Document

import httpx
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import (
    BASIC,
    CSV,
    DIGEST,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import Unauthorized

from ..servers import BpfgraphServer, OxigraphServer

ROOT = Path(__file__).resolve().parents[2]
BPF = "https://w3id.org/bpfgraph/def#"
PROCESSES = f"SELECT ?p WHERE {{ ?p a <{BPF}CoreProcess> }} ORDER BY ?p"
CORE = 10  # core processes C1-C10
EXAMPLE_GRAPH = "https://example.org/graph/aldermoor"
FRAMEWORK_GRAPH = "https://w3id.org/bpfgraph/graph/framework"


def mapping(tag: str) -> tuple[str, Graph]:
    """A valid city mapping of its own: the Kestrel Bay example under another city's IRIs."""
    text = (ROOT / "data/examples/kestrel-bay.ttl").read_text()
    text = text.replace("https://example.org/city/kestrel-bay", f"https://example.org/city/{tag}")
    return f"https://example.org/city/{tag}/bpf-mapping/mapping", Graph().parse(data=text)


def sparql(server: BpfgraphServer) -> SPARQLWrapper:
    return SPARQLWrapper(server.url("/sparql"), updateEndpoint=server.url("/sparql"))


# -- SPARQLWrapper: every query form in every format ---------------------------------------


def _select_json(result) -> list[str]:
    return [b["p"]["value"] for b in result["results"]["bindings"]]


def _select_xml(result: Document) -> list[str]:
    return [uri.firstChild.data for uri in result.getElementsByTagName("uri")]


def _select_table(delimiter: str):
    def rows(result: bytes) -> list[str]:
        table = list(csv.reader(io.StringIO(result.decode()), delimiter=delimiter))
        assert table[0] == (["p"] if delimiter == "," else ["?p"])
        return [row[0].strip("<>") for row in table[1:]]

    return rows


SELECTS = [
    (JSON, _select_json),
    (XML, _select_xml),
    (CSV, _select_table(",")),
    (TSV, _select_table("\t")),
]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize(("fmt", "rows"), SELECTS, ids=[s[0] for s in SELECTS])
def test_sparqlwrapper_select(fmt, rows, method, server: BpfgraphServer):
    client = sparql(server)
    client.setMethod(method)
    client.setQuery(PROCESSES)
    client.setReturnFormat(fmt)
    found = rows(client.queryAndConvert())
    assert len(found) == CORE and all(p.startswith("https://w3id.org/bpfgraph/id/") for p in found)
    assert found == sorted(found)


ASKS = [
    (JSON, lambda r: r["boolean"]),
    (XML, lambda r: r.getElementsByTagName("boolean")[0].firstChild.data == "true"),
    # the CSV and TSV results formats define no boolean: the answer is the word, as Oxigraph writes it
    (CSV, lambda r: {b"true": True, b"false": False}[r.strip()]),
    (TSV, lambda r: {b"true": True, b"false": False}[r.strip()]),
]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize(("fmt", "truth"), ASKS, ids=[a[0] for a in ASKS])
@pytest.mark.parametrize("expected", [True, False])
def test_sparqlwrapper_ask(fmt, truth, expected: bool, method, server: BpfgraphServer):
    client = sparql(server)
    client.setMethod(method)
    process = "C1" if expected else "C99"
    client.setQuery(f"ASK {{ <https://w3id.org/bpfgraph/id/process/{process}> ?p ?o }}")
    client.setReturnFormat(fmt)
    assert truth(client.queryAndConvert()) is expected


CONSTRUCT = (
    f"CONSTRUCT {{ ?p a <{BPF}CoreProcess> ; <{RDFS.label}> ?l }} "
    f"WHERE {{ ?p a <{BPF}CoreProcess> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}"
)
CONSTRUCTS = [
    (TURTLE, "turtle"),
    (N3, "n3"),
    (RDFXML, None),  # converted to a Graph by SPARQLWrapper
    (XML, None),
    (JSONLD, None),
]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize(("fmt", "syntax"), CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_sparqlwrapper_construct(fmt, syntax, method, server: BpfgraphServer):
    client = sparql(server)
    client.setMethod(method)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(fmt)
    result = client.queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format=syntax)
    assert len(set(graph.subjects(RDF.type, URIRef(f"{BPF}CoreProcess")))) == CORE
    assert len(set(graph.objects(None, RDFS.label))) == CORE


# -- Basic credentials: the write token as the password ------------------------------------


@pytest.mark.parametrize("user", ["anyone", "écrivain", "with space"])
def test_sparqlwrapper_set_credentials_writes_a_mapping(user: str, server: BpfgraphServer):
    iri, data = mapping(f"basic-{uuid.uuid4().hex[:8]}")
    graph = f"https://example.org/graph/clients/{uuid.uuid4().hex}"
    triples = data.serialize(format="nt")
    writer = sparql(server)
    writer.setCredentials(user, server.token)
    writer.setMethod(POST)
    writer.setQuery(f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}")
    assert writer.query().response.status == 204
    try:
        reader = sparql(server)
        reader.setQuery(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        reader.setReturnFormat(JSON)
        count = int(reader.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
        assert count == len(data)
        reader.setQuery(f"ASK {{ GRAPH <{graph}> {{ <{iri}> a <{BPF}CityMapping> }} }}")
        assert reader.queryAndConvert()["boolean"] is True
    finally:
        writer.setQuery(f"DROP GRAPH <{graph}>")
        assert writer.query().response.status == 204


@pytest.mark.parametrize("scheme", [BASIC, DIGEST])
@pytest.mark.parametrize("password", ["wrong", "", "test-token "])
def test_sparqlwrapper_wrong_credentials_are_refused(
    password: str, scheme: str, server: BpfgraphServer
):
    # with DIGEST, urllib's digest handler reads the first challenge only: Basic comes first,
    # which it passes over (with Bearer first it raised ValueError instead of a 401)
    writer = sparql(server)
    writer.setHTTPAuth(scheme)
    writer.setCredentials("anyone", password)
    writer.setMethod(POST)
    writer.setQuery("INSERT DATA { GRAPH <https://example.org/graph/x> { <x:a> <x:b> <x:c> } }")
    with pytest.raises(Unauthorized):
        writer.query()


BAD_AUTHORIZATION = [
    "Basic " + "dXNlcjp3cm9uZw==",  # user:wrong
    "Basic dXNlcg==",  # user (no colon, no password)
    "Basic dXNlcjo=",  # user: (empty password)
    "Basic !!!",  # not base64
    'Digest username="u"',
    "Bearer",
]


@pytest.mark.parametrize("header", BAD_AUTHORIZATION)
def test_refused_credentials_are_401_with_both_challenges(header: str, server: BpfgraphServer):
    response = httpx.post(
        server.url("/sparql"),
        data={"update": "CLEAR SILENT GRAPH <https://example.org/graph/x>"},
        headers={"Authorization": header},
        timeout=60,
    )
    assert response.status_code == 401, response.text
    challenge = response.headers["www-authenticate"]
    assert 'Basic realm="bpfgraph"' in challenge and 'Bearer realm="bpfgraph"' in challenge
    assert response.json()["status"] == 401


@pytest.mark.parametrize("user", ["", "anyone", "a:b"])
def test_basic_credentials_of_any_user_are_taken(user: str, server: BpfgraphServer):
    graph = f"https://example.org/graph/clients/{uuid.uuid4().hex}"
    response = httpx.post(
        server.url("/sparql"),
        data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <x:a> <x:b> <x:c> }} }}"},
        auth=httpx.BasicAuth(user, server.token or ""),
        timeout=60,
    )
    # "a:b" as the user: the password is what follows the first colon, "b:<token>"
    assert response.status_code == (401 if ":" in user else 204), response.text
    httpx.post(
        server.url("/sparql"),
        data={"update": f"DROP SILENT GRAPH <{graph}>"},
        headers=server.auth,
        timeout=60,
    )


def test_basic_credentials_write_through_the_graph_store(server: BpfgraphServer):
    iri, data = mapping(f"gsp-{uuid.uuid4().hex[:8]}")
    graph = f"https://example.org/graph/clients/{uuid.uuid4().hex}"
    url, auth = server.url("/graphs"), httpx.BasicAuth("me", server.token or "")
    put = httpx.put(
        url,
        params={"graph": graph},
        content=data.serialize(format="turtle").encode(),
        headers={"Content-Type": "text/turtle"},
        auth=auth,
        timeout=60,
    )
    assert put.status_code == 201, put.text
    stored = httpx.get(url, params={"graph": graph}, headers={"Accept": "text/turtle"}, timeout=60)
    assert (URIRef(iri), RDF.type, URIRef(f"{BPF}CityMapping")) in Graph().parse(data=stored.text)
    assert httpx.delete(url, params={"graph": graph}, auth=auth, timeout=60).status_code == 204


# -- rdflib's stores ---------------------------------------------------------------------------


def test_rdflib_sparqlstore_reads(server: BpfgraphServer):
    store = SPARQLStore(server.url("/sparql"))
    union = Graph(store=store)
    assert len(list(union.subjects(RDF.type, URIRef(f"{BPF}CoreProcess")))) >= CORE
    rows = list(union.query(PROCESSES))
    assert len(rows) == CORE
    example = Graph(store=store, identifier=URIRef(EXAMPLE_GRAPH))
    assert (None, RDF.type, URIRef(f"{BPF}CityMapping")) in example
    assert len(example) == len(Graph().parse(ROOT / "data/examples/aldermoor.ttl"))
    graphs = {str(g.identifier if isinstance(g, Graph) else g) for g in store.contexts()}
    assert EXAMPLE_GRAPH in graphs and FRAMEWORK_GRAPH in graphs


@pytest.fixture()
def update_store(server: BpfgraphServer) -> Iterator[SPARQLUpdateStore]:
    endpoint = server.url("/sparql")
    store = SPARQLUpdateStore(endpoint, endpoint, auth=("rdflib", server.token or ""))
    yield store
    store.close()


@pytest.fixture(scope="module")
def remote_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    """``bpfgraph serve`` over a remote store (a real Oxigraph server), the examples stored."""
    tmp = tmp_path_factory.mktemp("clients-remote")
    oxigraph = OxigraphServer(tmp / "oxigraph")
    env = {
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": oxigraph.query_url,
        "BPFGRAPH_SPARQL_UPDATE_URL": oxigraph.update_url,
        "BPFGRAPH_SPARQL_GRAPH_STORE_URL": oxigraph.graph_store_url,
        "BPFGRAPH_LOAD_CITIES": "false",
    }
    app = BpfgraphServer(tmp / "app", env=env)
    try:
        app.store_examples()
        yield app
    finally:
        app.stop()
        oxigraph.stop()


@pytest.fixture(params=["embedded", "remote"])
def any_store(request: pytest.FixtureRequest) -> Iterator[SPARQLUpdateStore]:
    """rdflib's update store on the service, over its embedded store and over a remote one."""
    name = "server" if request.param == "embedded" else "remote_server"
    served: BpfgraphServer = request.getfixturevalue(name)
    endpoint = served.url("/sparql")
    store = SPARQLUpdateStore(endpoint, endpoint, auth=("rdflib", served.token or ""))
    yield store
    store.close()


def test_rdflib_dataset_write_flow(any_store: SPARQLUpdateStore):
    iri, data = mapping(f"rdflib-{uuid.uuid4().hex[:8]}")
    name = URIRef(f"https://example.org/graph/clients/{uuid.uuid4().hex}")
    dataset = Dataset(store=any_store)
    graph = dataset.graph(name)  # CREATE GRAPH: a new graph
    assert len(list(graph.triples((None, None, None)))) == 0
    graph += data  # one INSERT DATA: the mapping is validated as a whole
    again = dataset.graph(name)  # CREATE GRAPH of a graph that exists: a no-op
    assert len(list(again.triples((None, None, None)))) == len(data)
    assert (URIRef(iri), RDF.type, URIRef(f"{BPF}CityMapping")) in again
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(next(iter(again.query(count)))[0]) == len(data)
    in_graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
    union = Dataset(store=any_store, default_union=True)
    assert int(next(iter(union.query(in_graph)))[0]) == len(data)
    note = (URIRef(iri), RDFS.comment, Literal("checked by rdflib", lang="en"))
    graph.add(note)
    assert note in graph
    graph.remove(note)
    assert note not in graph and len(list(graph.triples((None, None, None)))) == len(data)
    dataset.remove_graph(graph)  # DROP GRAPH
    assert name not in {g.identifier for g in dataset.contexts()}
    assert len(list(dataset.graph(name).triples((None, None, None)))) == 0
    dataset.remove_graph(dataset.graph(name))


def test_rdflib_transaction_is_one_update(server: BpfgraphServer):
    # without autocommit, rdflib joins the edits with ";", each update() starting with PREFIX
    # lines (a prologue after ";", which Oxigraph's parser alone would refuse)
    endpoint = server.url("/sparql")
    store = SPARQLUpdateStore(endpoint, endpoint, auth=("rdflib", server.token), autocommit=False)
    iri, data = mapping(f"rdflib-tx-{uuid.uuid4().hex[:8]}")
    first = URIRef(f"https://example.org/graph/clients/{uuid.uuid4().hex}")
    second = URIRef(f"https://example.org/graph/clients/{uuid.uuid4().hex}")
    dataset = Dataset(store=store)
    dataset.graph(first).__iadd__(data)
    dataset.graph(second)
    store.update(f"INSERT DATA {{ GRAPH <{second}> {{ <x:a> <x:b> 'c'^^xsd:string }} }}")
    store.commit()
    assert (URIRef(iri), RDF.type, URIRef(f"{BPF}CityMapping")) in dataset.graph(first)
    assert len(list(dataset.graph(second).triples((None, None, None)))) == 1
    dataset.remove_graph(dataset.graph(first))
    dataset.remove_graph(dataset.graph(second))
    store.commit()
    assert not {first, second} & {g.identifier for g in dataset.contexts()}


def test_rdflib_opens_an_existing_graph(any_store: SPARQLUpdateStore):
    dataset = Dataset(store=any_store)
    for _ in range(2):
        example = dataset.graph(URIRef(EXAMPLE_GRAPH))
        assert (None, RDF.type, URIRef(f"{BPF}CityMapping")) in example


def test_rdflib_meets_the_write_gate(update_store: SPARQLUpdateStore):
    dataset = Dataset(store=update_store)
    framework = dataset.graph(URIRef(FRAMEWORK_GRAPH))  # opening it writes nothing
    with pytest.raises(urllib.error.HTTPError) as refused:
        framework.add((URIRef("x:a"), URIRef("x:b"), URIRef("x:c")))
    assert refused.value.code == 403
    # rdflib keeps a refused edit and would send it again with the next one: drop it
    update_store.rollback()
    name = URIRef(f"https://example.org/graph/clients/{uuid.uuid4().hex}")
    invalid = Graph().parse(ROOT / "tests/data/mappings/invalid/missing-city.ttl")
    with pytest.raises(urllib.error.HTTPError) as refused:
        dataset.graph(name).__iadd__(invalid)
    assert refused.value.code == 422
    assert b"violations" in refused.value.read()
    update_store.rollback()
    assert len(list(dataset.graph(name).triples((None, None, None)))) == 0


def test_rdflib_with_a_wrong_password_is_refused(server: BpfgraphServer):
    endpoint = server.url("/sparql")
    store = SPARQLUpdateStore(endpoint, endpoint, auth=("rdflib", "wrong"))
    with pytest.raises(urllib.error.HTTPError) as refused:
        Dataset(store=store).graph(URIRef("https://example.org/graph/clients/refused"))
    assert refused.value.code == 401


# -- curl ----------------------------------------------------------------------------------------

CURL = shutil.which("curl")


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    assert CURL is not None, "curl is not installed (scripts/test installs it)"
    return subprocess.run(
        [CURL, "-sS", *args], capture_output=True, text=True, timeout=60, check=True
    )


def _headers(text: str) -> tuple[int, dict[str, str]]:
    lines = text.strip().splitlines()
    status = int(lines[0].split()[1])
    fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    return status, {k.strip().lower(): v.strip() for k, v in fields.items()}


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/", "text/html"),
        ("/id/process/G1", "text/html"),
        ("/def", "text/html"),
        ("/void", "text/turtle"),
        ("/download/all.ttl", "text/turtle"),
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
        ("/health", "application/json"),
    ],
)
def test_curl_head(path: str, media: str, server: BpfgraphServer):
    status, headers = _headers(curl("-I", server.url(path)).stdout)
    assert status == 200
    assert headers["content-type"].startswith(media)
    assert int(headers["content-length"]) > 0


@pytest.mark.parametrize(
    ("accept", "syntax"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_curl_with_accept(accept: str, syntax: str, server: BpfgraphServer):
    done = curl("-D", "-", "-H", f"Accept: {accept}", server.url("/id/process/G1"))
    head, _, body = done.stdout.partition("\n\n")  # (text mode: CRLF read as LF)
    status, headers = _headers(head)
    assert status == 200 and "etag" in headers and "last-modified" in headers
    graph = Graph().parse(data=body, format=syntax)
    assert (URIRef("https://w3id.org/bpfgraph/id/process/G1"), None, None) in graph


def test_curl_writes_with_user_and_token(server: BpfgraphServer):
    graph = f"https://example.org/graph/clients/{uuid.uuid4().hex}"
    user = f"curl:{server.token}"
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <x:a> <x:b> <x:c> }} }}"
    done = curl(
        "-u",
        user,
        "-w",
        "%{http_code}",
        "--data-urlencode",
        f"update={update}",
        server.url("/sparql"),
    )
    assert done.stdout == "204"
    ask = f"ASK {{ GRAPH <{graph}> {{ <x:a> <x:b> <x:c> }} }}"
    asked = curl("-G", "--data-urlencode", f"query={ask}", server.url("/sparql"))
    assert json.loads(asked.stdout)["boolean"] is True
    dropped = curl(
        "-u", user, "-w", "%{http_code}", "-X", "DELETE", server.url("/graphs") + f"?graph={graph}"
    )
    assert dropped.stdout == "204"
    refused = curl(
        "-u",
        "curl:wrong",
        "-w",
        "%{http_code}",
        "-o",
        "/dev/null",
        "--data-urlencode",
        f"update={update}",
        server.url("/sparql"),
    )
    assert refused.stdout == "401"
