"""Catalog pages with many city mappings: how long a page takes to build (cold: after a write
cleared the cache; warm: cached), for stores of N synthetic mappings, in process.

    python bench/catalog.py --n 100 1000 --page-size 100

A page lists ``--page-size`` datasets and writes, for each mapping on it, the four downloads
to know their byte sizes; the first page also carries VoID and PROV. Nothing here is used by
the package or the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import mapping  # noqa: E402
from rdflib import Graph  # noqa: E402

from bpfgraph.loading import ensure_loaded  # noqa: E402
from bpfgraph.store.base import Store  # noqa: E402
from bpfgraph.store.engines import memory_store  # noqa: E402
from bpfgraph.web.cache import AnswerCache  # noqa: E402
from bpfgraph.web.catalog import metadata  # noqa: E402
from bpfgraph.web.catalog_terms import Publishing  # noqa: E402
from bpfgraph.writes import write_graphs  # noqa: E402


def timed(
    cache: AnswerCache, store: Store, publishing: Publishing, now: dt.datetime, page: int
) -> float:
    """Seconds to get one page of the catalog through ``cache``."""
    start = time.perf_counter()
    metadata(cache, store, "catalog", "text/turtle", publishing, now, page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("| mappings | page | cold, each round (s) | median cold (s) | warm (ms) |")
    print("|---|---|---|---|---|")
    for n in args.n:
        store = memory_store()
        ensure_loaded(store)
        for i in range(n):
            graph = f"https://example.org/graph/synthetic-{i:05d}"
            write_graphs(store, {graph: Graph().parse(data=mapping(i), format="turtle")})
        publishing = Publishing("https://data.example.org/bpf/", page_size=args.page_size)
        now = dt.datetime.now(dt.UTC)
        last = max(1, -(-n // args.page_size))  # page 1 also holds the framework datasets
        for page in sorted({1, min(2, last), last}):
            colds = []
            for _ in range(args.rounds):
                cache = AnswerCache(256 * 1024 * 1024)
                colds.append(timed(cache, store, publishing, now, page))
            warm = timed(cache, store, publishing, now, page)
            rounds = ", ".join(f"{c:.2f}" for c in colds)
            median = statistics.median(colds)
            print(f"| {n:,} | {page} | {rounds} | {median:.2f} | {warm * 1000:.2f} |")


if __name__ == "__main__":
    main()
