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

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from . import formats

# the format tables, views of :mod:`bpfgraph.formats` under the names callers know

#: file suffix -> rdflib parser / serializer name
SUFFIX_FORMATS = formats.FORMAT_BY_SUFFIX

#: names users type (CLI ``--format``) -> rdflib format name
FORMAT_ALIASES = formats.FORMAT_BY_TYPED_NAME

QUAD_FORMATS = formats.QUAD_FORMATS

#: the syntaxes' names in messages
SYNTAX_NAMES = formats.SYNTAX_NAMES

#: the longest literal accepted (characters, with its language tag); longer ones are abuse
MAX_LITERAL = 1_000_000

#: the longest IRI accepted (characters), datatype IRIs included
MAX_IRI = 1_000_000

#: the deepest nesting accepted: ``[ ]``/``( )`` in Turtle and TriG (and ``{ }`` in N3),
#: ``{ }``/``[ ]`` in JSON-LD, elements in RDF/XML
MAX_NESTING = 100

#: the most distinct prefix declarations accepted in one document
MAX_PREFIXES = 500

#: the most digits accepted in a JSON number (Python's limit for converting one)
MAX_NUMBER_DIGITS = 4_300


@dataclass
class RDFInputError(Exception):
    """RDF that could not be read: where, and what is wrong."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None

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
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise RDFInputError(
            source, f"not valid UTF-8 {_at(line, column)} (byte {exc.start:,})", line, column
        ) from None
    hint = None  # where Oxigraph's parser stopped, when rdflib's read on
    if fmt == "json-ld":
        graph = _parse_json_ld(data, text, source)
    elif fmt in _NATIVE_FORMATS:
        graph, hint = _parse_turtle_family(data, text, fmt, source)
    else:
        if fmt == "xml":
            _check_xml(text, source)
        elif fmt == "n3":
            _check_turtle_like(data, text, fmt, source)
        graph = _parse_rdflib(text, fmt, source)
    _check_terms(graph, text, source, hint)
    return graph


# --- Turtle, N-Triples, TriG, N-Quads ------------------------------------------------------

#: syntaxes Oxigraph's parser reads into the same triples as rdflib's, in linear time
_NATIVE_FORMATS = formats.NATIVE_FORMATS

#: inputs up to this size that Oxigraph's parser refuses go to rdflib's, for its messages and
#: leniency; rdflib's is slow on large ones (quadratic in the length of an N-Triples line)
_RDFLIB_FALLBACK_BYTES = 512 * 1024

#: rdflib's Turtle parser recurses some eight frames a level: deeper inputs never go to it
_RDFLIB_NESTING = 32


class _NativeError(Exception):
    """Oxigraph's parser refused the input: its message, line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def _parse_turtle_family(data: bytes, text: str, fmt: str, source: str) -> tuple[Graph, int | None]:
    """The graph, and the line where Oxigraph's parser stopped when rdflib's read it."""
    nesting, declarations = _check_turtle_like(data, text, fmt, source)
    try:
        graph, prefixes = _native(data, fmt)
    except _NativeError as native:
        if (
            len(data) <= _RDFLIB_FALLBACK_BYTES
            and nesting <= _RDFLIB_NESTING
            and declarations <= MAX_PREFIXES
        ):
            return _parse_rdflib(text, fmt, source, native), native.line
        message = _plain_native(native.message)
        raise RDFInputError(source, message, native.line, native.column) from None
    if len(prefixes) > MAX_PREFIXES:
        raise _too_many_prefixes(source, len(prefixes))
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, replace=True)
    return graph, None


def _check_turtle_like(data: bytes, text: str, fmt: str, source: str) -> tuple[int, int]:
    """Refuse nesting deeper than :data:`MAX_NESTING` (and, in N3, which only rdflib reads,
    more than :data:`MAX_PREFIXES` prefix declarations); give upper bounds of the nesting and
    of the prefix declarations, exact where they decide something."""
    if fmt in ("nt", "nquads"):
        return 0, 0  # neither nesting nor prefixes in the syntax
    nesting = _nesting(data, _N3_BRACKETS if fmt == "n3" else _TURTLE_BRACKETS, MAX_NESTING)
    declarations = _prefix_bound(data)
    small = len(data) <= _RDFLIB_FALLBACK_BYTES
    if (
        nesting > MAX_NESTING
        or (fmt == "n3" and declarations > MAX_PREFIXES)
        or (small and (nesting > _RDFLIB_NESTING or declarations > MAX_PREFIXES))
    ):
        scan = _scan_turtle(text, fmt == "n3")
        if scan.too_deep is not None:
            line, column = _line_column(text, scan.too_deep)
            raise RDFInputError(
                source,
                f"{SYNTAX_NAMES[fmt]} nested deeper than {MAX_NESTING:,} levels of brackets, "
                f"{_at(line, column)}",
                line,
                column,
            )
        if fmt == "n3" and scan.prefixes > MAX_PREFIXES:
            raise _too_many_prefixes(source, scan.prefixes)
        nesting, declarations = scan.depth, scan.prefixes
    return nesting, declarations


