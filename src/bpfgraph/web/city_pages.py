"""What the city pages show: the cities' reports (read once per store version), one city's
adoption of each outcome, and the comparison of the cities process by process."""

from __future__ import annotations

from urllib.parse import quote

from rdflib import SKOS

from .. import gaps
from ..store.base import SelectResult
from ..vocab import BPF, ID, PROCESS_IDS
from .errors import ProtocolError
from .pages import framework
from .state import State

#: the adoption of each outcome of a mapping's processes (status, and rating where rated)
ADOPTIONS = (
    "PREFIX bpf: <https://w3id.org/bpfgraph/def#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?notation ?n ?status ?code WHERE { <{mapping}> bpf:hasProcessMapping ?pm . "
    "?pm bpf:mapsProcess ?p . ?p skos:notation ?notation . ?pm bpf:hasOutcomeAdoption ?a . "
    "?a bpf:adoptsOutcome ?o ; bpf:adoptionStatus ?status . ?p bpf:hasOutcome ?o . ?o bpf:ordinal ?n . "
    "OPTIONAL { ?a bpf:achievementRating ?r . ?r skos:notation ?code } }"
)


def city_reports(st: State) -> list[gaps.CityReport]:
    """Every city's gap report, read once per store version."""

    def make() -> tuple[list[gaps.CityReport], str, str]:
        return (gaps.city_reports(st.store), "", "")

    return st.cache.compute(("city-reports",), make)[0]


def fmt_score(x: float | None) -> str:
    """A score as the pages show it (– when there is none)."""
    return "–" if x is None else f"{x:.1f}"


def cities_view(st: State) -> dict:
    """The list of cities with their processes mapped and their scores."""
    items = [
        {
            "label": c.label,
            "city": c.city,
            "processes": len(c.processes),
            "score": fmt_score(c.score),
            "href": "/city?mapping=" + quote(c.mapping, safe=""),
        }
        for c in city_reports(st)
    ]
    return {"title": "Cities", "cities": items}


def city_view(st: State, mapping: str) -> dict:
    """One city's page: a row per process mapped, a cell per outcome (404: no such mapping)."""
    found = [c for c in city_reports(st) if c.mapping == mapping]
    if not found:
        raise ProtocolError(404, f"no city mapping <{mapping}>")
    c = found[0]
    cells = adoptions(st, mapping)
    fw = framework(st)
    max_outcomes = max(
        len(list(fw.g.objects(ID[f"process/{p}"], BPF.hasOutcome))) for p in PROCESS_IDS
    )
    rows = [
        {
            "notation": pg.notation,
            "name": pg.name,
            "href": f"/id/process/{pg.notation}",
            "cells": _outcome_cells(pg, cells, max_outcomes),
            "practices": f"{pg.practices_covered}/{pg.practices}",
            "score": fmt_score(pg.score),
        }
        for pg in c.processes
    ]
    return {
        "title": c.label,
        "city": {"label": c.label, "city": c.city, "score": fmt_score(c.score)},
        "rows": rows,
        "max_outcomes": max_outcomes,
    }


def adoptions(st: State, mapping: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(process, outcome number) → (adoption status, rating code) of a mapping."""
    result = st.store.query(ADOPTIONS.replace("{mapping}", mapping))
    cells = {}
    for r in result.rows if isinstance(result, SelectResult) else []:
        cells[(str(r["notation"]), int(str(r["n"])))] = (
            str(r["status"]).rsplit("/", 1)[1],
            str(r.get("code", "")),
        )
    return cells


def _outcome_cells(
    pg: gaps.ProcessGap, cells: dict[tuple[str, int], tuple[str, str]], max_outcomes: int
) -> list[dict]:
    """The cells of one process's row: one per outcome, empty past its last."""
    row_cells = []
    for i in range(1, max_outcomes + 1):
        if i > pg.outcomes:
            row_cells.append({"status": "na", "text": "", "title": ""})
            continue
        status, code = cells.get((pg.notation, i), ("none", ""))
        row_cells.append(
            {
                "status": status,
                "text": code or ("·" if status == "none" else ""),
                "title": f"{pg.notation} outcome {i}: {status}"
                + (f", rated {code}" if code else ""),
            }
        )
    return row_cells


def compare_view(st: State) -> dict:
    """The comparison page: each process's score in each city, the best, the most and least
    adopted."""
    reports = city_reports(st)
    if not reports:
        return {"title": "Compare", "cities": []}
    comp = gaps.comparison(st.store)
    names = {c.mapping: c.label for c in reports}
    fw = framework(st)
    rows = []
    for pid in PROCESS_IDS:
        scores = comp.scores.get(pid, {})
        best = comp.best.get(pid)
        rows.append(
            {
                "notation": pid,
                "name": str(fw.g.value(ID[f"process/{pid}"], SKOS.prefLabel)),
                "scores": [
                    fmt_score(scores.get(c.mapping)) if c.mapping in scores else "not mapped"
                    for c in reports
                ],
                "best": ", ".join(names.get(m, m) for m in best["mappings"]) if best else "–",
            }
        )
    return {
        "title": "Compare",
        "cities": reports,
        "rows": rows,
        "most": comp.most_adopted,
        "least": comp.least_adopted,
    }
