"""Benchmark: SHACL validation of city mappings, pyshacl-turbo vs pySHACL, same data, same run.

    python bench/validation.py [--n 100] [--reference 5]

Measures, in a warm process (shapes compiled, framework parsed once):
- the median and p90 time to validate one ~1,200-triple mapping with each engine;
- the time to validate N mappings one after another with the default engine.
Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from generate import mapping  # type: ignore[import-not-found]
from rdflib import Graph

from bpfgraph.validation import validate_mapping


def timed(graph: Graph, engine: str) -> float:
    start = time.perf_counter()
    report = validate_mapping(graph, engine=engine)
    elapsed = time.perf_counter() - start
    assert report.conforms, [r.message for r in report.results[:3]]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--reference", type=int, default=5, help="mappings timed with pySHACL")
    args = parser.parse_args()
    graphs = [Graph().parse(data=mapping(i), format="turtle") for i in range(args.n)]
    sizes = [len(g) for g in graphs]
    timed(graphs[0], "turbo")  # warm up: compile shapes, parse framework
    turbo = [timed(g, "turbo") for g in graphs]
    reference = [timed(g, "pyshacl") for g in graphs[: args.reference]]
    total = sum(turbo)
    med_t, med_r = statistics.median(turbo), statistics.median(reference)
    p90 = statistics.quantiles(turbo, n=10)[-1] if len(turbo) >= 10 else max(turbo)
    machine = f"{platform.machine()}, Python {platform.python_version()}"
    print(f"machine: {machine}")
    print(f"mappings: {args.n}, triples each: {min(sizes)}–{max(sizes)}")
    print()
    print("| measure | pyshacl-turbo (default) | pySHACL (reference) | ratio |")
    print("|---|---|---|---|")
    ratio = med_r / med_t
    print(f"| median per mapping | {med_t * 1000:.0f} ms | {med_r * 1000:.0f} ms | {ratio:.0f}× |")
    print(f"| p90 per mapping | {p90 * 1000:.0f} ms | – | |")
    print(
        f"| {args.n} mappings, one after another | {total:.1f} s | ≈{med_r * args.n:.0f} s "
        f"(median × {args.n}) | |"
    )


if __name__ == "__main__":
    main()
