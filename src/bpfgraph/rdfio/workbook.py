"""Read a city mapping workbook (``.xlsx``) into its RDF graph.

:func:`read_workbook` is what :func:`bpfgraph.rdfio.parse_data` calls for the ``xlsx`` syntax
of :mod:`bpfgraph.formats`, so every way a mapping comes in (``bpfgraph validate``/``load``,
``POST /validate``, ``PUT /graphs``) reads workbooks too. The layout is
:mod:`.workbook_layout`; every refusal is an :class:`~.errors.RDFInputError` whose message
starts with the sheet and cell (``C4!F12: "Q" is not a rating; use N, P, L or F``).
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV

from ..vocab import BPF, PROCESS_IDS
from . import workbook_layout as lay
from .errors import RDFInputError
from .workbook_cells import Cells, plain, quoted
from .workbook_sheet import ProcessSheet
from .workbook_zip import open_zip


def read_workbook(data: bytes, source: str = "<input>") -> Graph:
    """The mapping a workbook holds; :class:`RDFInputError` naming sheet and cell otherwise."""
    return read_located(data, source)[0]


def read_located(data: bytes, source: str = "<input>") -> tuple[Graph, dict[str, str]]:
    """The mapping a workbook holds, and where each of its resources is written: IRI ->
    the first cell of its row (``G1!A9``), for reports that point back into the workbook."""
    archive = open_zip(data, source)
    from openpyxl import load_workbook  # deferred: openpyxl takes 0.2 s to import

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of extensions it drops
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to its own errors
        raise RDFInputError(source, _load_error(exc)) from None
    try:
        reader = _Reader(source, archive, book)
        return reader.graph(), reader.made
    finally:
        book.close()


def _load_error(exc: BaseException) -> str:
    """What openpyxl's refusal to open a workbook means, on one line: its innermost cause."""
    inner: BaseException | None = exc
    while inner is not None:
        exc, inner = inner, inner.__cause__ or inner.__context__
    text = " ".join(str(exc).split())[:200]
    missing = re.fullmatch(r"\"?There is no item named '(.+)' in the archive\"?", text)
    if missing:
        return f"{missing.group(1)}: a part the workbook needs is missing from the zip"
    if "Value must be one of" in text and "visible" in text:
        return f"xl/workbook.xml: a sheet's state is not visible, hidden or veryHidden ({text})"
    return f"not a readable .xlsx workbook ({text or type(exc).__name__})"


class _Reader(Cells):
    """One workbook being read: its sheets in order."""

    def graph(self) -> Graph:
        """Every sheet read, in order."""
        names = list(self.book.sheetnames)
        if names != list(lay.SHEETS):
            raise self._sheet_error(names)
        fields = self._mapping_fields()
        mapping = self._mapping(fields)
        for prefix, namespace in (("bpf", BPF), ("dcterms", DCTERMS), ("org", ORG), ("prov", PROV)):
            self.out.bind(prefix, namespace)
        self.out.bind("map", self.base)
        self._organisations()
        self._city_outcomes()
        for pid in PROCESS_IDS:
            pm = ProcessSheet(self, pid).read()
            if pm is not None:
                self.out.add((mapping, BPF.hasProcessMapping, pm))
        return self.out

    def _sheet_error(self, names: list[str]) -> RDFInputError:
        missing = [n for n in lay.SHEETS if n not in names]
        extra = [n for n in names if n not in lay.SHEETS]
        if extra:
            return RDFInputError(
                self.source,
                f"sheet {quoted(extra[0])} is not part of a mapping workbook"
                + (f" (is it {quoted(missing[0])} renamed?)" if missing else "")
                + "; start from `bpfgraph template --format xlsx`",
            )
        if missing:
            return RDFInputError(self.source, f"the workbook has no sheet {quoted(missing[0])}")
        return RDFInputError(
            self.source, f"the sheets are out of order; expected {', '.join(lay.SHEETS)}"
        )

    # --- the mapping, organisations, city outcomes ---------------------------------------------

    def _mapping_fields(self) -> dict[str, tuple[Any, str]]:
        fields: dict[str, tuple[Any, str]] = {}
        for number, row in self.rows(lay.MAPPING, 3, first=2):
            name = plain(row.get("A", ""))
            if name not in lay.MAPPING_FIELDS:
                raise self.fail(
                    f"{lay.MAPPING}!A{number}",
                    f"{quoted(name)} is not a field; the fields are "
                    + ", ".join(lay.MAPPING_FIELDS),
                )
            if "B" in row:
                fields[name] = (row["B"], f"{lay.MAPPING}!B{number}")
        return fields

    def _mapping(self, fields: dict[str, tuple[Any, str]]) -> URIRef:
        if "Base" not in fields:
            raise RDFInputError(self.source, f"{lay.MAPPING}: the field Base is empty")
        self.base = str(self.iri(*fields["Base"], what="an absolute IRI"))
        if "Language" in fields:
            self.lang = plain(fields["Language"][0])
            if not re.match(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$", self.lang):
                raise self.fail(fields["Language"][1], f"{quoted(self.lang)} is not a language tag")
        value, where = fields.get("Mapping ID", ("mapping", f"{lay.MAPPING}!B2"))
        mapping = self.iri(value, where)
        g = self.out
        g.add((mapping, RDF.type, BPF.CityMapping))
        self.made[str(mapping)] = f"{lay.MAPPING}!A1"
        simple = {
            "City": (BPF.city, self.iri),
            "Name": (RDFS.label, None),
            "Description": (RDFS.comment, None),
            "Organisation": (PROV.wasAttributedTo, self.iri),
            "Created": (DCTERMS.created, self.date),
            "Modified": (DCTERMS.modified, self.date),
            "Licence": (DCTERMS.license, self.iri),
        }
        for name, (prop, convert) in simple.items():
            if name in fields:
                value, where = fields[name]
                g.add((mapping, prop, convert(value, where) if convert else self.text(value)))
        return mapping

    def _organisations(self) -> None:
        self._id_sheet(lay.ORGANISATIONS, lay.ORGANISATION_HEADER, ORG.Organization)

    def _city_outcomes(self) -> None:
        self._id_sheet(lay.CITY_OUTCOMES, lay.CITY_OUTCOME_HEADER, BPF.CityOutcome)

    def _id_sheet(self, sheet: str, header: tuple[str, str], kind: URIRef) -> None:
        rows = self.rows(sheet, 2)
        if not rows or rows[0][0] != 1 or tuple(rows[0][1].get(c) for c in "AB") != header:
            raise RDFInputError(
                self.source,
                f"{sheet}!A1: the header must be {quoted(header[0])}, {quoted(header[1])}",
            )
        for number, row in rows[1:]:
            if "A" not in row:
                raise self.fail(f"{sheet}!A{number}", "the row needs an ID")
            node = self.iri(row["A"], f"{sheet}!A{number}")
            self.out.add((node, RDF.type, kind))
            self.made.setdefault(str(node), f"{sheet}!A{number}")
            if "B" in row:
                self.out.add((node, RDFS.label, self.text(row["B"])))
