"""Writing RDF: rdflib's serialisers, and Oxigraph's where rdflib's recurse too deep."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Dataset, Graph

from ..formats import OXIGRAPH_WRITERS


def serialize(data: Graph | Dataset, fmt: str, **options: Any) -> bytes:
    """``data.serialize(format=fmt)`` as UTF-8 bytes — and when rdflib's writer recurses too
    deep (Turtle, TriG, JSON-LD and pretty RDF/XML nest blank nodes: a chain of a few hundred
    overflows), the same syntax written flat by Oxigraph from the N-Quads, blank nodes and
    prefixes kept.

    >>> from rdflib import BNode, URIRef
    >>> g = Graph()
    >>> for i in range(3000):
    ...     _ = g.add((BNode(f"b{i}"), URIRef("https://example.org/p"), BNode(f"b{i + 1}")))
    >>> text = serialize(g, "turtle").decode()
    >>> len(Graph().parse(data=text, format="turtle"))
    3000

    rdflib's indented RDF/XML (``pretty-xml``) writes every RDF list as
    ``rdf:parseType="Collection"``, which holds resources only: a literal member becomes an
    IRI (``("en")`` comes back as ``(<en>)``) and other statements about a list node are
    dropped. A graph holding any list is therefore written with the plain ``xml`` writer:

    >>> g = Graph().parse(data='<urn:s> <urn:p> ("en") .', format="turtle")
    >>> back = Graph().parse(data=serialize(g, "pretty-xml"), format="xml")
    >>> [o.n3() for o in back.objects(None, RDF.first)]
    ['"en"']
    """
    if fmt == "pretty-xml" and next(iter(data.triples((None, RDF.first, None))), None):
        fmt = "xml"
    try:
        return data.serialize(format=fmt, encoding="utf-8", **options)
    except RecursionError:
        quads = data.serialize(format="nquads" if isinstance(data, Dataset) else "nt")
        parsed: Iterable[ox.Quad] | Iterable[ox.Triple] = ox.parse(
            quads.encode("utf-8") if isinstance(quads, str) else quads,
            format=ox.RdfFormat.N_QUADS,
        )
        target = getattr(ox.RdfFormat, OXIGRAPH_WRITERS.get(fmt, "N_QUADS"))
        if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML):
            parsed = [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]
        prefixes = {p: str(ns) for p, ns in data.namespaces() if p}
        if target in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
            out = ox.serialize(parsed, format=target)
        else:
            out = ox.serialize(parsed, format=target, prefixes=prefixes)
        assert out is not None  # given no output, pyoxigraph returns the bytes
        return out
