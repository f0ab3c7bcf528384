"""The fast lane: ``GET /sparql?query=…`` answered in plain ASGI, before the framework's routing.

Reading queries is the service's hottest request. This middleware answers it with the same
functions as the ``/sparql`` route (:func:`~bpfgraph.web.sparql.prepare_query`, the query pool,
the answer cache keyed on the store's version) but without building a Request, routing,
dependency injection or the gzip middleware's wrapping: a cached answer is two ``send`` calls.
Anything it does not handle plainly — other paths and methods, other parameters, a remote store,
query worker processes, CORS requests, unexpected errors — goes on to the app unchanged;
protocol errors (400, 406, 503 …) are answered in the app's JSON format.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..store.oxigraph import OxigraphStore
from .cache import etag as etag_of
from .cache import gzipped, query_key
from .sparql import ProtocolError, prepare_query, run_query_async

PARAMS = frozenset({"query", "default-graph-uri", "named-graph-uri"})
GZIP_MIN = 1024


class FastLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
            return await self.app(scope, receive, send)
        st = getattr(scope["app"].state, "bpf", None)
        if st is None or st.executor is not None or not isinstance(st.store, OxigraphStore):
            return await self.app(scope, receive, send)
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        text = None
        default: list[str] = []
        named: list[str] = []
        for name, value in params:
            if name == "query" and text is None:
                text = value
            elif name == "default-graph-uri":
                default.append(value)
            elif name == "named-graph-uri":
                named.append(value)
            else:  # a second query, an update, anything else: the app explains
                return await self.app(scope, receive, send)
        if text is None:
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        if b"origin" in headers and st.settings.cors_origins.strip():
            return await self.app(scope, receive, send)  # CORS headers: the app's middleware
        accept = headers.get(b"accept", b"").decode("latin-1")
        key = query_key(text, accept, default, named)
        cached = st.cache.get(key)
        extra: list[tuple[bytes, bytes]] = []
        if cached is None:
            version = st.version
            try:
                prepared = prepare_query(
                    text, accept or None, st.limits, default, named, _base(scope) + "sparql"
                )
                answer = await run_query_async(st.store, prepared)
            except ProtocolError as exc:  # the app's error format (a timeout is not run twice)
                error = {"error": exc.message, "status": exc.status}
                return await JSONResponse(error, status_code=exc.status)(scope, receive, send)
            except Exception:  # anything unexpected: the app's own handling and log
                return await self.app(scope, receive, send)
            cached = (answer.body, answer.media_type, etag_of(answer.body))
            if answer.truncated:
                extra.append((b"x-result-truncated", f"max-rows={st.limits.max_rows}".encode()))
            elif version == st.version:
                st.cache[key] = cached
        body, media_type, etag = cached[:3]
        etag_bytes = etag.encode()
        out = [
            (b"etag", etag_bytes),
            (b"vary", b"Accept, Accept-Encoding"),
            *extra,
        ]
        if headers.get(b"if-none-match") == etag_bytes:
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return
        if media_type.startswith("text/") and "charset" not in media_type:
            media_type += "; charset=utf-8"
        out.append((b"content-type", media_type.encode()))
        if len(body) >= GZIP_MIN and b"gzip" in headers.get(b"accept-encoding", b""):
            body = gzipped(etag, body)
            out.append((b"content-encoding", b"gzip"))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})


def _base(scope: Scope) -> str:
    return str(Request(scope).base_url)
