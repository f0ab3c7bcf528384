"""The RDF syntaxes bpfgraph reads and writes: one table, and the views other modules look in.

Each syntax is one :class:`RdfSyntax` row of :data:`SYNTAXES`: its rdflib name, its name in
messages, its file suffixes, its media types, whether it holds quads, and which Oxigraph
format reads and writes it. Every other table of syntaxes (suffix to format, media type to
format, the order content negotiation offers them in…) is computed from it below, so a syntax
is described in one place.

>>> BY_NAME["turtle"].media_type, BY_NAME["turtle"].extension
('text/turtle', 'ttl')
>>> FORMAT_BY_SUFFIX[".owl"], FORMAT_BY_MEDIA_TYPE["application/json"]
('xml', 'json-ld')
>>> RDF_MEDIA_TYPES[:2]
['text/turtle', 'application/n-triples']

This module is a base layer: it imports nothing from bpfgraph.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF syntax: how files, users, HTTP and the two RDF libraries name it."""

    #: rdflib's parser and serialiser name, the name every bpfgraph table keys on
    name: str
    #: the syntax's name in messages ("N-Triples")
    title: str
    #: the canonical media type (``None``: not read or written over HTTP)
    media_type: str | None = None
    #: other media types answered in this syntax, offered in content negotiation after every
    #: canonical type, and read
    served_aliases: tuple[str, ...] = ()
    #: other media types a request body in this syntax may carry (read only)
    read_aliases: tuple[str, ...] = ()
    #: the file suffixes read as this syntax; the first is the one files are written with
    suffixes: tuple[str, ...] = ()
    #: the names users type (the CLI's ``--format``); the first is the short name
    names: tuple[str, ...] = ()
    #: holds named graphs (quads), not one graph
    quads: bool = False
    #: the :class:`pyoxigraph.RdfFormat` member Oxigraph reads and writes it with (``None``:
    #: read by rdflib alone)
    oxigraph: str | None = None
    #: Oxigraph's parser reads it into the same triples as rdflib's, in linear time: rdfio
    #: reads it with Oxigraph's parser first
    native: bool = False
    #: rdflib's indented serialiser of the syntax, where it has one besides :attr:`name`
    pretty_writer: str | None = None
    #: the Oxigraph format that writes it when rdflib's serialiser recurses too deep, where
    #: it is not :attr:`oxigraph`
    oxigraph_writer: str | None = None
    #: read only, and never an answer: a city mapping workbook (``.xlsx``), which
    #: :mod:`bpfgraph.rdfio.workbook` reads; no content negotiation offers it
    workbook: bool = False

    @property
    def extension(self) -> str | None:
        """The extension of downloads: the first suffix, without its dot."""
        return self.suffixes[0].removeprefix(".") if self.suffixes else None

    @property
    def short_name(self) -> str | None:
        """The short name users type (``ttl``, ``jsonld``), the first of :attr:`names`."""
        return self.names[0] if self.names else None

    @property
    def writer(self) -> str:
        """The rdflib serialiser an export writes it with: the indented one where there is one."""
        return self.pretty_writer or self.name

    @property
    def flat_writer(self) -> str | None:
        """The :class:`pyoxigraph.RdfFormat` member that writes it without recursion."""
        return self.oxigraph_writer or self.oxigraph

    @property
    def rdf_format(self) -> ox.RdfFormat | None:
        """Oxigraph's format for it, or ``None`` where rdflib alone reads it."""
        return getattr(ox.RdfFormat, self.oxigraph) if self.oxigraph else None


