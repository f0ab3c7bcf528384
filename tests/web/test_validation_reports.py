"""POST /validate: the Turtle report is standard SHACL, the JSON and HTML keep the verdict."""

from __future__ import annotations

import httpx
import pytest
from rdflib import RDF, Graph
from rdflib.namespace import SH

from ..conftest import DATA

CASES = [
    ("valid/unknown-process.ttl", True, "true", 0),
    ("invalid/subprocess-without-steps.ttl", True, "false", 1),  # a warning only
    ("invalid/created-not-a-date.ttl", False, "false", None),
]


@pytest.mark.parametrize(("case", "verdict", "standard", "results"), CASES)
def test_turtle_report_conforms_only_without_results(
    client: httpx.Client, case: str, verdict: bool, standard: str, results: int | None
):
    """SHACL §3.6.1: sh:conforms is false when the report holds any result, warnings and
    infos included; the JSON's `conforms` is bpfgraph's verdict: no violations."""
    body = (DATA / "mappings" / case).read_bytes()
    r = client.post(
        "/validate", content=body, headers={"Content-Type": "text/turtle", "Accept": "text/turtle"}
    )
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    (report,) = g.subjects(RDF.type, SH.ValidationReport)
    assert [str(v) for v in g.objects(report, SH.conforms)] == [standard]
    if results is not None:
        assert len(list(g.objects(report, SH.result))) == results
    r = client.post("/validate", content=body, headers={"Content-Type": "text/turtle"})
    assert r.json()["conforms"] is verdict
