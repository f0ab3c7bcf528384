"""What the HTML pages show: templates, the framework read once per store version, the
relationship diagram, and the view of each page (:mod:`.routes.pages` serves them; the city
pages' views are in :mod:`.city_pages`)."""

from __future__ import annotations

import html
import math
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from .. import queries
from ..framework import graph_iri
from ..iris import iri_problem
from ..store.base import GraphResult
from ..vocab import BASE, BPF, ID, ONTOLOGY_IRI, PROCESS_IDS
from .errors import ProtocolError
from .negotiation import choose
from .state import State

HERE = Path(__file__).parent
#: the site's stylesheet, scripts, vendored YASGUI and Swagger UI (mounted at /static)
STATIC = HERE / "static"
ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
TYPES = {
    "G": ("governance", "Governance processes"),
    "C": ("core", "Core processes"),
    "S": ("supporting", "Supporting processes"),
}
COLOURS = {"G": "#1f5f8b", "C": "#2e7d32", "S": "#8a4f0e"}


def render(name: str, **context: object) -> HTMLResponse:
    """The page of template ``name`` (varying by Accept: the same URL may answer RDF)."""
    return HTMLResponse(ENV.get_template(name).render(**context), headers={"Vary": "Accept"})


def href(iri: str) -> str:
    """Local path of an IRI under the public base (so links work on any host)."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


class Framework:
    """The framework graph, read once from the store (it changes only with a new version)."""

    def __init__(self, graph: Graph) -> None:
        """The framework in ``graph``."""
        self.g = graph

    def ordered(self, subject: Node, prop: URIRef) -> list[Node]:
        """The objects of ``subject`` ``prop`` in the order of their ordinals."""
        return sorted(self.g.objects(subject, prop), key=self.ordinal)

    def ordinal(self, node: Node) -> int:
        """The ordinal of a process, an outcome, a practice … (its place in the standard)."""
        return int(str(self.g.value(node, BPF.ordinal)))

    def process(self, notation: str) -> dict:
        """What a process's page shows of it."""
        g = self.g
        p = ID[f"process/{notation}"]
        related = []
        for r in sorted(
            set(g.objects(p, BPF.relatedProcess)) | set(g.objects(p, BPF.requiresProcess)),
            key=self.ordinal,
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
            key=self.ordinal,
        )

        def usage(role: URIRef) -> list[str]:
            us = [
                u
                for u in g.objects(p, BPF.hasWorkProductUsage)
                if g.value(u, BPF.workProductRole) == role
            ]
            us.sort(key=self.ordinal)
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
    """The diagram of the processes' relationships (SVG), its edges, and the processes that
    require all others."""
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
        # a group, not an image: it holds a link to each process (an image cannot)
        'role="group" aria-labelledby="svg-title" aria-describedby="svg-desc">'
        '<title id="svg-title">Relationships between the 21 processes of ISO/IEC 30145-1</title>'
        f'<desc id="svg-desc">{len(edges)} arrows between processes; '
        f"{', '.join(requires_all) or 'none'} require all others. "
        "The list below the figure gives every arrow.</desc>",
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
            f'<a href="/id/process/{pid}" aria-label="{pid} {name}"><circle cx="{x:.1f}" cy="{y:.1f}" r="19" fill="{COLOURS[pid[0]]}" '
            f'stroke="#000"{dash}><title>{pid} {name}</title></circle>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="12" fill="#fff" '
            f'font-family="sans-serif">{pid}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts), edges, requires_all


def framework(st: State) -> Framework:
    """The framework graph, read once per store version."""

    def make() -> tuple[Framework, str, str]:
        return (Framework(st.store.get_graph(str(graph_iri("framework")))), "", "")

    return st.cache.compute(("framework-graph",), make)[0]


def wants_html(accept: str | None) -> bool:
    """Whether a client sending ``accept`` prefers a page to RDF."""
    return (
        choose(
            accept,
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


def home_view(fw: Framework) -> dict:
    """The home page: the processes in their bands, the stakeholders and the vision."""
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
    return {
        "title": "Framework",
        "processes": procs,
        "bands": bands,
        "stakeholders": stakeholders,
        "visions": visions,
        "alternate": "/download/framework.ttl",
    }


OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
#: the sections of the ontology's page and the classes of the terms each lists
ONTOLOGY_SECTIONS = (
    ("Classes", {URIRef(OWL + "Class")}),
    ("Object properties", {URIRef(OWL + "ObjectProperty")}),
    (
        "Datatype and annotation properties",
        {URIRef(OWL + "DatatypeProperty"), URIRef(OWL + "AnnotationProperty")},
    ),
    ("Individuals", {URIRef(OWL + "NamedIndividual")}),
)


def ontology_view(g: Graph) -> dict:
    """The ontology's page: its title, version and terms by kind."""
    sections = []
    for title, kinds in ONTOLOGY_SECTIONS:
        terms = sorted(
            {s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(str(BPF))},
            key=str,
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
    return {
        "title": str(g.value(ONTOLOGY_IRI, URIRef(DCTERMS + "title"))),
        "description": str(g.value(ONTOLOGY_IRI, URIRef(DCTERMS + "description"))),
        "version": str(g.value(ONTOLOGY_IRI, URIRef(OWL + "versionInfo"))),
        "sections": sections,
        "alternate": "/download/ontology.ttl",
    }


def described(st: State, path: str) -> tuple[str, Graph]:
    """The IRI ``/id/{path}`` stands for and what the store says of it (404: nothing)."""
    iri = str(ID) + path
    if iri_problem(iri):
        raise ProtocolError(404, "nothing is known about this IRI (it is not a valid IRI)")
    result = st.store.query(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}")
    g = result.graph if isinstance(result, GraphResult) else Graph()
    if len(g) == 0:
        raise ProtocolError(404, f"nothing is known about <{iri}>")
    return iri, g


def resource_view(iri: str, g: Graph, fw: Framework) -> dict:
    """A resource's page: its statements, objects labelled from the framework."""
    rows = []
    for _s, pred, obj in sorted(g, key=lambda t: (str(t[1]), str(t[2]))):
        label = fw.g.value(obj, SKOS.prefLabel) or fw.g.value(obj, RDFS.label)
        value = f"{label} <{obj}>" if label is not None and isinstance(obj, URIRef) else str(obj)
        local = str(pred).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        rows.append((local, value, href(str(obj)) if isinstance(obj, URIRef) else None))
    title = str(g.value(URIRef(iri), RDFS.label) or g.value(URIRef(iri), SKOS.prefLabel) or iri)
    return {"title": title, "iri": iri, "rows": rows}


def named_examples() -> list[dict]:
    """The named queries with example values bound, for the query page."""
    named = []
    for q in queries.load_all().values():
        values = {p.name: v for p in q.params.values() if (v := p.default or _example(p.name))}
        named.append({"name": q.name, "sparql": q.bind(values)})
    return named


def _example(param: str) -> str:
    """An example value for a named query's parameter."""
    return {"notation": "G1", "text": "data", "word": "data"}.get(param, "")
