"""The prescans that refuse what a parser would choke on, before it runs: nesting and prefix
declarations in Turtle, TriG and N3; entities, nesting and namespace declarations in RDF/XML.
They run in C loops (bytes.translate, regular expressions, expat): linear in the input, fast on
megabytes of brackets.

>>> check_turtle_like(b"<a> <b> ( ( ) ) .", "<a> <b> ( ( ) ) .", "turtle", "inline")
(2, 0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from xml.parsers import expat

from ..formats import SYNTAX_NAMES
from .errors import RDFInputError, at_position, line_column, too_many_prefixes
from .limits import MAX_NESTING, MAX_PREFIXES, RDFLIB_FALLBACK_BYTES, RDFLIB_NESTING

# --- brackets, in C loops ----------------------------------------------------------------------

#: the opening and the closing brackets that nest, in Turtle and TriG, and in N3
_TURTLE_BRACKETS = (b"([", b")]")
_N3_BRACKETS = (b"([{", b")]}")
#: brackets -> what :func:`_deltas` computed for them
_DELTAS: dict[tuple[bytes, bytes], tuple[bytes, list[int]]] = {}
#: bytes followed in one C loop
_CHUNK = 1 << 20


def nesting_bound(
    data: bytes, brackets: tuple[bytes, bytes] = _TURTLE_BRACKETS, stop: int | None = None
) -> int:
    """An upper bound of the nesting of ``(`` and ``[`` (brackets in strings count too), in C
    loops: linear, and fast even for megabytes of brackets. With ``stop``, any bound above it
    may be returned as soon as one is found.

    >>> nesting_bound(b'<a> <b> ( 1 [ <c> "(" ] ) .')
    3
    >>> nesting_bound(b'{"a": [{"b": "]]"}]}', (b"[{", b"]}"))
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


def bracket_run(
    run: bytes, depth: int, brackets: tuple[bytes, bytes]
) -> tuple[int, int, int | None]:
    """Follow a run of brackets from ``depth``: the depth after it, the deepest within it, and
    the offset where it first goes deeper than :data:`MAX_NESTING` (None if it does not), in C
    loops over chunks.

    >>> bracket_run(b"[[]]", 5, _TURTLE_BRACKETS)
    (5, 7, None)
    >>> bracket_run(b"[]([", 99, _TURTLE_BRACKETS)
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


# --- Turtle, TriG, N3 --------------------------------------------------------------------------


def check_turtle_like(data: bytes, text: str, fmt: str, source: str) -> tuple[int, int]:
    """Refuse nesting deeper than :data:`MAX_NESTING` (and, in N3, which only rdflib reads,
    more than :data:`MAX_PREFIXES` prefix declarations); give upper bounds of the nesting and
    of the prefix declarations, exact where they decide something."""
    if fmt in ("nt", "nquads"):
        return 0, 0  # neither nesting nor prefixes in the syntax
    nesting = nesting_bound(data, _N3_BRACKETS if fmt == "n3" else _TURTLE_BRACKETS, MAX_NESTING)
    declarations = _prefix_bound(data)
    small = len(data) <= RDFLIB_FALLBACK_BYTES
    if (
        nesting > MAX_NESTING
        or (fmt == "n3" and declarations > MAX_PREFIXES)
        or (small and (nesting > RDFLIB_NESTING or declarations > MAX_PREFIXES))
    ):
        scan = _scan_turtle(text, fmt == "n3")
        if scan.too_deep is not None:
            line, column = line_column(text, scan.too_deep)
            raise RDFInputError(
                source,
                f"{SYNTAX_NAMES[fmt]} nested deeper than {MAX_NESTING:,} levels of brackets, "
                f"{at_position(line, column)}",
                line,
                column,
            )
        if fmt == "n3" and scan.prefixes > MAX_PREFIXES:
            raise too_many_prefixes(source, scan.prefixes)
        nesting, declarations = scan.depth, scan.prefixes
    return nesting, declarations


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
    """What :func:`_scan_turtle` found."""

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
        depth, deepest, over = bracket_run(run, depth, _N3_BRACKETS)
        scan.depth = max(scan.depth, deepest)
        if over is not None:
            scan.too_deep = m.start() + over
            return scan
    return scan


# --- RDF/XML -----------------------------------------------------------------------------------


class _XMLRefused(Exception):
    """What the RDF/XML prescan refuses, and the advice that follows the position."""

    def __init__(self, message: str, advice: str = ""):
        super().__init__(message)
        self.message, self.advice = message, advice


_DECLARE = "; declare only the prefixes the data uses"


_ENTITIES_REFUSED = (
    "RDF/XML with a DOCTYPE declaring entities is refused "
    "(external entities and entity expansion are not processed)"
)


def check_xml(text: str, source: str) -> None:
    """Refuse entity declarations, elements nested deeper than :data:`MAX_NESTING` and more
    than :data:`MAX_PREFIXES` namespace declarations, in one pass of expat (C, linear) that
    expands nothing; malformed XML is left to rdflib's parser for its message."""
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
        message = f"{refused.message}, {at_position(line, column)}{refused.advice}"
        raise RDFInputError(source, message, line, column) from None
    except expat.ExpatError:
        pass
