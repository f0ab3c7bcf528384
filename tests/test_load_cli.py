"""``bpfgraph load`` and ``bpfgraph query`` against the persistent store and a remote one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import DATA, ROOT
from .servers import OxigraphServer
from .test_cli import assert_no_traceback, run

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))


def test_load_then_query_the_persistent_store(tmp_path: Path):
    env = {"BPFGRAPH_DATA_DIR": str(tmp_path)}
    proc = run("load", *map(str, EXAMPLES), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("stored") == 3
    assert (tmp_path / "store").is_dir()
    proc = run("query", "mapping-ratings", "--format", "json", env=env)
    doc = json.loads(proc.stdout)
    mappings = {b["mapping"]["value"] for b in doc["results"]["bindings"]}
    assert len(mappings) == 3
    # loading again replaces, it does not duplicate
    run("load", str(EXAMPLES[1]), env=env)
    proc = run("query", "mapping-outcome-coverage", "--format", "csv", env=env)
    assert len(proc.stdout.strip().splitlines()) == 1 + 21 + 8 + 14


def test_invalid_mapping_is_refused_with_its_report(tmp_path: Path):
    env = {"BPFGRAPH_DATA_DIR": str(tmp_path)}
    proc = run("load", str(DATA / "mappings" / "invalid" / "same-process-twice.ttl"), env=env)
    assert proc.returncode == 1
    assert "refused: the mapping has 1 violation(s); nothing was stored" in proc.stdout
    assert "maps G3 Integrated Management more than once" in proc.stdout
    proc = run("query", "mapping-outcome-coverage", "--format", "csv", env=env)
    assert proc.stdout.strip().splitlines()[1:] == []


def test_load_refuses_a_framework_graph(tmp_path: Path):
    proc = run(
        "load",
        str(EXAMPLES[0]),
        "--graph",
        "https://w3id.org/bpfgraph/graph/framework",
        env={"BPFGRAPH_DATA_DIR": str(tmp_path)},
    )
    assert proc.returncode == 1
    assert "belongs to the framework" in proc.stdout


def test_load_parse_error_exits_2(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .")
    proc = run("load", str(bad), env={"BPFGRAPH_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert f"{bad}:1" in proc.stderr
    assert_no_traceback(proc)


def test_memory_store_option():
    proc = run("query", "stakeholders", "--store", "memory", "--format", "csv")
    assert proc.returncode == 0
    assert proc.stdout.count("\n") == 5


def test_bad_store_setting():
    proc = run("query", "stakeholders", env={"BPFGRAPH_STORE": "postgres"})
    assert proc.returncode == 2
    assert "bad setting BPFGRAPH_STORE" in proc.stderr
    assert_no_traceback(proc)


def test_bad_union_default_graph_setting():
    env = {
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": "http://127.0.0.1:9/query",
        "BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH": "perhaps",
    }
    proc = run("query", "stakeholders", env=env)
    assert proc.returncode == 2
    assert "bad setting BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH" in proc.stderr
    assert_no_traceback(proc)


@pytest.fixture
def server(tmp_path: Path):
    srv = OxigraphServer(tmp_path / "server")
    yield srv
    srv.stop()


def test_remote_store_through_the_cli(server: OxigraphServer):
    env = {
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": server.query_url,
        "BPFGRAPH_SPARQL_UPDATE_URL": server.update_url,
    }
    proc = run("load", str(EXAMPLES[2]), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run("query", "mapping-practice-coverage", "--format", "csv", env=env)
    assert len(proc.stdout.strip().splitlines()) == 1 + 14


def test_unreachable_remote_store_exits_2():
    env = {"BPFGRAPH_STORE": "sparql", "BPFGRAPH_SPARQL_QUERY_URL": "http://127.0.0.1:9/query"}
    proc = run("query", "stakeholders", env=env)
    assert proc.returncode == 2
    assert "cannot reach the SPARQL store" in proc.stderr
    assert_no_traceback(proc)


@pytest.mark.parametrize(
    ("graph", "said"),
    [
        ("not an iri", "a space (U+0020)"),
        ("relative/path", "no scheme"),
        ("https://example.org/g\n", "a line feed (U+000A)"),
        ("https://example.org/<g>", "'<' (U+003C)"),
        ("", "no scheme"),
    ],
)
def test_a_graph_that_is_no_iri_is_one_line_and_exit_2(graph: str, said: str):
    proc = run(
        "load", "--store", "memory", "--graph", graph, str(ROOT / "data/examples/aldermoor.ttl")
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--graph" in proc.stderr and said in proc.stderr
    assert_no_traceback(proc)
    assert "internal error" not in proc.stderr
