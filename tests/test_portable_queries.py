"""Every named query of queries/ gives the same answer on every engine: the embedded store (the
reference) and a remote store on two engines started here — Oxigraph server and OpenLink
Virtuoso 7 (Debian's package, stock settings) — each holding the framework and the three
example mappings. Parameters are tried unset and set (several values each), so that a query
relying on what one engine does with an unbound variable, an integer division or a boolean is
caught."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from bpfgraph import gaps, queries
from bpfgraph.loading import ensure_loaded
from bpfgraph.store import GraphResult, SelectResult, Store
from bpfgraph.store.oxigraph import OxigraphStore
from bpfgraph.store.remote import RemoteStore
from bpfgraph.writes import store_mapping

from .conftest import ROOT
from .servers import OxigraphServer, VirtuosoServer

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))
MAPPING = "https://example.org/city/valdoria/bpf-mapping/mapping"
#: values tried for each parameter (None: left out)
VALUES: dict[str, list[str | None]] = {
    "notation": ["G1", "C5", "S6"],
    "text": ["data", "plan"],
    "word": [None, "city"],
    "mapping": [None, MAPPING],
    "type": [None, "bpf:CoreProcess"],
    "city": [None, "https://example.org/city/valdoria", "https://example.org/city/aldermoor"],
}

#: queries with no answer on this data (no process outputs a work product another inputs)
EMPTY = {"producers-and-consumers"}


def cases() -> list[tuple[str, dict[str, str]]]:
    """Every named query with every combination of its parameters' values."""
    out = []
    for name, query in sorted(queries.load_all().items()):
        names = sorted(query.params)
        for combination in itertools.product(*(VALUES[n] for n in names)):
            values = {n: v for n, v in zip(names, combination, strict=True) if v is not None}
            out.append((name, values))
    return out


def fill(store: Store) -> Store:
    ensure_loaded(store)
    for path in EXAMPLES:
        store_mapping(store, Graph().parse(path))
    return store


@pytest.fixture(scope="module")
def reference() -> Store:
    return fill(OxigraphStore(None))


@pytest.fixture(scope="module", params=["oxigraph-server", "virtuoso"])
def remote(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    location: Path = tmp_path_factory.mktemp(request.param)
    if request.param == "virtuoso":
        server: OxigraphServer | VirtuosoServer = VirtuosoServer(location)
        store = RemoteStore(server.query_url, server.update_url, union_default_graph=True)
    else:
        server = OxigraphServer(location)
        store = RemoteStore(server.query_url, server.update_url, server.graph_store_url)
    yield fill(store)
    store.close()
    server.stop()


def test_every_query_and_parameter_is_tried() -> None:
    used = {p for q in queries.load_all().values() for p in q.params}
    assert used <= set(VALUES), used - set(VALUES)
    assert len(cases()) > len(queries.load_all())


def _rows(result: SelectResult) -> list[tuple]:
    """The rows as sorted tuples of (variable, term in N-Triples form): the same term on both
    sides, lexical form and datatype included."""
    return sorted(
        tuple(sorted((name, term.n3()) for name, term in row.items())) for row in result.rows
    )


@pytest.mark.parametrize(("name", "values"), cases(), ids=lambda c: str(c))
def test_same_answer_as_the_embedded_store(
    remote: Store, reference: Store, name: str, values: dict[str, str]
) -> None:
    expected = queries.run(reference, name, values)
    got = queries.run(remote, name, values)
    if isinstance(expected, GraphResult):
        assert isinstance(got, GraphResult)
        assert len(expected.graph) > 0
        assert isomorphic(got.graph, expected.graph)
        return
    assert isinstance(expected, SelectResult) and isinstance(got, SelectResult)
    assert got.variables == expected.variables
    assert _rows(got) == _rows(expected)
    if name not in EMPTY:
        assert expected.rows, f"{name} {values} has no row to compare"


@pytest.mark.parametrize(
    "mappings",
    [
        {MAPPING},
        {MAPPING, "https://example.org/city/aldermoor/bpf-mapping/mapping"},
        set(),
    ],
    ids=["one", "two", "none"],
)
def test_comparison_of_some_mappings_is_the_same(
    remote: Store, reference: Store, mappings: set[str]
) -> None:
    """The comparison page's own query (the adoptions of the mappings compared) and the rest
    of a comparison restricted to some mappings: the same on every engine."""
    expected = gaps.comparison(reference, top=200, mappings=mappings)
    assert gaps.comparison(remote, top=200, mappings=mappings) == expected
    if mappings:
        assert expected.most_adopted and set(expected.scores["G1"]) == mappings
