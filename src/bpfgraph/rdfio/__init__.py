"""Parse and serialise RDF safely, with errors that name the file and line.

Every parser call goes through :func:`parse_file` / :func:`parse_data`, which
refuse remote JSON-LD contexts (nothing is fetched) and turn parser exceptions
into :class:`RDFInputError` with the source and, where the parser knows it, the line.

Turtle, N-Triples, TriG and N-Quads are read by Oxigraph's parser, in time linear in the input;
rdflib's parser only reads what Oxigraph's refuses, when the input is small enough for it (its
messages and leniency are kept for small files; larger ones get Oxigraph's message). RDF/XML and
JSON-LD are read by rdflib's parsers, after prescans that refuse what those parsers would choke
on. The limits, each named with its value in the message that refuses it:

* :data:`MAX_LITERAL` (1,000,000): characters in a literal, counting its language tag.
* :data:`MAX_IRI` (1,000,000): characters in an IRI, datatype IRIs included.
* :data:`MAX_NESTING` (100): levels of ``[ ]`` and ``( )`` in Turtle and TriG (with ``{ }`` in
  N3), of ``{ }`` and ``[ ]`` in JSON-LD, of elements in RDF/XML. rdflib's parsers and
  serialisers recurse once or more per level and fail at a few hundred.
* :data:`MAX_PREFIXES` (500): distinct prefix declarations — ``@prefix``/``PREFIX`` in Turtle
  and TriG, ``xmlns`` in RDF/XML, namespace terms of the top-level JSON-LD ``@context``. rdflib
  binds each in time growing with the number already bound (20,000 take half a minute), and
  recurses once for each namespace that starts with another (1,000 such overflow the stack).
* :data:`MAX_NUMBER_DIGITS` (4,300): digits in a JSON number, Python's limit for converting a
  number; a JSON number too large for a double (``1e999999``), ``NaN`` and ``Infinity`` are
  refused too.

A lone surrogate (``\\uD800``) is refused in every syntax: it is not a Unicode character.

The package, from the bottom up (each module imports only those above it):

* :mod:`.limits` — the limits above, and when rdflib's parser is tried after Oxigraph's;
* :mod:`.errors` — :class:`RDFInputError` and the words of its messages;
* :mod:`.convert` — Oxigraph's terms as rdflib's (:func:`to_rdflib`), a dataset as one graph
  (:func:`as_graph`);
* :mod:`.term_checks` — the checks every parsed term passes;
* :mod:`.prescan` — the nesting and prefix prescans of Turtle, TriG, N3 and RDF/XML;
* :mod:`.jsonld` — JSON-LD's checks and parse;
* :mod:`.native` — Oxigraph's parser, into rdflib graphs or straight to N-Triples
  (:func:`native_ntriples`);
* :mod:`.parse` — :func:`format_for`, :func:`parse_file`, :func:`parse_data`;
* :mod:`.serialize` — :func:`serialize`.

The syntaxes themselves (suffixes, names, media types) are the table of :mod:`bpfgraph.formats`.

>>> g = parse_data(b"<urn:a> <urn:b> <urn:c> .", "ntriples", source="inline")
>>> len(g)
1
>>> try:
...     parse_data(b"<urn:a> <urn:b> .", "turtle", source="bad.ttl")
... except RDFInputError as e:
...     print(e.source, e.line is not None)
bad.ttl True
>>> try:
...     parse_data(b'{"@id": "urn:a", "urn:b": ' * 200 + b'"c"' + b"}" * 200, "json-ld")
... except RDFInputError as e:
...     print(e)
<input>:1: JSON-LD nested deeper than 100 levels, at line 1, column 2,601
"""

from __future__ import annotations

from .. import formats
from .convert import XSD_STRING, as_graph, term_converter, to_rdflib
from .errors import RDFInputError
from .limits import MAX_IRI, MAX_LITERAL, MAX_NESTING, MAX_NUMBER_DIGITS, MAX_PREFIXES
from .native import native_ntriples, parse_native
from .parse import format_for, parse_data, parse_file
from .serialize import serialize
from .workbook import read_located

# the format tables, views of :mod:`bpfgraph.formats` under the names callers know

#: file suffix -> rdflib parser / serializer name
SUFFIX_FORMATS = formats.FORMAT_BY_SUFFIX
#: names users type (CLI ``--format``) -> rdflib format name
FORMAT_ALIASES = formats.FORMAT_BY_TYPED_NAME
#: the rdflib format names of the syntaxes holding named graphs
QUAD_FORMATS = formats.QUAD_FORMATS
#: the syntaxes' names in messages
SYNTAX_NAMES = formats.SYNTAX_NAMES
#: syntaxes Oxigraph's parser reads into the same triples as rdflib's, in linear time
NATIVE_FORMATS = formats.NATIVE_FORMATS
#: the syntaxes :func:`native_ntriples` reads (one graph each)
NATIVE_TRIPLE_FORMATS = formats.NATIVE_TRIPLE_FORMATS

# the names these had when private, still used by tests
_NATIVE_FORMATS = NATIVE_FORMATS
_OX_WRITERS = formats.OXIGRAPH_WRITERS
_parse_native = parse_native

__all__ = [
    "FORMAT_ALIASES",
    "MAX_IRI",
    "MAX_LITERAL",
    "MAX_NESTING",
    "MAX_NUMBER_DIGITS",
    "MAX_PREFIXES",
    "NATIVE_FORMATS",
    "NATIVE_TRIPLE_FORMATS",
    "QUAD_FORMATS",
    "SUFFIX_FORMATS",
    "SYNTAX_NAMES",
    "XSD_STRING",
    "RDFInputError",
    "as_graph",
    "format_for",
    "native_ntriples",
    "parse_data",
    "parse_file",
    "parse_native",
    "read_located",
    "serialize",
    "term_converter",
    "to_rdflib",
]
