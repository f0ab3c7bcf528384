"""The one write gate: every write of user graphs goes through here.

Whoever writes — the Graph Store Protocol, SPARQL Update (after its trial run on a copy), the
command line's ``load``, the start-up load of ``data/cities`` — the same rules hold, in this
order:

1. the **framework graphs** (``https://w3id.org/bpfgraph/graph/…`` other than ``…/mapping/…``)
   are never written (:func:`check_graph`);
2. a **city mapping** (a graph holding a ``bpf:CityMapping``) is validated with SHACL and
   refused with its report when it has violations; it is never stored in the default graph;
3. a mapping's **parts** are described by its own graph only (:mod:`.ownership`: 409);
4. what passes is written with the mapping's **summary** re-derived and its
   ``prov:generatedAtTime`` in the provenance graph, **in one transaction**
   (:func:`write_graphs`): a kill leaves all of it or none.

A refusal is a :class:`WriteRefused` whose ``kind`` says why (the service answers 403, 422,
400 or 404 for it); nothing is written then.

>>> from rdflib import Graph
>>> from bpfgraph.store.engines import memory_store
>>> store = memory_store()
>>> data = Graph().parse(data="<x:a> <x:b> <x:c> .", format="nt")
>>> put_graph(store, "https://example.org/g", data)
Written(created=True, triples=1, report=None)
>>> try:
...     check_graph("https://w3id.org/bpfgraph/graph/framework")
... except WriteRefused as refused:
...     print(refused.kind, refused.message.split(' belongs')[0])
reserved graph <https://w3id.org/bpfgraph/graph/framework>
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef

from . import ownership, rdfio, summaries
from .framework import is_reserved_graph
from .store.base import Store
from .validation import Report, validate_mapping
from .vocab import BPF, PROV_GENERATED, PROV_GRAPH

#: why a write was refused: a framework graph; a city mapping with violations; a mapping where
#: none may be (the default graph) or not one mapping where one is needed; no such graph; a
#: mapping's part that another graph describes (:mod:`.ownership`)
Kind = Literal["reserved", "invalid", "misplaced", "missing", "conflict"]


class WriteRefused(Exception):
    """A write the gate refused; nothing was written.

    ``outcomes`` holds, for a mapping with violations, the validation report of each refused
    graph with the name to show for it (``request body``, ``graph <…>``, a file name).
    """

    def __init__(
        self,
        kind: Kind,
        message: str,
        outcomes: list[tuple[str, Report]] | None = None,
    ) -> None:
        """A refusal of the given kind, its message, and the reports of refused mappings."""
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.outcomes = outcomes or []

    @property
    def report(self) -> Report | None:
        """The report of the first refused mapping (None: not refused for violations)."""
        return self.outcomes[0][1] if self.outcomes else None


@dataclass
class Written:
    """What a write did: whether the graph was new, its size, the mapping's report if any."""

    created: bool
    triples: int
    report: Report | None = None


@dataclass
class Stored:
    """A city mapping stored by :func:`store_mapping`."""

    graph: str
    mapping: str
    triples: int
    report: Report = field(repr=False)


# -- the rules ---------------------------------------------------------------------------------


def check_graph(graph: str) -> None:
    """Refuse a framework graph (``reserved``)."""
    if is_reserved_graph(graph):
        raise WriteRefused(
            "reserved", f"graph <{graph}> belongs to the framework and cannot be written"
        )


def is_mapping(graph: Graph) -> bool:
    """Whether ``graph`` holds a city mapping (a ``bpf:CityMapping``)."""
    return (None, RDF.type, BPF.CityMapping) in graph


def mapping_iri(graph: Graph) -> str:
    """The IRI of the one bpf:CityMapping in a graph (``misplaced`` when not exactly one)."""
    mappings = [m for m in graph.subjects(RDF.type, BPF.CityMapping) if isinstance(m, URIRef)]
    if len(mappings) != 1:
        raise WriteRefused(
            "misplaced",
            "a mapping file (or graph) must describe exactly one bpf:CityMapping with an IRI; "
            f"found {len(mappings)}; store each mapping in its own graph",
        )
    return str(mappings[0])


