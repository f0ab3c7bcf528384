"""A real ``bpfgraph serve`` for the HTTP tests, with the three example mappings stored."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ..servers import BpfgraphServer


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("served"))
    srv.store_examples()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: BpfgraphServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        yield c
