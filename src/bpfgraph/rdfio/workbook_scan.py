"""A sheet's XML read once, cheaply, before openpyxl reads its cells.

openpyxl trusts a sheet's cell references: one empty cell at column XFD makes it pad every row
to 16,384 cells, ``r="A0"`` in row 3 is taken as A3, a shared-string index out of range or a
number cell holding ``abc`` raises Python errors. :func:`scan_sheet` walks the XML with a parser
that refuses DTDs, checks every row and cell reference and every typed value, and returns the
last row holding a value, so the cells are read only up to there and only up to the sheet's last
column. Each refusal is one line naming the sheet and cell.
"""

from __future__ import annotations

import math
import re
import zipfile
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .errors import RDFInputError
from .workbook_layout import MAX_ROWS

#: the last column Excel has (XFD)
MAX_COLUMN = 16_384
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)
#: the longest number a cell holds: Excel's numbers are doubles (at most 309 digits)
_MAX_NUMBER_TEXT = 400
#: the most cells (``<c>``, empty ones too) a sheet may have: openpyxl reads each, ~5 µs apiece
MAX_CELLS = 200_000
_TYPES = ("n", "s", "str", "inlineStr", "b", "d", "e")


def column_number(letters: str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def column_letter(column: int) -> str:
    """The letter of a column numbered from 1 (``1`` -> ``A``, ``27`` -> ``AA``)."""
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


class _Scan:
    """One sheet being scanned: where the row and column counters are."""

    def __init__(self, source: str, sheet: str, width: int, strings: int) -> None:
        self.source, self.sheet, self.width, self.strings = source, sheet, width, strings
        self.row = 0
        self.column = 0
        self.last = 0  # the last row holding a value
        self.cells = 0

    def fail(self, where: str, message: str) -> RDFInputError:
        return RDFInputError(self.source, f"{self.sheet}!{where}: {message}")

    def start_row(self, ref: str | None) -> None:
        if ref is None:
            number = self.row + 1
        elif ref.isascii() and ref.isdigit() and len(ref) <= 7 and int(ref) > 0:
            number = int(ref)
        else:
            raise RDFInputError(
                self.source, f'{self.sheet}: a row numbered r="{ref[:40]}", which is no row number'
            )
        if number <= self.row:
            raise RDFInputError(
                self.source,
                f"{self.sheet}: row {number} comes after row {self.row}; rows must be in order",
            )
        self.row, self.column = number, 0

    def cell(self, ref: str | None, kind: str, value: str | None, filled: bool) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise RDFInputError(
                self.source,
                f"{self.sheet}: more than {MAX_CELLS:,} cells, empty ones too (the limit)",
            )
        if ref is None:
            column = self.column + 1
        else:
            found = _REF.fullmatch(ref)
            if found is None or int(found.group(2)) != self.row:
                raise RDFInputError(
                    self.source,
                    f'{self.sheet}: a cell r="{ref[:40]}" in row {self.row}, which is no cell '
                    "of that row",
                )
            column = column_number(found.group(1))
        where = f"{column_letter(column)}{self.row}"
        if column > MAX_COLUMN or column <= self.column:
            raise self.fail(where, "a cell out of order or beyond column XFD")
        self.column = column
        if not filled:
            return
        if column > self.width:
            raise self.fail(
                where,
                f"a cell right of column {column_letter(self.width)}: the workbook has no such "
                "column",
            )
        if self.row > MAX_ROWS:
            raise RDFInputError(
                self.source,
                f"{self.sheet}: more than {MAX_ROWS:,} rows (the limit; {where} is filled)",
            )
        self.last = self.row
        if value is not None:
            self._typed(where, kind, value.strip())

    def _typed(self, where: str, kind: str, value: str) -> None:
        """Refuse a value its cell type cannot hold."""
        if kind not in _TYPES:
            raise self.fail(where, f'an unknown cell type t="{kind[:20]}"; type the value again')
        if kind == "e":
            raise self.fail(
                where, f"an error value ({value[:20]}) where a value should be: type the value"
            )
        if kind == "n" and not (
            len(value) <= _MAX_NUMBER_TEXT
            and _NUMBER.fullmatch(value)
            and math.isfinite(float(value))
        ):
            raise self.fail(where, f'a number cell holding "{value[:40]}", which is no number')
        if kind == "s" and not (value.isascii() and value.isdigit() and int(value) < self.strings):
            raise self.fail(
                where, f'a shared-string cell pointing at "{value[:40]}", which is no string'
            )
        if kind == "b" and value not in ("0", "1"):
            raise self.fail(where, f'a true/false cell holding "{value[:40]}"')
        if kind == "d":
            _iso_date(value, self.fail(where, f'a date cell holding "{value[:40]}", no date'))


def _iso_date(value: str, error: RDFInputError) -> None:
    """Raise ``error`` unless openpyxl reads ``value`` as an ISO 8601 date."""
    from openpyxl.utils.datetime import from_ISO8601  # deferred: openpyxl is slow to import

    try:
        from_ISO8601(value)
    except (ValueError, TypeError, OverflowError):
        raise error from None


def scan_sheet(
    archive: zipfile.ZipFile, path: str, sheet: str, width: int, strings: int, source: str
) -> int:
    """The last row of ``sheet`` (the zip part ``path``) that holds a value; a cell with a
    value right of column ``width`` or below row :data:`MAX_ROWS`, a reference or value that is
    out of place, or XML that is not well formed is refused. ``strings``: how many shared
    strings the workbook has."""
    scan = _Scan(source, sheet, width, strings)
    try:
        with archive.open(path) as part:
            for event, element in iterparse(part, events=("start", "end"), forbid_dtd=True):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "row" and event == "start":
                    scan.start_row(element.get("r"))
                elif tag == "c" and event == "end":
                    value = _child(element, "v")
                    formula = _child(element, "f") is not None  # refused as a formula later
                    filled = (
                        bool(value and value.strip())
                        or formula
                        or _child(element, "is") is not None
                    )
                    typed = None if formula or not value or not value.strip() else value
                    scan.cell(element.get("r"), element.get("t", "n"), typed, filled)
                elif tag == "row" and event == "end":
                    element.clear()
    except (ParseError, DefusedXmlException) as exc:
        raise RDFInputError(
            source, f"{sheet} ({path}): the sheet's XML is not well formed ({exc})"
        ) from None
    return scan.last


def _child(element: Element, name: str) -> str | None:
    """The text of ``element``'s child named ``name`` (any namespace)."""
    for child in element:
        if child.tag.rsplit("}", 1)[-1] == name:
            return child.text or ""
    return None
