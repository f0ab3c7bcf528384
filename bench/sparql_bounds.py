"""Benchmark: where pyoxigraph's SPARQL parser and evaluator overflow the stack.

    python bench/sparql_bounds.py [--workers 2] [--only NAME ...] [--precision 0.03]

A SPARQL text with thousands of nested groups, a long UNION chain or a long ``&&`` chain ends
the process with SIGSEGV inside pyoxigraph (a stack overflow in the recursive-descent parser,
the algebra translation, the optimiser or the evaluator). For every construct class below this
script finds, by bracketing and bisection, the largest size ``n`` that does not crash — parse
*and* evaluate on a store of a few triples (a SELECT's solutions are all read; an update is
applied) — on:

- the main thread (its stack is the ``ulimit -s`` of the shell, usually 8 MiB);
- a ``threading.Thread`` with the default stack (glibc: the ``ulimit -s`` too);
- threads started after ``threading.stack_size(N)``, N = 16, 64 and 256 MiB;
- the default thread with the text made invalid at its very end (parse only: the parser reads
  the whole text, fails at its end and pyoxigraph raises ``SyntaxError``).

Each probe runs in a forked child: a crash ends only the child. A probe still running after
``--timeout`` seconds (longer on big stacks) is stopped and counts as no crash (``⏱``): an
overflow while the text is parsed or translated comes within milliseconds, but one in the
optimiser or the evaluator comes only after their work, and some constructs take minutes or
years there (the optimiser's work grows as n^3 or n^4 for OPTIONAL chains and basic graph
patterns). So the second table measures the stack each step takes where every probe can run
to its end: on 128 and 256 KiB threads (strict: a timeout is a failure); the slope between them
is the stack per step, and for constructs slow before they overflow the 16, 64 and 256 MiB
figures of the first table (``≈``) come from it. The second table also times the parse and
evaluation at a few sizes (linear, or worse?), the third times bpfgraph.sparql_bounds.check().
Prints the Markdown tables of bench/SPARQL_BOUNDS.md in about three minutes on two cores.
"""

from __future__ import annotations

import argparse
import datetime
import math
import multiprocessing
import os
import platform
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

EX = "http://example.org/"
P = f"<{EX}p>"
KiB = 1 << 10
MiB = 1 << 20
#: (label, stack bytes): None = the main thread, 0 = a thread with the default stack
MODES: list[tuple[str, int | None]] = [
    ("main thread", None),
    ("thread, default stack", 0),
    ("thread, 16 MiB", 16 * MiB),
    ("thread, 64 MiB", 64 * MiB),
    ("thread, 256 MiB", 256 * MiB),
]
#: probes with a longer text are not run (the search stops there)
MAX_TEXT = 600_000
GET_SIZE = 12 * 1024


@dataclass(frozen=True)
class Construct:
    name: str
    kind: str  # "query" or "update"
    #: which measure of bpfgraph.sparql_bounds.Bounds grows with n
    measure: str  # "depth", "branches", "path", "-" (none: only the length)
    unit: str  # what n counts
    make: Callable[[int], str]
    #: the parse time doubles with each level: no strict probes on the small stacks
    exponential: bool = False


def _nest(n: int, head: str, core: str, tail: str) -> str:
    return head * n + core + tail * n


SPO = "?s ?p ?o"
TRIPLES = f"<{EX}s0> {P} <{EX}s1> . <{EX}s1> {P} <{EX}s2> . <{EX}s2> {P} 2 ."


def _c(
    name: str, kind: str, measure: str, unit: str, make: Callable[[int], str], exp: bool = False
) -> Construct:
    return Construct(name, kind, measure, unit, make, exp)


