"""One shared suite, run against every engine: in-memory Oxigraph, Oxigraph on disk (alone and
with the read mirror ``serve`` keeps in memory), a worker's replica of a writer process's store
(``serve --workers N``; a real writer process), and a remote SPARQL 1.1 store on two engines: a
real Oxigraph server on loopback (with and without the Graph Store Protocol, and with its
union default graph) and a real OpenLink Virtuoso 7 (Debian's package; graphs named in each
query, and its own default graph, which is the union)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from bpfgraph import queries
from bpfgraph.framework import INFERRED, META, PARTS, graph_iri
from bpfgraph.loading import ensure_loaded, source_digest, stored_digest
from bpfgraph.settings import Settings
from bpfgraph.store import AskResult, GraphResult, SelectResult, Store, StoreError
from bpfgraph.store.engines import open_store
from bpfgraph.store.oxigraph import OxigraphStore
from bpfgraph.store.remote import RemoteStore
from bpfgraph.store.replica import ReplicaStore
from bpfgraph.store.writer import Writer
from bpfgraph.summaries import mapping_graphs
from bpfgraph.writes import WriteRefused, store_mapping

from .conftest import DATA, ROOT
from .servers import OxigraphServer, VirtuosoServer

ENGINES = [
    "memory",
    "oxigraph",
    "oxigraph-mirror",
    "replica",
    "sparql-gsp",
    "sparql-update",
    "sparql-union",
    "virtuoso",
    "virtuoso-union",
]
EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    srv = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def union_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """An Oxigraph server whose default graph is the union of its named graphs."""
    srv = OxigraphServer(tmp_path_factory.mktemp("oxigraph-union-server"), union=True)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso server with stock settings (and the SPARQL user's update grant)."""
    srv = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield srv
    srv.stop()


def clear(store: RemoteStore) -> None:
    """Drop the graphs a test left: not Virtuoso's own (DROP ALL would take those too), nor the
    framework's (loaded once: no test changes them)."""
    keep = {str(graph_iri(part)) for part in (*PARTS, INFERRED)} | {str(META)}
    for graph in store.graphs():
        if not graph.startswith(VIRTUOSO_OWN) and graph not in keep:
            store.update(f"DROP SILENT GRAPH <{graph}>")


