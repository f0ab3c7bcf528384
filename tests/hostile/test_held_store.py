"""A store held by a running service: every command says so in the same clear words, or
reads it without writing; never "internal error"."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..servers import BpfgraphServer


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("held"), env={"BPFGRAPH_LOAD_CITIES": "false"})
    yield srv
    srv.stop()


def run(server: BpfgraphServer, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BPFGRAPH_DATA_DIR": str(server.data_dir), "BPFGRAPH_STORE": "oxigraph"}
    return subprocess.run(
        [sys.executable, "-m", "bpfgraph.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_query_reads_a_store_the_service_holds(held: BpfgraphServer):
    done = run(held, "query", "process", "--param", "notation=G1", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "G1" in done.stdout and "internal error" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("load", str(ROOT / "data" / "examples" / "aldermoor.ttl")),
        ("serve", "--port", "1"),
    ],
    ids=["load", "serve"],
)
def test_writing_commands_say_another_process_holds_the_store(held: BpfgraphServer, args):
    done = run(held, *args)
    assert done.returncode != 0
    assert "is another bpfgraph process, such as `bpfgraph serve`, using it?" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_the_service_still_answers(held: BpfgraphServer):
    import httpx

    assert httpx.get(held.url("/health")).json()["status"] == "ok"
    assert Path(held.data_dir / "store").is_dir()
