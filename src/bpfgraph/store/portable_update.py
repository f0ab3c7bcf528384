"""SPARQL Updates rewritten so that every remote engine takes them: ``INSERT DATA`` blocks
holding blank nodes, which Virtuoso 7 refuses ("Blank node … is not allowed in a constant
clause"), and blocks too large for it ("the length of generated SQL text has exceeded 10000
lines").

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
_BRACE = re.compile(r"[{}]")
_INSERT_DATA = re.compile(r"(?<![\w:?$.-])INSERT\s+DATA(?![\w:-])", re.IGNORECASE)


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
