"""One harness, side by side in the same run: bpfgraph's engines and plain rdflib.

    python bench/harness.py --sizes 1 10 100 1000 10000 [--rdflib-max 1000] [--out bench/out]

For each N it generates N synthetic valid mappings (bench/generate.py, cached in --out) and, in
a fresh subprocess per engine (so peak RSS is the engine's own), measures:

- load: the framework (parts + OWL RL entailments) and the N mappings, each in its own
  named graph, with the engine's own parser;
- restart (persistent Oxigraph only): reopening the store until it answers, nothing re-parsed;
- the latency of every named query in ``queries/`` (median of 3 runs; 1 run when slow): the
  cross-city ones, the per-mapping ones for one mapping and for all at once, and the framework
  ones with the parameters a user would give (``notation`` C2, ``text`` "data");
- validation per mapping: validating one more mapping and storing it with its summary, as an
  upload does (median of ``--validate`` mappings; rdflib: pySHACL and an rdflib Dataset, what a
  user of rdflib alone would do);
- peak RSS.

Engines: ``oxigraph`` (embedded, on disk), ``mirror`` (on disk as ``serve`` runs it: loaded by
a child process, reopened, queries on the in-memory read mirror; its load includes the
framework, its restart is the time until the disk answers, ``mirror_s`` until the mirror is
ready), ``memory`` (embedded, in memory), ``sparql`` (the remote SPARQL 1.1 store, here a real
Oxigraph server on loopback that the harness starts, its default graph the union of its graphs;
its peak RSS adds the server's) and
``rdflib`` (rdflib Dataset and rdflib's own SPARQL, what a user of rdflib alone would get).
Results are printed as JSON lines, saved in --out/results.json and summarised as the Markdown
tables of bench/RESULTS.md (``--markdown results.json`` prints them again).
"""

from __future__ import annotations

import argparse
import atexit
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
#: the values the framework queries get for their parameters (as a user would ask)
FRAMEWORK_PARAMS = {"notation": "C2", "text": "data"}
#: engines that are bpfgraph's (the others: rdflib alone)
BPFGRAPH_ENGINES = ("oxigraph", "mirror", "memory", "sparql")


