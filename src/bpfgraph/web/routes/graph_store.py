"""``/graphs``: the SPARQL 1.1 Graph Store Protocol (indirect identification: ``?graph=IRI`` or
``?default``). Reads are open; PUT, POST and DELETE need the write token and pass the write gate
(:mod:`..graphs`, :mod:`bpfgraph.writes`)."""

from __future__ import annotations

import pyoxigraph
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from ... import writes
from .. import graphs as gsp
from ..errors import ProtocolError
from ..http import rdf_response, read_body, require_write_token
from ..state import State, StateDep

router = APIRouter(tags=["graph store"])
#: the routes that write: refused without the write token, before anything else is read
WRITES = [Depends(require_write_token)]


@router.get("/graphs")
def graphs_get(request: Request, st: StateDep) -> Response:
    """A named graph, or the default graph, in the syntax the client accepts (``HEAD`` too,
    as for every ``GET``: :func:`bpfgraph.web.app.head_as_get`)."""
    graph = writes.read_graph(st.store, target_graph(request.query_params))
    return rdf_response(graph, request)


@router.put("/graphs", dependencies=WRITES)
async def graphs_put(request: Request, st: StateDep) -> Response:
    """Replace a graph by the body (201 when it is new, 204 otherwise)."""
    return await write(request, st, "PUT")


@router.post("/graphs", dependencies=WRITES)
async def graphs_post(request: Request, st: StateDep) -> Response:
    """Add the body to a graph, or (no graph named) store it as a new graph (201, Location)."""
    return await write(request, st, "POST")


@router.delete("/graphs", dependencies=WRITES)
async def graphs_delete(request: Request, st: StateDep) -> Response:
    """Remove a named graph (404 when there is none), or empty the default graph."""
    target = target_graph(request.query_params)
    async with st.writing():
        if target is None:
            await run_in_threadpool(st.store.update, "CLEAR SILENT DEFAULT")
        else:
            await run_in_threadpool(gsp.delete, st.store, target)
    return Response(status_code=204)


def target_graph(params: QueryParams) -> str | None:
    """The graph a request names: ``?graph=IRI`` (an absolute IRI), or None for ``?default``
    (400 for neither, both, several, or an IRI that is not one)."""
    graphs = params.getlist("graph")
    has_default = "default" in params
    if len(graphs) > 1:
        raise ProtocolError(400, "give one graph parameter")
    if graphs and has_default:
        raise ProtocolError(400, "give either ?graph=IRI or ?default, not both")
    if not graphs and not has_default:
        raise ProtocolError(400, "name the graph: ?graph=IRI or ?default")
    if not graphs:
        return None
    iri = graphs[0]
    if not iri or any(c in iri for c in ' <>"{}|\\^`') or ":" not in iri:
        raise ProtocolError(400, f"{iri!r} is not an absolute IRI")
    try:
        pyoxigraph.NamedNode(iri)
    except (ValueError, SyntaxError):
        raise ProtocolError(400, f"{iri!r} is not a valid IRI (RFC 3987)") from None
    return iri


async def write(request: Request, st: State, method: str) -> Response:
    """PUT or POST the body to the graph the request names (or to a new graph)."""
    # the body read first: a client refused for want of a slot reads the 503 (a connection
    # closed before its body is read would reach it as a reset)
    body = await read_body(request, st.settings.max_body_bytes)
    async with st.heavy_work():
        return await _write_now(request, st, method, body)


async def _write_now(request: Request, st: State, method: str, body: bytes) -> Response:
    """The write itself, holding a heavy-work slot."""
    target: str | None
    if method == "POST" and not {"graph", "default"} & set(request.query_params):
        target = location = gsp.new_graph_iri()  # a new graph, named by the store
    else:
        target, location = target_graph(request.query_params), str(request.url)
    content_type = request.headers.get("content-type")
    if target is not None and len(body) >= gsp.NATIVE_MIN_BYTES:
        async with st.writing():
            large = await run_in_threadpool(
                gsp.write_large, st.store, target, body, content_type, method == "PUT"
            )
        if large is not None:
            return _written(large.status, location)
    data = await run_in_threadpool(gsp.parse_body, body, content_type)
    if target is None:
        writes.check_default(data)  # refused before the write starts: the data did not change
        async with st.writing():
            await run_in_threadpool(writes.write_default, st.store, data, method == "PUT")
        return Response(status_code=204)
    async with st.writing():
        write_graph = gsp.put if method == "PUT" else gsp.post
        result = await run_in_threadpool(write_graph, st.store, target, data)
    return _written(result.status, location)


def _written(status: int, location: str) -> Response:
    """201 with the graph's Location, or 204."""
    return Response(status_code=status, headers={"Location": location} if status == 201 else None)
