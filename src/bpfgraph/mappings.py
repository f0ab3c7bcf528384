"""City mappings in a store: validated before they are written, one named graph each.

The graph of a mapping is named by the IRI of its ``bpf:CityMapping`` unless the caller names
another; framework graphs (``https://w3id.org/bpfgraph/graph/…``) can never be overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef

from . import rdfio
from .framework import is_reserved_graph
from .store import Store
from .validation import Report, validate_mapping
from .vocab import BPF


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
    store.put_graph(target, graph)
    return Stored(target, mapping, len(graph), report)


def mapping_graphs(store: Store) -> list[str]:
    """Named graphs that hold a bpf:CityMapping."""
    result = store.query(
        "SELECT DISTINCT ?g WHERE "
        "{ GRAPH ?g { ?m a <https://w3id.org/bpfgraph/def#CityMapping> } }",
        union_default_graph=False,
    )
    return sorted(str(r["g"]) for r in getattr(result, "rows", []))
