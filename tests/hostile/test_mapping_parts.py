"""A city mapping's parts are described by its own graph only: every way of writing another
graph that would describe them — the same mapping stored twice, a date, a city or a process
mapping slipped into an unvalidated graph or the default graph, a new mapping reusing another's
part IRIs — is refused with 409 naming the part and the graph, and nothing changes (the
timeline, the city page, every graph). Shared resources (the city, an organisation) and the
moves and replacements a city makes stay allowed. Run against one real server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest

from ..conftest import ROOT
from ..servers import BpfgraphServer

ALDERMOOR = (ROOT / "data" / "examples" / "aldermoor.ttl").read_text()
A = "https://example.org/parts/aldermoor"
B = "https://example.org/parts/other"
M = "https://example.org/city/aldermoor/bpf-mapping/mapping"
PM = "https://example.org/city/aldermoor/bpf-mapping/G1"
BPF = "https://w3id.org/bpfgraph/def#"
DATE = f'<{M}> <http://purl.org/dc/terms/modified> "2031-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .'
CITY = f"<{M}> <{BPF}city> <https://example.org/city/elsewhere> ."
PROCESS = f"<{PM}> <{BPF}mapsProcess> <https://w3id.org/bpfgraph/id/process/C1> ."
TYPED = f"<{PM}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BPF}ProcessMapping> ."
LABEL = f'<{M}> <http://www.w3.org/2000/01/rdf-schema#label> "Renamed" .'
ANY = "https://example.org/city/aldermoor/bpf-mapping/"  # some part of Aldermoor's mapping
# the same parts under another mapping IRI: a second mapping claiming Aldermoor's parts
RENAMED = ALDERMOOR.replace("ald:mapping\n", "<https://example.org/other/mapping>\n", 1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("parts"), env={"BPFGRAPH_LOAD_CITIES": "false"})
    put = httpx.put(
        srv.url("/graphs"),
        params={"graph": A},
        content=ALDERMOOR.encode(),
        headers={"Content-Type": "text/turtle", **srv.auth},
        timeout=60,
    )
    assert put.status_code == 201, put.text
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: BpfgraphServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        yield c


def state(client: httpx.Client) -> str:
    """Every quad the store holds (provenance times aside), the timeline and the city page."""
    rows = client.get(
        "/sparql",
        params={
            "query": "SELECT ?g ?s ?p ?o { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } "
            "FILTER (!BOUND(?g) || ?g != <https://w3id.org/bpfgraph/graph/provenance>) }"
        },
        headers={"Accept": "text/tab-separated-values"},
    ).text.splitlines()
    digest = hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()
    timeline = client.get("/queries/city-timeline", headers={"Accept": "text/csv"}).text
    page = client.get("/city", params={"mapping": M}).text
    return f"{digest}/{len(rows)}\n{timeline}\n{hashlib.sha256(page.encode()).hexdigest()}"


def gsp(method: str, graph: str | None, body: str, fmt: str = "text/turtle"):
    """A Graph Store Protocol request (None: the default graph)."""

    def send(client: httpx.Client, server: BpfgraphServer) -> httpx.Response:
        params = {"graph": graph} if graph else {"default": ""}
        headers = {"Content-Type": fmt, **server.auth}
        return client.request(method, "/graphs", params=params, content=body, headers=headers)

    return send


def sparql(text: str):
    """A SPARQL Update."""

    def send(client: httpx.Client, server: BpfgraphServer) -> httpx.Response:
        headers = {"Content-Type": "application/sparql-update", **server.auth}
        return client.post("/sparql", content=text.encode(), headers=headers)

    return send


def insert(triples: str, graph: str | None) -> str:
    return (
        f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}"
        if graph
        else f"INSERT DATA {{ {triples} }}"
    )


# (id, request, the part the refusal names)
REFUSED = [
    ("put-same-mapping-twice", gsp("PUT", B, ALDERMOOR), ANY),
    ("post-same-mapping-twice", gsp("POST", B, ALDERMOOR), ANY),
    ("copy-graph", sparql(f"COPY <{A}> TO <{B}>"), ANY),
    ("add-graph", sparql(f"ADD <{A}> TO <{B}>"), ANY),
    ("put-renamed-mapping-same-parts", gsp("PUT", B, RENAMED), ANY),
    *[
        (f"{how}-{what}", request, part)
        for what, triples, part in [
            ("date", DATE, M),
            ("city", CITY, M),
            ("label", LABEL, M),
            ("process", PROCESS, PM),
            ("typed-part", TYPED, PM),
        ]
        for how, request in [
            ("put", gsp("PUT", B, triples, "application/n-triples")),
            ("post", gsp("POST", B, triples, "application/n-triples")),
            ("insert", sparql(insert(triples, B))),
            ("put-default", gsp("PUT", None, triples, "application/n-triples")),
            ("post-default", gsp("POST", None, triples, "application/n-triples")),
            ("insert-default", sparql(insert(triples, None))),
        ]
    ],
    (
        "insert-where",
        sparql(
            f"INSERT {{ GRAPH <{B}> {{ ?m <x:p> 1 }} }} WHERE {{ GRAPH ?g {{ ?m a <{BPF}CityMapping> }} }}"
        ),
        M,
    ),
]


@pytest.mark.parametrize(
    ("request_", "part"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_refused(client: httpx.Client, server: BpfgraphServer, request_, part: str) -> None:
    before = state(client)
    response = request_(client, server)
    assert response.status_code == 409, response.text
    message = (
        response.json()["error"] if "json" in response.headers["content-type"] else response.text
    )
    assert (
        f"<{part}" in message and "own graph only" in message and "nothing was changed" in message
    )
    assert state(client) == before


# writes that touch the mapping's parts only from its own graph, or shared resources only
ALLOWED = [
    ("replace-own-graph", gsp("PUT", A, ALDERMOOR)),
    (
        "date-in-own-graph",
        sparql(insert(DATE.replace("2031", "2025").replace("-01-01", "-06-27"), A)),
    ),
    (
        "city-described-elsewhere",
        gsp(
            "PUT",
            B,
            '<https://example.org/city/aldermoor> <http://www.w3.org/2000/01/rdf-schema#label> "Aldermoor" .',
            "application/n-triples",
        ),
    ),
    (
        "organisation-elsewhere",
        gsp(
            "POST",
            None,
            '<https://example.org/city/aldermoor/bpf-mapping/org-digital-office> <http://www.w3.org/2000/01/rdf-schema#label> "Digital office" .',
            "application/n-triples",
        ),
    ),
]


@pytest.mark.parametrize("request_", [r[1] for r in ALLOWED], ids=[r[0] for r in ALLOWED])
def test_allowed(client: httpx.Client, server: BpfgraphServer, request_) -> None:
    response = request_(client, server)
    assert response.status_code in (200, 201, 204), response.text


def test_a_mapping_moves_in_one_update(client: httpx.Client, server: BpfgraphServer) -> None:
    """MOVE takes the mapping out of its graph as it writes the other: no conflict; and back."""
    for source, target in ((A, B), (B, A)):
        assert sparql(f"MOVE <{source}> TO <{target}>")(client, server).status_code in (200, 204)
        rows = client.get("/queries/city-timeline", headers={"Accept": "text/csv"}).text
        assert rows.count(M) == 21  # one row per process mapped: one assessment, not two


ONE_MAPPING = [
    ("blank-node-mapping", "mapping-without-iri.ttl", 422, "needs an IRI of its own"),
    ("no-process-mapped", "mapping-maps-no-process.ttl", 422, "maps no process yet"),
]


@pytest.mark.parametrize(
    ("case", "status", "said"), [c[1:] for c in ONE_MAPPING], ids=[c[0] for c in ONE_MAPPING]
)
def test_a_mapping_that_would_never_show_is_refused(
    client: httpx.Client, server: BpfgraphServer, case: str, status: int, said: str
) -> None:
    """Stored, it would be in no page and no timeline: refused, as its report says why."""
    body = (ROOT / "tests" / "data" / "mappings" / "invalid" / case).read_bytes()
    for method in ("PUT", "POST"):
        response = gsp(method, "https://example.org/parts/never", body.decode())(client, server)
        assert response.status_code == status, response.text
        assert said in response.text
    assert "https://example.org/parts/never" not in client.get("/graphs").text


def test_two_mappings_in_one_graph_are_refused(client: httpx.Client, server: BpfgraphServer):
    two = (
        (ROOT / "data" / "examples" / "valdoria.ttl").read_text()
        + "\n"
        + (ROOT / "data" / "examples" / "kestrel-bay.ttl").read_text()
    )
    response = gsp("PUT", "https://example.org/parts/two", two)(client, server)
    assert response.status_code == 400, response.text
    assert "exactly one bpf:CityMapping" in response.json()["error"]


FRAMEWORK_TERM = '<https://w3id.org/bpfgraph/id/process/G1> <http://www.w3.org/2004/02/skos/core#prefLabel> "Hacked"@en .'
TERM_WRITES = [
    ("put", gsp("PUT", B, FRAMEWORK_TERM, "application/n-triples")),
    ("post", gsp("POST", B, FRAMEWORK_TERM, "application/n-triples")),
    ("post-default", gsp("POST", None, FRAMEWORK_TERM, "application/n-triples")),
    ("insert", sparql(insert(FRAMEWORK_TERM, B))),
    ("insert-default", sparql(insert(FRAMEWORK_TERM, None))),
]


@pytest.mark.parametrize("request_", [w[1] for w in TERM_WRITES], ids=[w[0] for w in TERM_WRITES])
def test_the_frameworks_terms_are_described_by_the_framework_only(
    client: httpx.Client, server: BpfgraphServer, request_
) -> None:
    """A user graph re-labelling G1 would show on every page that reads the union: 403."""
    before = state(client)
    response = request_(client, server)
    assert response.status_code == 403, response.text
    assert "is the framework's own term" in response.text
    assert state(client) == before
