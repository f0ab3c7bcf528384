"""Errors as the service answers them: a JSON body ``{"error": …, "status": …}``.

:class:`ProtocolError` (defined in the light :mod:`.evaluation`, which the query worker
processes import) is what the web layer raises for a request it refuses; the write gate's
:class:`~bpfgraph.writes.WriteRefused` maps to a status by its kind (:data:`REFUSED_STATUS`);
a store that fails answers 503; anything unexpected 500, logged.

>>> error_response(404, "no such thing").body
b'{"error":"no such thing","status":404}'
>>> response_for(ProtocolError(401, "writes need a token")).headers["www-authenticate"]
'Basic realm="bpfgraph", Bearer realm="bpfgraph"'
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..store.base import StoreError
from ..validation_report import FileOutcome, RunOutcome, to_json
from ..writes import WriteRefused
from .evaluation import ProtocolError

log = logging.getLogger("bpfgraph.web")
#: the status answering each kind of refusal of the write gate (bpfgraph.writes)
REFUSED_STATUS = {
    "reserved": 403,
    "invalid": 422,
    "misplaced": 400,
    "missing": 404,
    "conflict": 409,
}


def error_response(status: int, message: str, headers: dict | None = None) -> Response:
    """The service's error body with ``status``."""
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


def _protocol(exc: ProtocolError) -> Response:
    headers = dict(exc.headers or {})
    if exc.status == 401:
        # Basic too: clients that speak only Basic (SPARQLWrapper, rdflib's stores) send the
        # token as the password (bpfgraph.web.http.check_token)
        headers["WWW-Authenticate"] = 'Basic realm="bpfgraph", Bearer realm="bpfgraph"'
    if exc.status == 406:  # the answer depended on Accept (caches must not reuse it for others)
        headers.setdefault("Vary", "Accept")
    return error_response(exc.status, exc.message, headers or None)


def _refused(exc: WriteRefused) -> Response:
    status = REFUSED_STATUS[exc.kind]
    if exc.outcomes:
        run = RunOutcome([FileOutcome(name, report) for name, report in exc.outcomes])
        body = {"error": exc.message, "status": status, "report": json.loads(to_json(run))}
        return JSONResponse(body, status_code=status)
    return error_response(status, exc.message)


def _starlette(exc: StarletteHTTPException) -> Response:
    # Starlette's own refusals (no such route, method, a form it cannot read)
    headers = dict(exc.headers or {})
    allow = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
    if "GET" in allow and "HEAD" not in allow:  # every GET answers HEAD (web.app.head_as_get)
        headers["Allow"] = ", ".join([*allow, "HEAD"])
    return error_response(exc.status_code, str(exc.detail), headers or None)


def _store_failed(exc: StoreError) -> Response:
    return error_response(503, str(exc))


def _internal(exc: Exception) -> Response:
    log.error("internal error", exc_info=exc)
    return error_response(500, "internal error; the operator's log has details")


#: how each kind of error is answered (the most specific class of an error wins)
ANSWERS: dict[type, Callable[[Any], Response]] = {
    ProtocolError: _protocol,
    WriteRefused: _refused,
    StarletteHTTPException: _starlette,
    StoreError: _store_failed,
    Exception: _internal,
}


def response_for(exc: Exception) -> Response:
    """The answer to a request that raised ``exc`` (the same whichever path raised it)."""
    answer = next(ANSWERS[kind] for kind in type(exc).__mro__ if kind in ANSWERS)
    return answer(exc)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes at this request's path (Starlette's 405 names
    only the first route that matches the path: ``PUT /sparql`` said ``GET, HEAD``)."""
    routes = request.app.router.routes
    methods = {
        method
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH")
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    }
    if "GET" in methods:  # every GET answers HEAD (web.app.head_as_get)
        methods.add("HEAD")
    return sorted(methods)


async def handle(request: Request, exc: Exception) -> Response:
    """The exception handler of every error the service answers (a 405 with every method the
    path takes in ``Allow``)."""
    response = response_for(exc)
    routed = isinstance(exc, StarletteHTTPException) or "allow" not in response.headers
    if response.status_code == 405 and routed:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def install(app: FastAPI) -> None:
    """Answer the app's errors in the service's format."""
    for kind in ANSWERS:
        app.add_exception_handler(kind, handle)


__all__ = [
    "ANSWERS",
    "REFUSED_STATUS",
    "ProtocolError",
    "error_response",
    "handle",
    "install",
    "response_for",
]
