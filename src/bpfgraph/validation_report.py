"""Render validation reports for people (text), programs (JSON) and RDF tools (Turtle).

JSON schema (``bpfgraph validate --format json`` and ``POST /validate`` later)::

    {
      "conforms": true | false,          # no violations (and, with --strict, no warnings)
      "strict": true | false,
      "summary": {"files": 1, "violations": 0, "warnings": 0, "infos": 0},
      "files": [
        {
          "file": "mapping.ttl",
          "conforms": true | false,
          "error": null | "message",     # set when the file could not be read or parsed
          "results": [
            {
              "severity": "Violation" | "Warning" | "Info",
              "message": "…",            # written for a city officer
              "focusNode": "IRI or _:blank",
              "focusLabel": "… or null",
              "path": "IRI or null",
              "value": "term or null",
              "processMapping": "IRI or null",
              "process": "G1 Leadership or null",
              "sourceShape": "IRI or _:blank",
              "cell": "G1!A7 or null"      # a workbook: the first cell of the focus node's row
            }
          ]
        }
      ]
    }
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rdflib import Graph

from .validation import Report, Result, term_text

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass
class FileOutcome:
    """One input file: its report, or the error that kept it from being validated."""

    file: str
    report: Report | None = None
    error: str | None = None
    #: for a workbook: IRI -> the first cell of the row that writes it (``G1!A7``)
    cells: dict[str, str] = field(default_factory=dict)

    def cell_of(self, r: Result) -> str | None:
        """The workbook cell of the row that writes the result's focus node (None: no
        workbook, or a node no row writes)."""
        return self.cells.get(str(r.focus))

    def counts(self) -> dict[str, int]:
        """The number of results of each severity (all 0 when there is no report)."""
        results = self.report.results if self.report else []
        return {s: sum(1 for r in results if r.severity == s) for s in SEVERITIES}

    def conforms(self, strict: bool = False) -> bool:
        """Whether the file was validated and has no violation (and, if ``strict``, no
        warning)."""
        if self.error or self.report is None:
            return False
        counts = self.counts()
        return counts["Violation"] == 0 and (not strict or counts["Warning"] == 0)


@dataclass
class RunOutcome:
    """One validation run: the outcome of each file, and whether warnings count (``strict``)."""

    files: list[FileOutcome] = field(default_factory=list)
    strict: bool = False

    @property
    def conforms(self) -> bool:
        """Whether every file conforms (True for a run without files)."""
        return all(f.conforms(self.strict) for f in self.files)

    def totals(self) -> dict[str, int]:
        """The number of results of each severity over all files."""
        totals = dict.fromkeys(SEVERITIES, 0)
        for f in self.files:
            for key, value in f.counts().items():
                totals[key] += value
        return totals

    def exit_code(self) -> int:
        """The command's exit status: 2 when a file could not be read or validated, 1 when a
        file does not conform, 0 otherwise."""
        if any(f.error for f in self.files):
            return 2
        return 0 if self.conforms else 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _result_json(r: Result, cell: str | None) -> dict:
    return {
        "severity": r.severity,
        "message": r.message,
        "focusNode": term_text(r.focus),
        "focusLabel": r.focus_label,
        "path": term_text(r.path) or None,
        "value": term_text(r.value) or None,
        "processMapping": term_text(r.process_mapping) or None,
        "process": r.process,
        "sourceShape": term_text(r.shape) or None,
        "cell": cell,
    }


def to_json(run: RunOutcome) -> str:
    """The run as JSON, in the schema at the top of this module (indented, UTF-8 as is)."""
    totals = run.totals()
    doc = {
        "conforms": run.conforms,
        "strict": run.strict,
        "summary": {
            "files": len(run.files),
            "violations": totals["Violation"],
            "warnings": totals["Warning"],
            "infos": totals["Info"],
        },
        "files": [
            {
                "file": f.file,
                "conforms": f.conforms(run.strict),
                "error": f.error,
                "results": [
                    _result_json(r, f.cell_of(r)) for r in (f.report.results if f.report else [])
                ],
            }
            for f in run.files
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def to_turtle(run: RunOutcome) -> str:
    """The SHACL report graphs of every validated file, merged, as Turtle."""
    graph = Graph()
    graph.bind("sh", "http://www.w3.org/ns/shacl#")
    for f in run.files:
        if f.report is not None:
            graph += f.report.graph
    return graph.serialize(format="turtle")


def to_text(run: RunOutcome) -> str:
    """The run for people: per file its verdict and counts, then its results grouped by the
    process mapping they concern (the mapping as a whole first), then a summary line."""
    lines: list[str] = []
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for f in run.files:
        if f.error:
            lines.append(f"{f.file}: error: {f.error}")
            continue
        counts = f.counts()
        verdict = "conforms" if f.conforms(run.strict) else "does not conform"
        lines.append(
            f"{f.file}: {verdict} — {_plural(counts['Violation'], 'violation')}, "
            f"{_plural(counts['Warning'], 'warning')}, {_plural(counts['Info'], 'info')}"
        )
        groups: dict[str, list[Result]] = {}
        for r in f.report.results if f.report else []:
            if r.process:
                key = f"{r.process} — process mapping <{term_text(r.process_mapping)}>"
            elif r.process_mapping is not None:
                key = f"process mapping <{term_text(r.process_mapping)}> (unknown process)"
            else:
                key = "the mapping as a whole"
            groups.setdefault(key, []).append(r)
        for key in sorted(groups, key=lambda k: (k != "the mapping as a whole", k)):
            lines.append(f"  {key}")
            for r in sorted(groups[key], key=lambda r: (order.get(r.severity, 9), r.message)):
                lines.append(f"    {r.severity:9} {r.message}")
                where = f"focus: {term_text(r.focus)}"
                if r.focus_label:
                    where += f" ({r.focus_label})"
                if r.path is not None:
                    where += f"   path: {term_text(r.path)}"
                if f.cell_of(r):
                    where += f"   cell: {f.cell_of(r)}"
                lines.append(f"              {where}")
    totals = run.totals()
    verdict = "conforms" if run.conforms else "does not conform"
    errors = sum(1 for f in run.files if f.error)
    summary = (
        f"summary: {_plural(len(run.files), 'file')}, {_plural(totals['Violation'], 'violation')}, "
        f"{_plural(totals['Warning'], 'warning')}, {_plural(totals['Info'], 'info')}"
    )
    if errors:
        summary += f", {_plural(errors, 'unreadable file')}"
    lines.append(f"{summary} — {verdict}" + (" (strict: warnings count)" if run.strict else ""))
    return "\n".join(lines)
