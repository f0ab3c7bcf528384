"""HTTP benchmark, side by side in one run on the same data and queries: bpfgraph's service,
Oxigraph server (the Rust limit on this machine) and rdflib-endpoint (the FastAPI/rdflib peer).

    python bench/http_bench.py --n 1000 [--duration 10] [--rdflib-endpoint PATH]

Needs ``wrk`` (Debian package) and, for the peer, rdflib-endpoint installed in its own venv
(``python -m venv /tmp/rdflib-ep && /tmp/rdflib-ep/bin/pip install rdflib-endpoint uvicorn``).
Measures, at concurrency 16 on loopback: throughput of a simple 21-row SELECT with a different
query text on every request (no cache can answer) and with one repeated text (hot), then the
uncached figure again as ``--rounds`` alternating bpfgraph / Oxigraph server pairs (the
machine's speed drifts), a download, the latency of each cross-city named query through HTTP,
and validation over HTTP.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
SIMPLE = (
    "SELECT ?p ?n WHERE { ?p <http://www.w3.org/2004/02/skos/core#notation> ?n ; "
    "<http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/bpfgraph/id/framework> }"
)
LUA_VARYING = r"""
local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function()
  local q = QUERY .. " # " .. math.random(1, 2000000000) .. "-" .. math.random(1, 2000000000)
  local accept = {["Accept"] = "application/sparql-results+json"}
  return wrk.format("GET", PATH .. "?query=" .. encode(q), accept)