def _native(data: bytes, fmt: str) -> tuple[Graph, dict[str, str]]:
    """Parse with Oxigraph's parser into a Graph (a Dataset for quads) and the prefixes
    declared; raise :class:`_NativeError` on what it refuses."""
    import pyoxigraph as ox

    name = _NATIVE_FORMATS[fmt]
    term = term_converter()
    try:
        # fresh blank nodes per parse, as rdflib's parser gives
        parser = ox.parse(data, format=getattr(ox.RdfFormat, name), rename_blank_nodes=True)
        if fmt in QUAD_FORMATS:
            graph: Graph = Dataset(default_union=True)
            context = _contexts(graph, term)
            graph.addN(
                (term(q.subject), term(q.predicate), term(q.object), context(q.graph_name))
                for q in parser
            )
        else:
            graph = Graph()
            graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in parser)
        prefixes = dict(parser.prefixes) if name in ("TURTLE", "TRIG") else {}
    except SyntaxError as exc:
        raise _NativeError(_native_message(exc), exc.lineno, exc.offset) from None
    except TypeError:  # a term rdflib has no equivalent for
        raise _NativeError("quoted triples (RDF-star triple terms) are not supported") from None
    except (ValueError, OSError) as exc:
        raise _NativeError(str(exc)) from None
    except MemoryError as exc:  # Oxigraph's parser reads at most 16 MiB at once
        if "buffer maximal size" not in str(exc):
            raise
        raise _NativeError(
            f"a literal or IRI longer than the parser reads at once ({_OX_BUFFER:,} bytes); "
            f"literals and IRIs may have at most {MAX_LITERAL:,} characters"
        ) from None
    return graph, prefixes


_OX_BUFFER = 16 * 1024 * 1024


def _contexts(dataset: Dataset, term: Callable[[object], Node]) -> Callable[[object], Graph]:
    """The dataset's graph for an Oxigraph graph name, each made once."""
    import pyoxigraph as ox

    made: dict[object, Graph] = {}

    def context(name: object) -> Graph:
        found = made.get(name)
        if found is None:
            if isinstance(name, ox.DefaultGraph):
                newer = getattr(type(dataset), "default_graph", None) is not None  # newer rdflib
                found = dataset.default_graph if newer else dataset.default_context
            else:
                found = dataset.graph(term(name))
            made[name] = found
        return found

    return context


def _parse_native(data: bytes, fmt: str) -> Graph | None:
    """A Graph parsed by Oxigraph's parser (Turtle, N-Triples, TriG, N-Quads), or None for
    other syntaxes and anything it refuses (errors, relative IRIs without a base), which go to
    rdflib's parser, whose messages and line numbers the error reports use."""
    if fmt not in _NATIVE_FORMATS:
        return None
    try:
        graph, prefixes = _native(data, fmt)
    except _NativeError:
        return None
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


_NATIVE_PREFIX = re.compile(
    r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): "
)
_NATIVE_ESCAPE = re.compile(
    r"The escape sequence '\\[uU]0*([0-9A-Fa-f]+)' is encoding [0-9A-Fa-f]+ that is not a valid "
    r"unicode character"
)


def _native_message(exc: SyntaxError) -> str:
    """Oxigraph's message without its position prefix (the error carries line and column) and
    its repeated ``(line N)``, with the column in words."""
    message = _NATIVE_PREFIX.sub("", exc.msg or str(exc))
    message = re.sub(r" \(line \d+\)$", "", message)
    if exc.offset:
        message = f"{message}, {_at(exc.lineno, exc.offset)}"
    return message


def _plain_native(message: str) -> str:
    def escape(m: re.Match[str]) -> str:
        code = int(m.group(1), 16)
        if 0xD800 <= code <= 0xDFFF:
            return f"a lone surrogate \\u{code:04X} is not a Unicode character"
        return f"\\U{code:08X} is beyond the last Unicode character, U+10FFFF"

    return _NATIVE_ESCAPE.sub(escape, message)


