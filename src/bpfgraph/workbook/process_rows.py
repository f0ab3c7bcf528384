"""One process sheet of a workbook written from a process mapping (or empty, to fill in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from rdflib import RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from ..rdfio import workbook_layout as lay
from ..rdfio.workbook_sheet import evidence_is_iri
from ..vocab import BPF, ID, process
from .common import Taken, WorkbookError, date_text, header

SPARE_ROWS = 30
WIDTHS = dict(
    zip(lay.COLUMNS, (10, 8, 60, 14, 50, 8, 30, 12, 40, 8, 40, 40, 40, 24, 24), strict=True)
)
UNLOCKED = Protection(locked=False)


def _ordered(fw: Graph, subject: URIRef, prop: URIRef) -> list[tuple[int, Node, str]]:
    """The framework's outcomes or practices of a process: number, IRI, statement."""
    found = []
    for node in fw.objects(subject, prop):
        ordinal = fw.value(node, BPF.ordinal)
        found.append(
            (
                int(str(ordinal)) if ordinal is not None else 0,
                node,
                str(fw.value(node, BPF.statement)),
            )
        )
    return sorted(found, key=lambda item: item[0])


class ProcessRows:
    """The sheet of process ``pid`` written from process mapping ``pm`` (``None``: not mapped)."""

    def __init__(
        self,
        wb: Workbook,
        t: Taken,
        rel: Callable[[Node], str],
        fw: Graph,
        pid: str,
        pm: URIRef | None,
    ) -> None:
        """Write into ``wb`` what ``t`` takes from the graph."""
        self.ws, self.t, self.rel, self.fw, self.pid, self.pm = (
            wb.create_sheet(pid),
            t,
            rel,
            fw,
            pid,
            pm,
        )
        self.row = lay.HEADER_ROW

    def write(self) -> None:
        """The header fields, the table, the dropdowns and the protection."""
        ws, t, pm, p = self.ws, self.t, self.pm, process(self.pid)
        ws.cell(1, 1, f"{self.pid} {self.fw.value(p, SKOS.prefLabel)}").font = Font(
            bold=True, size=13
        )
        values: list[Any] = [None, None, None]
        if pm is not None:
            org = t.one(pm, BPF.responsibleOrganization)
            values = [self.rel(pm), t.text(pm, RDFS.label), None if org is None else self.rel(org)]
        for (label, row), value in zip(lay.PROCESS_FIELDS.items(), values, strict=True):
            ws.cell(row, 1, label).font = Font(bold=True)
            ws.cell(row, 2, value).protection = UNLOCKED
        header(ws, tuple(lay.COLUMNS.values()), lay.HEADER_ROW)
        self._outcomes(p)
        self._practices(p)
        self._finish()

    def put(self, values: dict[str, Any]) -> None:
        """One table row."""
        self.row += 1
        for column, value in values.items():
            self.ws[f"{column}{self.row}"] = value
        for column in lay.COLUMNS:
            cell = self.ws[f"{column}{self.row}"]
            if column not in (lay.KIND, lay.NUMBER, lay.TEXT):
                cell.protection = UNLOCKED
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def _outcomes(self, p: URIRef) -> None:
        t = self.t
        adoptions: dict[Node, list[Node]] = {}
        for a in t.all(self.pm, BPF.hasOutcomeAdoption) if self.pm is not None else []:
            t.typed(a, BPF.OutcomeAdoption)
            target = t.one(a, BPF.adoptsOutcome)
            if target is None:
                raise WorkbookError(f"{a.n3()} adopts no outcome (bpf:adoptsOutcome)")
            adoptions.setdefault(target, []).append(a)
        for number, node, text in _ordered(self.fw, p, BPF.hasOutcome):
            base = {lay.KIND: "outcome", lay.NUMBER: number, lay.TEXT: text}
            found = adoptions.pop(node, [])
            if not found:
                self.put(base)
            for a in found:
                self.put({**base, **self._adoption(a)})
        for target, rest in sorted(adoptions.items(), key=lambda item: str(item[0])):
            label = self.t.g.value(target, RDFS.label)
            for a in rest:
                self.put(
                    {lay.KIND: "outcome", lay.NUMBER: self.rel(target),
                     lay.TEXT: str(label) if label is not None else None, **self._adoption(a)}
                )  # fmt: skip

    def _adoption(self, a: Node) -> dict[str, Any]:
        t = self.t
        status = t.one(a, BPF.adoptionStatus)
        values: dict[str, Any] = {
            lay.STATUS: _code(status, "adoption-status/", lay.STATUSES),
            lay.DEFINITION: t.text(a, BPF.cityDefinition),
            lay.RATING: _code(t.one(a, BPF.achievementRating), "rating/", lay.RATINGS),
            lay.EVIDENCE: self._evidence(a),
            lay.DATE: date_text(t.one(a, DCTERMS.date)),
            lay.ROW_ID: self.rel(a),
        }
        return values

    def _evidence(self, a: Node) -> str | None:
        value = self.t.one(a, BPF.evidence)
        if value is None:
            return None
        text = str(value)
        if isinstance(value, URIRef) and evidence_is_iri(text):
            return text
        if (
            isinstance(value, Literal)
            and value.language == self.t.lang
            and not evidence_is_iri(text)
        ):
            return text
        raise WorkbookError(f"evidence {value.n3()} of {a.n3()} would read back as something else")

    def _practices(self, p: URIRef) -> None:
        t = self.t
        subs: dict[Node | None, list[Node]] = {}
        for s in t.all(self.pm, BPF.hasSubProcess) if self.pm is not None else []:
            t.typed(s, BPF.SubProcess)
            subs.setdefault(t.one(s, BPF.deliversPractice), []).append(s)
        for number, node, text in _ordered(self.fw, p, BPF.hasBasePractice):
            base = {lay.KIND: "practice", lay.NUMBER: number, lay.TEXT: text}
            found = subs.pop(node, [])
            if not found:
                self.put(base)
            for s in found:
                for step in self._steps(s):
                    self.put({**base, **self._sub_process(s), **step})
        if subs:
            practice = next(iter(subs))
            raise WorkbookError(
                f"a sub-process of {self.pid} delivers {practice}, not a practice of {self.pid}"
            )

    def _sub_process(self, s: Node) -> dict[str, Any]:
        if not hasattr(self, "_seen"):
            self._seen: dict[Node, dict[str, Any]] = {}
        if s not in self._seen:
            t = self.t
            self._seen[s] = {
                lay.SUB_PROCESS: t.text(s, RDFS.label),
                lay.RATING: _code(t.one(s, BPF.achievementRating), "rating/", lay.RATINGS),
                lay.DATE: date_text(t.one(s, DCTERMS.date)),
                lay.ROW_ID: self.rel(s),
            }
        return self._seen[s]

    def _steps(self, s: Node) -> list[dict[str, Any]]:
        t = self.t
        rows: list[dict[str, Any]] = []
        for step in t.all(s, BPF.hasActionStep):
            t.typed(step, BPF.ActionStep)
            number = t.one(step, BPF.stepNumber)
            if not isinstance(number, Literal) or number.datatype != XSD.integer:
                raise WorkbookError(f"the step number of {step.n3()} is not an xsd:integer")
            lexical = str(number)
            rows.append(
                {
                    lay.STEP_NUMBER: int(lexical) if lexical == str(int(lexical)) else lexical,
                    lay.STEP: t.text(step, RDFS.label),
                    lay.REVIEW: t.text(step, BPF.review),
                    lay.IMPROVEMENT: t.text(step, BPF.improvement),
                    lay.STEP_ID: self.rel(step),
                }
            )
        rows.sort(key=lambda r: (int(str(r[lay.STEP_NUMBER])), r[lay.STEP_ID]))
        return rows or [{}]

    def _finish(self) -> None:
        ws, last = self.ws, self.row + SPARE_ROWS
        for _ in range(SPARE_ROWS):
            self.put({})
            for column in (lay.KIND, lay.NUMBER):
                ws[f"{column}{self.row}"].protection = UNLOCKED
        first = lay.HEADER_ROW + 1
        for column, choices in (
            (lay.KIND, lay.KINDS),
            (lay.STATUS, lay.STATUSES),
            (lay.RATING, lay.RATINGS),
        ):
            dv = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
            )
            dv.error, dv.errorTitle = f"Use one of: {', '.join(choices)}", lay.COLUMNS[column]
            ws.add_data_validation(dv)
            dv.add(f"{column}{first}:{column}{last}")
        for column, width in WIDTHS.items():
            ws.column_dimensions[column].width = width
        ws.freeze_panes = f"D{first}"
        ws.protection.sheet = True
        ws.protection.insertRows = False
        ws.protection.deleteRows = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False


def _code(node: Node | None, prefix: str, allowed: tuple[str, ...]) -> str | None:
    """``adopted`` for …/adoption-status/adopted; :class:`WorkbookError` for another IRI."""
    if node is None:
        return None
    code = str(node).removeprefix(str(ID[prefix]))
    if code not in allowed or node != ID[prefix + code]:
        raise WorkbookError(f"{node.n3()} is not one of {', '.join(allowed)}")
    return code
