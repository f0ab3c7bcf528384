"""Bounds on SPARQL text (bpfgraph.sparql_bounds): generated variants of every construct that
overflows pyoxigraph's stack, at and around each bound; placements that must not count; the
project's and the W3C queries; and, in subprocesses, the largest texts the default bounds let
through, parsed and evaluated by pyoxigraph on a thread with the recommended stack."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pytest

from bpfgraph.sparql_bounds import (
    RECOMMENDED_STACK_BYTES,
    SETTINGS,
    Bounds,
    BoundsError,
    check,
    measure,
)

from ..conftest import ROOT

DEFAULT = Bounds()
LIMITS = {
    "length": DEFAULT.max_length,
    "depth": DEFAULT.max_depth,
    "branches": DEFAULT.max_branches,
    "path_length": DEFAULT.max_path_length,
}
LONG = Bounds(max_length=10_000_000)
GET_SIZE = 12 * 1024
P = "<http://example.org/p>"
SPO = "?s ?p ?o"


def _nest(k: int, head: str, core: str, tail: str) -> str:
    return head * k + core + tail * k


# Each generator makes a text whose measure (the key of its table) is exactly k, every other
# measure small: (name, kind, make(k)).
DEPTH: list[tuple[str, str, Callable[[int], str]]] = [
    ("groups", "query", lambda k: "SELECT * " + _nest(k, "{ ", SPO, " }")),
    ("groups, no blanks", "query", lambda k: "ASK" + _nest(k, "{", SPO, "}")),
    (
        "nested OPTIONAL",
        "query",
        lambda k: "SELECT ?s { " + _nest(k - 1, f"{SPO} OPTIONAL {{ ", SPO, " }") + " }",
    ),
    (
        "nested UNION",
        "query",
        lambda k: "SELECT ?s { " + _nest(k - 1, f"{{ {SPO} }} UNION {{ ", SPO, " }") + " }",
    ),
    (
        "nested FILTER NOT EXISTS",
        "query",
        lambda k: "SELECT ?s { " + _nest(k - 1, f"{SPO} FILTER NOT EXISTS {{ ", SPO, " }") + " }",
    ),
    (
        "nested sub-SELECT",
        "query",
        lambda k: (
            "SELECT ?s " + _nest(k % 2, "{ ", _nest(k // 2, "{ SELECT ?s { ", SPO, " } }"), " }")
        ),
    ),
    (
        "FILTER parentheses",
        "query",
        lambda k: f"SELECT ?s {{ {SPO} FILTER" + _nest(k - 1, "(", "true", ")") + " }",
    ),
    (
        "nested function calls",
        "query",
        lambda k: f"SELECT ?s {{ {SPO} FILTER(" + _nest(k - 2, "STR(", "?o", ")") + ' != "") }',
    ),
    (
        "nested SUBSTR",
        "query",
        lambda k: (
            f"SELECT ?s {{ {SPO} FILTER(" + _nest(k - 2, "SUBSTR(", "?o", ", 1)") + ' = "") }'
        ),
    ),
    (
        "path parentheses",
        "query",
        lambda k: "SELECT ?s { ?s " + _nest(k - 1, "(", P, ")") + " ?o }",
    ),
    (
        "nested inverse paths",
        "query",
        lambda k: "SELECT ?s { ?s " + _nest(k - 1, "^(", P, ")") + " ?o }",
    ),
    (
        "nested blank-node property lists",
        "query",
        lambda k: f"SELECT ?s {{ ?s {P} " + _nest(k - 1, f"[ {P} ", "?o", " ]") + " }",
    ),
    (
        "nested collections",
        "query",
        lambda k: f"SELECT ?s {{ ?s {P} " + _nest(k - 1, "( ", "?o", " )") + " }",
    ),
    (
        "nested triple terms",
        "query",
        lambda k: (
            "SELECT ?s { "
            + _nest(
                (k - 1) % 2, "{ ", "?s ?p " + _nest((k - 1) // 2, "<<( ?s ?p ", "?o", " )>>"), " }"
            )
            + " }"
        ),
    ),
    (
        "brackets inside an IRI-like span after a less-than",
        "query",
        lambda k: f"SELECT ?s {{ {SPO} FILTER(?o<" + _nest(k - 2, "(", "?s", ")") + "&&?s>?o) }",
    ),
    (
        "unmatched closers first",
        "query",
        lambda k: "ASK { } " + "}" * 500 + ")" * 500 + "{" * k + "}" * k,
    ),
    (
        "update: nested groups in WHERE",
        "update",
        lambda k: f"INSERT {{ ?s {P} 1 }} WHERE " + _nest(k, "{ ", SPO, " }"),
    ),
    (
        "update: nested blank nodes in INSERT DATA",
        "update",
        lambda k: (
            f"INSERT DATA {{ <http://example.org/s> {P} "
            + _nest(k - 1, f"[ {P} ", "1", " ]")
            + " }"
        ),
    ),
    (
        "update: nested collections in INSERT DATA",
        "update",
        lambda k: (
            f"INSERT DATA {{ <http://example.org/s> {P} " + _nest(k - 1, "( ", "1", " )") + " }"
        ),
    ),
]
BRANCHES: list[tuple[str, str, Callable[[int], str]]] = [
    (
        "UNION chain",
        "query",
        lambda k: f"SELECT ?s {{ {{ {SPO} }}" + f" UNION {{ {SPO} }}" * k + " }",
    ),
    (
        "UNION chain, no blanks",
        "query",
        lambda k: "SELECT ?s{{?s ?p ?o}" + "UNION{?s ?p ?o}" * k + "}",
    ),
    (
        "OPTIONAL chain",
        "query",
        lambda k: f"SELECT ?s {{ {SPO} " + f"OPTIONAL {{ {SPO} }} " * k + "}",
    ),
    ("MINUS chain", "query", lambda k: f"SELECT ?s {{ {SPO} " + "MINUS{?s ?p 7}" * k + "}"),
    ("FILTER chain", "query", lambda k: f"SELECT ?s {{ {SPO} " + "FILTER(true)" * k + "}"),
    (
        "FILTER glued to a boolean",
        "query",
        lambda k: "SELECT ?s { ?s ?p true" + "FILTER(true)?s ?p true" * k + " }",
    ),
    (
        "FILTER glued to a number",
        "query",
        lambda k: "SELECT ?s { ?s ?p 1" + "FILTER(true)?s ?p 1" * k + " }",
    ),
    ("lower-case filter", "query", lambda k: f"SELECT ?s {{ {SPO} " + "filter(true) " * k + "}"),
    (
        "BIND chain",
        "query",
        lambda k: f"SELECT ?s {{ {SPO} " + "".join(f"BIND(1 AS ?b{i}) " for i in range(k)) + "}",
    ),
    ("&& chain", "query", lambda k: "SELECT (true" + " && true" * k + " AS ?x) { ?s ?p ?o }"),
    ("|| chain", "query", lambda k: "SELECT (false" + "||false" * k + " AS ?x) { ?s ?p ?o }"),
    ("+ chain", "query", lambda k: "SELECT (1" + "+1" * k + " AS ?x) { ?s ?p ?o }"),
    ("- chain", "query", lambda k: "SELECT (1" + "-1" * k + " AS ?x) { ?s ?p ?o }"),
    (
        "- chain of booleans",
        "query",
        lambda k: "SELECT (true" + "-true" * k + " AS ?x) { ?s ?p ?o }",
    ),
    ("* chain", "query", lambda k: "SELECT (2" + " * 2" * k + " AS ?x) { ?s ?p ?o }"),
    ("! prefixes", "query", lambda k: "SELECT (" + "!" * k + "true AS ?x) { ?s ?p ?o }"),
    (
        "&& hidden in an IRI-like span",
        "query",
        lambda k: "SELECT (?o<?s" + "&&?s" * k + ">?o AS ?x) { ?s ?p ?o }",
    ),
    (
        "update: UNION chain in WHERE",
        "update",
        lambda k: f"DELETE {{ ?s {P} 9 }} WHERE {{ {{ {SPO} }}" + f" UNION {{ {SPO} }}" * k + " }",
    ),
]
PATHS: list[tuple[str, str, Callable[[int], str]]] = [
    ("sequence of IRIs", "query", lambda k: f"SELECT ?s {{ ?s {P}" + f"/{P}" * k + " ?o }"),
    (
        "sequence of prefixed names",
        "query",
        lambda k: "PREFIX ex: <http://example.org/> SELECT ?s { ?s ex:p" + "/ex:p" * k + " ?o }",
    ),
    (
        "sequence of hyphenated prefixed names",
        "query",
        lambda k: (
            "PREFIX my-ex: <http://example.org/> SELECT ?s { ?s my-ex:p-q"
            + "/my-ex:p-q" * k
            + " ?o }"
        ),
    ),
    ("sequence of a", "query", lambda k: "SELECT ?s { ?s a" + "/a" * k + " ?o }"),
    ("alternatives", "query", lambda k: f"SELECT ?s {{ ?s {P}" + f"|{P}" * k + " ?o }"),
    ("negated set", "query", lambda k: f"SELECT ?s {{ ?s !({P}" + f"|{P}" * k + ") ?o }"),
    (
        "modifiers and inverses",
        "query",
        lambda k: f"SELECT ?s {{ ?s ^{P}*" + f"/^{P}+" * k + " ?o }",
    ),
    (
        "steps across lines and comments",
        "query",
        lambda k: f"SELECT ?s {{ ?s {P}" + f" # step\n / {P}" * k + " ?o }",
    ),
    (
        "groups of steps",
        "query",
        lambda k: f"SELECT ?s {{ ?s ({P}" + f"/({P}|{P})" * (k // 2) + f"/{P}" * (k % 2) + ") ?o }",
    ),
    ("division chain", "query", lambda k: f"SELECT ?s {{ {SPO} FILTER(?o" + "/?o" * k + " > 0) }"),
]


def _fill(head: str, unit: str, tail: str, k: int) -> str:
    """``head``, blanks, units and ``tail``: ``k`` characters."""
    units, pad = divmod(k - len(head) - len(tail), len(unit))
    return head + " " * pad + unit * units + tail


LENGTH: list[tuple[str, str, Callable[[int], str]]] = [
    ("padded with a comment", "query", lambda k: _fill("ASK {} #", "x", "", k)),
    ("padded with blanks", "query", lambda k: _fill("ASK {", " ", "}", k)),
    ("VALUES", "query", lambda k: _fill("SELECT ?s { ?s ?p ?o VALUES ?x {", " 1", " } }", k)),
    ("collection items", "query", lambda k: _fill(f"SELECT ?s {{ ?s {P} (", " 1", " ) }", k)),
    (
        "update: INSERT DATA objects",
        "update",
        lambda k: _fill(f"INSERT DATA {{ <http://example.org/s> {P} 1", ",1", " }", k),
    ),
]
TABLES = {"depth": DEPTH, "branches": BRANCHES, "path_length": PATHS, "length": LENGTH}


def _get_sized(make: Callable[[int], str]) -> int:
    """The largest k (from 2) whose text fits a 12 KB GET."""
    lo, hi = 2, 4
    while len(make(hi)) <= GET_SIZE:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if len(make(mid)) <= GET_SIZE else (lo, mid)
    return lo


def _cases() -> list[pytest.param]:
    cases = []
    for limit, table in TABLES.items():
        bound = LIMITS[limit]
        for name, kind, make in table:
            sizes = {
                "bound - 1": bound - 1,
                "bound": bound,
                "bound + 1": bound + 1,
                "10 x bound": 10 * bound,
            }
            if limit != "length":
                sizes["12 KB GET"] = _get_sized(make)
            for label, k in sizes.items():
                cases.append(pytest.param(limit, kind, make, k, id=f"{limit}: {name}: {label}"))
    return cases


@pytest.mark.parametrize(("limit", "kind", "make", "k"), _cases())
def test_generated_variants(limit: str, kind: str, make: Callable[[int], str], k: int) -> None:
    text = make(k)
    figures = measure(text)
    assert figures[limit] == k, figures  # the generator makes what it says
    # with the default bounds, and with the length let go (a long unit, ``{ ?s ?p ?o } UNION``,
    # reaches the length bound before its own)
    for bounds in (DEFAULT, LONG):
        maxima = {name: getattr(bounds, f"max_{name}") for name in LIMITS}
        # the first bound the text is beyond, in the order check() looks at them
        beyond = next((name for name, m in maxima.items() if figures[name] > m), None)
        if bounds is LONG and limit != "length" and k <= LIMITS[limit] + 1:
            assert beyond in (None, limit), figures  # nothing else is near its bound
        if beyond is None:
            check(text, bounds, kind)
            continue
        with pytest.raises(BoundsError) as caught:
            check(text, bounds, kind)
        e = caught.value
        assert (e.limit, e.setting, e.value, e.maximum, e.kind) == (
            beyond,
            SETTINGS[beyond],
            figures[beyond],
            maxima[beyond],
            kind,
        )
        message = str(e)
        assert message.startswith(f"the {kind} ")
        assert f"{e.value:,}" in message and f"the limit is {e.maximum:,} ({e.setting})" in message
        assert f"first exceeded at line {e.line:,}, column {e.column:,}" in message


@pytest.mark.parametrize(
    ("text", "limit", "line", "column"),
    [
        ("ASK " + "{" * 3001 + "}" * 3001, "depth", 1, 4 + 257),
        (
            "ASK {\n  ?s ?p ?o\n  FILTER(" + "(" * 300 + "1" + ")" * 300 + ")\n}",
            "depth",
            3,
            9 + 255,
        ),
        ("ASK { ?s ?p ?o FILTER(" + "!" * 3000 + "true) }", "branches", 1, 22 + 2048),
        ("#" + "x" * 40_000 + "\nASK {}", "length", 1, 32_769),
        (
            "ASK {\n ?s " + "<http://x/p>/" * 70 + "<http://x/p> ?o }",
            "path_length",
            2,
            4 + 13 * 64 + 13,
        ),
    ],
    ids=["depth", "depth on line 3", "branches", "length", "path"],
)
def test_where_the_limit_is_first_exceeded(text: str, limit: str, line: int, column: int) -> None:
    with pytest.raises(BoundsError) as caught:
        check(text, DEFAULT)
    assert (caught.value.limit, caught.value.line, caught.value.column) == (limit, line, column)


def test_message_in_plain_words() -> None:
    with pytest.raises(BoundsError) as caught:
        check("ASK " + "{" * 3001 + "}" * 3001, Bounds(max_depth=200), "update")
    assert str(caught.value) == (
        "the update nests groups and parentheses 3,001 deep; the limit is 200 "
        "(BPFGRAPH_QUERY_MAX_DEPTH), first exceeded at line 1, column 205"
    )
    assert isinstance(caught.value, ValueError)


# --- placements that must not count (or must) ---------------------------------------------

DEEP = "{[(" * 400 + "UNION OPTIONAL FILTER && || ! + - * " * 200 + "/|^" * 200
NOT_COUNTED = [
    ("in a string", f'SELECT ?s {{ ?s ?p "{DEEP}" }}'),
    ("in a string with escapes", 'SELECT ?s { ?s ?p "\\"' + DEEP + '\\\\" }'),
    ("in a single-quoted string", f"SELECT ?s {{ ?s ?p '{DEEP}' }}"),
    ("in a long string over lines", 'SELECT ?s { ?s ?p """\n' + DEEP + '\n"" " \n""" }'),
    ("in a long single-quoted string", "SELECT ?s { ?s ?p '''" + DEEP + "\n'' ''' }"),
    ("in a comment", f"SELECT ?s {{ ?s ?p ?o # {DEEP}\n}}"),
    ("in a comment ended by a carriage return", f"SELECT ?s {{ ?s ?p ?o # {DEEP}\r}}"),
    (
        "in IRIs: path and operator characters",
        "SELECT ?s { ?s <http://example.org/a/b/c/d/e/f/UNION/OPTIONAL-x+y*z> ?o } #"
        + "\nSELECT ?s { ?s "
        + " ".join(f"<http://example.org/{'/'.join(['a'] * 100)}/{i}>" for i in range(50))
        + " }",
    ),
    (
        "in many IRIs of a VALUES block",
        "SELECT ?s { VALUES ?x { "
        + " ".join(f"<http://example.org/union-filter/x+{i}/y-{i}*>" for i in range(500))
        + " } }",
    ),
    ("less-than with blanks", "SELECT ?s { ?s ?p ?o FILTER(?o < 3 && 4 > ?o) }" + " #" * 10_000),
    (
        "language tags and decimals",
        'SELECT ?s { ?s ?p "a"@en-GB-x-1 FILTER(?o != 1e-5) }' + " ." * 5000,
    ),
    (
        "local names with hyphens",
        "PREFIX ex: <http://e/> SELECT ?s { ?s ex:a-b-c-d-e-f-g-h ?o }" * 300,
    ),
    ("datatypes", 'SELECT ?s { ?s ?p "1"^^<http://www.w3.org/2001/XMLSchema#int> }' * 300),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_COUNTED], ids=[n for n, _ in NOT_COUNTED])
