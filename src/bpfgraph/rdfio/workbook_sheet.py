"""One process sheet of a mapping workbook (``G1`` … ``S5``) read into its process mapping.

Rows of kind ``outcome`` are outcome adoptions (``No.``: the framework outcome's number, or the
ID of one of the city's own outcomes); rows of kind ``practice`` are the action steps of the
sub-processes delivering a base practice (``No.``: its number). Rows of one sub-process share
its ID (or, without one, its practice and name); each repeats the sub-process's name, rating and
date or leaves them blank. A row with nothing but its kind, number and framework text says
nothing: the outcome is not addressed, the practice has no sub-process.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.term import Node

from ..vocab import BPF, ID, outcome, practice, process
from . import workbook_layout as lay
from .workbook_cells import Cells, Row, plain, quoted

_EVIDENCE_IRI = re.compile(r"^(?:https?|urn|ftp|mailto|file|doi):[^\s<>\"{}|\\^`]+$")


def evidence_is_iri(text: str) -> bool:
    """Evidence text read as an IRI (a link) rather than as words."""
    return bool(_EVIDENCE_IRI.match(text))


class ProcessSheet:
    """The sheet of one process, read through ``cells``."""

    def __init__(self, cells: Cells, pid: str) -> None:
        """Read sheet ``pid`` of the workbook ``cells`` reads."""
        self.cells, self.pid, self.g = cells, pid, cells.out
        self.pm: URIRef | None = None
        self.subs: dict[Any, tuple[URIRef, dict[URIRef, tuple[Node, str]]]] = {}
        self.steps: dict[URIRef, int] = {}

    def where(self, column: str, number: int) -> str:
        """``G1!F12``."""
        return f"{self.pid}!{column}{number}"

    def read(self) -> URIRef | None:
        """The process mapping the sheet holds, or ``None`` where it maps nothing."""
        rows = self.cells.rows(self.pid, len(lay.COLUMNS))
        fields: Row = {}
        for number, row in rows:
            if number < lay.HEADER_ROW:
                fields.update({f"{c}{number}": v for c, v in row.items()})
            elif number == lay.HEADER_ROW:
                self._header(row)
        if not any(n == lay.HEADER_ROW for n, _ in rows):
            raise self.cells.fail(self.where("A", lay.HEADER_ROW), "the table's header is missing")
        data = [(n, r) for n, r in rows if n > lay.HEADER_ROW]
        top = {label: fields.get(f"B{row}") for label, row in lay.PROCESS_FIELDS.items()}
        said = [(n, r) for n, r in data if set(r) - {lay.KIND, lay.NUMBER, lay.TEXT}]
        if not any(v is not None for v in top.values()) and not said:
            return None
        self.pm = self._process_mapping(top)
        for number, row in data:
            self._row(number, row)
        return self.pm

    def _header(self, row: Row) -> None:
        for column, title in lay.COLUMNS.items():
            if plain(row.get(column, "")) != title:
                raise self.cells.fail(
                    self.where(column, lay.HEADER_ROW),
                    f"the column is {quoted(row.get(column))}, expected {quoted(title)} "
                    "(columns may not be renamed, moved or added)",
                )

    def _process_mapping(self, top: Row) -> URIRef:
        ident, name, org = top.values()
        pm = (
            self.cells.iri(ident, self.where("B", 2))
            if ident is not None
            else self.cells.mint(self.pid)
        )
        self.g.add((pm, RDF.type, BPF.ProcessMapping))
        self.cells.made.setdefault(str(pm), f"{self.pid}!A1")
        self.g.add((pm, BPF.mapsProcess, process(self.pid)))
        if name is not None:
            self.g.add((pm, RDFS.label, self.cells.text(name)))
        if org is not None:
            self.g.add((pm, BPF.responsibleOrganization, self.cells.iri(org, self.where("B", 4))))
        return pm

    def _row(self, number: int, row: Row) -> None:
        kind = plain(row.get(lay.KIND, "")).lower()
        if kind not in lay.KINDS:
            raise self.cells.fail(
                self.where(lay.KIND, number),
                f"{quoted(row.get(lay.KIND))} is not a kind of row; use outcome or practice",
            )
        if lay.NUMBER not in row:
            raise self.cells.fail(self.where(lay.NUMBER, number), f"the {kind} needs its number")
        self._number(row[lay.NUMBER], number, kind)  # a typo is named even on an empty row
        if not set(row) - {lay.KIND, lay.NUMBER, lay.TEXT}:
            return
        if kind == "outcome":
            self._adoption(number, row)
        else:
            self._practice(number, row)

    def _number(self, value: Any, number: int, kind: str) -> tuple[URIRef, str]:
        """The framework term a ``No.`` cell names, and the local part of IDs minted for it."""
        text = plain(value)
        if re.fullmatch(r"[0-9]{1,6}", text) and int(text) > 0:
            term = (
                outcome(self.pid, int(text)) if kind == "outcome" else practice(self.pid, int(text))
            )
            return term, text
        if kind == "outcome":
            term = self.cells.iri(value, self.where(lay.NUMBER, number), "an outcome number or ID")
            return term, re.sub(r"[^A-Za-z0-9_-]", "-", text.rsplit("/", 1)[-1])
        raise self.cells.fail(
            self.where(lay.NUMBER, number), f"{quoted(text)} is not the number of a base practice"
        )

    def _rating(self, row: Row, number: int) -> URIRef | None:
        if lay.RATING not in row:
            return None
        text = plain(row[lay.RATING]).upper()
        if text not in lay.RATINGS:
            raise self.cells.fail(
                self.where(lay.RATING, number),
                f"{quoted(row[lay.RATING])} is not a rating; use N, P, L or F",
            )
        return ID[f"rating/{text}"]

    def _adoption(self, number: int, row: Row) -> None:
        for column in (lay.SUB_PROCESS, *lay.STEP_COLUMNS):
            if column in row:
                raise self.cells.fail(
                    self.where(column, number),
                    "an outcome row has no sub-process or action step: put those on practice rows",
                )
        term, local = self._number(row[lay.NUMBER], number, "outcome")
        node = (
            self.cells.iri(row[lay.ROW_ID], self.where(lay.ROW_ID, number))
            if lay.ROW_ID in row
            else self.cells.mint(f"{self.pid}-outcome-{local}")
        )
        g = self.g
        assert self.pm is not None
        g.add((self.pm, BPF.hasOutcomeAdoption, node))
        g.add((node, RDF.type, BPF.OutcomeAdoption))
        self.cells.made.setdefault(str(node), self.where(lay.KIND, number))
        g.add((node, BPF.adoptsOutcome, term))
        if lay.STATUS in row:
            status = plain(row[lay.STATUS]).lower()
            if status not in lay.STATUSES:
                raise self.cells.fail(
                    self.where(lay.STATUS, number),
                    f"{quoted(row[lay.STATUS])} is not a status; use adopted, planned or declined",
                )
            g.add((node, BPF.adoptionStatus, ID[f"adoption-status/{status}"]))
        if lay.DEFINITION in row:
            g.add((node, BPF.cityDefinition, self.cells.text(row[lay.DEFINITION])))
        rating = self._rating(row, number)
        if rating is not None:
            g.add((node, BPF.achievementRating, rating))
        if lay.EVIDENCE in row:
            text = plain(row[lay.EVIDENCE])
            evidence = URIRef(text) if evidence_is_iri(text) else self.cells.text(text)
            g.add((node, BPF.evidence, evidence))
        if lay.DATE in row:
            g.add(
                (node, DCTERMS_DATE, self.cells.date(row[lay.DATE], self.where(lay.DATE, number)))
            )

    def _practice(self, number: int, row: Row) -> None:
        for column in lay.OUTCOME_ONLY:
            if column in row:
                raise self.cells.fail(
                    self.where(column, number),
                    f"a practice row has no {lay.COLUMNS[column].lower()}: "
                    "that is for outcome rows",
                )
        term, local = self._number(row[lay.NUMBER], number, "practice")
        sub = self._sub_process(number, row, term, local)
        if any(c in row for c in lay.STEP_COLUMNS):
            self._step(number, row, sub)

    def _sub_process(self, number: int, row: Row, term: URIRef, local: str) -> URIRef:
        if lay.ROW_ID in row:
            key: Any = self.cells.iri(row[lay.ROW_ID], self.where(lay.ROW_ID, number))
        else:
            key = (term, row.get(lay.SUB_PROCESS))
        if key not in self.subs:
            node = (
                key
                if isinstance(key, URIRef)
                else self.cells.mint(f"{self.pid}-sub-process-{local}")
            )
            self.subs[key] = (node, {})
            assert self.pm is not None
            self.g.add((self.pm, BPF.hasSubProcess, node))
            self.g.add((node, RDF.type, BPF.SubProcess))
            self.cells.made.setdefault(str(node), self.where(lay.KIND, number))
            self.g.add((node, BPF.deliversPractice, term))
        node, said = self.subs[key]
        values: dict[URIRef, tuple[Node, str]] = {}
        if lay.SUB_PROCESS in row:
            values[RDFS.label] = (self.cells.text(row[lay.SUB_PROCESS]), lay.SUB_PROCESS)
        rating = self._rating(row, number)
        if rating is not None:
            values[BPF.achievementRating] = (rating, lay.RATING)
        if lay.DATE in row:
            values[DCTERMS_DATE] = (
                self.cells.date(row[lay.DATE], self.where(lay.DATE, number)),
                lay.DATE,
            )
        if (node, BPF.deliversPractice, term) not in self.g:
            raise self.cells.fail(
                self.where(lay.NUMBER, number), "the same sub-process ID delivers another practice"
            )
        for prop, (value, column) in values.items():
            if prop in said and said[prop][0] != value:
                raise self.cells.fail(
                    self.where(column, number),
                    f"differs from {said[prop][1]} for the same sub-process",
                )
            said.setdefault(prop, (value, self.where(column, number)))
            self.g.add((node, prop, value))
        return node

    def _step(self, number: int, row: Row, sub: URIRef) -> None:
        if lay.STEP_NUMBER in row:
            value = row[lay.STEP_NUMBER]
            text = plain(value)
            if not re.fullmatch(r"[+-]?[0-9]{1,9}", text):
                raise self.cells.fail(
                    self.where(lay.STEP_NUMBER, number), f"{quoted(text)} is not a step number"
                )
            step_number = Literal(text, datatype=XSD.integer)
        else:
            step_number = Literal(self.steps.get(sub, 0) + 1)
        self.steps[sub] = max(self.steps.get(sub, 0), int(step_number))
        node = (
            self.cells.iri(row[lay.STEP_ID], self.where(lay.STEP_ID, number))
            if lay.STEP_ID in row
            else self.cells.mint(f"{sub[len(self.cells.base) :]}-step-{int(step_number)}")
        )
        g = self.g
        g.add((sub, BPF.hasActionStep, node))
        g.add((node, RDF.type, BPF.ActionStep))
        self.cells.made.setdefault(str(node), self.where(lay.KIND, number))
        g.add((node, BPF.stepNumber, step_number))
        for column, prop in (
            (lay.STEP, RDFS.label),
            (lay.REVIEW, BPF.review),
            (lay.IMPROVEMENT, BPF.improvement),
        ):
            if column in row:
                g.add((node, prop, self.cells.text(row[column])))


DCTERMS_DATE = URIRef("http://purl.org/dc/terms/date")
