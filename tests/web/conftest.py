"""A real ``bpfgraph serve`` for the HTTP tests, with the three example mappings stored."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ..conftest import ROOT
from ..servers import BpfgraphServer

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("served"))
    for path in EXAMPLES:
        response = httpx.put(
            srv.url("/graphs"),
            params={"graph": f"https://example.org/graph/{path.stem}"},
            content=path.read_bytes(),
            headers={"Content-Type": "text/turtle", **srv.auth},
            timeout=60,
        )
        assert response.status_code in (201, 204), response.text
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: BpfgraphServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        yield c
