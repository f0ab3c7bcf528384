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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

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


META = GRAPH["meta"]
_HAS_VERSION = "http://purl.org/dc/terms/hasVersion"


def source_digest() -> str:
    """SHA-256 over every source file of the parts (and the package version)."""
    from . import __version__

    digest = hashlib.sha256(__version__.encode())
    for name, part in PARTS.items():
        for path in part.files():
            digest.update(f"{name}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def stored_digest(store: Store) -> str | None:
    result = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{META}> "
        f"{{ <{graph_iri('framework')}> <{_HAS_VERSION}> ?v }} }}",
        union_default_graph=False,
    )
    rows = getattr(result, "rows", [])
    return str(rows[0]["v"]) if rows else None


def ensure_loaded(store: Store) -> bool:
    """Load the parts and their entailments unless the store already holds this version,
    and derive the mapping summaries that are missing (all of them after a reload).

    Returns whether anything was (re)loaded. The check is one small query, so opening a
    persistent store that is up to date parses nothing and reasons about nothing.
    """
    from . import summaries

    digest = source_digest()
    if stored_digest(store) == digest:
        summaries.ensure(store)  # only what is missing: cheap when up to date
        return False
    for name, part in PARTS.items():
        merged = Graph()
        for path in part.files():
            merged += rdfio.parse_file(path)
        store.put_graph(str(graph_iri(name)), merged)
    from .inference import entailments

    store.put_graph(str(graph_iri(INFERRED)), entailments())
    meta = Graph()
    meta.add((graph_iri("framework"), URIRef(_HAS_VERSION), Literal(digest)))
    store.put_graph(str(META), meta)
    summaries.ensure(store, everything=True)  # they read the framework: derive them anew
    return True


def framework_store(inferred: bool = True) -> Store:
    """A new in-memory store holding the parts (and the inferred graph)."""
    from .store.oxigraph import OxigraphStore

    store = OxigraphStore(None)
    load_into(store, inferred)
    return store
