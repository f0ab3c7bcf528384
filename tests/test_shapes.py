"""shapes/framework.ttl: the framework conforms, and each kind of defect is caught.

Each file in tests/data/invalid-framework/ is added to the framework data; its first line
``# expect: …`` names a message the report must contain.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from bpfgraph.framework import load_part
from bpfgraph.validation import validate_framework

from .conftest import DATA

CASES = sorted((DATA / "invalid-framework").glob("*.ttl"))


def test_framework_conforms():
    report = validate_framework()
    assert report.conforms, [r.message for r in report.results]
    assert report.results == []


def test_there_are_defect_cases():
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_defect_is_reported(case: Path):
    expected = case.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()
    data = Graph()
    data += load_part("framework")
    data.parse(case)
    report = validate_framework(data)
    assert not report.conforms
    messages = [r.message for r in report.results if r.severity == "Violation"]
    assert any(expected in m for m in messages), messages
