"""Gap analysis per city and cross-city comparison, built on the named queries.

Every number here comes from a query in ``queries/`` (``mapping-outcome-coverage``,
``mapping-practice-coverage``, ``mapping-ratings``, ``outcome-adoption-ranking``,
``best-rated-city-per-process``), so SPARQL users get the same answers.

Summary score: each rated outcome adoption or sub-process counts with the midpoint of its
rating's achievement range (N 7.5 %, P 32.5 %, L 67.5 %, F 92.5 %, read from
``data/rating-scale.ttl``); a process's score is the mean over its rated items, a city's overall
score the mean over all its rated items. The midpoints and the rounding are those of
:mod:`bpfgraph.summaries`, which derives the per-process scores the named queries read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.term import Node

from . import queries, rdfio
from .store import SelectResult, Store
from .summaries import framework_index, round_score
from .vocab import GRAPH, slug
from .writes import write_graphs


def rating_midpoints() -> dict[str, Decimal]:
    """Rating code (N, P, L, F) -> the midpoint of its achievement range, in per cent.

    Read from the rating scale's data, lowest rating first.
    """
    return dict(sorted(framework_index().ratings.values(), key=lambda rating: rating[1]))


def score_method() -> str:
    """The midpoints as the report states them: ``N 7.5, P 32.5, L 67.5, F 92.5``."""
    return ", ".join(f"{code} {mid}" for code, mid in rating_midpoints().items())


#: one row of a SELECT answer: variable name -> the term bound to it
Row = Mapping[str, Node]


def _rows(store: Store, name: str) -> list[dict[str, Node]]:
    """The rows of the named query ``name``, a SELECT, run on ``store``."""
    result = queries.run(store, name)
    assert isinstance(result, SelectResult)  # every query this module runs is a SELECT
    return result.rows


def _number(row: Row, key: str) -> Literal:
    """The literal bound to ``key``: a count or a score (raises KeyError when unbound)."""
    value = row[key]
    assert isinstance(value, Literal)  # the queries bind numbers only to these keys
    return value


def _int(row: Row, key: str) -> int:
    """The count bound to ``key``, 0 when unbound."""
    return int(_number(row, key)) if key in row else 0


@dataclass
class ProcessGap:
    """One mapped process of a city: its outcomes, practices, ratings and score (0-100)."""

    notation: str
    name: str
    outcomes: int
    adopted: int
    planned: int
    declined: int
    not_addressed: int
    city_outcomes: int
    practices: int
    practices_covered: int
    sub_processes: int
    action_steps: int
    ratings: dict[str, int]
    score: float | None


@dataclass
class CityReport:
    """One city mapping: its city, label and the gaps of each mapped process."""

    mapping: str
    city: str
    label: str
    processes: list[ProcessGap] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """The mean of the rating midpoints over all rated items, or None when none is rated."""
        midpoints = rating_midpoints()
        total = sum(
            (midpoints[c] * n for p in self.processes for c, n in p.ratings.items()), Decimal(0)
        )
        count = sum(n for p in self.processes for n in p.ratings.values())
        return float(round_score(total / count)) if count else None


@dataclass
class Comparison:
    """Across cities: the most and least adopted outcomes, and the scores per process."""

    most_adopted: list[dict]
    least_adopted: list[dict]
    scores: dict[str, dict[str, float | None]]  # notation -> mapping -> score
    best: dict[str, dict]  # notation -> {"mappings": [...], "score": x, "cities": n}


def load_mappings(store: Store, graphs: list[tuple[str, Graph]]) -> None:
    """Put each mapping in its own named graph ``…/graph/mapping/{name}``."""
    for name, graph in graphs:
        write_graphs(store, {str(GRAPH[f"mapping/{slug(name)}"]): rdfio.as_graph(graph)})


def city_reports(store: Store) -> list[CityReport]:
    """The gap analysis of every city mapping in ``store``, in the named queries' order."""
    coverage = _rows(store, "mapping-outcome-coverage")
    practices = {
        (str(r["mapping"]), str(r["notation"])): r
        for r in _rows(store, "mapping-practice-coverage")
    }
    ratings = {(str(r["mapping"]), str(r["notation"])): r for r in _rows(store, "mapping-ratings")}
    named = store.query(
        "PREFIX bpf: <https://w3id.org/bpfgraph/def#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?m (SAMPLE(?l) AS ?label) "
        "WHERE { ?m a bpf:CityMapping ; rdfs:label ?l } GROUP BY ?m"
    )
    assert isinstance(named, SelectResult)  # a SELECT
    labels = {str(r["m"]): str(r["label"]) for r in named.rows}
    reports: dict[str, CityReport] = {}
    for row in coverage:
        mapping = str(row["mapping"])
        report = reports.setdefault(
            mapping, CityReport(mapping, str(row["city"]), labels.get(mapping, mapping))
        )
        key = (mapping, str(row["notation"]))
        prow: Row = practices.get(key, {})
        rrow: Row = ratings.get(key, {})
        report.processes.append(
            ProcessGap(
                notation=str(row["notation"]),
                name=str(row["name"]),
                outcomes=_int(row, "outcomes"),
                adopted=_int(row, "adopted"),
                planned=_int(row, "planned"),
                declined=_int(row, "declined"),
                not_addressed=_int(row, "notAddressed"),
                city_outcomes=_int(row, "cityOutcomes"),
                practices=_int(prow, "practices"),
                practices_covered=_int(prow, "covered"),
                sub_processes=_int(prow, "subProcesses"),
                action_steps=_int(prow, "actionSteps"),
                ratings={c: _int(rrow, c) for c in "NPLF"},
                score=float(_number(rrow, "score")) if "score" in rrow else None,
            )
        )
    return list(reports.values())


