"""``bpfgraph report`` on the example mappings.

The expected numbers are computed here by walking the graphs in Python, independently of the
SPARQL queries the report is built on.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from statistics import mean

import pytest
from rdflib import RDF, Graph, URIRef

from bpfgraph.vocab import BPF, ID

from .conftest import ROOT
from .test_cli import assert_no_traceback, run

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))
MID = {"N": 7.5, "P": 32.5, "L": 67.5, "F": 92.5}
STATUS = {ID[f"adoption-status/{s}"]: s for s in ("adopted", "planned", "declined")}


@pytest.fixture(scope="module")
def framework_graph() -> Graph:
    from bpfgraph.framework import load_part

    return load_part("framework")


def expected(path: Path, fw: Graph) -> dict:
    g = Graph().parse(path)
    (mapping,) = g.subjects(RDF.type, BPF.CityMapping)
    out = {}
    for pm in g.objects(mapping, BPF.hasProcessMapping):
        process = g.value(pm, BPF.mapsProcess)
        notation = str(fw.value(process, URIRef("http://www.w3.org/2004/02/skos/core#notation")))
        outcomes = set(fw.objects(process, BPF.hasOutcome))
        statuses = Counter()
        addressed = set()
        for a in g.objects(pm, BPF.hasOutcomeAdoption):
            o = g.value(a, BPF.adoptsOutcome)
            if o in outcomes:
                addressed.add(o)
                statuses[STATUS[g.value(a, BPF.adoptionStatus)]] += 1
        practices = set(fw.objects(process, BPF.hasBasePractice))
        subs = list(g.objects(pm, BPF.hasSubProcess))
        covered = {bp for s in subs for bp in g.objects(s, BPF.deliversPractice)} & practices
        ratings = Counter()
        for item in [*g.objects(pm, BPF.hasOutcomeAdoption), *subs]:
            r = g.value(item, BPF.achievementRating)
            if r is not None:
                ratings[str(r).rsplit("/", 1)[1]] += 1
        rated = [MID[c] for c, n in ratings.items() for _ in range(n)]
        out[notation] = {
            "total": len(outcomes),
            "adopted": statuses["adopted"],
            "planned": statuses["planned"],
            "declined": statuses["declined"],
            "notAddressed": len(outcomes - addressed),
            "practices": len(practices),
            "covered": len(covered),
            "ratings": {c: ratings.get(c, 0) for c in "NPLF"},
            "score": float(Decimal(str(mean(rated))).quantize(Decimal("0.1"), ROUND_HALF_UP))
            if rated
            else None,
        }
    return {"mapping": str(mapping), "processes": out}


def test_there_are_three_examples():
    assert [p.stem for p in EXAMPLES] == ["aldermoor", "kestrel-bay", "valdoria"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_are_valid_and_marked(path: Path):
    import bpfgraph

    report = bpfgraph.validate(path)
    assert report.conforms
    assert report.by_severity("Warning") == []
    assert "fictional" in path.read_text(encoding="utf-8").lower()


@pytest.fixture(scope="module")
def report_json() -> dict:
    proc = run("report", "--format", "json", *map(str, EXAMPLES))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_gap_analysis_numbers(report_json, framework_graph, path: Path):
    want = expected(path, framework_graph)
    (city,) = [c for c in report_json["cities"] if c["mapping"] == want["mapping"]]
    got = {p["process"]: p for p in city["processes"]}
    assert set(got) == set(want["processes"])
    for notation, w in want["processes"].items():
        g = got[notation]
        assert g["outcomes"]["total"] == w["total"], notation
        assert (g["outcomes"]["adopted"], g["outcomes"]["planned"], g["outcomes"]["declined"]) == (
            w["adopted"],
            w["planned"],
            w["declined"],
        ), notation
        assert g["outcomes"]["notAddressed"] == w["notAddressed"], notation
        assert (g["practices"]["total"], g["practices"]["covered"]) == (
            w["practices"],
            w["covered"],
        ), notation
        assert g["ratings"] == w["ratings"], notation
        assert g["score"] == w["score"], notation


def test_examples_differ_in_coverage(report_json):
    sizes = sorted(len(c["processes"]) for c in report_json["cities"])
    assert sizes[0] < sizes[1] < sizes[2] == 21


def test_cross_city_comparison(report_json, framework_graph):
    comp = report_json["comparison"]
    wants = [expected(p, framework_graph) for p in EXAMPLES]
    # best-rated city per process: recompute from the per-process scores
    for notation, entry in comp["bestRatedPerProcess"].items():
        scores = {
            w["mapping"]: w["processes"][notation]["score"]
            for w in wants
            if notation in w["processes"]
        }
        scores = {m: s for m, s in scores.items() if s is not None}
        best = max(scores.values())
        assert entry["score"] == pytest.approx(best, abs=0.05)
        assert set(entry["mappings"]) == {m for m, s in scores.items() if abs(s - best) < 0.05}
        assert entry["cities"] == len(scores)
    most = comp["mostAdoptedOutcomes"]
    assert most and all(a["adopted"] >= b["adopted"] for a, b in itertools.pairwise(most))
    assert max(o["adopted"] for o in most) <= 3
    assert comp["leastAdoptedOutcomes"][0]["adopted"] <= most[-1]["adopted"]


def test_single_city_has_no_comparison():
    proc = run("report", str(EXAMPLES[0]))
    assert proc.returncode == 0
    assert "Cross-city comparison" not in proc.stdout
    assert "summary score" in proc.stdout


def test_report_refuses_files_without_mappings(tmp_path: Path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("<urn:a> <urn:b> <urn:c> .\n")
    proc = run("report", str(empty))
    assert proc.returncode == 2
    assert "no bpf:CityMapping" in proc.stderr
    assert_no_traceback(proc)


def test_report_numbers_equal_the_named_queries(store):
    from bpfgraph import queries
    from bpfgraph.gaps import city_reports, load_mappings
    from bpfgraph.store.engines import framework_store

    s = framework_store()
    load_mappings(s, [(p.stem, Graph().parse(p)) for p in EXAMPLES])
    rows = queries.run(s, "mapping-ratings").rows
    by_key = {(str(r["mapping"]), str(r["notation"])): r for r in rows}
    for city in city_reports(s):
        for p in city.processes:
            row = by_key[(city.mapping, p.notation)]
            assert p.score == (float(row["score"]) if "score" in row else None)
