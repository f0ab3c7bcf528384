"""The cells of a workbook as RDF terms, with messages naming sheet and cell.

:class:`Cells` is what :mod:`.workbook` and :mod:`.workbook_sheet` read cells through.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef

from . import workbook_layout as lay
from .errors import RDFInputError
from .workbook_zip import merged_ranges

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_DATE = re.compile(r"^-?\d{4,}-\d\d-\d\d(?:Z|[+-]\d\d:\d\d)?$")
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?$")

Row = dict[str, Any]


def letter(column: int) -> str:
    """The letter of a column numbered from 1 (``1`` -> ``A``, ``27`` -> ``AA``)."""
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


def quoted(value: Any) -> str:
    """A cell's value in double quotes, as messages show it: ``"Q"``."""
    text = "" if value is None else plain(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plain(value: Any) -> str:
    """A cell as text: integers without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Cells:
    """One workbook being read: where messages point, and the graph so far."""

    source: str
    archive: zipfile.ZipFile
    book: Any
    out: Graph = field(default_factory=Graph)
    base: str = ""
    lang: str = "en"
    minted: set[URIRef] = field(default_factory=set)
    total_rows: int = 0
    #: IRI -> the first cell of the row it is written in
    made: dict[str, str] = field(default_factory=dict)

    def fail(self, where: str, message: str) -> RDFInputError:
        """The error for ``where`` (``C4!F12``)."""
        return RDFInputError(self.source, f"{where}: {message}")

    # --- cells ---------------------------------------------------------------------------------

    def rows(self, sheet: str, width: int, first: int = 1) -> list[tuple[int, Row]]:
        """The rows of ``sheet`` from row ``first`` as {column letter: value}, blanks left out;
        formulas, merged cells, cells right of column ``width`` and too many rows refused."""
        ws = self.book[sheet]
        merged = merged_ranges(self.archive, ws._worksheet_path)
        if merged:
            raise self.fail(f"{sheet}!{merged[0]}", "merged cells are not read; unmerge them")
        ws.reset_dimensions()
        out: list[tuple[int, Row]] = []
        for number, cells in enumerate(ws.iter_rows(), 1):
            if number > lay.MAX_ROWS:
                raise RDFInputError(
                    self.source, f"{sheet}: more than {lay.MAX_ROWS:,} rows (the limit)"
                )
            self.total_rows += 1
            if self.total_rows > lay.MAX_TOTAL_ROWS:
                raise RDFInputError(
                    self.source,
                    f"{sheet}: the workbook has more than {lay.MAX_TOTAL_ROWS:,} rows in all "
                    "(the limit)",
                )
            row: Row = {}
            for index, cell in enumerate(cells, 1):
                value = self._value(cell, f"{sheet}!{letter(index)}{number}")
                if value is None:
                    continue
                if index > width:
                    raise self.fail(
                        f"{sheet}!{letter(index)}{number}",
                        f"a cell right of column {letter(width)}: the workbook has no such column",
                    )
                row[letter(index)] = value
            if number >= first and row:
                out.append((number, row))
        return out

    def _value(self, cell: Any, where: str) -> Any:
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f" or (
            isinstance(value, str) and value.startswith("=") and len(value) > 1
        ):
            raise self.fail(where, "formulas are not read; type the value itself")
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def text(self, value: Any) -> Literal:
        """A cell as language-tagged text."""
        return Literal(plain(value), lang=self.lang)

    def iri(self, value: Any, where: str, what: str = "an ID") -> URIRef:
        """An ID cell as an IRI: absolute, or relative to Base."""
        text = plain(value)
        full = text if ":" in text else self.base + text
        if not _IRI.match(full):
            raise self.fail(
                where, f"{quoted(text)} is not {what} (an IRI, or a name without spaces)"
            )
        return URIRef(full)

    def date(self, value: Any, where: str) -> Literal:
        """A date cell (a date, or text YYYY-MM-DD / an xsd:dateTime) as a typed literal."""
        if isinstance(value, dt.datetime):
            if value.time() == dt.time():
                return Literal(value.date().isoformat(), datatype=XSD.date)
            return Literal(value.isoformat(), datatype=XSD.dateTime)
        if isinstance(value, dt.date):
            return Literal(value.isoformat(), datatype=XSD.date)
        text = plain(value)
        if _DATE.match(text):
            return Literal(text, datatype=XSD.date)
        if _DATETIME.match(text):
            return Literal(text, datatype=XSD.dateTime)
        raise self.fail(where, f"{quoted(text)} is not a date; use YYYY-MM-DD")

    def mint(self, local: str) -> URIRef:
        """A new ID under Base: ``local``, or ``local-2``… when that is taken."""
        candidate, n = URIRef(self.base + local), 1
        while candidate in self.minted or (candidate, None, None) in self.out:
            n += 1
            candidate = URIRef(f"{self.base}{local}-{n}")
        self.minted.add(candidate)
        return candidate
