"""``create_app(settings)``: the FastAPI app. Routes only wire requests to plain functions."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import gzip
import json
import logging
import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from rdflib import Graph
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import queries, rdfio
from ..loading import ensure_loaded, load_cities
from ..settings import Settings
from ..sparql_bounds import RECOMMENDED_STACK_BYTES, Bounds
from ..store import Store, StoreError
from ..store.engines import open_store
from ..validation_report import FileOutcome, RunOutcome, to_json
from ..version import __version__
from ..writes import WriteRefused
from . import graphs as gsp
from . import negotiation
from .cache import AnswerCache, NoCache, query_key
from .cache import etag as etag_of
from .sparql import (
    QUERY_POOL,
    Limits,
    ProtocolError,
    add_using,
    prepare_query,
    run_query_async,
    run_remote_async,
)
from .updates import apply_update

if TYPE_CHECKING:
    from .executor import QueryPool

log = logging.getLogger("bpfgraph.web")
#: the status answering each kind of refusal of the write gate (bpfgraph.writes)
REFUSED_STATUS = {"reserved": 403, "invalid": 422, "misplaced": 400, "missing": 404}
SD_TURTLE = "text/turtle"


class State:
    """The store and a version counter that every write bumps (caches key on it)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.version = 0
        self.modified = _modified(store)
        # a remote store may be written by other app processes: nothing is cached then
        self.cache: AnswerCache = AnswerCache(settings.cache_bytes) if store.embedded else NoCache()
        self.lock = threading.Lock()
        bounds = Bounds(
            max_length=settings.query_max_length,
            max_depth=settings.query_max_depth,
            max_branches=settings.query_max_branches,
            max_path_length=settings.query_max_path_length,
        )
        self.limits = Limits(
            settings.query_timeout,
            settings.max_rows,
            settings.allow_service,
            settings.allow_load,
            settings.max_body_bytes,
            bounds,
            # an update's length is bounded by the body limit: data (INSERT DATA) is flat
            dataclasses.replace(bounds, max_length=max(bounds.max_length, settings.max_body_bytes)),
        )
        #: the worker processes queries and trial updates run on (None: threads)
        self.pool: QueryPool | None = None
        if store.embedded and settings.heavy_queries > 0:
            from .executor import PoolSettings, QueryPool

            self.pool = QueryPool(
                store,
                PoolSettings(
                    heavy=settings.heavy_queries,
                    reserve=settings.query_reserve_workers,
                    heavy_after=settings.query_heavy_after,
                    memory=settings.query_memory,
                    wait=settings.query_queue_wait,
                ),
            )
        if self.pool is None:
            _deep_stacked(QUERY_POOL)
        #: every write (SPARQL Update, graph store) is checked and written under this lock
        self.write_lock = asyncio.Lock()
        #: uploads and validations parsed and validated at once (each may take a core and a
        #: large part of memory); more wait up to BPFGRAPH_QUERY_QUEUE_WAIT, then 503
        self.heavy = asyncio.Semaphore(max(1, settings.heavy_queries or os.cpu_count() or 1))

    @asynccontextmanager
    async def heavy_work(self) -> AsyncIterator[None]:
        """A slot for parsing or validating a request body (503 with Retry-After when none
        frees up in time)."""
        try:
            await asyncio.wait_for(self.heavy.acquire(), self.settings.query_queue_wait)
        except TimeoutError:
            raise ProtocolError(
                503,
                "the service is busy with other uploads and validations; try again shortly",
                {"Retry-After": "5"},
            ) from None
        try:
            yield
        finally:
            self.heavy.release()

    def sparql_url(self, request: Request) -> str:
        """The endpoint's own URL (the base IRI of queries and updates)."""
        return str(request.base_url) + "sparql"

    def bump(self) -> None:
        with self.lock:
            self.version += 1
            self.modified = _modified(self.store)
            self.cache.clear()


