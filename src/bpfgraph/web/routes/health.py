"""``/health``: what the service holds and runs; ``/docs``: the API's Swagger UI."""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response

from ...version import __version__
from ..state import State, StateDep

router = APIRouter()


@router.get("/docs", include_in_schema=False)
def docs() -> Response:
    """The Swagger UI of the API (served from /static, no CDN)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="bpfgraph API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


@router.get("/health", tags=["service"])
def health(st: StateDep) -> dict:
    """The service's version, store, data version, cache and query workers."""
    return report(st)


def report(st: State) -> dict:
    """What ``/health`` answers."""
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
