"""``/validate``: a city mapping in, its validation report out — for programs (``POST`` with
the mapping or a multipart form) and for people (``GET`` gives the upload page, whose form posts
here, to ``/validate/turtle`` for the Turtle, and to ``/validate/store`` to store it). The form
routes answer a browser's failures with a page, not JSON; every route works without JavaScript."""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from ... import writes
from .. import graphs as gsp
from ..errors import REFUSED_STATUS, ProtocolError
from ..http import read_body
from ..negotiation import choose
from ..pages import render
from ..state import State, StateDep
from ..validate import (
    checked,
    mapping_turtle,
    report_page,
    uploaded_mapping,
    validate_request,
)
from .graph_store import target_graph

router = APIRouter(tags=["validation"])


@router.get("/validate", response_class=HTMLResponse)
def upload_page(request: Request, st: StateDep) -> Response:
    """The upload page: choose or drop a mapping (RDF or a workbook), read its report, download
    it as Turtle, store it with the write token (406 for a client that takes no HTML)."""
    if choose(request.headers.get("accept"), ["text/html"]) is None:
        raise ProtocolError(
            406, "GET /validate is a page (text/html); POST a mapping to validate it"
        )
    return render(
        "validate.html",
        title="Validate a mapping",
        writable=bool(st.settings.write_token),
        max_mb=st.settings.max_body_bytes // (1024 * 1024),
    )


@router.post("/validate")
async def validate(request: Request, st: StateDep) -> Response:
    """Validate the mapping in the body (or the multipart field ``file``) against the shapes;
    the report as JSON, Turtle or HTML by Accept."""
    try:
        body = await read_body(request, st.settings.max_body_bytes)
        async with st.heavy_work():
            return await validate_request(request, body)
    except ProtocolError as exc:
        return failure_page(request, exc, "Cannot validate the file")


@router.post("/validate/turtle")
async def validate_turtle(request: Request, st: StateDep) -> Response:
    """The mapping sent (multipart field ``file``, or the body) written as Turtle, as a download
    named after the file."""
    try:
        body = await read_body(request, st.settings.max_body_bytes)
        async with st.heavy_work():
            name, graph = await uploaded_mapping(request, body)
            turtle = await run_in_threadpool(mapping_turtle, graph)
    except ProtocolError as exc:
        return failure_page(request, exc, "Cannot convert the file")
    filename = Path(name).stem + ".ttl" if name != "request body" else "mapping.ttl"
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename)
    return Response(
        turtle,
        media_type="text/turtle; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


@router.post("/validate/store", response_class=HTMLResponse)
async def validate_store(request: Request, st: StateDep) -> Response:
    """The upload form's store button: the mapping (field ``file``) validated and, if it
    conforms and the field ``token`` is the write token, written to the graph named by the
    field ``graph`` (replacing it); the report page says what was stored or why not."""
    try:
        body = await read_body(request, st.settings.max_body_bytes)
        async with st.heavy_work():
            return await _store(request, st, body)
    except ProtocolError as exc:
        return failure_page(request, exc, "Cannot store the mapping", html=True)


async def _store(request: Request, st: State, body: bytes) -> Response:
    """Check the token and the graph IRI, read and validate the mapping, write it."""
    form = await request.form()
    if not st.settings.write_token:
        raise ProtocolError(403, "this service is read-only: no write token is configured")
    token = form.get("token")
    if not isinstance(token, str) or not token:
        raise ProtocolError(403, "give the write token to store a mapping")
    # 403, not 401: a 401 would need WWW-Authenticate, and a browser would then ask for a login
    if not hmac.compare_digest(token.encode(), st.settings.write_token.encode()):
        raise ProtocolError(403, "the write token is not valid")
    given = form.get("graph")
    iri = given.strip() if isinstance(given, str) else ""
    if not iri:
        raise ProtocolError(400, "give the IRI of the graph to store the mapping in")
    target = target_graph(QueryParams({"graph": iri})) or iri  # refuses what is not an IRI
    name, graph = await uploaded_mapping(request, body)
    report = await checked(graph)
    turtle = await run_in_threadpool(mapping_turtle, graph)
    if not report.conforms:
        page = report_page(
            report, name=name, turtle=turtle, refused="the mapping does not conform (see below)."
        )
        return HTMLResponse(page, status_code=422)
    try:
        async with st.writing():
            result = await _put(st, target, graph)
    except writes.WriteRefused as exc:
        page = report_page(report, name=name, turtle=turtle, refused=exc.message)
        return HTMLResponse(page, status_code=REFUSED_STATUS[exc.kind])
    page = report_page(report, name=name, turtle=turtle, stored=target)
    return HTMLResponse(page, status_code=result.status if result.status == 201 else 200)


async def _put(st: State, target: str, graph: Graph) -> gsp.WriteResult:
    """Graph Store PUT of ``graph`` on ``target`` through the write gate, off the event loop."""
    return await run_in_threadpool(gsp.put, st.store, target, graph)


def failure_page(request: Request, exc: ProtocolError, title: str, html: bool = False) -> Response:
    """A browser's failed form post as a page with the same status; for programs (which do not
    ask for HTML first) the error is raised on, to be answered as JSON."""
    wants_page = (
        html
        or choose(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html"
    )
    if not wants_page or exc.status == 406:
        raise exc
    page = render("validate_error.html", title=title, message=exc.message)
    page.status_code = exc.status
    page.headers.update({k: v for k, v in (exc.headers or {}).items() if k != "Vary"})
    page.headers["Vary"] = "Accept"
    return page