def test_not_counted(text: str) -> None:
    small = Bounds(max_length=10_000_000, max_depth=3, max_branches=3, max_path_length=2)
    check(text, small)


COUNTED = [
    (
        "code after an unterminated string's line",
        'ASK { ?s ?p "abc\n' + "{" * 10 + "}" * 10 + " }",
        "depth",
    ),
    ("code after a comment", "ASK { # ((((\n" + "(" * 10 + "1" + ")" * 10 + " }", "depth"),
    ("nesting after a less-than", "ASK { FILTER(1 < " + "(" * 10 + "1" + ")" * 10 + ") }", "depth"),
    (
        "nesting between < and > with no blanks",
        "ASK{FILTER(1<" + "(" * 10 + "1" + ")" * 10 + "&&1>0)}",
        "depth",
    ),
    ("reified triples", "ASK { " + "<< " * 10 + "?s ?p ?o" + " >> ?p ?o" * 10 + " }", "depth"),
    ("keywords in any case", "ASK { " + "{} UnIoN " * 10 + "{} }", "branches"),
    ("FILTER after a literal", "ASK { ?s ?p 1" + "FILTER(true)?s ?p 1" * 10 + " }", "branches"),
    ("a path across comments", "ASK { ?s <p>" + "#\n/<p>" * 10 + " ?o }", "path_length"),
    ("an IRI too long to be one", "ASK { FILTER(1<" + "1/1-" * 1000 + "1>0) }", "branches"),
]


