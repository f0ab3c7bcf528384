"""``POST /validate``: a mapping in, its report out (JSON, Turtle or HTML by Accept)."""

from __future__ import annotations

import html
import json

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import formats, rdfio
from ..validation import Report, ValidationError, validate_mapping
from ..validation_report import FileOutcome, RunOutcome, to_json, to_turtle
from .errors import ProtocolError
from .graphs import parse_body
from .negotiation import base_media, choose

OFFERED = ["application/json", "text/turtle", "text/html"]


async def validate_request(request: Request, body: bytes) -> Response:
    """The report on the mapping in ``body`` (or in the multipart field ``file``), in the
    syntax the client accepts (400, 406, 415 for what cannot be read or answered)."""
    media, _params = base_media(request.headers.get("content-type"))
    name = "request body"
    if media == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ProtocolError(400, "send the mapping as the multipart field 'file'")
        name = upload.filename or "upload"
        data = await upload.read()
        try:
            given = form.get("format")
            fmt = rdfio.format_for(name, given if isinstance(given, str) else None)
        except rdfio.RDFInputError as exc:
            raise ProtocolError(415, exc.message) from None
    else:
        data, fmt = body, formats.FORMAT_BY_MEDIA_TYPE.get(media or "", "")
    cells: dict[str, str] = {}  # a workbook's resources -> the cell of their row
    if fmt == formats.WORKBOOK:
        try:
            graph, cells = await run_in_threadpool(rdfio.read_located, data, name)
        except rdfio.RDFInputError as exc:
            raise ProtocolError(400, str(exc)) from None
    elif media == "multipart/form-data":
        try:
            graph = rdfio.as_graph(await run_in_threadpool(rdfio.parse_data, data, fmt, name))
        except rdfio.RDFInputError as exc:
            raise ProtocolError(400, str(exc)) from None
    else:
        graph = await run_in_threadpool(parse_body, body, request.headers.get("content-type"))
    answer = choose(request.headers.get("accept"), OFFERED)
    if answer is None:
        raise ProtocolError(406, f"offered: {', '.join(OFFERED)}")
    try:
        # parsing and validation are CPU work: keep them off the event loop
        report = await run_in_threadpool(validate_mapping, graph)
    except ValidationError as exc:
        raise ProtocolError(400, str(exc)) from None
    run = RunOutcome([FileOutcome(name, report)])
    if answer == "text/turtle":
        return Response(to_turtle(run), media_type="text/turtle", headers={"Vary": "Accept"})
    if answer == "text/html":
        return HTMLResponse(report_page(report, cells), headers={"Vary": "Accept"})
    return JSONResponse(json.loads(to_json(run)), headers={"Vary": "Accept"})


def report_page(report: Report, cells: dict[str, str] | None = None) -> str:
    """A validation report as an HTML page; for a workbook (``cells``: IRI -> the first cell of
    its row), each result names the sheet and row of its focus node."""

    def where(focus: object) -> str:
        cell = (cells or {}).get(str(focus))
        if cell is None:
            return ""
        sheet, _, ref = cell.rpartition("!")
        return f" <span class='cell'>({html.escape(sheet)}, row {ref.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')})</span>"

    rows = "".join(
        f"<tr><td>{html.escape(r.severity)}</td><td>{html.escape(r.process or '')}</td>"
        f"<td>{html.escape(r.message)}</td><td><code>{html.escape(str(r.focus))}</code>"
        f"{where(r.focus)}</td></tr>"
        for r in report.results
    )
    verdict = "conforms" if report.conforms else "does not conform"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Validation report</title>"
        "<link rel='stylesheet' href='/static/site.css'></head><body><main>"
        f"<h1>Validation report</h1><p>The mapping <strong>{verdict}</strong>.</p>"
        "<table><thead><tr><th scope='col'>Severity</th><th scope='col'>Process</th>"
        "<th scope='col'>Message</th><th scope='col'>Focus node</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></main></body></html>"
    )
