"""SPARQL 1.1 Protocol: the checks of a query's text, content negotiation, its dataset, reading
a POST, and running queries with limits. Plain functions; :mod:`.query` is the one path every
query takes through them, :mod:`.routes.sparql` wires ``/sparql`` to it."""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from ..sparql_bounds import BoundsError, check
from ..sparql_text import STRING_IRI_COMMENT, has_dataset_clause
from ..store.base import Store, StoreRefused
from .evaluation import (
    Answer,
    Limits,
    ProtocolError,
    _evaluate,
    timed_out,
)
from .negotiation import RDF_TYPES, RESULT_TYPES, base_media, choose
from .remote_answers import client_answer

if TYPE_CHECKING:
    from .executor import QueryPool


_COMMENT_OR_STRING = STRING_IRI_COMMENT


@functools.lru_cache(maxsize=8)  # one request asks three times (safety, dataset, form)
def _code_only(text: str) -> str:
    """The SPARQL text with its strings, IRIs and comments blanked out (for keyword checks); as
    long as the text, so that a position in one is the same position in the other."""
    return _COMMENT_OR_STRING.sub(lambda m: " " * len(m.group()), text)


_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_LOAD = re.compile(r"\bLOAD\b", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def check_bounds(text: str, limits: Limits, kind: str = "query") -> None:
    """The text within the bounds that keep the engine's parser on its stack (400 beyond)."""
    try:
        check(text, limits.update_bounds if kind == "update" else limits.bounds, kind)
    except BoundsError as exc:
        raise ProtocolError(400, str(exc)) from None


def check_safety(text: str, limits: Limits, kind: str = "query") -> None:
    """The text within its bounds, and no SERVICE or LOAD where they are disabled (403)."""
    check_bounds(text, limits, kind)
    code = _code_only(text)
    if not limits.allow_service and _SERVICE.search(code):
        raise ProtocolError(
            403, "SERVICE (federated query) is disabled on this endpoint (BPFGRAPH_ALLOW_SERVICE)"
        )
    if not limits.allow_load and _LOAD.search(code):
        raise ProtocolError(403, "LOAD is disabled on this endpoint (BPFGRAPH_ALLOW_LOAD)")


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
    """The media type for a graph or a solutions result, remembered per Accept header."""
    return choose(accept, RDF_TYPES if graph_result else RESULT_TYPES)


def negotiate(text: str, accept: str | None) -> str:
    """The media type of the query's answer the client accepts (406 when none)."""
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
        """Evaluate on ``native`` (in the thread that calls it)."""
        try:
            return _evaluate(
                native, self.text, self.kwargs, self.media, self.limits, self.cancelled
            )
        except Exception as exc:
            # a query's result must be dropped on the thread that made it (pyoxigraph aborts
            # the process otherwise): no traceback may carry its frame to another thread
            exc.__traceback__ = None
            exc.__context__ = None
            raise exc from None


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


def client_error(exc: BaseException) -> BaseException:
    """The protocol error an evaluation error stands for (others are returned as they are)."""
    if isinstance(exc, SyntaxError):
        return ProtocolError(400, f"invalid SPARQL query: {exc}")
    if isinstance(exc, (ValueError, TypeError)):
        return ProtocolError(400, f"the query could not be evaluated: {exc}")
    return exc


async def run_remote_async(
    store: Store,
    text: str,
    accept: str | None,
    limits: Limits,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> Answer:
    """A query on a remote store, from the event loop (the HTTP call in a thread)."""
    check_safety(text, limits)
    media = negotiate(text, accept)
    return await run_in_threadpool(
        _run_remote, store, text, media, default_graphs, named_graphs, limits.max_rows
    )


async def run_query_async(
    store: Store, prepared: Prepared, pool: QueryPool | None = None
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
    native = store.native
    assert native is not None  # the caller runs queries here on an embedded store only
    future = asyncio.wrap_future(QUERY_POOL.submit(prepared.evaluate, native))
    try:
        async with asyncio.timeout(prepared.limits.timeout):
            return await future
    except TimeoutError:
        prepared.cancelled.set()
        raise timed_out(prepared.limits) from None
    except Exception as exc:
        raise client_error(exc) from None


def _run_remote(
    store: Store,
    text: str,
    media: str,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    max_rows: int,
) -> Answer:
    try:
        raw = store.query_protocol(text, media, default_graphs or [], named_graphs or [])
    except StoreRefused as exc:
        raise ProtocolError(exc.status, str(exc)) from None
    return client_answer(raw, media, max_rows)


# -- reading a POST ----------------------------------------------------------------------------


@dataclass
class Operation:
    """A query or an update read from a request, with the graphs the protocol gives it."""

    #: an update (SPARQL Update), or a query
    update: bool
    text: str
    #: ``default-graph-uri`` of a query, ``using-graph-uri`` of an update
    graphs: list[str]
    #: ``named-graph-uri`` of a query, ``using-named-graph-uri`` of an update
    named: list[str]


#: a query or an update sent as the body: whether it is an update, and the URL parameters that
#: give its graphs
_BODY_GRAPHS = {
    "application/sparql-query": (False, "default-graph-uri", "named-graph-uri"),
    "application/sparql-update": (True, "using-graph-uri", "using-named-graph-uri"),
}


def read_post(content_type: str | None, body: bytes, url_params: QueryParams) -> Operation:
    """The query or update a POST carries: a form, or a query or update as the body with its
    graphs in the URL (400, 415 for anything else)."""
    media, params = base_media(content_type)
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"charset {charset} is not supported; send UTF-8")
    if media == "application/x-www-form-urlencoded":
        return _read_form(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the body is not valid UTF-8") from None
    if media in _BODY_GRAPHS:
        update, graphs, named = _BODY_GRAPHS[media]
        return Operation(update, text, url_params.getlist(graphs), url_params.getlist(named))
    raise ProtocolError(
        415,
        "POST a query as application/sparql-query or application/x-www-form-urlencoded, "
        "an update as application/sparql-update or application/x-www-form-urlencoded",
    )


def _read_form(body: bytes) -> Operation:
    """The query or update of a form (``query=`` or ``update=`` with their graphs)."""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ProtocolError(400, "the form is not valid UTF-8") from None
    q, u = form.get("query", []), form.get("update", [])
    if q and u:
        raise ProtocolError(400, "give either query or update, not both")
    if len(q) > 1 or len(u) > 1:
        raise ProtocolError(400, "give exactly one query or update")
    if q:
        return Operation(
            False, q[0], form.get("default-graph-uri", []), form.get("named-graph-uri", [])
        )
    if u:
        return Operation(
            True, u[0], form.get("using-graph-uri", []), form.get("using-named-graph-uri", [])
        )
    raise ProtocolError(400, "the form has neither a query nor an update")


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