def validated(graph: Graph, source: str, message: str) -> Report | None:
    """Validate ``graph`` if it holds a city mapping; ``invalid`` with its report when it has
    violations. Returns the report (None: no mapping, nothing to validate)."""
    if not is_mapping(graph):
        return None
    report = validate_mapping(graph)
    if not report.conforms:
        raise WriteRefused("invalid", message, [(source, report)])
    mapping_iri(graph)  # one mapping per graph: the pages and the timeline show it by its IRI
    return report


# -- the writers -------------------------------------------------------------------------------


def store_mapping(
    store: Store, graph: Graph, graph_name: str | None = None, engine: str | None = None
) -> Stored:
    """Validate a city mapping and, when it has no violations, write it as one named graph
    (by default the graph named by the mapping's IRI)."""
    graph = rdfio.as_graph(graph)
    report = validate_mapping(graph, engine=engine)
    if not report.conforms:
        violations = len(report.by_severity("Violation"))
        raise WriteRefused(
            "invalid",
            f"the mapping has {violations} violation(s); nothing was stored",
            [("mapping", report)],
        )
    mapping = mapping_iri(graph)
    target = graph_name or mapping
    check_graph(target)
    write_graphs(store, {target: graph})
    return Stored(target, mapping, len(graph), report)


_REFUSED = "the city mapping has violations; nothing was stored"


def put_graph(store: Store, graph: str, data: Graph, source: str = "request body") -> Written:
    """Replace a named graph (Graph Store PUT): checked, validated if a mapping, written."""
    check_graph(graph)
    report = validated(data, source, _REFUSED)
    existed = graph in store.graphs()
    write_graphs(store, {graph: data if len(data) else None})
    return Written(not existed, len(data), report)


def add_to_graph(store: Store, graph: str, data: Graph, source: str = "request body") -> Written:
    """Add triples to a named graph (Graph Store POST): the merge is what is validated."""
    check_graph(graph)
    existed = graph in store.graphs()
    merged = Graph()
    if existed:
        merged += store.get_graph(graph)
    merged += data
    report = validated(merged, source, _REFUSED)
    write_graphs(store, {graph: merged if len(merged) else None})
    return Written(not existed, len(merged), report)


def add_ntriples(store: Store, graph: str, ntriples: bytes, replace: bool) -> Written | None:
    """Write N-Triples holding no city mapping as bytes (large uploads on the embedded store);
    None when the graph added to holds a mapping (:func:`add_to_graph` validates the whole)."""
    check_graph(graph)
    native = store.primary
    if native is None:
        return None
    node = ox.NamedNode(graph)
    existed = native.contains_named_graph(node)
    if existed and not replace:
        mapping_type = (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(BPF.CityMapping)))
        if next(native.quads_for_pattern(None, *mapping_type, node), None) is not None:
            return None
        held = native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node)
        assert held is not None  # given no output, pyoxigraph returns the bytes
        ntriples = held + ntriples
    write_graphs(store, {graph: ntriples})
    return Written(not existed, ntriples.count(b"\n"))


def check_default(data: Graph) -> None:
    """Refuse a city mapping bound for the default graph (``misplaced``)."""
    if is_mapping(data):
        raise WriteRefused(
            "misplaced",
            "store a city mapping in a named graph (?graph=IRI), not the default graph",
        )


def write_default(store: Store, data: Graph, replace: bool) -> None:
    """Replace (PUT) or add to (POST) the default graph; a city mapping is refused there."""
    check_default(data)
    if replace:
        write_graphs(store, {}, default=data)
        return
    _check_parts(store, {"": data})
    body = data.serialize(format="nt", encoding="utf-8").decode("utf-8")
    store.update("INSERT DATA { " + body + " }", touches=(), default=True)


def delete_graph(store: Store, graph: str) -> bool:
    """Delete a graph with its summary and provenance; returns whether the graph existed."""
    check_graph(graph)
    existed = graph in store.graphs()
    if existed:
        write_graphs(store, {graph: None})
    return existed


def read_graph(store: Store, graph: str | None) -> Graph:
    """A named graph's triples (``missing`` when there is none), or the default graph's."""
    if graph is None:
        return store.get_default_graph()
    if graph not in store.graphs():
        raise WriteRefused("missing", f"there is no graph <{graph}>")
    return store.get_graph(graph)


