"""Serialise the project's parts in any RDF syntax.

Quad syntaxes (TriG, N-Quads) keep one named graph per part; triple syntaxes merge the
chosen parts into one graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset, Graph

from . import rdfio
from .framework import INFERRED, PARTS, bind_prefixes, graph_iri
from .inference import load_dataset
from .vocab import PREFIXES

#: ``--format`` value -> (rdflib serializer, media type, file suffix)
FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("turtle", "text/turtle", ".ttl"),
    "nt": ("nt", "application/n-triples", ".nt"),
    "xml": ("pretty-xml", "application/rdf+xml", ".rdf"),
    "jsonld": ("json-ld", "application/ld+json", ".jsonld"),
    "trig": ("trig", "application/trig", ".trig"),
    "nquads": ("nquads", "application/n-quads", ".nq"),
}
QUADS = {"trig", "nquads"}


def build(parts: Iterable[str] = tuple(PARTS), inferred: bool = False) -> Dataset:
    parts = list(parts)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown part(s) {', '.join(unknown)}; known: {', '.join(PARTS)}")
    return load_dataset(parts, inferred=inferred)


def serialise(dataset: Dataset, fmt: str) -> bytes:
    """Serialise a dataset: named graphs in quad syntaxes, merged otherwise."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    serializer = FORMATS[fmt][0]
    if fmt in QUADS:
        return rdfio.serialize(dataset, serializer)
    merged = bind_prefixes(Graph())
    for graph in dataset.graphs():
        merged += graph
    if fmt == "jsonld":
        return rdfio.serialize(merged, serializer, context=dict(PREFIXES))
    return rdfio.serialize(merged, serializer)


__all__ = ["FORMATS", "INFERRED", "build", "graph_iri", "serialise"]
