"""HTTP helpers the routes share: request bodies within the size limit, the write token,
ETags and 304, RDF responses by Accept, dates, and the base URL of an ASGI scope.

>>> revalidated('"a", "b"', '"b"'), revalidated('"a"', '"b"'), revalidated(None, '"b"')
(True, False, False)
>>> http_date(dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC))
'Wed, 01 May 2024 12:00:00 GMT'
"""

from __future__ import annotations

import datetime as dt
import hmac
from email.utils import format_datetime

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph
from starlette.types import Scope

from .. import rdfio
from ..settings import Settings
from ..vocab import PREFIXES
from . import negotiation
from .errors import ProtocolError
from .state import StateDep

#: what a graph is offered in when a route names nothing else (one graph: no TriG, N-Quads)
GRAPH_TYPES = [
    m for m in negotiation.RDF_TYPES if m not in ("application/trig", "application/n-quads")
]


async def read_body(request: Request, limit: int) -> bytes:
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


def check_token(request: Request, settings: Settings) -> None:
    """The request carries the write token (403 when writes are off, 400 or 401 otherwise)."""
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
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.encode()):
        raise ProtocolError(401, "the token is not valid")


async def require_write_token(request: Request, st: StateDep) -> None:
    """A dependency of the routes that write: refuse a request without the write token."""
    check_token(request, st.settings)


def revalidated(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (the client holds the answer: 304)."""
    if not if_none_match:
        return False
    return if_none_match == etag or etag in [t.strip() for t in if_none_match.split(",")]


def rdf_response(graph: Graph, request: Request, offered: list[str] | None = None) -> Response:
    """``graph`` in the RDF syntax the request's Accept prefers among ``offered`` (406: none)."""
    offered = offered or GRAPH_TYPES
    media = negotiation.choose(request.headers.get("accept"), offered)
    if media is None:
        raise ProtocolError(406, f"offered: {', '.join(offered)}")
    return Response(serialize(graph, media), media_type=media, headers={"Vary": "Accept"})


def serialize(graph: Graph, media: str) -> bytes:
    """``graph`` written in ``media`` (JSON-LD with the project's prefixes as its context)."""
    fmt = negotiation.RDF_FORMATS[media][0]
    if fmt == "json-ld":
        return rdfio.serialize(graph, "json-ld", context=dict(PREFIXES))
    return rdfio.serialize(graph, fmt)


def http_date(moment: dt.datetime) -> str:
    """``moment`` as HTTP writes dates (Last-Modified)."""
    return format_datetime(moment, usegmt=True)


def base_url(scope: Scope) -> str:
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
