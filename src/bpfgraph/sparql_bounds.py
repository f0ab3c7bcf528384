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

import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, chain
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
    #: path operators (``/``, ``|``, ``^``) in one property path (or one ``/`` chain)
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
_OPEN = frozenset("{([")
_DELTA = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}
# Keywords wherever they are in the code, even inside a name (``?filter``): the engine finds
# ``FILTER`` in ``trueFILTER(…)``; a few names counted too are no harm.
_KEYWORDS = re.compile("|".join(BRANCH_KEYWORDS), re.IGNORECASE)
_OPERATORS = re.compile(r"&&|\|\||!=|\^\^|[!+\-*/|^]")
# A property path (or a ``/`` chain) once every name is one ``x`` and blanks are gone:
# elements with their prefixes (``(``, ``!``, ``^``) and suffixes (``)``, ``*``, ``+``, ``?``)
# joined by ``/`` or ``|``. A match starts at the first of a run of prefixes (linear time).
_ELEMENT = r"[(!^]*+x[)*+?]*+"
_PATH = re.compile(r"(?:(?<![(!^])[(!^]++)?x[)*+?]*+(?:(?:/|\|(?!\|))" + _ELEMENT + r")++")
_PATH_OPS = re.compile(r"[/|^]")
_BLANKS = re.compile(r"\s++")


def _blank(m: re.Match[str]) -> str:
    """A string or comment as blanks, an IRI as ``x`` but for what would count as code."""
    text = m.group()
    if m.lastgroup == "c":
        return " " * len(text)
    if m.lastgroup == "s":
        return "x" * len(text)
    if len(text) > IRI_SPAN_MAX:  # too long to be a real IRI: count it as code
        return "x" + text[1:-1] + "x"
    return _IRI_KEEP.sub("x", text)


def _name_padded(m: re.Match[str]) -> str:
    """A name as one ``x`` and blanks: its operators gone, the offsets after it kept."""
    return "x" + " " * (len(m.group()) - 1)


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
    for m in re.finditer(r"[{}()\[\]]", code):
        depth += 1 if m.group() in _OPEN else -1
        lowest = min(lowest, depth)
        if depth - lowest > maximum:
            return m.start()
    raise AssertionError("the depth was measured above the maximum")  # pragma: no cover


def _operators(named: str) -> int:
    counts = Counter(_OPERATORS.findall(named))
    return sum(counts.values()) - counts["!="] - counts["^^"]


def _branches_exceeded_at(code: str, maximum: int) -> int:
    named = _NAMES.sub(_name_padded, code)
    found = [m.start() for m in _KEYWORDS.finditer(code)]
    found += [m.start() for m in _OPERATORS.finditer(named) if m.group() not in ("!=", "^^")]
    found.sort()
    return found[maximum]


def _path_length(compact: str) -> tuple[int, int, int]:
    """The most path operators in one path, and where the path starts and ends."""
    longest, start, end = 0, 0, 0
    for m in _PATH.finditer(compact):
        steps = len(_PATH_OPS.findall(m.group()))
        if steps > longest:
            longest, start, end = steps, m.start(), m.end()
    return longest, start, end


def _path_exceeded_at(code: str, maximum: int) -> int:
    named = _NAMES.sub(_name_padded, code)
    offsets = [m.start() for m in re.finditer(r"\S", named)]
    compact = "".join(named[i] for i in offsets)
    _, start, end = _path_length(compact)
    ops = list(_PATH_OPS.finditer(compact, start, end))
    return offsets[ops[maximum].start()]


def measure(text: str) -> dict[str, int]:
    """The four figures :func:`check` compares with the bounds (with no shortcut).

    >>> measure("SELECT * { ?s <p>/<q> ?o OPTIONAL { ?s ?p ?o FILTER(?o > 1 && ?o < 9) } }")
    {'length': 73, 'depth': 3, 'branches': 5, 'path_length': 1}
    """
    code = _MASK.sub(_blank, text)
    named = _NAMES.sub("x", code)
    return {
        "length": len(text),
        "depth": _depth(code),
        "branches": len(_KEYWORDS.findall(code)) + _operators(named),
        "path_length": _path_length(_BLANKS.sub("", named))[0],
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
        raise BoundsError(
            "length", size, bounds.max_length, *_position(text, bounds.max_length), kind
        )
    # Each level, branch or step takes at least one character: a short text needs no scan;
    # nor does one with few brackets, operator characters and path characters.
    need_depth = size > bounds.max_depth and (
        text.count("{") + text.count("(") + text.count("[") + text.count("<") > bounds.max_depth
    )
    need_branches = size > bounds.max_branches
    need_path = size > 2 * bounds.max_path_length and (
        text.count("/") + text.count("|") + text.count("^") > bounds.max_path_length
    )
    if not (need_depth or need_branches or need_path):
        return
    code = _MASK.sub(_blank, text)
    if need_depth and (depth := _depth(code)) > bounds.max_depth:
        at = _depth_exceeded_at(code, bounds.max_depth)
        raise BoundsError("depth", depth, bounds.max_depth, *_position(text, at), kind)
    if not (need_branches or need_path):
        return
    named = _NAMES.sub("x", code)
    if need_branches:
        branches = len(_KEYWORDS.findall(code)) + _operators(named)
        if branches > bounds.max_branches:
            at = _branches_exceeded_at(code, bounds.max_branches)
            raise BoundsError("branches", branches, bounds.max_branches, *_position(text, at), kind)
    if need_path:
        steps, _, _ = _path_length(_BLANKS.sub("", named))
        if steps > bounds.max_path_length:
            at = _path_exceeded_at(code, bounds.max_path_length)
            raise BoundsError(
                "path_length", steps, bounds.max_path_length, *_position(text, at), kind
            )
