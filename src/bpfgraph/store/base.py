"""The store interface every engine implements, and its engine-neutral results."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node


class StoreError(Exception):
    """The store could not be opened or refused an operation (message for people)."""


@dataclass
class SelectResult:
    """Rows of a SELECT: variable names in projection order, rows as name -> term."""

    variables: list[str]
    rows: list[dict[str, Node]] = field(default_factory=list)

    def column(self, name: str) -> list[str]:
        """Values of one variable, as strings ('' where unbound)."""
        return [str(r[name]) if name in r else "" for r in self.rows]


@dataclass
class AskResult:
    value: bool


@dataclass
class GraphResult:
    graph: Graph


QueryResult = SelectResult | AskResult | GraphResult


def replace_graphs_update(graphs: dict[str, Graph]) -> str:
    """One SPARQL Update that replaces each graph by its new content (removes the empty ones)."""
    from .. import rdfio

    operations = []
    for graph, data in graphs.items():
        operations.append(f"DROP SILENT GRAPH <{graph}>")
        if len(data):
            body = rdfio.as_graph(data).serialize(format="nt", encoding="utf-8").decode()
            operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
    return " ;\n".join(operations)


class Store(ABC):
    """A quad store holding named graphs. Every write replaces or adds whole graphs."""

    #: short engine name for messages and benchmarks
    engine: str = "store"

    @abstractmethod
    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        """Parse a file with the engine's own parser into ``graph`` (added to what is there)."""

    @abstractmethod
    def load_data(self, data: bytes, fmt: str, graph: str, replace: bool = True) -> None:
        """Parse serialized triples into ``graph`` in one transaction, replacing it by default."""

    @abstractmethod
    def put_graph(self, graph: str, data: Graph) -> None:
        """Replace the content of named graph ``graph`` (one transaction where the engine can)."""

    def put_graphs(self, graphs: dict[str, Graph]) -> None:
        """Replace several named graphs together (one transaction where the engine can); an
        empty graph is removed. Used to write a city mapping with its derived summary."""
        for graph, data in graphs.items():
            if len(data):
                self.put_graph(graph, data)
            else:
                self.delete_graph(graph)

    @abstractmethod
    def delete_graph(self, graph: str) -> bool:
        """Remove a named graph; returns whether it existed."""

    @abstractmethod
    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        """Run a SPARQL query; by default the default graph is the union of all graphs."""

    @abstractmethod
    def update(
        self, sparql: str, *, touches: Collection[str] | None = None, default: bool = False
    ) -> None:
        """Run a SPARQL 1.1 Update (one transaction). ``touches``, when the caller knows it:
        the graphs the update writes (and ``default``: the default graph too), so that an
        engine keeping copies need not read the graphs out of the text."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """IRIs of the named graphs that hold at least one triple."""

    @abstractmethod
    def count(self, graph: str | None = None) -> int:
        """Number of triples in one graph, or quads in the whole store."""

    def get_graph(self, graph: str) -> Graph:
        """The triples of one named graph."""
        result = self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            union_default_graph=False,
        )
        assert isinstance(result, GraphResult)
        return result.graph

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the engine's resources."""
