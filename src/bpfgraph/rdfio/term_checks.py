"""The checks every parsed graph passes, whatever parser read it: IRIs RDF forbids, terms
longer than the limits, lone surrogates."""

from __future__ import annotations

import re

from rdflib import Dataset, Graph, Literal, URIRef

from .errors import RDFInputError, lone_surrogate, long_iri
from .limits import MAX_IRI, MAX_LITERAL, NO_BASE

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: where a surrogate can come from: the escapes of Turtle, N-Triples and JSON strings
_SURROGATE_ESCAPE = re.compile(
    r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}"
)


def check_terms(graph: Graph, text: str, source: str, hint: int | None = None) -> None:
    """Refuse IRIs that rdflib lets through but RDF forbids (spaces, quotes, braces…), IRIs
    longer than :data:`MAX_IRI`, literals longer than :data:`MAX_LITERAL`, and lone surrogates
    (from escapes such as ``\\uD800``, which rdflib's parsers let through and no UTF-8 writer
    can write)."""
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    terms = graph.quads() if isinstance(graph, Dataset) else graph
    for quad in terms:
        for term in quad:
            if isinstance(term, Literal):
                size = len(term) + len(term.language or "")
                if size > MAX_LITERAL:
                    raise RDFInputError(
                        source, f"a literal of {size:,} characters is longer than {MAX_LITERAL:,}"
                    )
                if term.datatype is not None:
                    _check_iri(term.datatype, text, source, hint, surrogates)
            elif isinstance(term, URIRef):
                _check_iri(term, text, source, hint, surrogates)
            if surrogates and isinstance(term, str):
                found = _SURROGATE.search(term)
                if found:
                    raise lone_surrogate(source, found.group(), text)


def _check_iri(iri: URIRef, text: str, source: str, hint: int | None, surrogates: bool) -> None:
    """Refuse an IRI longer than :data:`MAX_IRI`, with a character RDF forbids, or with a lone
    surrogate; its line is where the text has it, else ``hint``."""
    if len(iri) > MAX_IRI:
        raise long_iri(source, iri)
    if iri.startswith(NO_BASE):
        relative = str(iri)[len(NO_BASE) :]
        pos = max(text.find(f"<{relative}>"), text.find(f'"{relative}"'))
        said = (
            f"relative IRI <{relative[:80]}> with no base to resolve it against: write the "
            "full IRI, or declare a base (@base in Turtle or in a JSON-LD @context, xml:base)"
            if relative
            else "an empty or invalid IRI where the input gives an IRI (an IRI has no spaces, "
            "quotes, <>, {}, |, \\, ^ or `)"
        )
        raise RDFInputError(
            source,
            said,
            text.count("\n", 0, pos) + 1 if pos >= 0 else hint,
        )
    if _BAD_IRI.search(iri):
        value = str(iri)
        pos = text.find(value)
        line = text.count("\n", 0, pos) + 1 if pos >= 0 else hint
        raise RDFInputError(source, f"invalid IRI <{value[:80]}>", line)
    if surrogates:
        found = _SURROGATE.search(iri)
        if found:
            raise lone_surrogate(source, found.group(), text)
