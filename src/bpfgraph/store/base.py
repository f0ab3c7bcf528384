"""The store interface every engine implements, and its engine-neutral results."""

from __future__ import annotations

import contextlib
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from .. import rdfio
from .results import AskResult, GraphResult, ProtocolAnswer, QueryResult, SelectResult

if TYPE_CHECKING:
    import pyoxigraph as ox

    from .journal import Journal

#: a triple as three strings (IRIs, blank node labels and literal values as they stand)
Triple = tuple[str, str, str]


class StoreError(Exception):
    """The store could not be opened or refused an operation (message for people)."""


class StoreRefused(StoreError):
    """A remote store refused a request passed on to it, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        """The store's refusal (``message``) and the status the service answers with."""
        super().__init__(message)
        self.status = status


def replace_graphs_update(graphs: dict[str, Graph]) -> str:
    """One SPARQL Update that replaces each graph by its new content (removes the empty ones)."""
    operations = []
    for graph, data in graphs.items():
        operations.append(f"DROP SILENT GRAPH <{graph}>")
        if len(data):
            body = rdfio.as_graph(data).serialize(format="nt", encoding="utf-8").decode()
            operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
    return " ;\n".join(operations)


class Store(ABC):
    """A quad store holding named graphs. Every write replaces or adds whole graphs.

    Besides reads and writes, the interface says what the service needs to know of an engine
    without asking for its class: whether it is *embedded* (an Oxigraph store in this process,
    which worker processes may copy and whose answers may be cached, since nothing else writes
    it) and, for a replica of ``serve --workers N``, whether it is behind its writer.
    """

    #: short engine name for messages and benchmarks
    engine: str = "store"
    #: an Oxigraph store held by this process: queries may be evaluated on copies of it
    #: (:attr:`primary`, :meth:`journal`) and answers cached until the next write; False for
    #: a store that other processes write (a remote SPARQL store)
    embedded: bool = False

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

    def get_default_graph(self) -> Graph:
        """The triples of the default graph."""
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", union_default_graph=False)
        assert isinstance(result, GraphResult)
        return result.graph

    def triples(self, graph: str) -> Iterator[Triple]:
        """The triples of one named graph as strings (no rdflib terms where the engine can)."""
        for s, p, o in self.get_graph(graph):
            yield str(s), str(p), str(o)

    def load_many(
        self, items: Iterable[tuple[Path, str]], derived: Iterable[bytes] | None = None
    ) -> None:
        """Load files, each into its graph (added to what is there), and N-Quads ``derived``
        from them (one document per file, in order)."""
        for (path, graph), extra in zip(items, derived or [], strict=False):
            self.load_file(path, graph)
            if extra:
                self.load_data(extra, "nquads", graph, replace=False)

    # -- what the service asks of an engine ------------------------------------------------

    @property
    def native(self) -> ox.Store | None:
        """The pyoxigraph store queries read, for an embedded engine (None otherwise)."""
        return None

    @property
    def primary(self) -> ox.Store | None:
        """The pyoxigraph store itself, never a read mirror (what copies are taken from)."""
        return None

    def writes_held(self) -> contextlib.AbstractContextManager[object]:
        """A context in which no write happens (a copy taken inside matches one moment)."""
        return nullcontext()

    def acquire_writes(self) -> Callable[[], None]:
        """Take the right to write for a whole write — read, check, write — where other
        processes write the same store (the replicas of ``serve --workers N``): until the
        returned function is called no other process writes, and this store shows every write
        made before. Elsewhere one process's own write lock is enough: nothing to take."""
        return _nothing

    def journal(self, path: Path | None = None) -> Journal | None:
        """The record of the graphs each write touched (started on the first call, in a file
        at ``path`` other processes may map), which copies of an embedded store catch up
        from; None for an engine that keeps none."""
        return None

    def status(self) -> dict[str, object]:
        """What ``/health`` reports of the engine (read mirror, replica sequence)."""
        return {"readMirror": "off", "replicaSeq": None}

    def modified(self) -> dt.datetime | None:
        """When the data last changed, if the engine knows it better than this process (a
        replica: the writer's time, the same in every worker); None otherwise."""
        return None

    def start_mirror(self, max_quads: int, background: bool = True) -> object:
        """Start copying the store into memory for reads, where the engine can (no-op)."""
        return None

    def behind(self) -> bool:
        """Whether another process has written what this store does not show yet (a replica)."""
        return False

    def catch_up(self) -> bool:
        """Apply what :meth:`behind` reports; True if anything changed."""
        return False

    def on_change(self, listener: Callable[[], None]) -> None:  # noqa: B027 - optional hook
        """Call ``listener`` whenever :meth:`catch_up` changed the store."""

    def query_protocol(
        self, text: str, media: str, default_graphs: list[str], named_graphs: list[str]
    ) -> ProtocolAnswer:
        """Pass a SPARQL Protocol query to the engine and return its answer as it serialises
        it (media type, body, row cap it was cut at): the service's way of querying a store it
        does not embed."""
        raise StoreError(f"the {self.engine} store answers queries in this process only")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the engine's resources."""


def _nothing() -> None:
    """Release nothing."""


__all__ = [
    "AskResult",
    "GraphResult",
    "ProtocolAnswer",
    "QueryResult",
    "SelectResult",
    "Store",
    "StoreError",
    "StoreRefused",
    "Triple",
    "replace_graphs_update",
]
