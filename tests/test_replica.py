"""Replicas of ``serve --workers N``: one real writer process, several replicas in this process
(as each worker holds one). The shared store suite runs on the replica engine too
(tests/test_store.py); these tests check what only replicas do: seeing each other's writes,
catching up in one step, copying everything again when a write may touch any graph, and clear
errors when the writer refuses or is gone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from bpfgraph.store import StoreError
from bpfgraph.store.oxigraph import OxigraphStore
from bpfgraph.store.replica import ReplicaStore
from bpfgraph.store.writer import Writer
from bpfgraph.writes import store_mapping

from .conftest import ROOT

EXAMPLE = ROOT / "data" / "examples" / "valdoria.ttl"
G = "https://example.org/graph/g"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BPFGRAPH_STORE", "oxigraph")
    monkeypatch.setenv("BPFGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BPFGRAPH_LOAD_CITIES", "false")
    return tmp_path / "data"


@pytest.fixture
def writer(data_dir: Path) -> Iterator[Writer]:
    process = Writer()
    yield process
    process.stop()


@pytest.fixture
def pair(writer: Writer) -> Iterator[tuple[ReplicaStore, ReplicaStore]]:
    a, b = ReplicaStore(writer.run_dir), ReplicaStore(writer.run_dir)
    yield a, b
    a.close()
    b.close()


def _snapshot(store: OxigraphStore) -> Counter[tuple[str, ...]]:
    """The store's quads, blank nodes as ``_`` (a copy labels them afresh, as any parse does)."""

    def term(t: object) -> str:
        return "_" if isinstance(t, ox.BlankNode) else str(t)

    return Counter(
        (term(q.subject), str(q.predicate), term(q.object), str(q.graph_name))
        for q in store.native.quads_for_pattern(None, None, None, None)
    )


def test_replicas_start_with_the_writers_store(pair):
    a, b = pair
    assert a.count() == b.count() > 5000  # the framework, its parts and entailments
    # quad for quad, blank node labels included: every worker serialises the same bytes
    assert set(a.native) == set(b.native)
    assert any(isinstance(q.subject, ox.BlankNode) for q in a.native)
    assert (
        a.written_at == b.written_at > 0 and a.modified() == b.modified()
    )  # the writer's last write, for Last-Modified
    assert not a.behind() and not b.behind()
    assert a.seq == b.seq > 0


def test_a_write_through_one_replica_is_seen_by_the_other_after_catching_up(pair):
    a, b = pair
    stored = store_mapping(a, Graph().parse(EXAMPLE))
    assert a.count(stored.graph) == stored.triples  # the writer's own replica holds it at once
    assert not a.behind()
    assert b.behind() and b.count(stored.graph) == 0
    seen = []  # the service clears its caches before the replica says it is up to date
    b.listeners.append(lambda: seen.append((b.behind(), b.count(stored.graph))))
    assert b.catch_up() is True
    assert seen == [(True, stored.triples)] and b.seq == a.seq and not b.behind()
    assert b.written_at == a.written_at > 0
    assert b.count(stored.graph) == stored.triples
    assert _snapshot(a) == _snapshot(b)
    assert b.catch_up() is False  # nothing more to do


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda s: s.load_data(b'<urn:s> <urn:p> "2" .', "nt", G), id="load_data"),
        pytest.param(
            lambda s: s.load_data(b'<urn:s> <urn:p> "3" .', "nt", G, replace=False), id="add"
        ),
        pytest.param(lambda s: s.put_graph(G, Graph()), id="put-empty"),
        pytest.param(lambda s: s.delete_graph(G), id="delete"),
        pytest.param(lambda s: s.load_file(EXAMPLE, G), id="load_file"),
        pytest.param(lambda s: s.load_many([(EXAMPLE, G)]), id="load_many"),
        pytest.param(lambda s: s.update("CREATE GRAPH <urn:empty>"), id="create-empty"),
        pytest.param(  # local names the journal cannot read whole: any graph, a full copy
            lambda s: s.update(
                "PREFIX ex: <https://example.org/> INSERT DATA { GRAPH ex:a:b { <urn:s> <urn:p> 1 } "
                "GRAPH ex:c%20d { <urn:s> <urn:p> 2 } GRAPH ex:e\\.f { <urn:s> <urn:p> 3 } }"
            ),
            id="prefixed-names",
        ),
        pytest.param(
            lambda s: s.update("DELETE WHERE { GRAPH ?g { ?s <urn:p> ?o } }"), id="any-graph"
        ),
        pytest.param(lambda s: s.update("DROP ALL"), id="drop-all"),
    ],
)
def test_every_kind_of_write_reaches_the_other_replica(pair, write):
    a, b = pair
    a.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}")
    b.catch_up()
    write(a)
    b.catch_up()
    assert _snapshot(a) == _snapshot(b)
    assert {g.value for g in a.native.named_graphs()} == {g.value for g in b.native.named_graphs()}


