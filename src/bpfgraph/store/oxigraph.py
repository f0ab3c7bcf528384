"""The embedded Oxigraph engine, on disk (persistent, the default for ``serve``) or in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import rdfio
from .base import (
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    Store,
    StoreError,
    replace_graphs_update,
)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
}


def to_rdflib(term: object) -> Node:
    """Convert a pyoxigraph term to the equivalent rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def _result(result: object) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return AskResult(bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = []
        converted: dict[object, Node] = {}  # answers repeat their terms: convert each once
        for solution in result:
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    term = converted.get(value)
                    if term is None:
                        term = converted[value] = to_rdflib(value)
                    row[name] = term
            rows.append(row)
        return SelectResult(variables, rows)
    graph = Graph()
    for triple in result:  # type: ignore[attr-defined]
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
        )
    return GraphResult(graph)


class OxigraphStore(Store):
    """Oxigraph through pyoxigraph; ``path=None`` keeps everything in memory."""

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.path = path
        self.engine = "oxigraph-memory" if path is None else "oxigraph"
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {path}: {exc} "
                "(is another bpfgraph process, such as `bpfgraph serve`, using it?)"
            ) from None

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for engine-specific fast paths."""
        return self._store

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        rdf_format = rdfio.format_for(path, fmt)
        target = ox.NamedNode(graph)
        if rdf_format in OX_FORMATS and rdf_format not in rdfio.QUAD_FORMATS:
            self._store.load(path=str(path), format=OX_FORMATS[rdf_format], to_graph=target)
        else:
            self._add(graph, rdfio.parse_file(path, fmt))

    def load_many(
        self, items: Iterable[tuple[Path, str]], derived: Iterable[bytes] | None = None
    ) -> None:
        """Bulk-load many files, each into its own graph, with Oxigraph's parser and bulk
        writer (for imports: not one transaction; validate the files first).

        ``derived``, aligned with ``items``, gives for each file more quads to write in the
        same pass, as N-Quads: the mapping summaries, computed alongside by
        :func:`bpfgraph.mappings.load_files`.
        """
        extras = iter(derived) if derived is not None else None
        if self.path is None:  # in memory: the native per-file loads
            for path, graph in items:
                fmt = OX_FORMATS[rdfio.format_for(path)]
                self._store.load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))
                if extras is not None:
                    self._store.load(next(extras), format=ox.RdfFormat.N_QUADS)
            return

        def quads() -> Iterator[ox.Quad]:
            for path, graph in items:
                target = ox.NamedNode(graph)
                fmt = OX_FORMATS[rdfio.format_for(path)]
                for t in ox.parse(path=str(path), format=fmt):
                    yield ox.Quad(t.subject, t.predicate, t.object, target)
                if extras is not None:
                    yield from ox.parse(next(extras), format=ox.RdfFormat.N_QUADS)

        self._store.bulk_extend(quads())
        self._store.flush()

    def load_data(self, data: bytes, fmt: str, graph: str, replace: bool = True) -> None:
        target = ox.NamedNode(graph)
        if fmt in rdfio.QUAD_FORMATS or fmt not in OX_FORMATS:
            parsed = rdfio.as_graph(rdfio.parse_data(data, fmt))
            data, fmt = parsed.serialize(format="nt", encoding="utf-8"), "nt"
        triples = list(ox.parse(data, format=OX_FORMATS[fmt]))
        if replace:
            # one update is one transaction: readers see the old graph or the new, never half
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            self._store.update(
                f"DROP SILENT GRAPH {target} ; INSERT DATA {{ GRAPH {target} {{ {body} }} }}"
            )
        else:
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
        if self.path is not None:
            self._store.flush()

    def _add(self, graph: str, data: Graph) -> None:
        self.load_data(data.serialize(format="nt", encoding="utf-8"), "nt", graph, replace=False)

    def put_graph(self, graph: str, data: Graph) -> None:
        self.load_data(
            rdfio.as_graph(data).serialize(format="nt", encoding="utf-8"), "nt", graph, replace=True
        )

    def put_graphs(self, graphs: dict[str, Graph]) -> None:
        # one update is one transaction: readers see the old graphs or the new, never a mix
        self._store.update(replace_graphs_update(graphs))
        if self.path is not None:
            self._store.flush()

    def delete_graph(self, graph: str) -> bool:
        target = ox.NamedNode(graph)
        if not self._store.contains_named_graph(target):
            return False
        self._store.remove_graph(target)
        if self.path is not None:
            self._store.flush()
        return True

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        return _result(self._store.query(sparql, use_default_graph_as_union=union_default_graph))

    def update(self, sparql: str) -> None:
        self._store.update(sparql)
        if self.path is not None:
            self._store.flush()

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()
