"""``bpfgraph validate`` as a pipeline uses it: exit codes, formats, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, Graph
from rdflib.namespace import SH

from .conftest import DATA
from .test_cli import assert_no_traceback, run

GOOD = DATA / "mappings" / "valid" / "unknown-process.ttl"
BAD = DATA / "mappings" / "invalid" / "unknown-process.ttl"
WARN = DATA / "mappings" / "invalid" / "subprocess-without-steps.ttl"


def test_conforming_file_exits_0():
    proc = run("validate", str(GOOD))
    assert proc.returncode == 0, proc.stdout
    assert "conforms — 0 violations" in proc.stdout
    assert (
        proc.stdout.strip().splitlines()[-1]
        == "summary: 1 file, 0 violations, 0 warnings, 0 infos — conforms"
    )


def test_violation_exits_1_with_grouped_text():
    proc = run("validate", str(BAD))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert any(
        line.strip().startswith("Violation") and "is not one of the 21 processes" in line
        for line in lines
    )
    assert any(
        "focus: https://example.org/city/testville/bpf-mapping/G3 (Joined-up city management)"
        in line
        for line in lines
    )
    assert lines[-1].endswith("does not conform")


def test_warnings_pass_unless_strict():
    assert run("validate", str(WARN)).returncode == 0
    proc = run("validate", "--strict", str(WARN))
    assert proc.returncode == 1
    assert "(strict: warnings count)" in proc.stdout


def test_json_format_follows_the_documented_schema():
    proc = run("validate", "--format", "json", str(GOOD), str(BAD))
    doc = json.loads(proc.stdout)
    assert set(doc) == {"conforms", "strict", "summary", "files"}
    assert doc["conforms"] is False
    assert doc["summary"] == {"files": 2, "violations": 1, "warnings": 0, "infos": 0}
    bad = doc["files"][1]
    assert bad["file"] == str(BAD) and bad["conforms"] is False and bad["error"] is None
    (result,) = bad["results"]
    assert set(result) == {
        "severity",
        "message",
        "focusNode",
        "focusLabel",
        "path",
        "value",
        "processMapping",
        "process",
        "sourceShape",
        "cell",
    }
    assert result["severity"] == "Violation"
    assert result["cell"] is None  # a Turtle file has no cells
    assert result["value"] == "https://w3id.org/bpfgraph/id/process/G9"


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
@pytest.mark.parametrize(
    ("case", "exit_code", "standard", "results"),
    [(GOOD, 0, "true", 0), (WARN, 0, "false", 1), (BAD, 1, "false", 1)],
    ids=["conforming", "warning-only", "violation"],
)
def test_turtle_format_is_a_standard_shacl_report(
    case: Path, exit_code: int, standard: str, results: int, engine: str
):
    """SHACL §3.6.1: sh:conforms is false whenever the report holds a result, a warning
    included; the human verdict (no violations: exit 0, "conforms") stays in text and JSON."""
    proc = run("validate", "--format", "turtle", "--engine", engine, str(case))
    assert proc.returncode == exit_code, proc.stderr
    g = Graph().parse(data=proc.stdout, format="turtle")
    (report,) = g.subjects(RDF.type, SH.ValidationReport)
    assert [str(v) for v in g.objects(report, SH.conforms)] == [standard]
    assert len(list(g.objects(report, SH.result))) == results
    doc = json.loads(run("validate", "--format", "json", "--engine", engine, str(case)).stdout)
    assert doc["conforms"] is (exit_code == 0)
    text = run("validate", "--engine", engine, str(case)).stdout
    assert text.splitlines()[-1].endswith(" conforms" if exit_code == 0 else "does not conform")


def test_parse_error_exits_2_with_file_and_line(tmp_path: Path):
    bad = tmp_path / "broken.ttl"
    bad.write_text(
        "@prefix bpf: <https://w3id.org/bpfgraph/def#> .\n\n<urn:a> a bpf:CityMapping ;\n  bpf:city .\n"
    )
    proc = run("validate", str(bad), str(GOOD))
    assert proc.returncode == 2
    assert f"{bad}:4" in proc.stdout
    assert_no_traceback(proc)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("mapping.docx", "x", "cannot tell the RDF syntax"),
        ("missing.ttl", None, "cannot read file"),
        ("bad-iri.ttl", "<urn:a> <urn:b> <http://x/a b> .", "invalid IRI"),
        (
            "remote.jsonld",
            '{"@context": "https://example.org/ctx", "@id": "urn:a"}',
            "remote JSON-LD context",
        ),
        ("not-utf8.nt", b'<urn:a> <urn:b> "\xff" .', "not valid UTF-8"),
    ],
)
def test_unreadable_inputs_exit_2(tmp_path: Path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    proc = run("validate", str(path))
    assert proc.returncode == 2
    assert message in proc.stdout
    assert_no_traceback(proc)


def test_invalid_literal_is_a_violation_not_a_traceback():
    proc = run("validate", str(DATA / "mappings" / "invalid" / "created-invalid-date.ttl"))
    assert proc.returncode == 1
    assert "must be one valid xsd:date" in proc.stdout
    assert_no_traceback(proc)


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".jsonld", "json-ld"), (".nt", "nt"), (".rdf", "xml"), (".trig", "trig")]
)
def test_any_rdf_syntax(tmp_path: Path, suffix: str, fmt: str):
    g = Graph().parse(GOOD)
    path = tmp_path / f"mapping{suffix}"
    if fmt == "trig":
        from rdflib import Dataset, URIRef

        ds = Dataset()
        ds.graph(URIRef("urn:g")).__iadd__(g)
        path.write_text(ds.serialize(format="trig"))
    else:
        path.write_text(g.serialize(format=fmt))
    proc = run("validate", str(path))
    assert proc.returncode == 0, proc.stdout


def test_pyshacl_engine_option():
    proc = run("validate", "--engine", "pyshacl", str(BAD))
    assert proc.returncode == 1
    assert "is not one of the 21 processes" in proc.stdout


def test_pre_commit_hook_runs_the_validate_command():
    import yaml

    from .conftest import ROOT

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "bpfgraph-validate"
    assert hook["entry"] == "bpfgraph validate"
    assert hook["language"] == "python"
    import re

    assert re.search(hook["files"], "cities/aldermoor.ttl") and not re.search(
        hook["files"], "README.md"
    )
