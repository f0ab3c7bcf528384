"""Shared fixtures (the framework loaded once per test session) and the ``slow`` marks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph

from bpfgraph.framework import load_part
from bpfgraph.store import Store
from bpfgraph.store.engines import framework_store

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]

# What `pytest -m "not slow"` (scripts/test --fast) leaves out. Keys are node ids in which "*"
# matches anything; of the keys that match a test, the longest decides (so FAST can take a
# module back out of a SLOW directory, and SLOW one test back out of it again). The numbers are
# seconds, measured on a full run on 2 shared, busy cores (15.5 min in all); the fast selection
# took 70-73 s there.
SLOW = {
    "tests/browser/*": 52,  # Chromium against a served instance (marked browser too)
    "tests/test_libreoffice.py::*": 20,  # LibreOffice converting workbooks
    "tests/w3c/*": 15,  # a server of their own for the W3C suites
    "tests/hostile/*": 430,  # servers stopped, killed, flooded, fuzzed; the write gate
    "tests/hostile/test_rdf_input.py::test_many_distinct_blank_nodes*": 13,
    "tests/hostile/test_rdf_input.py::test_the_unicode_range*": 3,
    "tests/hostile/test_rdf_input.py::test_lone_surrogate_in_a_large_file*": 3,
    "tests/hostile/test_rdf_input.py::test_refusals_take_time_linear_in_the_input": 2,
    "tests/hostile/test_rdf_input.py::test_one_xmlns_declared_on_many_elements": 1,
    "tests/hostile/test_sparql_bounds.py::test_largest_allowed_text_runs_on_the_rec*": 7,
    "tests/test_bench.py::*": 22,
    "tests/test_replica.py::*": 89,  # writer and replica processes
    "tests/test_store.py::*": 91,  # every engine but memory: disks, replicas, remote servers
    "tests/test_load_cli.py::*": 31,  # `bpfgraph load` into disk and remote stores
    "tests/test_cli.py::test_check_*": 12,
    "tests/test_cli.py::test_export_round_trips*": 5,
    "tests/test_cli.py::test_export_one_part_to_stdout": 1,
    "tests/test_cli.py::test_query_json_and_csv": 4,
    "tests/test_validate_cli.py::test_any_rdf_syntax*": 4,
    "tests/test_validate_cli.py::test_unreadable_inputs_exit_2*": 3,
    "tests/test_mapping_shapes.py::test_engines_agree*": 11,
    "tests/test_summaries.py::test_bulk_load_derives_the_same_summaries*": 8,
    "tests/test_gaps.py::test_report_refuses_files_without_mappings": 3,
    "tests/test_gaps.py::test_single_city_has_no_comparison": 3,
    "tests/test_shacl_standard.py::test_jena_*": 150,  # Apache Jena SHACL, one JVM per case
    "tests/web/test_pyshacl_cli.py::*": 68,  # the pyshacl command, one process per case
    "tests/test_owl.py::test_*hermit*": 12,  # HermiT on Java (Pellet takes 2 s)
    "tests/web/test_scale_out.py::*": 38,
    "tests/web/test_remote_store.py::*": 11,
    "tests/web/test_virtuoso_store.py::*": 63,  # Virtuoso (Debian's package) behind the service
    "tests/test_remote_virtuoso.py::*": 17,  # Virtuoso: credentials, row cap
    "tests/test_portable_queries.py::*": 27,  # every named query on Oxigraph server and Virtuoso
    "tests/web/test_clients.py::*": 9,  # SPARQLWrapper, rdflib's stores and curl, every format
    "tests/web/test_downloads.py::test_every_download_parses*": 18,
    "tests/test_mqa.py::test_score_of_the_served_catalog": 5,  # a server of its own
    "tests/web/test_harvest.py::*": 500,  # 1, 3, 1,000 mappings harvested whole (estimate: the 1,000 setup alone takes 200 s)
    "tests/web/test_downloads.py::test_pyshacl_takes_the_shapes*": 45,
    "tests/web/test_fastlane.py::test_the_cache_stays_within_its_bound": 7,
    "tests/web/test_graph_store.py::test_accepted_mappings_persist_across_restarts": 7,
    "tests/web/test_graph_store.py::test_read_only_without_token": 5,
    "tests/web/test_service.py::test_timeout_and_row_cap": 5,
    "tests/web/test_service.py::test_body_limit": 4,
    "tests/web/test_service.py::test_cors_is_configurable": 3,
    "tests/web/test_workbook_officer.py::*": 25,  # a server; `validate` and `load` processes
    "tests/test_workbook.py::test_convert_both_ways*": 12,  # two `convert` processes each
    "tests/test_workbook.py::test_template_command*": 4,
    "tests/test_workbook.py::test_a_bad_cell_on_the_command_line*": 2,
    "tests/test_workbook.py::test_convert_refuses*": 2,
}
FAST = {
    "tests/hostile/test_rdf_input.py::*": 5,  # hostile input parsed in process
    "tests/hostile/test_sparql_bounds.py::*": 5,  # hostile queries checked in process
    "tests/test_store.py::*[memory]": 6,
    "tests/test_store.py::test_query_forms[sparql-update]": 1,  # and the Oxigraph server
    "tests/test_replica.py::test_a_directory_that_is_no_writers_is_a_clear_store_error": 0,
    "tests/test_replica.py::test_a_locked_store_stops_the_writer_with_a_clear_error": 1,
    "tests/test_cli.py::test_check_reports_a_parse_error_with_file_and_line": 1,
    "tests/test_load_cli.py::test_load_parse_error_exits_2": 1,
    "tests/test_load_cli.py::test_bad_store_setting": 1,
    "tests/test_load_cli.py::test_unreachable_remote_store_exits_2": 1,
}


def _pattern(key: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in key.split("*")) + r"\Z")


_MARKS = sorted(
    [(_pattern(k), len(k), True) for k in SLOW] + [(_pattern(k), len(k), False) for k in FAST],
    key=lambda mark: -mark[1],
)


def is_slow(nodeid: str) -> bool:
    """Whether the longest key of SLOW and FAST that matches the node id is one of SLOW's."""
    return next((slow for pattern, _, slow in _MARKS if pattern.match(nodeid)), False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item.nodeid):
            item.add_marker(pytest.mark.slow)
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Commands run by the tests keep their persistent store in a temporary directory."""
    import os

    os.environ["BPFGRAPH_DATA_DIR"] = str(tmp_path_factory.mktemp("bpfgraph-data"))


@pytest.fixture(scope="session")
def store() -> Store:
    """In-memory Oxigraph with ontology, alignments, framework, shapes and inferred graphs."""
    return framework_store()


@pytest.fixture(scope="session")
def framework() -> Graph:
    return load_part("framework")


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_part("ontology")


def fidelity_table() -> list[dict]:
    """Expected values read independently from the standard (tests/data/fidelity.json)."""
    return json.loads((DATA / "fidelity.json").read_text(encoding="utf-8"))
