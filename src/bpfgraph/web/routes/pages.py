"""HTML pages for people, and dereferenceable IRIs (``/def``, ``/id/…``) answering a page or
RDF by Accept. The views are plain functions (:mod:`..pages`, :mod:`..city_pages`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...framework import graph_iri
from ...vocab import PROCESS_IDS
from .. import city_pages, pages
from ..errors import ProtocolError
from ..http import conditional, rdf_response
from ..negotiation import choose
from ..pages import render
from ..state import StateDep

router = APIRouter()


@router.get("/", response_class=HTMLResponse, tags=["pages"])
def home(st: StateDep) -> Response:
    """The framework: its processes, stakeholders and vision."""
    return render("home.html", **pages.home_view(pages.framework(st)))


@router.get("/graph", response_class=HTMLResponse, tags=["pages"])
def graph_page(st: StateDep) -> Response:
    """The relationships between the processes, drawn and listed."""
    svg, edges, requires_all = pages.relationship_svg(pages.framework(st))
    return render(
        "graph.html", title="Relationships", svg=svg, edges=edges, requires_all=requires_all
    )


@router.get("/graph.svg", tags=["pages"])
def graph_svg(st: StateDep) -> Response:
    """The relationship diagram alone, as SVG."""
    svg, _e, _r = pages.relationship_svg(pages.framework(st))
    return Response(svg, media_type="image/svg+xml")


@router.get("/def", tags=["linked data"])
def ontology_doc(request: Request, st: StateDep) -> Response:
    """The ontology: its page, or its RDF (ETag, Last-Modified, 304)."""
    g = st.store.get_graph(str(graph_iri("ontology")))
    if not pages.wants_html(request.headers.get("accept")):
        return conditional(request, rdf_response(g, request), st.modified)
    return conditional(request, render("ontology.html", **pages.ontology_view(g)), st.modified)


@router.get("/id/{path:path}", tags=["linked data"])
def resource(path: str, request: Request, st: StateDep) -> Response:
    """What the store says of ``https://w3id.org/bpfgraph/id/{path}``: a page, or RDF (ETag,
    Last-Modified, 304); 404 as a page for a browser, as JSON otherwise."""
    html = pages.wants_html(request.headers.get("accept"))
    try:
        iri, g = pages.described(st, path)
    except ProtocolError as exc:
        if exc.status != 404:
            raise
        # the answer depends on Accept (a page for a browser, JSON otherwise): Vary says so
        if not html:
            raise ProtocolError(
                404, exc.message, {**(exc.headers or {}), "Vary": "Accept"}
            ) from None
        page = render("missing.html", title="Not found", message=exc.message)
        page.status_code = 404
        page.headers["Vary"] = "Accept"
        return page
    if not html:
        return conditional(request, rdf_response(g, request), st.modified)
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "process" and parts[1] in PROCESS_IDS:
        p = pages.framework(st).process(parts[1])
        page = render(
            "process.html", title=f"{p['notation']} {p['name']}", p=p, alternate=f"/id/{path}"
        )
    else:
        page = render("resource.html", **pages.resource_view(iri, g, pages.framework(st)))
    return conditional(request, page, st.modified)


@router.get("/cities", response_class=HTMLResponse, tags=["pages"])
def cities(st: StateDep) -> Response:
    """The cities whose mappings the store holds."""
    return render("cities.html", **city_pages.cities_view(st))


@router.get("/city", response_class=HTMLResponse, tags=["pages"])
def city(
    request: Request, st: StateDep, mapping: str | None = None, city: str | None = None
) -> Response:
    """One city's mapping (``mapping=IRI``): the adoption of each outcome of each process; or
    one city's progress (``city=IRI``): the score of each process in each of its assessments.
    Each given once, an IRI with no space or control character (400 otherwise). A refusal (400, 404) is a page for a browser, JSON otherwise."""
    try:
        for name in ("city", "mapping"):
            given = len(request.query_params.getlist(name))
            if given > 1:
                raise ProtocolError(400, f"{name}= given {given} times; give one")
        if (mapping is None) == (city is None):
            raise ProtocolError(
                400, "give either mapping=IRI (one mapping) or city=IRI (its progress)"
            )
        if city is not None:
            return render("timeline.html", **city_pages.timeline_view(st, city))
        assert mapping is not None  # one of the two is given
        return render("city.html", **city_pages.city_view(st, mapping))
    except ProtocolError as exc:
        return _refusal_page(request, exc)


@router.get("/compare", response_class=HTMLResponse, tags=["pages"])
def compare(request: Request, st: StateDep) -> Response:
    """The cities compared process by process: each city's latest mapping, or the mappings
    named by ``mapping=IRI`` (repeated)."""
    chosen = request.query_params.getlist("mapping")
    try:
        return render("compare.html", **city_pages.compare_view(st, chosen or None))
    except ProtocolError as exc:
        return _refusal_page(request, exc)


def _refusal_page(request: Request, exc: ProtocolError) -> Response:
    """A page's refusal: a page saying why for a client preferring HTML to JSON (a browser),
    the JSON error otherwise (``*/*`` too, as before the pages had one)."""
    accept = request.headers.get("accept")
    if exc.status not in (400, 404) or choose(accept, ["application/json", "text/html"]) != (
        "text/html"
    ):
        raise ProtocolError(exc.status, exc.message, {**(exc.headers or {}), "Vary": "Accept"})
    heading = "Not found" if exc.status == 404 else "Bad request"
    page = render("missing.html", title=heading, heading=heading, message=exc.message)
    page.status_code = exc.status
    return page


@router.get("/query", response_class=HTMLResponse, tags=["pages"])
def query_page(request: Request) -> Response:
    """The query editor, with the named queries as examples."""
    endpoint = str(request.url_for("sparql_get"))
    return render("query.html", title="Query", endpoint=endpoint, named=pages.named_examples())
