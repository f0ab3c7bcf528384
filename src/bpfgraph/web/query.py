"""The one query path: a SPARQL query's answer, from the cache or evaluated, with its ETag.

:func:`answer_query` is what every query goes through — ``GET`` and ``POST /sparql``, the
named queries of ``/queries/{name}``, and the ASGI front (:mod:`.front`) that answers plain
``GET /sparql?query=…`` before FastAPI's routing. It looks the answer up in the cache (keyed on
the query, Accept and dataset; every write empties it), evaluates it otherwise — on a query
worker process or a thread for an embedded store, by the store's own protocol for a remote one
— caches it unless it was cut at the row cap or the data changed meanwhile, and says 304 when
the client already holds it. Two writers put the answer on the wire: :meth:`QueryAnswer.response`
for a route (the app's gzip middleware encodes it) and :func:`messages` for the front (gzip made
once per ETag, :func:`~.cache.gzipped`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from fastapi import Request
from fastapi.responses import Response
from starlette.types import Message

from .cache import etag as etag_of
from .cache import gzipped, query_key
from .evaluation import Answer
from .http import revalidated
from .sparql import prepare_query, run_query_async, run_remote_async
from .state import State

#: bodies from this size on are sent gzipped to a client that accepts it
GZIP_MIN = 1024


@dataclass(frozen=True, slots=True)
class Asked:
    """A query as a client asks it: the text, its Accept header, and the dataset the protocol
    gives it (``default-graph-uri``, ``named-graph-uri``)."""

    text: str
    accept: str | None = None
    default: list[str] | None = None
    named: list[str] | None = None


@dataclass(slots=True)
class QueryAnswer:
    """A query's answer as HTTP sends it."""

    #: 200, or 304 when the request's If-None-Match names the answer's ETag
    status: int
    body: bytes
    media_type: str
    etag: str
    #: the row cap the answer was cut at (None: whole)
    truncated_at: int | None = None

    def headers(self) -> dict[str, str]:
        """ETag, Vary and, for an answer cut at the row cap, X-Result-Truncated."""
        headers = {"ETag": self.etag, "Vary": "Accept"}
        if self.truncated_at is not None:
            headers["X-Result-Truncated"] = f"max-rows={self.truncated_at}"
        return headers

    def response(self) -> Response:
        """The answer for a route to return."""
        if self.status == 304:
            return Response(status_code=304, headers=self.headers())
        return Response(self.body, media_type=self.media_type, headers=self.headers())


async def answer_query(
    st: State, asked: Asked, base_iri: Callable[[], str], if_none_match: str | None
) -> QueryAnswer:
    """The answer to a query (raises ProtocolError); ``base_iri`` gives the query's base IRI
    (the endpoint's URL) when it is evaluated."""
    key = query_key(asked.text, asked.accept or "", asked.default, asked.named)
    cached = cast(tuple[bytes, str, str] | None, st.cache.get(key))
    truncated_at = None
    if cached is None:
        version = st.version
        answer = await evaluate(st, asked, base_iri())
        cached = (answer.body, answer.media_type, etag_of(answer.body))
        if answer.truncated:  # by the service's row cap, or a remote store's own
            truncated_at = answer.cap or st.limits.max_rows
        elif version == st.version:
            st.cache[key] = cached
    body, media_type, etag = cached[:3]
    status = 304 if revalidated(if_none_match, etag) else 200
    return QueryAnswer(status, body, media_type, etag, truncated_at)


async def evaluate(st: State, asked: Asked, base_iri: str) -> Answer:
    """Evaluate a query: on the embedded store (worker process or thread) or the remote one."""
    text, accept, default, named = asked.text, asked.accept, asked.default, asked.named
    if st.store.embedded:
        prepared = prepare_query(text, accept, st.limits, default, named, base_iri)
        return await run_query_async(st.store, prepared, st.pool)
    return await run_remote_async(st.store, text, accept, st.limits, default, named)


async def answer_request(
    request: Request,
    st: State,
    text: str,
    default: list[str] | None = None,
    named: list[str] | None = None,
) -> Response:
    """A route's answer to a query it read from ``request``."""
    headers = request.headers
    asked = Asked(text, headers.get("accept"), default, named)
    answer = await answer_query(
        st, asked, lambda: st.sparql_url(request), headers.get("if-none-match")
    )
    return answer.response()


def messages(answer: QueryAnswer, accept_encoding: bytes) -> tuple[Message, Message]:
    """The ASGI messages that send ``answer`` (response start, body): charset for text, gzip
    (made once per ETag) when the client accepts it and the body is large enough,
    Content-Length."""
    out = [(b"etag", answer.etag.encode()), (b"vary", b"Accept, Accept-Encoding")]
    if answer.truncated_at is not None:
        out.append((b"x-result-truncated", f"max-rows={answer.truncated_at}".encode()))
    if answer.status == 304:
        return (
            {"type": "http.response.start", "status": 304, "headers": out},
            {"type": "http.response.body", "body": b""},
        )
    media_type, body = answer.media_type, answer.body
    if media_type.startswith("text/") and "charset" not in media_type:
        media_type += "; charset=utf-8"
    out.append((b"content-type", media_type.encode()))
    if len(body) >= GZIP_MIN and b"gzip" in accept_encoding:
        body = gzipped(answer.etag, body)
        out.append((b"content-encoding", b"gzip"))
    out.append((b"content-length", str(len(body)).encode()))
    return (
        {"type": "http.response.start", "status": 200, "headers": out},
        {"type": "http.response.body", "body": body},
    )