@pytest.mark.parametrize(
    ("text", "limit"), [(t, lim) for _, t, lim in COUNTED], ids=[n for n, _, _ in COUNTED]
)
def test_counted(text: str, limit: str) -> None:
    with pytest.raises(BoundsError) as caught:
        check(text, Bounds(**{f"max_{limit}": 9}))
    assert caught.value.limit == limit


def test_garbage_never_raises_anything_else() -> None:
    alphabet = "{}()[]<>\"'#\\/|^!&+-*.,;:?$@ aeFILTERUNION1_\n\r\t"
    rng = random.Random(30145)
    small = Bounds(max_length=400, max_depth=6, max_branches=12, max_path_length=3)
    outcomes = set()
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 500)))
        for bounds in (small, DEFAULT):
            try:
                check(text, bounds)
                outcomes.add("ok")
            except BoundsError as e:
                outcomes.add(e.limit)
    assert outcomes >= {"ok", "length", "depth", "branches"}
    for text in [
        "",
        " ",
        "\x00",
        "}" * 1000,
        '"',
        "'''",
        '"""' + '\\"' * 1000,
        "<" * 1000,
        "\ud800",
    ]:
        try:
            check(text, DEFAULT)
        except BoundsError as e:
            assert e.limit == "depth"  # "<<" nests