def all_queries() -> dict[str, tuple[str, dict[str, str]]]:
    """Every named query by label: the mapping queries above, then the framework ones."""
    from bpfgraph import queries

    out = dict(QUERIES)
    for name, query in queries.load_all().items():
        if name not in CROSS_CITY and name not in PER_MAPPING:
            params = {k: v for k, v in FRAMEWORK_PARAMS.items() if k in query.params}
            out[name] = (name, params)
    return out


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
    engine: str,
    n: int,
    out: Path,
    slow_limit: float,
    only: list[str] | None = None,
    validate: int = 5,
) -> dict:
    """Runs in a subprocess: load, (restart), queries, validation; prints one JSON line."""
    from bpfgraph import queries
    from bpfgraph.bulk import load_files
    from bpfgraph.framework import PARTS, graph_iri
    from bpfgraph.inference import entailments
    from bpfgraph.loading import ensure_loaded
    from bpfgraph.summaries import summarize_graph, summary_graph

    paths = ensure_mappings(out, n)
    result: dict = {"engine": engine, "n": n}
    texts = {
        label: queries.get(q).bind(params)
        for label, (q, params) in all_queries().items()
        if not only or label in only
    }
    server = None
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
    elif engine == "sparql":  # the remote store: a real Oxigraph server on loopback
        sys.path.insert(0, str(HERE.parent))
        from bpfgraph.store.remote import RemoteStore
        from tests.servers import OxigraphServer

        tmp = Path(tempfile.mkdtemp(prefix="bpfbench-"))
        # as the README recommends beyond a few hundred mappings: the store's default graph is
        # the union of its graphs (naming 2,000 graphs in every query took minutes per query)
        server = OxigraphServer(tmp / "server", union=True)
        atexit.register(server.stop)  # also when this child fails
        store = RemoteStore(
            server.query_url, server.update_url, server.graph_store_url, union_default_graph=True
        )
        start = time.perf_counter()
        ensure_loaded(store)
        result["framework_s"] = time.perf_counter() - start
        start = time.perf_counter()
        load_files(  # through the graph store protocol, a summary written after each mapping
            store,
            [
                (path, f"https://w3id.org/bpfgraph/graph/mapping/city-{i:05d}")
                for i, path in enumerate(paths)
            ],
        )
        result["load_s"] = time.perf_counter() - start
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

    # what was measured so far, so that a run stopped at its time limit keeps it
    print(
        json.dumps({k: v for k, v in result.items() if k != "quads"}), file=sys.stderr, flush=True
    )
    latencies = {}
    rows = {}
    # the cross-city queries last: rdflib may not finish them within the time limit
    for name, text in sorted(texts.items(), key=lambda item: item[0] in CROSS_CITY):
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
        rows[name] = _size(answer)
    result["query_s"] = latencies
    result["rows"] = rows
    if validate > 0:
        result["validate_s"] = _validate(engine, n, validate, store if engine != "rdflib" else ds)
    result["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if server is not None:  # the remote store's memory is the server's, on top of ours
        result["server_rss_mib"] = _peak_rss_mib(server.process.pid)
        result["rss_mib"] += result["server_rss_mib"]
        server.stop()
    if engine in ("oxigraph", "memory", "mirror", "sparql"):
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _size(answer: object) -> int:
    """Rows of a SELECT, triples of a CONSTRUCT, 1 for an ASK (any engine's answer)."""
    for attribute in ("rows", "graph"):
        if hasattr(answer, attribute):
            return len(getattr(answer, attribute))
    return len(answer) if hasattr(answer, "__len__") else 1


def _validate(engine: str, n: int, count: int, target: object) -> float:
    """Median time to validate one more mapping and store it with its summary, as an upload
    does (bpfgraph: its validator and store; rdflib: pySHACL and the Dataset)."""
    from generate import mapping  # type: ignore[import-not-found]
    from rdflib import Graph, URIRef

    from bpfgraph.summaries import summarize_graph, summary_graph
    from bpfgraph.validation import validate_mapping
    from bpfgraph.writes import store_mapping

    if engine == "rdflib":
        count = min(count, 3)  # pySHACL takes seconds per mapping
    graphs = [Graph().parse(data=mapping(n + k), format="turtle") for k in range(count + 1)]
    times = []
    for k, graph in enumerate(graphs):
        iri = f"https://w3id.org/bpfgraph/graph/mapping/extra-{k:05d}"
        start = time.perf_counter()
        if engine == "rdflib":
            report = validate_mapping(graph, engine="pyshacl")
            assert report.conforms
            target.graph(URIRef(iri)).__iadd__(graph)  # type: ignore[attr-defined]
            target.graph(URIRef(summary_graph(iri))).__iadd__(summarize_graph(graph, iri))  # type: ignore[attr-defined]
        else:
            store_mapping(target, graph, iri)  # type: ignore[arg-type]
        if k:  # the first one warms up (shapes compiled, framework context read)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _load_disk(path: Path, items: list[tuple[Path, str]]) -> None:
    from bpfgraph.bulk import load_files
    from bpfgraph.loading import ensure_loaded
    from bpfgraph.store.oxigraph import OxigraphStore

    store = OxigraphStore(path)
    ensure_loaded(store)
    load_files(store, items)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="bpfgraph storage benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument(
        "--engines", nargs="+", default=["oxigraph", "mirror", "memory", "sparql", "rdflib"]
    )
    parser.add_argument("--rdflib-max", type=int, default=1000, help="largest N run with rdflib")
    parser.add_argument(
        "--sparql-max", type=int, default=1000, help="largest N run with the remote store"
    )
    parser.add_argument(
        "--validate", type=int, default=5, help="mappings validated and stored per engine"
    )
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
        # every temporary directory of the child under one root, removed even when it fails
        root = Path(tempfile.mkdtemp(prefix="bpfbench-"))
        tempfile.tempdir = str(root)
        try:
            result = run_engine(engine, n, args.out, args.slow, args.queries, args.validate)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        print(json.dumps(result))
        return
    results = []
    for n in args.sizes:
        ensure_mappings(args.out, n)
        for engine in args.engines:
            if (engine == "rdflib" and n > args.rdflib_max) or (
                engine == "sparql" and n > args.sparql_max
            ):
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
                "--validate",
                str(args.validate),
                *(["--queries", *args.queries] if args.queries else []),
            ]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired as exc:
                line = {"engine": engine, "n": n, "error": f"timeout after {args.timeout:.0f} s"}
                # what the child measured before the limit: its load, then query by query
                done = [
                    json.loads(x)
                    for x in (exc.stderr or b"").decode().splitlines()
                    if x.startswith('{"engine"')
                ]
                for d in done:
                    if "query" in d:
                        line.setdefault("query_s", {})[d["query"]] = d["s"]
                    else:
                        line.update({k: v for k, v in d.items() if k.endswith("_s")})
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
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def _restart(r: dict) -> str:
    if "mirror_s" in r:
        return f"{_s(r['restart_s'])} (mirror ready {_s(r['mirror_s'])})"
    return _s(r.get("restart_s"))


