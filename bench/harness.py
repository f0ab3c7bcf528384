"""One harness, side by side in the same run: bpfgraph's engines and plain rdflib.

    python bench/harness.py --sizes 1 10 100 1000 10000 [--rdflib-max 1000] [--out bench/out]

For each N it generates N synthetic valid mappings (bench/generate.py, cached in --out) and, in
a fresh subprocess per engine (so peak RSS is the engine's own), measures:

- load: the framework (parts + OWL RL entailments) and the N mappings, each in its own
  named graph, with the engine's own parser;
- restart (persistent Oxigraph only): reopening the store until it answers, nothing re-parsed;
- the latency of each cross-city named query (median of 3 runs; 1 run for rdflib when slow);
- peak RSS.

Engines: ``oxigraph`` (embedded, on disk), ``mirror`` (on disk as ``serve`` runs it: loaded by
a child process, reopened, queries on the in-memory read mirror; its load includes the
framework, its restart is the time until the disk answers, ``mirror_s`` until the mirror is
ready), ``memory`` (embedded, in memory) and ``rdflib`` (rdflib Dataset and rdflib's own SPARQL,
what a user of rdflib alone would get).
Results are printed as JSON lines, saved in --out/results.json and summarised as the Markdown
tables of bench/RESULTS.md (``--markdown results.json`` prints them again).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: the cross-city named queries (one answer aggregated over every mapping)
CROSS_CITY = [
    "outcome-adoption-ranking",
    "best-rated-city-per-process",
    "cross-city-process-profile",
]
#: the per-mapping named queries: for one mapping (their use) and for all at once (21 rows each)
PER_MAPPING = ["mapping-ratings", "mapping-outcome-coverage", "mapping-practice-coverage"]
ONE = "https://example.org/city/synthetic-00000/bpf-mapping/mapping"
QUERIES: dict[str, tuple[str, dict[str, str]]] = {
    **{q: (q, {}) for q in CROSS_CITY},
    **{f"{q} (one)": (q, {"mapping": ONE}) for q in PER_MAPPING},
    **{f"{q} (all)": (q, {}) for q in PER_MAPPING},
}


def ensure_mappings(out: Path, n: int) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from generate import mapping  # type: ignore[import-not-found]

    folder = out / "mappings"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"city-{i:05d}.ttl"
        if not path.exists():
            path.write_text(mapping(i), encoding="utf-8")
        paths.append(path)
    return paths


def run_engine(
    engine: str, n: int, out: Path, slow_limit: float, only: list[str] | None = None
) -> dict:
    """Runs in a subprocess: load, (restart), queries; prints one JSON line."""
    from bpfgraph import queries
    from bpfgraph.framework import PARTS, ensure_loaded, graph_iri
    from bpfgraph.inference import entailments
    from bpfgraph.mappings import load_files
    from bpfgraph.summaries import summarize_graph, summary_graph

    paths = ensure_mappings(out, n)
    result: dict = {"engine": engine, "n": n}
    texts = {
        label: queries.get(q).bind(params)
        for label, (q, params) in QUERIES.items()
        if not only or label in only
    }
    if engine == "mirror":  # on disk, as `serve` runs it: queries on the read mirror
        import multiprocessing

        from bpfgraph.store.oxigraph import OxigraphStore

        tmp = Path(tempfile.mkdtemp(prefix="bpfbench-"))
        items = [
            (path, f"https://w3id.org/bpfgraph/graph/mapping/city-{i:05d}")
            for i, path in enumerate(paths)
        ]
        # the load runs in a child process (as `bpfgraph load` would), so that this process's
        # peak RSS is the serving process's: the store on disk plus its mirror
        loader = multiprocessing.get_context("fork").Process(
            target=_load_disk, args=(tmp / "store", items)
        )
        start = time.perf_counter()
        loader.start()
        loader.join()
        result["load_s"] = time.perf_counter() - start
        start = time.perf_counter()
        store = OxigraphStore(tmp / "store")
        ensure_loaded(store)
        store.query("ASK { ?s ?p ?o }")
        result["restart_s"] = time.perf_counter() - start
        thread = store.start_mirror(10**9)
        assert thread is not None
        thread.join()
        result["mirror_s"] = time.perf_counter() - start
        assert store.mirrored
        result["quads"] = store.count()
        run = store.query
    elif engine in ("oxigraph", "memory"):
        from bpfgraph.store.oxigraph import OxigraphStore

        tmp = Path(tempfile.mkdtemp(prefix="bpfbench-"))
        start = time.perf_counter()
        store = OxigraphStore(tmp / "store" if engine == "oxigraph" else None)
        ensure_loaded(store)
        framework_s = time.perf_counter() - start
        start = time.perf_counter()
        load_files(  # the mappings and their summaries
            store,
            [
                (path, f"https://w3id.org/bpfgraph/graph/mapping/city-{i:05d}")
                for i, path in enumerate(paths)
            ],
        )
        store.close()
        result["load_s"] = time.perf_counter() - start
        result["framework_s"] = framework_s
        if engine == "oxigraph":
            del store
            start = time.perf_counter()
            store = OxigraphStore(tmp / "store")
            reloaded = ensure_loaded(store)
            store.query("ASK { ?s ?p ?o }")
            result["restart_s"] = time.perf_counter() - start
            result["restart_reparsed"] = reloaded
        result["quads"] = store.count()
        run = store.query
    else:
        from rdflib import Dataset, URIRef

        start = time.perf_counter()
        ds = Dataset(default_union=True)
        for name, part in PARTS.items():
            g = ds.graph(graph_iri(name))
            for path in part.files():
                g.parse(path)
        ds.graph(graph_iri("inferred")).__iadd__(entailments())
        result["framework_s"] = time.perf_counter() - start
        start = time.perf_counter()
        for i, path in enumerate(paths):
            iri = f"https://w3id.org/bpfgraph/graph/mapping/city-{i:05d}"
            g = ds.graph(URIRef(iri)).parse(path)
            # the same data as the other engines: the mapping and its summary
            ds.graph(URIRef(summary_graph(iri))).__iadd__(summarize_graph(g, iri))
        result["load_s"] = time.perf_counter() - start
        result["quads"] = len(ds)

        def run(text: str):  # type: ignore[no-untyped-def]
            return list(ds.query(text))

    latencies = {}
    rows = {}
    for name, text in texts.items():
        times = []
        for _ in range(3):
            start = time.perf_counter()
            answer = run(text)
            times.append(time.perf_counter() - start)
            if times[-1] > slow_limit:
                break
        latencies[name] = statistics.median(times)
        # as each query finishes, so that a run stopped at its time limit keeps what it measured
        print(
            json.dumps({"engine": engine, "n": n, "query": name, "s": latencies[name]}),
            file=sys.stderr,
            flush=True,
        )
        rows[name] = len(answer.rows) if hasattr(answer, "rows") else len(answer)
    result["query_s"] = latencies
    result["rows"] = rows
    result["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if engine in ("oxigraph", "memory", "mirror"):
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _load_disk(path: Path, items: list[tuple[Path, str]]) -> None:
    from bpfgraph.framework import ensure_loaded
    from bpfgraph.mappings import load_files
    from bpfgraph.store.oxigraph import OxigraphStore

    store = OxigraphStore(path)
    ensure_loaded(store)
    load_files(store, items)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="bpfgraph storage benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--engines", nargs="+", default=["oxigraph", "mirror", "memory", "rdflib"])
    parser.add_argument("--rdflib-max", type=int, default=1000, help="largest N run with rdflib")
    parser.add_argument(
        "--slow", type=float, default=5.0, help="seconds after which one run is enough"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per engine and size")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--markdown", type=Path, help="print the tables of a results.json")
    parser.add_argument("--queries", nargs="+", help="only these queries (labels as in the tables)")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return
    if args.child:
        engine, n = args.child[0], int(args.child[1])
        print(json.dumps(run_engine(engine, n, args.out, args.slow, args.queries)))
        return
    results = []
    for n in args.sizes:
        ensure_mappings(args.out, n)
        for engine in args.engines:
            if engine == "rdflib" and n > args.rdflib_max:
                continue
            cmd = [
                sys.executable,
                __file__,
                "--child",
                engine,
                str(n),
                "--out",
                str(args.out),
                "--slow",
                str(args.slow),
                *(["--queries", *args.queries] if args.queries else []),
            ]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired as exc:
                line = {"engine": engine, "n": n, "error": f"timeout after {args.timeout:.0f} s"}
                # what the child measured before the limit
                done = [
                    json.loads(x)
                    for x in (exc.stderr or b"").decode().splitlines()
                    if x.startswith('{"engine"')
                ]
                if done:
                    line["query_s"] = {d["query"]: d["s"] for d in done}
            else:
                if proc.returncode != 0:
                    line = {
                        "engine": engine,
                        "n": n,
                        "error": proc.stderr.strip().splitlines()[-1:],
                    }
                else:
                    line = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(line)
            print(json.dumps(line), flush=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(markdown(results))


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def _restart(r: dict) -> str:
    if "mirror_s" in r:
        return f"{_s(r['restart_s'])} (mirror ready {_s(r['mirror_s'])})"
    return _s(r.get("restart_s"))


def markdown(results: list[dict]) -> str:
    """The results as the tables of bench/RESULTS.md."""
    out = [
        "| N | engine | load | restart | peak RSS | " + " | ".join(CROSS_CITY) + " |",
        "|---|---|---|---|---|" + "---|" * len(CROSS_CITY),
    ]
    for r in results:
        if "error" in r:
            q = r.get("query_s", {})
            out.append(
                f"| {r['n']:,} | {r['engine']} | {r['error']} | – | – | "
                + " | ".join(_s(q.get(c)) if c in q else "not reached" for c in CROSS_CITY)
                + " |"
            )
            continue
        q = r["query_s"]
        out.append(
            f"| {r['n']:,} | {r['engine']} | {_s(r['load_s'])} | {_restart(r)} | "
            f"{r['rss_mib']:,.0f} MiB | " + " | ".join(_s(q.get(c)) for c in CROSS_CITY) + " |"
        )
    out += [
        "",
        "| N | engine | " + " | ".join(f"{p} (one / all)" for p in PER_MAPPING) + " |",
        "|---|---|" + "---|" * len(PER_MAPPING),
    ]
    for r in results:
        if "error" in r:
            continue
        q = r["query_s"]
        cells = [f"{_s(q.get(f'{p} (one)'))} / {_s(q.get(f'{p} (all)'))}" for p in PER_MAPPING]
        out.append(f"| {r['n']:,} | {r['engine']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
