"""The bpfgraph command, run as users run it: a real subprocess of the installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import to_isomorphic

from .conftest import ROOT

BPFGRAPH = [sys.executable, "-m", "bpfgraph.cli"]


def run(
    *args: str, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BPFGRAPH, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_console_script_is_installed():
    exe = shutil.which("bpfgraph", path=str(Path(sys.executable).parent))
    assert exe, "the bpfgraph console script is not installed next to the interpreter"
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("bpfgraph ")


def test_check_passes_on_the_project():
    proc = run("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check passed: no problems" in proc.stdout
    assert "OWL RL reasoning (owlrl): ok" in proc.stdout


@pytest.fixture
def broken_tree(tmp_path: Path) -> Path:
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_check_reports_a_shacl_violation(broken_tree: Path):
    (broken_tree / "data" / "broken.ttl").write_text(
        "<https://w3id.org/bpfgraph/id/process/G1> a <https://w3id.org/bpfgraph/def#CoreProcess> .\n"
    )
    proc = run("check", env={"BPFGRAPH_RESOURCE_ROOT": str(broken_tree)})
    assert proc.returncode == 1
    assert "check failed" in proc.stdout
    assert "exactly one of governance, core or supporting process" in proc.stdout
    assert "process/G1" in proc.stdout
    assert_no_traceback(proc)


def test_check_reports_a_parse_error_with_file_and_line(broken_tree: Path):
    (broken_tree / "data" / "broken.ttl").write_text("@prefix x: <urn:x> .\n\nx:a x:b .\n")
    proc = run("check", env={"BPFGRAPH_RESOURCE_ROOT": str(broken_tree)})
    assert proc.returncode == 1
    assert "broken.ttl:3" in proc.stdout
    assert_no_traceback(proc)


def test_check_reports_an_undefined_term_in_a_query(broken_tree: Path):
    (broken_tree / "queries" / "typo.rq").write_text(
        "#+ title: Typo\n#+ description: has a typo\nPREFIX bpf: <https://w3id.org/bpfgraph/def#>\n"
        "SELECT * { ?p bpf:hasOutcomes ?o }\n"
    )
    proc = run("check", env={"BPFGRAPH_RESOURCE_ROOT": str(broken_tree)})
    assert proc.returncode == 1
    assert "typo.rq:4" in proc.stdout and "bpf:hasOutcomes" in proc.stdout


def test_check_reports_a_missing_definition(broken_tree: Path):
    path = broken_tree / "ontology" / "bpf.ttl"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        '    skos:definition "The process purpose as the standard states it: what the process is for."@en ;\n',
        "",
    )
    path.write_text(text, encoding="utf-8")
    proc = run("check", env={"BPFGRAPH_RESOURCE_ROOT": str(broken_tree)})
    assert proc.returncode == 1
    assert "bpf:purpose: needs exactly one skos:definition, has 0" in proc.stdout


@pytest.mark.parametrize(
    ("fmt", "quads"),
    [
        ("ttl", False),
        ("nt", False),
        ("xml", False),
        ("jsonld", False),
        ("trig", True),
        ("nquads", True),
    ],
)
def test_export_round_trips(tmp_path: Path, fmt: str, quads: bool):
    out = tmp_path / f"export.{fmt}"
    proc = run("export", "--format", fmt, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    parser = {
        "ttl": "turtle",
        "nt": "nt",
        "xml": "xml",
        "jsonld": "json-ld",
        "trig": "trig",
        "nquads": "nquads",
    }[fmt]
    if quads:
        ds = Dataset()
        ds.parse(out, format=parser)
        names = {str(g.identifier) for g in ds.graphs() if len(g)}
        assert names == {
            f"https://w3id.org/bpfgraph/graph/{p}"
            for p in ("ontology", "alignments", "framework", "shapes")
        }
        g = Graph()
        for part in ds.graphs():
            g += part
    else:
        g = Graph().parse(out, format=parser)
        assert len(g) > 3500
    # every triple of the sources comes back unchanged (RDF/XML once wrote the RDF list
    # ("en") of sh:languageIn as (<en>)); to_isomorphic, because Graph.isomorphic takes the
    # literal "en" and the IRI <en> for one term
    sources = Graph()
    for path in [
        *sorted((ROOT / "ontology").glob("*.ttl")),
        *sorted((ROOT / "data").glob("*.ttl")),
    ]:
        sources.parse(path)
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        sources.parse(path)
    assert to_isomorphic(g) == to_isomorphic(sources)


def test_export_json_ld_has_a_local_context(tmp_path: Path):
    proc = run("export", "--format", "jsonld", "--part", "ontology")
    doc = json.loads(proc.stdout)
    assert isinstance(doc["@context"], dict)
    assert doc["@context"]["bpf"] == "https://w3id.org/bpfgraph/def#"


def test_export_one_part_to_stdout():
    proc = run("export", "--part", "framework")
    g = Graph().parse(data=proc.stdout, format="turtle")
    assert (None, None, None) in g
    assert "owl:Ontology" not in proc.stdout.split("\n@prefix")[0]


def test_export_unwritable_output():
    proc = run("export", "--output", "/nonexistent/dir/x.ttl")
    assert proc.returncode == 2
    assert "cannot write /nonexistent/dir/x.ttl" in proc.stderr
    assert_no_traceback(proc)


def test_query_json_and_csv():
    proc = run("query", "process-outcomes", "--param", "notation=G2", "--format", "json")
    doc = json.loads(proc.stdout)
    assert doc["head"]["vars"] == ["outcome", "number", "statement"]
    assert len(doc["results"]["bindings"]) == 5
    assert doc["results"]["bindings"][0]["statement"]["xml:lang"] == "en"
    proc = run("query", "stakeholders", "--format", "csv")
    assert proc.stdout.splitlines()[1].endswith(",enterprises")


def test_query_file(tmp_path: Path):
    q = tmp_path / "count.rq"
    q.write_text(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/bpfgraph/def#BusinessProcess> }"
    )
    proc = run("query", str(q), "--format", "csv")
    assert proc.stdout.splitlines()[1] == "21"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "nope"), "no named query 'nope'"),
        (("query", "process-outcomes"), "needs parameter 'notation'"),
        (("query", "stakeholders", "--param", "oops"), "expected KEY=VALUE"),
        (("query", "processes-by-type", "--param", "type=not an iri"), "is not an IRI"),
    ],
)
def test_query_errors(args, message):
    proc = run(*args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert_no_traceback(proc)


def test_query_syntax_error_in_file(tmp_path: Path):
    q = tmp_path / "bad.rq"
    q.write_text("SELEC * WHERE { ?s ?p ?o }")
    proc = run("query", str(q))
    assert proc.returncode == 2
    assert "failed" in proc.stderr
    assert_no_traceback(proc)


def test_queries_lists_names():
    proc = run("queries")
    assert proc.returncode == 0
    assert "process-outcomes" in proc.stdout and "[notation]" in proc.stdout


@pytest.mark.parametrize("command", [["export"], ["export", "--format", "nt"], ["queries"]])
def test_a_reader_that_goes_away_is_no_error(command: list[str]):
    """`bpfgraph export | head -1`: the command stops quietly (exit 0, nothing on stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bpfgraph.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()  # the reader goes away with most of the output unread
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    assert stderr == ""
