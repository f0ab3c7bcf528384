"""``/download/{name}.{ext}``: the downloads portals harvest, with ETag, Last-Modified and
304, Content-Disposition, and gzip when asked (the app's middleware)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import downloads
from ..http import http_date, unmodified
from ..state import StateDep

router = APIRouter(tags=["downloads"])


@router.get("/download/{filename}")
def download(filename: str, request: Request, st: StateDep) -> Response:
    """A dataset (ontology, alignments, shapes, framework, mappings, all, mapping-context) in
    the format its extension names, or without one in the format the client accepts."""
    arrived = dt.datetime.now(dt.UTC)  # a slow first serialisation must not make a stale 304
    name, media, ext = downloads.resolve(filename, request.headers.get("accept"))
    body, media, etag = downloads.download(st.cache, st.store, name, media)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(st.modified),
        "Content-Disposition": f'attachment; filename="bpfgraph-{name}.{ext}"',
        "Cache-Control": "public, max-age=60",
        "Vary": "Accept",
    }
    if unmodified(request, etag, st.modified, arrived):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)
