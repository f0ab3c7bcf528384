"""A dedicated ``bpfgraph serve`` for the W3C test suites (the update tests run CLEAR ALL)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ..servers import BpfgraphServer


@pytest.fixture(scope="session")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("w3c"), env={"BPFGRAPH_LOAD_CITIES": "false"})
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def w3c_client(w3c_server: BpfgraphServer) -> Iterator[httpx.Client]:
    """A client that sends only the headers a test names (no default Accept)."""
    with httpx.Client(base_url=w3c_server.base, timeout=60) as client:
        del client.headers["Accept"]
        yield client


@pytest.fixture
def empty_store(w3c_server: BpfgraphServer, w3c_client: httpx.Client) -> None:
    """Every user graph dropped (DROP ALL never reaches the read-only framework graphs), so
    that a test starts from a graph store holding nothing of its own."""
    response = w3c_client.post(
        "/sparql",
        content=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update", **w3c_server.auth},
    )
    assert response.status_code == 204, response.text