_TURTLE_BRACKETS = (b"([", b")]")
_N3_BRACKETS = (b"([{", b")]}")
_DELTAS: dict[tuple[bytes, bytes], tuple[bytes, list[int]]] = {}


def _nesting(
    data: bytes, brackets: tuple[bytes, bytes] = _TURTLE_BRACKETS, stop: int | None = None
) -> int:
    """An upper bound of the nesting of ``(`` and ``[`` (brackets in strings count too), in C
    loops: linear, and fast even for megabytes of brackets. With ``stop``, any bound above it
    may be returned as soon as one is found.

    >>> _nesting(b'<a> <b> ( 1 [ <c> "(" ] ) .')
    3
    >>> _nesting(b'{"a": [{"b": "]]"}]}', (b"[{", b"]}"))
    3
    """
    others, delta = _deltas(brackets)
    kept = data.translate(None, others)
    depth = deepest = 0
    for start in range(0, len(kept), _CHUNK):
        chunk = kept[start : start + _CHUNK]
        deepest = max(deepest, max(accumulate(map(delta.__getitem__, chunk), initial=depth)))
        if stop is not None and deepest > stop:
            break
        depth += sum(map(delta.__getitem__, chunk))
    return deepest


_CHUNK = 1 << 20


def _deltas(brackets: tuple[bytes, bytes]) -> tuple[bytes, list[int]]:
    """The bytes that are not brackets, and each byte's change of depth: +1 opening, -1
    closing."""
    if brackets not in _DELTAS:
        opening, closing = brackets
        delta = [0] * 256
        for byte in opening:
            delta[byte] = 1
        for byte in closing:
            delta[byte] = -1
        _DELTAS[brackets] = (bytes(b for b in range(256) if not delta[b]), delta)
    return _DELTAS[brackets]


def _prefix_bound(data: bytes) -> int:
    """An upper bound of the number of prefix declarations in Turtle, TriG or N3."""
    return len(_PREFIX_WORD.findall(data))


_PREFIX_WORD = re.compile(rb"[pP][rR][eE][fF][iI][xX]")

#: strings, IRIs, comments and escapes, in which brackets do not count
_TURTLE_SKIP = (
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"'
    r"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*(?:\\.[^<>\"{}|^`\\\x00-\x20]*)*>"
    r"|#[^\n\r]*"
    r"|\\."
)
_TURTLE_TOKENS = re.compile(
    _TURTLE_SKIP
    + r"|(?P<brackets>[\[\]()]+)"
    + r"|(?P<prefix>(?<![^\s.{}])@?(?i:prefix)(?=\s))"
    + r"|(?P<braces>[{}])",
    re.S,
)


@dataclass
class _Scan:
    depth: int = 0  #: the deepest nesting
    too_deep: int | None = None  #: where the nesting first exceeds MAX_NESTING
    prefixes: int = 0  #: prefix declarations


def _scan_turtle(text: str, braces: bool = False) -> _Scan:
    """The nesting and prefix declarations of Turtle/TriG/N3, outside strings, IRIs and
    comments; stops where the nesting exceeds :data:`MAX_NESTING`. Linear: runs of brackets
    are one match each.

    >>> _scan_turtle('@prefix a: <x#> . a:b a:c ( "((" [ a:d ( ) ] ) . # ((').depth
    3
    """
    scan, depth = _Scan(), 0
    for m in _TURTLE_TOKENS.finditer(text):
        kind = m.lastgroup
        if kind is None:
            continue
        if kind == "prefix":
            scan.prefixes += 1
            continue
        if kind == "braces" and not braces:
            continue
        run = m.group().encode("ascii")
        depth, deepest, over = _bracket_run(run, depth, _N3_BRACKETS)
        scan.depth = max(scan.depth, deepest)
        if over is not None:
            scan.too_deep = m.start() + over
            return scan
    return scan


def _bracket_run(
    run: bytes, depth: int, brackets: tuple[bytes, bytes]
) -> tuple[int, int, int | None]:
    """Follow a run of brackets from ``depth``: the depth after it, the deepest within it, and
    the offset where it first goes deeper than :data:`MAX_NESTING` (None if it does not), in C
    loops over chunks.

    >>> _bracket_run(b"[[]]", 5, _TURTLE_BRACKETS)
    (5, 7, None)
    >>> _bracket_run(b"[]([", 99, _TURTLE_BRACKETS)
    (101, 101, 3)
    """
    delta = _deltas(brackets)[1]
    deepest = depth
    for start in range(0, len(run), _CHUNK):
        chunk = run[start : start + _CHUNK]
        top = max(accumulate(map(delta.__getitem__, chunk), initial=depth))
        if top > MAX_NESTING:
            for offset, byte in enumerate(chunk):
                depth += delta[byte]
                if depth > MAX_NESTING:
                    return depth, depth, start + offset
        deepest = max(deepest, top)
        depth += sum(map(delta.__getitem__, chunk))
    return depth, deepest, None


