"""HTML for people, and dereferenceable IRIs (/def, /id/…) answering HTML or RDF by Accept."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import RDF, RDFS, SKOS, Graph, URIRef

from .. import gaps, queries
from ..framework import graph_iri
from ..vocab import BASE, BPF, ID, ONTOLOGY_IRI, PROCESS_IDS
from .negotiation import choose
from .sparql import ProtocolError

HERE = Path(__file__).parent
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')
ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
TYPES = {
    "G": ("governance", "Governance processes"),
    "C": ("core", "Core processes"),
    "S": ("supporting", "Supporting processes"),
}
COLOURS = {"G": "#1f5f8b", "C": "#2e7d32", "S": "#8a4f0e"}


def render(name: str, **context: object) -> HTMLResponse:
    return HTMLResponse(ENV.get_template(name).render(**context), headers={"Vary": "Accept"})


def href(iri: str) -> str:
    """Local path of an IRI under the public base (so links work on any host)."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


class Framework:
    """The framework graph, read once from the store (it changes only with a new version)."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph

    def ordered(self, subject, prop):  # type: ignore[no-untyped-def]
        return sorted(
            self.g.objects(subject, prop), key=lambda x: int(self.g.value(x, BPF.ordinal))
        )

    def process(self, notation: str) -> dict:
        g = self.g
        p = ID[f"process/{notation}"]
        related = []
        for r in sorted(
            set(g.objects(p, BPF.relatedProcess)) | set(g.objects(p, BPF.requiresProcess)),
            key=lambda x: int(g.value(x, BPF.ordinal)),
        ):
            related.append(
                {
                    "notation": str(g.value(r, SKOS.notation)),
                    "name": str(g.value(r, SKOS.prefLabel)),
                    "href": href(str(r)),
                }
            )
        incoming = sorted(
            {s for s in g.subjects(BPF.relatedProcess, p)}
            | {s for s in g.subjects(BPF.requiresProcess, p)},
            key=lambda x: int(g.value(x, BPF.ordinal)),
        )

        def usage(role: URIRef) -> list[str]:
            us = [
                u
                for u in g.objects(p, BPF.hasWorkProductUsage)
                if g.value(u, BPF.workProductRole) == role
            ]
            us.sort(key=lambda u: int(g.value(u, BPF.ordinal)))
            return [str(g.value(g.value(u, BPF.workProduct), RDFS.label)) for u in us]

        return {
            "iri": str(p),
            "notation": notation,
            "name": str(g.value(p, SKOS.prefLabel)),
            "type": TYPES[notation[0]][1],
            "clause": str(
                g.value(g.value(p, URIRef("http://purl.org/dc/terms/source")), BPF.clauseNumber)
            ),
            "brief": str(g.value(p, BPF.briefDescription)),
            "extended": str(g.value(p, BPF.extendedDescription)),
            "purpose": str(g.value(p, BPF.purpose)),
            "outcomes": [str(g.value(o, BPF.statement)) for o in self.ordered(p, BPF.hasOutcome)],
            "practices": [
                str(g.value(o, BPF.statement)) for o in self.ordered(p, BPF.hasBasePractice)
            ],
            "heading": str(g.value(p, BPF.workProductsHeading)),
            "inputs": usage(BPF.InputRole),
            "outputs": usage(BPF.OutputRole),
            "note": str(g.value(p, BPF.relationshipNote) or ""),
            "related": related,
            "incoming": [
                {"notation": str(g.value(s, SKOS.notation)), "href": href(str(s))} for s in incoming
            ],
            "references": [str(n) for n in g.objects(p, BPF.referenceNote)],
        }


def relationship_svg(fw: Framework) -> tuple[str, list[tuple[str, str]], list[str]]:
    g = fw.g
    size, radius = 640, 250
    centre = size / 2
    pos = {}
    for i, pid in enumerate(PROCESS_IDS):
        angle = 2 * math.pi * i / len(PROCESS_IDS) - math.pi / 2
        pos[pid] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle))
    edges = []
    for pid in PROCESS_IDS:
        for r in g.objects(ID[f"process/{pid}"], BPF.relatedProcess):
            edges.append((pid, str(g.value(r, SKOS.notation))))
    edges.sort(key=lambda e: (PROCESS_IDS.index(e[0]), PROCESS_IDS.index(e[1])))
    requires_all = [
        pid for pid in PROCESS_IDS if list(g.objects(ID[f"process/{pid}"], BPF.requiresProcess))
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        'role="img" aria-labelledby="svg-title"><title id="svg-title">Relationships between the 21 '
        "processes of ISO/IEC 30145-1</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs>',
    ]
    for a, b in edges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        if a == b:
            parts.append(
                f'<circle cx="{x1:.1f}" cy="{y1 - 26:.1f}" r="10" fill="none" stroke="#999"/>'
            )
            continue
        dx, dy = x2 - x1, y2 - y1
        d = math.hypot(dx, dy) or 1
        parts.append(
            f'<line x1="{x1 + dx / d * 20:.1f}" y1="{y1 + dy / d * 20:.1f}" x2="{x2 - dx / d * 22:.1f}" '
            f'y2="{y2 - dy / d * 22:.1f}" stroke="#999" stroke-width="1" marker-end="url(#arrow)">'
            f"<title>{a} → {b}</title></line>"
        )
    for pid in PROCESS_IDS:
        x, y = pos[pid]
        name = html.escape(str(g.value(ID[f"process/{pid}"], SKOS.prefLabel)))
        dash = ' stroke-dasharray="4 3"' if pid in requires_all else ""
        parts.append(
            f'<a href="/id/process/{pid}"><circle cx="{x:.1f}" cy="{y:.1f}" r="19" fill="{COLOURS[pid[0]]}" '
            f'stroke="#000"{dash}><title>{pid} {name}</title></circle>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="12" fill="#fff" '
            f'font-family="sans-serif">{pid}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts), edges, requires_all


def register(app: FastAPI, state: Callable, rdf_response: Callable) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def framework(request: Request) -> Framework:
        st = state(request)
        key = ("framework-graph",)
        cached = st.cache.get(key)
        if cached is None:
            g = st.store.get_graph(str(graph_iri("framework")))
            cached = (Framework(g), "", "")
            st.cache[key] = cached
        return cached[0]

    def wants_html(request: Request) -> bool:
        return (
            choose(
                request.headers.get("accept"),
                [
                    "text/html",
                    "text/turtle",
                    "application/ld+json",
                    "application/n-triples",
                    "application/rdf+xml",
                ],
            )
            == "text/html"
        )

    @app.get("/", response_class=HTMLResponse, tags=["pages"])
    def home(request: Request) -> Response:
        fw = framework(request)
        procs = [
            {
                "notation": pid,
                "name": str(fw.g.value(ID[f"process/{pid}"], SKOS.prefLabel)),
                "href": f"/id/process/{pid}",
            }
            for pid in PROCESS_IDS
        ]
        bands = [
            {"key": key, "title": title, "cards": [p for p in procs if p["notation"][0] == letter]}
            for letter, (key, title) in TYPES.items()
        ]
        ref = ID["reference-framework"]
        stakeholders = [str(fw.g.value(s, RDFS.label)) for s in fw.ordered(ref, BPF.hasStakeholder)]
        visions = [str(fw.g.value(s, RDFS.label)) for s in fw.ordered(ref, BPF.hasVisionOutcome)]
        return render(
            "home.html",
            title="Framework",
            processes=procs,
            bands=bands,
            stakeholders=stakeholders,
            visions=visions,
            alternate="/download/framework.ttl",
        )

    @app.get("/graph", response_class=HTMLResponse, tags=["pages"])
    def graph_page(request: Request) -> Response:
        svg, edges, requires_all = relationship_svg(framework(request))
        return render(
            "graph.html", title="Relationships", svg=svg, edges=edges, requires_all=requires_all
        )

    @app.get("/graph.svg", tags=["pages"])
    def graph_svg(request: Request) -> Response:
        svg, _e, _r = relationship_svg(framework(request))
        return Response(svg, media_type="image/svg+xml")

    @app.get("/def", tags=["linked data"])
    def ontology_doc(request: Request) -> Response:
        st = state(request)
        g = st.store.get_graph(str(graph_iri("ontology")))
        if not wants_html(request):
            return rdf_response(g, request)
        sections = []
        for title, kinds in (
            ("Classes", {URIRef("http://www.w3.org/2002/07/owl#Class")}),
            ("Object properties", {URIRef("http://www.w3.org/2002/07/owl#ObjectProperty")}),
            (
                "Datatype and annotation properties",
                {
                    URIRef("http://www.w3.org/2002/07/owl#DatatypeProperty"),
                    URIRef("http://www.w3.org/2002/07/owl#AnnotationProperty"),
                },
            ),
            ("Individuals", {URIRef("http://www.w3.org/2002/07/owl#NamedIndividual")}),
        ):
            terms = sorted(
                {s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(str(BPF))}
            )
            sections.append(
                {
                    "title": title,
                    "terms": [
                        {
                            "local": str(t)[len(str(BPF)) :],
                            "label": str(g.value(t, RDFS.label)),
                            "definition": str(g.value(t, SKOS.definition)),
                        }
                        for t in terms
                    ],
                }
            )
        dcterms = "http://purl.org/dc/terms/"
        return render(
            "ontology.html",
            title=str(g.value(ONTOLOGY_IRI, URIRef(dcterms + "title"))),
            description=str(g.value(ONTOLOGY_IRI, URIRef(dcterms + "description"))),
            version=str(g.value(ONTOLOGY_IRI, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))),
            sections=sections,
            alternate="/download/ontology.ttl",
        )

    @app.get("/id/{path:path}", tags=["linked data"])
    def resource(path: str, request: Request) -> Response:
        iri = str(ID) + path
        st = state(request)
        if _BAD_IRI.search(iri) or not _valid_iri(iri):
            raise ProtocolError(404, "nothing is known about this IRI (it is not a valid IRI)")
        result = st.store.query(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}")
        g = getattr(result, "graph", Graph())
        if len(g) == 0:
            raise ProtocolError(404, f"nothing is known about <{iri}>")
        if not wants_html(request):
            return rdf_response(g, request)
        parts = path.split("/")
        if len(parts) == 2 and parts[0] == "process" and parts[1] in PROCESS_IDS:
            p = framework(request).process(parts[1])
            return render(
                "process.html", title=f"{p['notation']} {p['name']}", p=p, alternate=f"/id/{path}"
            )
        fw_labels = framework(request).g
        rows = []
        for _s, pred, obj in sorted(g, key=lambda t: (str(t[1]), str(t[2]))):
            label = fw_labels.value(obj, SKOS.prefLabel) or fw_labels.value(obj, RDFS.label)
            value = (
                f"{label} <{obj}>" if label is not None and isinstance(obj, URIRef) else str(obj)
            )
            local = str(pred).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            rows.append((local, value, href(str(obj)) if isinstance(obj, URIRef) else None))
        title = str(g.value(URIRef(iri), RDFS.label) or g.value(URIRef(iri), SKOS.prefLabel) or iri)
        return render("resource.html", title=title, iri=iri, rows=rows)

    # -- cities ------------------------------------------------------------------------------

    def city_reports(request: Request) -> list[gaps.CityReport]:
        st = state(request)
        key = ("city-reports",)
        cached = st.cache.get(key)
        if cached is None:
            cached = (gaps.city_reports(st.store), "", "")
            st.cache[key] = cached
        return cached[0]

    def fmt_score(x: float | None) -> str:
        return "–" if x is None else f"{x:.1f}"

    @app.get("/cities", response_class=HTMLResponse, tags=["pages"])
    def cities(request: Request) -> Response:
        items = [
            {
                "label": c.label,
                "city": c.city,
                "processes": len(c.processes),
                "score": fmt_score(c.score),
                "href": "/city?mapping=" + quote(c.mapping, safe=""),
            }
            for c in city_reports(request)
        ]
        return render("cities.html", title="Cities", cities=items)

    @app.get("/city", response_class=HTMLResponse, tags=["pages"])
    def city(mapping: str, request: Request) -> Response:
        found = [c for c in city_reports(request) if c.mapping == mapping]
        if not found:
            raise ProtocolError(404, f"no city mapping <{mapping}>")
        c = found[0]
        st = state(request)
        rows_q = st.store.query(
            "PREFIX bpf: <https://w3id.org/bpfgraph/def#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?notation ?n ?status ?code WHERE { <"
            + mapping
            + "> bpf:hasProcessMapping ?pm . "
            "?pm bpf:mapsProcess ?p . ?p skos:notation ?notation . ?pm bpf:hasOutcomeAdoption ?a . "
            "?a bpf:adoptsOutcome ?o ; bpf:adoptionStatus ?status . ?p bpf:hasOutcome ?o . ?o bpf:ordinal ?n . "
            "OPTIONAL { ?a bpf:achievementRating ?r . ?r skos:notation ?code } }"
        )
        cells = {}
        for r in getattr(rows_q, "rows", []):
            cells[(str(r["notation"]), int(r["n"]))] = (
                str(r["status"]).rsplit("/", 1)[1],
                str(r.get("code", "")),
            )
        fw = framework(request)
        max_outcomes = max(
            len(list(fw.g.objects(ID[f"process/{p}"], BPF.hasOutcome))) for p in PROCESS_IDS
        )
        rows = []
        for pg in c.processes:
            total = pg.outcomes
            row_cells = []
            for i in range(1, max_outcomes + 1):
                if i > total:
                    row_cells.append({"status": "na", "text": "", "title": ""})
                    continue
                status, code = cells.get((pg.notation, i), ("none", ""))
                row_cells.append(
                    {
                        "status": status,
                        "text": code or ("·" if status == "none" else ""),
                        "title": f"{pg.notation} outcome {i}: {status}"
                        + (f", rated {code}" if code else ""),
                    }
                )
            rows.append(
                {
                    "notation": pg.notation,
                    "name": pg.name,
                    "href": f"/id/process/{pg.notation}",
                    "cells": row_cells,
                    "practices": f"{pg.practices_covered}/{pg.practices}",
                    "score": fmt_score(pg.score),
                }
            )
        return render(
            "city.html",
            title=c.label,
            city={"label": c.label, "city": c.city, "score": fmt_score(c.score)},
            rows=rows,
            max_outcomes=max_outcomes,
        )

    @app.get("/compare", response_class=HTMLResponse, tags=["pages"])
    def compare(request: Request) -> Response:
        st = state(request)
        reports = city_reports(request)
        if not reports:
            return render("compare.html", title="Compare", cities=[])
        comp = gaps.comparison(st.store)
        names = {c.mapping: c.label for c in reports}
        fw = framework(request)
        rows = []
        for pid in PROCESS_IDS:
            scores = comp.scores.get(pid, {})
            best = comp.best.get(pid)
            rows.append(
                {
                    "notation": pid,
                    "name": str(fw.g.value(ID[f"process/{pid}"], SKOS.prefLabel)),
                    "scores": [
                        fmt_score(scores.get(c.mapping)) if c.mapping in scores else "not mapped"
                        for c in reports
                    ],
                    "best": ", ".join(names.get(m, m) for m in best["mappings"]) if best else "–",
                }
            )
        return render(
            "compare.html",
            title="Compare",
            cities=reports,
            rows=rows,
            most=comp.most_adopted,
            least=comp.least_adopted,
        )

    @app.get("/query", response_class=HTMLResponse, tags=["pages"])
    def query_page(request: Request) -> Response:
        named = []
        for q in queries.load_all().values():
            values = {p.name: v for p in q.params.values() if (v := p.default or _example(p.name))}
            named.append({"name": q.name, "sparql": q.bind(values)})
        return render(
            "query.html", title="Query", endpoint=str(request.url_for("sparql_get")), named=named
        )


def _valid_iri(iri: str) -> bool:
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(iri)
    except ValueError:
        return False
    return True


def _example(param: str) -> str:
    return {"notation": "G1", "text": "data", "word": "data"}.get(param, "")
