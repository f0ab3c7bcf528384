"""The shape of ``src/bpfgraph``, read from the source with :mod:`ast` (nothing of it is imported).

What a newcomer can rely on: no import cycle; modules and functions short enough to read; store
engines told apart only inside ``store/``; imports at the top of a module (a third-party one
inside a function says why, with the word ``deferred``); and four layers, each importing only
from itself and the layers below it. Every import counts, wherever it stands: at module level,
under ``if TYPE_CHECKING:`` or in a function. Edit the table and the limits just below.
"""

from __future__ import annotations

import ast
import fnmatch
import io
import itertools
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# The layers, lowest first: a module may import from its own layer and those below it, never from
# one above. Each layer is a list of fnmatch patterns for module names without "bpfgraph."
# ("__init__" is bpfgraph/__init__.py, "store" is store/__init__.py; "*" matches dots too). The
# first layer with a matching pattern wins: "store.base" is base before "store.*" is engines.
LAYERS = {
    "base": "vocab iris version settings paths formats rdfio* sparql_text sparql_bounds store.base"
    " store.results store.journal store",
    "domain": "framework inference validation validation_report summaries mappings gaps queries"
    " lint check template export loading ownership writes bulk workbook workbook.*"
    " timeline",
    "engines": "store.*",
    "service": "web web.* cli* api __init__",
}

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 150
LONG_FUNCTION_LINES = 80  # a function longer than this is long ...
MAX_LONG_FUNCTIONS = 3  # ... and only this many may be
STORE_CLASS = re.compile(r"^\w+Store$")  # OxigraphStore, RemoteStore, ReplicaStore (not Store)
DEFERRED = re.compile(r"\bdeferred\b", re.IGNORECASE)

PACKAGE = "bpfgraph"
PKG_DIR = Path(__file__).resolve().parents[1] / "src" / PACKAGE


@dataclass(frozen=True)
class Import:
    """One edge of the import graph: ``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int
    in_function: bool
    implied: bool = False  # the package __init__ a submodule import runs


@dataclass(frozen=True)
class FunctionImport:
    """An import statement inside a function body."""

    module: str
    line: int
    name: str  # as written: ".store.base", "pyoxigraph", "os, signal"
    own: bool  # of bpfgraph itself
    deferred: bool  # with a comment saying "deferred" on its line or the line above


@dataclass(repr=False)
class House:
    """Everything the tests below look at, for one package directory."""

    paths: dict[str, Path] = field(default_factory=dict)  # module name -> file
    lines: dict[str, int] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)
    functions: list[tuple[int, str]] = field(default_factory=list)  # (lines, "path:line name")
    isinstance_checks: list[str] = field(default_factory=list)  # "path:line: source"
    function_imports: list[FunctionImport] = field(default_factory=list)

    def __repr__(self) -> str:  # what pytest shows of the fixture when a test fails
        return f"<House of {len(self.paths)} modules>"

    def where(self, module: str, line: int) -> str:
        return f"{self.paths[module].relative_to(self.paths[PACKAGE].parents[2])}:{line}"


def module_names(pkg_dir: Path) -> dict[str, Path]:
    names = {}
    for path in sorted(pkg_dir.rglob("*.py")):
        parts = [pkg_dir.name, *path.relative_to(pkg_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def ancestors(module: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b"]``."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _targets(house: House, module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package's modules an import statement names (``from .pkg import name`` names
    ``pkg.name`` when that is a module, else ``pkg``)."""
    if isinstance(node, ast.Import):
        found = []
        for alias in node.names:
            name = alias.name
            while name and name not in house.paths:
                name = name.rpartition(".")[0]
            if name:
                found.append(name)
        return found
    if node.level:
        is_package = house.paths[module].name == "__init__.py"
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    else:
        target = node.module or ""
    found = []
    for alias in node.names:
        if f"{target}.{alias.name}" in house.paths:
            found.append(f"{target}.{alias.name}")
        elif target in house.paths:
            found.append(target)
    return found


