"""``bpfgraph template``: a complete skeleton that is valid as it is and once filled."""

from __future__ import annotations

from rdflib import RDF, Graph

from bpfgraph.template import render
from bpfgraph.validation import validate_mapping
from bpfgraph.vocab import BPF, ID

from .test_cli import assert_no_traceback, run
from .test_framework import TABLE


def test_template_is_complete_and_valid(tmp_path):
    out = tmp_path / "alpha.ttl"
    proc = run(
        "template",
        "--city",
        "https://example.org/city/alpha",
        "--label",
        "Alpha 2025",
        "--output",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    g = Graph().parse(out)
    assert len(set(g.subjects(RDF.type, BPF.ProcessMapping))) == 21
    assert len(set(g.subjects(RDF.type, BPF.OutcomeAdoption))) == sum(
        r["outcome_count"] for r in TABLE
    )
    assert len(set(g.subjects(RDF.type, BPF.SubProcess))) == sum(r["practice_count"] for r in TABLE)
    report = validate_mapping(g)
    # valid, but unfinished: every TODO text left in is a warning, and nothing else is said
    assert report.conforms
    todo = [r for r in report.results if "A TODO is left in" in r.message]
    assert todo and all(r.severity == "Warning" for r in todo)
    assert len(todo) == len(report.results) == sum(1 for _s, _p, o in g if "TODO" in str(o))


def test_filled_template_validates_and_reports():
    text = render("https://example.org/city/beta", "Beta", today=None)
    text = text.replace(
        "TODO: how the city defines this outcome", "Defined in the Beta city plan 2025"
    )
    text = text.replace(f"<{ID['adoption-status/planned']}>", f"<{ID['adoption-status/adopted']}>")
    text = text.replace(
        "bpf:stepNumber 1 ;",
        "bpf:stepNumber 1 ;\n    bpf:achievementRating <https://w3id.org/bpfgraph/id/rating/F> ;",
    )
    text = text.replace("TODO: ", "Filled in: ")
    g = Graph().parse(data=text, format="turtle")
    report = validate_mapping(g)
    # a rating on an action step is not part of the vocabulary's assessment, but harmless
    assert report.conforms, [r.message for r in report.results]
    assert not any(r.severity == "Warning" for r in report.results)


def test_template_rejects_bad_input():
    proc = run("template", "--city", "not an iri", "--label", "X")
    assert proc.returncode == 2
    assert "is not an absolute IRI" in proc.stderr
    assert_no_traceback(proc)
    proc = run("template", "--city", "https://example.org/c", "--label", "  ")
    assert proc.returncode == 2
    assert "needs a name" in proc.stderr


def test_template_quotes_names_safely():
    text = render("https://example.org/city/q", 'Quote "City" \\ test')
    g = Graph().parse(data=text, format="turtle")
    labels = {str(o) for o in g.objects(None, None) if 'Quote "City"' in str(o)}
    assert labels == {'Quote "City" \\ test'}
