"""Serialise the project's parts in any RDF syntax.

Quad syntaxes (TriG, N-Quads) keep one named graph per part; triple syntaxes merge the
chosen parts into one graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset, Graph

from . import rdfio
from .formats import BY_NAME
from .framework import INFERRED, PARTS, bind_prefixes, graph_iri
from .inference import load_dataset
from .vocab import PREFIXES

#: the syntaxes the export writes, in the order its messages list them
_EXPORTED = [BY_NAME[name] for name in ("turtle", "nt", "xml", "json-ld", "trig", "nquads")]
#: ``--format`` value -> (rdflib serializer, media type, file suffix)
FORMATS: dict[str, tuple[str, str | None, str]] = {
    s.names[0]: (s.writer, s.media_type, s.suffixes[0]) for s in _EXPORTED
}
#: the ``--format`` values of the syntaxes holding named graphs
QUADS = {s.names[0] for s in _EXPORTED if s.quads}


def build(parts: Iterable[str] = tuple(PARTS), inferred: bool = False) -> Dataset:
    """The project's dataset of the named parts (every part by default), one named graph
    each, with the inferred graph when ``inferred``."""
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
