"""Engine-neutral query results: what every store's ``query`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Node


@dataclass
class SelectResult:
    """Rows of a SELECT: variable names in projection order, rows as name -> term."""

    variables: list[str]
    rows: list[dict[str, Node]] = field(default_factory=list)

    def column(self, name: str) -> list[str]:
        """Values of one variable, as strings ('' where unbound)."""
        return [str(r[name]) if name in r else "" for r in self.rows]


@dataclass
class AskResult:
    """The answer of an ASK: whether the pattern has a solution."""

    value: bool


@dataclass
class GraphResult:
    """The triples a CONSTRUCT or DESCRIBE built, as one rdflib graph."""

    graph: Graph


QueryResult = SelectResult | AskResult | GraphResult


@dataclass
class ProtocolAnswer:
    """A query's answer as a remote store serialised it: media type, body, and the row cap
    the store cut it at (None: whole)."""

    media_type: str
    body: bytes
    capped_at: int | None = None


__all__ = ["AskResult", "GraphResult", "ProtocolAnswer", "QueryResult", "SelectResult"]
