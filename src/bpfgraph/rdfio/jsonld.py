"""JSON-LD, read by rdflib's JSON-LD processor after checks that refuse what it would fail on
with Python errors or recursion: nesting, numbers, remote contexts, keyword value types, and
the number of namespace terms it binds as prefixes.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Iterator

from rdflib import BNode, ConjunctiveGraph, Graph
from rdflib.plugins.parsers.jsonld import Parser
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import IdentifiedNode, Node

from .errors import (
    RDFInputError,
    at_position,
    clean_message,
    line_column,
    line_of,
    plain_value_error,
)
from .limits import MAX_NESTING, MAX_NUMBER_DIGITS, MAX_PREFIXES, NO_BASE
from .prescan import bracket_run, nesting_bound

_JSON_TOKENS = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"'
    r"|(?P<brackets>[\[\]{}]+)"
    r"|(?P<number>-?[0-9][0-9.eE+-]*)"
    r"|(?P<constant>NaN|-?Infinity)",
    re.S,
)
_JSON_BRACKETS = (b"[{", b"]}")


class _BadNumber(Exception):
    """A JSON number refused: the token, what is wrong with it, and the limit it is over."""

    def __init__(self, token: str, problem: str, limit: str = ""):
        super().__init__(token)
        self.token, self.problem, self.limit = token, problem, limit


def _check_digits(token: str) -> None:
    digits = len(token) - sum(token.count(c) for c in "-+.eE")
    if digits > MAX_NUMBER_DIGITS:
        raise _BadNumber(
            token, f"a number with {digits:,} digits", f"; at most {MAX_NUMBER_DIGITS:,} digits"
        )


def _json_int(token: str) -> int:
    _check_digits(token)
    return int(token)


def _json_float(token: str) -> float:
    _check_digits(token)
    value = float(token)
    if math.isinf(value):
        raise _BadNumber(token, f"the number {token[:40]} is too large for a double")
    return value


def _json_constant(token: str) -> float:
    raise _BadNumber(token, f"{token} is not a JSON number")


def parse_json_ld(data: bytes, text: str, source: str) -> Graph:
    """Parse a JSON-LD document (``text``, decoded from ``data``) with rdflib's processor,
    after refusing what it would choke on: nesting deeper than :data:`MAX_NESTING`, numbers
    Python cannot convert, remote contexts, keyword values of the wrong type, more than
    :data:`MAX_PREFIXES` namespace terms in the top-level context.

    >>> len(parse_json_ld(b"", '{"@id": "urn:a", "urn:b": "c"}', "inline"))
    1
    """
    if nesting_bound(data, _JSON_BRACKETS, MAX_NESTING) > MAX_NESTING:
        _check_json_depth(text, source)
    try:
        doc = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError as exc:
        raise RDFInputError(
            source,
            f"invalid JSON: {exc.msg}, {at_position(exc.lineno, exc.colno)}",
            exc.lineno,
            exc.colno,
        ) from None
    except _BadNumber as bad:
        line, column = _find_json_token(text, bad.token)
        where = f", {at_position(line, column)}" if line and column else ""
        raise RDFInputError(source, bad.problem + where + bad.limit, line, column) from None
    _JsonLdCheck(source).document(doc)
    graph = Graph()
    try:
        _StrictParser().parse(doc, Context(base=NO_BASE, version=1.1), _dataset(graph))
    except _DroppedIri as dropped:
        value = dropped.value if len(dropped.value) <= 80 else dropped.value[:80] + "…"
        pos = text.find(json.dumps(dropped.value)[1:-1])
        raise RDFInputError(
            source,
            f'invalid IRI "{value}": an IRI has no spaces, quotes, <>, {{}}, |, \\, ^ or `',
            text.count("\n", 0, pos) + 1 if pos >= 0 else None,
        ) from None
    except RecursionError:
        raise RDFInputError(
            source,
            "a JSON-LD context defines a term through itself (a cyclic IRI mapping)",
        ) from None
    except Exception as exc:  # the JSON-LD processor's own and Python's exception types
        raise RDFInputError(source, _json_ld_message(exc), line_of(exc)) from None
    if '"_:' in text:  # labelled blank nodes keep their labels: fresh ones, as other parses give
        graph = _fresh_blank_nodes(graph)
    return graph


class _DroppedIri(Exception):
    """An ``@id`` (or ``@type``, or a value read as an IRI) that is no IRI: the JSON-LD
    processor would leave its node out silently."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


