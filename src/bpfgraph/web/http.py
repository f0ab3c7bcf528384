"""HTTP helpers the routes share: request bodies within the size limit, the write token,
ETags, Last-Modified and 304, RDF responses by Accept, dates, and the base URL of an ASGI scope.

>>> revalidated('"a", "b"', '"b"'), revalidated('"a"', '"b"'), revalidated(None, '"b"')
(True, False, False)
>>> http_date(dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC))
'Wed, 01 May 2024 12:00:00 GMT'
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph
from starlette.types import Scope

from .. import rdfio
from ..settings import Settings
from ..vocab import PREFIXES
from . import negotiation
from .cache import etag
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
    """The request carries the write token (403 when writes are off, 400 or 401 otherwise):
    ``Authorization: Bearer <token>``, or HTTP Basic with the token as the password (any user
    name) for clients that only send Basic (SPARQLWrapper's ``setCredentials``, rdflib's
    ``auth=``)."""
    if not settings.write_token:
        raise ProtocolError(
            403, "this service is read-only: set BPFGRAPH_WRITE_TOKEN to enable writes"
        )
    given = request.headers.getlist("authorization")
    if len(given) > 1:
        raise ProtocolError(400, "give one Authorization header, not several")
    token = presented_token(given[0] if given else "")
    if token is None:
        raise ProtocolError(
            401,
            "writes need the header Authorization: Bearer <token> "
            "(or HTTP Basic with the token as the password)",
        )
    if not hmac.compare_digest(token.encode(), settings.write_token.encode()):
        raise ProtocolError(401, "the token is not valid")


def presented_token(header: str) -> str | None:
    """The token an Authorization header presents: a Bearer token, or the password of Basic
    credentials; None for no token (another scheme, an empty or unreadable one).

    >>> presented_token("Bearer abc"), presented_token("basic dXNlcjphYmM=")
    ('abc', 'abc')
    >>> presented_token("Basic !!!") is None, presented_token("Digest x") is None
    (True, True)
    """
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials or None
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    _user, colon, password = decoded.partition(":")
    return password if colon and password else None


async def require_write_token(request: Request, st: StateDep) -> None:
    """A dependency of the routes that write: refuse a request without the write token."""
    check_token(request, st.settings)


def revalidated(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (the client holds the answer: 304), by the
    weak comparison RFC 9110 13.1.2 asks for (``W/"x"`` matches ``"x"``); ``*`` matches any.

    >>> revalidated('W/"a", "b"', '"a"'), revalidated("*", '"a"'), revalidated('"b"', '"a"')
    (True, True, False)
    """
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    if "*" in tags:
        return True
    opaque = etag.removeprefix("W/")
    return any(t.removeprefix("W/") == opaque for t in tags)


def unmodified(
    request: Request, etag: str, modified: dt.datetime, arrived: dt.datetime | None = None
) -> bool:
    """Whether the client holds the current answer (304): its ``If-None-Match`` names
    ``etag``, or — without ``If-None-Match`` (RFC 9110 13.1.3) — its ``If-Modified-Since`` is
    no earlier than ``modified`` (judged as of ``arrived``, when the request came: an answer
    slow to make must not turn a just-changed answer into a 304)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return revalidated(if_none_match, etag)
    since = parsed_date(request.headers.get("if-modified-since"))
    if since is None or modified.replace(microsecond=0) > since:
        return False
    # Last-Modified has whole seconds: within the second of the last write another write may
    # still come in that same second, so a date is trusted only once that second has passed
    return (arrived or dt.datetime.now(dt.UTC)) - modified >= dt.timedelta(seconds=1)


def conditional(request: Request, response: Response, modified: dt.datetime) -> Response:
    """``response`` with its ETag (of its body: :func:`~.cache.etag`) and Last-Modified, or
    304 with the same validators when the client holds it (:func:`unmodified`)."""
    tag = etag(bytes(response.body))
    response.headers["ETag"] = tag
    response.headers["Last-Modified"] = http_date(modified)
    if response.status_code != 200 or not unmodified(request, tag, modified):
        return response
    kept = ("etag", "last-modified", "vary", "cache-control", "content-location")
    return Response(
        status_code=304, headers={k: v for k, v in response.headers.items() if k in kept}
    )


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


def parsed_date(value: str | None) -> dt.datetime | None:
    """An HTTP date (``If-Modified-Since``), or None when absent or unreadable.

    >>> parsed_date("Wed, 01 May 2024 12:00:00 GMT").isoformat(), parsed_date("soon")
    ('2024-05-01T12:00:00+00:00', None)
    >>> parsed_date("Mon, 01 Jan 99999999999999999999 00:00:00 GMT") is None
    True
    """
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


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