def _too_many_prefixes(source: str, count: int) -> RDFInputError:
    return RDFInputError(
        source,
        f"more than {MAX_PREFIXES:,} prefix declarations ({count:,}); "
        "declare only the prefixes the data uses",
    )


# --- JSON-LD --------------------------------------------------------------------------------

_JSON_TOKENS = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"'
    r"|(?P<brackets>[\[\]{}]+)"
    r"|(?P<number>-?[0-9][0-9.eE+-]*)"
    r"|(?P<constant>NaN|-?Infinity)",
    re.S,
)
_JSON_BRACKETS = (b"[{", b"]}")


class _BadNumber(Exception):
    def __init__(self, token: str, problem: str, limit: str = ""):
        super().__init__(token)
        self.token, self.problem, self.limit = token, problem, limit


def _check_digits(token: str) -> None:
    digits = len(token) - sum(token.count(c) for c in "-+.eE")
    if digits > MAX_NUMBER_DIGITS:
        raise _BadNumber(
            token, f"a number with {digits:,} digits", f"; at most {MAX_NUMBER_DIGITS:,} digits"
        )


def _json_int(token: str) -> int:
    _check_digits(token)
    return int(token)


def _json_float(token: str) -> float:
    _check_digits(token)
    value = float(token)
    if math.isinf(value):
        raise _BadNumber(token, f"the number {token[:40]} is too large for a double")
    return value


def _json_constant(token: str) -> float:
    raise _BadNumber(token, f"{token} is not a JSON number")


def _parse_json_ld(data: bytes, text: str, source: str) -> Graph:
    from rdflib.parser import PythonInputSource

    if _nesting(data, _JSON_BRACKETS, MAX_NESTING) > MAX_NESTING:
        _check_json_depth(text, source)
    try:
        doc = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError as exc:
        raise RDFInputError(
            source, f"invalid JSON: {exc.msg}, {_at(exc.lineno, exc.colno)}", exc.lineno, exc.colno
        ) from None
    except _BadNumber as bad:
        line, column = _find_json_token(text, bad.token)
        where = f", {_at(line, column)}" if line and column else ""
        raise RDFInputError(source, bad.problem + where + bad.limit, line, column) from None
    _JsonLdCheck(source).document(doc)
    graph = Graph()
    try:
        graph.parse(source=PythonInputSource(doc), format="json-ld")
    except RecursionError:
        raise RDFInputError(
            source,
            "a JSON-LD context defines a term through itself (a cyclic IRI mapping)",
        ) from None
    except Exception as exc:  # the JSON-LD processor's own and Python's exception types
        raise RDFInputError(source, _json_ld_message(exc), _line_of(exc)) from None
    if '"_:' in text:  # labelled blank nodes keep their labels: fresh ones, as other parses give
        graph = _fresh_blank_nodes(graph)
    return graph


def _fresh_blank_nodes(graph: Graph) -> Graph:
    fresh: dict[Node, Node] = {}

    def term(node: Node) -> Node:
        if isinstance(node, BNode):
            found = fresh.get(node)
            if found is None:
                found = fresh[node] = BNode()
            return found
        return node

    renamed = Graph()
    for prefix, namespace in graph.namespaces():
        renamed.bind(prefix, namespace, override=True, replace=True)
    renamed.addN((term(s), term(p), term(o), renamed) for s, p, o in graph)
    return renamed


def _check_json_depth(text: str, source: str) -> None:
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        if m.lastgroup != "brackets":
            continue
        depth, _deepest, over = _bracket_run(m.group().encode("ascii"), depth, _JSON_BRACKETS)
        if over is not None:
            line, column = _line_column(text, m.start() + over)
            raise RDFInputError(
                source,
                f"JSON-LD nested deeper than {MAX_NESTING:,} levels, {_at(line, column)}",
                line,
                column,
            )


