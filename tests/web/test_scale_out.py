"""Scale out: two uvicorn workers, stateless, on one remote store (a real Oxigraph server), and
two workers on the embedded store, each with its replica of one writer process's store."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ..conftest import ROOT
from ..servers import BpfgraphServer, OxigraphServer


def test_two_workers_share_one_remote_store(tmp_path):
    store = OxigraphServer(tmp_path / "oxigraph")
    env = {
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": store.query_url,
        "BPFGRAPH_SPARQL_UPDATE_URL": store.update_url,
        "BPFGRAPH_SPARQL_GRAPH_STORE_URL": store.graph_store_url,
    }
    app = BpfgraphServer(tmp_path / "app", env=env, workers=2)
    try:
        with httpx.Client(base_url=app.base, timeout=60) as client:
            assert client.get("/health").json()["store"] == "sparql"
            path = ROOT / "data" / "examples" / "valdoria.ttl"
            r = client.put(
                "/graphs",
                params={"graph": "https://example.org/graph/valdoria"},
                content=path.read_bytes(),
                headers={"Content-Type": "text/turtle", **app.auth},
            )
            assert r.status_code == 201
            # every request, whichever worker answers it, sees the write
            for _ in range(12):
                page = client.get("/cities").text
                assert "Valdoria" in page
                rows = client.get(
                    "/queries/mapping-practice-coverage",
                    headers={"Accept": "application/sparql-results+json"},
                ).json()
                assert len(rows["results"]["bindings"]) == 14
        # the data lives in the store, not in the app processes
        direct = httpx.post(
            store.query_url,
            data={"query": "ASK { GRAPH <https://example.org/graph/valdoria> { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert direct.json()["boolean"] is True
    finally:
        app.stop()
        store.stop()


def test_two_workers_on_the_embedded_store(tmp_path):
    """`serve --workers 2` on the default disk store: one writer process, a replica in each
    worker; a write answered through one worker is read through every worker at once."""
    app = BpfgraphServer(tmp_path / "app", workers=2)
    path = ROOT / "data" / "examples" / "valdoria.ttl"
    try:
        # a fresh connection per request: the kernel hands them to either worker
        health = [httpx.get(app.url("/health")).json() for _ in range(60)]
        assert {h["store"] for h in health} == {"oxigraph-replica"}
        assert len({h["pid"] for h in health}) == 2
        # both workers serve the same bytes and dates: a harvester's revalidation gets its 304
        # whichever worker answers
        downloads = [httpx.get(app.url("/download/ontology.ttl")) for _ in range(20)]
        assert len({d.headers["etag"] for d in downloads}) == 1
        assert len({d.headers["last-modified"] for d in downloads}) == 1
        etag = downloads[0].headers["etag"]
        revalidated = [
            httpx.get(app.url("/download/ontology.ttl"), headers={"If-None-Match": etag})
            for _ in range(10)
        ]
        assert {r.status_code for r in revalidated} == {304}
        # so do the linked-data resources, and HEAD, whichever worker answers
        turtle = {"Accept": "text/turtle"}
        resources = [httpx.get(app.url("/id/process/G1"), headers=turtle) for _ in range(10)]
        validators = {(r.headers["etag"], r.headers["last-modified"]) for r in resources}
        assert len(validators) == 1
        heads = [httpx.head(app.url("/id/process/G1"), headers=turtle) for _ in range(10)]
        assert {(h.status_code, h.headers["etag"], h.content) for h in heads} == {
            (200, resources[0].headers["etag"], b"")
        }
        r = httpx.put(
            app.url("/graphs"),
            params={"graph": "https://example.org/graph/valdoria"},
            content=path.read_bytes(),
            headers={"Content-Type": "text/turtle", **app.auth},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        for i in range(6):
            graph = f"https://example.org/graph/note-{i}"
            r = httpx.post(
                app.url("/sparql"),
                data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:s> <urn:p> {i} }} }}"},
                headers=app.auth,
            )
            assert r.status_code == 204, r.text
            for _ in range(4):  # read at once, whichever worker answers
                ask = httpx.get(
                    app.url("/sparql"),
                    params={"query": f"ASK {{ GRAPH <{graph}> {{ <urn:s> <urn:p> {i} }} }}"},
                    headers={"Accept": "application/sparql-results+json"},
                )
                assert ask.json()["boolean"] is True
                assert "Valdoria" in httpx.get(app.url("/cities")).text
        refused = httpx.put(
            app.url("/graphs"),
            params={"graph": "https://example.org/graph/broken"},
            content=(
                ROOT / "tests" / "data" / "mappings" / "invalid" / "city-as-text.ttl"
            ).read_bytes(),
            headers={"Content-Type": "text/turtle", **app.auth},
        )
        assert refused.status_code == 422
        app.restart()  # the writes are on disk
        rows = httpx.get(
            app.url("/queries/mapping-practice-coverage"),
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        assert len(rows["results"]["bindings"]) == 14
        assert httpx.get(
            app.url("/sparql"),
            params={"query": "ASK { GRAPH <https://example.org/graph/note-5> { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()["boolean"]
        assert not any((tmp_path / "app").glob("*.sock"))  # the writer's socket is elsewhere
    finally:
        app.stop()


def _serve(workers: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bpfgraph.cli",
            "serve",
            "--workers",
            workers,
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workers_must_be_at_least_one(tmp_path):
    proc = _serve("0", tmp_path)
    assert proc.returncode == 2
    assert "--workers must be 1 or more" in proc.stderr


def test_a_locked_store_stops_serve_with_workers_clearly(tmp_path):
    from bpfgraph.store.oxigraph import OxigraphStore

    holder = OxigraphStore(tmp_path / "store")
    try:
        proc = _serve("2", tmp_path)
    finally:
        holder.close()
    assert proc.returncode == 2
    assert "writer process did not start: cannot open the store" in proc.stderr


def test_serve_stops_when_its_writer_process_dies(tmp_path):
    """Workers without their writer could not write: the whole service stops, with a message,
    so that whatever supervises it starts it again."""
    import os
    import signal
    import time

    app = BpfgraphServer(tmp_path / "app", workers=2)
    try:
        pids = set()  # both workers serving
        while len(pids) < 2:
            pids.add(httpx.get(app.url("/health")).json()["pid"])
        writers = [
            int(pid)
            for pid in os.listdir("/proc")
            if pid.isdigit()
            and b"bpfgraph.store.writer" in _cmdline(pid)
            and _parent(pid) == app.process.pid
        ]
        assert len(writers) == 1
        os.kill(writers[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while app.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert app.process.returncode == 2
        log = app.log_path.read_text()
        assert "the store's writer process exited" in log and "Traceback" not in log
    finally:
        app.stop()


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _parent(pid: str) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _concurrent_writes(app: BpfgraphServer, graph: str, how: str, n: int) -> None:
    """``n`` writes at once, each adding its own triple to ``graph``, each on a fresh
    connection (the kernel hands them to either worker)."""

    def write(i: int) -> int | tuple[int, str]:
        triple = f'<urn:w:{i}> <urn:p> "{i}" .'
        if how == "graph store":
            r = httpx.post(
                app.url("/graphs"),
                params={"graph": graph},
                content=triple.encode(),
                headers={"Content-Type": "application/n-triples", **app.auth},
                timeout=120,
            )
        else:
            r = httpx.post(
                app.url("/sparql"),
                content=f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}".encode(),
                headers={"Content-Type": "application/sparql-update", **app.auth},
                timeout=120,
            )
        return r.status_code if r.status_code < 400 else (r.status_code, r.text[:300])

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(write, range(n)))
    assert set(statuses) <= {201, 204}, statuses


@pytest.mark.parametrize("how", ["graph store", "update", "both"])
def test_concurrent_writes_through_two_workers_lose_nothing(tmp_path, how):
    """Each worker merges into, or tries an update on, its own replica: a write through one
    worker must see every write answered before it through the other (the workers share one
    lock for writes and catch up under it), or it would undo them."""
    app = BpfgraphServer(tmp_path / "app", workers=2)
    graph = "https://example.org/graph/concurrent"
    try:
        n = 24
        if how == "both":
            _concurrent_writes(app, graph, "graph store", n // 2)
            _concurrent_writes(app, graph, "update", n // 2)
            expected = n // 2  # the same n/2 triples written twice
        else:
            _concurrent_writes(app, graph, how, n)
            expected = n
        for _ in range(6):  # every worker holds every write
            r = httpx.get(
                app.url("/graphs"),
                params={"graph": graph},
                headers={"Accept": "application/n-triples"},
            )
            assert r.status_code == 200
            assert len([line for line in r.text.splitlines() if line.strip()]) == expected
    finally:
        app.stop()
