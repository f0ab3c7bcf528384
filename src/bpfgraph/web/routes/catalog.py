"""``/catalog``, ``/void``, ``/provenance``: what the service holds, in DCAT-AP, VoID and PROV
(RDF by Accept; the catalog also as an HTML page)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import catalog as metadata
from ..downloads import EXT_MEDIA
from ..errors import ProtocolError
from ..http import conditional, http_date, unmodified
from ..negotiation import choose
from ..pages import render
from ..state import State, StateDep

router = APIRouter(tags=["metadata"])
#: the syntaxes metadata is offered in (one graph: no TriG)
OFFERED = [m for m in EXT_MEDIA.values() if m != "application/trig"]


@router.get("/catalog")
def catalog(request: Request, st: StateDep) -> Response:
    """The DCAT-AP catalog (with VoID and PROV), or the catalog page for a browser."""
    accept = request.headers.get("accept")
    if choose(accept, ["text/turtle", "text/html"]) == "text/html" and "text/html" in (
        accept or ""
    ):
        page = render(
            "catalog.html", title="Catalog", datasets=metadata.page_datasets(list(EXT_MEDIA))
        )
        return conditional(request, page, st.modified)
    return answer(request, st, "catalog")


@router.get("/void")
def void(request: Request, st: StateDep) -> Response:
    """The VoID description of the store and its graphs."""
    return answer(request, st, "void")


@router.get("/provenance")
def provenance(request: Request, st: StateDep) -> Response:
    """Where each graph came from (PROV-O)."""
    return answer(request, st, "provenance")


def answer(request: Request, st: State, name: str) -> Response:
    """A metadata resource in the syntax the client accepts, with its ETag and Last-Modified
    (304 when held)."""
    media = choose(request.headers.get("accept"), OFFERED)
    if media is None:
        raise ProtocolError(406, f"offered: {', '.join(OFFERED)}")
    body, media, etag = metadata.metadata(st.cache, st.store, name, media, str(request.base_url))
    headers = {"ETag": etag, "Last-Modified": http_date(st.modified), "Vary": "Accept"}
    if unmodified(request, etag, st.modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)
