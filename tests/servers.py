"""Real servers the tests start on loopback: an Oxigraph SPARQL server (``pip install oxigraph``),
OpenLink Virtuoso 7 (Debian's ``virtuoso-opensource``; scripts/test installs it) and bpfgraph."""

from __future__ import annotations

import re
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


VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
#: a user of Virtuoso's authenticated endpoints (/sparql-auth, Digest) allowed to update
VIRTUOSO_USER = ("bpfgraph", "s3cret:pass@word")


class VirtuosoServer:
    """Debian's ``virtuoso-t`` on free loopback ports, with its own database in ``location``
    and the package's stock ``virtuoso.ini`` (paths and ports changed), stopped by
    :meth:`stop`. The one setting added is the update grant of the anonymous SPARQL user
    (``GRANT SPARQL_UPDATE TO "SPARQL"``), and a user :data:`VIRTUOSO_USER` for the
    authenticated endpoints: ``/sparql-auth`` (Digest, as shipped) and ``/sparql-basic`` (the
    same endpoint asking for Basic, defined here)."""

    def __init__(self, location: Path, start_timeout: float = 120.0) -> None:
        exe, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
        if exe is None or isql is None or not VIRTUOSO_INI.exists():
            raise RuntimeError(
                "Virtuoso is not installed: apt-get install virtuoso-opensource (scripts/test "
                "installs it)"
            )
        location.mkdir(parents=True, exist_ok=True)
        self.location = location
        self.isql = isql
        self.log_path = location / "virtuoso.log"
        self.output = (location / "virtuoso.out").open("ab")
        for attempt in range(3):  # a port taken between choosing and binding: other ports
            self._start(exe)
            try:
                self._wait(start_timeout)
                break
            except RuntimeError as exc:  # exited (a port taken?): again; no answer: give up
                self.stop(close=False)
                if attempt == 2 or "exited" not in str(exc):
                    self.output.close()
                    raise
        try:
            user, password = VIRTUOSO_USER
            self.sql(
                'GRANT SPARQL_UPDATE TO "SPARQL";',
                f"DB.DBA.USER_CREATE('{user}', '{password}');",
                f'GRANT SPARQL_UPDATE TO "{user}";',
                # the same endpoint asking for Basic credentials (/sparql-auth asks for Digest)
                "DB.DBA.VHOST_DEFINE(lpath=>'/sparql-basic', ppath=>'/!sparql/', is_dav=>1, "
                "vsp_user=>'dba', opts=>vector('noinherit', 1), "
                "auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', realm=>'SPARQL', sec=>'basic');",
            )
        except BaseException:
            self.stop()
            raise

    def _start(self, exe: str) -> None:
        """Start virtuoso-t on two new free ports, with the stock ini rewritten for them."""
        self.sql_port = free_port()
        self.port = free_port()
        while self.port == self.sql_port:
            self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        ini = VIRTUOSO_INI.read_text(encoding="utf-8")
        ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{self.location}/")
        ini = re.sub(r"(?m)^(ServerPort\s*=\s*)1111\b", rf"\g<1>{self.sql_port}", ini)
        ini = re.sub(r"(?m)^(ServerPort\s*=\s*)8890\b", rf"\g<1>{self.port}", ini)
        ini = ini.replace("localhost:8890", f"localhost:{self.port}")
        (self.location / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.process = subprocess.Popen(
            [exe, "+foreground", "+configfile", str(self.location / "virtuoso.ini")],
            cwd=self.location,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({self.process.returncode}):\n{self.log()}")
            try:
                response = httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2)
                # (the Server header: not another program that took the port meanwhile)
                if response.status_code == 200 and "Virtuoso" in response.headers.get("server", ""):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"Virtuoso did not answer within {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        """The end of Virtuoso's log and output (for a failure message)."""
        parts = []
        for path in (self.log_path, self.location / "virtuoso.out"):
            if path.exists():
                parts.append(f"-- {path}\n" + path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def sql(self, *statements: str) -> str:
        """Run SQL statements with isql as dba (the password of a new database)."""
        script = "\n".join(statements) + "\n"
        done = subprocess.run(
            [self.isql, str(self.sql_port), "dba", "dba", "VERBOSE=OFF", "BANNER=OFF"],
            input=script,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=60,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}\n{self.log()}")
        return done.stdout

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def auth_url(self) -> str:
        """The endpoint that asks for credentials (Digest) and allows updates."""
        return f"{self.base}/sparql-auth"

    @property
    def basic_url(self) -> str:
        """The endpoint that asks for credentials (Basic) and allows updates."""
        return f"{self.base}/sparql-basic"

    def stop(self, close: bool = True) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if close:
            self.output.close()


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
