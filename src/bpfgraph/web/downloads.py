"""The downloads portals harvest: which name and format a file name asks for, the dataset
behind each name, serialised once per store version.

>>> resolve("framework.ttl", None)
('framework', 'text/turtle', 'ttl')
>>> resolve("all", "application/ld+json")
('all', 'application/ld+json', 'jsonld')
"""

from __future__ import annotations

from rdflib import Dataset, Graph

from .. import rdfio
from ..framework import INFERRED, PARTS, graph_iri
from ..store.base import Store
from ..summaries import mapping_graphs
from ..validation import framework_context
from ..vocab import PREFIXES
from .cache import AnswerCache
from .cache import etag as etag_of
from .errors import ProtocolError
from .negotiation import RDF_FORMATS, choose

NAMES = ("ontology", "alignments", "shapes", "framework", "mappings", "all", "mapping-context")
EXT_MEDIA = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
}


def resolve(filename: str, accept: str | None) -> tuple[str, str, str]:
    """The dataset name, media type and extension ``/download/{filename}`` asks for (404 for
    an unknown name or extension; without an extension, by Accept, 406 when none fits)."""
    name, dot, ext = filename.partition(".")
    if name not in NAMES:
        raise ProtocolError(404, f"no download {filename!r}; names: {', '.join(NAMES)}")
    if dot:
        if ext not in EXT_MEDIA:
            raise ProtocolError(
                404, f"no format .{ext}; formats: {', '.join('.' + e for e in EXT_MEDIA)}"
            )
        return name, EXT_MEDIA[ext], ext
    media = choose(accept, list(EXT_MEDIA.values()))
    if media is None:
        raise ProtocolError(406, f"offered: {', '.join(EXT_MEDIA.values())}")
    return name, media, RDF_FORMATS[media][1]


def download(cache: AnswerCache, store: Store, name: str, media: str) -> tuple[bytes, str, str]:
    """The body, media type and ETag of a download, made once per store version (requests
    that miss together wait for one serialisation)."""

    def make() -> tuple[bytes, str, str]:
        body = serialise(dataset_for(store, name), media)
        return (body, media, etag_of(body))

    return cache.compute(("download", name, media), make)


def dataset_for(store: Store, name: str) -> Dataset:
    """The graphs a download name stands for: one part, the city mappings, everything, or
    the framework context a SHACL processor validates a mapping with (in the default graph;
    the README's recipe for the pyshacl command gives it as a data file beside the mapping).
    """
    if name == "mapping-context":
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        ds.default_graph += framework_context(store.get_graph(str(graph_iri("framework"))))
        return ds
    if name in PARTS:
        graphs = [str(graph_iri(name))]
    elif name == "mappings":
        graphs = mapping_graphs(store)
    else:
        graphs = (
            [str(graph_iri(p)) for p in PARTS] + [str(graph_iri(INFERRED))] + mapping_graphs(store)
        )
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    for iri in graphs:
        ds.graph(iri).__iadd__(store.get_graph(iri))
    return ds


def serialise(ds: Dataset, media: str) -> bytes:
    """``ds`` in ``media``: its named graphs in TriG and N-Quads, merged in the others."""
    fmt = RDF_FORMATS[media][0]
    if fmt in ("trig", "nquads"):
        return rdfio.serialize(ds, fmt)
    merged = Graph()
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns)
    for g in ds.graphs():
        merged += g
    if fmt == "json-ld":
        return rdfio.serialize(merged, "json-ld", context=dict(PREFIXES))
    if fmt == "xml":
        return rdfio.serialize(merged, "pretty-xml")
    return rdfio.serialize(merged, fmt)
