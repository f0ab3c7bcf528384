"""Helpers for the workbook tests: open, change and save a mapping workbook with openpyxl."""

from __future__ import annotations

import io
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