# fmt: off
CONSTRUCTS: list[Construct] = [
    # --- nesting: the text nests n deep ---
    _c("groups", "query", "depth", "nested { }",
       lambda n: "SELECT * " + _nest(n, "{ ", SPO, " }")),
    _c("optional-nested", "query", "depth", "nested OPTIONAL { }",
       lambda n: "SELECT * { " + _nest(n, f"{SPO} OPTIONAL {{ ", SPO, " }") + " }"),
    _c("union-nested", "query", "depth", "nested { } UNION { }",
       lambda n: "SELECT * { " + _nest(n, f"{{ {SPO} }} UNION {{ ", SPO, " }") + " }"),
    _c("not-exists-nested", "query", "depth", "nested FILTER NOT EXISTS { }",
       lambda n: "SELECT * { " + _nest(n, f"{SPO} FILTER NOT EXISTS {{ ", SPO, " }") + " }"),
    _c("subselect-nested", "query", "depth", "nested { SELECT * { } }",
       lambda n: "SELECT * " + _nest(n, "{ SELECT * { ", SPO, " } }")),
    _c("aggregate-subselect-nested", "query", "depth", "nested { SELECT (COUNT(*) …) { } }",
       lambda n: "SELECT * " + _nest(n, "{ SELECT (COUNT(*) AS ?c) { ", SPO, " } GROUP BY ?s }"),
       exp=True),
    _c("filter-parens", "query", "depth", "nested ( ) in FILTER",
       lambda n: f"SELECT * {{ {SPO} FILTER(" + _nest(n, "(", "true", ")") + ") }"),
    _c("function-nested", "query", "depth", "nested STR( )",
       lambda n: f"SELECT * {{ {SPO} FILTER(" + _nest(n, "STR(", "?o", ")") + ' != "") }'),
    _c("substr-nested", "query", "depth", "nested SUBSTR( , 1)",
       lambda n: f"SELECT * {{ {SPO} FILTER(" + _nest(n, "SUBSTR(", "?o", ", 1)") + ' != "") }',
       exp=True),
    _c("path-parens", "query", "depth", "nested ( ) in a path",
       lambda n: "SELECT * { ?s " + _nest(n, "(", P, ")") + " ?o }"),
    _c("bnode-nested", "query", "depth", "nested [ <p> ]",
       lambda n: f"SELECT * {{ ?s {P} " + _nest(n, f"[ {P} ", "?o", " ]") + " }"),
    _c("collection-nested", "query", "depth", "nested ( )",
       lambda n: f"SELECT * {{ ?s {P} " + _nest(n, "( ", "?o", " )") + " }"),
    _c("triple-term-nested", "query", "depth", "nested <<( )>>",
       lambda n: "SELECT * { ?s ?p " + _nest(n, "<<( ?s ?p ", "?o", " )>>") + " }"),
    # --- chains: flat in the text, a left-deep tree in the algebra ---
    _c("union-chain", "query", "branches", "UNION",
       lambda n: f"SELECT * {{ {{ {SPO} }}" + f" UNION {{ {SPO} }}" * n + " }"),
    _c("optional-chain", "query", "branches", "OPTIONAL",
       lambda n: f"SELECT * {{ {SPO} " + f"OPTIONAL {{ {SPO} }} " * n + "}"),
    _c("minus-chain", "query", "branches", "MINUS",
       lambda n: f"SELECT * {{ {SPO} " + "MINUS { ?s ?p 7 } " * n + "}"),
    _c("filter-chain", "query", "branches", "FILTER",
       lambda n: f"SELECT * {{ {SPO} " + "FILTER(true) " * n + "}"),
    _c("bind-chain", "query", "branches", "BIND",
       lambda n: f"SELECT * {{ {SPO} " + "".join(f"BIND(1 AS ?b{i}) " for i in range(n)) + "}"),
    _c("and-chain", "query", "branches", "&&",
       lambda n: f"SELECT * {{ {SPO} FILTER(true" + " && true" * n + ") }"),
    _c("or-chain", "query", "branches", "||",
       lambda n: f"SELECT * {{ {SPO} FILTER(false" + " || false" * n + " || true) }"),
    _c("plus-chain", "query", "branches", "+",
       lambda n: f"SELECT * {{ {SPO} FILTER(1" + "+1" * n + " > 0) }"),
    _c("minus-op-chain", "query", "branches", "- (subtraction)",
       lambda n: f"SELECT * {{ {SPO} FILTER(1" + "-1" * n + " < 0) }"),
    _c("not-unary", "query", "branches", "! prefixes",
       lambda n: f"SELECT * {{ {SPO} FILTER(" + "!" * n + "true) }"),
    _c("path-sequence", "query", "path", "/",
       lambda n: f"SELECT * {{ ?s {P}" + f"/{P}" * n + " ?o }"),
    _c("path-alternative", "query", "path", "|",
       lambda n: f"SELECT * {{ ?s {P}" + f"|{P}" * n + " ?o }"),
    _c("path-negated", "query", "path", "| in !( )",
       lambda n: f"SELECT * {{ ?s !({P}" + f"|{P}" * n + ") ?o }"),
    # --- flat, counted by no measure but the length ---
    _c("group-sequence", "query", "length", "{ } { } …",
       lambda n: f"SELECT * {{ {SPO} " + f"{{ {SPO} }} " * n + "}"),
    _c("bgp-patterns", "query", "length", "triple patterns",
       lambda n: f"SELECT * {{ {SPO}" + " , ?o" * n + " }"),
    _c("bgp-objects", "query", "length", "objects ,1",
       lambda n: f"SELECT * {{ ?s {P} 1" + ",1" * n + " }"),
    _c("collection-flat", "query", "length", "items of ( 1 1 … )",
       lambda n: f"SELECT * {{ ?s {P} (" + " 1" * n + " ) }"),
    _c("values", "query", "length", "VALUES rows",
       lambda n: f"SELECT * {{ {SPO} VALUES ?x {{" + " 1" * n + " } }"),
    # --- updates ---
    _c("update-groups", "update", "depth", "nested { } in WHERE",
       lambda n: f"INSERT {{ ?s {P} 1 }} WHERE " + _nest(n, "{ ", SPO, " }")),
    _c("update-union-chain", "update", "branches", "UNION in WHERE",
       lambda n: f"DELETE {{ ?s {P} 9 }} WHERE {{ {{ {SPO} }}" + f" UNION {{ {SPO} }}" * n + " }"),
    _c("insert-data-bnode", "update", "depth", "nested [ <p> ] in INSERT DATA",
       lambda n: f"INSERT DATA {{ <{EX}s> {P} " + _nest(n, f"[ {P} ", "1", " ]") + " }"),
    _c("insert-data-collection", "update", "depth", "nested ( ) in INSERT DATA",
       lambda n: f"INSERT DATA {{ <{EX}s> {P} " + _nest(n, "( ", "1", " )") + " }"),
    _c("insert-data-objects", "update", "length", "objects ,1 in INSERT DATA",
       lambda n: f"INSERT DATA {{ <{EX}s> {P} 1" + ",1" * n + " }"),
    _c("update-operations", "update", "length", "operations ; …",
       lambda n: ";\n".join([f"INSERT DATA {{ <{EX}s> {P} 1 }}"] * (n + 1))),
]
# fmt: on
BY_NAME = {c.name: c for c in CONSTRUCTS}


