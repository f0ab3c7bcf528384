"""Whose graph describes a city mapping's parts: its own graph, and no other.

Every reading of the city mappings (the named queries, the city pages, the timeline) reads the
union of the graphs, so a triple about a mapping's part written into another graph would be
read as the mapping's own: a second copy of the mapping in another graph would blend two
assessments, a date or a city written into an unvalidated graph would move the mapping on its
city's timeline. The write gate therefore refuses (``conflict``, HTTP 409) a write that would
make one mapping part described by two graphs:

- a **part** is an IRI typed, in the data written, as a city mapping, process mapping, outcome
  adoption, sub-process, action step or process summary (:data:`PART_CLASSES`), or linked as
  one (the object of ``bpf:hasProcessMapping``, ``bpf:hasOutcomeAdoption``, … —
  :data:`PART_LINKS`: the shapes find parts that way, typed or not);
- a part of the data written may be described (as a subject) by no other graph — the graph's
  own derived summary and the provenance graph aside — and by no other graph written with it;
- no subject of the data written may be a part of another graph (typed there as one).

A city's own outcomes (``bpf:CityOutcome``), the city and its organisations are shared: a city
outcome followed from one assessment to the next keeps its IRI. The framework's own terms
(IRIs under ``https://w3id.org/bpfgraph/``) are described by the framework's graphs only: a
user graph that would describe one is refused (``reserved``, 403).

Blank nodes belong to their graph and are not compared. The check reads the store (a few small
queries per write) and runs before the one transaction that writes.

>>> from rdflib import Graph
>>> from bpfgraph.store.engines import memory_store
>>> store = memory_store()
>>> store.update("INSERT DATA { GRAPH <https://example.org/a> { <https://example.org/m> "
...              "a <https://w3id.org/bpfgraph/def#CityMapping> } }", touches={"https://example.org/a"})
>>> data = Graph().parse(data="<https://example.org/m> <x:p> <x:o> .", format="nt")
>>> try:
...     check_parts(store, {"https://example.org/b": data})
... except PartConflict as exc:
...     print(exc.message.split(";")[0])
<https://example.org/m> is a part of the city mapping in graph <https://example.org/a>
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef

from . import summaries
from .store.base import SelectResult, Store
from .vocab import BASE, BPF, PROV_GRAPH

#: the classes whose members are a mapping's own parts (described in one graph only)
PART_CLASSES = (
    BPF.CityMapping,
    BPF.ProcessMapping,
    BPF.OutcomeAdoption,
    BPF.SubProcess,
    BPF.ActionStep,
    BPF.ProcessSummary,
)
#: the properties whose objects are parts, typed or not
PART_LINKS = (
    BPF.hasProcessMapping,
    BPF.hasOutcomeAdoption,
    BPF.hasSubProcess,
    BPF.hasActionStep,
    BPF.processSummary,
)

_BATCH = 400  # IRIs per VALUES block
_WHOLE = 20_000  # beyond this many subjects, the store's parts are read whole instead

_TYPES = " ".join(f"<{c}>" for c in PART_CLASSES)
_LINKS = " ".join(f"<{p}>" for p in PART_LINKS)
#: a part elsewhere: typed as one there, or linked as one there
_IS_PART = (
    f"{{ ?s a ?t VALUES ?t {{ {_TYPES} }} }} UNION {{ ?x ?link ?s VALUES ?link {{ {_LINKS} }} }}"
)


class PartConflict(Exception):
    """A write that would make a mapping part described by two graphs."""

    def __init__(self, message: str) -> None:
        """The conflict, said for a city officer."""
        super().__init__(message)
        self.message = message


class FrameworkTerm(PartConflict):
    """A write that would describe one of the framework's own terms."""


def check_parts(store: Store, graphs: dict[str, Graph | bytes | None]) -> None:
    """Refuse (:class:`PartConflict`) writing ``graphs`` (name -> new content; None: deleted;
    the empty name ``""``: the default graph) when a mapping part would be described by two
    graphs."""
    held = {name: _terms(data) for name, data in graphs.items() if data is not None}
    for name, (_parts, subjects) in held.items():
        _not_the_frameworks(name, subjects)
    _within(held)
    # what the graphs written now held before does not count: it is replaced
    own = {g for name in graphs for g in _own_graphs(name)}
    # the default graph is read apart where the engine keeps it apart (a remote store's
    # default graph may be the union of all graphs: Virtuoso's is)
    default = "" not in graphs and store.embedded
    for name, (parts, subjects) in held.items():
        for s, where in _described_elsewhere(store, parts, own, default):
            raise PartConflict(_said(s, where, name, ours=True))
        for s, where in _parts_elsewhere(store, subjects, own, default):
            raise PartConflict(_said(s, where, name, ours=False))