def test_linear_time_on_hostile_text() -> None:
    import time

    raised = Bounds(max_length=10**8, max_depth=10**8, max_branches=10**8, max_path_length=10**8)
    for text in [
        '"' + '\\"' * 200_000,
        "'''" + "\\'''" * 100_000,
        "<a" * 200_000,
        "! " * 200_000 + "x",
        "a-" * 200_000,
        "(x)" * 130_000,
        "?a/?b " * 70_000,
        "^" * 400_000,
    ]:
        start = time.perf_counter()
        check(text, raised)
        assert time.perf_counter() - start < 0.5, text[:20]


def test_bounds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_depth"):
        Bounds(max_depth=0)


# --- the project's own queries and the W3C tests -----------------------------------------


def _w3c_texts() -> list[tuple[str, str]]:
    from ..w3c.manifest import DATA, load

    texts = []
    for manifest in sorted(DATA.glob("*/manifest*.ttl")):
        for test in load(manifest):
            for exchange in test.exchanges:
                ctype = exchange.headers.get("content-type", "")
                body = exchange.body.decode("utf-8", "replace") if exchange.body else ""
                if "sparql" in ctype:
                    texts.append((test.name, body))
                elif "form-urlencoded" in ctype:
                    form = parse_qs(body)
                    texts += [(test.name, v) for k in ("query", "update") for v in form.get(k, [])]
                query = parse_qs(urlparse(exchange.path).query)
                texts += [(test.name, v) for k in ("query", "update") for v in query.get(k, [])]
    return texts


