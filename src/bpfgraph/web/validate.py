"""``POST /validate``: a mapping in, its report out (JSON, Turtle or HTML by Accept)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from .. import formats, rdfio
from ..validation import Report, ValidationError, validate_mapping
from ..validation_report import FileOutcome, RunOutcome, to_json, to_turtle
from ..vocab import PREFIXES
from .errors import ProtocolError
from .graphs import parse_body
from .negotiation import base_media, choose
from .pages import ENV

OFFERED = ["application/json", "text/turtle", "text/html"]
#: the largest Turtle the report page offers as a download link (a data: URL in the page)
MAX_INLINE_TURTLE = 4 * 1024 * 1024


async def validate_request(request: Request, body: bytes) -> Response:
    """The report on the mapping in ``body`` (or in the multipart field ``file``), in the
    syntax the client accepts (400, 406, 415 for what cannot be read or answered)."""
    name, graph, cells = await _uploaded(request, body)
    answer = choose(request.headers.get("accept"), OFFERED)
    if answer is None:
        raise ProtocolError(406, f"offered: {', '.join(OFFERED)}")
    report = await checked(graph)
    run = RunOutcome([FileOutcome(name, report, cells=cells)])
    if answer == "text/turtle":
        return Response(to_turtle(run), media_type="text/turtle", headers={"Vary": "Accept"})
    if answer == "text/html":
        turtle = await run_in_threadpool(mapping_turtle, graph)  # CPU work: off the event loop
        page = report_page(report, name=name, turtle=turtle, cells=cells)
        return HTMLResponse(page, headers={"Vary": "Accept"})
    return JSONResponse(json.loads(to_json(run)), headers={"Vary": "Accept"})


async def uploaded_mapping(request: Request, body: bytes) -> tuple[str, Graph]:
    """The mapping a request sends, with the name to show for it: the multipart field ``file``
    (read by its file name, or the field ``format``), or the body by its Content-Type; a
    workbook (``.xlsx``) as well as any RDF syntax."""
    name, graph, _cells = await _uploaded(request, body)
    return name, graph


async def _uploaded(request: Request, body: bytes) -> tuple[str, Graph, dict[str, str]]:
    """:func:`uploaded_mapping`, and for a workbook the cell of each resource's row."""
    media, _params = base_media(request.headers.get("content-type"))
    if media != "multipart/form-data":
        if formats.FORMAT_BY_MEDIA_TYPE.get(media or "", "") == formats.WORKBOOK:
            return ("request body", *await _workbook(body, "request body"))
        graph = await run_in_threadpool(parse_body, body, request.headers.get("content-type"))
        return "request body", graph, {}
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
    if fmt == formats.WORKBOOK:
        return (name, *await _workbook(data, name))
    try:
        graph = rdfio.as_graph(await run_in_threadpool(rdfio.parse_data, data, fmt, name))
    except rdfio.RDFInputError as exc:
        raise ProtocolError(400, str(exc)) from None
    return name, graph, {}


async def _workbook(data: bytes, name: str) -> tuple[Graph, dict[str, str]]:
    """A workbook's mapping and the cell of each resource's row (400 for a bad workbook)."""
    try:
        return await run_in_threadpool(rdfio.read_located, data, name)
    except rdfio.RDFInputError as exc:
        raise ProtocolError(400, str(exc)) from None


async def checked(graph: Graph) -> Report:
    """The mapping's validation report (400 for a graph that holds no mapping to validate)."""
    try:
        # validation is CPU work: keep it off the event loop
        return await run_in_threadpool(validate_mapping, graph)
    except ValidationError as exc:
        raise ProtocolError(400, str(exc)) from None


def mapping_turtle(graph: Graph) -> str:
    """The mapping written as Turtle with the service's prefixes."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=False)
    return graph.serialize(format="turtle")


def report_page(
    report: Report,
    name: str = "request body",
    turtle: str | None = None,
    stored: str | None = None,
    refused: str | None = None,
    cells: dict[str, str] | None = None,
) -> str:
    """A validation report as an HTML page: the verdict, each result (for a workbook,
    ``cells``: IRI -> the first cell of its row, with the sheet and row of its focus node), a
    link to download the mapping as Turtle (``turtle``), and what became of a request to
    store it."""
    download = None
    if turtle is not None and len(turtle) <= MAX_INLINE_TURTLE:
        download = "data:text/turtle;charset=utf-8;base64," + base64.b64encode(
            turtle.encode()
        ).decode("ascii")
    return ENV.get_template("validate_report.html").render(
        title="Validation report",
        report=report,
        name=name,
        download=download,
        download_name=Path(name).stem + ".ttl" if name != "request body" else "mapping.ttl",
        stored=stored,
        refused=refused,
        # one entry per result (its focus node's sheet and row in a workbook, else "")
        where=[
            _row_of(cells[str(r.focus)]) if str(r.focus) in cells else "" for r in report.results
        ]
        if cells
        else [],
    )


def _row_of(cell: str) -> str:
    """``G1!A7`` as ``G1, row 7``."""
    sheet, _, ref = cell.rpartition("!")
    return f"{sheet}, row {ref.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
