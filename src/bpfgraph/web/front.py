"""The ASGI front: plain ``GET /sparql?query=…`` answered before FastAPI's routing.

Reading queries is the service's hottest request. :class:`SparqlFront` stands before the
framework's middleware, routing and dependency injection: it reads the query from the scope,
asks the one query path (:func:`~.query.answer_query`) and sends the answer — a cached one is
two ``send`` calls. Anything it does not take plainly — other parameters, a store whose answers
are not cached (remote), CORS requests — goes on to the app unchanged, whose ``/sparql`` route
asks the same function. Every Python step here is paid on the event loop's thread, which the
query threads also need (the GIL), so the path is kept short.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from . import errors, query
from .http import base_url
from .state import State


class SparqlFront:
    """ASGI: answers plain ``GET /sparql?query=…`` itself, hands everything else to ``app``."""

    def __init__(self, app: ASGIApp, st: State) -> None:
        """In front of ``app``, answering from the service's state ``st``."""
        self.app = app
        self.st = st

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer ``GET /sparql?query=…`` if it is plain; pass anything else on to the app."""
        taken = self.take(scope)
        if taken is None:
            await self.app(scope, receive, send)
            return
        text, default, named, headers = taken
        accept = headers.get(b"accept", b"").decode("latin-1")
        if_none_match = headers.get(b"if-none-match")
        try:
            answer = await query.answer_query(
                self.st,
                query.Asked(text, accept or None, default, named),
                lambda: base_url(scope) + "sparql",
                None if if_none_match is None else if_none_match.decode("latin-1"),
            )
        except Exception as exc:  # the app's error format, from the same function
            await errors.response_for(exc)(scope, receive, send)
            return
        start, body = query.messages(answer, headers.get(b"accept-encoding", b""))
        await send(start)
        await send(body)

    def take(self, scope: Scope) -> tuple[str, list[str], list[str], dict[bytes, bytes]] | None:
        """The query, its dataset and the headers of a request this front answers; None for
        one the app answers."""
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] != "GET":
            return None
        if not self.st.store.embedded:  # answers not cached (a remote store): the app's route
            return None
        plain = plain_query(scope["query_string"])
        if plain is None:
            return None
        headers = dict(scope["headers"])
        if b"origin" in headers and self.st.settings.cors_origins.strip():
            return None  # CORS headers: the app's middleware
        return (*plain, headers)


def plain_query(query_string: bytes) -> tuple[str, list[str], list[str]] | None:
    """The query and its dataset (default and named graphs) of a query string that holds only
    these; None for anything else (a second query, an update, another parameter).

    >>> plain_query(b"query=ASK%20%7B%7D&named-graph-uri=x%3Ag")
    ('ASK {}', [], ['x:g'])
    >>> plain_query(b"query=ASK%20%7B%7D&query=ASK%20%7B%7D") is None
    True
    """
    text = None
    default: list[str] = []
    named: list[str] = []
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name == "query" and text is None:
            text = value
        elif name == "default-graph-uri":
            default.append(value)
        elif name == "named-graph-uri":
            named.append(value)
        else:  # a second query, an update, anything else: the app explains
            return None
    if text is None:
        return None
    return text, default, named