def _terms(data: Graph | bytes) -> tuple[set[str], set[str]]:
    """(the parts ``data`` types or links as parts, every IRI subject of ``data``)."""
    if isinstance(data, bytes):
        typed = str(RDF.type)
        classes = {str(c) for c in PART_CLASSES}
        links = {str(p) for p in PART_LINKS}
        parts, subjects = set(), set()
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            if isinstance(t.subject, ox.NamedNode):
                subjects.add(t.subject.value)
                if t.predicate.value == typed and t.object.value in classes:
                    parts.add(t.subject.value)
            if t.predicate.value in links and isinstance(t.object, ox.NamedNode):
                parts.add(t.object.value)
        return parts, subjects
    parts = {
        str(s) for c in PART_CLASSES for s in data.subjects(RDF.type, c) if isinstance(s, URIRef)
    }
    parts |= {str(o) for p in PART_LINKS for o in data.objects(None, p) if isinstance(o, URIRef)}
    return parts, {str(s) for s in data.subjects(unique=True) if isinstance(s, URIRef)}


def _not_the_frameworks(name: str, subjects: set[str]) -> None:
    """Refuse data that describes the framework's own terms."""
    for s in sorted(subjects):
        if s.startswith(BASE):
            here = f"graph <{name}>" if name else "the default graph"
            raise FrameworkTerm(
                f"<{s}> is the framework's own term, described by the framework's graphs only, "
                f"not by {here}: a mapping refers to the framework's terms and describes its "
                "own resources under its own IRIs; nothing was changed"
            )


def _within(held: dict[str, tuple[set[str], set[str]]]) -> None:
    """Refuse two graphs written together that describe one part."""
    for name, (parts, _subjects) in held.items():
        for other, (_p, subjects) in held.items():
            shared = sorted(parts & subjects) if other != name else []
            if shared:
                raise PartConflict(_said(shared[0], other, name, ours=True))


def _own_graphs(name: str) -> set[str]:
    """The graphs that may describe what graph ``name`` describes: itself, its derived
    summary, the provenance graph."""
    return {name, summaries.summary_graph(name), PROV_GRAPH} if name else {PROV_GRAPH}


def _described_elsewhere(
    store: Store, parts: set[str], own: set[str], default: bool
) -> Iterator[tuple[str, str]]:
    """(part, graph) for each part of ``parts`` some graph not in ``own`` describes."""
    yield from _matches(store, parts, own, "?s ?p ?o", default)


def _parts_elsewhere(
    store: Store, subjects: set[str], own: set[str], default: bool
) -> Iterator[tuple[str, str]]:
    """(subject, graph) for each of ``subjects`` a graph not in ``own`` types as a part."""
    if len(subjects) > _WHOLE:  # many subjects: the parts the store holds are fewer
        for s, g in _select(store, _IS_PART, own, default, limit=None):
            if s in subjects:
                yield s, g
        return
    yield from _matches(store, subjects, own, _IS_PART, default)


def _matches(
    store: Store, iris: Iterable[str], own: set[str], pattern: str, default: bool
) -> Iterator[tuple[str, str]]:
    """(IRI, graph) for the first IRI of ``iris`` matching ``pattern`` in a graph not in
    ``own``, batch by batch."""
    batch: list[str] = []
    for iri in sorted(iris):
        try:
            batch.append(str(ox.NamedNode(iri)))
        except ValueError:  # not an IRI the store could hold: nothing describes it there
            continue
        if len(batch) == _BATCH:
            yield from _select(store, f"VALUES ?s {{ {' '.join(batch)} }} {pattern}", own, default)
            batch = []
    if batch:
        yield from _select(store, f"VALUES ?s {{ {' '.join(batch)} }} {pattern}", own, default)


def _select(
    store: Store, pattern: str, own: set[str], default: bool, limit: int | None = 1
) -> Iterator[tuple[str, str]]:
    """(?s, graph name — "" for the default graph) where ``pattern`` holds outside ``own``."""
    mine = ", ".join(f"<{g}>" for g in sorted(own))
    query = (
        f"SELECT ?s ?g WHERE {{ {{ GRAPH ?g {{ {pattern} }} FILTER (?g NOT IN ({mine})) }}"
        + (f" UNION {{ {pattern} }}" if default else "")
        + "}"
        + (f" LIMIT {limit}" if limit else "")
    )
    result = store.query(query, union_default_graph=False)
    for row in result.rows if isinstance(result, SelectResult) else []:
        yield str(row["s"]), str(row.get("g", ""))


def _said(part: str, where: str, name: str, ours: bool) -> str:
    """The conflict said: which part, which other graph, what to do."""
    there = f"graph <{where}>" if where else "the default graph"
    here = f"graph <{name}>" if name else "the default graph"
    if ours:
        return (
            f"<{part}> is a part of the city mapping in {here} but {there} also describes it; "
            "a mapping's parts are described in its own graph only: give the part another IRI, "
            "or remove what the other graph says of it first; nothing was changed"
        )
    return (
        f"<{part}> is a part of the city mapping in {there}; a mapping's parts are described "
        f"in its own graph only, not in {here}: write it into {there}, or use another IRI; "
        "nothing was changed"
    )