def test_a_write_that_may_touch_any_graph_copies_the_whole_store(pair):
    a, b = pair
    before = b.native
    a.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}")
    b.catch_up()
    assert b.native is before  # one graph: replaced in place
    a.update("DELETE WHERE { GRAPH ?g { ?s <urn:p> ?o } }")  # GRAPH ?g: any graph
    b.catch_up()
    assert b.native is not before  # a new copy
    assert b.count(G) == 0 and _snapshot(a) == _snapshot(b)


def test_the_writers_refusals_are_the_engines_errors(pair):
    a, _ = pair
    with pytest.raises(SyntaxError):
        a.update("INSERT DATA { broken")
    with pytest.raises(SyntaxError, match="not a valid RDF object"):  # as in memory
        a.load_data(b"<urn:s> <urn:p> .", "turtle", G)
    with pytest.raises(ValueError):
        a.load_data(b"<urn:s> <urn:p> <urn:o> .", "no-such-syntax", G)
    assert a.count(G) == 0  # nothing written
    assert not a.behind()


def test_writes_persist_in_the_writers_disk_store(data_dir: Path):
    with Writer() as writer:
        replica = ReplicaStore(writer.run_dir)
        stored = store_mapping(replica, Graph().parse(EXAMPLE))
        replica.close()
    with Writer() as writer:  # a restarted service
        replica = ReplicaStore(writer.run_dir)
        assert replica.count(stored.graph) == stored.triples
        replica.close()
    # and it is the disk store under the data directory
    disk = OxigraphStore(data_dir / "store")
    assert disk.count(stored.graph) == stored.triples
    disk.close()


def test_a_locked_store_stops_the_writer_with_a_clear_error(data_dir: Path):
    holder = OxigraphStore(data_dir / "store")
    with pytest.raises(StoreError, match="writer process did not start: cannot open the store"):
        Writer()
    holder.close()


def test_a_gone_writer_is_a_clear_store_error(writer: Writer):
    replica = ReplicaStore(writer.run_dir)
    writer.stop()
    with pytest.raises(StoreError, match="writer process did not answer"):
        replica.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}")
    # reads go on from what the replica holds
    assert replica.native.contains_named_graph(ox.NamedNode(G)) is False
    assert replica.count() > 5000


def test_the_writer_stops_when_the_service_is_killed(data_dir: Path):
    """Even a SIGKILL of the service (or a Ctrl-C while the writer loads) leaves no writer
    behind holding the store."""
    import os
    import signal
    import subprocess
    import sys
    import time

    service = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bpfgraph.store.writer import Writer; import time; w = Writer(); "
            "print(w.process.pid, w.run_dir, flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    pid, run_dir = service.stdout.readline().split()
    writer = int(pid)
    os.kill(service.pid, signal.SIGKILL)
    service.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Path(f"/proc/{writer}").exists():
        if Path(f"/proc/{writer}/stat").read_text().split(")")[1].split()[0] == "Z":
            break  # exited, not yet reaped
        time.sleep(0.2)
    else:
        assert not Path(f"/proc/{writer}").exists(), "the writer outlived the service"
    disk = OxigraphStore(data_dir / "store")  # the lock is free again
    disk.close()
    assert not Path(run_dir).exists()  # and nothing is left in /tmp


def test_a_directory_that_is_no_writers_is_a_clear_store_error(tmp_path: Path):
    with pytest.raises(StoreError, match="not the run directory of a running bpfgraph writer"):
        ReplicaStore(tmp_path)
    (tmp_path / "sequence").write_bytes(b"")  # not what a writer writes either
    with pytest.raises(StoreError, match="not the run directory of a running bpfgraph writer"):
        ReplicaStore(tmp_path)
