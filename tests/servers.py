"""Real servers the tests start on loopback: an Oxigraph SPARQL server (``pip install oxigraph``)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1, in a temporary directory, stopped by :meth:`stop`;
    ``union`` starts it with ``--union-default-graph``."""

    def __init__(self, location: Path, union: bool = False) -> None:
        exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
            "oxigraph"
        )
        if exe is None:
            raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"]
            + (["--union-default-graph"] if union else []),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if (
                    httpx.get(
                        f"{self.base}/query", params={"query": "ASK {}"}, timeout=1
                    ).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the oxigraph server did not start within 30 s")

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base}/store"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class BpfgraphServer:
    """``bpfgraph serve`` (a real uvicorn server) on 127.0.0.1 with its own data directory."""

    def __init__(
        self,
        data_dir: Path,
        token: str | None = "test-token",
        env: dict | None = None,
        workers: int = 1,
    ) -> None:
        import os

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.data_dir = data_dir
        environment = {**os.environ, "BPFGRAPH_DATA_DIR": str(data_dir), **(env or {})}
        environment.pop("BPFGRAPH_WRITE_TOKEN", None)
        if token:
            environment["BPFGRAPH_WRITE_TOKEN"] = token
        self.env = environment
        self.workers = workers
        self.start()

    def start(self) -> None:
        exe = [sys.executable, "-m", "bpfgraph.cli"]
        # the server's log goes to a file: a pipe nobody reads would fill up and block it
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / "server.log"
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                *exe,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("bpfgraph serve exited: " + self.log_path.read_text()[-2000:])
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("bpfgraph serve did not start within 60 s")

    def url(self, path: str) -> str:
        return self.base + path

    def store_examples(self) -> None:
        """PUT the three example mappings (data/examples) as graphs https://example.org/graph/{stem}."""
        root = Path(__file__).resolve().parents[1]
        for path in sorted((root / "data" / "examples").glob("*.ttl")):
            response = httpx.put(
                self.url("/graphs"),
                params={"graph": f"https://example.org/graph/{path.stem}"},
                content=path.read_bytes(),
                headers={"Content-Type": "text/turtle", **self.auth},
                timeout=60,
            )
            assert response.status_code in (201, 204), response.text

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def stop(self, kill: bool = False) -> None:
        self.log.close()
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
