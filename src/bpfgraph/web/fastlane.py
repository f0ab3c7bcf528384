"""The fast lane: ``GET /sparql?query=…`` answered in plain ASGI, before the framework.

Reading queries is the service's hottest request. :class:`App` (the FastAPI app bpfgraph
serves) hands such requests to :func:`answer` before FastAPI's own middleware, routing,
dependency injection or the gzip middleware see them; it uses the same functions as the
``/sparql`` route (:func:`~bpfgraph.web.sparql.prepare_query`, the query pool, the answer cache
keyed on the store's version), and a cached answer is two ``send`` calls. Anything it does not
handle plainly — other parameters, a remote store, query worker processes, CORS requests,
unexpected errors — goes on to the app unchanged; protocol errors (400, 406, 503 …) are answered
in the app's JSON format. Every Python step here is paid on the event loop's thread, which the
query threads also need (the GIL), so the path is kept short.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from ..store.base import Store, StoreError
from .cache import etag as etag_of
from .cache import gzipped, query_key
from .sparql import ProtocolError, prepare_query, run_query_async

log = logging.getLogger("bpfgraph.web")
PARAMS = frozenset({"query", "default-graph-uri", "named-graph-uri"})
GZIP_MIN = 1024


class App(FastAPI):
    """The FastAPI app, with the fast lane in front of its middleware."""

    #: in a worker of ``serve --workers N``: the replica of the store it answers from
    replica: Store | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        replica = self.replica
        if replica is not None and replica.behind() and scope["type"] == "http":
            # another worker wrote: apply it before answering (reads see every write answered)
            try:
                await run_in_threadpool(replica.catch_up)
            except Exception as exc:  # answer nothing stale: say why (tried again next request)
                if isinstance(exc, StoreError):  # the writer process is gone, or similar
                    message = str(exc)
                else:
                    log.exception("the replica could not catch up with the writer")
                    message = f"this worker could not catch up with the store's writer: {exc}"
                await JSONResponse({"error": message, "status": 503}, 503)(scope, receive, send)
                return
        if (
            scope["type"] == "http"
            and scope["path"] == "/sparql"
            and scope["method"] == "GET"
            and await answer(self, scope, receive, send)
        ):
            return
        await super().__call__(scope, receive, send)


async def answer(app: FastAPI, scope: Scope, receive: Receive, send: Send) -> bool:
    """Answer ``GET /sparql?query=…`` if it is plain; False to let the app answer instead."""
    st = getattr(app.state, "bpf", None)
    if st is None or not st.store.embedded:
        return False
    text = None
    default: list[str] = []
    named: list[str] = []
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        if name == "query" and text is None:
            text = value
        elif name == "default-graph-uri":
            default.append(value)
        elif name == "named-graph-uri":
            named.append(value)
        else:  # a second query, an update, anything else: the app explains
            return False
    if text is None:
        return False
    headers = dict(scope["headers"])
    if b"origin" in headers and st.settings.cors_origins.strip():
        return False  # CORS headers: the app's middleware
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
            result = await run_query_async(st.store, prepared, st.pool)
        except ProtocolError as exc:  # the app's error format (a timeout is not run twice)
            error = {"error": exc.message, "status": exc.status}
            await JSONResponse(error, status_code=exc.status, headers=exc.headers)(
                scope, receive, send
            )
            return True
        except Exception:  # anything unexpected: the app's own handling and log
            return False
        cached = (result.body, result.media_type, etag_of(result.body))
        if result.truncated:
            extra.append((b"x-result-truncated", f"max-rows={st.limits.max_rows}".encode()))
        elif version == st.version:
            st.cache[key] = cached
    body, media_type, etag = cached[:3]
    etag_bytes = etag.encode()
    out = [(b"etag", etag_bytes), (b"vary", b"Accept, Accept-Encoding"), *extra]
    if headers.get(b"if-none-match") == etag_bytes:
        await send({"type": "http.response.start", "status": 304, "headers": out})
        await send({"type": "http.response.body", "body": b""})
        return True
    if media_type.startswith("text/") and "charset" not in media_type:
        media_type += "; charset=utf-8"
    out.append((b"content-type", media_type.encode()))
    if len(body) >= GZIP_MIN and b"gzip" in headers.get(b"accept-encoding", b""):
        body = gzipped(etag, body)
        out.append((b"content-encoding", b"gzip"))
    out.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": out})
    await send({"type": "http.response.body", "body": body})
    return True


def _base(scope: Scope) -> str:
    """The app's base URL, as ``Request.base_url`` gives it (without building a Request)."""
    headers = scope["headers"]
    host = next((v for k, v in headers if k == b"host"), None)
    if host is None:
        server = scope.get("server")
        if not server:
            return str(Request(scope).base_url)
        host_text = f"{server[0]}:{server[1]}"
    else:
        host_text = host.decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host_text}{scope.get('root_path', '')}/"
