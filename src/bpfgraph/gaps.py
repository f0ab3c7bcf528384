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
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.term import Node

from . import queries, rdfio
from .store import SelectResult, Store
from .summaries import framework_index, round_score
from .vocab import GRAPH, PROCESS_IDS, slug
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


def named_rows(
    store: Store, name: str, values: dict[str, str] | None = None
) -> list[dict[str, Node]]:
    """The rows of the named query ``name``, a SELECT, run on ``store`` with ``values``."""
    result = queries.run(store, name, values)
    assert isinstance(result, SelectResult)  # every query this module runs is a SELECT
    return result.rows


def number_of(row: Row, key: str) -> Literal:
    """The literal bound to ``key``: a count or a score (raises KeyError when unbound)."""
    value = row[key]
    assert isinstance(value, Literal)  # the queries bind numbers only to these keys
    return value


def int_of(row: Row, key: str) -> int:
    """The count bound to ``key``, 0 when unbound."""
    return int(number_of(row, key)) if key in row else 0


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
        return overall_score(p.ratings for p in self.processes)


def overall_score(ratings: Iterable[Mapping[str, int]]) -> float | None:
    """The mean of the rating midpoints over the items counted in ``ratings`` (code -> how
    many items have it, one mapping per process), or None when nothing is rated."""
    midpoints = rating_midpoints()
    counts = list(ratings)
    total = sum((midpoints[c] * n for r in counts for c, n in r.items()), Decimal(0))
    count = sum(n for r in counts for n in r.values())
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
    coverage = named_rows(store, "mapping-outcome-coverage")
    practices = {
        (str(r["mapping"]), str(r["notation"])): r
        for r in named_rows(store, "mapping-practice-coverage")
    }
    ratings = {
        (str(r["mapping"]), str(r["notation"])): r for r in named_rows(store, "mapping-ratings")
    }
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
                outcomes=int_of(row, "outcomes"),
                adopted=int_of(row, "adopted"),
                planned=int_of(row, "planned"),
                declined=int_of(row, "declined"),
                not_addressed=int_of(row, "notAddressed"),
                city_outcomes=int_of(row, "cityOutcomes"),
                practices=int_of(prow, "practices"),
                practices_covered=int_of(prow, "covered"),
                sub_processes=int_of(prow, "subProcesses"),
                action_steps=int_of(prow, "actionSteps"),
                ratings={c: int_of(rrow, c) for c in "NPLF"},
                score=float(number_of(rrow, "score")) if "score" in rrow else None,
            )
        )
    return list(reports.values())


def comparison(store: Store, top: int = 5, mappings: Collection[str] | None = None) -> Comparison:
    """The cross-city comparison of the mappings in ``store``, or of ``mappings`` only (e.g.
    each city's latest): ``top`` outcomes each way."""
    scores: dict[str, dict[str, float | None]] = {}
    names: dict[str, str] = {}
    for r in named_rows(store, "mapping-ratings"):
        if mappings is None or str(r["mapping"]) in mappings:
            names[str(r["notation"])] = str(r["name"])
            scores.setdefault(str(r["notation"]), {})[str(r["mapping"])] = (
                float(number_of(r, "score")) if "score" in r else None
            )
    ranking = _ranking(store, mappings)
    best = _best(store) if mappings is None else _best_of(scores, names)
    least = sorted(ranking, key=lambda o: (o["adopted"], o["planned"]))[:top]
    most = [o for o in ranking if o["adopted"] > 0][:top]
    return Comparison(most, least, scores, best)


#: how many of the given mappings adopted, plan and declined each outcome
_ADOPTION_COUNTS = (
    "PREFIX bpf: <https://w3id.org/bpfgraph/def#> "
    "SELECT ?outcome ?link (COUNT(?m) AS ?n) WHERE { VALUES ?m { {mappings} } "
    "VALUES ?link { bpf:adoptedOutcome bpf:plannedOutcome bpf:declinedOutcome } "
    "?m ?link ?outcome } GROUP BY ?outcome ?link"
)


def _ranking(store: Store, mappings: Collection[str] | None) -> list[dict[str, Any]]:
    """The outcomes, most adopted first (``outcome-adoption-ranking``), counted over
    ``mappings`` only when given (most adopted, most planned, then framework order)."""
    ranking: list[dict[str, Any]] = [
        {
            "outcome": str(r["outcome"]),
            "notation": str(r["notation"]),
            "statement": str(r["statement"]),
            "adopted": int_of(r, "adopted"),
            "planned": int_of(r, "planned"),
            "declined": int_of(r, "declined"),
        }
        for r in named_rows(store, "outcome-adoption-ranking")
    ]
    if mappings is None:
        return ranking
    counts: dict[tuple[str, str], int] = {}
    if mappings:
        iris = " ".join(f"<{m}>" for m in sorted(mappings))
        result = store.query(_ADOPTION_COUNTS.replace("{mappings}", iris))
        assert isinstance(result, SelectResult)  # a SELECT
        for r in result.rows:
            link = str(r["link"]).rsplit("#", 1)[1].removesuffix("Outcome")
            counts[(str(r["outcome"]), link)] = int_of(r, "n")
    for o in ranking:
        for kind in ("adopted", "planned", "declined"):
            o[kind] = counts.get((o["outcome"], kind), 0)

    def order(o: dict[str, Any]) -> tuple:
        process, _sep, number = o["notation"].partition("-O")
        return (-o["adopted"], -o["planned"], PROCESS_IDS.index(process), int(number))

    return sorted(ranking, key=order)


def _best(store: Store) -> dict[str, dict]:
    """The best-rated mapping(s) of each process (``best-rated-city-per-process``)."""
    best: dict[str, dict] = {}
    for r in named_rows(store, "best-rated-city-per-process"):
        entry = best.setdefault(
            str(r["notation"]),
            {
                "name": str(r["name"]),
                "mappings": [],
                "score": round(float(number_of(r, "score")), 1),
                "cities": int_of(r, "cities"),
            },
        )
        entry["mappings"].append(str(r["mapping"]))
    return best


def _best_of(scores: dict[str, dict[str, float | None]], names: dict[str, str]) -> dict:
    """What :func:`_best` gives, over the scores of some mappings only."""
    best: dict[str, dict] = {}
    for notation, by_mapping in scores.items():
        rated = {m: s for m, s in by_mapping.items() if s is not None}
        if rated:
            top = max(rated.values())
            best[notation] = {
                "name": names[notation],
                "mappings": sorted(m for m, s in rated.items() if s == top),
                "score": round(top, 1),
                "cities": len(rated),
            }
    return best


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