def comparison(store: Store, top: int = 5) -> Comparison:
    """The cross-city comparison of the mappings in ``store``: ``top`` outcomes each way."""
    ranking: list[dict[str, Any]] = [
        {
            "outcome": str(r["outcome"]),
            "notation": str(r["notation"]),
            "statement": str(r["statement"]),
            "adopted": _int(r, "adopted"),
            "planned": _int(r, "planned"),
            "declined": _int(r, "declined"),
        }
        for r in _rows(store, "outcome-adoption-ranking")
    ]
    scores: dict[str, dict[str, float | None]] = {}
    for r in _rows(store, "mapping-ratings"):
        scores.setdefault(str(r["notation"]), {})[str(r["mapping"])] = (
            float(_number(r, "score")) if "score" in r else None
        )
    best: dict[str, dict] = {}
    for r in _rows(store, "best-rated-city-per-process"):
        entry = best.setdefault(
            str(r["notation"]),
            {
                "name": str(r["name"]),
                "mappings": [],
                "score": round(float(_number(r, "score")), 1),
                "cities": _int(r, "cities"),
            },
        )
        entry["mappings"].append(str(r["mapping"]))
    least = sorted(ranking, key=lambda o: (o["adopted"], o["planned"]))[:top]
    most = [o for o in ranking if o["adopted"] > 0][:top]
    return Comparison(most, least, scores, best)


# --------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------


def to_json(cities: list[CityReport], comp: Comparison | None) -> str:
    """The report as JSON: the cities, and the comparison when there is one."""
    doc: dict = {
        "scoreMethod": "mean over rated outcome adoptions and sub-processes of the midpoint of "
        f"the rating's achievement range: {score_method()} (per cent)",
        "cities": [
            {
                "mapping": c.mapping,
                "city": c.city,
                "label": c.label,
                "score": c.score,
                "processes": [
                    {
                        "process": p.notation,
                        "name": p.name,
                        "outcomes": {
                            "total": p.outcomes,
                            "adopted": p.adopted,
                            "planned": p.planned,
                            "declined": p.declined,
                            "notAddressed": p.not_addressed,
                            "cityOutcomes": p.city_outcomes,
                        },
                        "practices": {
                            "total": p.practices,
                            "covered": p.practices_covered,
                            "subProcesses": p.sub_processes,
                            "actionSteps": p.action_steps,
                        },
                        "ratings": p.ratings,
                        "score": p.score,
                    }
                    for p in c.processes
                ],
            }
            for c in cities
        ],
    }
    if comp is not None:
        doc["comparison"] = {
            "mostAdoptedOutcomes": comp.most_adopted,
            "leastAdoptedOutcomes": comp.least_adopted,
            "scoresPerProcess": comp.scores,
            "bestRatedPerProcess": comp.best,
        }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def to_text(cities: list[CityReport], comp: Comparison | None) -> str:
    """The report as aligned text: a table per city, then the comparison when there is one."""
    lines: list[str] = []
    for c in cities:
        score = f"{c.score:.1f} %" if c.score is not None else "not rated"
        lines += [f"{c.label}  <{c.mapping}>", f"  city {c.city} — summary score {score}", ""]
        header = (
            f"  {'process':44} {'outcomes':>8} {'adopt':>5} {'plan':>4} {'decl':>4} {'open':>4}"
            f" {'practices':>9} {'N':>3} {'P':>3} {'L':>3} {'F':>3} {'score':>6}"
        )
        lines.append(header)
        for p in c.processes:
            name = f"{p.notation} {p.name}"[:44]
            pscore = f"{p.score:.1f}" if p.score is not None else "-"
            lines.append(
                f"  {name:44} {p.outcomes:>8} {p.adopted:>5} {p.planned:>4} {p.declined:>4}"
                f" {p.not_addressed:>4} {f'{p.practices_covered}/{p.practices}':>9}"
                f" {p.ratings['N']:>3} {p.ratings['P']:>3} {p.ratings['L']:>3} {p.ratings['F']:>3}"
                f" {pscore:>6}"
            )
        lines.append("")
    if comp is not None:
        names = {c.mapping: c.label for c in cities}
        lines.append("Cross-city comparison")
        lines.append("  most adopted outcomes:")
        for o in comp.most_adopted:
            lines.append(f"    {o['notation']:7} adopted by {o['adopted']}: {o['statement']}")
        lines.append("  least adopted outcomes:")
        for o in comp.least_adopted:
            lines.append(f"    {o['notation']:7} adopted by {o['adopted']}: {o['statement']}")
        lines.append("  best-rated city per process:")
        for notation, entry in comp.best.items():
            who = ", ".join(names.get(m, m) for m in entry["mappings"])
            lines.append(
                f"    {notation:4} {entry['name'][:40]:40} {who} ({entry['score']:.1f}, "
                f"{entry['cities']} rated)"
            )
    lines.append(
        f"score: mean over rated items of their rating's range midpoint ({score_method()})"
    )
    return "\n".join(lines)


def names_for(paths: list[Path]) -> list[str]:
    """Graph names for files: their stems, made unique."""
    seen: dict[str, int] = {}
    out = []
    for p in paths:
        stem = p.stem
        seen[stem] = seen.get(stem, 0) + 1
        out.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return out
