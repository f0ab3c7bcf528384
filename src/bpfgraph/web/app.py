"""``create_app(settings, store)``: the service, assembled.

A request meets, in order: ``HEAD`` turned into the ``GET`` it stands for (:func:`head_as_get`,
its body dropped); in a worker of ``serve --workers N``, :class:`~.replica_sync.
ReplicaSync` (the replica caught up with its writer); :class:`~.front.SparqlFront` (plain
``GET /sparql?query=…`` answered by the one query path, :mod:`.query`); then FastAPI — its
middleware (gzip, CORS), the error handlers (:mod:`.errors`) and one router per resource
(:mod:`.routes`). The lifespan opens the store and the service's :class:`~.state.State`.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..loading import ensure_loaded, load_cities
from ..settings import Settings
from ..store.base import Store, StoreError
from ..store.engines import open_store
from ..store.replica import ReplicaStore
from ..version import __version__
from . import errors
from .front import SparqlFront
from .pages import STATIC
from .replica_sync import ReplicaSync
from .routes import ROUTERS
from .state import State

log = logging.getLogger("bpfgraph.web")
DESCRIPTION = (
    "ISO/IEC 30145-1 smart city business process framework as linked data: "
    "SPARQL 1.1, graph store, downloads, DCAT catalog, validation of city mappings."
)


#: request headers, all together, beyond which a request is refused (431) before anything reads
#: them: uvicorn takes headers of any size, and negotiating a 20 MB Accept held the event loop
MAX_HEADER_BYTES = 64 * 1024


class App(FastAPI):
    """FastAPI behind the service's ASGI front (:attr:`front`)."""

    def __init__(self, **kwargs: Any) -> None:
        """A FastAPI app (``kwargs`` as FastAPI takes them)."""
        super().__init__(**kwargs)
        #: what a request meets first: FastAPI itself until the lifespan has opened the
        #: store and put the front before it
        self.front: ASGIApp = self.framework

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand the request to the front (``HEAD`` as the ``GET`` it stands for, its body
        dropped: :func:`head_as_get`); headers over :data:`MAX_HEADER_BYTES` refused."""
        if scope["type"] == "http" and _header_bytes(scope) > MAX_HEADER_BYTES:
            message = f"the request headers exceed {MAX_HEADER_BYTES // 1024} KiB"
            await errors.error_response(431, message)(scope, receive, send)
            return
        if scope["type"] == "http" and _CONTROL.search(scope["path"]):
            # the routes' patterns would match "/cities\n" as "/cities" ($ before a final
            # newline): a path with a control character names no resource here
            message = "no such path: it holds a control character (a line feed, a tab, …)"
            await errors.error_response(404, message)(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] == "HEAD":
            await self.front({**scope, "method": "GET"}, receive, head_as_get(send))
            return
        await self.front(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        """FastAPI itself: middleware, routing, error handlers."""
        await super().__call__(scope, receive, send)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _header_bytes(scope: Scope) -> int:
    return sum(len(name) + len(value) for name, value in scope["headers"])


def head_as_get(send: Send) -> Send:
    """``send`` for a ``HEAD`` request answered as its ``GET``: the same status and headers
    (Content-Type, Content-Length, ETag …), every body message sent empty.

    One mechanism for every route: a ``GET`` route answers ``HEAD`` without code of its own
    (HTTP requires it of a server; link checkers and harvesters use it, ``curl -I`` too).
    """

    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The service: on ``store`` when given, otherwise on the store the settings name."""
    settings = settings or Settings()
    app = App(
        title="bpfgraph",
        version=__version__,
        description=DESCRIPTION,
        lifespan=functools.partial(lifespan, settings=settings, store=store),
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if settings.cors_origins.strip():
        origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
        )
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@asynccontextmanager
async def lifespan(app: App, settings: Settings, store: Store | None) -> AsyncIterator[None]:
    """Open the store and the state before serving; close them after."""
    run_dir = settings.replica_of
    if store is None and run_dir is not None:
        # a worker of `serve --workers N`: the writer process loaded everything; this worker
        # answers from its replica of the store (bpfgraph.store.replica)
        replica = _opened(lambda: ReplicaStore(run_dir), "%s")
        state = State(settings, replica)
        replica.on_change(state.bump)
        app.front = ReplicaSync(SparqlFront(app.framework, state), replica)
    else:
        said = "bpfgraph serve: error: %s"
        opened = store or _opened(lambda: open_store(settings), said)
        # a remote store is first asked here: unreachable or refusing, one line, exit 3
        _opened(lambda: _loaded(opened, settings.load_cities), said)
        state = State(settings, opened)
        if settings.load_cities:
            state.bump()
        opened.start_mirror(settings.read_mirror_max_quads)  # queries move to memory once filled
        app.front = SparqlFront(app.framework, state)
    app.state.bpf = state
    # what start-up built (framework graphs, shapes, modules) lives as long as the process:
    # keep it out of the garbage collector's full passes, which would otherwise walk it
    # again and again while requests allocate (answers, cache entries)
    gc.collect()
    gc.freeze()
    yield
    state.close()


def _loaded(store: Store, cities: bool) -> Store:
    """``store`` with the framework loaded and, when ``cities``, the mappings of data/cities."""
    ensure_loaded(store)
    if cities:
        load_cities(store)
    return store


def _opened(open_: Callable[[], Store], message: str) -> Store:
    """The store ``open_`` opens; when it cannot (e.g. another process holds it, or the
    writer is gone), the reason logged and the process ended (uvicorn's start-up failure: no
    traceback; its supervisor stops the service)."""
    try:
        return open_()
    except StoreError as exc:
        log.error(message, exc)
        os._exit(3)
