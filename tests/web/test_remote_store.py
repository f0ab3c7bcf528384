"""The service's SPARQL endpoint over a remote store on two engines (a real Oxigraph server and
a real Virtuoso 7 on loopback), both ways of giving queries the union of all graphs: naming
every graph in the protocol dataset (portable) and relying on a store whose default graph is
the union (``BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH``; Virtuoso's always is). Pages, downloads,
VoID and credentials over Virtuoso: test_virtuoso_store.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..servers import BpfgraphServer, OxigraphServer, VirtuosoServer

ROOT = Path(__file__).resolve().parents[2]
VALDORIA = "https://example.org/graph/valdoria"
COUNT_MAPPINGS = (
    "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a <https://w3id.org/bpfgraph/def#CityMapping> }"
)


@pytest.fixture(params=["listed", "union", "virtuoso-listed", "virtuoso"], scope="module")
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BpfgraphServer]:
    union = request.param.endswith("union") or request.param == "virtuoso"
    tmp = tmp_path_factory.mktemp(request.param)
    store: OxigraphServer | VirtuosoServer
    if request.param.startswith("virtuoso"):
        store = VirtuosoServer(tmp / "virtuoso")
        env = {"BPFGRAPH_SPARQL_UPDATE_URL": store.update_url}
    else:
        store = OxigraphServer(tmp / "oxigraph", union=union)
        env = {
            "BPFGRAPH_SPARQL_UPDATE_URL": store.update_url,
            "BPFGRAPH_SPARQL_GRAPH_STORE_URL": store.graph_store_url,
        }
    env |= {
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": store.query_url,
        "BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH": "true" if union else "false",
        "BPFGRAPH_LOAD_CITIES": "false",
    }
    app = BpfgraphServer(tmp / "app", env=env)
    r = httpx.put(
        app.url("/graphs"),
        params={"graph": VALDORIA},
        content=(ROOT / "data" / "examples" / "valdoria.ttl").read_bytes(),
        headers={"Content-Type": "text/turtle", **app.auth},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    yield app
    app.stop()
    store.stop()


def count(app: BpfgraphServer, query: str, **params: str) -> int:
    r = httpx.get(
        app.url("/sparql"),
        params={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_queries_see_the_union_of_all_graphs(service: BpfgraphServer) -> None:
    assert count(service, COUNT_MAPPINGS) == 1
    processes = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/bpfgraph/def#BusinessProcess> }"
    assert count(service, processes) == 21  # the framework and its entailments, other graphs


def test_a_dataset_the_client_names_is_respected(service: BpfgraphServer) -> None:
    framework = "https://w3id.org/bpfgraph/graph/framework"
    assert count(service, COUNT_MAPPINGS, **{"default-graph-uri": VALDORIA}) == 1
    assert count(service, COUNT_MAPPINGS, **{"default-graph-uri": framework}) == 0


def test_named_queries_over_the_remote_store(service: BpfgraphServer) -> None:
    r = httpx.get(
        service.url("/queries/mapping-practice-coverage"),
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) == 14


FRAMEWORK = "https://w3id.org/bpfgraph/graph/framework"
#: updates that reach a framework graph behind text read two ways (the attack's finding: on a
#: remote store ``1<xsd:string('>')`` hid the rest of its line from the write gate: 204 and a
#: triple written into the framework); variants of where the ambiguous ``<`` stands
HIDDEN_FRAMEWORK_WRITES = [
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> INSERT { <urn:x> <urn:x> <urn:x> } WHERE "
    "{ FILTER(1<xsd:string('>')) } ; INSERT DATA { GRAPH <%s> { <urn:pwned> <urn:p> <urn:o> } }",
    "INSERT { <urn:x> <urn:x> <urn:x> } WHERE { FILTER(1<'>') } ; "
    "INSERT DATA { GRAPH <%s> { <urn:pwned> <urn:p> <urn:o> } }",
    "INSERT { GRAPH <%s> { <urn:pwned> <urn:p> ?o } } WHERE { BIND(1<='>' AS ?o) }",
    "INSERT { <urn:x> <urn:x> <urn:x> } WHERE { FILTER(2<a#>1) } # '''\n"
    "; INSERT DATA { GRAPH <%s> { <urn:pwned> <urn:p> <urn:o> } }",
]


@pytest.mark.parametrize("text", HIDDEN_FRAMEWORK_WRITES)
def test_a_framework_write_hidden_in_ambiguous_text_is_refused(
    text: str, service: BpfgraphServer
) -> None:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{FRAMEWORK}> {{ ?s ?p ?o }} }}"
    before = count(service, query)
    r = httpx.post(
        service.url("/sparql"),
        content=(text % FRAMEWORK).encode(),
        headers={"Content-Type": "application/sparql-update", **service.auth},
        timeout=60,
    )
    assert r.status_code in (400, 403), r.text
    assert count(service, query + " # after") == before
    pwned = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <urn:pwned> ?p ?o } }"
    assert count(service, pwned) == 0


#: a client's mistakes in an update are the client's (400), not the store's failure (503)
BAD_UPDATES = [
    ("INSERT DATA { <urn:a> <urn:b> }", 400),
    ("DELETE WHERE { ?s ?p }", 400),
    ("DROP GRAPH <https://example.org/graph/never-there>", 404),
    ("INSERT DATA { <urn:a> <urn:b> 'unterminated }", 400),
]


@pytest.mark.parametrize(("text", "status"), BAD_UPDATES)
def test_a_bad_update_is_the_clients_mistake(
    text: str, status: int, service: BpfgraphServer
) -> None:
    r = httpx.post(
        service.url("/sparql"),
        content=text.encode(),
        headers={"Content-Type": "application/sparql-update", **service.auth},
        timeout=60,
    )
    assert r.status_code == status, r.text
    assert r.json()["status"] == status and "refused the update" in r.json()["error"]
    assert "Traceback" not in r.text


#: updates sent as queries, with no token (the attack's finding: Virtuoso's query endpoint ran
#: them, past the token, the framework's protection and the SHACL gate)
UPDATES_AS_QUERIES = [
    "INSERT DATA { GRAPH <%s> { <urn:pwned> <urn:p> 'q' } }",
    "PREFIX e: <urn:e:> INSERT { GRAPH <%s> { <urn:pwned> <urn:p> ?o } } WHERE { BIND(1 AS ?o) }",
    "delete where { GRAPH <%s> { ?s <http://www.w3.org/2004/02/skos/core#notation> ?o } }",
    "# a comment first\nDROP SILENT GRAPH <%s>",
    "CLEAR GRAPH <%s>",
]


@pytest.mark.parametrize("how", ["get", "form", "direct"])
@pytest.mark.parametrize("text", UPDATES_AS_QUERIES)
def test_an_update_sent_as_a_query_is_refused(text: str, how: str, service: BpfgraphServer):
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{FRAMEWORK}> {{ ?s ?p ?o }} }}"
    before = count(service, query)
    body = text % FRAMEWORK
    if how == "get":
        r = httpx.get(service.url("/sparql"), params={"query": body}, timeout=60)
    elif how == "form":
        r = httpx.post(service.url("/sparql"), data={"query": body}, timeout=60)
    else:
        headers = {"Content-Type": "application/sparql-query"}
        r = httpx.post(service.url("/sparql"), content=body.encode(), headers=headers, timeout=60)
    assert r.status_code == 400, r.text
    assert count(service, query + f" # {how}") == before
    pwned = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <urn:pwned> ?p ?o } }"
    assert count(service, pwned + f" # {how}") == 0


def test_queries_that_name_update_words_elsewhere_still_run(service: BpfgraphServer) -> None:
    query = (
        "PREFIX e: <urn:e:> SELECT (COUNT(*) AS ?n) WHERE { ?insert e:delete ?drop "
        "FILTER(?drop != 'CLEAR ALL') } # INSERT DATA"
    )
    assert count(service, query) == 0
