""":class:`RDFInputError`, and the words of its messages: positions, the refusals several
readers share, and the parsers' own messages made plain (their Python wording and byte strings
never reach a user).

>>> str(RDFInputError("a.ttl", "bad syntax", 3))
'a.ttl:3: bad syntax'
>>> at_position(3, 1204)
'at line 3, column 1,204'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .limits import MAX_IRI, MAX_PREFIXES


@dataclass
class RDFInputError(Exception):
    """RDF that could not be read: where, and what is wrong."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        """``source:line: message``, or ``source: message`` where the line is not known."""
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


# --- positions ----------------------------------------------------------------------------------


def at_position(line: int | None, column: int | None) -> str:
    """Where, in words: ``at line 3, column 1,204``."""
    if line is None:
        return f"at column {column:,}" if column else ""
    return f"at line {line:,}, column {column:,}" if column else f"at line {line:,}"


def line_column(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of a position in a text."""
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


# --- refusals of more than one reader -----------------------------------------------------------


def too_many_prefixes(source: str, count: int) -> RDFInputError:
    """The refusal of ``count`` prefix declarations, more than :data:`MAX_PREFIXES`."""
    return RDFInputError(
        source,
        f"more than {MAX_PREFIXES:,} prefix declarations ({count:,}); "
        "declare only the prefixes the data uses",
    )


def long_iri(source: str, iri: str) -> RDFInputError:
    """The refusal of an IRI longer than :data:`MAX_IRI`, quoting its start."""
    return RDFInputError(
        source, f"an IRI of {len(iri):,} characters is longer than {MAX_IRI:,} (<{iri[:40]}…>)"
    )


def lone_surrogate(source: str, char: str, text: str) -> RDFInputError:
    """The refusal of the lone surrogate ``char``, at the escape in ``text`` that wrote it."""
    code = ord(char)
    escape = re.compile(rf"\\u{code:04x}|\\U0000{code:04x}", re.IGNORECASE).search(text)
    line = column = None
    if escape:
        line, column = line_column(text, escape.start())
    where = f", {at_position(line, column)}" if line and column else ""
    return RDFInputError(
        source, f"a lone surrogate \\u{code:04X} is not a Unicode character{where}", line, column
    )


# --- Oxigraph's parser's messages ---------------------------------------------------------------

_NATIVE_PREFIX = re.compile(
    r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): "
)
_NATIVE_ESCAPE = re.compile(
    r"The escape sequence '\\[uU]0*([0-9A-Fa-f]+)' is encoding [0-9A-Fa-f]+ that is not a valid "
    r"unicode character"
)


def native_message(exc: SyntaxError) -> str:
    """Oxigraph's message without its position prefix (the error carries line and column) and
    its repeated ``(line N)``, with the column in words."""
    message = _NATIVE_PREFIX.sub("", exc.msg or str(exc))
    message = re.sub(r" \(line \d+\)$", "", message)
    if exc.offset:
        message = f"{message}, {at_position(exc.lineno, exc.offset)}"
    return message


def plain_native(message: str) -> str:
    """Oxigraph's message with an escape of no Unicode character (a lone surrogate, a code
    point beyond U+10FFFF) said in words."""

    def escape(m: re.Match[str]) -> str:
        code = int(m.group(1), 16)
        if 0xD800 <= code <= 0xDFFF:
            return f"a lone surrogate \\u{code:04X} is not a Unicode character"
        return f"\\U{code:08X} is beyond the last Unicode character, U+10FFFF"

    return _NATIVE_ESCAPE.sub(escape, message)


# --- rdflib's parsers' messages -----------------------------------------------------------------

#: Python's own wording, meaningless to a user, in a ValueError's message
_PYTHON_WORDING = re.compile(r"\w\(\)|\bsys\.|\bint\(|base 10|NoneType|integer string conversion")


def plain_value_error(exc: Exception) -> bool:
    """Whether ``exc`` is a ValueError in words about the data (an invalid language tag or
    IRI), not Python's own (``chr() arg not in range``)."""
    return type(exc) is ValueError and not _PYTHON_WORDING.search(str(exc))


_LINE_PATTERNS = (
    re.compile(r"at line (\d+)"),
    re.compile(r"line (\d+)"),
    re.compile(r":(\d+):\d+:"),
)


def line_of(exc: Exception) -> int | None:
    """The 1-based line a parser's exception names, from its attributes or its message."""
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


def clean_message(exc: Exception) -> str:
    """A parser's exception as one line of at most 500 characters, its position in words."""
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
    return f'bad syntax ({why}) {at_position(line, column)}: "{near}"'[:500]