class _StrictParser(Parser):
    """rdflib's JSON-LD to RDF, refusing the IRIs it would drop (spaces and other characters
    IRIs cannot hold) instead of leaving their nodes out."""

    def _to_rdf_id(self, context: Context, id_val: str) -> IdentifiedNode | None:
        node = super()._to_rdf_id(context, id_val)
        if node is None:
            raise _DroppedIri(id_val)
        return node


def _dataset(graph: Graph) -> Graph:
    """The context-aware view of ``graph`` the processor writes into (as rdflib's own JSON-LD
    parser makes it: named graphs in the document end up in the one graph)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # ConjunctiveGraph, as rdflib uses
        return ConjunctiveGraph(store=graph.store, identifier=graph.identifier)


def _fresh_blank_nodes(graph: Graph) -> Graph:
    """The graph with a fresh blank node for each labelled one, its prefixes kept."""
    fresh: dict[Node, Node] = {}

    def term(node: Node) -> Node:
        if isinstance(node, BNode):
            found = fresh.get(node)
            if found is None:
                found = fresh[node] = BNode()
            return found
        return node

    renamed = Graph()
    for prefix, namespace in graph.namespaces():
        renamed.bind(prefix, namespace, override=True, replace=True)
    renamed.addN((term(s), term(p), term(o), renamed) for s, p, o in graph)
    return renamed


def _check_json_depth(text: str, source: str) -> None:
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        if m.lastgroup != "brackets":
            continue
        depth, _deepest, over = bracket_run(m.group().encode("ascii"), depth, _JSON_BRACKETS)
        if over is not None:
            line, column = line_column(text, m.start() + over)
            raise RDFInputError(
                source,
                f"JSON-LD nested deeper than {MAX_NESTING:,} levels, {at_position(line, column)}",
                line,
                column,
            )


def _find_json_token(text: str, token: str) -> tuple[int | None, int | None]:
    for m in _JSON_TOKENS.finditer(text):
        if m.lastgroup in ("number", "constant") and m.group() == token:
            return line_column(text, m.start())
    return None, None


_JSON_TYPES = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
    dict: "an object",
    list: "an array",
}


def _kind(value: object) -> str:
    return _JSON_TYPES.get(type(value), "a value")


#: keywords whose values must be strings (or null, where the second item says so)
_NODE_STRINGS = {
    "@id": False,
    "@language": True,
    "@index": False,
    "@direction": True,
}
_CONTEXT_STRINGS = {"@base": True, "@vocab": True, "@language": True, "@direction": True}
_TERM_STRINGS = {
    "@id": True,
    "@type": False,
    "@language": True,
    "@reverse": False,
    "@nest": False,
    "@index": False,
    "@direction": True,
}
_VOCAB_DELIMS = ("#", "/", ":")


class _JsonLdCheck:
    """Refuse remote contexts (nothing is fetched) and keyword values of the wrong type, which
    rdflib's JSON-LD processor fails on with Python errors; count the namespaces the top-level
    context declares (rdflib binds each as a prefix)."""

    def __init__(self, source: str):
        self.source = source
        self.path: list[str] = []

    def fail(self, message: str) -> None:
        where = "".join(self.path).lstrip(".")
        raise RDFInputError(self.source, f"{message} (at {where})" if where else message)

    def document(self, doc: object) -> None:
        if not isinstance(doc, dict | list):
            self.fail(f"a JSON-LD document is an object or an array, not {_kind(doc)}")
        if isinstance(doc, dict) and "@context" in doc:
            prefixes = self.namespaces(doc["@context"])
            if prefixes > MAX_PREFIXES:
                raise RDFInputError(
                    self.source,
                    f"more than {MAX_PREFIXES:,} prefix declarations ({prefixes:,} namespace "
                    "terms in the @context); declare only the prefixes the data uses",
                )
        self.node(doc)

    def namespaces(self, context: object) -> int:
        contexts = context if isinstance(context, list) else [context]
        found = set()
        for ctx in contexts:
            if not isinstance(ctx, dict):
                continue
            for term, definition in ctx.items():
                iri = definition.get("@id") if isinstance(definition, dict) else definition
                if isinstance(iri, str) and iri.endswith(_VOCAB_DELIMS):
                    found.add(term)
        return len(found)

    def node(self, node: object) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                self.path.append(f"[{i}]")
                self.node(item)
                self.path.pop()
            return
        if not isinstance(node, dict):
            return
        for key, value in self.entries(node, _NODE_STRINGS):
            if key == "@type":
                types = value if isinstance(value, list) else [value]
                if not all(isinstance(t, str) for t in types):
                    bad = next(t for t in types if not isinstance(t, str))
                    self.fail(f'JSON-LD "@type" must be a string, not {_kind(bad)}')
            elif key == "@reverse" and not isinstance(value, dict):
                self.fail(f'JSON-LD "@reverse" must be an object, not {_kind(value)}')
            elif key != "@value":
                self.node(value)

    def entries(self, mapping: dict, strings: dict[str, bool]) -> Iterator[tuple[str, object]]:
        """The entries of a JSON-LD object, each with its path noted: a nested ``@context``
        and the keywords whose value is a string (``strings``: keyword -> may be null) are
        checked here, the others handed to the caller."""
        for key, value in mapping.items():
            self.path.append(f".{key}")
            if key == "@context":
                self.context_value(value)
            elif key in strings:
                self.string(key, value, strings[key])
            else:
                yield key, value
            self.path.pop()

    def string(self, key: str, value: object, nullable: bool) -> None:
        if not isinstance(value, str) and not (nullable and value is None):
            self.fail(f'JSON-LD "{key}" must be a string, not {_kind(value)}')

    def context_value(self, value: object) -> None:
        contexts = value if isinstance(value, list) else [value]
        for ctx in contexts:
            if isinstance(ctx, str):
                shown = ctx if len(ctx) <= 80 else ctx[:80] + "…"
                self.fail(
                    f"remote JSON-LD context {shown!r} refused: "
                    "bpfgraph never fetches from the network; inline the context"
                )
            elif isinstance(ctx, dict):
                self.context(ctx)
            elif ctx is not None:
                self.fail(f"a JSON-LD @context is an object, an array or null, not {_kind(ctx)}")

    def context(self, ctx: dict) -> None:
        for key, value in self.entries(ctx, _CONTEXT_STRINGS):
            if key == "@import":
                self.fail(
                    "JSON-LD @import of a context refused: "
                    "bpfgraph never fetches from the network or reads files; inline the context"
                )
            elif key in ("@version", "@protected", "@propagate"):
                pass
            elif isinstance(value, dict):
                self.term(value)
            elif not isinstance(value, str) and value is not None:
                self.fail(
                    f"a JSON-LD term is defined by a string, an object or null, not {_kind(value)}"
                )

    def term(self, definition: dict) -> None:
        for key, value in self.entries(definition, _TERM_STRINGS):
            if key == "@container":
                items = value if isinstance(value, list) else [value]
                if not all(isinstance(i, str) for i in items) and value is not None:
                    self.fail(f'JSON-LD "@container" must be a string, not {_kind(value)}')


def _json_ld_message(exc: Exception) -> str:
    """rdflib's JSON-LD processor's message, or plain words where it is a Python error."""
    if type(exc).__name__ == "JSONLDException" or plain_value_error(exc):
        return clean_message(exc)
    return "JSON-LD that cannot be processed: a keyword or term has a value of an unexpected form"