def _deep_stacked(pool: ThreadPoolExecutor) -> None:
    """Start every thread of ``pool`` now, with the stack the query bounds are measured for
    (threads take their stack size when they start; the pool would start them later)."""
    if getattr(pool, "_bpf_deep", False):
        return
    barrier = threading.Barrier(pool._max_workers + 1)
    previous = threading.stack_size(RECOMMENDED_STACK_BYTES)
    try:
        for _ in range(pool._max_workers):
            pool.submit(barrier.wait)
        barrier.wait()
    finally:
        threading.stack_size(previous)
    pool._bpf_deep = True  # type: ignore[attr-defined]


def _modified(store: Store) -> dt.datetime:
    """Now, or for a replica the time the writer last wrote (every worker says the same)."""
    return store.modified() or dt.datetime.now(dt.UTC).replace(microsecond=0)


def _error(status: int, message: str, headers: dict | None = None) -> Response:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


def _check_token(request: Request, settings: Settings) -> None:
    if not settings.write_token:
        raise ProtocolError(
            403, "this service is read-only: set BPFGRAPH_WRITE_TOKEN to enable writes"
        )
    given = request.headers.getlist("authorization")
    if len(given) > 1:
        raise ProtocolError(400, "give one Authorization header, not several")
    header = given[0] if given else ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProtocolError(401, "writes need the header Authorization: Bearer <token>")
    import hmac

    if not hmac.compare_digest(token.strip().encode(), settings.write_token.encode()):
        raise ProtocolError(401, "the token is not valid")


