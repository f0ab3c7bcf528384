"""``bpfgraph.validate`` for validators' pipelines."""

from __future__ import annotations

import pytest
from rdflib import Graph

import bpfgraph
from bpfgraph.rdfio import RDFInputError

from .conftest import DATA

GOOD = DATA / "mappings" / "valid" / "rating-not-npfl.ttl"
BAD = DATA / "mappings" / "invalid" / "rating-not-npfl.ttl"


def test_validate_a_path_a_graph_and_bytes():
    assert bpfgraph.validate(GOOD).conforms
    assert bpfgraph.validate(str(GOOD)).conforms
    assert bpfgraph.validate(Graph().parse(GOOD)).conforms
    assert bpfgraph.validate(GOOD.read_bytes(), format="turtle").conforms


def test_validate_reports_violations():
    report = bpfgraph.validate(BAD)
    assert not report.conforms
    (violation,) = report.by_severity("Violation")
    assert "ISO/IEC 33020 ratings N, P, L or F" in violation.message
    assert str(violation.path) == "https://w3id.org/bpfgraph/def#achievementRating"


def test_validate_raises_on_unparseable_input():
    with pytest.raises(RDFInputError) as info:
        bpfgraph.validate(b"<urn:a> <urn:b> .", format="turtle")
    assert info.value.line == 1
