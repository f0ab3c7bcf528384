"""SPARQL 1.1 Protocol: run queries and updates with limits, serialise results. Plain functions;
``app.py`` wires them to ``/sparql``."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import pyoxigraph as ox

from ..store.base import Store, StoreError
from ..store.oxigraph import OxigraphStore
from .negotiation import RDF_FORMATS, RDF_TYPES, RESULT_TYPES, choose

if TYPE_CHECKING:
    from .executor import QueryPool


class ProtocolError(Exception):
    """A request the protocol refuses: HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


@dataclass
class Answer:
    media_type: str
    body: bytes
    truncated: bool = False


@dataclass
class Limits:
    timeout: float = 30.0
    max_rows: int = 100_000
    allow_service: bool = False
    allow_load: bool = False


_COMMENT_OR_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)


@functools.lru_cache(maxsize=8)  # one request asks three times (safety, dataset, form)
def _code_only(text: str) -> str:
    """The SPARQL text with its strings, IRIs and comments blanked out (for keyword checks); as
    long as the text, so that a position in one is the same position in the other."""
    return _COMMENT_OR_STRING.sub(lambda m: " " * len(m.group()), text)


_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_LOAD = re.compile(r"\bLOAD\b", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def check_safety(text: str, limits: Limits) -> None:
    code = _code_only(text)
    if not limits.allow_service and _SERVICE.search(code):
        raise ProtocolError(
            403, "SERVICE (federated query) is disabled on this endpoint (BPFGRAPH_ALLOW_SERVICE)"
        )
    if not limits.allow_load and _LOAD.search(code):
        raise ProtocolError(403, "LOAD is disabled on this endpoint (BPFGRAPH_ALLOW_LOAD)")


_FROM = re.compile(r"(?<![\w:?$.-])FROM(?![\w:-])", re.IGNORECASE)


def has_dataset_clause(text: str) -> bool:
    """Whether the query names its dataset (FROM / FROM NAMED).

    >>> has_dataset_clause("SELECT * FROM <http://example.org/g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT ?from { ?s <http://example.org/FROM> ?from }")
    False
    """
    return _FROM.search(_code_only(text)) is not None


def dataset_arguments(
    text: str, default_graphs: list[str] | None, named_graphs: list[str] | None
) -> dict:
    """pyoxigraph's dataset arguments for a query.

    A dataset given by the protocol (``default-graph-uri`` / ``named-graph-uri``) replaces the
    query's FROM / FROM NAMED; its default graph is the merge of the ``default-graph-uri``
    graphs, empty when there are none (SPARQL 1.1 Protocol 2.1.4, Query 13.2). A query that
    names no dataset at all runs on the union of the store's graphs (sd:UnionDefaultGraph);
    one with FROM / FROM NAMED on the graphs it names."""
    if default_graphs or named_graphs:
        try:
            return {
                "default_graph": [ox.NamedNode(g) for g in default_graphs or []],
                "named_graphs": [ox.NamedNode(g) for g in named_graphs or []],
            }
        except ValueError as exc:
            raise ProtocolError(400, f"default-graph-uri / named-graph-uri: {exc}") from None
    if has_dataset_clause(text):
        return {}
    return {"use_default_graph_as_union": True}


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (after the prologue)."""
    m = _FORM.search(_code_only(text))
    return m.group(1).upper() if m else "SELECT"


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def _choose_cached(accept: str | None, graph_result: bool) -> str | None:
    return choose(accept, RDF_TYPES if graph_result else RESULT_TYPES)


def negotiate(text: str, accept: str | None) -> str:
    form = query_form(text)
    offered = RESULT_TYPES if form in ("SELECT", "ASK") else RDF_TYPES
    media = (
        _choose_cached(accept, offered is RDF_TYPES)
        if accept is None or len(accept) <= 512
        else choose(accept, offered)
    )
    if media is None:
        kinds = "SPARQL results" if form in ("SELECT", "ASK") else "RDF"
        raise ProtocolError(
            406,
            f"none of the accepted media types can carry {kinds}; offered: {', '.join(offered)}",
        )
    return media


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
    return term.value if hasattr(term, "value") else str(term)  # type: ignore[attr-defined]


def serialise_solutions(variables: list[str], rows: list[list], media: str) -> bytes:
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
    fmt = RDF_FORMATS[media][0]
    if fmt in ("trig", "nquads"):
        fmt = "nt" if fmt == "nquads" else "turtle"  # a CONSTRUCT result is one graph
    return ox.serialize(triples, format=_OX_RDF[fmt])


# -- execution ---------------------------------------------------------------------------------


#: threads that evaluate queries on the embedded store. A query past its timeout is abandoned
#: (the request answers 503) and stops at its next solution; the pool is large so that a few
#: such queries still running do not hold up the others.
QUERY_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="bpfgraph-query")


@dataclass
class Prepared:
    """A checked, negotiated query ready to run on the embedded store."""

    text: str
    kwargs: dict
    media: str
    limits: Limits
    cancelled: threading.Event

    def evaluate(self, native: ox.Store) -> Answer:
        return _evaluate(native, self.text, self.kwargs, self.media, self.limits, self.cancelled)


def prepare_query(
    text: str,
    accept: str | None,
    limits: Limits,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    base_iri: str | None = None,
) -> Prepared:
    """Safety checks, content negotiation and dataset of a query (raises ProtocolError)."""
    check_safety(text, limits)
    media = negotiate(text, accept)
    kwargs: dict = {"base_iri": base_iri, **dataset_arguments(text, default_graphs, named_graphs)}
    return Prepared(text, kwargs, media, limits, threading.Event())


def timed_out(limits: Limits) -> ProtocolError:
    return ProtocolError(
        503,
        f"the query did not finish within the {limits.timeout:g} s limit and was stopped; "
        "narrow it (LIMIT, more specific patterns) or ask the operator to raise "
        "BPFGRAPH_QUERY_TIMEOUT",
    )


def client_error(exc: BaseException) -> BaseException:
    """The protocol error an evaluation error stands for (others are returned as they are)."""
    if isinstance(exc, SyntaxError):
        return ProtocolError(400, f"invalid SPARQL query: {exc}")
    if isinstance(exc, (ValueError, TypeError)):
        return ProtocolError(400, f"the query could not be evaluated: {exc}")
    return exc


def run_query(
    store: Store,
    text: str,
    accept: str | None,
    limits: Limits,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    base_iri: str | None = None,
) -> Answer:
    """Run a query with the limits in this thread (the command line; the service runs queries
    through :func:`run_query_async`); raise :class:`ProtocolError` for client errors."""
    if not isinstance(store, OxigraphStore):
        check_safety(text, limits)
        return _run_remote(store, text, negotiate(text, accept), default_graphs, named_graphs)
    prepared = prepare_query(text, accept, limits, default_graphs, named_graphs, base_iri)
    future = QUERY_POOL.submit(prepared.evaluate, store.native)
    try:
        return future.result(limits.timeout)
    except FutureTimeout:
        prepared.cancelled.set()
        raise timed_out(limits) from None
    except Exception as exc:
        raise client_error(exc) from None


async def run_remote_async(
    store: Store,
    text: str,
    accept: str | None,
    limits: Limits,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> Answer:
    """A query on a remote store, from the event loop (the HTTP call in a thread)."""
    from starlette.concurrency import run_in_threadpool

    check_safety(text, limits)
    media = negotiate(text, accept)
    return await run_in_threadpool(_run_remote, store, text, media, default_graphs, named_graphs)


async def run_query_async(
    store: OxigraphStore, prepared: Prepared, pool: QueryPool | None = None
) -> Answer:
    """Run a prepared query from the event loop: on a worker process of ``pool``, killed at
    the deadline, or (no pool) in a thread of :data:`QUERY_POOL` that stops at the next
    solution."""
    if pool is not None:
        message = (
            "query",
            prepared.text,
            prepared.kwargs,
            prepared.media,
            prepared.limits.max_rows,
        )
        answer, _ = await pool.run(message, prepared.limits.timeout, "query")
        return answer
    future = asyncio.wrap_future(QUERY_POOL.submit(prepared.evaluate, store.native))
    try:
        async with asyncio.timeout(prepared.limits.timeout):
            return await future
    except TimeoutError:
        prepared.cancelled.set()
        raise timed_out(prepared.limits) from None
    except Exception as exc:
        raise client_error(exc) from None


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
    return sum(1 for _ in ox.parse_query_results(body, fmt))  # type: ignore[union-attr]


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
            result.serialize(sink, fmt)
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


def _run_remote(
    store: Store,
    text: str,
    media: str,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
) -> Answer:
    from ..store.remote import RemoteStore

    assert isinstance(store, RemoteStore)
    form = [("query", text)]
    form += [("default-graph-uri", g) for g in default_graphs or []]
    form += [("named-graph-uri", g) for g in named_graphs or []]
    if not default_graphs and not named_graphs and not has_dataset_clause(text):
        form += store.union_dataset()
    from urllib.parse import urlencode

    try:
        response = store._http.post(
            store.query_url,
            content=urlencode(form).encode(),
            headers={"Accept": media, "Content-Type": "application/x-www-form-urlencoded"},
        )
    except Exception as exc:
        raise StoreError(f"cannot reach the SPARQL store: {exc}") from None
    if response.status_code >= 400:
        raise ProtocolError(
            response.status_code if response.status_code < 500 else 502, response.text[:500]
        )
    return Answer(response.headers.get("content-type", media).split(";")[0], response.content)


#: a brace, or the keyword WHERE standing alone (not part of a name, a prefix or a variable)
_WHERE_OR_BRACE = re.compile(r"[{}]|(?<![\w:?$.-])WHERE(?![\w:-])", re.IGNORECASE)
_ENDS_WITH_DELETE = re.compile(r"(?<![\w:?$.-])DELETE\s*$", re.IGNORECASE)


def _block_end(code: str, start: int) -> int:
    """The position after the group ``{ … }`` that opens at or after ``start`` (-1: none)."""
    opening = code.find("{", start)
    if opening < 0 or code[start:opening].strip():
        return -1
    depth = 0
    for i in range(opening, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def add_using(text: str, using: list[str], using_named: list[str]) -> str:
    """Apply protocol ``using-graph-uri`` / ``using-named-graph-uri`` to an update by adding
    USING clauses before each top-level WHERE (``DELETE WHERE { P }`` becomes
    ``DELETE { P } USING … WHERE { P }``, its long form). Refuses updates that have USING or
    WITH (400), as the protocol says.

    >>> add_using("INSERT { ?s a <x:T> } WHERE { ?s a <x:S> }", ["x:g"], [])
    'INSERT { ?s a <x:T> } USING <x:g> WHERE { ?s a <x:S> }'
    >>> add_using("DELETE WHERE { ?s ?p 'WHERE' }", [], ["x:g"])
    "DELETE { ?s ?p 'WHERE' } USING NAMED <x:g> WHERE { ?s ?p 'WHERE' }"
    """
    code = _code_only(text)
    if re.search(r"(?<![\w:?$.-])(USING|WITH)(?![\w:-])", code, re.IGNORECASE):
        raise ProtocolError(
            400,
            "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH "
            "in the update itself",
        )
    for iri in [*using, *using_named]:
        if not iri or any(c in iri for c in ' <>"{}|\\^`') or ":" not in iri:
            raise ProtocolError(400, f"{iri!r} is not an absolute IRI")
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    out, depth, copied = [], 0, 0
    for m in _WHERE_OR_BRACE.finditer(code):
        token = m.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            out.append(text[copied : m.start()])
            copied = m.start()
            end = _block_end(code, m.end())
            if _ENDS_WITH_DELETE.search(code, 0, m.start()) and end > 0:
                pattern = text[code.index("{", m.end()) : end]
                out.append(f"{pattern} {clause} ")
            else:
                out.append(f"{clause} ")
    out.append(text[copied:])
    return "".join(out)


def run_update(store: Store, text: str, limits: Limits, base_iri: str | None = None) -> None:
    check_safety(text, limits)
    try:
        if isinstance(store, OxigraphStore):
            store.update(text, base_iri=base_iri)
        else:
            store.update(text)
    except SyntaxError as exc:
        raise ProtocolError(400, f"invalid SPARQL update: {exc}") from None
    except (ValueError, OSError) as exc:
        raise ProtocolError(400, f"the update could not be applied: {exc}") from None