#: where Virtuoso's own graphs are (its virtrdf schema, its DAV folder, its SPARQL endpoint's
#: description, the LDP vocabulary)
VIRTUOSO_OWN = ("http://www.openlinksw.com/", "http://localhost:", "http://www.w3.org/ns/ldp#")


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Writer]:
    """A writer process on a disk store, as ``serve --workers N`` starts it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BPFGRAPH_STORE", "oxigraph")
        mp.setenv("BPFGRAPH_DATA_DIR", str(tmp_path_factory.mktemp("writer")))
        mp.setenv("BPFGRAPH_LOAD_CITIES", "false")
        process = Writer()
    yield process
    process.stop()


@pytest.fixture(params=ENGINES)
def engine_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    kind = request.param
    if kind == "memory":
        store: Store = OxigraphStore(None)
    elif kind == "oxigraph":
        store = OxigraphStore(tmp_path / "store")
    elif kind == "oxigraph-mirror":
        store = OxigraphStore(tmp_path / "store")
        ensure_loaded(store)
        store.start_mirror(10_000_000, background=False)
        assert store.mirrored
    elif kind == "replica":
        store = ReplicaStore(request.getfixturevalue("writer").run_dir)
        store.update("DROP ALL")
    elif kind == "sparql-union":  # the store's default graph is the union: nothing listed
        srv = request.getfixturevalue("union_server")
        store = RemoteStore(
            srv.query_url, srv.update_url, srv.graph_store_url, union_default_graph=True
        )
        store.update("DROP ALL")
    elif kind.startswith("virtuoso"):
        srv = request.getfixturevalue("virtuoso")
        store = RemoteStore(
            srv.query_url, srv.update_url, union_default_graph=kind == "virtuoso-union"
        )
        clear(store)
    else:
        srv = request.getfixturevalue("server")
        store = RemoteStore(
            srv.query_url, srv.update_url, srv.graph_store_url if kind == "sparql-gsp" else None
        )
        store.update("DROP ALL")
    ensure_loaded(store)
    yield store
    store.close()


def test_framework_is_loaded_once(engine_store: Store):
    assert stored_digest(engine_store) == source_digest()
    assert ensure_loaded(engine_store) is False
    graphs = set(engine_store.graphs())
    for part in ("ontology", "alignments", "framework", "shapes", "inferred", "meta"):
        assert str(graph_iri(part)) in graphs


def test_entailments_are_visible(engine_store: Store):
    result = engine_store.query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/bpfgraph/def#BusinessProcess> }"
    )
    assert isinstance(result, SelectResult)
    assert int(result.rows[0]["n"]) == 21


def test_query_forms(engine_store: Store):
    ask = engine_store.query("ASK { <https://w3id.org/bpfgraph/id/process/G1> ?p ?o }")
    assert isinstance(ask, AskResult) and ask.value is True
    construct = engine_store.query(
        'CONSTRUCT { ?p ?x ?y } WHERE { ?p <http://www.w3.org/2004/02/skos/core#notation> "S6" ; ?x ?y }'
    )
    assert isinstance(construct, GraphResult) and len(construct.graph) > 20
    select = engine_store.query(
        "SELECT ?l WHERE { <https://w3id.org/bpfgraph/id/process/C2> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert select.rows == [{"l": Literal("Education and Research", lang="en")}]


def test_without_union_the_default_graph_is_empty(
    engine_store: Store, request: pytest.FixtureRequest
):
    result = engine_store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union_default_graph=False
    )
    # Virtuoso's default graph is the union of all graphs, whatever it is told
    virtuoso = "virtuoso" in request.node.name
    if getattr(engine_store, "union_default_graph", False) or virtuoso:
        # a store configured so that its default graph is the union has no other default graph:
        # every query sees the union (bpfgraph keeps everything in named graphs)
        assert int(result.rows[0]["n"]) == engine_store.count() > 0
    else:
        assert int(result.rows[0]["n"]) == 0


def test_put_replace_and_delete_a_graph(engine_store: Store):
    g = Graph()
    g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("one")))
    g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("deux", lang="fr")))
    engine_store.put_graph("urn:test:g", g)
    assert engine_store.count("urn:test:g") == 2
    assert set(engine_store.get_graph("urn:test:g")) == set(g)
    g2 = Graph()
    g2.add((URIRef("urn:b"), URIRef("urn:p"), Literal(3)))
    engine_store.put_graph("urn:test:g", g2)
    assert set(engine_store.get_graph("urn:test:g")) == set(g2)
    assert engine_store.delete_graph("urn:test:g") is True
    assert engine_store.delete_graph("urn:test:g") is False
    assert "urn:test:g" not in engine_store.graphs()


def test_update(engine_store: Store):
    engine_store.update('INSERT DATA { GRAPH <urn:test:u> { <urn:x> <urn:y> "z" } }')
    assert engine_store.count("urn:test:u") == 1


def test_mappings_load_and_answer_the_same(engine_store: Store):
    for path in EXAMPLES:
        stored = store_mapping(engine_store, Graph().parse(path))
        assert engine_store.count(stored.graph) == stored.triples
    assert len(mapping_graphs(engine_store)) == 3
    rows = queries.run(engine_store, "best-rated-city-per-process").rows
    reference = OxigraphStore(None)
    ensure_loaded(reference)
    for path in EXAMPLES:
        store_mapping(reference, Graph().parse(path))
    expected = queries.run(reference, "best-rated-city-per-process").rows
    assert rows == expected and len(rows) >= 14


def test_invalid_mapping_is_refused_and_nothing_stored(engine_store: Store):
    before = (engine_store.count(), engine_store.graphs())
    with pytest.raises(WriteRefused) as info:
        store_mapping(
            engine_store, Graph().parse(DATA / "mappings" / "invalid" / "unknown-process.ttl")
        )
    assert info.value.report is not None and not info.value.report.conforms
    assert (engine_store.count(), engine_store.graphs()) == before


def test_framework_graphs_cannot_be_overwritten(engine_store: Store):
    g = Graph().parse(DATA / "mappings" / "valid" / "unknown-process.ttl")
    with pytest.raises(WriteRefused, match="belongs to the framework"):
        store_mapping(engine_store, g, graph_name=str(graph_iri("framework")))


def test_disk_store_persists_across_restarts(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store")
    assert ensure_loaded(store) is True
    stored = store_mapping(store, Graph().parse(EXAMPLES[0]))
    store.close()
    del store
    reopened = OxigraphStore(tmp_path / "store")
    assert ensure_loaded(reopened) is False
    assert reopened.count(stored.graph) == stored.triples


def test_a_changed_framework_is_reloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)
    import bpfgraph.loading as fw

    monkeypatch.setattr(fw, "source_digest", lambda: "sha256:changed")
    assert fw.ensure_loaded(store) is True
    assert fw.stored_digest(store) == "sha256:changed"


def test_open_store_from_settings(tmp_path: Path, server: OxigraphServer):
    assert isinstance(open_store(Settings(store="memory")), OxigraphStore)
    disk = open_store(Settings(store="oxigraph", data_dir=tmp_path))
    assert isinstance(disk, OxigraphStore) and disk.path == tmp_path / "store"
    remote = open_store(Settings(store="sparql", sparql_query_url=server.query_url))
    assert isinstance(remote, RemoteStore)
    with pytest.raises(StoreError, match="read-only"):
        remote.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert remote.union_default_graph is False


def test_union_default_graph_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, union_server: OxigraphServer
):
    monkeypatch.setenv("BPFGRAPH_STORE", "sparql")
    monkeypatch.setenv("BPFGRAPH_SPARQL_QUERY_URL", union_server.query_url)
    monkeypatch.setenv("BPFGRAPH_SPARQL_UPDATE_URL", union_server.update_url)
    monkeypatch.setenv("BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH", "true")
    store = open_store(Settings())
    assert isinstance(store, RemoteStore) and store.union_default_graph is True
    store.update("DROP ALL ; INSERT DATA { GRAPH <urn:g1> { <urn:a> <urn:b> 1 } }")
    listed = sent(store)
    # no graph is named: one request per query, whatever the number of graphs
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(result.rows[0]["n"]) == 1
    assert len(listed) == 1 and b"default-graph-uri" not in listed[0]
    store.close()


def sent(store: RemoteStore) -> list[bytes]:
    """The bodies of the requests the store sends from now on (an httpx event hook)."""
    bodies: list[bytes] = []
    store._http.event_hooks["request"].append(lambda request: bodies.append(request.read()))
    return bodies


LISTING = b"SELECT+DISTINCT+%3Fg"


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_the_graph_list_is_asked_for_once_and_refreshed(
    engine: str, request: pytest.FixtureRequest
):
    """Queries given the union by naming every graph list the graphs once per TTL; a write
    through the store lists them again at once; another writer's graph shows after the TTL."""
    srv = request.getfixturevalue("server" if engine == "oxigraph" else "virtuoso")
    store = RemoteStore(srv.query_url, srv.update_url, graphs_ttl=1.5)
    other = RemoteStore(srv.query_url, srv.update_url)
    store.update("INSERT DATA { GRAPH <urn:ttl:1> { <urn:ttl:a> <urn:ttl:p> 1 } }")
    bodies = sent(store)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:ttl:p> ?o }"
    for _ in range(5):
        assert int(store.query(count).rows[0]["n"]) == 1
    assert sum(LISTING in b for b in bodies) == 1 and len(bodies) == 6
    store.update("INSERT DATA { GRAPH <urn:ttl:2> { <urn:ttl:b> <urn:ttl:p> 2 } }")
    assert int(store.query(count).rows[0]["n"]) == 2  # its own write: listed again at once
    assert sum(LISTING in b for b in bodies) == 2
    other.update("INSERT DATA { GRAPH <urn:ttl:3> { <urn:ttl:c> <urn:ttl:p> 3 } }")
    assert int(store.query(count).rows[0]["n"]) == 2  # another's write: within the TTL
    time.sleep(1.6)
    assert int(store.query(count).rows[0]["n"]) == 3  # after it
    assert sum(LISTING in b for b in bodies) == 3
    for graph in ("urn:ttl:1", "urn:ttl:2", "urn:ttl:3"):
        assert store.delete_graph(graph) is True
    store.close()
    other.close()


