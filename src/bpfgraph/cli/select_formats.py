"""A SELECT result as ``bpfgraph query`` prints it: a table, SPARQL JSON results or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from rdflib import BNode, Literal

from ..store.base import SelectResult


def format_select(result: SelectResult, fmt: str) -> str:
    """``result`` in the format ``fmt``: ``json``, ``csv`` or (anything else) ``table``."""
    if fmt == "json":
        return _as_json(result)
    if fmt == "csv":
        return _as_csv(result)
    return _as_table(result)


def _as_json(result: SelectResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = []
    for row in result.rows:
        binding = {}
        for name, term in row.items():
            if isinstance(term, Literal):
                cell = {"type": "literal", "value": str(term)}
                if term.language:
                    cell["xml:lang"] = term.language
                elif term.datatype:
                    cell["datatype"] = str(term.datatype)
            elif isinstance(term, BNode):
                cell = {"type": "bnode", "value": str(term)}
            else:
                cell = {"type": "uri", "value": str(term)}
            binding[name] = cell
        bindings.append(binding)
    return json.dumps(
        {"head": {"vars": result.variables}, "results": {"bindings": bindings}},
        indent=2,
        ensure_ascii=False,
    )


def _as_csv(result: SelectResult) -> str:
    """CSV with a header row and CRLF line ends (as SPARQL 1.1 CSV results)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([str(row.get(v, "")) for v in result.variables])
    return buffer.getvalue()


def _as_table(result: SelectResult) -> str:
    """An aligned text table, cells cut at 60 characters, with a row count."""
    cells = [[str(row.get(v, "")) for v in result.variables] for row in result.rows]
    widths = [
        min(60, max([len(v)] + [len(c[i]) for c in cells])) for i, v in enumerate(result.variables)
    ]

    def line(values: Sequence[str]) -> str:
        return " | ".join(
            (v if len(v) <= w else v[: w - 1] + "…").ljust(w)
            for v, w in zip(values, widths, strict=True)
        ).rstrip()

    rows = [line(result.variables), "-+-".join("-" * w for w in widths)]
    rows += [line(c) for c in cells]
    rows.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(rows)
