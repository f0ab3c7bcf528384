"""The date of an assessment and the order of a city's timeline, on the embedded store: each
mapping of a city is dated by its dcterms:modified, else its dcterms:created (xsd:date or
xsd:dateTime), and a mapping with neither comes first, undated."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef

from bpfgraph import gaps, timeline
from bpfgraph.loading import ensure_loaded
from bpfgraph.store.oxigraph import OxigraphStore
from bpfgraph.vocab import PROCESS_IDS
from bpfgraph.web import city_pages, timeline_chart
from bpfgraph.writes import store_mapping

from .conftest import ROOT

CITY = "https://example.org/city/valdoria"
MODIFIED = URIRef("http://purl.org/dc/terms/modified")
CREATED = URIRef("http://purl.org/dc/terms/created")
XSD = "http://www.w3.org/2001/XMLSchema#"
SOURCE = (ROOT / "data" / "examples" / "valdoria.ttl").read_text(encoding="utf-8")

#: name -> (dcterms:modified, dcterms:created) as (lexical form, datatype) or None
VARIANTS = {
    "undated": (None, None),
    "modified-date": (("2025-05-15", "date"), ("2024-01-01", "date")),
    "created-datetime": (None, ("2025-09-01T10:00:00", "dateTime")),
    "modified-datetime": (("2026-01-02T08:30:00Z", "dateTime"), ("2025-12-01", "date")),
    "modified-later-date": (("2026-03-01", "date"), None),
}
#: the timeline's order and each assessment's date
EXPECTED = [
    ("undated", None),
    ("modified-date", "2025-05-15"),
    ("created-datetime", "2025-09-01T10:00:00"),
    ("modified-datetime", "2026-01-02T08:30:00+00:00"),  # rdflib writes Z so
    ("modified-later-date", "2026-03-01"),
]


def mapping_iri(name: str) -> str:
    return f"{CITY}/bpf-mapping-{name}/mapping"


def variant(name: str) -> Graph:
    """The Valdoria example under IRIs of its own, with the dates of ``VARIANTS[name]``."""
    text = SOURCE.replace(f"{CITY}/bpf-mapping/", f"{CITY}/bpf-mapping-{name}/")
    g = Graph().parse(data=text, format="turtle")
    m = URIRef(mapping_iri(name))
    g.remove((m, MODIFIED, None))
    g.remove((m, CREATED, None))
    for prop, value in zip((MODIFIED, CREATED), VARIANTS[name], strict=True):
        if value is not None:
            g.add((m, prop, Literal(value[0], datatype=URIRef(XSD + value[1]))))
    return g


@pytest.fixture(scope="module")
def store() -> Iterator[OxigraphStore]:
    s = OxigraphStore(None)
    ensure_loaded(s)
    for name in sorted(VARIANTS, reverse=True):  # stored in another order than the dates'
        store_mapping(s, variant(name))
    for other in ("aldermoor", "kestrel-bay"):
        store_mapping(s, Graph().parse(ROOT / "data" / "examples" / f"{other}.ttl"))
    yield s
    s.close()


def test_timeline_orders_by_date_and_dates_by_the_mapping(store: OxigraphStore) -> None:
    got = [(a.mapping, a.date) for a in timeline.timeline(store, CITY)]
    assert got == [(mapping_iri(n), d) for n, d in EXPECTED]


def test_every_city_by_city_then_date(store: OxigraphStore) -> None:
    cities = [a.city for a in timeline.timeline(store)]
    assert cities == sorted(cities)
    assert set(cities) == {
        CITY,
        "https://example.org/city/aldermoor",
        "https://example.org/city/kestrel-bay",
    }


def test_latest_is_the_last_of_each_city(store: OxigraphStore) -> None:
    latest = timeline.latest_mappings(store)
    assert latest[mapping_iri("modified-later-date")] == CITY
    assert len(latest) == 3


def test_scores_are_those_of_the_gap_report(store: OxigraphStore) -> None:
    reports = {c.mapping: c for c in gaps.city_reports(store)}
    for a in timeline.timeline(store):
        report = reports[a.mapping]
        assert a.score == report.score is not None
        assert a.scores == {p.notation: p.score for p in report.processes}


@pytest.mark.parametrize("city", ["https://example.org/city/nowhere", f"{CITY}/bpf-mapping"])
def test_a_city_with_no_mapping_has_no_assessment(store: OxigraphStore, city: str) -> None:
    assert timeline.timeline(store, city) == []


def test_comparison_of_the_latest_counts_those_only(store: OxigraphStore) -> None:
    latest = set(timeline.latest_mappings(store))
    comp = gaps.comparison(store, top=100, mappings=latest)
    assert {m for scores in comp.scores.values() for m in scores} == latest
    assert all(set(b["mappings"]) <= latest for b in comp.best.values())
    every = gaps.comparison(store, top=100)
    # the five Valdoria mappings adopt the same outcomes: counted once among the latest
    top = every.most_adopted[0]
    mine = next(o for o in comp.most_adopted if o["outcome"] == top["outcome"])
    assert top["adopted"] - mine["adopted"] == 4


def test_comparison_of_every_mapping_named_is_that_of_the_named_queries(
    store: OxigraphStore,
) -> None:
    every = {a.mapping for a in timeline.timeline(store)}
    assert len(every) == 7
    named = gaps.comparison(store, top=200)
    chosen = gaps.comparison(store, top=200, mappings=every)
    assert chosen.scores == named.scores
    assert chosen.best == named.best
    assert chosen.most_adopted == named.most_adopted
    assert chosen.least_adopted == named.least_adopted


#: dates whose text order is not their time order (the attack's finding: "latest" was chosen
#: by text): (earlier, later)
OUT_OF_TEXT_ORDER = [
    ("2025-06-28T01:00:00Z", "2025-06-27T23:00:00-05:00"),
    ("2025-06-28", "2025-06-27T23:00:00-05:00"),
    ("2025-01-01T12:00:00+14:00", "2025-01-01T00:00:00"),
    ("2025-01-01T10:00:00Z", "2025-01-01T10:00:00.5Z"),
    ("2025-01-01", "10000-01-01"),
    ("-0100-01-01", "-0044-03-15"),
]


@pytest.mark.parametrize(("earlier", "later"), OUT_OF_TEXT_ORDER)
def test_the_latest_assessment_is_the_latest_in_time(earlier: str, later: str) -> None:
    city = "https://example.org/city/x"
    both = [
        timeline.Assessment("urn:later", city, later),
        timeline.Assessment("urn:earlier", city, earlier),
    ]
    ordered = sorted(both, key=lambda a: timeline.moment(a.date))
    assert [a.mapping for a in ordered] == ["urn:earlier", "urn:later"]
    assert timeline.latest_mappings_of(ordered) == {"urn:later": city}


# -- the chart holds any number of assessments -----------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"
#: the width of a character of sans-serif as a share of the font size: 0.6 em is wider than
#: its digits, hyphen, colon and lower-case letters (what dates are made of)
EM = 0.6
DATE_KINDS = {
    "date": lambda i: f"{2000 + i // 12:04d}-{i % 12 + 1:02d}-15",
    "datetime": lambda i: f"{2000 + i // 12:04d}-{i % 12 + 1:02d}-15T10:30:00+02:00",
    "mixed": lambda i: "undated" if i == 0 else f"{2000 + i:04d}-01-01T00:00:00.123456Z",
    "long": lambda i: f"{i:03d}" + "9" * 120,  # a year of many digits: cut, ending in …
}


def _rows() -> list[tuple[str, str, list[float | None]]]:
    return [("Overall", "Overall", [])] + [(p, f"{p} process", []) for p in PROCESS_IDS]


def boxes(svg: str) -> tuple[tuple[float, float], list[tuple[str, float, float, float, float]]]:
    """The viewBox's size, and each text's (text, left, top, right, bottom) as estimated."""
    root = ET.fromstring(svg)
    _x0, _y0, width, height = (float(v) for v in root.attrib["viewBox"].split())
    size = float(root.attrib["font-size"])
    out = []
    for t in root.iter(f"{SVG}text"):
        text = t.text or ""
        x, y = float(t.attrib["x"]), float(t.attrib["y"])
        w = len(text) * size * EM
        anchor = t.attrib.get("text-anchor", "start")
        left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
        out.append((text, left, y - size, left + w, y + size * 0.25))
    return (width, height), out


def shapes(svg: str) -> list[tuple[float, float]]:
    """Every point the markers reach: circles' and squares' corners, polygons' points."""
    root = ET.fromstring(svg)
    points = []
    for c in root.iter(f"{SVG}circle"):
        cx, cy, r = (float(c.attrib[k]) for k in ("cx", "cy", "r"))
        points += [(cx - r, cy - r), (cx + r, cy + r)]
    for r in root.iter(f"{SVG}rect"):
        x, y, w, h = (float(r.attrib[k]) for k in ("x", "y", "width", "height"))
        points += [(x, y), (x + w, y + h)]
    for p in root.iter(f"{SVG}polygon"):
        for pt in p.attrib["points"].split():
            px, py = pt.split(",")
            points.append((float(px), float(py)))
    return points