def test_locked_disk_store_gives_a_clear_error(tmp_path: Path):
    first = OxigraphStore(tmp_path / "store")
    with pytest.raises(StoreError, match="is another bpfgraph process"):
        OxigraphStore(tmp_path / "store")
    first.close()


def test_unreachable_remote_store():
    store = RemoteStore("http://127.0.0.1:9/query")
    with pytest.raises(StoreError, match="cannot reach the SPARQL store"):
        store.query("ASK {}")


# -- the read mirror (serve's default on disk) -------------------------------------------------

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(store: OxigraphStore, text: str = COUNT_ALL) -> int:
    result = store.query(text)
    assert isinstance(result, SelectResult)
    return int(result.rows[0]["n"])


def _disk_count(path: Path, text: str = COUNT_ALL) -> int:
    import pyoxigraph as ox

    return int(next(iter(ox.Store.read_only(str(path)).query(text)))["n"].value)


def test_mirror_answers_what_the_disk_holds_after_every_kind_of_write(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)
    store.start_mirror(10_000_000, background=False)
    assert store.mirrored and store.mirror_state == "ready"
    assert store.native is not store._store  # queries run in memory
    stored = store_mapping(store, Graph().parse(EXAMPLES[0]))  # graph + summary, one update
    store.load_data(b'<urn:s> <urn:p> "1" .', "nt", "urn:g:added", replace=False)
    store.update(
        "INSERT DATA { <urn:d> <urn:p> 2 } ; INSERT DATA { GRAPH <urn:g:u> { <urn:u> <urn:p> 3 } }"
    )
    store.update("DELETE WHERE { GRAPH ?g { <urn:s> ?p ?o } }")  # may touch any graph
    assert store.delete_graph("urn:g:u") is True
    for text in (
        COUNT_ALL,
        "SELECT (COUNT(*) AS ?n) WHERE { <urn:d> ?p ?o }",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{stored.graph}> {{ ?s ?p ?o }} }}",
    ):
        mirrored = _count(store, text)
        store.close()
        assert _disk_count(tmp_path / "store", text) == mirrored, text
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { <urn:d> ?p ?o }") == 1
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g:u> { ?s ?p ?o } }") == 0
    import pyoxigraph as ox

    on_disk = ox.Store.read_only(str(tmp_path / "store"))
    assert store.graphs() == sorted(g.value for g in on_disk.named_graphs())  # empty ones too


