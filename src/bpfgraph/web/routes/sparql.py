"""``/sparql``: SPARQL 1.1 Protocol queries (GET, POST) and updates (POST, with the token);
``GET /sparql`` without a query answers the service description.

Plain ``GET /sparql?query=…`` mostly never reaches this router: the ASGI front
(:mod:`..front`) answers it through the same query path (:func:`..query.answer_query`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..description import service_description
from ..errors import ProtocolError
from ..http import check_token, rdf_response, read_body
from ..query import answer_request
from ..sparql import add_using, read_post
from ..state import State, StateDep
from ..updates import apply_update

router = APIRouter(tags=["sparql"])


@router.get("/sparql", name="sparql_get")
async def sparql_get(request: Request, st: StateDep) -> Response:
    """A query (``query=``, with ``default-graph-uri`` / ``named-graph-uri``), or without one
    the service description."""
    params = request.query_params
    if "update" in params:
        raise ProtocolError(405, "SPARQL Update needs POST", {"Allow": "GET, HEAD, POST"})
    given = params.getlist("query")
    if not given:
        return await run_in_threadpool(describe, request, st)
    if len(given) > 1:
        raise ProtocolError(400, "give exactly one query parameter")
    return await answer_request(
        request,
        st,
        given[0],
        params.getlist("default-graph-uri"),
        params.getlist("named-graph-uri"),
    )


@router.post("/sparql")
async def sparql_post(request: Request, st: StateDep) -> Response:
    """A query or an update, as a form or as the body."""
    body = await read_body(request, st.settings.max_body_bytes)
    operation = read_post(request.headers.get("content-type"), body, request.query_params)
    if not operation.update:
        return await answer_request(request, st, operation.text, operation.graphs, operation.named)
    check_token(request, st.settings)
    base = str(request.url_for("sparql_get"))
    await update(st, operation.text, operation.graphs, operation.named, base)
    return Response(status_code=204)


def describe(request: Request, st: State) -> Response:
    """The SPARQL service description of the endpoint, in the syntax the client accepts."""
    endpoint = str(request.url_for("sparql_get"))
    return rdf_response(service_description(endpoint, bool(st.settings.write_token)), request)


async def update(st: State, text: str, using: list[str], using_named: list[str], base: str) -> None:
    """Apply an update through the write gate, under the write lock (the cache emptied after)."""
    if using or using_named:
        text = add_using(text, using, using_named)
    async with st.writing():
        await apply_update(st.store, st.pool, text, st.limits, base)