end
"""
CROSS_CITY = [
    "outcome-adoption-ranking",
    "best-rated-city-per-process",
    "cross-city-process-profile",
]
PER_MAPPING = ["mapping-ratings", "mapping-outcome-coverage", "mapping-practice-coverage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def wrk(url: str, duration: int, script: Path | None = None) -> float:
    cmd = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", str(script)]
    else:
        cmd += ["-H", "Accept: application/sparql-results+json"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 60).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx responses from {url}", file=sys.stderr)
    return float(m.group(1)) if m else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rdflib-endpoint", default="/tmp/rdflib-ep/bin/rdflib-endpoint")
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating bpfgraph / Oxigraph uncached pairs"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--workers", type=int, default=1, help="bpfgraph serve --workers (replicas when > 1)"
    )
    parser.add_argument(
        "--bpf-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="environment for the bpfgraph server (e.g. BPFGRAPH_QUERY_WORKERS=0)",
    )
    parser.add_argument(
        "--baseline-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="also run a second bpfgraph server with this environment ('bpfgraph-baseline'), "
        "measured in the same run (e.g. BPFGRAPH_QUERY_WORKERS=0: queries in threads)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from harness import ensure_mappings  # type: ignore[import-not-found]

    from bpfgraph import queries
    from bpfgraph.bulk import load_files
    from bpfgraph.loading import ensure_loaded
    from bpfgraph.store.oxigraph import OxigraphStore

    paths = ensure_mappings(args.out, args.n)
    work = Path(tempfile.mkdtemp(prefix="bpfhttp-"))
    items = [
        (p, f"https://w3id.org/bpfgraph/graph/mapping/city-{i:05d}") for i, p in enumerate(paths)
    ]
    # the same data for everyone
    store = OxigraphStore(work / "bpf" / "store")
    ensure_loaded(store)
    load_files(store, items)
    nq = work / "all.nq"
    nt = work / "all.nt"
    import pyoxigraph as ox

    store.native.dump(output=str(nq), format=ox.RdfFormat.N_QUADS)
    store.close()
    del store
    with nt.open("wb") as out:
        for quad in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS):
            out.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
    procs = []
    results: dict = {"n": args.n}
    try:
        bpf_port, oxi_port, rep_port = free_port(), free_port(), free_port()

        def start_bpfgraph(data_dir: Path, port: int, extra: list[str]) -> None:
            env = {**__import__("os").environ, "BPFGRAPH_LOAD_CITIES": "false"}
            env.update(item.split("=", 1) for item in extra)
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "bpfgraph.cli",
                        "serve",
                        "--data-dir",
                        str(data_dir),
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                        "--workers",
                        str(args.workers),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )
            )

        baseline_port = free_port()
        if args.baseline_env:  # the same data, another configuration, side by side
            shutil.copytree(work / "bpf", work / "bpf-baseline")
            start_bpfgraph(work / "bpf-baseline", baseline_port, args.baseline_env)
        start_bpfgraph(work / "bpf", bpf_port, args.bpf_env)
        oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
        subprocess.run(
            [oxigraph, "load", "--location", str(work / "oxi"), "--file", str(nq)],
            check=True,
            capture_output=True,
        )
        procs.append(
            subprocess.Popen(
                [
                    oxigraph,
                    "serve",
                    "--location",
                    str(work / "oxi"),
                    "--bind",
                    f"127.0.0.1:{oxi_port}",
                    "--union-default-graph",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        servers = {
            "bpfgraph": f"http://127.0.0.1:{bpf_port}/sparql",
            "oxigraph-server": f"http://127.0.0.1:{oxi_port}/query",
        }
        if args.baseline_env:
            servers["bpfgraph-baseline"] = f"http://127.0.0.1:{baseline_port}/sparql"
        if Path(args.rdflib_endpoint).exists():
            start = time.monotonic()
            procs.append(
                subprocess.Popen(
                    [
                        args.rdflib_endpoint,
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(rep_port),
                        str(nt),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            servers["rdflib-endpoint"] = f"http://127.0.0.1:{rep_port}/"
        for url in servers.values():
            wait(url + "?query=" + quote("ASK {}"))
        health = f"http://127.0.0.1:{bpf_port}/health"
        start = time.monotonic()
        ports = [bpf_port] + ([baseline_port] if args.baseline_env else [])
        for port in ports:  # measured as served: on the read mirror, every query worker ready
            while True:
                state = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
                workers = state.get("queryWorkers")
                if state.get("readMirror") != "filling" and (
                    workers is None or workers["ready"] >= workers["size"]
                ):
                    break
                time.sleep(0.5)
        pids = set()  # every worker has filled its replica and answers
        while len(pids) < args.workers:
            pids.add(httpx.get(health, timeout=10).json()["pid"])
        results["bpfgraph_mirror_wait_s"] = round(time.monotonic() - start, 1)
        results["bpfgraph_workers"] = args.workers
        results["bpfgraph_read_mirror"] = httpx.get(health, timeout=10).json().get("readMirror")
        results["startup_note"] = "servers up"
        for name, url in servers.items():
            rows = httpx.get(
                url,
                params={"query": SIMPLE},
                headers={"Accept": "application/sparql-results+json"},
                timeout=600,
            ).json()
            assert len(rows["results"]["bindings"]) == 21, (name, rows)
            script = work / f"{name}.lua"
            path = "/" + url.split("/", 3)[3] if url.split("/", 3)[3] else "/"
            script.write_text(f'QUERY = {json.dumps(SIMPLE)}\nPATH = "{path}"\n' + LUA_VARYING)
            base = url.rsplit("/", 1)[0] + "/"
            results[name] = {
                "simple_varying_rps": wrk(base.rstrip("/") + "/", args.duration, script),
                "simple_hot_rps": wrk(url + "?query=" + quote(SIMPLE), args.duration),
            }
            print(name, results[name], flush=True)
        # the machine's speed drifts within minutes: the uncached ratio again, as alternating
        # pairs of runs, each pair measured back to back
        pairs = []
        for round_ in range(args.rounds):
            pair = {}
            # the two bpfgraph servers take turns at going first (a machine warming up or
            # busy with something else favours neither)
            order = ("bpfgraph", "bpfgraph-baseline")[:: 1 if round_ % 2 == 0 else -1]
            for name in (*order, "oxigraph-server"):
                if name not in servers:
                    continue
                url = servers[name]
                base = url.rsplit("/", 1)[0] + "/"
                pair[name] = wrk(base.rstrip("/") + "/", args.duration, work / f"{name}.lua")
            pair["ratio"] = round(pair["bpfgraph"] / pair["oxigraph-server"], 3)
            if "bpfgraph-baseline" in pair:
                pair["ratio_to_baseline"] = round(pair["bpfgraph"] / pair["bpfgraph-baseline"], 3)
            pairs.append(pair)
            print("pair", pair, flush=True)
        results["varying_pairs"] = pairs
        if pairs:
            results["varying_ratio_median"] = statistics.median(p["ratio"] for p in pairs)
            if args.baseline_env:
                results["varying_ratio_to_baseline_median"] = statistics.median(
                    p["ratio_to_baseline"] for p in pairs
                )
        bpf = f"http://127.0.0.1:{bpf_port}"
        results["bpfgraph"]["download_rps"] = wrk(bpf + "/download/framework.ttl", args.duration)
        latency = {}
        # one client each, as a harvester or a CI validator keeps its connection (a new httpx
        # client per request would add its own set-up, ~25 ms here, to every figure)
        client = httpx.Client(timeout=600)
        for qname in CROSS_CITY + PER_MAPPING:
            text = queries.get(qname).bind({})
            per = {}
            for name in ("bpfgraph", "oxigraph-server"):
                start = time.perf_counter()
                r = client.post(
                    servers[name],
                    data={"query": text + f" # {time.time()}"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=600,
                )
                per[name] = time.perf_counter() - start
                assert r.status_code == 200, (name, r.text[:300])
            latency[qname] = per
        results["cross_city_http_s"] = latency
        sys.path.insert(0, str(HERE))
        from generate import mapping  # type: ignore[import-not-found]

        body = mapping(424242).encode()
        times = []
        for _ in range(20):
            start = time.perf_counter()
            turtle = {"Content-Type": "text/turtle"}
            r = client.post(bpf + "/validate", content=body, headers=turtle)
            times.append(time.perf_counter() - start)
            assert r.status_code == 200 and r.json()["conforms"]
        results["validate_http_median_s"] = statistics.median(times)
        client.close()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2))
    (args.out / "http-results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
