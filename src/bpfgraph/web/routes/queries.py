"""``/queries``: the named queries, listed and run with their parameters."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ... import queries
from ..errors import ProtocolError
from ..query import answer_request
from ..state import StateDep

router = APIRouter(tags=["queries"])


@router.get("/queries")
def list_queries() -> list[dict]:
    """Every named query with its parameters, its URL and its SPARQL text."""
    return [summary(q) for q in queries.load_all().values()]


@router.get("/queries/{name}")
async def run_named(name: str, request: Request, st: StateDep) -> Response:
    """Run a named query, its parameters given in the query string."""
    # the query files are read and parsed: off the event loop
    text = await run_in_threadpool(bound_query, name, dict(request.query_params.items()))
    return await answer_request(request, st, text)


def summary(q: queries.NamedQuery) -> dict:
    """What ``/queries`` says of one named query."""
    return {
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "description": p.description,
            }
            for p in q.params.values()
        ],
        "url": f"/queries/{q.name}",
        "sparql": q.text,
    }


def bound_query(name: str, params: dict[str, str]) -> str:
    """The text of the named query ``name`` with ``params`` bound (404: no such query, 400: a
    parameter missing or of the wrong type)."""
    try:
        query = queries.get(name) if "/" not in name and not name.endswith(".rq") else None
    except queries.QueryError as exc:
        raise ProtocolError(404, str(exc)) from None
    if query is None:
        raise ProtocolError(404, f"no named query {name!r}")
    try:
        return query.bind(params)
    except queries.QueryError as exc:
        raise ProtocolError(400, str(exc)) from None
