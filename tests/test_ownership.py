"""The parts rule at the write gate (:mod:`bpfgraph.ownership`), on the embedded store: graphs
written together, N-Triples bytes, large uploads read against the store's parts whole, a
mapping moved in one write."""

from __future__ import annotations

import pytest
from rdflib import Graph

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
