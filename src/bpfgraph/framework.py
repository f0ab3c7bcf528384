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
from .store.base import Store
from .vocab import GRAPH, PREFIXES


@dataclass(frozen=True)
class Part:
    name: str
    description: str

    def files(self) -> list[Path]:
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


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


@cache
def _load_part(name: str) -> Graph:
    graph = bind_prefixes(Graph())
    for path in PARTS[name].files():
        graph += rdfio.parse_file(path)
    return graph


def load_part(name: str) -> Graph:
    """A fresh copy of one part as an rdflib graph (parsed once per process)."""
    copy = bind_prefixes(Graph())
    copy += _load_part(name)
    return copy


def load_dataset(parts: Iterable[str] = tuple(PARTS), inferred: bool = False) -> Dataset:
    """The parts as named graphs of one dataset, optionally with the inferred graph."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    for name in parts:
        g = ds.graph(graph_iri(name))
        g += _load_part(name)
    if inferred:
        from .inference import entailments

        g = ds.graph(graph_iri(INFERRED))
        g += entailments()
    return ds


def load_into(store: Store, inferred: bool = True) -> None:
    """Load every part into its named graph of ``store`` with the engine's own parser,
    then the inferred graph (computed once per process)."""
    for name, part in PARTS.items():
        for path in part.files():
            store.load_file(path, str(graph_iri(name)))
    if inferred:
        from .inference import entailments

        store.put_graph(str(graph_iri(INFERRED)), entailments())


def framework_store(inferred: bool = True) -> Store:
    """A new in-memory store holding the parts (and the inferred graph)."""
    from .store.oxigraph import OxigraphStore

    store = OxigraphStore(None)
    load_into(store, inferred)
    return store
