"""What the city pages show: the cities' reports and assessments (read once per store
version), one city's adoption of each outcome, a city's progress over its assessments, and the
comparison of the cities process by process (each city's latest assessment by default)."""

from __future__ import annotations

from urllib.parse import quote

from rdflib import SKOS

from .. import gaps, queries, timeline
from ..store.base import SelectResult
from ..vocab import BPF, ID, PROCESS_IDS
from .errors import ProtocolError
from .pages import framework
from .state import State
from .timeline_chart import chart

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


def assessments(st: State) -> list[timeline.Assessment]:
    """Every city's assessments, by city and oldest first, read once per store version."""

    def make() -> tuple[list[timeline.Assessment], str, str]:
        return (timeline.timeline(st.store), "", "")

    return st.cache.compute(("city-timeline",), make)[0]


#: the most assessments the timeline's "compare" link names (the latest), and the longest
#: that link may be: nginx, which README puts in front of the service, answers 414 to a
#: request line longer than its 8 KiB header buffer (``large_client_header_buffers 4 8k``);
#: bpfgraph's own server (uvicorn with httptools) sets no limit of its own
COMPARE_MOST, LINK_LIMIT = 8, 7000


def iri_param(name: str, value: str, what: str) -> str:
    """``value``, the query parameter ``name``, if it is an IRI (the check ``/id/…`` makes);
    400 naming the parameter and what is wrong otherwise — a space or control character
    anywhere (a trailing line feed too), no scheme, a character RDF forbids."""
    try:
        return queries.to_term(queries.Param(name, "iri"), value)[1:-1]
    except queries.QueryError as exc:
        problem = exc.args[0].split(" is not an IRI", 1)[-1]
        raise ProtocolError(
            400, f"{name}=: {value[:200]!r} is not an IRI{problem}; give the IRI of {what}"
        ) from None


def city_href(city: str) -> str:
    """The link to a city's progress page."""
    return "/city?city=" + quote(city, safe="")


def fmt_score(x: float | None) -> str:
    """A score as the pages show it (– when there is none)."""
    return "–" if x is None else f"{x:.1f}"


def cities_view(st: State) -> dict:
    """The list of cities with their processes mapped and their scores."""
    dates = {a.mapping: a.date for a in assessments(st)}
    items = [
        {
            "label": c.label,
            "city": c.city,
            "processes": len(c.processes),
            "score": fmt_score(c.score),
            "href": "/city?mapping=" + quote(c.mapping, safe=""),
            "city_href": city_href(c.city),
            "date": dates.get(c.mapping) or "–",
        }
        for c in city_reports(st)
    ]
    return {"title": "Cities", "cities": items}


def city_view(st: State, mapping: str) -> dict:
    """One city's page: a row per process mapped, a cell per outcome (404: no such mapping)."""
    mapping = iri_param("mapping", mapping, "a city mapping")
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
        "city": {
            "label": c.label,
            "city": c.city,
            "score": fmt_score(c.score),
            "href": city_href(c.city),
        },
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


def compare_view(st: State, chosen: list[str] | None = None) -> dict:
    """The comparison page: each process's score in each mapping compared — each city's
    latest unless ``chosen`` names mappings (404: one is unknown) — the best, the most and
    least adopted."""
    every = city_reports(st)
    known = {c.mapping for c in every}
    for m in chosen or []:
        iri_param("mapping", m, "a city mapping")
        if m not in known:
            raise ProtocolError(404, f"mapping=: no city mapping <{m}>")
    if not every:
        return {"title": "Compare", "cities": []}
    picked = set(chosen) if chosen else set(timeline.latest_mappings_of(assessments(st)))
    # by city, then oldest first
    position = {a.mapping: i for i, a in enumerate(assessments(st))}
    reports = sorted(
        (c for c in every if c.mapping in picked), key=lambda c: position.get(c.mapping, -1)
    )
    comp = gaps.comparison(st.store, mappings=None if picked == known else picked)
    names = {c.mapping: c.label for c in reports}
    dates = {a.mapping: a.date for a in assessments(st)}
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
    choices = [
        {
            "mapping": c.mapping,
            "label": c.label,
            "date": dates.get(c.mapping) or "undated",
            "checked": c.mapping in picked,
        }
        for c in sorted(every, key=lambda c: position.get(c.mapping, -1))
    ]
    return {
        "title": "Compare",
        "cities": reports,
        "dates": [dates.get(c.mapping) or "undated" for c in reports],
        "latest": not chosen,
        "left_out": len(every) - len(reports),
        "choices": choices if len(choices) > len(reports) or chosen else [],
        "rows": rows,
        "most": comp.most_adopted,
        "least": comp.least_adopted,
    }


def timeline_view(st: State, city: str) -> dict:
    """A city's progress: the score of each process in each of its assessments, oldest first,
    as a table and a chart (400: not an IRI; 404: no mapping names the city)."""
    iri = iri_param("city", city, "a city")
    found = [a for a in assessments(st) if a.city == iri]
    if not found:
        raise ProtocolError(404, f"no city mapping names the city <{iri}>")
    labels = {c.mapping: c.label for c in city_reports(st)}
    dates = [a.date or "undated" for a in found]
    names = {n: name for a in found for n, name in a.names.items()}
    # (notation, name, score in each assessment, whether each mapped the process)
    series: list[tuple[str, str, list[float | None], list[bool]]] = [
        ("", "Overall", [a.score for a in found], [True] * len(found))
    ]
    series += [
        (pid, names[pid], [a.scores.get(pid) for a in found], [pid in a.scores for a in found])
        for pid in PROCESS_IDS
        if pid in names
    ]
    rows = [
        {
            "notation": notation,
            "name": name,
            "href": f"/id/process/{notation}" if notation else "",
            "cells": [
                fmt_score(x) if m else "not mapped" for x, m in zip(scores, mapped, strict=True)
            ],
            "change": _change(scores),
        }
        for notation, name, scores, mapped in series
    ]
    latest = labels.get(found[-1].mapping, found[-1].mapping)
    svg = chart(
        f"Score per process in each assessment of {iri}",
        [(n or "Overall", f"{n} {name}".strip(), scores) for n, name, scores, _m in series],
        dates,
    )
    return {
        "title": f"Progress of {latest}",
        "city": iri,
        "assessments": [
            {
                "mapping": a.mapping,
                "label": labels.get(a.mapping, a.mapping),
                "date": d,
                "href": "/city?mapping=" + quote(a.mapping, safe=""),
                "score": fmt_score(a.score),
            }
            for a, d in zip(found, dates, strict=True)
        ],
        "rows": rows,
        "svg": svg,
        **compare_link([a.mapping for a in found]),
    }


def compare_link(mappings: list[str]) -> dict:
    """The link comparing a city's latest assessments, ``mappings`` oldest first: at most
    :data:`COMPARE_MOST`, fewer if their IRIs make it longer than :data:`LINK_LIMIT`, none
    (an empty link) if two do; and how many it compares."""
    latest = mappings[-COMPARE_MOST:]
    while latest:
        link = "/compare?" + "&".join("mapping=" + quote(m, safe="") for m in latest)
        if len(link) <= LINK_LIMIT:
            break
        latest = latest[1:]
    if len(latest) < 2:
        return {"compare": "", "compared": 0}
    return {"compare": link, "compared": len(latest)}


def _change(scores: list[float | None]) -> str:
    """The change from the first score to the last (– with fewer than two)."""
    known = [x for x in scores if x is not None]
    return f"{known[-1] - known[0]:+.1f}" if len(known) > 1 else "–"
