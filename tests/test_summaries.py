"""Mapping summaries: derived once per write, equal to deriving everything at query time.

The oracle is ``tests/data/direct-queries/``: the named queries as they were written before
summaries existed, computing every count and score from the mappings' own triples.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from bpfgraph import queries, summaries
from bpfgraph.bulk import load_files
from bpfgraph.loading import ensure_loaded
from bpfgraph.sparql_text import touched_graphs
from bpfgraph.store.base import SelectResult, Store
from bpfgraph.store.oxigraph import OxigraphStore
from bpfgraph.store.remote import RemoteStore
from bpfgraph.vocab import BPF
from bpfgraph.writes import delete_graph, write_graphs

from .conftest import DATA, ROOT
from .servers import OxigraphServer

DIRECT = DATA / "direct-queries"
FILES = sorted((ROOT / "data" / "examples").glob("*.ttl")) + sorted(
    (DATA / "mappings" / "valid").glob("*.ttl")
)
SUMMARY_QUERIES = sorted(p.stem for p in DIRECT.glob("*.rq"))
GRAPH = "https://example.org/graph/under-test"


def rows(store: Store, text: str) -> list[dict[str, str]]:
    result = store.query(text)
    assert isinstance(result, SelectResult)
    out = []
    for row in result.rows:
        values = {k: str(v) for k, v in row.items()}
        if "score" in values:  # 41.7 and 41.70 are the same decimal
            values["score"] = str(Decimal(values["score"]).quantize(Decimal("0.1")))
        out.append(values)
    return out


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_named_queries_agree_with_the_direct_derivation(store: Store, path: Path):
    graph = Graph().parse(path)
    write_graphs(store, {GRAPH: graph})
    try:
        for name in SUMMARY_QUERIES:
            direct = (DIRECT / f"{name}.rq").read_text(encoding="utf-8")
            direct = direct[direct.index("PREFIX") :]
            summarised = queries.get(name).bind({})
            summarised = re.sub(r"\?_mapping_iri\b", "?_unbound", summarised)
            assert rows(store, summarised) == rows(store, direct), name
    finally:
        delete_graph(store, GRAPH)
    assert summaries.summary_graph(GRAPH) not in store.graphs()


def test_summary_of_an_example_reads_as_the_standard_counts(store: Store):
    write_graphs(store, {GRAPH: Graph().parse(ROOT / "data" / "examples" / "aldermoor.ttl")})
    try:
        summary = store.get_graph(summaries.summary_graph(GRAPH))
        nodes = set(summary.objects(None, BPF.processSummary))
        assert nodes
        for node in nodes:
            process = summary.value(node, BPF.summarizedProcess)
            outcomes = store.query(
                f"SELECT (COUNT(?o) AS ?n) WHERE {{ <{process}> <{BPF.hasOutcome}> ?o }}"
            )
            assert isinstance(outcomes, SelectResult)
            assert int(summary.value(node, BPF.outcomeCount)) == int(outcomes.rows[0]["n"])
            addressed = sum(
                int(summary.value(node, BPF[p]))
                for p in ("adoptedCount", "plannedCount", "declinedCount", "notAddressedCount")
            )
            assert addressed == int(summary.value(node, BPF.outcomeCount))
            rated = sum(int(summary.value(node, BPF[f"rated{c}"])) for c in "NPLF")
            assert rated == int(summary.value(node, BPF.ratedCount))
            assert (summary.value(node, BPF.summaryScore) is None) == (rated == 0)
    finally:
        delete_graph(store, GRAPH)


def test_a_graph_without_a_mapping_has_no_summary(store: Store):
    g = Graph()
    g.add((URIRef("https://example.org/a"), URIRef("https://example.org/b"), URIRef("x:c")))
    write_graphs(store, {GRAPH: g})
    try:
        assert summaries.summary_graph(GRAPH) not in store.graphs()
    finally:
        delete_graph(store, GRAPH)


def test_summaries_follow_updates_and_are_repaired(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)
    example = ROOT / "data" / "examples" / "kestrel-bay.ttl"
    write_graphs(store, {GRAPH: Graph().parse(example)})
    sg = summaries.summary_graph(GRAPH)

    def adopted() -> int:
        result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m <{BPF.adoptedOutcome}> ?o }}")
        assert isinstance(result, SelectResult)
        return int(result.rows[0]["n"])

    before = adopted()
    assert before > 0
    # an update that turns every adopted outcome into a planned one, then the refresh the
    # service runs after each SPARQL Update
    store.update(
        f"DELETE {{ GRAPH <{GRAPH}> {{ ?a <{BPF.adoptionStatus}> ?s }} }} "
        f"INSERT {{ GRAPH <{GRAPH}> {{ ?a <{BPF.adoptionStatus}> "
        "<https://w3id.org/bpfgraph/id/adoption-status/planned> } } "
        f"WHERE {{ GRAPH <{GRAPH}> {{ ?a <{BPF.adoptionStatus}> ?s }} }}"
    )
    assert adopted() == before  # stale until refreshed
    assert summaries.ensure(store, everything=True) == 1
    assert adopted() == 0
    # a summary lost (say, a crash between the two writes) is derived again at the next open
    store.delete_graph(sg)
    store.close()
    del store
    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store)
    assert sg in store.graphs()
    # a summary whose mapping is gone is dropped
    store.delete_graph(GRAPH)
    assert summaries.ensure(store) == 0
    assert sg not in store.graphs()


@pytest.mark.parametrize("engine", ["memory", "disk", "sparql"])
def test_bulk_load_derives_the_same_summaries(tmp_path: Path, engine: str):
    # enough for the second process to take part; each with parts of its own (a mapping's
    # parts are described by its own graph only: the test mappings share their IRIs)
    files = []
    for i, p in enumerate(FILES[:24]):
        own = tmp_path / f"own-{i}{p.suffix}"
        own.write_text(p.read_text().replace("testville/bpf-mapping/", f"testville/bulk-{i}/"))
        files.append(own)
    items = [(p, f"https://example.org/bulk/{i}") for i, p in enumerate(files)]
    server = OxigraphServer(tmp_path / "server") if engine == "sparql" else None
    if server is not None:
        bulk: Store = RemoteStore(server.query_url, server.update_url, server.graph_store_url)
    else:
        bulk = OxigraphStore(tmp_path / "bulk" if engine == "disk" else None)
    one_by_one = OxigraphStore(None)
    for s in (bulk, one_by_one):
        ensure_loaded(s)
    load_files(bulk, items)
    for path, graph in items:
        write_graphs(one_by_one, {graph: Graph().parse(path)})
    for _path, graph in items:
        sg = summaries.summary_graph(graph)
        assert set(bulk.get_graph(sg)) == set(one_by_one.get_graph(sg))
        assert len(bulk.get_graph(graph)) == len(one_by_one.get_graph(graph))
    if server is not None:
        # loaded again into graphs that exist: added (the same triples), summaries derived again
        load_files(bulk, items[:2])
        assert set(bulk.get_graph(summaries.summary_graph(items[0][1]))) == set(
            one_by_one.get_graph(summaries.summary_graph(items[0][1]))
        )
        server.stop()


def test_cross_city_process_profile(store: Store):
    examples = sorted((ROOT / "data" / "examples").glob("*.ttl"))
    graphs = [f"https://example.org/profile/{p.stem}" for p in examples]
    for path, graph in zip(examples, graphs, strict=True):
        write_graphs(store, {graph: Graph().parse(path)})
    try:
        profile = {
            r["notation"]: r for r in rows(store, queries.get("cross-city-process-profile").bind())
        }
        assert len(profile) == 21
        ratings = rows(store, queries.get("mapping-ratings").bind())
        coverage = rows(store, queries.get("mapping-outcome-coverage").bind())
        for notation, row in profile.items():
            mine = [r for r in coverage if r["notation"] == notation]
            assert int(row["cities"]) == len(mine)
            if mine:
                adopted = sum(int(r["adopted"]) for r in mine)
                outcomes = sum(int(r["outcomes"]) for r in mine)
                expected = (Decimal(100 * adopted) / outcomes).quantize(Decimal(1), "ROUND_HALF_UP")
                assert Decimal(row["adoptedShare"]) == expected
            scores = [
                Decimal(r["score"]) for r in ratings if r["notation"] == notation and "score" in r
            ]
            assert int(row["rated"]) == len(scores)
            if scores:
                assert Decimal(row["maxScore"]) == max(scores)
                assert Decimal(row["minScore"]) == min(scores)
                mean = (sum(scores) / len(scores) * 10).quantize(Decimal(1), "ROUND_HALF_UP") / 10
                assert Decimal(row["meanScore"]) == mean
        assert any(int(r["rated"]) > 1 for r in profile.values())
    finally:
        for graph in graphs:
            delete_graph(store, graph)


def test_after_an_update_only_the_graphs_it_names_are_derived_again(store: Store):
    a, b = "https://example.org/update/a", "https://example.org/update/b"
    examples = sorted((ROOT / "data" / "examples").glob("*.ttl"))
    write_graphs(store, {a: Graph().parse(examples[0])})
    write_graphs(store, {b: Graph().parse(examples[1])})
    try:
        # make b's summary visibly stale, then update a only
        store.update(
            f"DELETE WHERE {{ GRAPH <{summaries.summary_graph(b)}> {{ ?s <{BPF.adoptedOutcome}> ?o }} }}"
        )
        links = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{{g}}> {{ ?m <{BPF.adoptedOutcome}> ?o }} }}"
        )

        def count(graph: str) -> int:
            result = store.query(links.replace("{g}", summaries.summary_graph(graph)))
            assert isinstance(result, SelectResult)
            return int(result.rows[0]["n"])

        assert count(a) > 0 and count(b) == 0
        update = (
            f"PREFIX g: <https://example.org/update/> DELETE {{ GRAPH g:a {{ ?x <{BPF.adoptionStatus}> ?s }} }} "
            f"WHERE {{ GRAPH g:a {{ ?x <{BPF.adoptionStatus}> ?s }} }}"
        )
        store.update(update)
        assert touched_graphs(update) >= {a}
        assert summaries.after_update(store, update) == 1
        assert count(a) == 0  # a derived again: nothing has a status any more
        assert count(b) == 0  # b not touched: still the stale summary
        assert (
            summaries.after_update(
                store, "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { FILTER(false) }"
            )
            >= 2
        )  # may touch any graph: all again
        assert count(b) > 0
    finally:
        delete_graph(store, a)
        delete_graph(store, b)


def test_odd_graphs_summarise_without_breaking_a_bulk_load(tmp_path: Path):
    odd = tmp_path / "odd.ttl"
    odd.write_text(
        "@prefix bpf: <https://w3id.org/bpfgraph/def#> .\n"
        "[] a bpf:CityMapping ; bpf:hasProcessMapping [ bpf:mapsProcess <https://w3id.org/bpfgraph/id/process/G1> ] .\n"
        "<https://e.org/m> a bpf:CityMapping ; bpf:hasProcessMapping <https://e.org/pm> .\n"
        '<https://e.org/pm> bpf:mapsProcess "G1" .\n',
        encoding="utf-8",
    )
    bulk = OxigraphStore(tmp_path / "store")
    ensure_loaded(bulk)
    load_files(bulk, [(odd, "https://e.org/odd")])
    summary = bulk.get_graph(summaries.summary_graph("https://e.org/odd"))
    assert list(summary.objects(None, BPF.processSummary)) == []  # nothing to summarise
    assert len(bulk.get_graph("https://e.org/odd")) == 6
