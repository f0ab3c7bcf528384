"""shapes/city-mapping.ttl: every rule has a failing and a passing case.

Each file in tests/data/mappings/invalid/ (one per rule) and tests/data/mappings/valid/ (the
same rule satisfied) is a small, complete mapping. Its second line says what the report must
contain (``# expect: Severity: message``) or must not contain (``# expect-none: message``, and
the file must conform).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from bpfgraph.validation import validate_mapping

from .conftest import DATA

INVALID = sorted((DATA / "mappings" / "invalid").glob("*.ttl"))
VALID = sorted((DATA / "mappings" / "valid").glob("*.ttl"))
CASES = INVALID + VALID


def expectation(case: Path) -> tuple[str, str, str]:
    line = case.read_text(encoding="utf-8").splitlines()[1]
    if line.startswith("# expect-none: "):
        return "none", "", line.removeprefix("# expect-none: ")
    severity, _, message = line.removeprefix("# expect: ").partition(": ")
    return "some", severity, message


def test_every_failing_rule_has_a_passing_case():
    assert len(INVALID) >= 25
    assert {c.name for c in INVALID} == {c.name for c in VALID}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_case(case: Path):
    kind, severity, message = expectation(case)
    report = validate_mapping(Graph().parse(case))
    found = [(r.severity, r.message) for r in report.results]
    if kind == "some":
        assert any(s == severity and message in m for s, m in found), found
        assert report.conforms == (severity != "Violation")
    else:
        assert not any(message in m for _s, m in found), found
        assert report.conforms, found


def test_messages_name_processes_in_words():
    report = validate_mapping(
        Graph().parse(DATA / "mappings" / "invalid" / "outcome-of-another-process.ttl")
    )
    (result,) = [r for r in report.results if r.severity == "Violation"]
    assert "G1 Leadership" in result.message and "G3 Integrated Management" in result.message
    assert result.process == "G3 Integrated Management"
    assert str(result.process_mapping).endswith("/G3")


def test_info_lists_each_unaddressed_outcome_with_its_text():
    report = validate_mapping(
        Graph().parse(DATA / "mappings" / "invalid" / "outcome-not-addressed.ttl")
    )
    infos = [r for r in report.results if r.severity == "Info"]
    assert len(infos) == 1
    assert "“Cross-functional services are deployed.”" in infos[0].message
    assert str(infos[0].value).endswith("/process/G3/outcome/3")


# The reference engine (pySHACL) must give the same results as the default (pyshacl-turbo).
IDENTITY = [
    c
    for c in CASES
    if c.stem.split(".")[0]
    in {
        "outcome-of-another-process",
        "duplicate-step-numbers",
        "rating-not-npfl",
        "created-invalid-date",
        "same-process-twice",
        "no-city-mapping",
        "adopted-without-definition",
        "outcome-not-addressed",
        "practice-does-not-exist",
        "unknown-process",
    }
]


@pytest.mark.parametrize("case", IDENTITY, ids=[c.stem for c in IDENTITY])
def test_engines_agree(case: Path):
    graph = Graph().parse(case)

    def signature(engine: str) -> list[tuple]:
        report = validate_mapping(graph, engine=engine)
        return sorted(
            (
                r.severity,
                str(r.focus),
                str(r.path) if isinstance(r.path, URIRef) else "path",
                r.message,
                str(r.value),
            )
            for r in report.results
        )

    assert signature("turbo") == signature("pyshacl")


@pytest.mark.parametrize("extra", [79, 80, 81, 979])
def test_validation_is_bounded_in_process_mappings(extra: int):
    """The duplicate-process shape compares process mappings pairwise: a mapping with more than
    MAX_PROCESS_MAPPINGS of them gets one violation instead of a validation that takes minutes."""
    import time

    from rdflib import RDF, Graph, URIRef

    from bpfgraph.validation import MAX_PROCESS_MAPPINGS, validate_mapping
    from bpfgraph.vocab import BPF

    from .conftest import ROOT

    graph = Graph().parse(ROOT / "data" / "examples" / "aldermoor.ttl")
    mapping = next(graph.subjects(RDF.type, BPF.CityMapping))
    for i in range(extra):
        pm = URIRef(f"https://example.org/extra/pm{i}")
        graph.add((mapping, BPF.hasProcessMapping, pm))
        graph.add((pm, BPF.mapsProcess, URIRef("https://w3id.org/bpfgraph/id/process/G1")))
    count = 21 + extra
    start = time.monotonic()
    report = validate_mapping(graph)
    assert not report.conforms
    capped = [r for r in report.results if "is not validated further" in r.message]
    if count > MAX_PROCESS_MAPPINGS:
        assert len(capped) == 1 and f"{count:,} process mappings" in capped[0].message
        assert time.monotonic() - start < 5
        shacl = URIRef("http://www.w3.org/ns/shacl#conforms")
        assert [o.toPython() for o in report.graph.objects(None, shacl)] == [False]
    else:
        assert not capped
        assert any("more than once" in r.message for r in report.results)
