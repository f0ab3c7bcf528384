"""City mappings in a store: validated before they are written, one named graph each.

The graph of a mapping is named by the IRI of its ``bpf:CityMapping`` unless the caller names
another; framework graphs (``https://w3id.org/bpfgraph/graph/…``) can never be overwritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from . import rdfio, summaries
from .framework import is_reserved_graph
from .store import Store
from .summaries import mapping_graphs
from .validation import Report, validate_mapping
from .vocab import BPF, PROV_GENERATED, PROV_GRAPH

__all__ = [
    "MappingRefused",
    "Stored",
    "load_files",
    "mapping_graphs",
    "put_mapping",
    "store_mapping",
    "write_graphs",
]


class MappingRefused(Exception):
    """A mapping that cannot be stored, with the reason and, for violations, the report."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report


@dataclass
class Stored:
    graph: str
    mapping: str
    triples: int
    report: Report


def mapping_iri(graph: Graph) -> str:
    """The IRI of the one bpf:CityMapping in a graph."""
    mappings = [m for m in graph.subjects(RDF.type, BPF.CityMapping) if isinstance(m, URIRef)]
    if len(mappings) != 1:
        raise MappingRefused(
            "a mapping file must describe exactly one bpf:CityMapping with an IRI; "
            f"found {len(mappings)}"
        )
    return str(mappings[0])


def store_mapping(
    store: Store, graph: Graph, graph_name: str | None = None, engine: str | None = None
) -> Stored:
    """Validate ``graph`` and, when it has no violations, write it as one named graph."""
    graph = rdfio.as_graph(graph)
    report = validate_mapping(graph, engine=engine)
    if not report.conforms:
        violations = len(report.by_severity("Violation"))
        raise MappingRefused(
            f"the mapping has {violations} violation(s); nothing was stored", report
        )
    mapping = mapping_iri(graph)
    target = graph_name or mapping
    if is_reserved_graph(target):
        raise MappingRefused(f"graph <{target}> belongs to the framework and cannot be written")
    put_mapping(store, target, graph)
    return Stored(target, mapping, len(graph), report)


def put_mapping(store: Store, target: str, graph: Graph) -> None:
    """Write a (validated) graph with its derived summary and provenance, replacing them, in
    one transaction.

    Any graph may be given: one without a ``bpf:CityMapping`` gets no summary (and loses
    one it had), so this is also the write path for ordinary graphs of the Graph Store.
    """
    write_graphs(store, {target: graph if len(graph) else None})


def delete_graph(store: Store, target: str) -> bool:
    """Delete a graph with its summary and provenance; returns whether the graph existed."""
    existed = target in store.graphs()
    if existed:
        write_graphs(store, {target: None})
    return existed


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
    or none. The caller has checked and validated what it writes (no framework graph). A
    graph given as N-Triples bytes is written as it is (it holds no city mapping: no
    summary)."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()

    def provenance(name: str) -> str:
        return (
            f"INSERT DATA {{ GRAPH <{PROV_GRAPH}> {{ <{name}> <{PROV_GENERATED}> "
            f'"{moment}"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}'
        )

    operations: list[str] = []
    touched: set[str] = {PROV_GRAPH}
    for name, data in graphs.items():
        summary_name = summaries.summary_graph(name)
        touched |= {name, summary_name}
        operations.append(f"DROP SILENT GRAPH <{name}>")
        operations.append(f"DROP SILENT GRAPH <{summary_name}>")
        operations.append(f"DELETE WHERE {{ GRAPH <{PROV_GRAPH}> {{ <{name}> ?p ?o }} }}")
        if data is None:
            continue
        if isinstance(data, bytes):
            if data.strip():
                body = data.decode("utf-8")
                operations.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}")
            else:
                operations.append(f"CREATE SILENT GRAPH <{name}>")
            operations.append(provenance(name))
            continue
        data = rdfio.as_graph(data)
        if len(data):
            body = data.serialize(format="nt", encoding="utf-8").decode("utf-8")
            operations.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}")
        else:
            operations.append(f"CREATE SILENT GRAPH <{name}>")
        summary = summaries.summarize_graph(data, name)
        if len(summary):
            body = summary.serialize(format="nt", encoding="utf-8").decode("utf-8")
            operations.append(f"INSERT DATA {{ GRAPH <{summary_name}> {{\n{body}\n}} }}")
        operations.append(provenance(name))
    if default is not None:
        operations.append("DROP SILENT DEFAULT")
        if isinstance(default, bytes):
            body = default.decode("utf-8")
        else:
            body = rdfio.as_graph(default).serialize(format="nt", encoding="utf-8").decode()
        if body.strip():
            operations.append(f"INSERT DATA {{\n{body}\n}}")
    if operations:
        store.update(" ;\n".join(operations), touches=touched, default=default is not None)


def load_files(store: Store, items: list[tuple[Path, str]]) -> None:
    """Bulk-load (already validated) mapping files, each into its graph, with summaries.

    On Oxigraph the summaries are derived in a second process while this one parses and
    writes (the two halves take about as long), so a bulk load costs little more than the
    mappings' own triples. Elsewhere each file is read once and written with its summary
    (added to a graph that already exists, the summary is derived from what the store holds).
    """
    from .store.oxigraph import OxigraphStore

    if not isinstance(store, OxigraphStore):  # a remote store: one file after the other
        existing = set(store.graphs())
        for path, graph in items:
            if graph in existing:  # added to what the graph holds: summarised from the store
                store.load_file(path, graph)
                summaries.refresh(store, graph)
            else:  # a new graph: written with its summary, as an upload writes it
                put_mapping(store, graph, rdfio.as_graph(rdfio.parse_file(path)))
        return
    if len(items) < 20:
        store.load_many(items, (_derive_file(item) for item in items))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    summaries.framework_index()  # computed once here, inherited by the forked worker
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        store.load_many(items, pool.map(_derive_file, items, chunksize=16))


def _derive_file(item: tuple[Path, str]) -> bytes:
    import pyoxigraph as ox

    from .store.oxigraph import OX_FORMATS

    path, graph = item
    fmt = OX_FORMATS[rdfio.format_for(path)]
    triples = [
        (t.subject.value, t.predicate.value, t.object.value)
        for t in ox.parse(path=str(path), format=fmt)
    ]
    return summaries.to_nquads(summaries.summarize(triples, graph), summaries.summary_graph(graph))
