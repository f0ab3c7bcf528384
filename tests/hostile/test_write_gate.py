"""One write gate for every way in: SPARQL Update (direct, form, with protocol datasets) never
changes a framework graph, never leaves an invalid city mapping stored, and answers its errors
per SPARQL 1.1 Update with a 4xx in plain words. Run against one real server; the last test
checks that the process that answered everything is still the same one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import ROOT
from ..servers import BpfgraphServer

FW = "https://w3id.org/bpfgraph/graph/"
FRAMEWORK_GRAPHS = [FW + g for g in ("framework", "ontology", "shapes", "inferred", "meta")]
USER = "https://example.org/gate/user"
MAPPING = "https://example.org/gate/aldermoor"
TRIPLE = "<https://example.org/a> <https://example.org/b> <https://example.org/c>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("gate"), env={"BPFGRAPH_LOAD_CITIES": "false"})
    srv.first_pid = httpx.get(srv.url("/health")).json()["pid"]  # type: ignore[attr-defined]
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: BpfgraphServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        yield c


def update(client: httpx.Client, server: BpfgraphServer, text: str, route: str = "direct"):
    if route == "form":
        return client.post("/sparql", data={"update": text}, headers=server.auth)
    # with a protocol dataset naming a framework graph, GRAPH ?g reaches it
    params = {"using-graph-uri": USER, "using-named-graph-uri": FW + "framework"}
    params = params if route == "using" else None
    return client.post(
        "/sparql",
        content=text.encode(),
        params=params,
        headers={"Content-Type": "application/sparql-update", **server.auth},
    )


def fingerprint(client: httpx.Client, graph: str) -> str:
    rows = client.get(
        "/sparql",
        params={"query": f"SELECT ?s ?p ?o {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "text/tab-separated-values"},
    ).text.splitlines()[1:]
    return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest() + f"/{len(rows)}"


@pytest.fixture
def framework(client: httpx.Client) -> Iterator[None]:
    """The framework graphs are exactly as they were after the test."""
    before = {g: fingerprint(client, g) for g in FRAMEWORK_GRAPHS}
    assert all(not f.endswith("/0") for g, f in before.items() if not g.endswith("meta"))
    yield
    after = {g: fingerprint(client, g) for g in FRAMEWORK_GRAPHS}
    assert after == before


def _touching(graph: str) -> list[tuple[str, str]]:
    """Updates that would change ``graph`` (id, text)."""
    return [
        ("insert-data", f"INSERT DATA {{ GRAPH <{graph}> {{ {TRIPLE} }} }}"),
        ("delete-where", f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
        ("drop", f"DROP GRAPH <{graph}>"),
        ("clear-silent", f"CLEAR SILENT GRAPH <{graph}>"),
        ("copy-to", f"COPY <{USER}> TO <{graph}>"),
        ("move-to", f"MOVE <{USER}> TO <{graph}>"),
        ("add-to", f"ADD <{USER}> TO <{graph}>"),
        ("move-from", f"MOVE <{graph}> TO <{USER}>"),
        ("with", f"WITH <{graph}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"),
        (
            "prefixed",
            f"PREFIX g: <{FW}> INSERT DATA {{ GRAPH g:{graph.rsplit('/', 1)[1]} {{ {TRIPLE} }} }}",
        ),
        (
            "escaped-iri",
            "INSERT DATA { GRAPH <\\u0068ttps" + graph[5:] + "> { " + TRIPLE + " } }",
        ),
        (
            "escaped-iri-long",
            "INSERT DATA { GRAPH <\\U00000068ttps" + graph[5:] + "> { " + TRIPLE + " } }",
        ),
        (
            "commented-prefix",
            f"PREFIX # a comment\n g: <{FW}> INSERT DATA {{ GRAPH g:{graph.rsplit('/', 1)[1]} {{ {TRIPLE} }} }}",
        ),
        (
            "base-relative",
            f"BASE <{FW}> INSERT DATA {{ GRAPH <{graph.rsplit('/', 1)[1]}> {{ {TRIPLE} }} }}",
        ),
        (
            "values-graph",
            f"INSERT {{ GRAPH ?g {{ {TRIPLE} }} }} WHERE {{ VALUES ?g {{ <{graph}> }} }}",
        ),
        (
            "bind-graph",
            f"INSERT {{ GRAPH ?g {{ {TRIPLE} }} }} WHERE {{ BIND(IRI('{graph}') AS ?g) }}",
        ),
        (
            "after-cr-comment",
            f"INSERT DATA {{ GRAPH <{USER}> {{ {TRIPLE} }} }} #\r ; "
            f"INSERT DATA {{ GRAPH <{graph}> {{ {TRIPLE} }} }}",
        ),
        (
            "dot-segments",
            f"INSERT DATA {{ GRAPH <{FW}mapping/../{graph.rsplit('/', 1)[1]}> {{ {TRIPLE} }} }}",
        ),
        (
            "second-operation",
            f"INSERT DATA {{ GRAPH <{USER}> {{ {TRIPLE} }} }} ; DROP GRAPH <{graph}>",
        ),
        (
            "delete-insert",
            f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{graph}> {{ ?s ?p 'x' }} }}"
            f" WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
        ),
    ]


ANY_GRAPH = [
    ("variable-delete", "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("variable-insert", f"INSERT {{ GRAPH ?g {{ {TRIPLE} }} }} WHERE {{ GRAPH ?g {{ }} }}"),
    ("delete-where-variable", "DELETE WHERE { GRAPH ?g { ?s a ?t } }"),
]
CASES = [
    pytest.param(text, route, id=f"{route}-{name}-{graph.rsplit('/', 1)[1]}")
    for graph in FRAMEWORK_GRAPHS[:3]
    for name, text in _touching(graph)
    for route in ("direct", "form")
] + [
    pytest.param(text, route, id=f"{route}-{name}")
    for name, text in ANY_GRAPH
    for route in ("direct", "form", "using")
]


@pytest.mark.usefixtures("framework")
@pytest.mark.parametrize(("text", "route"), CASES)
def test_no_update_changes_a_framework_graph(text, route, client, server):
    assert (
        update(client, server, f"INSERT DATA {{ GRAPH <{USER}> {{ {TRIPLE} }} }}").status_code
        == 204
    )
    before = fingerprint(client, USER)
    response = update(client, server, text, route)
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["status"] == 403 and "read-only" in body["error"] and FW in body["error"]
    assert fingerprint(client, USER) == before  # nothing of the update was written


@pytest.mark.usefixtures("framework")
@pytest.mark.parametrize(
    "text",
    ["DROP ALL", "CLEAR ALL", "DROP SILENT NAMED", "CLEAR NAMED", "drop all", "DROP\r#x\rALL"],
)
def test_drop_all_spares_the_framework(text, client, server):
    assert (
        update(client, server, f"INSERT DATA {{ GRAPH <{USER}> {{ {TRIPLE} }} }}").status_code
        == 204
    )
    assert update(client, server, text).status_code == 204
    assert fingerprint(client, USER).endswith("/0")
    named = client.get("/queries/process", params={"notation": "C7"})
    assert named.status_code == 200 and "C7" in named.text


def _store_mapping(client: httpx.Client, server: BpfgraphServer) -> str:
    body = (ROOT / "data" / "examples" / "aldermoor.ttl").read_bytes()
    r = client.put(
        "/graphs",
        params={"graph": MAPPING},
        content=body,
        headers={"Content-Type": "text/turtle", **server.auth},
    )
    assert r.status_code in (201, 204), r.text
    return fingerprint(client, MAPPING)


MAPPING_IRI = "https://example.org/city/aldermoor/bpf-mapping/mapping"
BREAKING = [
    (
        "remove-city",
        f"DELETE WHERE {{ GRAPH <{MAPPING}> {{ ?m <https://w3id.org/bpfgraph/def#city> ?c }} }}",
    ),
    (
        "bad-rating",
        f"PREFIX bpf: <https://w3id.org/bpfgraph/def#> DELETE {{ GRAPH <{MAPPING}> {{ ?s bpf:achievementRating ?r }} }} "
        f"INSERT {{ GRAPH <{MAPPING}> {{ ?s bpf:achievementRating 'Q' }} }} WHERE {{ GRAPH <{MAPPING}> {{ ?s bpf:achievementRating ?r }} }}",
    ),
    (
        "variable-graph",
        "DELETE { GRAPH ?g { ?m <https://w3id.org/bpfgraph/def#city> ?c } } WHERE { GRAPH ?g { ?m <https://w3id.org/bpfgraph/def#city> ?c } }",
    ),
    (
        "second-mapping-label",
        f"DELETE {{ GRAPH <{MAPPING}> {{ ?m <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }} "
        f"WHERE {{ GRAPH <{MAPPING}> {{ ?m a <https://w3id.org/bpfgraph/def#CityMapping> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l } }",
    ),
]


@pytest.mark.parametrize(("name", "text"), BREAKING, ids=[b[0] for b in BREAKING])
@pytest.mark.parametrize("route", ["direct", "form"])
def test_an_update_cannot_leave_a_mapping_invalid(name, text, route, client, server):
    before = _store_mapping(client, server)
    response = update(client, server, text, route)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["report"]["conforms"] is False
    assert MAPPING in body["error"] and "nothing was changed" in body["error"]
    assert fingerprint(client, MAPPING) == before


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { GRAPH <https://example.org/gate/new> { <https://example.org/m> a <https://w3id.org/bpfgraph/def#CityMapping> } }",
        f"COPY <{MAPPING}> TO <https://example.org/gate/copy> ; DELETE WHERE {{ GRAPH <https://example.org/gate/copy> {{ ?m <https://w3id.org/bpfgraph/def#city> ?c }} }}",
    ],
    ids=["new-mapping-graph", "copied-then-broken"],
)
def test_an_update_cannot_create_an_invalid_mapping_graph(text, client, server):
    _store_mapping(client, server)
    response = update(client, server, text)
    assert response.status_code == 422, response.text
    graphs = client.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g {} }"}).text
    assert "gate/new" not in graphs and "gate/copy" not in graphs


def test_an_rdf_star_term_is_refused_and_changes_nothing(client, server):
    before = _store_mapping(client, server)
    text = (
        f"DELETE WHERE {{ GRAPH <{MAPPING}> {{ ?m <https://w3id.org/bpfgraph/def#city> ?c }} }} ; "
        "INSERT DATA { GRAPH <https://example.org/gate/star> "
        "{ <urn:a> <urn:b> <<( <urn:s> <urn:p> <urn:o> )>> } }"
    )
    response = update(client, server, text)
    assert response.status_code == 400 and "triple term" in response.json()["error"]
    for _ in range(8):  # every worker answers from the store as it is
        assert fingerprint(client, MAPPING) == before


BAD_IRIS = ["urn:a\nb", "urn:a\tb", "urn:a%zz", "1:x", "http://[::1", "urn:a\x7fb", "urn:a b"]


@pytest.mark.parametrize("iri", BAD_IRIS)
@pytest.mark.parametrize("method", ["PUT", "POST", "GET", "DELETE"])
def test_graph_store_iris_are_checked(iri, method, client, server):
    response = client.request(
        method,
        "/graphs",
        params={"graph": iri},
        content=TRIPLE.encode() + b" ." if method in ("PUT", "POST") else None,
        headers={"Content-Type": "application/n-triples", **server.auth},
    )
    assert response.status_code == 400, response.text
    assert "IRI" in response.json()["error"]


def test_a_mapping_in_the_default_graph_is_refused(client, server):
    text = "INSERT DATA { <https://example.org/m> a <https://w3id.org/bpfgraph/def#CityMapping> }"
    response = update(client, server, text)
    assert response.status_code == 400 and "default graph" in response.json()["error"]


def test_a_valid_update_of_a_mapping_is_written_with_its_summary_and_provenance(client, server):
    _store_mapping(client, server)
    text = (
        f"INSERT DATA {{ GRAPH <{MAPPING}> {{ <{MAPPING_IRI}> "
        "<http://www.w3.org/2000/01/rdf-schema#comment> 'reviewed'@en } }"
    )
    assert update(client, server, text).status_code == 204
    ask = (
        f"ASK {{ GRAPH <{MAPPING}> {{ ?m <http://www.w3.org/2000/01/rdf-schema#comment> 'reviewed'@en }} "
        f"GRAPH <{FW}provenance> {{ <{MAPPING}> <http://www.w3.org/ns/prov#generatedAtTime> ?t }} }}"
    )
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    ratings = client.get("/queries/mapping-ratings", params={"mapping": MAPPING_IRI})
    assert ratings.status_code == 200, ratings.text
    assert len(ratings.json()["results"]["bindings"]) >= 21  # the summary was derived again


ERRORS = [
    # creating a graph that exists is a no-op (rdflib's Dataset.graph(iri) sends it)
    ("CREATE GRAPH <{user}>", 204, ""),
    ("DROP GRAPH <https://example.org/gate/missing>", 404, "does not exist"),
    ("CLEAR GRAPH <https://example.org/gate/missing>", 404, "does not exist"),
    ("MOVE <https://example.org/gate/missing> TO <{user}>", 404, "does not exist"),
    ("COPY <https://example.org/gate/missing> TO <{user}>", 404, "does not exist"),
    ("ADD GRAPH <https://example.org/gate/missing> TO <{user}>", 404, "does not exist"),
    ("PREFIX e: <https://example.org/gate/> COPY e:missing TO <{user}>", 404, "does not exist"),
    ("INSERT DATA {{ <x:a> <x:b> }}", 400, "invalid SPARQL update"),
    ("DROP SILENT GRAPH <https://example.org/gate/missing>", 204, ""),
    ("COPY SILENT <https://example.org/gate/missing> TO <{user}>", 204, ""),
    ("CREATE SILENT GRAPH <{user}>", 204, ""),
]


@pytest.mark.parametrize(("text", "status", "words"), ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_update_errors_are_client_errors_in_plain_words(text, status, words, client, server):
    assert (
        update(client, server, f"INSERT DATA {{ GRAPH <{USER}> {{ {TRIPLE} }} }}").status_code
        == 204
    )
    response = update(client, server, text.format(user=USER))
    assert response.status_code == status, response.text
    if words:
        body = response.json()
        assert words in body["error"] and "Error" not in body["error"]


def test_two_authorization_headers_are_refused(client, server):
    headers = [
        ("Authorization", f"Bearer {server.token}"),
        ("Authorization", "Bearer other"),
        ("Content-Type", "application/sparql-update"),
    ]
    response = client.post("/sparql", content=b"CLEAR SILENT DEFAULT", headers=headers)
    assert response.status_code == 400 and "Authorization" in response.json()["error"]


def test_the_process_survived_everything(client, server):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["pid"] == server.first_pid  # type: ignore[attr-defined]


@pytest.mark.parametrize("token", ["", " ", "\t \n"], ids=["empty", "space", "whitespace"])
def test_a_blank_write_token_stops_serve_with_a_clear_line(token: str, tmp_path: Path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "BPFGRAPH_WRITE_TOKEN": token, "BPFGRAPH_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bpfgraph.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "BPFGRAPH_WRITE_TOKEN" in done.stderr and "whitespace" in done.stderr
    assert "Traceback" not in done.stderr


CHAIN = "\n".join(f"_:b{i} <https://example.org/next> _:b{i + 1} ." for i in range(3000))


@pytest.mark.parametrize(
    ("path", "accept", "syntax"),
    [
        ("/download/mappings.ttl", None, "turtle"),
        ("/download/all.ttl", None, "turtle"),
        ("/download/mappings.jsonld", None, "json-ld"),
        ("/download/all.rdf", None, "xml"),
        ("/download/mappings.trig", None, "trig"),
        ("/graphs?graph=https://example.org/gate/chain", "text/turtle", "turtle"),
        ("/graphs?graph=https://example.org/gate/chain", "application/ld+json", "json-ld"),
        ("/graphs?graph=https://example.org/gate/chain", "application/rdf+xml", "xml"),
    ],
    ids=lambda v: str(v),
)
def test_a_deep_blank_node_chain_still_downloads(path, accept, syntax, client, server):
    from rdflib import Dataset

    # a valid mapping with a chain of 3,000 blank nodes hung off it: in every download (its
    # own IRIs: Aldermoor's parts are another graph's, which a second graph may not describe)
    own = "https://example.org/city/aldermoor/chain-mapping/"
    body = (ROOT / "data" / "examples" / "aldermoor.ttl").read_text().replace(
        "https://example.org/city/aldermoor/bpf-mapping/", own
    ) + (f"\n<{own}mapping> <https://example.org/next> _:b0 .\n{CHAIN}\n")
    r = client.put(
        "/graphs",
        params={"graph": "https://example.org/gate/chain"},
        content=body.encode(),
        headers={"Content-Type": "text/turtle", **server.auth},
    )
    assert r.status_code in (201, 204), r.text
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text[:300]
    parsed = Dataset().parse(data=response.content, format=syntax)
    chain = [q for q in parsed.quads((None, None, None, None)) if str(q[1]).endswith("/next")]
    assert len(chain) == 3001


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_dot_segments_into_the_framework_are_refused_by_the_graph_store(method, client, server):
    response = client.request(
        method,
        "/graphs",
        params={"graph": FW + "mapping/../framework"},
        content=TRIPLE.encode() + b" ." if method != "DELETE" else None,
        headers={"Content-Type": "application/n-triples", **server.auth},
    )
    assert response.status_code == 403, response.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no/such/page", 404), ("DELETE", "/health", 405), ("PUT", "/sparql", 405)],
)
def test_starlette_refusals_answer_in_the_service_format(method, path, status, client):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["status"] == status and response.json()["error"]


STAR = "INSERT DATA { GRAPH <https://example.org/gate/star> { <urn:a> <urn:b> <<( <urn:s> <urn:p> <urn:o> )>> } }"
#: updates whose trial changes the worker's copy before it is refused (the attack's finding:
#: the refused changes stayed in that worker's copy, seen by later queries and merged into the
#: store by a later write on that worker)
REFUSED_AFTER_CHANGES = [
    (
        "delete-mapping-triple",
        f"DELETE WHERE {{ GRAPH <{MAPPING}> {{ ?m <https://w3id.org/bpfgraph/def#city> ?c }} }} ; {STAR}",
    ),
    (
        "insert-plain-graph",
        "INSERT DATA { GRAPH <https://example.org/gate/plain> { <urn:evil> <urn:p> <urn:o> } } ; "
        + STAR,
    ),
    ("drop-plain-graph", "DROP GRAPH <https://example.org/gate/plain> ; " + STAR),
]


@pytest.mark.parametrize(
    ("name", "text"), REFUSED_AFTER_CHANGES, ids=[r[0] for r in REFUSED_AFTER_CHANGES]
)
def test_a_refused_update_leaves_no_trace_in_any_worker(name, text, client, server):
    before = _store_mapping(client, server)
    plain = "https://example.org/gate/plain"
    seed = f"INSERT DATA {{ GRAPH <{plain}> {{ <urn:good> <urn:p> <urn:o> }} }}"
    assert update(client, server, seed).status_code == 204
    response = update(client, server, text)
    assert response.status_code == 400, response.text
    for i in range(12):  # different texts: not answered from the cache; every worker in turn
        query = f"SELECT ?s ?p ?o {{ GRAPH <{MAPPING}> {{ ?s ?p ?o }} }} # {name} {i}"
        rows = client.get(
            "/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"}
        ).text.splitlines()[1:]
        assert (
            hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest() + f"/{len(rows)}" == before
        )
        ask = f"ASK {{ GRAPH <{plain}> {{ <urn:good> ?p ?o }} FILTER NOT EXISTS {{ GRAPH <{plain}> {{ <urn:evil> ?q ?r }} }} }} # {i}"
        assert (
            client.get(
                "/sparql",
                params={"query": ask},
                headers={"Accept": "application/sparql-results+json"},
            ).json()["boolean"]
            is True
        )
    for i in range(12):  # later writes on every worker merge nothing refused into the store
        extra = f"INSERT DATA {{ GRAPH <{plain}> {{ <urn:good> <urn:p> <urn:o{i}> }} }}"
        assert update(client, server, extra).status_code == 204
    stored = client.get(
        "/graphs", params={"graph": plain}, headers={"Accept": "application/n-triples"}
    ).text
    assert "urn:good" in stored and "urn:evil" not in stored
    assert update(client, server, f"DROP GRAPH <{plain}>").status_code == 204
