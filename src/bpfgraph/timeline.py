"""A city's progress: each mapping of a city (the same ``bpf:city``) is one assessment.

An assessment is dated by its mapping's ``dcterms:modified`` (the day it last changed), else its
``dcterms:created`` — the dates the mapping shapes allow on a mapping; the ``dcterms:date`` of
single ratings says when each item was rated, not when the mapping as a whole was. Every number
comes from the named query ``city-timeline`` (the per-process summary scores of
:mod:`bpfgraph.summaries`), so SPARQL users get the same answers; the comparison of the cities
takes each city's latest assessment by default (:func:`latest_mappings`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .gaps import int_of, named_rows, number_of, overall_score
from .store import Store


@dataclass
class Assessment:
    """One mapping of a city as one assessment: its date (None when the mapping has none),
    and each process it maps (notation -> name, score, rating counts)."""

    mapping: str
    city: str
    date: str | None
    names: dict[str, str] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)
    ratings: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        """The overall score, as :attr:`CityReport.score` computes it."""
        return overall_score(self.ratings.values())


def timeline(store: Store, city: str | None = None) -> list[Assessment]:
    """The assessments of ``city`` (of every city when None), by city, then oldest first:
    the rows of the named query ``city-timeline``."""
    out: dict[str, Assessment] = {}
    for r in named_rows(store, "city-timeline", {"city": city} if city else None):
        mapping = str(r["mapping"])
        date = str(r["date"]) if "date" in r else None
        a = out.setdefault(mapping, Assessment(mapping, str(r["city"]), date))
        notation = str(r["notation"])
        a.names[notation] = str(r["name"])
        a.scores[notation] = float(number_of(r, "score")) if "score" in r else None
        a.ratings[notation] = {c: int_of(r, c) for c in "NPLF"}
    cities = {a.city: i for i, a in enumerate(out.values())}
    return sorted(out.values(), key=lambda a: (cities[a.city], moment(a.date), a.mapping))


def moment(date: str | None) -> float:
    """When an assessment was, in seconds since 1970 (UTC; a date is its midnight UTC, a
    time without a zone is taken as UTC; undated first): dates with zones, fractions of a
    second or years beyond 9999 do not sort as text.

    >>> moment("2025-06-27T23:00:00-05:00") > moment("2025-06-28T01:00:00Z") > moment("2025-06-28")
    True
    >>> moment("10000-01-01") > moment("2025-01-01") > moment("-0044-03-15") > moment("-0100-01-01")
    True
    """
    if date is None:
        return float("-inf")
    try:
        when = dt.datetime.fromisoformat(date)
    except ValueError:
        year = re.match(r"-?\d+", date)  # beyond Python's years 1..9999: the year decides
        return (int(year.group()) - 1970) * 31_556_952.0 if year else float("-inf")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def latest_mappings(store: Store) -> dict[str, str]:
    """Each city's latest mapping (mapping -> city): the last of its :func:`timeline`."""
    return latest_mappings_of(timeline(store))


def latest_mappings_of(assessments: list[Assessment]) -> dict[str, str]:
    """Each city's latest mapping (mapping -> city) among ``assessments`` (oldest first)."""
    latest = {a.city: a.mapping for a in assessments}
    return {m: c for c, m in latest.items()}
