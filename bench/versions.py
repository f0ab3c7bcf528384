"""Benchmark: validation latency of two source trees of bpfgraph, side by side in one run.

    python bench/versions.py --baseline ../old-checkout/src [--rounds 5] [--n 30]

Each round times the validation of the same N generated mappings (pyshacl-turbo, shapes
compiled and framework parsed before timing) in a fresh process of each tree, alternately
(this tree first in odd rounds, the baseline first in even ones), and prints the median time
per mapping of every round and the ratio of the medians. The throughput of simple queries over
HTTP is compared the same way by ``bench/http_bench.py --baseline-env PYTHONPATH=…/src``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: what each process runs: validate N mappings, print the median seconds per mapping
PROBE = """
import json, statistics, sys, time
sys.path.insert(0, {bench!r})
from generate import mapping
from rdflib import Graph
from bpfgraph.validation import validate_mapping
graphs = [Graph().parse(data=mapping(i), format="turtle") for i in range({n})]
validate_mapping(graphs[0], engine="turbo")
times = []
for g in graphs:
    start = time.perf_counter()
    report = validate_mapping(g, engine="turbo")
    times.append(time.perf_counter() - start)
    assert report.conforms
print(json.dumps(statistics.median(times)))
"""


def median_of(source: Path, n: int) -> float:
    """The median validation time per mapping (seconds) in a process importing ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    code = PROBE.format(bench=str(HERE), n=n)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Alternate the two trees for ``--rounds`` rounds and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, required=True, help="the other tree's src/")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    trees = {"this tree": ROOT / "src", "baseline": args.baseline.resolve()}
    medians: dict[str, list[float]] = {name: [] for name in trees}
    for round_ in range(args.rounds):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            medians[name].append(median_of(trees[name], args.n))
    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(f"{args.n} mappings per process, {args.rounds} alternating rounds")
    print()
    print("| tree | median per mapping, each round (ms) | median of rounds |")
    print("|---|---|---|")
    for name, values in medians.items():
        rounds = ", ".join(f"{v * 1000:.1f}" for v in values)
        print(f"| {name} | {rounds} | {statistics.median(values) * 1000:.1f} ms |")
    ratio = statistics.median(medians["this tree"]) / statistics.median(medians["baseline"])
    print(f"\nthis tree / baseline: {ratio:.3f}")


if __name__ == "__main__":
    main()
