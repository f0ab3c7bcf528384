"""Helpers for the workbook tests: open, change and save a mapping workbook with openpyxl."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from openpyxl import load_workbook
from rdflib import Graph
from rdflib.compare import to_canonical_graph

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def edit(data: bytes, change: Callable[[Any], None]) -> bytes:
    """``data`` opened with openpyxl, changed by ``change(workbook)``, saved."""
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def nt_set(graph: Graph) -> set[str]:
    """The canonical N-Triples lines of ``graph`` (rdflib's isomorphism alone takes a language
    tag and an IRI of the same text alike)."""
    return set(to_canonical_graph(graph).serialize(format="nt").splitlines())


#: the G1 sheet's part in the template workbook
G1_PART = "xl/worksheets/sheet5.xml"


def edit_parts(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    """``data``'s zip entries as {name: bytes}, changed by ``change(parts)``, zipped again
    (the raw XML, for what openpyxl would not write)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in parts.items():
            dst.writestr(name, content)
    return out.getvalue()


def g1_xml(change: Callable[[str], str]) -> Callable[[bytes], bytes]:
    """A spoiler that rewrites the G1 sheet's XML text with ``change``."""

    def apply(parts: dict[str, bytes]) -> None:
        parts[G1_PART] = change(parts[G1_PART].decode()).encode()

    return lambda data: edit_parts(data, apply)


def g1_cell(cell: str, ref: str = "B3") -> Callable[[bytes], bytes]:
    """A spoiler that puts the raw ``<c>`` XML ``cell`` in place of G1's cell ``ref``."""
    return g1_xml(lambda xml: re.sub(rf'<c r="{ref}"[^>]*>.*?</c>', cell, xml, count=1))


def g1_rows(rows: str) -> Callable[[bytes], bytes]:
    """A spoiler that adds the raw ``<row>`` XML ``rows`` at the end of G1's table."""
    return g1_xml(lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
