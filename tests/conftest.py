"""Shared fixtures: the framework loaded once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from bpfgraph.framework import load_part
from bpfgraph.store import Store
from bpfgraph.store.engines import framework_store

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


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
