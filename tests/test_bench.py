"""The storage benchmark harness (bench/harness.py) runs end to end on a tiny store.

Its figures are not checked here (speed is measured in ``bench/``, never in tests); what is
checked is that one run measures what issue 4 asks — every named query, validation per mapping,
load and RSS — on bpfgraph's engines and on rdflib alone, and that its tables put the ratios
of the same run side by side.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bpfgraph import queries

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402


def child(engine: str, out: Path, validate: int) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "harness.py"),
            "--child",
            engine,
            "1",
            "--out",
            str(out),
            "--validate",
            str(validate),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("bench")
    # rdflib's validation is pySHACL's (seconds per mapping): not repeated here
    return {"memory": child("memory", out, 1), "rdflib": child("rdflib", out, 0)}


@pytest.mark.parametrize("engine", ["memory", "rdflib"])
def test_every_named_query_is_measured(runs: dict[str, dict], engine: str) -> None:
    result = runs[engine]
    assert {label.split(" (")[0] for label in result["query_s"]} == set(queries.load_all())
    # the per-mapping queries twice: for one mapping and for all of them
    for name in harness.PER_MAPPING:
        assert f"{name} (one)" in result["query_s"] and f"{name} (all)" in result["query_s"]
    assert all(seconds > 0 for seconds in result["query_s"].values())


def test_engines_answer_alike(runs: dict[str, dict]) -> None:
    """The same queries on the same data: bpfgraph's engine and rdflib count the same rows."""
    assert runs["memory"]["rows"] == runs["rdflib"]["rows"]
    # the framework queries get a user's parameters: C2 has outcomes, "data" is found
    assert runs["memory"]["rows"]["process-outcomes"] > 0
    assert runs["memory"]["rows"]["search"] > 0


def test_load_rss_and_validation_are_measured(runs: dict[str, dict]) -> None:
    memory, rdflib = runs["memory"], runs["rdflib"]
    assert memory["load_s"] > 0 and rdflib["load_s"] > 0
    # the same data (framework, entailments, mapping, summary); bpfgraph's stores also hold
    # the digest of the sources they were loaded from (one triple)
    assert memory["quads"] == rdflib["quads"] + 1 > 1000
    assert memory["rss_mib"] > 0 and rdflib["rss_mib"] > 0
    assert memory["validate_s"] > 0
    assert "validate_s" not in rdflib  # --validate 0


def test_tables_show_ratios_of_the_same_run(runs: dict[str, dict]) -> None:
    text = harness.markdown([runs["memory"], runs["rdflib"]])
    table = text.split("Every named query at N = 1")[1]
    for name in queries.load_all():
        assert f"| {name}" in table
    ranking = next(line for line in table.splitlines() if line.startswith("| outcome-adoption"))
    memory, rdflib = runs["memory"]["query_s"], runs["rdflib"]["query_s"]
    # the bracket is rdflib's time over the engine's, both from this run
    expected = harness._ratio(
        memory["outcome-adoption-ranking"], rdflib["outcome-adoption-ranking"]
    )
    assert expected and expected in ranking


def test_ratio_and_duration_formats() -> None:
    assert harness._ratio(0.01, 1.0) == " (100×)"
    assert harness._ratio(None, 1.0) == ""
    assert harness._ratio(1.0, 0.3) == " (0.3×)"  # slower than rdflib: said so
    assert harness._s(0.0042) == "4.2 ms"
    assert harness._s(2.5) == "2.500 s"
    assert harness._s(1234.0) == "1234.0 s"
