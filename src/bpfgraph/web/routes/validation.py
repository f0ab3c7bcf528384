"""``POST /validate``: a city mapping in, its validation report out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..http import read_body
from ..state import StateDep
from ..validate import validate_request

router = APIRouter(tags=["validation"])


@router.post("/validate")
async def validate(request: Request, st: StateDep) -> Response:
    """Validate the mapping in the body (or the multipart field ``file``) against the shapes;
    the report as JSON, Turtle or HTML by Accept."""
    body = await read_body(request, st.settings.max_body_bytes)
    async with st.heavy_work():
        return await validate_request(request, body)
