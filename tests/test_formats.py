"""The views of the formats table hold exactly the tables they replaced, written out here as
they were before the table existed."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bpfgraph import export, formats, rdfio
from bpfgraph.store import oxigraph
from bpfgraph.web import negotiation

#: (view, its value before the formats table, whether its order is used)
BEFORE = {
    "rdfio.SUFFIX_FORMATS": (
        rdfio.SUFFIX_FORMATS,
        {
            ".ttl": "turtle",
            ".turtle": "turtle",
            ".nt": "nt",
            ".ntriples": "nt",
            ".nq": "nquads",
            ".trig": "trig",
            ".jsonld": "json-ld",
            ".json": "json-ld",
            ".rdf": "xml",
            ".owl": "xml",
            ".xml": "xml",
            ".xlsx": "xlsx",  # a city mapping workbook, read only
        },
        False,
    ),
    "rdfio.FORMAT_ALIASES": (
        rdfio.FORMAT_ALIASES,
        {
            "ttl": "turtle",
            "turtle": "turtle",
            "nt": "nt",
            "ntriples": "nt",
            "n-triples": "nt",
            "nquads": "nquads",
            "nq": "nquads",
            "trig": "trig",
            "jsonld": "json-ld",
            "json-ld": "json-ld",
            "xml": "xml",
            "rdfxml": "xml",
            "rdf/xml": "xml",
            "xlsx": "xlsx",
        },
        False,
    ),
    "rdfio.QUAD_FORMATS": (rdfio.QUAD_FORMATS, {"trig", "nquads"}, False),
    "rdfio.SYNTAX_NAMES": (
        rdfio.SYNTAX_NAMES,
        {
            "turtle": "Turtle",
            "nt": "N-Triples",
            "nquads": "N-Quads",
            "trig": "TriG",
            "json-ld": "JSON-LD",
            "xml": "RDF/XML",
            "n3": "N3",
            "xlsx": "workbook (.xlsx)",
        },
        False,
    ),
    "rdfio._NATIVE_FORMATS": (
        rdfio._NATIVE_FORMATS,
        {"turtle": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "nquads": "N_QUADS"},
        False,
    ),
    "rdfio._OX_WRITERS": (
        rdfio._OX_WRITERS,
        {
            "turtle": "TURTLE",
            "n3": "TURTLE",
            "trig": "TRIG",
            "nt": "N_TRIPLES",
            "nquads": "N_QUADS",
            "xml": "RDF_XML",
            "pretty-xml": "RDF_XML",
            "json-ld": "JSON_LD",
        },
        False,
    ),
    "rdfio.NATIVE_TRIPLE_FORMATS": (
        rdfio.NATIVE_TRIPLE_FORMATS,
        {"turtle": "TURTLE", "nt": "N_TRIPLES"},
        False,
    ),
    "negotiation.RDF_TYPES": (
        negotiation.RDF_TYPES,
        [
            "text/turtle",
            "application/n-triples",
            "application/ld+json",
            "application/rdf+xml",
            "application/trig",
            "application/n-quads",
            "text/plain",
        ],
        True,  # ties in content negotiation go to the first
    ),
    "negotiation.RDF_FORMATS": (
        negotiation.RDF_FORMATS,
        {
            "text/turtle": ("turtle", "ttl"),
            "application/n-triples": ("nt", "nt"),
            "text/plain": ("nt", "nt"),
            "application/ld+json": ("json-ld", "jsonld"),
            "application/rdf+xml": ("xml", "rdf"),
            "application/trig": ("trig", "trig"),
            "application/n-quads": ("nquads", "nq"),
        },
        True,
    ),
    "negotiation.EXTENSIONS": (
        negotiation.EXTENSIONS,
        {
            "ttl": "text/turtle",
            "nt": "application/n-triples",
            "jsonld": "application/ld+json",
            "rdf": "application/rdf+xml",
            "trig": "application/trig",
            "nq": "application/n-quads",
        },
        True,
    ),
    "negotiation.PARSEABLE": (
        negotiation.PARSEABLE,
        {
            "text/turtle": "turtle",
            "application/x-turtle": "turtle",
            "application/n-triples": "nt",
            "text/plain": "nt",
            "application/ld+json": "json-ld",
            "application/json": "json-ld",
            "application/rdf+xml": "xml",
            "application/xml": "xml",
            "application/trig": "trig",
            "application/n-quads": "nquads",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
        },
        True,  # the first media type of a format names a multipart part's type
    ),
    "export.FORMATS": (
        export.FORMATS,
        {
            "ttl": ("turtle", "text/turtle", ".ttl"),
            "nt": ("nt", "application/n-triples", ".nt"),
            "xml": ("pretty-xml", "application/rdf+xml", ".rdf"),
            "jsonld": ("json-ld", "application/ld+json", ".jsonld"),
            "trig": ("trig", "application/trig", ".trig"),
            "nquads": ("nquads", "application/n-quads", ".nq"),
        },
        True,  # the order an unknown format's message lists them in
    ),
    "export.QUADS": (export.QUADS, {"trig", "nquads"}, False),
    "oxigraph.OX_FORMATS": (
        oxigraph.OX_FORMATS,
        {
            "turtle": ox.RdfFormat.TURTLE,
            "nt": ox.RdfFormat.N_TRIPLES,
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
            "xml": ox.RdfFormat.RDF_XML,
            "json-ld": ox.RdfFormat.JSON_LD,
        },
        False,
    ),
}


@pytest.mark.parametrize("name", BEFORE)
def test_view_holds_the_table_it_replaced(name: str):
    view, before, ordered = BEFORE[name]
    assert type(view) is type(before)
    assert view == before
    if ordered:
        assert list(view) == list(before)


@pytest.mark.parametrize(
    ("alias", "view"),
    [
        (rdfio.SUFFIX_FORMATS, formats.FORMAT_BY_SUFFIX),
        (rdfio.FORMAT_ALIASES, formats.FORMAT_BY_TYPED_NAME),
        (rdfio.QUAD_FORMATS, formats.QUAD_FORMATS),
        (rdfio.SYNTAX_NAMES, formats.SYNTAX_NAMES),
        (rdfio.NATIVE_TRIPLE_FORMATS, formats.NATIVE_TRIPLE_FORMATS),
        (negotiation.RDF_TYPES, formats.RDF_MEDIA_TYPES),
        (negotiation.PARSEABLE, formats.FORMAT_BY_MEDIA_TYPE),
        (oxigraph.OX_FORMATS, formats.OX_FORMATS),
    ],
)
def test_the_old_names_are_the_views_themselves(alias: object, view: object):
    assert alias is view


def test_every_syntax_is_described_once():
    names = [s.name for s in formats.SYNTAXES]
    assert len(names) == len(set(names))
    suffixes = [x for s in formats.SYNTAXES for x in s.suffixes]
    assert len(suffixes) == len(set(suffixes))
    media = [m for s in formats.SYNTAXES if s.media_type for m in (s.media_type, *s.read_aliases)]
    media += [m for s in formats.SYNTAXES for m in s.served_aliases]
    assert len(media) == len(set(media))