class _Reader(ast.NodeVisitor):
    def __init__(self, house: House, module: str, comments: dict[int, str]) -> None:
        self.house, self.module, self.comments = house, module, comments
        self.depth = 0  # functions we are inside

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        self.house.functions.append(
            (size, f"{self.house.where(self.module, node.lineno)} {node.name}")
        )
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        targets = _targets(self.house, self.module, node)
        for target in targets:
            if target == self.module:
                continue
            self.house.imports.append(Import(self.module, target, node.lineno, self.depth > 0))
            # importing a.b.c runs the __init__ of a.b too, unless the importer lives inside it
            for package in ancestors(target):
                if package != self.module and package not in ancestors(self.module):
                    self.house.imports.append(
                        Import(self.module, package, node.lineno, self.depth > 0, implied=True)
                    )
        if self.depth:
            if isinstance(node, ast.ImportFrom):
                name, own = "." * node.level + (node.module or ""), node.level > 0
            else:
                name, own = ", ".join(a.name for a in node.names), False
            own = own or bool(targets) or name.split(".")[0] == PACKAGE
            said = any(
                DEFERRED.search(self.comments.get(n, "")) for n in (node.lineno, node.lineno - 1)
            )
            self.house.function_imports.append(
                FunctionImport(self.module, node.lineno, name, own, said)
            )

    visit_Import = visit_ImportFrom = _import

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "isinstance" and len(node.args) == 2:
            kinds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
            names = [
                k.attr if isinstance(k, ast.Attribute) else getattr(k, "id", "") for k in kinds
            ]
            if any(STORE_CLASS.match(name) for name in names):
                self.house.isinstance_checks.append(
                    f"{self.house.where(self.module, node.lineno)}: {ast.unparse(node)}"
                )
        self.generic_visit(node)


def read_house(pkg_dir: Path = PKG_DIR) -> House:
    house = House(paths=module_names(pkg_dir))
    for module, path in house.paths.items():
        source = path.read_text(encoding="utf-8")
        house.lines[module] = len(source.splitlines())
        comments = {
            tok.start[0]: tok.string
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT
        }
        _Reader(house, module, comments).visit(ast.parse(source, str(path)))
    return house


