"""Parse and serialise RDF safely, with errors that name the file and line.

Every parser call goes through :func:`parse_file` / :func:`parse_data`, which
refuse remote JSON-LD contexts (nothing is fetched) and turn parser exceptions
into :class:`RDFInputError` with the source and, where the parser knows it, the line.

>>> g = parse_data(b"<urn:a> <urn:b> <urn:c> .", "ntriples", source="inline")
>>> len(g)
1
>>> try:
...     parse_data(b"<urn:a> <urn:b> .", "turtle", source="bad.ttl")
... except RDFInputError as e:
...     print(e.source, e.line is not None)
bad.ttl True
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

#: file suffix -> rdflib parser / serializer name
SUFFIX_FORMATS: dict[str, str] = {
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
}

#: names users type (CLI ``--format``) -> rdflib format name
FORMAT_ALIASES: dict[str, str] = {
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
}

QUAD_FORMATS = {"trig", "nquads"}


@dataclass
class RDFInputError(Exception):
    """RDF that could not be read: where, and what is wrong."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


def format_for(path: str | Path, explicit: str | None = None) -> str:
    """The rdflib format for a file, from an explicit name or the file's suffix."""
    if explicit:
        try:
            return FORMAT_ALIASES[explicit.lower()]
        except KeyError:
            raise RDFInputError(str(path), f"unknown RDF format {explicit!r}") from None
    suffix = Path(path).suffix.lower()
    try:
        return SUFFIX_FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise RDFInputError(
            str(path), f"cannot tell the RDF syntax from suffix {suffix!r} (known: {known})"
        ) from None


def parse_file(path: str | Path, fmt: str | None = None) -> Graph:
    """Parse one file; quads formats give a :class:`rdflib.Dataset`."""
    path = Path(path)
    rdf_format = format_for(path, fmt)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RDFInputError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    return parse_data(data, rdf_format, source=str(path))


def parse_data(data: bytes, fmt: str, source: str = "<input>") -> Graph:
    """Parse bytes in rdflib format ``fmt``; raise :class:`RDFInputError` on any problem."""
    fmt = FORMAT_ALIASES.get(fmt, fmt)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RDFInputError(source, f"not valid UTF-8 (byte {exc.start})", line) from None
    if fmt == "json-ld":
        _refuse_remote_contexts(text, source)
    if fmt == "xml" and re.search(r"<!DOCTYPE[^>]*\[|<!ENTITY", text[:65536]):
        line = text.count("\n", 0, max(text.find("<!DOCTYPE"), 0)) + 1
        raise RDFInputError(
            source,
            "RDF/XML with a DOCTYPE declaring entities is refused "
            "(external entities and entity expansion are not processed)",
            line,
        )
    native = _parse_native(data, fmt)
    if native is not None:
        _check_iris(native, text, source)
        return native
    graph: Graph = Dataset(default_union=True) if fmt in QUAD_FORMATS else Graph()
    try:
        graph.parse(data=text, format=fmt)
    except Exception as exc:  # every parser has its own exception types
        message = _clean_message(exc)
        line = _line_of(exc)
        if line is None and "Invalid line: " in message:  # the N-Triples parser quotes the line
            fragment = message.split("Invalid line: ", 1)[1].strip()[:60]
            pos = text.find(fragment)
            line = text.count("\n", 0, pos) + 1 if pos >= 0 else None
        raise RDFInputError(source, message, line) from None
    _check_iris(graph, text, source)
    return graph


#: syntaxes Oxigraph's parser reads into the same triples as rdflib's, two to three times faster
_NATIVE_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES"}


def _parse_native(data: bytes, fmt: str) -> Graph | None:
    """Turtle and N-Triples through Oxigraph's parser, or None: other syntaxes, and anything it
    refuses (errors, relative IRIs without a base), go to rdflib's parser, whose messages and
    line numbers the error reports use."""
    name = _NATIVE_FORMATS.get(fmt)
    if name is None or _nesting(data) > MAX_NATIVE_NESTING:
        return None
    import pyoxigraph as ox

    graph = Graph()
    term = term_converter()
    try:
        # fresh blank nodes per parse, as rdflib's parser gives
        parser = ox.parse(data, format=getattr(ox.RdfFormat, name), rename_blank_nodes=True)
        graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in parser)
        prefixes = parser.prefixes if name == "TURTLE" else {}
    except (SyntaxError, ValueError, TypeError, OSError):
        return None
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


#: deeper nesting of lists and blank nodes goes to rdflib's parser, which refuses what it (and
#: so rdflib's serialisers, which write the data out again) cannot handle
MAX_NATIVE_NESTING = 32
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"()[]")


def _nesting(data: bytes) -> int:
    """An upper bound of the nesting of ``(`` and ``[`` (brackets in strings count too).

    >>> _nesting(b'<a> <b> ( 1 [ <c> "(" ] ) .')
    3
    """
    depth = deepest = 0
    for byte in data.translate(None, _NOT_BRACKETS):
        if byte in b"([":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


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
    import pyoxigraph as ox

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


_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')


#: the longest literal accepted (characters); longer ones are refused as abuse
MAX_LITERAL = 1_000_000


def _check_iris(graph: Graph, text: str, source: str) -> None:
    """Refuse IRIs that rdflib lets through but RDF forbids (spaces, quotes, braces…), and
    literals longer than :data:`MAX_LITERAL`."""
    terms = graph.quads() if isinstance(graph, Dataset) else graph
    for quad in terms:
        for term in quad:
            if isinstance(term, Literal) and len(term) > MAX_LITERAL:
                raise RDFInputError(
                    source, f"a literal of {len(term)} characters is longer than {MAX_LITERAL}"
                )
            if isinstance(term, URIRef) and _BAD_IRI.search(str(term)):
                value = str(term)
                pos = text.find(value)
                line = text.count("\n", 0, pos) + 1 if pos >= 0 else None
                raise RDFInputError(source, f"invalid IRI <{value[:80]}>", line)


def _refuse_remote_contexts(text: str, source: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RDFInputError(source, f"invalid JSON: {exc.msg}", exc.lineno) from None

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    contexts = value if isinstance(value, list) else [value]
                    for ctx in contexts:
                        if isinstance(ctx, str):
                            raise RDFInputError(
                                source,
                                f"remote JSON-LD context {ctx!r} refused: "
                                "bpfgraph never fetches from the network; inline the context",
                            )
                        walk(ctx)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)


_LINE_PATTERNS = (
    re.compile(r"at line (\d+)"),
    re.compile(r"line (\d+)"),
    re.compile(r":(\d+):\d+:"),
)


def _line_of(exc: Exception) -> int | None:
    for attr in ("lines", "lineno", "line"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value + 1 if attr == "lines" else value
    text = str(exc)
    for pattern in _LINE_PATTERNS:
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    return None


def _clean_message(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:500] or type(exc).__name__


def as_graph(graph: Graph) -> Graph:
    """The triples of a graph, or of every graph of a dataset, as one plain graph."""
    if not isinstance(graph, Dataset):
        return graph
    flat = Graph()
    for s, p, o, _g in graph.quads():
        flat.add((s, p, o))
    return flat
