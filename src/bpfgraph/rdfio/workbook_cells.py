"""The cells of a workbook as RDF terms, with messages naming sheet and cell.

:class:`Cells` is what :mod:`.workbook` and :mod:`.workbook_sheet` read cells through.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef

from . import workbook_layout as lay
from .errors import RDFInputError
from .limits import MAX_IRI, MAX_LITERAL
from .workbook_scan import column_letter as letter
from .workbook_scan import scan_sheet
from .workbook_zip import merged_ranges

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x20\x7f<>\"{}|\\^`]+$")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: the schemes an ID or Base may have (javascript:, data:, file: would be links that run or
#: read something)
SCHEMES = ("http", "https", "urn")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d(?:Z|[+-]\d\d:\d\d)?$", re.ASCII)
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?$", re.ASCII)

Row = dict[str, Any]


def _zone(text: str) -> bool:
    """``text`` is no time zone, ``Z``, or one XSD allows (-14:00 to +14:00)."""
    if text in ("", "Z"):
        return True
    hours, minutes = int(text[1:3]), int(text[4:6])
    return minutes < 60 and hours * 60 + minutes <= 14 * 60


def _real(text: str) -> bool:
    """``text`` (``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ss``) is a date that exists."""
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def quoted(value: Any) -> str:
    """A cell's value in double quotes, as messages show it: ``"Q"``."""
    text = "" if value is None else plain(value)
    if len(text) > 80:
        text = text[:80] + "…"
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
    #: the number each local name last reached in :meth:`mint`
    minted_up_to: dict[str, int] = field(default_factory=dict)
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
        strings = len(ws._shared_strings)  # what openpyxl read from xl/sharedStrings.xml
        last = scan_sheet(self.archive, ws._worksheet_path, sheet, width, strings, self.source)
        ws.reset_dimensions()
        out: list[tuple[int, Row]] = []
        if not last:
            return out
        for number, cells in enumerate(self._openpyxl_rows(ws, sheet, last, width), 1):
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
                if value is not None:
                    row[letter(index)] = value
            if number >= first and row:
                out.append((number, row))
        return out

    def _openpyxl_rows(self, ws: Any, sheet: str, last: int, width: int) -> Iterator[Any]:
        """openpyxl's rows of ``ws`` up to row ``last`` and column ``width``; what openpyxl
        raises on a value the scan let through is refused naming the sheet."""
        rows = ws.iter_rows(min_row=1, max_row=last, max_col=width)
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
                message = " ".join(str(exc).split())[:200]
                raise RDFInputError(
                    self.source, f"{sheet}: a cell that cannot be read ({message})"
                ) from None
            yield cells

    def _value(self, cell: Any, where: str) -> Any:
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f" or (
            isinstance(value, str) and value.startswith("=") and len(value) > 1
        ):
            raise self.fail(where, "formulas are not read; type the value itself")
        if getattr(cell, "data_type", None) == "e":
            raise self.fail(
                where,
                f"an error value ({plain(value)[:20]}) where a value should be: type the value",
            )
        if isinstance(value, str):
            if len(value) > MAX_LITERAL:
                raise self.fail(
                    where,
                    f"a text of {len(value):,} characters, "
                    f"longer than the limit of {MAX_LITERAL:,}",
                )
            found = _SURROGATE.search(value)
            if found:
                raise self.fail(
                    where,
                    f"a lone surrogate (U+{ord(found.group()):04X}), which no UTF-8 file can hold",
                )
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
        if len(full) > MAX_IRI:
            raise self.fail(where, f"an IRI of {len(full):,} characters, longer than {MAX_IRI:,}")
        if not _IRI.match(full):
            raise self.fail(
                where, f"{quoted(text)} is not {what} (an IRI, or a name without spaces)"
            )
        scheme = full.split(":", 1)[0].lower()
        if scheme not in SCHEMES:
            raise self.fail(
                where,
                f"{quoted(text[:80])}: an IRI whose scheme is {scheme}:, not "
                + ", ".join(f"{s}:" for s in SCHEMES),
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
        if _DATE.match(text) and _real(text[:10]) and _zone(text[10:]):
            return Literal(text, datatype=XSD.date)
        if _DATETIME.match(text) and _real(text[:19]) and _zone(text[19:].lstrip(".0123456789")):
            return Literal(text, datatype=XSD.dateTime)
        raise self.fail(where, f"{quoted(text)} is not a date; use YYYY-MM-DD")

    def mint(self, local: str) -> URIRef:
        """A new ID under Base: ``local``, or ``local-2``… when that is taken."""
        if len(self.base) + len(local) > MAX_IRI:
            raise RDFInputError(self.source, f"{lay.MAPPING}: Base is too long to mint IDs under")
        # each local name goes on from the number it last reached: minting n IDs of one name
        # costs n steps, not n² (an attack's workbook of 5,000 rows took minutes)
        n = self.minted_up_to.get(local, 1)
        candidate = URIRef(self.base + local if n == 1 else f"{self.base}{local}-{n}")
        while candidate in self.minted or (candidate, None, None) in self.out:
            n += 1
            candidate = URIRef(f"{self.base}{local}-{n}")
        self.minted.add(candidate)
        self.minted_up_to[local] = n
        return candidate
