"""Evaluating a query on a pyoxigraph store and writing its answer, with the row cap and the
deadline: what the service's query worker processes run. Kept light (the standard library and
pyoxigraph only) so that a new worker starts in a few milliseconds."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from dataclasses import dataclass, field
from typing import IO, cast
from xml.sax.saxutils import escape

import pyoxigraph as ox

from ..sparql_bounds import Bounds
from .negotiation import RDF_FORMATS


class ProtocolError(Exception):
    """A request the protocol refuses: HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        """A refusal with ``status``, ``message`` and extra response ``headers``."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


@dataclass
class Answer:
    """A query's answer as sent: media type, body, and whether a row cap cut it (``cap``:
    which, when not the service's own: a remote store's)."""

    media_type: str
    body: bytes
    truncated: bool = False
    cap: int | None = None


@dataclass
class Limits:
    """What a query or update may do: time, rows, SERVICE and LOAD, body size, text bounds."""

    timeout: float = 30.0
    max_rows: int = 100_000
    allow_service: bool = False
    allow_load: bool = False
    #: bytes of triples one update may write (the body limit)
    max_write_bytes: int = 50 * 1024 * 1024
    #: bounds of query text, and of update text (:mod:`bpfgraph.sparql_bounds`)
    bounds: Bounds = field(default_factory=Bounds)
    update_bounds: Bounds = field(default_factory=Bounds)


# -- serialisers for SELECT / ASK ------------------------------------------------------------


def _json_term(term: object) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{escape(term.language)}">{escape(term.value)}</literal>'
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return (
                f'<literal datatype="{escape(term.datatype.value)}">{escape(term.value)}</literal>'
            )
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _tsv_term(term: object) -> str:
    return str(term)  # pyoxigraph's str() is the N-Triples/SPARQL form, as TSV wants


def _csv_term(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    value = getattr(term, "value", None)  # IRIs and literals: their value, as CSV wants
    return str(term) if value is None else str(value)


def serialise_solutions(variables: list[str], rows: list[list], media: str) -> bytes:
    """SELECT solutions in a SPARQL results format (JSON, XML, CSV or TSV) by ``media``."""
    if media in ("application/sparql-results+json", "application/json"):
        bindings = [
            {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows
        ]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if media in ("application/sparql-results+xml", "application/xml"):
        parts = [
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>" + "".join(f'<variable name="{escape(v)}"/>' for v in variables) + "</head>",
            "<results>",
        ]
        for row in rows:
            cells = "".join(
                f'<binding name="{escape(v)}">{_xml_term(t)}</binding>'
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            parts.append(f"<result>{cells}</result>")
        parts.append("</results></sparql>\n")
        return "\n".join(parts).encode("utf-8")
    if media == "text/csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else _csv_term(t) for t in row])
        return buffer.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else _tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialise_boolean(value: bool, media: str) -> bytes:
    """An ASK answer in the SPARQL results format ``media`` names."""
    if media in ("application/sparql-results+xml", "application/xml"):
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    if media in ("text/csv", "text/tab-separated-values"):
        return f"{'true' if value else 'false'}\n".encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


_OX_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
}


def serialise_triples(triples: list, media: str) -> bytes:
    """A CONSTRUCT or DESCRIBE answer in the RDF syntax ``media`` names (one graph)."""
    fmt = RDF_FORMATS[media][0]
    if fmt in ("trig", "nquads"):
        fmt = "nt" if fmt == "nquads" else "turtle"  # a CONSTRUCT result is one graph
    body = ox.serialize(triples, format=_OX_RDF[fmt])
    assert body is not None  # no output given: the bytes are returned
    return body


def timed_out(limits: Limits) -> ProtocolError:
    """The 503 of a query that passed its time limit (in threads mode)."""
    return ProtocolError(
        503,
        f"the query did not finish within the {limits.timeout:g} s limit and was stopped; "
        "narrow it (LIMIT, more specific patterns) or ask the operator to raise "
        "BPFGRAPH_QUERY_TIMEOUT",
    )


def evaluate_native(native: ox.Store, text: str, kwargs: dict, media: str, max_rows: int) -> Answer:
    """Evaluate on a pyoxigraph store and serialise (used by the query worker processes)."""
    return _evaluate(
        native, text, kwargs, media, Limits(max_rows=max_rows, timeout=1e9), threading.Event()
    )


#: result formats Oxigraph writes itself (several times faster than building rows in Python)
NATIVE_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: the fewest bytes one solution can take in each format ({} and a comma; <result/>; a line
#: end): an answer within max_rows × this many bytes cannot have more rows than the cap
MIN_ROW_BYTES = {
    "application/sparql-results+json": 3,
    "application/json": 3,
    "application/sparql-results+xml": 9,
    "application/xml": 9,
    "text/csv": 2,
    "text/tab-separated-values": 1,
}


#: the largest answer written natively before the careful path takes over
NATIVE_MAX_BYTES = 64 * 1024 * 1024


def _rows(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    results = ox.parse_query_results(body, fmt)
    assert isinstance(results, ox.QuerySolutions)  # the bytes of a SELECT answer
    return sum(1 for _ in results)


class _Sink:
    """Where Oxigraph writes a result: stops it past a byte budget, the deadline or a cancel."""

    def __init__(self, budget: int, deadline: float, cancelled: threading.Event) -> None:
        self.data = bytearray()
        self.budget = budget
        self.deadline = deadline
        self.cancelled = cancelled
        self.stopped: str | None = None

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        if self.cancelled.is_set() or time.monotonic() > self.deadline:
            self.stopped = "cancelled"
            raise OSError("query abandoned")
        if len(self.data) > self.budget:
            self.stopped = "budget"
            raise OSError("row cap may be reached")
        return len(chunk)

    def flush(self) -> None:
        return None


def _evaluate(
    native: ox.Store,
    text: str,
    kwargs: dict,
    media: str,
    limits: Limits,
    cancelled: threading.Event,
) -> Answer:
    deadline = time.monotonic() + limits.timeout
    result = native.query(text, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        return Answer(media, serialise_boolean(bool(result), media))
    rows: list = []
    truncated = False
    if isinstance(result, ox.QuerySolutions) and media in NATIVE_RESULTS:
        fmt = NATIVE_RESULTS[media]
        sure = limits.max_rows * MIN_ROW_BYTES[media]  # no more rows than the cap below this
        # written natively up to a generous size per allowed row, then the careful path
        sink = _Sink(max(sure, min(NATIVE_MAX_BYTES, limits.max_rows * 4096)), deadline, cancelled)
        try:
            # the sink is a writable binary stream (write, flush); the stubs ask for an IO
            result.serialize(cast(IO[bytes], sink), fmt)
            body = bytes(sink.data)
            # past the sure size, count the rows Oxigraph wrote (its own parser, no second
            # evaluation); CSV cannot be read back, so it takes the careful path
            if len(body) <= sure or (
                fmt != ox.QueryResultsFormat.CSV and _rows(body, fmt) <= limits.max_rows
            ):
                return Answer(media, body)
        except Exception:
            if sink.stopped is None:
                raise
            if sink.stopped == "cancelled":
                if cancelled.is_set():
                    return Answer(media, b"")  # abandoned: the request already answered 503
                raise timed_out(limits) from None
        # more rows than the cap (or a huge answer): cut it the careful way
        result = native.query(text, **kwargs)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        for solution in result:
            if cancelled.is_set():
                return Answer(media, b"")  # abandoned: the request already answered 503
            if time.monotonic() > deadline:
                raise timed_out(limits)
            if len(rows) >= limits.max_rows:
                truncated = True
                break
            rows.append([solution[v] for v in variables])
        return Answer(media, serialise_solutions(variables, rows, media), truncated)
    assert isinstance(result, ox.QueryTriples)  # ASK answered above
    for triple in result:
        if cancelled.is_set():
            return Answer(media, b"")
        if time.monotonic() > deadline:
            raise timed_out(limits)
        if len(rows) >= limits.max_rows:
            truncated = True
            break
        rows.append(triple)
    return Answer(media, serialise_triples(rows, media), truncated)