@pytest.mark.parametrize("kind", sorted(DATE_KINDS))
@pytest.mark.parametrize("count", [1, 2, 8, 9, 20, 60])
def test_the_chart_holds_any_number_of_assessments(count: int, kind: str) -> None:
    dates = [DATE_KINDS[kind](i) for i in range(count)]
    rows = [
        (s, n, [float((i * 7 + j * 13) % 101) for j in range(count)])
        for i, (s, n, _) in enumerate(_rows())
    ]
    svg = timeline_chart.chart("Progress", rows, dates)
    (width, height), texts = boxes(svg)
    for text, left, top, right, bottom in texts:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, (
            text,
            left,
            top,
            right,
            bottom,
        )
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, f"{a[0]!r} overlaps {b[0]!r}"
    for x, y in shapes(svg):
        assert 0 <= x <= width and 0 <= y <= height
    # the legend: every assessment's date, in order, whole or cut with …
    legend = [t[0] for t in texts][:count]
    for date, shown in zip(dates, legend, strict=True):
        assert shown == date or (shown.endswith("…") and date.startswith(shown[:-1]))
    # every marker titled, with its whole date
    titles = [t.text for t in ET.fromstring(svg).iter(f"{SVG}title")][1:]
    assert len(titles) == count * len(rows)
    assert all(
        any(t.endswith(f"{d}: {s:.1f}") for t in titles)
        for d, s in zip(dates, rows[0][2], strict=True)
    )


#: (how many mappings, the length of each IRI) -> how many the compare link names (0: no link)
LINKS = [
    (2, 40, 2),
    (8, 40, 8),
    (9, 40, 8),
    (60, 40, 8),
    (20, 2000, 3),
    (20, 3400, 2),
    (20, 3600, 0),
    (1, 40, 0),
]


@pytest.mark.parametrize(("count", "length", "named"), LINKS)
def test_the_compare_link_names_the_latest_that_fit(count: int, length: int, named: int) -> None:
    mappings = [f"https://example.org/m/{i:03d}/".ljust(length, "x") for i in range(count)]
    link = city_pages.compare_link(mappings)
    assert link["compared"] == named
    if not named:
        assert link["compare"] == ""
        return
    assert len(link["compare"]) <= city_pages.LINK_LIMIT
    assert link["compare"] == "/compare?" + "&".join(
        "mapping=" + quote(m, safe="") for m in mappings[-named:]
    )