def apply_changes(
    store: Store,
    graphs: dict[str | None, tuple[bool, bytes]],
    mappings: Iterable[str | None],
    mapping_graph: dict[str, Graph],
) -> None:
    """Write what a SPARQL Update's trial run changed: ``graphs`` maps each changed graph
    (None: the default graph) to (whether it still exists, its N-Triples); ``mappings`` are
    the changed graphs holding a city mapping, ``mapping_graph`` those as rdflib graphs."""
    if not graphs:
        return
    reserved = sorted(g for g in graphs if g is not None and is_reserved_graph(g))
    if reserved:
        raise WriteRefused(
            "reserved",
            "the update would change the framework graph"
            + ("s " if len(reserved) > 1 else " ")
            + ", ".join(f"<{g}>" for g in reserved)
            + (", which are" if len(reserved) > 1 else ", which is")
            + " read-only; nothing was changed",
        )
    if None in mappings:
        raise WriteRefused(
            "misplaced",
            "the update would put a city mapping in the default graph; store it in a named "
            "graph; nothing was changed",
        )
    contents: dict[str, Graph | bytes | None] = {}
    for name, (exists, ntriples) in graphs.items():
        if name is not None:
            contents[name] = mapping_graph.get(name, ntriples) if exists else None
    outcomes = []
    for name, data in mapping_graph.items():
        report = validate_mapping(data)
        if not report.conforms:
            outcomes.append((f"graph <{name}>", report))
    if outcomes:
        names = ", ".join(name for name, _ in outcomes)
        raise WriteRefused(
            "invalid",
            f"the update would leave the city mapping in {names} with violations; nothing was "
            "changed",
            outcomes,
        )
    default = graphs[None][1] if None in graphs else None
    write_graphs(store, contents, default=default)


# -- the transaction ---------------------------------------------------------------------------


def write_graphs(
    store: Store,
    graphs: dict[str, Graph | bytes | None],
    default: Graph | bytes | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The one write of user graphs: each graph replaced by its new content (None: deleted;
    an empty graph is kept as an empty graph), with its summary re-derived and its
    ``prov:generatedAtTime`` in the provenance graph, and the default graph replaced if
    ``default`` is given — all in one SPARQL Update, one transaction: a kill leaves all of it
    or none. The caller has checked and validated what it writes (the functions above). A
    graph given as N-Triples bytes is written as it is (it holds no city mapping: no
    summary); one that would make a mapping's part described by two graphs is refused."""
    _check_parts(store, {**graphs, **({"": default} if default is not None else {})})
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    operations: list[str] = []
    touched: set[str] = {PROV_GRAPH}
    for name, data in graphs.items():
        summary_name = summaries.summary_graph(name)
        touched |= {name, summary_name}
        operations += [
            f"DROP SILENT GRAPH <{name}>",
            f"DROP SILENT GRAPH <{summary_name}>",
            f"DELETE WHERE {{ GRAPH <{PROV_GRAPH}> {{ <{name}> ?p ?o }} }}",
        ]
        if data is None:
            continue
        if isinstance(data, bytes):
            operations.append(_insert(name, data.decode("utf-8")))
        else:
            data = rdfio.as_graph(data)
            operations.append(_insert(name, _ntriples(data)))
            summary = summaries.summarize_graph(data, name)
            if len(summary):
                operations.append(_insert(summary_name, _ntriples(summary)))
        operations.append(
            f"INSERT DATA {{ GRAPH <{PROV_GRAPH}> {{ <{name}> <{PROV_GENERATED}> "
            f'"{moment}"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}'
        )
    if default is not None:
        operations.append("DROP SILENT DEFAULT")
        body = default.decode("utf-8") if isinstance(default, bytes) else _ntriples(default)
        if body.strip():
            operations.append(f"INSERT DATA {{\n{body}\n}}")
    if operations:
        store.update(" ;\n".join(operations), touches=touched, default=default is not None)


def _check_parts(store: Store, graphs: dict[str, Graph | bytes | None]) -> None:
    try:
        ownership.check_parts(store, graphs)
    except ownership.FrameworkTerm as exc:
        raise WriteRefused("reserved", exc.message) from None
    except ownership.PartConflict as exc:
        raise WriteRefused("conflict", exc.message) from None


def _ntriples(graph: Graph) -> str:
    return rdfio.as_graph(graph).serialize(format="nt", encoding="utf-8").decode("utf-8")


def _insert(graph: str, ntriples: str) -> str:
    """Fill a graph (an empty one is created: it exists, with no triple)."""
    if ntriples.strip():
        return f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}"
    return f"CREATE SILENT GRAPH <{graph}>"
