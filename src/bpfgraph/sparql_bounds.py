"""Bounds on SPARQL query and update text, checked before the engine parses it.

pyoxigraph 0.5.13 parses, translates, optimises and evaluates SPARQL recursively, so a deep
text overflows the stack of the thread running it and the whole process ends with SIGSEGV;
``bench/sparql_bounds.py`` measured where (figures in ``bench/SPARQL_BOUNDS.md``). A step takes
the same stack on any thread — about 10 KB per nested ``FILTER NOT EXISTS { }``, 8.7 KB per
nested function call, 3.9 KB per nested group, 3.2 KB per ``OPTIONAL``, ``MINUS``, ``BIND``,
triple pattern or path step in a chain, 6.5 KB per item of a collection, 1.3 KB per ``UNION``,
0.9 KB per ``&&``, ``||`` or ``!`` — so on an 8 MiB stack (the main thread, a default thread)
832 nested ``FILTER NOT EXISTS`` or 2,176 nested groups (4.4 KB of braces) are fatal, and a
thread started after ``threading.stack_size(N)`` goes N / 8 MiB times as far. :func:`check`
measures four things in linear time and refuses a text beyond any of its :class:`Bounds`: the
length (it bounds what nothing else counts: triple patterns, collection items, groups in a
row), the nesting of ``{ } ( ) [ ]`` and ``<< >>``, the clause keywords and operators that
each add a level to the engine's trees, and the steps of the longest property path — strings
and comments blanked out, IRIs too but for the brackets, ``&&`` and ``!`` of an IRI-like span,
which the engine reads as code when its ``<`` is a less-than (``FILTER(?a<((?b))&&?c>?d)``).
On a thread with :data:`RECOMMENDED_STACK_BYTES` (256 MiB) the defaults are a quarter or less
of every overflow measured there (26,600 nested ``FILTER NOT EXISTS``, 84,000 ``OPTIONAL``,
150,000 collection items before the optimiser runs), and 2.5 times or more above the
project's named queries and the W3C SPARQL 1.1 test queries (at most 12,910 characters, depth
7, 40 branches, 3 path steps).

>>> import textwrap
>>> check("SELECT * WHERE { ?s ?p ?o }", Bounds())
>>> try:
...     check("ASK " + "{" * 300 + "}" * 300, Bounds())
... except BoundsError as e:
...     print(e.limit, e.value, e.maximum, e.setting, e.line, e.column)
...     print(textwrap.fill(str(e), 80))
depth 300 256 BPFGRAPH_QUERY_MAX_DEPTH 1 261
the query nests groups and parentheses 300 deep; the limit is 256
(BPFGRAPH_QUERY_MAX_DEPTH), first exceeded at line 1, column 261
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import neg, sub

from .sparql_text import STRING_IRI_COMMENT

#: the stack, in bytes, for threads that parse and evaluate SPARQL (``threading.stack_size``)
#: — and read the solutions: evaluation is lazy. Texts within the default :class:`Bounds` need
#: a quarter of it or less (all four bounds reached at once: 40 %, and that only after days of
#: the optimiser's work, which the query deadline stops first)
RECOMMENDED_STACK_BYTES = 256 * 1024 * 1024

#: the environment variable that sets each bound
SETTINGS = {
    "length": "BPFGRAPH_QUERY_MAX_LENGTH",
    "depth": "BPFGRAPH_QUERY_MAX_DEPTH",
    "branches": "BPFGRAPH_QUERY_MAX_BRANCHES",
    "path_length": "BPFGRAPH_QUERY_MAX_PATH_LENGTH",
}
#: the clause keywords counted as branches
BRANCH_KEYWORDS = ("UNION", "OPTIONAL", "MINUS", "FILTER", "EXISTS", "SERVICE", "BIND", "VALUES")
#: the operators counted as branches
BRANCH_OPERATORS = ("&&", "||", "!", "+", "-", "*", "/", "|", "^")
#: an IRI longer than this is counted as code: an expression hidden between ``<`` and ``>``
#: (less-than, greater-than) has at most this many characters of operators not counted
IRI_SPAN_MAX = 2048


@dataclass(frozen=True)
class Bounds:
    """The largest text :func:`check` lets through.

    >>> Bounds(max_depth=64).max_depth
    64
    """

    #: characters of the text
    max_length: int = 32_768
    #: nesting of ``{ }``, ``( )``, ``[ ]`` and ``<< >>`` together
    max_depth: int = 256
    #: clause keywords (UNION, OPTIONAL, MINUS, FILTER, EXISTS, SERVICE, BIND, VALUES) and
    #: operators (``&& || ! + - * / | ^``) in the whole text
    max_branches: int = 2_048
    #: steps (``/``, ``|``) in one property path (or one ``/`` chain of divisions)
    max_path_length: int = 64

    def __post_init__(self) -> None:
        """Refuse a limit that is not a positive integer (ValueError)."""
        for name in ("max_length", "max_depth", "max_branches", "max_path_length"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, not {getattr(self, name)!r}")


class BoundsError(ValueError):
    """A text beyond one of the :class:`Bounds`; the message says which, where and how to
    raise it."""

    def __init__(
        self, limit: str, value: int, maximum: int, line: int, column: int, kind: str = "query"
    ) -> None:
        """The text went beyond ``limit`` (``length``, ``depth``, ``branches`` or
        ``path_length``): it reached ``value`` where ``maximum`` is allowed, first at ``line``
        and ``column`` (from 1); ``kind`` names the text in the message (``query``,
        ``update``)."""
        self.limit = limit
        self.setting = SETTINGS[limit]
        self.value = value
        self.maximum = maximum
        self.line = line
        self.column = column
        self.kind = kind
        what = {
            "length": f"is {value:,} characters long",
            "depth": f"nests groups and parentheses {value:,} deep",
            "branches": f"has {value:,} clauses and operators (UNION, OPTIONAL, MINUS, FILTER, "
            "EXISTS, SERVICE, BIND, VALUES, &&, ||, !, +, -, *, /, |, ^)",
            "path_length": f"has a property path (or operator chain) of {value:,} steps",
        }[limit]
        super().__init__(
            f"the {kind} {what}; the limit is {maximum:,} ({self.setting}), "
            f"first exceeded at line {line:,}, column {column:,}"
        )


# Strings, IRIs and comments, found as the engine finds them (linear time).
_MASK = STRING_IRI_COMMENT
# In an IRI, what is kept: what would count were the ``<`` a less-than (``FILTER(?a<(((?b))))
# &&?c>?d)``: the span from ``<`` to ``>`` is an IRI to a regular expression, and code to the
# engine); no real IRI nests, the few with ``(…)`` add one level.
_IRI_KEEP = re.compile(r"[^()\[\]&!]")
# Words, names, numbers, variables, language tags, as the engine reads them: the ``-`` and
# ``.`` in them are no operators. A word ends where a letter run ends (``true-false`` is a
# subtraction, ``trueFILTER`` two words to the engine); a hyphen in a prefix (``my-ns:p``) counts
# as an operator, one in a local name or a language tag does not.
_LOCAL = r":(?:(?:[\w:%\u00B7\u00C0-\uFFFF]|\\.)(?:[\w\-.:%\u00B7\u00C0-\uFFFF]|\\.)*+)?"
_NAMES = re.compile(
    r"(?=[?$:@.\w\u00B7\u00C0-\uFFFF])(?:"
    r"[?$][\w\u00B7\u00C0-\uFFFF]++"
    rf"|[A-Za-z_\u00B7\u00C0-\uFFFF][\w\u00B7\u00C0-\uFFFF]*+(?:{_LOCAL})?"
    rf"|{_LOCAL}"
    r"|@[A-Za-z]++(?:-[A-Za-z0-9]*+)*+"
    r"|(?:\d++\.?\d*+|\.\d++)(?:[eE][+-]?\d++)?)"
)
# A declared prefix with ``-`` or ``.`` in it (``PREFIX my-ns: <…>``): where used, its ``-``
# and ``.`` are no operators (an undeclared one stops the engine at its first use).
_PREFIX = re.compile(r"(?i:PREFIX)\s*+([A-Za-z\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*+):")
_BRACKETS = re.compile(r"[^{}()\[\]]++")
_BRACKET = re.compile(r"[{}()\[\]]")
_PARENS = str.maketrans("{[}]", "(())")
_RUNS = re.compile(r"\(++|\)++")
_DELTA = {"(": 1, ")": -1}
_OPENERS = frozenset("{([")
# Keywords wherever they are in the code, even inside a name (``?filter``): the engine finds
# ``FILTER`` in ``trueFILTER(…)``; a few names counted too are no harm.
_FIRSTS = "".join(sorted({keyword[0] for keyword in BRANCH_KEYWORDS}))
_KEYWORDS = re.compile(f"(?=[{_FIRSTS}])(?:{'|'.join(BRANCH_KEYWORDS)})", re.IGNORECASE)
_NAME_OR_OPERATOR = re.compile(_NAMES.pattern + r"|!=|\^\^|(?P<op>&&|\|\||[!+\-*/|^])")
# A property path (or a ``/`` chain) once every name is one ``x`` and blanks are gone:
# elements with their prefixes (``(``, ``!``, ``^``) and suffixes (``)``, ``*``, ``+``, ``?``)
# joined by ``/`` or ``|``, the steps counted. A ``^`` is no step: the engine refuses ``^^<p>``,
# and ``^(^(…))`` nests (the depth counts it). A match starts at the first of a run of prefixes.
_ELEMENT = r"(?:(?<![(!^])[(!^]++)?x[)*+?]*+"
_STEP = r"(?:/|\|(?!\|))[(!^]*+x[)*+?]*+"
_PATH = re.compile(_ELEMENT + "(?:" + _STEP + ")++")
_PATH_OPS = re.compile(r"[/|]")
_BLANKS = re.compile(r"\s++")
_LONG_PATHS: dict[int, re.Pattern[str]] = {}


def _long_path(steps: int) -> re.Pattern[str]:
    """A path of more than ``steps`` steps."""
    if steps not in _LONG_PATHS:
        _LONG_PATHS[steps] = re.compile(f"{_ELEMENT}(?:{_STEP}){{{steps + 1},}}")
    return _LONG_PATHS[steps]


def _short(m: re.Match[str]) -> str:
    """A string as ``x``, a comment as a blank, an IRI as ``x`` but for what would count as
    code were its ``<`` a less-than (offsets are not kept: for the counts only)."""
    text = m.group()
    first = text[0]
    if first == "#":
        return " "
    if first != "<":
        return "x"
    if len(text) > IRI_SPAN_MAX or not _IRI_CODE.isdisjoint(text):
        return _same(m)
    return "x"


def _same(m: re.Match[str]) -> str:
    """As :func:`_short`, with the offsets kept (every character replaced by one)."""
    text = m.group()
    first = text[0]
    if first == "#":
        return " " * len(text)
    if first != "<":
        return "x" * len(text)
    if len(text) > IRI_SPAN_MAX:  # too long to be a real IRI: counted as code
        return "x" + text[1:-1] + "x"
    return _IRI_KEEP.sub("x", text)


_IRI_CODE = frozenset("()[]&!")


def _names(code: str) -> str:
    """``code`` with every name, number, variable and language tag as one ``x``."""
    return _NAMES.sub("x", _unhyphen(code))


def _unhyphen(code: str) -> str:
    """``code`` with the ``-`` and ``.`` of declared prefixes as ``_`` (offsets kept)."""
    for prefix in {p for p in _PREFIX.findall(code) if "-" in p or "." in p}:
        code = code.replace(prefix + ":", prefix.replace("-", "_").replace(".", "_") + ":")
    return code


def _position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def _rise(brackets: str) -> int:
    """The largest rise of the running count of ``(`` less ``)``: a ``)`` with no ``(`` before
    it cannot hide the ``(`` after it."""
    if not brackets:
        return 0
    if 4 * (brackets.count("()") + brackets.count(")(")) > len(brackets):  # short runs
        sums = list(accumulate(map(_DELTA.__getitem__, brackets), initial=0))
    else:  # long runs of openers or closers: one step a run
        runs = list(map(len, _RUNS.findall(brackets)))
        if brackets[0] == ")":
            runs.insert(0, 0)
        runs[1::2] = map(neg, runs[1::2])
        sums = list(accumulate(runs, initial=0))
    return max(map(sub, sums, accumulate(sums, min)))


def _depth(code: str, limit: int | None = None) -> int:
    """The deepest nesting of ``{ } ( ) [ ] << >>``; with ``limit``, an upper bound of it when
    that is within the limit (fewer steps: the innermost pairs ``()`` removed first)."""
    brackets = _BRACKETS.sub("", code.replace("<<", "(").replace(">>", ")")).translate(_PARENS)
    if limit is not None:
        reduced = brackets.replace("()", "")
        if len(reduced) < len(brackets) and (bound := _rise(reduced) + 1) <= limit:
            return bound
    return _rise(brackets)


def _depth_exceeded_at(code: str, maximum: int) -> int:
    code = code.replace("<<", "( ").replace(">>", " )")
    depth = lowest = 0
    for m in _BRACKET.finditer(code):
        depth += 1 if m.group() in _OPENERS else -1
        lowest = min(lowest, depth)
        if depth - lowest > maximum:
            return m.start()
    return len(code)  # pragma: no cover - the depth was measured above the maximum


def _branches(short: str, named: str) -> int:
    """Clause keywords in the code of :func:`_short` and operators once names are ``x``."""
    upper = short.upper()
    count = named.count
    pipes, carets = count("||"), count("^^")
    return (
        sum(upper.count(keyword) for keyword in BRANCH_KEYWORDS)
        + count("&&")
        + pipes
        + count("|")
        - 2 * pipes
        + count("!")
        - count("!=")
        + count("^")
        - 2 * carets
        + count("+")
        + count("-")
        + count("*")
        + count("/")
    )


def _branches_exceeded_at(code: str, maximum: int) -> int:
    """The offset of the first clause keyword or operator beyond ``maximum``."""
    ops = (m.start() for m in _NAME_OR_OPERATOR.finditer(code) if m.group("op"))
    first_ops = list(islice(ops, maximum + 1))
    end = first_ops[-1] if len(first_ops) > maximum else len(code)
    keywords = [m.start() for m in _KEYWORDS.finditer(code, 0, end)]
    return next(islice(heapq.merge(first_ops, keywords), maximum, None), len(code))


def _path_length(compact: str) -> int:
    """The most path operators in one path of the compact code."""
    return max((len(_PATH_OPS.findall(m.group())) for m in _PATH.finditer(compact)), default=0)


def _path_exceeded_at(compact: str, code: str, maximum: int) -> int:
    """The offset in ``code`` of the first path operator beyond ``maximum`` in a path."""
    for m in _PATH.finditer(compact):
        ops = list(_PATH_OPS.finditer(m.group()))
        if len(ops) > maximum:
            at = m.start() + ops[maximum].start()
            # the n-th path character of the compact code is the n-th one of the code
            index = compact.count("/", 0, at) + compact.count("|", 0, at)
            found = next(islice(_PATH_OPS.finditer(code), index, None), None)
            return len(code) if found is None else found.start()
    return len(code)  # pragma: no cover - a path was measured above the maximum


def measure(text: str) -> dict[str, int]:
    """The four figures :func:`check` compares with the bounds (with no shortcut).

    >>> measure("SELECT * { ?s <p>/<q> ?o OPTIONAL { ?s ?p ?o FILTER(?o > 1 && ?o < 9) } }")
    {'length': 73, 'depth': 3, 'branches': 5, 'path_length': 1}
    """
    short = _MASK.sub(_short, text)
    named = _names(short)
    return {
        "length": len(text),
        "depth": _depth(short),
        "branches": _branches(short, named),
        "path_length": _path_length(_BLANKS.sub("", named)),
    }


def check(text: str, bounds: Bounds, kind: str = "query") -> None:
    """Raise :class:`BoundsError` if ``text`` (a SPARQL query, or an update when ``kind`` is
    ``"update"``) is beyond ``bounds``; return if it is within them. Anything else (a syntax
    error, unbalanced brackets, garbage) is left to the engine's parser.

    >>> check('SELECT * { ?s ?p "((((((((" } # ))))))', Bounds(max_depth=2))
    >>> try:
    ...     check("DELETE WHERE { ?s <p>/<p>/<p>/<p> ?o }", Bounds(max_path_length=2), "update")
    ... except BoundsError as e:
    ...     print(e)  # doctest: +NORMALIZE_WHITESPACE
    the update has a property path (or operator chain) of 3 steps; the limit is 2
    (BPFGRAPH_QUERY_MAX_PATH_LENGTH), first exceeded at line 1, column 30
    """
    size = len(text)
    if size > bounds.max_length:
        where = _position(text, bounds.max_length)
        raise BoundsError("length", size, bounds.max_length, *where, kind)
    # Each level, branch or step takes at least one character: a short text needs no scan;
    # nor does one with few brackets, or with few path characters.
    need_depth = size > bounds.max_depth and (
        text.count("{") + text.count("(") + text.count("[") + text.count("<") > bounds.max_depth
    )
    need_branches = size > bounds.max_branches
    need_path = size > 2 * bounds.max_path_length and (
        text.count("/") + text.count("|") > bounds.max_path_length
    )
    if not (need_depth or need_branches or need_path):
        return
    short = _MASK.sub(_short, text)
    if need_depth and (depth := _depth(short, bounds.max_depth)) > bounds.max_depth:
        at = _depth_exceeded_at(_MASK.sub(_same, text), bounds.max_depth)
        raise BoundsError("depth", depth, bounds.max_depth, *_position(text, at), kind)
    if not (need_branches or need_path):
        return
    named = _names(short)
    if need_branches and (branches := _branches(short, named)) > bounds.max_branches:
        at = _branches_exceeded_at(_unhyphen(_MASK.sub(_same, text)), bounds.max_branches)
        raise BoundsError("branches", branches, bounds.max_branches, *_position(text, at), kind)
    if need_path:
        compact = _BLANKS.sub("", named)
        if _long_path(bounds.max_path_length).search(compact):
            steps = _path_length(compact)
            at = _path_exceeded_at(compact, _MASK.sub(_same, text), bounds.max_path_length)
            where = _position(text, at)
            raise BoundsError("path_length", steps, bounds.max_path_length, *where, kind)