def test_writes_during_the_mirror_fill_are_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import bpfgraph.store.oxigraph as engine

    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)
    real_copy = engine.copy_of
    calls = []

    def copy_then_write(source):  # the real copy; then a write lands before the mirror is used
        copied = real_copy(source)
        if not calls:
            calls.append(1)
            store.load_data(b'<urn:late> <urn:p> "1" .', "nt", "urn:g:late")
        return copied

    monkeypatch.setattr(engine, "copy_of", copy_then_write)
    store.start_mirror(10_000_000, background=False)
    assert store.mirrored
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g:late> { ?s ?p ?o } }") == 1


def test_mirror_is_skipped_above_its_size_limit_and_in_memory(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)
    store.start_mirror(10, background=False)
    assert not store.mirrored and store.mirror_state == "off"
    assert store.start_mirror(0) is None
    memory = OxigraphStore(None)
    assert memory.start_mirror(10_000_000) is None and not memory.mirrored


def test_mirror_fills_in_the_background_while_the_disk_answers(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)
    before = _count(store)
    thread = store.start_mirror(10_000_000)
    assert thread is not None
    assert _count(store) == before  # answered by the disk or the mirror, never half
    thread.join(60)
    assert store.mirrored and _count(store) == before


def test_blank_nodes_of_different_files_stay_apart(engine_store: Store, tmp_path: Path):
    """A label such as ``_:x`` names a node of its own file only (bulk loads included)."""
    items = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.ttl"
        path.write_text(f'_:x <https://example.org/p> "{name}" .\n', encoding="utf-8")
        items.append((path, f"https://example.org/graph/{name}"))
    if isinstance(engine_store, OxigraphStore):
        engine_store.load_many(items)
    else:
        for path, graph in items:
            engine_store.load_file(path, graph)
    result = engine_store.query("SELECT DISTINCT ?s WHERE { ?s <https://example.org/p> ?o }")
    assert isinstance(result, SelectResult)
    assert len(result.rows) == 2
