"""Reading RDF: the syntax of a file, and :func:`parse_data`, which sends each syntax to its
reader and checks every term of what it read.

Turtle, N-Triples, TriG and N-Quads go to Oxigraph's parser (:mod:`.native`); what it refuses
goes to rdflib's when the input is small enough for it, for its messages and leniency. JSON-LD
goes to :mod:`.jsonld`; a city mapping workbook (``.xlsx``) to :mod:`.workbook`; RDF/XML and N3
to rdflib's parsers after the prescans of :mod:`.prescan`.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from ..formats import (
    FORMAT_BY_SUFFIX,
    FORMAT_BY_TYPED_NAME,
    NATIVE_FORMATS,
    QUAD_FORMATS,
    SYNTAX_NAMES,
    WORKBOOK,
)
from .errors import (
    RDFInputError,
    at_position,
    clean_message,
    line_of,
    plain_native,
    plain_value_error,
    too_many_prefixes,
)
from .jsonld import parse_json_ld
from .limits import MAX_PREFIXES, NO_BASE, RDFLIB_FALLBACK_BYTES, RDFLIB_NESTING
from .native import NativeError, read_native
from .prescan import check_turtle_like, check_xml
from .term_checks import check_terms
from .workbook import read_workbook


def format_for(path: str | Path, explicit: str | None = None) -> str:
    """The rdflib format for a file, from an explicit name or the file's suffix."""
    if explicit:
        try:
            return FORMAT_BY_TYPED_NAME[explicit.lower()]
        except KeyError:
            raise RDFInputError(str(path), f"unknown RDF format {explicit!r}") from None
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsm", ".xlsb", ".xls"):
        raise RDFInputError(
            str(path),
            f"a {suffix} workbook is not read: save it as .xlsx (Excel Workbook, without macros)",
        )
    try:
        return FORMAT_BY_SUFFIX[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMAT_BY_SUFFIX))
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
    fmt = FORMAT_BY_TYPED_NAME.get(fmt, fmt)
    if fmt == WORKBOOK:
        workbook = read_workbook(data, source)  # its cells are checked where they are read
        check_terms(workbook, "", source)  # and every term again, as for every syntax
        return workbook
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise RDFInputError(
            source,
            f"not valid UTF-8 {at_position(line, column)} (byte {exc.start:,})",
            line,
            column,
        ) from None
    hint = None  # where Oxigraph's parser stopped, when rdflib's read on
    if fmt == "json-ld":
        graph = parse_json_ld(data, text, source)
    elif fmt in NATIVE_FORMATS:
        graph, hint = _parse_turtle_family(data, text, fmt, source)
    else:
        if fmt == "xml":
            check_xml(text, source)
        elif fmt == "n3":
            check_turtle_like(data, text, fmt, source)
        graph = _parse_rdflib(text, fmt, source)
    check_terms(graph, text, source, hint)
    return graph


def _parse_turtle_family(data: bytes, text: str, fmt: str, source: str) -> tuple[Graph, int | None]:
    """The graph, and the line where Oxigraph's parser stopped when rdflib's read it."""
    nesting, declarations = check_turtle_like(data, text, fmt, source)
    try:
        graph, prefixes = read_native(data, fmt)
    except NativeError as native:
        if (
            len(data) <= RDFLIB_FALLBACK_BYTES
            and nesting <= RDFLIB_NESTING
            and declarations <= MAX_PREFIXES
        ):
            return _parse_rdflib(text, fmt, source, native), native.line
        message = plain_native(native.message)
        raise RDFInputError(source, message, native.line, native.column) from None
    if len(prefixes) > MAX_PREFIXES:
        raise too_many_prefixes(source, len(prefixes))
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, replace=True)
    return graph, None


#: exception types that are parsers' reports on the input (other types are Python errors inside
#: a parser, whose messages mean nothing to a user)
_PARSER_ERRORS = ("BadSyntax", "ParserError", "SAXParseException", "JSONLDException")


def _parse_rdflib(text: str, fmt: str, source: str, native: NativeError | None = None) -> Graph:
    """Parse with rdflib's parser; on failure, its message in plain words with the line, or
    Oxigraph's (``native``, when it refused the input first) where rdflib's is Python's."""
    graph: Graph = Dataset(default_union=True) if fmt in QUAD_FORMATS else Graph()
    try:
        graph.parse(data=text, format=fmt, publicID=NO_BASE)
    except Exception as exc:  # every parser has its own exception types
        parser_error = type(exc).__name__ in _PARSER_ERRORS
        if not parser_error and native is not None:
            message = plain_native(native.message)
            raise RDFInputError(source, message, native.line, native.column) from None
        if isinstance(exc, RecursionError):
            message = f"{SYNTAX_NAMES.get(fmt, fmt)} nested too deeply to read"
        elif parser_error or fmt not in SYNTAX_NAMES or plain_value_error(exc):
            message = clean_message(exc)
        else:
            message = f"not readable as {SYNTAX_NAMES[fmt]}: the parser stopped on it"
        line = line_of(exc)
        # the N-Triples parsers quote the line: Oxigraph's parser, stopped on it, knows where
        native_line = native.line if native is not None else None
        known = _line_text(text, native_line) if native_line else ""
        if line is None and known and known[:60] in message:
            line = native_line
        elif line is None and "Invalid line: " in message:
            fragment = message.split("Invalid line: ", 1)[1].strip()[:60]
            pos = text.find(fragment)
            if known and fragment in known:
                line = native_line
            elif pos >= 0:
                line = text.count("\n", 0, pos) + 1
        raise RDFInputError(source, message, line) from None
    return graph


def _line_text(text: str, line: int) -> str:
    """The text of a 1-based line, stripped."""
    lines = text.split("\n", line)
    return lines[line - 1].strip() if len(lines) >= line else ""
