"""Load test: 16 concurrent clients mixing queries, downloads, validations and uploads against a
real ``bpfgraph serve`` on loopback for 60 s. Reports errors, throughput and p50/p99 latency.

    python bench/load.py [--clients 16] [--seconds 60]

The request loop is bounded in time and stops by itself; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import mapping  # noqa: E402

from tests.servers import BpfgraphServer  # noqa: E402

SIMPLE = "SELECT ?p ?n WHERE { ?p <http://www.w3.org/2004/02/skos/core#notation> ?n } LIMIT 30"
QUERIES = [
    (
        "query-simple",
        "GET",
        "/sparql",
        {"query": SIMPLE},
    ),
    ("query-named", "GET", "/queries/process-outcomes", {"notation": "C2"}),
    ("query-cross-city", "GET", "/queries/best-rated-city-per-process", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    srv = BpfgraphServer(Path(tempfile.mkdtemp(prefix="bpfload-")))
    bodies = [mapping(i).encode() for i in range(40)]
    for i in range(5):  # some cities to compare
        httpx.put(
            srv.url("/graphs"),
            params={"graph": f"https://example.org/load/seed-{i}"},
            content=bodies[i],
            headers={"Content-Type": "text/turtle", **srv.auth},
            timeout=60,
        )
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(n: int) -> None:
        rnd = random.Random(n)
        with httpx.Client(base_url=srv.base, timeout=60) as c:
            while time.monotonic() < deadline:
                kind = rnd.choices(
                    ["query", "download", "validate", "upload"], weights=[6, 2, 1, 1]
                )[0]
                start = time.perf_counter()
                try:
                    if kind == "query":
                        name, _m, path, params = rnd.choice(QUERIES)
                        if name == "query-simple":
                            params = {"query": params["query"] + f" # {rnd.random()}"}
                        r = c.get(
                            path,
                            params=params,
                            headers={"Accept": "application/sparql-results+json"},
                        )
                        kind = name
                    elif kind == "download":
                        r = c.get(
                            rnd.choice(
                                ["/download/framework.ttl", "/download/ontology.jsonld", "/catalog"]
                            )
                        )
                    elif kind == "validate":
                        r = c.post(
                            "/validate",
                            content=rnd.choice(bodies),
                            headers={"Content-Type": "text/turtle"},
                        )
                    else:
                        i = rnd.randrange(len(bodies))
                        r = c.put(
                            "/graphs",
                            params={"graph": f"https://example.org/load/{n}-{i}"},
                            content=bodies[i],
                            headers={"Content-Type": "text/turtle", **srv.auth},
                        )
                    ok = r.status_code < 400
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    latencies[kind].append(elapsed)
                    if not ok:
                        errors[kind] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    srv.stop()
    everything = [x for v in latencies.values() for x in v]
    out = {
        "clients": args.clients,
        "seconds": round(wall, 1),
        "requests": len(everything),
        "errors": sum(errors.values()),
        "throughput_rps": round(len(everything) / wall, 1),
        "p50_ms": round(statistics.median(everything) * 1000, 1),
        "p99_ms": round(statistics.quantiles(everything, n=100)[98] * 1000, 1),
        "by_kind": {
            k: {
                "n": len(v),
                "errors": errors[k],
                "p50_ms": round(statistics.median(v) * 1000, 1),
                "p99_ms": round(statistics.quantiles(v, n=100)[98] * 1000, 1)
                if len(v) > 1
                else None,
            }
            for k, v in sorted(latencies.items())
        },
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