def test_project_and_w3c_queries_pass_easily() -> None:
    files = sorted(
        {
            *ROOT.glob("queries/*.rq"),
            *(ROOT / "tests").rglob("*.rq"),
            *(ROOT / "tests").rglob("*.ru"),
        }
    )
    texts = [(str(p.relative_to(ROOT)), p.read_text()) for p in files] + _w3c_texts()
    assert len(files) >= 22 and len(texts) >= 50
    most = {name: 0 for name in LIMITS}
    for name, text in texts:
        check(text, DEFAULT, "update" if name.endswith(".ru") else "query")
        for limit, value in measure(text).items():
            most[limit] = max(most[limit], value)
    # a quarter of each bound at most: the defaults are generous for real queries
    assert all(most[limit] <= bound // 4 for limit, bound in LIMITS.items()), most


# --- pyoxigraph on the largest texts the bounds let through --------------------------------

sys.path.insert(0, str(ROOT / "bench"))
from sparql_bounds import CONSTRUCTS  # noqa: E402

#: slow to evaluate at their largest (the optimiser's work grows as n^3 or faster, or the parse
#: time doubles with each level): run at this n on a stack scaled down by as much
SLOW = {
    "aggregate-subselect-nested": 12,
    "substr-nested": 12,
    "collection-nested": 40,
    "bnode-nested": 60,
    "optional-chain": 40,
    "group-sequence": 40,
    "bgp-patterns": 40,
    "bgp-objects": 60,
    "collection-flat": 40,
}
#: the stack a thread needs besides the steps (measured: about 22 KiB), with room to spare
FIXED = 256 * 1024
CHILD = textwrap.dedent(
    """
    import os, sys, threading
    sys.path.insert(0, sys.argv[1])
    from sparql_bounds import BY_NAME, run, tiny_store
    construct, n = BY_NAME[sys.argv[2]], int(sys.argv[3])
    text, store = construct.make(n), tiny_store()
    for stack in map(int, sys.argv[4:]):
        done = []
        threading.stack_size(stack)
        thread = threading.Thread(target=lambda: done.append(run(text, construct.kind, store)))
        thread.start()
        thread.join(30)
        if not done:
            os._exit(3 if thread.is_alive() else 1)
    os._exit(0)
    """
)


def _run_child(name: str, n: int, stacks: list[int]) -> subprocess.CompletedProcess[str]:
    stacks = [-(-s // 65536) * 65536 for s in stacks]  # whole pages
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / "bench"), name, str(n), *map(str, stacks)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_child_sees_a_crash() -> None:
    """The harness itself: 5,000 nested groups on an 8 MiB thread end the child with SIGSEGV,
    and the same text runs on the recommended stack."""
    assert _run_child("groups", 5000, [8 * 1024 * 1024]).returncode < 0
    assert _run_child("groups", 5000, [RECOMMENDED_STACK_BYTES]).returncode == 0


def _largest(construct) -> int:  # type: ignore[no-untyped-def]
    def passes(n: int) -> bool:
        try:
            check(construct.make(n), DEFAULT, construct.kind)
            return True
        except BoundsError:
            return False

    lo, hi = 0, 1
    while passes(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if passes(mid) else (lo, mid)
    return lo


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=[c.name for c in CONSTRUCTS])
def test_largest_allowed_text_runs_on_the_recommended_stack(construct) -> None:  # type: ignore[no-untyped-def]
    largest = _largest(construct)
    assert largest >= 1
    if construct.name in SLOW:
        # the stack a step takes does not depend on n: n steps on a stack scaled down by
        # n / largest stand for the largest text on the recommended stack
        n = min(SLOW[construct.name], largest)
        stacks = [FIXED + RECOMMENDED_STACK_BYTES * n // largest]
    else:
        n = largest
        stacks = [RECOMMENDED_STACK_BYTES, RECOMMENDED_STACK_BYTES // 4]
    stacks = [-(-s // 65536) * 65536 for s in stacks]  # whole pages
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(ROOT / "bench"),
            construct.name,
            str(n),
            *map(str, stacks),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (construct.name, n, stacks, done.returncode, done.stderr[-2000:])
