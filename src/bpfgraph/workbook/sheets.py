"""Write a city mapping graph as a workbook (the layout of ``rdfio/workbook_layout.py``).

Every triple of the graph is accounted for: one the workbook cannot hold (a second language, a
blank node, an unknown property, two values where a cell holds one) is a
:class:`WorkbookError` naming it, so what is written reads back as the same graph.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV
from rdflib.term import Node

from ..framework import load_part
from ..rdfio import workbook_layout as lay
from ..vocab import BPF, PROCESS_IDS, process
from .common import Taken as _Taken
from .common import WorkbookError, date_text, header, iri_text
from .process_rows import ProcessRows

INSTRUCTIONS = [
    "City process mapping workbook (ISO/IEC 30145-1, clause 8), written by bpfgraph.",
    "",
    "Mapping: the mapping's city, name, organisation, dates and licence.",
    "Organisations: every organisation the mapping names (an ID and a name).",
    "City outcomes: outcomes of the city's own, adopted on a process sheet by their ID.",
    "G1 … S5: one sheet per process. 'City's name' is what the city calls the process.",
    "  outcome rows: set the adoption status (adopted, planned, declined), the city's",
    "  definition, a rating (N, P, L, F), evidence and the date of the assessment.",
    "  practice rows: name the sub-process that delivers the base practice, its rating and",
    "  date, and one action step per row (step no., step, review, improvement). Copy a row",
    "  to add a step or a second sub-process; leave a row blank to leave it unaddressed.",
    "  IDs may stay blank: bpfgraph makes them from the process and number.",
    "Do not rename, add or remove sheets or columns, merge cells or type formulas.",
    "",
    "Check it:   bpfgraph validate THIS-FILE.xlsx",
    "Convert it: bpfgraph convert THIS-FILE.xlsx mapping.ttl",
]


def _language(graph: Graph) -> str:
    langs = {o.language for o in graph.objects() if isinstance(o, Literal) and o.language}
    if len(langs) > 1:
        raise WorkbookError(
            f"a workbook holds text in one language; this mapping has {sorted(langs)}"
        )
    return langs.pop() if langs else "en"


def _base(mapping: URIRef) -> str:
    text = str(mapping)
    cut = max(text.rfind("/"), text.rfind("#"))
    return text[: cut + 1]


def write_workbook(graph: Graph, base: str | None = None, framework: Graph | None = None) -> bytes:
    """The workbook holding ``graph``, a city mapping; :class:`WorkbookError` otherwise."""
    mappings = sorted(set(graph.subjects(RDF.type, BPF.CityMapping)), key=str)
    if len(mappings) != 1 or not isinstance(mappings[0], URIRef):
        raise WorkbookError(f"a workbook holds one city mapping (an IRI); found {len(mappings)}")
    mapping = mappings[0]
    fw = framework if framework is not None else load_part("framework")
    t = _Taken(graph, _language(graph))
    book = _Book(t, base or _base(mapping), fw)
    book.instructions()
    book.mapping(mapping)
    book.id_sheet(lay.ORGANISATIONS, lay.ORGANISATION_HEADER, ORG.Organization)
    book.id_sheet(lay.CITY_OUTCOMES, lay.CITY_OUTCOME_HEADER, BPF.CityOutcome)
    pms: dict[str, URIRef] = {}
    for pm in t.all(mapping, BPF.hasProcessMapping):
        p = t.one(pm, BPF.mapsProcess)
        pid = str(p).rsplit("/", 1)[-1]
        if not isinstance(pm, URIRef) or p != process(pid) or pid not in PROCESS_IDS or pid in pms:
            raise WorkbookError(f"<{pm}> maps {p}: not one of the 21 processes, once each")
        pms[pid] = pm
        t.typed(pm, BPF.ProcessMapping)
    for pid in PROCESS_IDS:
        book.process_sheet(pid, pms.get(pid))
    left = set(graph) - t.used
    if left:
        s, p, o = sorted(left)[0]
        raise WorkbookError(
            f"{len(left)} triple(s) have no place in a workbook, e.g. {s.n3()} {p.n3()} {o.n3()}"
        )
    out = io.BytesIO()
    book.wb.save(out)
    return out.getvalue()


class _Book:
    """The workbook being written."""

    def __init__(self, taken: _Taken, base: str, fw: Graph) -> None:
        self.t, self.base, self.fw = taken, base, fw
        self.wb = Workbook()

    def rel(self, node: Node) -> str:
        """An ID as written: relative to Base where it can be."""
        if not isinstance(node, URIRef):
            raise WorkbookError(f"{node.n3()} is not an IRI; a workbook names things by IRI")
        text = str(node)
        rest = text[len(self.base) :]
        if text.startswith(self.base) and rest and ":" not in rest:
            return rest
        return text

    def rel_or_none(self, node: Node | None) -> str | None:
        """An ID as written, or ``None``."""
        return None if node is None else self.rel(node)

    def instructions(self) -> None:
        ws = self.wb.active
        ws.title = lay.INSTRUCTIONS
        for i, line in enumerate(INSTRUCTIONS, 1):
            ws.cell(i, 1, line)
        ws.column_dimensions["A"].width = 100

    def mapping(self, m: URIRef) -> None:
        t = self.t
        ws = self.wb.create_sheet(lay.MAPPING)
        header(ws, ("Field", "Value", "Notes"))
        t.typed(m, BPF.CityMapping)
        date = lambda p: date_text(t.one(m, p))  # noqa: E731
        values: dict[str, Any] = {
            "Mapping ID": self.rel(m),
            "Base": self.base,
            "Language": t.lang,
            "City": iri_text(t.one(m, BPF.city)),
            "Name": t.text(m, RDFS.label),
            "Description": t.text(m, RDFS.comment),
            "Organisation": self.rel_or_none(t.one(m, PROV.wasAttributedTo)),
            "Created": date(DCTERMS.created),
            "Modified": date(DCTERMS.modified),
            "Licence": iri_text(t.one(m, DCTERMS.license)),
        }
        for row, (name, note) in enumerate(lay.MAPPING_FIELDS.items(), 2):
            ws.cell(row, 1, name).font = Font(bold=True)
            ws.cell(row, 2, values[name])
            ws.cell(row, 3, note)
        for col, width in zip("ABC", (22, 70, 60), strict=True):
            ws.column_dimensions[col].width = width

    def id_sheet(self, sheet: str, titles: tuple[str, str], kind: URIRef) -> None:
        ws = self.wb.create_sheet(sheet)
        header(ws, titles)
        for row, node in enumerate(sorted(self.t.g.subjects(RDF.type, kind), key=str), 2):
            self.t.typed(node, kind)
            ws.cell(row, 1, self.rel(node))
            ws.cell(row, 2, self.t.text(node, RDFS.label))
        ws.column_dimensions["A"].width = 40
        ws.column_dimensions["B"].width = 100

    def process_sheet(self, pid: str, pm: URIRef | None) -> None:
        ProcessRows(self.wb, self.t, self.rel, self.fw, pid, pm).write()