def tiny_store() -> ox.Store:
    store = ox.Store()
    store.update(f"INSERT DATA {{ {TRIPLES} }}")
    return store


STORE = tiny_store()


def run(text: str, kind: str, store: ox.Store) -> None:
    """Parse and evaluate ``text`` as pyoxigraph does for the service: every solution read."""
    if kind == "update":
        store.update(text)
        return
    result = store.query(text)
    if not isinstance(result, ox.QueryBoolean):
        for _ in result:
            pass
    del result


@dataclass
class Probe:
    outcome: str  # "ok", "crash", "timeout", "error"
    seconds: float  # in the child, parse + evaluation (0 unless ok)
    detail: str = ""


def probe(c: Construct, n: int, stack: int | None, parse_only: bool, timeout: float) -> Probe:
    """Run one text in a forked child on the given stack; a crash ends only the child."""
    text = c.make(n)
    if parse_only:
        text += " ]]] !"  # invalid at its very end: the parser reads all of it, then fails
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, timeout)

        def go() -> None:
            start = time.perf_counter()
            code, detail = 0, ""
            try:
                run(text, c.kind, STORE)
            except SyntaxError as e:
                code, detail = (0, "") if parse_only else (2, f"SyntaxError: {e}")
            except BaseException as e:
                code, detail = 2, f"{type(e).__name__}: {e}"
            os.write(write_fd, f"{time.perf_counter() - start!r} {detail[:300]}".encode())
            os._exit(code)

        if stack is None:
            go()
        threading.stack_size(stack)
        thread = threading.Thread(target=go)
        thread.start()
        thread.join()
        os._exit(3)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        message = pipe.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return Probe("ok", float(message.split(" ", 1)[0]))
    if code == -signal.SIGALRM:
        return Probe("timeout", timeout)
    if code < 0:
        return Probe("crash", 0.0, signal.Signals(-code).name)
    return Probe("error", 0.0, message.split(" ", 1)[-1] or f"exit {code}")


