"""Bounds on SPARQL query and update text, checked before the engine parses it.

pyoxigraph 0.5.13 parses, translates and evaluates SPARQL recursively, so a deep text overflows
the stack of the thread that runs it and ends the whole process with SIGSEGV — a few kilobytes
are enough. ``bench/sparql_bounds.py`` measured where (``bench/SPARQL_BOUNDS.md``): on an
8 MiB stack (the main thread and the default thread stack) 832 nested ``FILTER NOT EXISTS
{ }``, 944 nested ``STR( )``, 2,176 nested groups (4.4 KB of ``{`` and ``}``), a chain of
about 2,500 ``BIND`` or ``OPTIONAL`` (3.4 KB of stack each), 6,500 ``UNION``, 9,200 ``&&`` or
``!`` or 5,000 items of a flat collection ``( 1 1 1 … )`` — and the stack a step takes is the
same on any thread, so a thread started after ``threading.stack_size(N)`` goes N / 8 MiB times
further. :func:`check` measures four things in one linear scan and refuses a text beyond any of
its :class:`Bounds`: the length (bounds what nothing else counts: triple patterns, collection
items, group sequences), the nesting of ``{ } ( ) [ ]`` and ``<< >>``, the number of clauses
and operators that each add a level to the engine's trees (``UNION`` … ``VALUES``, ``&&``,
``||``, ``!``, ``+``, ``-``, ``*``, ``/``, ``|``, ``^``), and the longest property path (or
``/`` chain). The defaults stay below a quarter of the smallest overflow measured on a thread
with :data:`RECOMMENDED_STACK_BYTES` (256 MiB) of stack — even all four at their limit in one
text — and far above the project's queries and the W3C test queries (ten times or more).

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
from itertools import accumulate, chain, islice
from operator import sub

#: the stack, in bytes, for threads that parse and evaluate SPARQL (``threading.stack_size``):
#: a text within the default :class:`Bounds` uses at most about a fifth of it (measured)
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
        for name in ("max_length", "max_depth", "max_branches", "max_path_length"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, not {getattr(self, name)!r}")


class BoundsError(ValueError):
    """A text beyond one of the :class:`Bounds`; the message says which, where and how to
    raise it."""

    def __init__(
        self, limit: str, value: int, maximum: int, line: int, column: int, kind: str = "query"
    ) -> None:
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


# Strings, IRIs and comments, found as the engine finds them. A string or long string with no
# end runs to the end of its line (of the text): the engine stops with a syntax error where it
# starts, so what follows is never parsed. Possessive loops: linear time, no backtracking.
_MASK = re.compile(
    r'(?P<s>"""(?:[^"\\]|\\[\s\S]?|"(?!""))*+(?:"""|\Z)'
    r"|'''(?:[^'\\]|\\[\s\S]?|'(?!''))*+(?:'''|\Z)"
    r'|"(?:[^"\\\n\r]|\\[^\n\r]?)*+"?'
    r"|'(?:[^'\\\n\r]|\\[^\n\r]?)*+'?)"
    r'|(?P<i><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)'
    r"|(?P<c>#[^\r\n]*+)"
)
# In an IRI, what is kept: what would count were the ``<`` a less-than (``FILTER(?a<(((?b))))
# &&?c>?d)``: the span from ``<`` to ``>`` is an IRI to a regular expression, and code to the
# engine); no real IRI nests, the few with ``(…)`` add one level.
_IRI_KEEP = re.compile(r"[^()\[\]&!]")
# Words, names, numbers, variables, language tags, as the engine reads them: the ``-`` and
# ``.`` in them are no operators. A word ends where a letter run ends (``true-false`` is a
# subtraction, ``trueFILTER`` two words to the engine); a hyphen in a prefix (``my-ns:p``) counts
# as an operator, one in a local name or a language tag does not.
_NAMES = re.compile(
    r"[?$][\w\u00B7\u00C0-\uFFFF]++"
    r"|:(?:(?:[\w:%\u00B7\u00C0-\uFFFF]|\\.)(?:[\w\-.:%\u00B7\u00C0-\uFFFF]|\\.)*+)?"
    r"|@[A-Za-z]++(?:-[A-Za-z0-9]*+)*+"
    r"|(?:\d++\.?\d*+|\.\d++)(?:[eE][+-]?\d++)?"
    r"|[A-Za-z_\u00B7\u00C0-\uFFFF][\w\u00B7\u00C0-\uFFFF]*+"
)
_BRACKETS = re.compile(r"[^{}()\[\]]++")
_BRACKET = re.compile(r"[{}()\[\]]")
_DELTA = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}
# Keywords wherever they are in the code, even inside a name (``?filter``): the engine finds
# ``FILTER`` in ``trueFILTER(…)``; a few names counted too are no harm.
_KEYWORDS = re.compile("|".join(BRANCH_KEYWORDS), re.IGNORECASE)
_NAME_OR_OPERATOR = re.compile(_NAMES.pattern + r"|(?P<op>&&|\|\||!(?!=)|\^\^|[+\-*/|^])|!=")
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


def _position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def _depth(code: str) -> int:
    """The deepest nesting: the largest rise of the running count of openers less closers
    (a closer with no opener cannot hide the openers after it)."""
    brackets = _BRACKETS.sub("", code.replace("<<", "(").replace(">>", ")"))
    if not brackets:
        return 0
    sums = list(accumulate(chain((0,), map(_DELTA.__getitem__, brackets))))
    return max(map(sub, sums, accumulate(sums, min)))


def _depth_exceeded_at(code: str, maximum: int) -> int:
    code = code.replace("<<", "( ").replace(">>", " )")
    depth = lowest = 0
    for m in _BRACKET.finditer(code):
        depth += _DELTA[m.group()]
        lowest = min(lowest, depth)
        if depth - lowest > maximum:
            return m.start()
    return len(code)  # pragma: no cover - the depth was measured above the maximum


def _branches(short: str) -> int:
    """Clause keywords and operators in the code of :func:`_short` (names not yet ``x``)."""
    upper = short.upper()
    named = _NAMES.sub("x", short)
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
    keywords = (m.start() for m in _KEYWORDS.finditer(code))
    operators = (m.start() for m in _NAME_OR_OPERATOR.finditer(code) if m.group("op"))
    return next(islice(heapq.merge(keywords, operators), maximum, None), len(code))


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
    return {
        "length": len(text),
        "depth": _depth(short),
        "branches": _branches(short),
        "path_length": _path_length(_BLANKS.sub("", _NAMES.sub("x", short))),
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
    if need_depth and (depth := _depth(short)) > bounds.max_depth:
        at = _depth_exceeded_at(_MASK.sub(_same, text), bounds.max_depth)
        raise BoundsError("depth", depth, bounds.max_depth, *_position(text, at), kind)
    if need_branches and (branches := _branches(short)) > bounds.max_branches:
        at = _branches_exceeded_at(_MASK.sub(_same, text), bounds.max_branches)
        raise BoundsError("branches", branches, bounds.max_branches, *_position(text, at), kind)
    if need_path:
        compact = _BLANKS.sub("", _NAMES.sub("x", short))
        if _long_path(bounds.max_path_length).search(compact):
            steps = _path_length(compact)
            at = _path_exceeded_at(compact, _MASK.sub(_same, text), bounds.max_path_length)
            where = _position(text, at)
            raise BoundsError("path_length", steps, bounds.max_path_length, *where, kind)