def _ratio(value: float | None, reference: float | None) -> str:
    if value is None or reference is None or value <= 0:
        return ""
    ratio = reference / value
    return f" ({ratio:,.0f}×)" if ratio >= 10 else f" ({ratio:.1f}×)"


def markdown(results: list[dict]) -> str:
    """The results as the tables of bench/RESULTS.md: load, restart, RSS, validation and the
    cross-city queries; the per-mapping queries; then, for each N, every named query on every
    engine with its ratio to rdflib in the same run."""
    out = [
        "| N | engine | load | restart | peak RSS | validate + store one mapping | "
        + " | ".join(CROSS_CITY)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(CROSS_CITY),
    ]
    for r in results:
        if "error" in r:
            q = r.get("query_s", {})
            out.append(
                f"| {r['n']:,} | {r['engine']} | "
                + (f"{_s(r['load_s'])}, then {r['error']}" if "load_s" in r else f"{r['error']}")
                + " | – | – | – | "
                + " | ".join(_s(q.get(c)) if c in q else "not reached" for c in CROSS_CITY)
                + " |"
            )
            continue
        q = r["query_s"]
        rss = f"{r['rss_mib']:,.0f} MiB"
        if "server_rss_mib" in r:
            rss += f" (server {r['server_rss_mib']:,.0f})"
        out.append(
            f"| {r['n']:,} | {r['engine']} | {_s(r['load_s'])} | {_restart(r)} | {rss} | "
            f"{_s(r.get('validate_s'))} | " + " | ".join(_s(q.get(c)) for c in CROSS_CITY) + " |"
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
    for n in sorted({r["n"] for r in results}):
        here = [r for r in results if r["n"] == n and r.get("query_s")]
        if not here:
            continue
        engines = [r["engine"] for r in here]
        reference = next((r["query_s"] for r in here if r["engine"] == "rdflib"), {})
        labels = [label for label in all_queries() if any(label in r["query_s"] for r in here)]
        out += [
            "",
            f"Every named query at N = {n:,} (in brackets: how many times faster than rdflib)",
            "",
            "| named query | " + " | ".join(engines) + " |",
            "|---|" + "---|" * len(engines),
        ]
        for label in labels:
            cells = []
            for r in here:
                value = r["query_s"].get(label)
                if value is None:
                    cells.append("not reached" if "error" in r else "–")
                    continue
                ratio = "" if r["engine"] == "rdflib" else _ratio(value, reference.get(label))
                cells.append(_s(value) + ratio)
            out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