def _find_json_token(text: str, token: str) -> tuple[int | None, int | None]:
    for m in _JSON_TOKENS.finditer(text):
        if m.lastgroup in ("number", "constant") and m.group() == token:
            return _line_column(text, m.start())
    return None, None


_JSON_TYPES = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
    dict: "an object",
    list: "an array",
}


def _kind(value: object) -> str:
    return _JSON_TYPES.get(type(value), "a value")


#: keywords whose values must be strings (or null, where the second item says so)
_NODE_STRINGS = {
    "@id": False,
    "@language": True,
    "@index": False,
    "@direction": True,
}
_CONTEXT_STRINGS = {"@base": True, "@vocab": True, "@language": True, "@direction": True}
_TERM_STRINGS = {
    "@id": True,
    "@type": False,
    "@language": True,
    "@reverse": False,
    "@nest": False,
    "@index": False,
    "@direction": True,
}
_VOCAB_DELIMS = ("#", "/", ":")


class _JsonLdCheck:
    """Refuse remote contexts (nothing is fetched) and keyword values of the wrong type, which
    rdflib's JSON-LD processor fails on with Python errors; count the namespaces the top-level
    context declares (rdflib binds each as a prefix)."""

    def __init__(self, source: str):
        self.source = source
        self.path: list[str] = []

    def fail(self, message: str) -> None:
        where = "".join(self.path).lstrip(".")
        raise RDFInputError(self.source, f"{message} (at {where})" if where else message)

    def document(self, doc: object) -> None:
        if not isinstance(doc, dict | list):
            self.fail(f"a JSON-LD document is an object or an array, not {_kind(doc)}")
        if isinstance(doc, dict) and "@context" in doc:
            prefixes = self.namespaces(doc["@context"])
            if prefixes > MAX_PREFIXES:
                raise RDFInputError(
                    self.source,
                    f"more than {MAX_PREFIXES:,} prefix declarations ({prefixes:,} namespace "
                    "terms in the @context); declare only the prefixes the data uses",
                )
        self.node(doc)

    def namespaces(self, context: object) -> int:
        contexts = context if isinstance(context, list) else [context]
        found = set()
        for ctx in contexts:
            if not isinstance(ctx, dict):
                continue
            for term, definition in ctx.items():
                iri = definition.get("@id") if isinstance(definition, dict) else definition
                if isinstance(iri, str) and iri.endswith(_VOCAB_DELIMS):
                    found.add(term)
        return len(found)

    def node(self, node: object) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                self.path.append(f"[{i}]")
                self.node(item)
                self.path.pop()
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            self.path.append(f".{key}")
            if key == "@context":
                self.context_value(value)
            elif key in _NODE_STRINGS:
                self.string(key, value, _NODE_STRINGS[key])
            elif key == "@type":
                types = value if isinstance(value, list) else [value]
                if not all(isinstance(t, str) for t in types):
                    bad = next(t for t in types if not isinstance(t, str))
                    self.fail(f'JSON-LD "@type" must be a string, not {_kind(bad)}')
            elif key == "@reverse" and not isinstance(value, dict):
                self.fail(f'JSON-LD "@reverse" must be an object, not {_kind(value)}')
            elif key != "@value":
                self.node(value)
            self.path.pop()

    def string(self, key: str, value: object, nullable: bool) -> None:
        if not isinstance(value, str) and not (nullable and value is None):
            self.fail(f'JSON-LD "{key}" must be a string, not {_kind(value)}')

    def context_value(self, value: object) -> None:
        contexts = value if isinstance(value, list) else [value]
        for ctx in contexts:
            if isinstance(ctx, str):
                shown = ctx if len(ctx) <= 80 else ctx[:80] + "…"
                self.fail(
                    f"remote JSON-LD context {shown!r} refused: "
                    "bpfgraph never fetches from the network; inline the context"
                )
            elif isinstance(ctx, dict):
                self.context(ctx)
            elif ctx is not None:
                self.fail(f"a JSON-LD @context is an object, an array or null, not {_kind(ctx)}")

    def context(self, ctx: dict) -> None:
        for key, value in ctx.items():
            self.path.append(f".{key}")
            if key == "@context":
                self.context_value(value)
            elif key == "@import":
                self.fail(
                    "JSON-LD @import of a context refused: "
                    "bpfgraph never fetches from the network or reads files; inline the context"
                )
            elif key in _CONTEXT_STRINGS:
                self.string(key, value, _CONTEXT_STRINGS[key])
            elif key in ("@version", "@protected", "@propagate"):
                pass
            elif isinstance(value, dict):
                self.term(value)
            elif not isinstance(value, str) and value is not None:
                self.fail(
                    f"a JSON-LD term is defined by a string, an object or null, not {_kind(value)}"
                )
            self.path.pop()

    def term(self, definition: dict) -> None:
        for key, value in definition.items():
            self.path.append(f".{key}")
            if key == "@context":
                self.context_value(value)
            elif key in _TERM_STRINGS:
                self.string(key, value, _TERM_STRINGS[key])
            elif key == "@container":
                items = value if isinstance(value, list) else [value]
                if not all(isinstance(i, str) for i in items) and value is not None:
                    self.fail(f'JSON-LD "@container" must be a string, not {_kind(value)}')
            self.path.pop()


