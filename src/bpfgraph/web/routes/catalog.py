"""``/catalog`` (in pages), ``/catalog/mapping/{key}``, ``/void``, ``/provenance``: what the
service holds, in DCAT-AP, VoID and PROV (RDF by Accept; the catalog also as an HTML page);
``/download/mapping/{key}.{ext}``: one city mapping's download."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import catalog as metadata
from ..cache import etag as etag_of
from ..catalog_mappings import mapping_download, mapping_entries
from ..catalog_terms import DOWNLOAD_FORMATS, MAPPING_FORMATS, Publishing
from ..downloads import EXT_MEDIA
from ..errors import ProtocolError
from ..http import conditional, http_date, rdf_response, unmodified
from ..negotiation import choose
from ..pages import render
from ..state import State, StateDep

router = APIRouter(tags=["metadata"])
#: the syntaxes metadata is offered in (one graph: no TriG)
OFFERED = [m for m in EXT_MEDIA.values() if m != "application/trig"]


@router.get("/catalog")
def catalog(request: Request, st: StateDep) -> Response:
    """The DCAT-AP catalog, a page of it (``page=N``, or ``after=KEY``: the mappings after
    the one whose key is KEY, as the Hydra next links give), or the catalog page for a
    browser."""
    if _browser(request.headers.get("accept")):
        listed = metadata.page_datasets(entries(st), list(EXT_MEDIA))
        html = render("catalog.html", title="Catalog", datasets=listed)
        return conditional(request, html, st.modified)
    return answer(request, st, "catalog", _page(request))


def _page(request: Request) -> int | str:
    """The page a request asks for: a number (1 when none), or a key to start after (400:
    not a page number, not a key, both, or given twice)."""
    pages = request.query_params.getlist("page")
    after = request.query_params.getlist("after")
    if len(pages) > 1 or len(after) > 1 or (pages and after):
        raise ProtocolError(400, "give one page=N or one after=KEY")
    if after:
        if not re.fullmatch(r"[0-9a-f]{16}", after[0]):
            raise ProtocolError(
                400, f"after={after[0][:40]!r}: give a mapping's key (16 hex digits)"
            )
        return after[0]
    if pages and not re.fullmatch(r"[1-9][0-9]{0,8}", pages[0]):
        raise ProtocolError(400, f"page={pages[0][:40]!r}: give a page number (1, 2, …)")
    return int(pages[0]) if pages else 1


@router.get("/catalog/mapping/{key}")
def mapping_dataset(key: str, request: Request, st: StateDep) -> Response:
    """A city mapping's dataset, as the catalog describes it (RDF by Accept, ETag, 304); a
    browser is sent to the mapping's page (303)."""
    found = [e for e in entries(st) if e.key == key]
    if not found:
        raise ProtocolError(404, f"no city mapping dataset {key[:40]!r} in the catalog")
    published = publishing(request, st)
    if _browser(request.headers.get("accept")):
        where = published.base + "city?mapping=" + quote(found[0].mapping, safe="")
        return Response(status_code=303, headers={"Location": where, "Vary": "Accept"})
    graph = metadata.mapping_dataset(st.cache, st.store, published, found[0])
    return conditional(request, rdf_response(graph, request, OFFERED), st.modified)


@router.get("/download/mapping/{filename}", tags=["downloads"])
def mapping_file(filename: str, request: Request, st: StateDep) -> Response:
    """One city mapping in the syntax its extension names (``.ttl``, ``.jsonld``, ``.nt``,
    ``.rdf``): the download its catalog dataset lists, of the size it says."""
    key, _dot, ext = filename.partition(".")
    if ext not in MAPPING_FORMATS:
        raise ProtocolError(404, f"no format .{ext[:20]}; formats: .ttl, .jsonld, .nt, .rdf")
    found = [e for e in entries(st) if e.key == key]
    if not found:
        raise ProtocolError(404, f"no city mapping {key[:40]!r}")
    media = DOWNLOAD_FORMATS[ext][0]

    def make() -> bytes:
        return mapping_download(st.store, found[0].graph, ext)

    body = st.cache.compute(("mapping-download", key, ext), make)
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(st.modified),
        "Content-Disposition": f'attachment; filename="bpfgraph-mapping-{key}.{ext}"',
        "Cache-Control": "public, max-age=60",
    }
    if unmodified(request, etag, st.modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)


@router.get("/void")
def void(request: Request, st: StateDep) -> Response:
    """The VoID description of the store and its graphs."""
    return answer(request, st, "void")


@router.get("/provenance")
def provenance(request: Request, st: StateDep) -> Response:
    """Where each graph came from (PROV-O)."""
    return answer(request, st, "provenance")


def _browser(accept: str | None) -> bool:
    """Whether the client names HTML and prefers it to Turtle (a browser; ``*/*`` is not)."""
    return "text/html" in (accept or "") and choose(accept, ["text/turtle", "text/html"]) == (
        "text/html"
    )


def entries(st: State) -> list:
    """The stored city mappings as the catalog lists them, read once per store version."""
    return st.cache.compute(("catalog-entries",), lambda: mapping_entries(st.store))


def publishing(request: Request, st: State) -> Publishing:
    """Who publishes the catalog, and under which base (the setting, else the request's)."""
    s = st.settings
    return Publishing(
        base=s.catalog_base or str(request.base_url),
        name=s.publisher_name,
        iri=s.publisher_iri,
        email=s.contact_email,
        page_size=s.catalog_page_size,
    )


def answer(request: Request, st: State, name: str, page: int | str = 1) -> Response:
    """A metadata resource in the syntax the client accepts, with its ETag and Last-Modified
    (304 when held)."""
    arrived = dt.datetime.now(dt.UTC)
    media = choose(request.headers.get("accept"), OFFERED)
    if media is None:
        raise ProtocolError(406, f"offered: {', '.join(OFFERED)}")
    body, media, etag = metadata.metadata(
        st.cache, st.store, name, media, publishing(request, st), st.modified, page
    )
    headers = {"ETag": etag, "Last-Modified": http_date(st.modified), "Vary": "Accept"}
    if unmodified(request, etag, st.modified, arrived):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)
