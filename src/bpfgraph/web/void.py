"""What the store holds, for machines: the VoID description of bpfgraph's graphs with their
sizes, and the provenance of every graph (PROV-O): the repository's files, OWL RL, or a city's
upload."""

from __future__ import annotations

import hashlib

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS

from ..framework import INFERRED, META, PARTS, graph_iri
from ..store.base import QueryResult, SelectResult, Store
from ..summaries import mapping_graphs
from ..vocab import BPF, PROV_GENERATED, PROV_GRAPH
from ..vocab import GRAPH as GRAPH_NAMESPACE
from .catalog_terms import SD, VOID


def own_graphs(store: Store) -> dict[str, int]:
    """bpfgraph's graphs with their sizes (one query). All of an embedded store's; of a store
    others may write too (a remote one: Virtuoso keeps graphs of its own, and may serve other
    datasets), those under bpfgraph's graph namespace (the framework's, its metadata and
    provenance, the summaries), those written through bpfgraph (each has its time in the
    provenance graph) and those holding a city mapping."""
    sizes = {
        str(row["g"]): int(row["n"])
        for row in _rows(
            store.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                union_default_graph=False,
            )
        )
    }
    if store.embedded:
        return dict(sorted(sizes.items()))
    recorded = store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH <{PROV_GRAPH}> {{ ?g <{PROV_GENERATED}> ?t }} }}",
        union_default_graph=False,
    )
    own = {str(row["g"]) for row in _rows(recorded)} | set(mapping_graphs(store))
    return {
        g: n for g, n in sorted(sizes.items()) if g in own or g.startswith(str(GRAPH_NAMESPACE))
    }


def build_void(store: Store, base: str) -> Graph:
    """The VoID description: bpfgraph's graphs (:func:`own_graphs`) and their sizes."""
    g = Graph()
    g.bind("void", VOID)
    root = URIRef(base + "void#bpfgraph")
    g.add((root, RDF.type, VOID.Dataset))
    g.add((root, DCTERMS.title, Literal("bpfgraph", lang="en")))
    g.add((root, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    g.add((root, VOID.uriSpace, Literal("https://w3id.org/bpfgraph/")))
    g.add((root, VOID.vocabulary, URIRef(str(BPF))))
    sizes = own_graphs(store)
    g.add((root, VOID.triples, Literal(sum(sizes.values()), datatype=XSD.integer)))
    for graph, size in sizes.items():
        # the same IRI in every process and after a restart (Python's hash() is salted)
        digest = hashlib.blake2b(graph.encode("utf-8"), digest_size=8).digest()
        sub = URIRef(base + "void#graph-" + str(int.from_bytes(digest, "big") % 10**12))
        g.add((root, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDFS.label, Literal(graph)))
        g.add((sub, SD.name, URIRef(graph)))
        g.add((sub, VOID.triples, Literal(size, datatype=XSD.integer)))
    return g


def build_provenance(store: Store, base: str) -> Graph:
    """Where each graph came from: the repository's files, OWL RL, or a city's upload."""
    g = Graph()
    g.bind("prov", PROV)
    standard = URIRef("https://w3id.org/bpfgraph/id/document/iso-iec-30145-1-2021")
    project = URIRef(base + "catalog#publisher")
    for name in PARTS:
        entity = graph_iri(name)
        g.add((entity, RDF.type, PROV.Entity))
        g.add((entity, PROV.wasAttributedTo, project))
        if name == "framework":
            g.add((entity, PROV.wasDerivedFrom, standard))
    inferred = graph_iri(INFERRED)
    g.add((inferred, RDF.type, PROV.Entity))
    g.add((inferred, PROV.wasDerivedFrom, graph_iri("ontology")))
    g.add((inferred, PROV.wasDerivedFrom, graph_iri("framework")))
    g.add((inferred, PROV.wasGeneratedBy, URIRef(base + "catalog#owl-rl-reasoning")))
    g.add((URIRef(base + "catalog#owl-rl-reasoning"), RDF.type, PROV.Activity))
    g.add(
        (
            URIRef(base + "catalog#owl-rl-reasoning"),
            RDFS.label,
            Literal("OWL 2 RL reasoning (owlrl)", lang="en"),
        )
    )
    rows = store.query(
        f"SELECT ?g ?p ?o WHERE {{ GRAPH ?m {{ ?g ?p ?o }} VALUES ?m {{ <{META}> <{PROV_GRAPH}> }} }}",
        union_default_graph=False,
    )
    for row in _rows(rows):
        g.add((row["g"], row["p"], row["o"]))
    for mapping_graph in mapping_graphs(store):
        entity = URIRef(mapping_graph)
        g.add((entity, RDF.type, PROV.Entity))
        attributed = store.query(
            "SELECT ?who WHERE { GRAPH <" + mapping_graph + "> "
            "{ ?m a <https://w3id.org/bpfgraph/def#CityMapping> ; <http://www.w3.org/ns/prov#wasAttributedTo> ?who } }",
            union_default_graph=False,
        )
        for row in _rows(attributed):
            g.add((entity, PROV.wasAttributedTo, row["who"]))
    return g


def _rows(result: QueryResult) -> list:
    """The rows of a SELECT result (none for another form)."""
    return result.rows if isinstance(result, SelectResult) else []