async def _body(request: Request, limit: int) -> bytes:
    """Read the body up to ``limit`` bytes (413 beyond); later readers (forms) see it too."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    data = b"".join(chunks)
    request._body = data
    return data


def _rdf_response(graph: Graph, request: Request, offered: list[str] | None = None) -> Response:
    offered = offered or [
        m for m in negotiation.RDF_TYPES if m not in ("application/trig", "application/n-quads")
    ]
    media = negotiation.choose(request.headers.get("accept"), offered)
    if media is None:
        raise ProtocolError(406, f"offered: {', '.join(offered)}")
    fmt = negotiation.RDF_FORMATS[media][0]
    if fmt == "json-ld":
        from ..vocab import PREFIXES

        body = rdfio.serialize(graph, "json-ld", context=dict(PREFIXES))
    else:
        body = rdfio.serialize(graph, fmt)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        if store is None and settings.replica_of is not None:
            # a worker of `serve --workers N`: the writer process loaded everything; this
            # worker answers from its replica of the store (bpfgraph.store.replica)
            from ..store.replica import ReplicaStore

            try:
                st = replica = ReplicaStore(settings.replica_of)
            except StoreError as exc:  # the writer is gone: this worker cannot start
                log.error("%s", exc)
                os._exit(3)  # uvicorn's start-up failure: its supervisor stops the service
            app.state.bpf = State(settings, replica)
            replica.on_change(app.state.bpf.bump)
            app.replica = replica
        else:
            try:
                st = store or open_store(settings)
            except StoreError as exc:  # e.g. another process holds the store: say so, stop
                log.error("bpfgraph serve: error: %s", exc)
                os._exit(3)  # uvicorn's start-up failure: no traceback
            ensure_loaded(st)
            app.state.bpf = State(settings, st)
            if settings.load_cities:
                load_cities(st)
                app.state.bpf.bump()
            st.start_mirror(settings.read_mirror_max_quads)  # queries move to memory once filled
        # what start-up built (framework graphs, shapes, modules) lives as long as the process:
        # keep it out of the garbage collector's full passes, which would otherwise walk it
        # again and again while requests allocate (answers, cache entries)
        gc.collect()
        gc.freeze()
        yield
        if app.state.bpf.pool is not None:
            app.state.bpf.pool.close()
        st.close()

    from .fastlane import App

    app = App(
        title="bpfgraph",
        version=__version__,
        description="ISO/IEC 30145-1 smart city business process framework as linked data: "
        "SPARQL 1.1, graph store, downloads, DCAT catalog, validation of city mappings.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="bpfgraph API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    from starlette.middleware.gzip import GZipMiddleware

    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if settings.cors_origins.strip():
        from starlette.middleware.cors import CORSMiddleware

        origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
        )

    @app.exception_handler(ProtocolError)
    async def protocol_error(_request: Request, exc: ProtocolError) -> Response:
        headers = dict(exc.headers or {})
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="bpfgraph"'
        return _error(exc.status, exc.message, headers or None)

    @app.exception_handler(WriteRefused)
    async def write_refused(_request: Request, exc: WriteRefused) -> Response:
        status = REFUSED_STATUS[exc.kind]
        if exc.outcomes:
            run = RunOutcome([FileOutcome(name, report) for name, report in exc.outcomes])
            body = {"error": exc.message, "status": status, "report": json.loads(to_json(run))}
            return JSONResponse(body, status_code=status)
        return _error(status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own refusals (no such route, method, a form it cannot read) in the
        # service's error format
        return _error(exc.status_code, str(exc.detail), dict(exc.headers or {}) or None)

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError) -> Response:
        return _error(503, str(exc))

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> Response:
        log.exception("internal error")
        return _error(500, "internal error; the operator's log has details")

    def state(request: Request) -> State:
        return request.app.state.bpf

    # -- health, queries ---------------------------------------------------------------------

    @app.get("/health", tags=["service"])
    def health(request: Request) -> dict:
        st = state(request)
        return {
            "status": "ok",
            "version": __version__,
            "store": st.store.engine,
            "dataVersion": st.version,
            "cache": {"entries": len(st.cache), "bytes": st.cache.bytes},
            # the read mirror; for a worker of `serve --workers N`, the writer's sequence its
            # replica holds
            **st.store.status(),
            # worker processes evaluating queries: how many there are, how many hold the store
            "queryWorkers": None
            if st.pool is None
            else {"size": st.pool.size, "ready": st.pool.ready(), "heavy": st.pool.heavy_running},
            "pid": os.getpid(),
        }

    @app.get("/queries", tags=["queries"])
    def list_queries() -> list[dict]:
        return [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "required": p.required,
                        "default": p.default,
                        "description": p.description,
                    }
                    for p in q.params.values()
                ],
                "url": f"/queries/{q.name}",
                "sparql": q.text,
            }
            for q in queries.load_all().values()
        ]

    @app.get("/queries/{name}", tags=["queries"])
    async def run_named(name: str, request: Request) -> Response:
        try:
            query = queries.get(name) if "/" not in name and not name.endswith(".rq") else None
        except queries.QueryError as exc:
            raise ProtocolError(404, str(exc)) from None
        if query is None:
            raise ProtocolError(404, f"no named query {name!r}")
        params = {k: v for k, v in request.query_params.items()}
        try:
            text = query.bind(params)
        except queries.QueryError as exc:
            raise ProtocolError(400, str(exc)) from None
        return await _cached_query(request, text)

    def _query_key(request: Request, text: str, default=None, named=None) -> tuple:
        return query_key(text, request.headers.get("accept") or "", default, named)

    def _cache_hit(request: Request, text: str, default=None, named=None) -> Response | None:
        """The cached answer, if any: served on the event loop, no thread hop."""
        cached = state(request).cache.get(_query_key(request, text, default, named))
        if cached is None:
            return None
        body, media_type, etag = cached[:3]
        headers = {"ETag": etag, "Vary": "Accept"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    async def _cached_query(request: Request, text: str, default=None, named=None) -> Response:
        st = state(request)
        accept = request.headers.get("accept")
        key = _query_key(request, text, default, named)
        cached = st.cache.get(key)
        version = st.version
        if cached is None:
            if st.store.embedded:
                prepared = prepare_query(
                    text, accept, st.limits, default, named, base_iri=st.sparql_url(request)
                )
                answer = await run_query_async(st.store, prepared, st.pool)
            else:
                answer = await run_remote_async(st.store, text, accept, st.limits, default, named)
            cached = (answer.body, answer.media_type, etag_of(answer.body))
            headers_extra = (
                {"X-Result-Truncated": f"max-rows={st.limits.max_rows}"} if answer.truncated else {}
            )
            if version == st.version and not answer.truncated:
                st.cache[key] = cached
        else:
            headers_extra = {}
        body, media_type, etag = cached[:3]
        headers = {"ETag": etag, "Vary": "Accept", **headers_extra}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    # -- SPARQL 1.1 protocol -----------------------------------------------------------------

    def _service_description(request: Request) -> Response:
        from .description import service_description

        g = service_description(str(request.url_for("sparql_get")), bool(settings.write_token))
        return _rdf_response(g, request)

    @app.get("/sparql", name="sparql_get", tags=["sparql"])
    async def sparql_get(request: Request) -> Response:
        params = request.query_params
        if "update" in params:
            raise ProtocolError(405, "SPARQL Update needs POST")
        queries_given = params.getlist("query")
        if not queries_given:
            return await run_in_threadpool(_service_description, request)
        if len(queries_given) > 1:
            raise ProtocolError(400, "give exactly one query parameter")
        text = queries_given[0]
        default = params.getlist("default-graph-uri")
        named = params.getlist("named-graph-uri")
        hit = _cache_hit(request, text, default, named)
        if hit is not None:
            return hit
        return await _cached_query(request, text, default, named)

    @app.post("/sparql", tags=["sparql"])
    async def sparql_post(request: Request) -> Response:
        st = state(request)
        media, params = negotiation.base_media(request.headers.get("content-type"))
        body = await _body(request, settings.max_body_bytes)
        charset = params.get("charset", "utf-8")
        if charset not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"charset {charset} is not supported; send UTF-8")
        url_params = request.query_params
        if media == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs

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
                return await _cached_query(
                    request,
                    q[0],
                    form.get("default-graph-uri", []),
                    form.get("named-graph-uri", []),
                )
            if u:
                _check_token(request, settings)
                return await _update(
                    request,
                    st,
                    u[0],
                    form.get("using-graph-uri", []),
                    form.get("using-named-graph-uri", []),
                )
            raise ProtocolError(400, "the form has neither a query nor an update")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the body is not valid UTF-8") from None
        if media == "application/sparql-query":
            return await _cached_query(
                request,
                text,
                url_params.getlist("default-graph-uri"),
                url_params.getlist("named-graph-uri"),
            )
        if media == "application/sparql-update":
            _check_token(request, settings)
            return await _update(
                request,
                st,
                text,
                url_params.getlist("using-graph-uri"),
                url_params.getlist("using-named-graph-uri"),
            )
        raise ProtocolError(
            415,
            "POST a query as application/sparql-query or application/x-www-form-urlencoded, "
            "an update as application/sparql-update or application/x-www-form-urlencoded",
        )

    async def _update(
        request: Request, st: State, text: str, using: list[str], using_named: list[str]
    ) -> Response:
        if using or using_named:
            text = add_using(text, using, using_named)
        async with st.write_lock:
            try:
                await apply_update(
                    st.store, st.pool, text, st.limits, str(request.url_for("sparql_get"))
                )
            finally:
                st.bump()
        return Response(status_code=204)

    # -- Graph Store Protocol ----------------------------------------------------------------

    def _target(request: Request) -> str | None:
        params = request.query_params
        graphs = params.getlist("graph")
        has_default = "default" in params
        if len(graphs) > 1:
            raise ProtocolError(400, "give one graph parameter")
        if graphs and has_default:
            raise ProtocolError(400, "give either ?graph=IRI or ?default, not both")
        if not graphs and not has_default:
            raise ProtocolError(400, "name the graph: ?graph=IRI or ?default")
        if graphs:
            iri = graphs[0]
            if not iri or any(c in iri for c in ' <>"{}|\\^`') or ":" not in iri:
                raise ProtocolError(400, f"{iri!r} is not an absolute IRI")
            try:
                import pyoxigraph

                pyoxigraph.NamedNode(iri)
            except (ValueError, SyntaxError):
                raise ProtocolError(400, f"{iri!r} is not a valid IRI (RFC 3987)") from None
            return iri
        return None

    @app.api_route("/graphs", methods=["GET", "HEAD"], tags=["graph store"])
    def graphs_get(request: Request) -> Response:
        target = _target(request)
        graph = gsp.get(state(request).store, target)
        response = _rdf_response(graph, request)
        if request.method == "HEAD":
            return Response(status_code=200, headers=dict(response.headers))
        return response

    @app.put("/graphs", tags=["graph store"])
    async def graphs_put(request: Request) -> Response:
        return await _gsp_write(request, "PUT")

    @app.post("/graphs", tags=["graph store"])
    async def graphs_post(request: Request) -> Response:
        return await _gsp_write(request, "POST")

    @app.delete("/graphs", tags=["graph store"])
    async def graphs_delete(request: Request) -> Response:
        _check_token(request, settings)
        target = _target(request)
        st = state(request)
        async with st.write_lock:
            try:
                if target is None:
                    await run_in_threadpool(st.store.update, "CLEAR SILENT DEFAULT")
                else:
                    await run_in_threadpool(gsp.delete, st.store, target)
            finally:
                st.bump()
        return Response(status_code=204)

    async def _gsp_write(request: Request, method: str) -> Response:
        _check_token(request, settings)
        # the body read first: a client refused for want of a slot reads the 503 (a connection
        # closed before its body is read would reach it as a reset)
        body = await _body(request, settings.max_body_bytes)
        async with state(request).heavy_work():
            return await _gsp_write_now(request, method, body)

    async def _gsp_write_now(request: Request, method: str, body: bytes) -> Response:
        new_graph = method == "POST" and not {"graph", "default"} & set(request.query_params)
        target = gsp.new_graph_iri() if new_graph else _target(request)
        st = state(request)
        if target is not None and len(body) >= gsp.NATIVE_MIN_BYTES:
            async with st.write_lock:
                try:
                    large = await run_in_threadpool(
                        gsp.write_large,
                        st.store,
                        target,
                        body,
                        request.headers.get("content-type"),
                        method == "PUT",
                    )
                finally:
                    st.bump()
            if large is not None:
                return Response(
                    status_code=large.status,
                    headers={"Location": target if new_graph else str(request.url)}
                    if large.status == 201
                    else None,
                )
        data = await run_in_threadpool(gsp.parse_body, body, request.headers.get("content-type"))
        if target is None:
            async with st.write_lock:
                try:
                    await run_in_threadpool(gsp.write_default, st.store, data, method == "PUT")
                finally:
                    st.bump()
            return Response(status_code=204)
        async with st.write_lock:
            try:
                write = gsp.put if method == "PUT" else gsp.post
                result = await run_in_threadpool(write, st.store, target, data)
            finally:
                st.bump()
        return Response(
            status_code=result.status,
            headers={"Location": target if new_graph else str(request.url)}
            if result.status == 201
            else None,
        )

    # -- validation --------------------------------------------------------------------------

    @app.post("/validate", tags=["validation"])
    async def validate(request: Request) -> Response:
        from .validate import validate_request

        body = await _body(request, settings.max_body_bytes)
        async with state(request).heavy_work():
            return await validate_request(request, body)

    # -- downloads, catalog ------------------------------------------------------------------

    from .downloads import register as register_downloads

    register_downloads(app, state)
    from .pages import register as register_pages

    register_pages(app, state, _rdf_response)
    return app


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def http_date(moment: dt.datetime) -> str:
    return format_datetime(moment, usegmt=True)


__all__ = ["Path", "PlainTextResponse", "create_app"]
