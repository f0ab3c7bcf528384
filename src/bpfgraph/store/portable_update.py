"""SPARQL Updates rewritten so that every remote engine takes them: ``INSERT DATA`` blocks
holding blank nodes, which Virtuoso 7 refuses ("Blank node … is not allowed in a constant
clause"), blocks too large for it ("the length of generated SQL text has exceeded 10000
lines"), and requests too large for it (:func:`portable_requests`).

Each such block is read as TriG (what bpfgraph writes there: N-Triples, in ``GRAPH`` blocks)
and written again as several operations: the triples without blank nodes in ``INSERT DATA``
chunks, those with blank nodes in ``INSERT { … } WHERE {}`` chunks — one solution, so each
label is one new node — cut only between groups of triples that share no blank node. The
triples stored are the same. A block that is not TriG (a client's update using prefixes of
its prologue) is left as it is.

>>> update = "INSERT DATA { GRAPH <g:a> { _:x <p:q> _:y . _:y <p:q> '1' . <s:s> <p:q> <o:o> } }"
>>> print(portable_update(update))
INSERT DATA { GRAPH <g:a> {
<s:s> <p:q> <o:o> .
} } ;
INSERT { GRAPH <g:a> {
_:x <p:q> _:y .
_:y <p:q> "1" .
} } WHERE {}
>>> portable_update("INSERT DATA { <s:s> <p:q> 'no blank node' }")
"INSERT DATA { <s:s> <p:q> 'no blank node' }"
"""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox

from ..sparql_text import code_only

#: triples per operation written (far below what Virtuoso's SQL compiler takes)
CHUNK = 1000
#: lines of data (about one triple each) per request at most, when an update must be cut
REQUEST_LINES = 4 * CHUNK
_BRACE = re.compile(r"[{}]")
_SEPARATOR = re.compile(r"[{};]")
_PROLOGUE = re.compile(r"(?<![\w:?$.-])(PREFIX|BASE)(?![\w:-])", re.IGNORECASE)
_INSERT_DATA = re.compile(r"(?<![\w:?$.-])INSERT\s+DATA(?![\w:-])", re.IGNORECASE)


def portable_requests(update: str) -> list[str]:
    """``update`` made portable (:func:`portable_update`) and, when it holds more than
    :data:`REQUEST_LINES` lines of data, cut between operations into several requests, sent
    in order: Virtuoso compiles a whole request into one code vector of bounded size
    ("Maximum size (32767) of a code vector exceeded"). An update with a prologue (PREFIX,
    BASE) is never cut: its later operations need it.

    >>> portable_requests("DROP SILENT GRAPH <g:a> ; INSERT DATA { <s:a> <p:q> 'a;b' }")
    ["DROP SILENT GRAPH <g:a> ; INSERT DATA { <s:a> <p:q> 'a;b' }"]
    """
    text = portable_update(update)
    code = code_only(text)
    if code.count("\n") <= REQUEST_LINES or _PROLOGUE.search(code):
        return [text]
    requests: list[str] = []
    current: list[str] = []
    lines = 0
    for operation in _operations(text, code):
        size = operation.count("\n")
        if current and lines + size > REQUEST_LINES:
            requests.append(" ;\n".join(current))
            current, lines = [], 0
        current.append(operation)
        lines += size
    if current:
        requests.append(" ;\n".join(current))
    return requests


def _operations(text: str, code: str) -> list[str]:
    """The operations of an update: its text cut at each ``;`` outside braces."""
    out, depth, start = [], 0, 0
    for m in _SEPARATOR.finditer(code):
        token = m.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            out.append(text[start : m.start()].strip())
            start = m.end()
    out.append(text[start:].strip())
    return [operation for operation in out if operation]


def portable_update(update: str) -> str:
    """``update`` with each ``INSERT DATA`` block that holds a blank node or more than
    :data:`CHUNK` triples written as several operations (see the module)."""
    code = code_only(update)
    pieces: list[str] = []
    done = 0
    for m in _INSERT_DATA.finditer(code):
        opening = code.find("{", m.end())
        if opening < 0 or code[m.end() : opening].strip() or opening < done:
            continue
        end = _block_end(code, opening)
        if end < 0:
            continue
        rewritten = _rewrite(update[opening + 1 : end - 1], code[opening:end])
        if rewritten is None:
            continue
        pieces += [update[done : m.start()], rewritten]
        done = end
    return "".join(pieces) + update[done:]


def _block_end(code: str, opening: int) -> int:
    """The position after the ``{ … }`` group opening at ``opening`` (-1: it never closes)."""
    depth = 0
    for brace in _BRACE.finditer(code, opening):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.end()
    return -1


def _rewrite(body: str, code: str) -> str | None:
    """The operations that insert what the ``INSERT DATA`` body ``body`` holds, or None
    when it needs no rewriting or is not TriG."""
    if "_:" not in code and "[" not in code and code.count("\n") <= CHUNK:
        return None
    try:
        quads = list(ox.parse(body.encode("utf-8"), ox.RdfFormat.TRIG))
    except (SyntaxError, ValueError):
        return None
    if len(quads) <= CHUNK and not any(_blank(q) for q in quads):
        return None
    plain = [q for q in quads if not _blank(q)]
    operations = [_operation(chunk, template=False) for chunk in _chunks([[q] for q in plain])]
    groups = _connected([q for q in quads if _blank(q)])
    operations += [_operation(chunk, template=True) for chunk in _chunks(groups)]
    return " ;\n".join(operations) if operations else "INSERT DATA { }"


def _blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _connected(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """The quads grouped so that no blank node is in two groups (union-find on the nodes)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for quad in quads:
        nodes = [t.value for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        node = quad.subject if isinstance(quad.subject, ox.BlankNode) else quad.object
        assert isinstance(node, ox.BlankNode)  # only quads with a blank node come here
        groups[root(node.value)].append(quad)
    return list(groups.values())


def _chunks(groups: list[list[ox.Quad]]) -> list[list[ox.Quad]]:
    """The groups packed into chunks of about :data:`CHUNK` quads (a group never cut)."""
    chunks: list[list[ox.Quad]] = []
    current: list[ox.Quad] = []
    for group in groups:
        if current and len(current) + len(group) > CHUNK:
            chunks.append(current)
            current = []
        current += group
    if current:
        chunks.append(current)
    return chunks


def _operation(quads: list[ox.Quad], template: bool) -> str:
    """One ``INSERT DATA`` (or, for blank nodes, ``INSERT … WHERE {}``) of ``quads``."""
    by_graph: dict[object, list[str]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name].append(f"{quad.subject} {quad.predicate} {quad.object} .")
    blocks = []
    for graph, lines in by_graph.items():
        triples = "\n".join(lines)
        if isinstance(graph, ox.NamedNode):
            blocks.append(f"GRAPH {graph} {{\n{triples}\n}}")
        else:
            blocks.append(triples)
    body = " ".join(blocks)
    return f"INSERT {{ {body} }} WHERE {{}}" if template else f"INSERT DATA {{ {body} }}"