def _json_ld_message(exc: Exception) -> str:
    """rdflib's JSON-LD processor's message, or plain words where it is a Python error."""
    if type(exc).__name__ == "JSONLDException" or _plain_value_error(exc):
        return _clean_message(exc)
    return "JSON-LD that cannot be processed: a keyword or term has a value of an unexpected form"


# --- RDF/XML --------------------------------------------------------------------------------


class _XMLRefused(Exception):
    def __init__(self, message: str, advice: str = ""):
        super().__init__(message)
        self.message, self.advice = message, advice


_DECLARE = "; declare only the prefixes the data uses"


_ENTITIES_REFUSED = (
    "RDF/XML with a DOCTYPE declaring entities is refused "
    "(external entities and entity expansion are not processed)"
)


def _check_xml(text: str, source: str) -> None:
    """Refuse entity declarations, elements nested deeper than :data:`MAX_NESTING` and more
    than :data:`MAX_PREFIXES` namespace declarations, in one pass of expat (C, linear) that
    expands nothing; malformed XML is left to rdflib's parser for its message."""
    from xml.parsers import expat

    if re.search(r"<!DOCTYPE[^>]*\[|<!ENTITY", text[:65536]):
        line = text.count("\n", 0, max(text.find("<!DOCTYPE"), 0)) + 1
        raise RDFInputError(source, _ENTITIES_REFUSED, line)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0
    namespaces: set[tuple[str | None, str]] = set()

    def start(name: str, attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_NESTING:
            raise _XMLRefused(f"RDF/XML nested deeper than {MAX_NESTING:,} elements")

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    def namespace(prefix: str | None, uri: str) -> None:
        namespaces.add((prefix, uri))
        if len(namespaces) > MAX_PREFIXES:
            raise _XMLRefused(f"more than {MAX_PREFIXES:,} prefix declarations (xmlns)", _DECLARE)

    def entity(*args: object) -> None:
        raise _XMLRefused(_ENTITIES_REFUSED)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartNamespaceDeclHandler = namespace
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(text, True)
    except _XMLRefused as refused:
        line, column = parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        message = f"{refused.message}, {_at(line, column)}{refused.advice}"
        raise RDFInputError(source, message, line, column) from None
    except expat.ExpatError:
        pass


# --- rdflib's parsers and the checks on every parse -----------------------------------------

#: exception types that are parsers' reports on the input (other types are Python errors inside
#: a parser, whose messages mean nothing to a user)
_PARSER_ERRORS = ("BadSyntax", "ParserError", "SAXParseException", "JSONLDException")


def _parse_rdflib(text: str, fmt: str, source: str, native: _NativeError | None = None) -> Graph:
    graph: Graph = Dataset(default_union=True) if fmt in QUAD_FORMATS else Graph()
    try:
        graph.parse(data=text, format=fmt)
    except Exception as exc:  # every parser has its own exception types
        parser_error = type(exc).__name__ in _PARSER_ERRORS
        if not parser_error and native is not None:
            message = _plain_native(native.message)
            raise RDFInputError(source, message, native.line, native.column) from None
        if isinstance(exc, RecursionError):
            message = f"{SYNTAX_NAMES.get(fmt, fmt)} nested too deeply to read"
        elif parser_error or fmt not in SYNTAX_NAMES or _plain_value_error(exc):
            message = _clean_message(exc)
        else:
            message = f"not readable as {SYNTAX_NAMES[fmt]}: the parser stopped on it"
        line = _line_of(exc)
        # the N-Triples parsers quote the line: Oxigraph's parser, stopped on it, knows where
        known = _line_text(text, native.line) if native is not None and native.line else ""
        if line is None and known and known[:60] in message:
            line = native.line  # type: ignore[union-attr]
        elif line is None and "Invalid line: " in message:
            fragment = message.split("Invalid line: ", 1)[1].strip()[:60]
            pos = text.find(fragment)
            if known and fragment in known:
                line = native.line  # type: ignore[union-attr]
            elif pos >= 0:
                line = text.count("\n", 0, pos) + 1
        raise RDFInputError(source, message, line) from None
    return graph


def _line_text(text: str, line: int) -> str:
    """The text of a 1-based line, stripped."""
    lines = text.split("\n", line)
    return lines[line - 1].strip() if len(lines) >= line else ""


#: Python's own wording, meaningless to a user, in a ValueError's message
_PYTHON_WORDING = re.compile(r"\w\(\)|\bsys\.|\bint\(|base 10|NoneType|integer string conversion")


def _plain_value_error(exc: Exception) -> bool:
    """Whether ``exc`` is a ValueError in words about the data (an invalid language tag or
    IRI), not Python's own (``chr() arg not in range``)."""
    return type(exc) is ValueError and not _PYTHON_WORDING.search(str(exc))


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
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: where a surrogate can come from: the escapes of Turtle, N-Triples and JSON strings
_SURROGATE_ESCAPE = re.compile(
    r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}"
)