#: every RDF syntax bpfgraph reads or writes, in the order content negotiation offers them
SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", "Turtle", media_type="text/turtle", read_aliases=("application/x-turtle",),
              suffixes=(".ttl", ".turtle"), names=("ttl", "turtle"), oxigraph="TURTLE",
              native=True),
    # text/plain: N-Triples' media type before RDF 1.1
    RdfSyntax("nt", "N-Triples", media_type="application/n-triples",
              served_aliases=("text/plain",), suffixes=(".nt", ".ntriples"),
              names=("nt", "ntriples", "n-triples"), oxigraph="N_TRIPLES", native=True),
    RdfSyntax("json-ld", "JSON-LD", media_type="application/ld+json",
              read_aliases=("application/json",), suffixes=(".jsonld", ".json"),
              names=("jsonld", "json-ld"), oxigraph="JSON_LD"),
    RdfSyntax("xml", "RDF/XML", media_type="application/rdf+xml",
              read_aliases=("application/xml",), suffixes=(".rdf", ".owl", ".xml"),
              names=("xml", "rdfxml", "rdf/xml"), oxigraph="RDF_XML", pretty_writer="pretty-xml"),
    RdfSyntax("trig", "TriG", media_type="application/trig", suffixes=(".trig",),
              names=("trig",), quads=True, oxigraph="TRIG", native=True),
    RdfSyntax("nquads", "N-Quads", media_type="application/n-quads", suffixes=(".nq",),
              names=("nquads", "nq"), quads=True, oxigraph="N_QUADS", native=True),
    # read by rdflib alone (Oxigraph's N3 has formulas and variables the store cannot hold);
    # Turtle is N3, so Oxigraph writes it as Turtle
    RdfSyntax("n3", "N3", oxigraph_writer="TURTLE"),
    # a city mapping workbook: read into the mapping's graph, written by `bpfgraph convert`
    RdfSyntax("xlsx", "workbook (.xlsx)",
              media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              suffixes=(".xlsx",), names=("xlsx",), workbook=True),
)  # fmt: skip

#: rdflib format name -> its row
BY_NAME: dict[str, RdfSyntax] = {s.name: s for s in SYNTAXES}

# --- files, the CLI and messages ---------------------------------------------------------------

#: file suffix -> rdflib format name
FORMAT_BY_SUFFIX: dict[str, str] = {x: s.name for s in SYNTAXES for x in s.suffixes}
#: the names users type (CLI ``--format``) -> rdflib format name
FORMAT_BY_TYPED_NAME: dict[str, str] = {n: s.name for s in SYNTAXES for n in s.names}
#: the rdflib format names of the syntaxes holding named graphs
QUAD_FORMATS: set[str] = {s.name for s in SYNTAXES if s.quads}
#: rdflib format name -> the syntax's name in messages
SYNTAX_NAMES: dict[str, str] = {s.name: s.title for s in SYNTAXES}

# --- Oxigraph ------------------------------------------------------------------------------------

#: rdflib format name -> Oxigraph format, for the syntaxes Oxigraph reads and writes
OX_FORMATS: dict[str, ox.RdfFormat] = {
    s.name: s.rdf_format for s in SYNTAXES if s.rdf_format is not None
}
#: rdflib format name -> RdfFormat member name, for the syntaxes rdfio reads with Oxigraph's
#: parser first
NATIVE_FORMATS: dict[str, str] = {s.name: s.oxigraph for s in SYNTAXES if s.native and s.oxigraph}
#: the same, for the syntaxes of one graph (Turtle, N-Triples)
NATIVE_TRIPLE_FORMATS: dict[str, str] = {
    name: member for name, member in NATIVE_FORMATS.items() if not BY_NAME[name].quads
}
#: every rdflib serialiser name -> the RdfFormat member writing the same syntax flat
OXIGRAPH_WRITERS: dict[str, str] = {
    writer: s.flat_writer
    for s in SYNTAXES
    if s.flat_writer
    for writer in dict.fromkeys((s.name, s.writer))
}

# --- HTTP ----------------------------------------------------------------------------------------

#: the media types RDF is answered in (CONSTRUCT/DESCRIBE, downloads, graphs, dereferencing),
#: in the order content negotiation offers them: canonical types first, then the aliases
RDF_MEDIA_TYPES: list[str] = [s.media_type for s in SYNTAXES if s.media_type and not s.workbook] + [
    alias for s in SYNTAXES for alias in s.served_aliases
]
#: media type answered -> (rdflib format name, download extension)
FORMAT_BY_SERVED_TYPE: dict[str, tuple[str, str]] = {
    media: (s.name, s.extension)
    for s in SYNTAXES
    if s.media_type and s.extension and not s.workbook
    for media in (s.media_type, *s.served_aliases)
}
#: download extension -> canonical media type
MEDIA_TYPE_BY_EXTENSION: dict[str, str] = {
    s.extension: s.media_type for s in SYNTAXES if s.media_type and s.extension and not s.workbook
}
#: the rdflib-style name of the workbook syntax, read by :mod:`bpfgraph.rdfio.workbook`
WORKBOOK = "xlsx"
#: media type of a request body that can be read -> rdflib format name
FORMAT_BY_MEDIA_TYPE: dict[str, str] = {
    media: s.name
    for s in SYNTAXES
    if s.media_type
    for media in (s.media_type, *s.served_aliases, *s.read_aliases)
}
