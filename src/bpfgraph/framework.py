"""The project's RDF sources as named parts: ontology, alignments, framework, shapes.

Each part has a named graph IRI (``https://w3id.org/bpfgraph/graph/{part}``) so that
downloads, provenance and deletes stay simple and a city mapping can never overwrite
the framework.

>>> sorted(PARTS)
['alignments', 'framework', 'ontology', 'shapes']
>>> str(graph_iri("framework"))
'https://w3id.org/bpfgraph/graph/framework'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from . import paths, rdfio
from .vocab import GRAPH, PREFIXES


@dataclass(frozen=True)
class Part:
    """A named part of the project's RDF sources and the files it is read from."""

    name: str
    description: str

    def files(self) -> list[Path]:
        """The files of the part, in a stable order."""
        match self.name:
            case "ontology":
                return [paths.ontology_dir() / "bpf.ttl"]
            case "alignments":
                return [paths.ontology_dir() / "alignments.ttl"]
            case "framework":
                return sorted(paths.data_dir().glob("*.ttl"))
            case "shapes":
                return sorted(paths.shapes_dir().glob("*.ttl"))
        raise KeyError(self.name)


PARTS: dict[str, Part] = {
    p.name: p
    for p in (
        Part("ontology", "The bpf OWL ontology"),
        Part("alignments", "Alignments of bpf to SKOS, PROV-O, ORG, DCAT and ISO/IEC 5087"),
        Part("framework", "The ISO/IEC 30145-1 framework and the rating scale"),
        Part("shapes", "SHACL shapes for the framework and for city mappings"),
    )
}
INFERRED = "inferred"


def graph_iri(part: str) -> URIRef:
    """Named graph IRI of a part (or of ``inferred``)."""
    return GRAPH[part]


def is_reserved_graph(iri: str) -> bool:
    """Graphs under ``…/graph/`` other than mappings belong to the framework; an IRI whose dot
    segments resolve under ``…/graph/`` counts as what it resolves to.

    >>> is_reserved_graph("https://w3id.org/bpfgraph/graph/mapping/../framework")
    True
    >>> is_reserved_graph("https://w3id.org/bpfgraph/graph/mapping/city-1")
    False
    """
    if "/." in iri:
        head, _, rest = iri.partition("://")
        parts: list[str] = []
        for segment in rest.split("/"):
            if segment == "..":
                if len(parts) > 1:
                    parts.pop()
            elif segment != ".":
                parts.append(segment)
        iri = f"{head}://{'/'.join(parts)}"
    return iri.startswith(str(GRAPH)) and not iri.startswith(str(GRAPH["mapping/"]))


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (returned, for chaining)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


@cache
def part_graph(name: str) -> Graph:
    """One part as an rdflib graph, parsed once per process (shared: do not change it)."""
    graph = bind_prefixes(Graph())
    for path in PARTS[name].files():
        graph += rdfio.parse_file(path)
    return graph


def load_part(name: str) -> Graph:
    """A fresh copy of one part as an rdflib graph (parsed once per process)."""
    copy = bind_prefixes(Graph())
    copy += part_graph(name)
    return copy


def load_dataset(parts: Iterable[str] = tuple(PARTS)) -> Dataset:
    """The parts as named graphs of one dataset (with the inferred graph:
    :func:`bpfgraph.inference.load_dataset`)."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    for name in parts:
        g = ds.graph(graph_iri(name))
        g += part_graph(name)
    return ds


#: the graph holding the version (source digest) of the framework a store holds
META = GRAPH["meta"]