def _check_terms(graph: Graph, text: str, source: str, hint: int | None = None) -> None:
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
                    raise _lone_surrogate(source, found.group(), text)


def _check_iri(iri: URIRef, text: str, source: str, hint: int | None, surrogates: bool) -> None:
    if len(iri) > MAX_IRI:
        raise _long_iri(source, iri)
    if _BAD_IRI.search(iri):
        value = str(iri)
        pos = text.find(value)
        line = text.count("\n", 0, pos) + 1 if pos >= 0 else hint
        raise RDFInputError(source, f"invalid IRI <{value[:80]}>", line)
    if surrogates:
        found = _SURROGATE.search(iri)
        if found:
            raise _lone_surrogate(source, found.group(), text)


def _long_iri(source: str, iri: str) -> RDFInputError:
    return RDFInputError(
        source, f"an IRI of {len(iri):,} characters is longer than {MAX_IRI:,} (<{iri[:40]}…>)"
    )


def _lone_surrogate(source: str, char: str, text: str) -> RDFInputError:
    code = ord(char)
    escape = re.compile(rf"\\u{code:04x}|\\U0000{code:04x}", re.IGNORECASE).search(text)
    line = column = None
    if escape:
        line, column = _line_column(text, escape.start())
    where = f", {_at(line, column)}" if line and column else ""
    return RDFInputError(
        source, f"a lone surrogate \\u{code:04X} is not a Unicode character{where}", line, column
    )


def _at(line: int | None, column: int | None) -> str:
    """Where, in words: ``at line 3, column 1,204``."""
    if line is None:
        return f"at column {column:,}" if column else ""
    return f"at line {line:,}, column {column:,}" if column else f"at line {line:,}"