def cycles(house: House) -> list[tuple[list[str], list[str]]]:
    """Each set of modules that import each other in a circle (a strongly connected component
    of the import graph), biggest first, with one shortest cycle in it as ``[a, b, ..., a]``."""
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in house.imports:
        graph[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(house.paths):
        if v not in index:
            strong(v)
    found = []
    for component in sorted(components, key=len, reverse=True):
        members, start = set(component), component[0]
        previous: dict[str, str] = {}
        queue = [start]
        while queue and start not in previous:  # breadth first, back to the start
            v = queue.pop(0)
            for w in sorted(graph[v] & members):
                if w not in previous:
                    previous[w] = v
                    queue.append(w)
        path = [start]
        while len(path) == 1 or path[-1] != start:
            path.append(previous[path[-1]])
        found.append((component, [*reversed(path)]))
    return found


def layer_of(module: str) -> int | None:
    """The layer's rank in LAYERS (0 is base), None for a module no layer names."""
    short = module.removeprefix(PACKAGE + ".") if module != PACKAGE else "__init__"
    for rank, patterns in enumerate(LAYERS.values()):
        if any(fnmatch.fnmatchcase(short, p) for p in patterns.split()):
            return rank
    return None


@pytest.fixture(scope="module")
def house() -> House:
    return read_house()


def _line(house: House, source: str, target: str) -> str:
    edge = next(e for e in house.imports if e.source == source and e.target == target)
    how = " (runs its package's __init__)" if edge.implied else ""
    how += " in a function" if edge.in_function else ""
    return f"  {source} -> {target}  at {house.where(source, edge.line)}{how}"


def test_no_import_cycle(house: House) -> None:
    found = cycles(house)
    report = []
    for members, path in found:
        report.append(f"{len(members)} modules in a circle: {' '.join(members)}")
        report.append("  one cycle among them:")
        report += [f"  {_line(house, a, b)}" for a, b in itertools.pairwise(path)]
    assert not found, "\n".join(report)


def test_modules_are_short(house: House) -> None:
    long = {house.where(m, n): n for m, n in house.lines.items() if n > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_functions_are_short(house: House) -> None:
    long = sorted((f for f in house.functions if f[0] > LONG_FUNCTION_LINES), reverse=True)
    too_long = [f for f in long if f[0] > MAX_FUNCTION_LINES]
    assert not too_long and len(long) <= MAX_LONG_FUNCTIONS, (
        f"functions over {LONG_FUNCTION_LINES} lines (at most {MAX_LONG_FUNCTIONS}, none over "
        f"{MAX_FUNCTION_LINES}):\n" + "\n".join(f"  {n:4d} {where}" for n, where in long)
    )


def test_store_engines_are_told_apart_only_in_store(house: House) -> None:
    outside = [c for c in house.isinstance_checks if not c.startswith("src/bpfgraph/store/")]
    assert not outside, "isinstance() against a store class outside src/bpfgraph/store/:\n" + (
        "\n".join(f"  {c}" for c in outside)
    )


#: the one place a module of bpfgraph is imported inside a function: the package's own
#: ``bpfgraph.validate`` shortcut, so that ``import bpfgraph.x`` never loads pyshacl
LAZY_PACKAGE_API = {PACKAGE}


def test_no_function_imports_the_package(house: House) -> None:
    own = [
        f"  {house.where(i.module, i.line)}: {i.name}"
        for i in house.function_imports
        if i.own and not (i.module in LAZY_PACKAGE_API and i.deferred)
    ]
    assert not own, f"{len(own)} imports of bpfgraph inside functions:\n" + "\n".join(own)


def test_function_imports_say_deferred(house: House) -> None:
    unsaid = [
        f"  {house.where(i.module, i.line)}: {i.name}"
        for i in house.function_imports
        if not i.own and not i.deferred
    ]
    assert not unsaid, (
        f"{len(unsaid)} imports inside functions without a '# deferred: why' comment "
        "(same line or the line above):\n" + "\n".join(unsaid)
    )


def test_every_module_has_a_layer(house: House) -> None:
    unplaced = [m for m in house.paths if layer_of(m) is None]
    assert not unplaced, (
        f"add these modules to LAYERS at the top of {Path(__file__).name}: {unplaced}"
    )


def test_layers_import_only_downwards(house: House) -> None:
    names = list(LAYERS)
    rank = {m: layer_of(m) or 0 for m in house.paths}  # unplaced modules: see the test above
    upwards = sorted(
        {(e.source, e.target) for e in house.imports if rank[e.source] < rank[e.target]}
    )
    report = [f"{_line(house, s, t)}  ({names[rank[s]]} -> {names[rank[t]]})" for s, t in upwards]
    assert not upwards, "imports from a lower layer to a higher one:\n" + "\n".join(report)


def test_the_reader_sees_what_it_should(tmp_path: Path) -> None:
    """The rules above, checked on a small package made up for the purpose."""
    pkg = tmp_path / "src" / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "def f():\n    from .a import x\n",
        "a.py": "import json\nfrom .sub import b\nx = 1\n",
        "sub/__init__.py": "from .. import c\n",
        "sub/b.py": "def g():\n    # deferred: heavy\n    import csv\n    import zlib\n",
        "c.py": "import bpfgraph.sub.b\nisinstance(1, (OxigraphStore, m.RemoteStore, Store))\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text, encoding="utf-8")
    house = read_house(pkg)
    edges = {(e.source, e.target) for e in house.imports}
    assert edges == {
        ("bpfgraph", "bpfgraph.a"),
        ("bpfgraph.a", "bpfgraph.sub.b"),
        ("bpfgraph.a", "bpfgraph.sub"),  # implied: importing sub.b runs sub/__init__
        ("bpfgraph.sub", "bpfgraph.c"),
        ("bpfgraph.c", "bpfgraph.sub.b"),
        ("bpfgraph.c", "bpfgraph.sub"),
    }
    assert cycles(house) == [
        (["bpfgraph.c", "bpfgraph.sub"], ["bpfgraph.c", "bpfgraph.sub", "bpfgraph.c"])
    ]
    assert [(i.line, i.name, i.own, i.deferred) for i in house.function_imports] == [
        (2, ".a", True, False),
        (3, "csv", False, True),
        (4, "zlib", False, False),
    ]
    assert [c.split(": ")[0] for c in house.isinstance_checks] == ["src/bpfgraph/c.py:2"]
    assert layer_of("bpfgraph.store.base") == 0 and layer_of("bpfgraph.store.replica") == 2
    assert layer_of("bpfgraph") == 3 and layer_of("bpfgraph.rdfio.parse") == 0
