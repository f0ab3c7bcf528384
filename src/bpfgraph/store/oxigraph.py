"""The embedded Oxigraph engine, on disk or in memory."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import rdfio
from .base import AskResult, GraphResult, QueryResult, SelectResult, Store

_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
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
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


class OxigraphStore(Store):
    """Oxigraph through pyoxigraph; ``path=None`` keeps everything in memory."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
        else:
            self._store = ox.Store()
        self.path = path

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        rdf_format = rdfio.format_for(path, fmt)
        target = ox.NamedNode(graph)
        if rdf_format in _OX_FORMATS and rdf_format not in rdfio.QUAD_FORMATS:
            self._store.bulk_load(path=str(path), format=_OX_FORMATS[rdf_format], to_graph=target)
        else:
            self.put_graph(graph, rdfio.parse_file(path, fmt), replace=False)

    def put_graph(self, graph: str, data: Graph, replace: bool = True) -> None:
        target = ox.NamedNode(graph)
        payload = data.serialize(format="nt", encoding="utf-8")
        with_graph = [
            ox.Quad(t.subject, t.predicate, t.object, target)
            for t in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)
        ]
        if replace:
            self._store.remove_graph(target) if self._has_graph(target) else None
        self._store.extend(with_graph)

    def _has_graph(self, target: ox.NamedNode) -> bool:
        return self._store.contains_named_graph(target)

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        result = self._store.query(sparql, use_default_graph_as_union=union_default_graph)
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            for solution in result:
                row = {}
                for name in variables:
                    value = solution[name]
                    if value is not None:
                        row[name] = to_rdflib(value)
                rows.append(row)
            return SelectResult(variables, rows)
        graph = Graph()
        for triple in result:
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return GraphResult(graph)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()