@dataclass
class Threshold:
    ok: int  # the largest n that ran (early: that did not crash)
    crash: int | None  # the smallest n seen to crash (None: none up to the cap)
    slow: bool  # the probe at ``ok`` (early) or at ``ok`` + 1 (strict) ran into the timeout
    capped: bool = False  # the next step's text was longer than MAX_TEXT: not tried
    error: str = ""  # a probe failed with an exception (a bug in the construct's text)
    estimated: bool = False  # not measured: scaled from the 8 and 16 MiB figures

    def __str__(self) -> str:
        if self.error:
            return "–" if self.error == "not measured" else f"error: {self.error[:60]}"
        if self.estimated:
            return f"≈ {self.ok:,}"
        text = f"{self.ok:,}" if self.crash is not None else f"> {self.ok:,}"
        return text + (" ⏱" if self.slow else "")


def search(
    c: Construct,
    stack: int | None,
    parse_only: bool,
    hint: int | None,
    precision: float,
    timeout: float,
    strict: bool = False,
) -> Threshold:
    """The largest n that does not crash: bracket (around ``hint`` if given), then bisect.

    Early (``strict`` false): a probe still running at the timeout is stopped and counts as no
    crash — an overflow while the text is parsed and translated comes within milliseconds; one
    in the optimiser or the evaluator, after their work, is missed (``⏱``: the figure is an upper
    bound). Strict: a probe must finish; a timeout counts as a failure (``⏱``: a lower bound).
    """
    results: dict[int, Probe] = {}

    def at(n: int) -> Probe:
        if n not in results:
            results[n] = probe(c, n, stack, parse_only, timeout)
            if results[n].outcome == "error":
                raise RuntimeError(f"{c.name} at n = {n}: {results[n].detail}")
        return results[n]

    def fails(n: int) -> bool:
        outcome = at(n).outcome
        return outcome == "crash" or (strict and outcome == "timeout")

    def done(lo: int, hi: int | None, capped: bool = False) -> Threshold:
        crashes = [n for n, p in results.items() if p.outcome == "crash"]
        if strict:
            slow = hi is not None and results[hi].outcome == "timeout"
        else:
            slow = lo in results and results[lo].outcome == "timeout"
        return Threshold(lo, min(crashes) if crashes else None, slow, capped)

    try:
        n = max(8, int(hint * 0.85)) if hint else 64
        lo, hi = 0, None  # lo does not fail (0: assumed), hi fails
        while fails(n):  # downwards while the first guess fails
            hi = n
            if n == 1:
                return done(0, 1)
            n = max(1, n // 2)
        lo = n
        step = 1.3 if hint else 2.0
        while hi is None:  # upwards
            n = max(lo + 1, int(lo * step))
            if len(c.make(n)) > MAX_TEXT:
                return done(lo, None, capped=True)
            if fails(n):
                hi = n
            else:
                lo, step = n, 2.0
        while hi - lo > (1 if strict else max(1, int(lo * precision))):  # bisect
            mid = (lo + hi) // 2
            if fails(mid):
                hi = mid
            else:
                lo = mid
        return done(lo, hi)
    except RuntimeError as e:
        return Threshold(0, None, False, error=str(e))


#: the small stacks of the second table: there the overflow comes at small n, so even the
#: constructs that are slow before they overflow finish, and the slope is the stack per step
SMALL = (128 * KiB, 256 * KiB)


def measure(name: str, precision: float, timeout: float) -> tuple[str, dict[str, Threshold]]:
    """One construct on every stack: the default thread first, its figure scales the others.

    The slope between two small stacks (strict: every probe runs to its end) gives the stack
    per step. Where the probes ran into their timeout (``⏱``: an overflow would come later than
    they look — the construct is slow before it overflows), the figure comes from that slope
    (``≈``) instead of probes that would run for minutes or years. The timeout grows with the
    stack (a big text takes longer to run, crash or not).
    """
    c = BY_NAME[name]
    default_stack = resource.getrlimit(resource.RLIMIT_STACK)[0]

    def limit(stack: int | None) -> float:
        return min(8 * timeout, max(timeout, timeout * (stack or default_stack) / (8 * MiB)))

    out: dict[str, Threshold] = {}
    base = search(c, 0, False, None, precision, timeout)
    for stack in SMALL:
        label = f"strict {stack // KiB} KiB"
        if c.exponential or not (base.crash or base.slow):
            out[label] = Threshold(0, None, False, error="not measured")
            continue
        hint = max(1, int(base.ok * stack / default_stack)) if base.crash else None
        out[label] = search(c, stack, False, hint, precision, 4 * timeout, strict=True)
    slope = per_step(out)

    def estimate(size: int) -> Threshold:
        assert slope is not None
        return Threshold(int((size - slope[1]) / slope[0]), None, False, estimated=True)

    slow = base.slow or not base.crash
    for label, stack in MODES:
        size = stack or default_stack
        if slow and slope:
            out[label] = estimate(size)
        elif stack == 0 or (slow and not stack) or (slow and base.capped):
            out[label] = base  # (no crash up to the longest text tried: nor on a bigger stack)
        elif slow:  # no slope: a doubling parse time (see the time table)
            out[label] = Threshold(0, None, False, error="not measured")
        else:
            hint = int(base.ok * size / default_stack)
            found = search(c, stack, False, hint, precision, limit(stack))
            out[label] = estimate(size) if found.slow and slope else found
    hint = base.ok if base.crash else None
    out["parse only"] = search(c, 0, True, hint, precision, timeout)
    return name, out


def timing(name: str, sizes: list[int], timeout: float) -> tuple[str, list[tuple[int, Probe]]]:
    """Parse + evaluation time at the given sizes on a 256 MiB thread (best of 2)."""
    c = BY_NAME[name]
    rows: list[tuple[int, Probe]] = []
    for n in sizes:
        best: Probe | None = None
        for _ in range(2):
            p = probe(c, n, 256 * MiB, False, timeout)
            if p.outcome != "ok":
                best = p
                break
            if best is None or p.seconds < best.seconds:
                best = p
        assert best is not None
        rows.append((n, best))
        if best.outcome != "ok" or best.seconds > timeout / 8:
            break
    return name, rows


def get_sized(c: Construct, size: int = GET_SIZE) -> int:
    """The largest n whose text fits in ``size`` characters."""
    lo, hi = 0, 1
    while len(c.make(hi)) <= size:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if len(c.make(mid)) <= size:
            lo = mid
        else:
            hi = mid
    return lo


def per_step(row: dict[str, Threshold]) -> tuple[float, float] | None:
    """Stack bytes per step of n (slope between the two small stacks) and the fixed part."""
    (s0, s1) = SMALL
    a, b = row[f"strict {s0 // KiB} KiB"], row[f"strict {s1 // KiB} KiB"]
    if a.error or b.error or a.slow or b.slow or not a.crash or not b.crash or b.ok <= a.ok:
        return None
    slope = (s1 - s0) / (b.ok - a.ok)
    return slope, s0 - slope * a.ok


def _measure_star(args: tuple[str, float, float]) -> tuple[str, dict[str, Threshold]]:
    start = time.monotonic()
    result = measure(*args)
    print(f"  {args[0]}: {time.monotonic() - start:.1f} s", file=sys.stderr, flush=True)
    return result


def _timing_star(args: tuple[str, list[int], float]) -> tuple[str, list[tuple[int, Probe]]]:
    return timing(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", choices=sorted(BY_NAME), help="constructs to run")
    parser.add_argument("--precision", type=float, default=0.03, help="relative, of each figure")
    parser.add_argument("--timeout", type=float, default=0.5, help="seconds, of each probe")
    args = parser.parse_args()
    names = args.only or [c.name for c in CONSTRUCTS]
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        heavy = {c.name for c in CONSTRUCTS if c.measure == "length" or c.exponential}
        order = sorted(names, key=lambda n: n not in heavy)
        jobs = [(n, args.precision, args.timeout) for n in order]
        measured = dict(pool.imap_unordered(_measure_star, jobs))
        sizes = [10, 30, 100, 300, 1000, 3000, 10000, 30000]
        timed = dict(pool.imap_unordered(_timing_star, [(n, sizes, 2.0) for n in names]))
    elapsed = time.monotonic() - started
    stack = resource.getrlimit(resource.RLIMIT_STACK)[0]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; Python {platform.python_version()}"
        f", pyoxigraph {ox.__version__}; ulimit -s {stack // 1024} KiB; "
        f"{datetime.date.today().isoformat()}; run time {elapsed:.0f} s; precision "
        f"{args.precision:.0%}, probe timeout {args.timeout:g} s.\n"
    )
    print("### Largest n that does not crash (parse + evaluate; SIGSEGV above it)\n")
    labels = [label for label, _ in MODES] + ["parse only"]
    print("| construct | kind | n counts | bound | " + " | ".join(labels) + " | 12 KB text |")
    print("|---" * (len(labels) + 5) + "|")
    for name in names:
        c = BY_NAME[name]
        row = measured[name]
        get_n = get_sized(c)
        base = row["thread, default stack"]
        if base.estimated and get_n > base.ok:
            verdict = "crashes (after the optimiser's work)"
        else:
            verdict = "crashes" if base.crash is not None and get_n > base.ok else "runs"
        cells = [str(row[label]) for label in labels]
        print(
            f"| {name} | {c.kind} | {c.unit} | {c.measure} | "
            + " | ".join(cells)
            + f" | n = {get_n:,}: {verdict} |"
        )
    for name, row in measured.items():
        for label, t in row.items():
            if t.error and t.error != "not measured":
                print(f"ERROR {name} / {label}: {t.error}", file=sys.stderr)
    small = [f"strict {s // KiB} KiB" for s in SMALL]
    print("\n### Stack per step (small stacks, every probe run to its end) and time\n")
    print(
        f"| construct | {small[0]} | {small[1]} | stack bytes per n | overflow at 64 MiB, "
        "256 MiB (from the slope) | time at n (256 MiB thread, best of 2) | growth |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in names:
        row = measured[name]
        slope = per_step(row)
        if slope:
            per = f"{slope[0]:,.0f}"
            over = ", ".join(f"{int((s - slope[1]) / slope[0]):,}" for s in (64 * MiB, 256 * MiB))
        else:
            per = over = "–"
        cells = []
        for n, p in timed[name]:
            if p.outcome == "ok":
                cells.append(f"{n:,}: {p.seconds * 1000:,.1f} ms")
            else:
                cells.append(f"{n:,}: {p.outcome}")
        ok = [(n, p.seconds) for n, p in timed[name] if p.outcome == "ok" and p.seconds > 0.003]
        growth = "–"
        if len(ok) >= 2:
            (n0, t0), (n1, t1) = ok[-2], ok[-1]
            growth = f"n^{math.log(t1 / t0) / math.log(n1 / n0):.1f}"
        print(
            f"| {name} | {row[small[0]]} | {row[small[1]]} | {per} | {over} | "
            + "; ".join(cells)
            + f" | {growth} |"
        )
    print("\n### bpfgraph.sparql_bounds.check() (timeit, best of 5; of 3 for 10 MB)\n")
    print("| text | characters | time | outcome |")
    print("|---|---|---|---|")
    for label, size, seconds, outcome in check_timing():
        shown = f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.1f} ms"
        print(f"| {label} | {size:,} | {shown} | {outcome} |")


def check_timing() -> list[tuple[str, int, float, str]]:
    """Time bpfgraph.sparql_bounds.check() (best of 5 timeit runs) on a few texts."""
    import timeit
    from pathlib import Path

    from bpfgraph.sparql_bounds import Bounds, BoundsError, check

    queries = sorted(Path(__file__).resolve().parents[1].glob("queries/*.rq"))
    typical = min((p.read_text() for p in queries), key=lambda t: abs(len(t) - 500))
    largest = max((p.read_text() for p in queries), key=len)
    iris = " ".join(f"<http://example.org/resource/item-{i}>" for i in range(780))
    values = f"SELECT * WHERE {{ ?s ?p ?o . VALUES ?s {{ {iris} }} FILTER(?o > 1 && ?o < 9) }}"
    rows = " ".join(f'<http://example.org/r/{i}> "literal {i}"@en-GB' for i in range(300_000))
    big = ("SELECT * WHERE { ?s ?p ?o . VALUES ?s { " + rows)[:10_000_000] + " } }"
    raised = Bounds(max_length=20_000_000)
    texts = [
        ("a named query of about 500 characters", typical, Bounds()),
        ("the largest named query", largest, Bounds()),
        ("VALUES with 780 IRIs (32 KB)", values, Bounds()),
        ("10 MB, default bounds", big, Bounds()),
        ("10 MB of IRIs and strings, max_length raised", big, raised),
        ("10 MB of {, max_length raised", "{" * 10_000_000, raised),
        ("10 MB of (x), max_length raised", "(x)" * 3_333_333, raised),
        ("10 MB of a-, max_length raised", "a-" * 5_000_000, raised),
    ]
    out = []
    for label, text, bounds in texts:

        def run(text: str = text, bounds: Bounds = bounds) -> str:
            try:
                check(text, bounds)
                return "passes"
            except BoundsError as e:
                return f"BoundsError ({e.limit})"

        number = max(1, timeit.Timer(run).autorange()[0]) if len(text) < 10**6 else 1
        best = min(timeit.repeat(run, number=number, repeat=5 if number > 1 else 3)) / number
        out.append((label, len(text), best, run()))
    return out


if __name__ == "__main__":
    main()
