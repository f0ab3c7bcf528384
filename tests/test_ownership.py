"""The parts rule at the write gate (:mod:`bpfgraph.ownership`), on the embedded store: graphs
written together, N-Triples bytes, large uploads read against the store's parts whole, a
mapping moved in one write."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, URIRef

from bpfgraph import ownership
from bpfgraph.store.engines import memory_store
from bpfgraph.writes import WriteRefused, write_graphs

from .conftest import ROOT

ALDERMOOR = Graph().parse(ROOT / "data" / "examples" / "aldermoor.ttl")
A, B = "https://example.org/g/a", "https://example.org/g/b"
M = "https://example.org/city/aldermoor/bpf-mapping/mapping"


@pytest.fixture
def store():
    s = memory_store()
    write_graphs(s, {A: ALDERMOOR})
    return s


def refused(store, graphs, default=None) -> str:
    with pytest.raises(WriteRefused) as caught:
        write_graphs(store, graphs, default=default)
    assert caught.value.kind == "conflict"
    return caught.value.message


def test_two_graphs_written_together_may_not_share_a_part() -> None:
    s = memory_store()
    message = refused(s, {A: ALDERMOOR, B: ALDERMOOR})
    assert "https://example.org/city/aldermoor/bpf-mapping/" in message
    assert s.graphs() == []


@pytest.mark.parametrize("subjects", [1, ownership._WHOLE + 1])
def test_ntriples_naming_a_part(store, subjects: int) -> None:
    """Small uploads are looked up by VALUES, large ones against the store's parts read whole."""
    filler = b"".join(
        b"<https://example.org/s/%d> <x:p> <x:o> .\n" % i for i in range(subjects - 1)
    )
    body = filler + f"<{M}> <x:p> <x:o> .\n".encode()
    message = refused(store, {B: body})
    assert f"<{M}> is a part of the city mapping in graph <{A}>" in message
    assert B not in store.graphs()


def test_default_graph(store) -> None:
    data = Graph().parse(data=f"<{M}> <x:p> <x:o> .", format="nt")
    assert "not in the default graph" in refused(store, {}, default=data)


@pytest.mark.parametrize("deleted", [True, False])
def test_moved_in_one_write(store, deleted: bool) -> None:
    """Deleting the graph as the mapping is written elsewhere is a move; keeping it is not."""
    graphs = {A: None, B: ALDERMOOR} if deleted else {B: ALDERMOOR}
    if deleted:
        write_graphs(store, graphs)
        assert store.graphs().count(B) == 1 and A not in store.graphs()
    else:
        refused(store, graphs)


# -- parts found by their links, the framework's terms, shared city outcomes ------------------

BPF = "https://w3id.org/bpfgraph/def#"
ADOPTION = "https://example.org/city/aldermoor/bpf-mapping/G1-outcome-1"
UNTYPED = Graph()
for triple in ALDERMOOR:
    if not (triple[1] == RDF.type and str(triple[2]) != BPF + "CityMapping"):
        UNTYPED.add(triple)


def test_parts_are_found_by_their_links_not_only_their_types() -> None:
    """A mapping whose parts carry no rdf:type (the shapes find them by their links) keeps
    them: another graph may not describe them, nor link to them as its own parts."""
    s = memory_store()
    write_graphs(s, {A: UNTYPED})
    assert (URIRef(ADOPTION), RDF.type, None) not in UNTYPED
    rating = f"<{ADOPTION}> <{BPF}achievementRating> <https://w3id.org/bpfgraph/id/rating/N> ."
    message = refused(s, {B: Graph().parse(data=rating, format="nt")})
    assert f"<{ADOPTION}> is a part of the city mapping in graph <{A}>" in message
    claim = f"<https://example.org/m2> <{BPF}hasOutcomeAdoption> <{ADOPTION}> ."
    assert f"<{ADOPTION}>" in refused(s, {B: Graph().parse(data=claim, format="nt")})
    assert f"<{ADOPTION}>" in refused(s, {B: claim.encode() + b"\n"})  # as N-Triples bytes


@pytest.mark.parametrize(
    "subject",
    [
        "https://w3id.org/bpfgraph/id/process/G1",
        "https://w3id.org/bpfgraph/id/rating/F",
        "https://w3id.org/bpfgraph/def#CityMapping",
        "https://w3id.org/bpfgraph/def",
        "https://w3id.org/bpfgraph/graph/framework",
    ],
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_the_frameworks_terms_are_the_frameworks(store, subject: str, as_bytes: bool) -> None:
    triple = f'<{subject}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Hacked"@en .\n'
    data = triple.encode() if as_bytes else Graph().parse(data=triple, format="nt")
    with pytest.raises(WriteRefused) as caught:
        write_graphs(store, {B: data})
    assert caught.value.kind == "reserved"
    assert f"<{subject}> is the framework's own term" in caught.value.message
    with pytest.raises(WriteRefused):
        write_graphs(store, {}, default=data)


def test_a_city_outcome_is_followed_from_one_assessment_to_the_next() -> None:
    """Two assessments of Kestrel Bay in two graphs share the city's own outcome."""
    s = memory_store()
    text = (ROOT / "data" / "examples" / "kestrel-bay.ttl").read_text()
    write_graphs(s, {A: Graph().parse(data=text, format="turtle")})
    prefix = "https://example.org/city/kestrel-bay/bpf-mapping/"
    outcome = "outcome-coastal-flooding-resilience"
    later = text.replace(f"<{prefix}>", f"<{prefix}2026->").replace(
        f"kb:{outcome}", f"<{prefix}{outcome}>"
    )
    assert f"<{prefix}{outcome}>" in later and f"<{prefix}2026->" in later
    write_graphs(s, {B: Graph().parse(data=later, format="turtle")})
    assert {A, B} <= set(s.graphs())
