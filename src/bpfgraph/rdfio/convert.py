"""From Oxigraph's terms to rdflib's, and from a dataset to one graph.

>>> to_rdflib(ox.Literal("chat", language="fr"))
rdflib.term.Literal('chat', lang='fr')
>>> len(as_graph(Graph()))
0
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term_converter() -> Callable[[object], Node]:
    """:func:`to_rdflib` converting each distinct term once (parsed data and answers repeat
    their terms)."""
    converted: dict[object, Node] = {}

    def term(value: object) -> Node:
        found = converted.get(value)
        if found is None:
            found = converted[value] = to_rdflib(value)
        return found

    return term


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


def as_graph(graph: Graph) -> Graph:
    """The triples of a graph, or of every graph of a dataset, as one plain graph."""
    if not isinstance(graph, Dataset):
        return graph
    flat = Graph()
    for s, p, o, _g in graph.quads():
        flat.add((s, p, o))
    return flat