def _line_column(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of a position in a text."""
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


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
    if type(exc).__name__ == "BadSyntax" and hasattr(exc, "_why"):
        return _bad_syntax_message(exc)
    text = " ".join(str(exc).split())
    # the RDF/XML parser's messages start "<unknown>:LINE:COLUMN: " or "None:LINE:COLUMN: "
    text = re.sub(r"^(?:<unknown>|None):(\d+):(\d+): (.*)$", r"\3, at line \1, column \2", text)
    return text[:500] or type(exc).__name__


def _bad_syntax_message(exc: Exception) -> str:
    """rdflib's Turtle/TriG/N3 syntax error in words: what, the column, and the text around
    the place (its own rendering shows Python byte strings)."""
    raw: bytes = getattr(exc, "_str", b"")
    i: int = getattr(exc, "_i", 0)
    before = raw[max(0, i - 60) : i].decode("utf-8", "replace")
    after = raw[i : i + 60].decode("utf-8", "replace")
    pre, post = ("..." if i > 60 else ""), ("..." if len(raw) - i > 60 else "")
    column = i - raw.rfind(b"\n", 0, i)
    near = " ".join(f"{pre}{before}^{after}{post}".split())
    why = " ".join(str(getattr(exc, "_why", "")).split())
    line = getattr(exc, "lines", 0) + 1
    return f'bad syntax ({why}) {_at(line, column)}: "{near}"'[:500]


def as_graph(graph: Graph) -> Graph:
    """The triples of a graph, or of every graph of a dataset, as one plain graph."""
    if not isinstance(graph, Dataset):
        return graph
    flat = Graph()
    for s, p, o, _g in graph.quads():
        flat.add((s, p, o))
    return flat


#: rdflib's serializer names and the Oxigraph format that writes the same syntax without
#: recursion
_OX_WRITERS = formats.OXIGRAPH_WRITERS


def serialize(data: Graph | Dataset, fmt: str, **options: object) -> bytes:
    """``data.serialize(format=fmt)`` as UTF-8 bytes — and when rdflib's writer recurses too
    deep (Turtle, TriG, JSON-LD and pretty RDF/XML nest blank nodes: a chain of a few hundred
    overflows), the same syntax written flat by Oxigraph from the N-Quads, blank nodes and
    prefixes kept.

    >>> g = Graph()
    >>> for i in range(3000):
    ...     _ = g.add((BNode(f"b{i}"), URIRef("https://example.org/p"), BNode(f"b{i + 1}")))
    >>> text = serialize(g, "turtle").decode()
    >>> len(Graph().parse(data=text, format="turtle"))
    3000
    """
    try:
        return data.serialize(format=fmt, encoding="utf-8", **options)
    except RecursionError:
        import pyoxigraph as ox

        quads = data.serialize(format="nquads" if isinstance(data, Dataset) else "nt")
        parsed = ox.parse(
            quads.encode("utf-8") if isinstance(quads, str) else quads,
            format=ox.RdfFormat.N_QUADS,
        )
        target = getattr(ox.RdfFormat, _OX_WRITERS.get(fmt, "N_QUADS"))
        if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML):
            parsed = [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]
        prefixes = {p: str(ns) for p, ns in data.namespaces() if p}
        if target in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
            return ox.serialize(parsed, format=target)
        return ox.serialize(parsed, format=target, prefixes=prefixes)


#: the syntaxes :func:`native_ntriples` reads (one graph each)
NATIVE_TRIPLE_FORMATS = formats.NATIVE_TRIPLE_FORMATS
_NATIVE_CHECKS = (
    "SELECT ?star ?long ?mapping WHERE { "
    "{ SELECT (SAMPLE(?s) AS ?star) WHERE { ?s ?p ?o FILTER(isTRIPLE(?s) || isTRIPLE(?o)) } } "
    "{ SELECT (SAMPLE(?t) AS ?long) WHERE { "
    "{ ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } FILTER(STRLEN(STR(?t)) > %d) } } "
    "{ SELECT (SAMPLE(?m) AS ?mapping) WHERE { "
    "?m a <https://w3id.org/bpfgraph/def#CityMapping> } } }"
)


def native_ntriples(data: bytes, fmt: str, source: str = "<input>") -> tuple[bytes, bool]:
    """A Turtle or N-Triples document read by Oxigraph alone — no rdflib objects, so a large
    upload costs no Python memory — as canonical N-Triples, and whether it holds a
    ``bpf:CityMapping``. The same refusals as :func:`parse_data` (syntax with line and column,
    nesting, RDF-star, terms over :data:`MAX_LITERAL` characters), as :class:`RDFInputError`.

    >>> native_ntriples(b"@prefix e: <https://e.org/> . e:a e:b 'c' .", "turtle")
    (b'<https://e.org/a> <https://e.org/b> "c" .\\n', False)
    """
    import pyoxigraph as ox

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data[: exc.start].decode("utf-8", "replace"), exc.start)
        raise RDFInputError(source, "the file is not valid UTF-8", line, column) from None
    _check_turtle_like(data, text, fmt, source)
    scratch = ox.Store()
    try:
        scratch.load(data, format=getattr(ox.RdfFormat, NATIVE_TRIPLE_FORMATS[fmt]))
    except SyntaxError as exc:
        raise RDFInputError(source, _native_message(exc), exc.lineno, exc.offset) from None
    except (ValueError, OSError, MemoryError) as exc:
        raise RDFInputError(source, f"the file could not be read: {exc}") from None
    limit = max(MAX_LITERAL, MAX_IRI)
    row = next(iter(scratch.query(_NATIVE_CHECKS % limit)))
    if row["star"] is not None:
        raise RDFInputError(source, "quoted triples (RDF-star triple terms) are not supported")
    long_term = row["long"]
    if long_term is not None:
        if isinstance(long_term, ox.Literal):
            size = len(long_term.value)
            raise RDFInputError(
                source, f"a literal of {size:,} characters is longer than {MAX_LITERAL:,}"
            )
        raise _long_iri(source, long_term.value)
    out = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return out or b"", row["mapping"] is not None
