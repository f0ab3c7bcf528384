"""What the workbook writer's modules share: its error, the triples taken, cell helpers."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font, PatternFill
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


class WorkbookError(ValueError):
    """A mapping the workbook cannot hold as it is."""


class Taken:
    """The graph, and which of its triples the workbook holds so far."""

    def __init__(self, graph: Graph, lang: str) -> None:
        """Nothing of ``graph`` taken yet; its texts are in ``lang``."""
        self.g, self.lang, self.used = graph, lang, set[tuple[Node, Node, Node]]()

    def all(self, s: Node, p: URIRef) -> list[Node]:
        """Take every value of ``p`` on ``s``, in the order of their text."""
        found = sorted(self.g.objects(s, p), key=str)
        self.used.update((s, p, o) for o in found)
        return found

    def one(self, s: Node, p: URIRef) -> Node | None:
        """Take the one value of ``p`` on ``s`` (``None``: no value)."""
        found = self.all(s, p)
        if len(found) > 1:
            raise WorkbookError(f"<{s}> has {len(found)} values of <{p}>; a cell holds one")
        return found[0] if found else None

    def text(self, s: Node, p: URIRef) -> str | None:
        """Take the one text of ``p`` on ``s``, in the workbook's language."""
        value = self.one(s, p)
        if value is None:
            return None
        if not isinstance(value, Literal) or value.language != self.lang:
            raise WorkbookError(f"<{s}> <{p}> {value.n3()} is not text in @{self.lang}")
        return str(value)

    def typed(self, node: Node, kind: URIRef) -> None:
        """Take ``node a kind``."""
        self.used.add((node, RDF.type, kind))


def header(ws: Any, titles: tuple[str, ...], row: int = 1) -> None:
    """A header row: bold on grey."""
    for col, title in enumerate(titles, 1):
        cell = ws.cell(row, col, title)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL


def iri_text(node: Node | None) -> str | None:
    """An IRI as written in a cell."""
    if node is None:
        return None
    if not isinstance(node, URIRef):
        raise WorkbookError(f"{node.n3()} should be an IRI")
    return str(node)


def date_text(node: Node | None) -> str | None:
    """A date as written in a cell: its lexical form."""
    if node is None:
        return None
    if not isinstance(node, Literal) or node.datatype not in (XSD.date, XSD.dateTime):
        raise WorkbookError(f"{node.n3()} is not an xsd:date or xsd:dateTime")
    return str(node)
