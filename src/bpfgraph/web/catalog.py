"""Metadata about what the service holds: a DCAT-AP 3.0 catalog, VoID and PROV.

The catalog follows the city knowledge model of ISO/IEC 30145-2: a **city core knowledge set**
(the framework, the ontology, its alignments, the shapes and the city mappings) and a **city
metadata set** (this catalog, the VoID description and the provenance of every graph).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDFS

from .. import rdfio
from ..framework import INFERRED, META, PARTS, graph_iri
from ..store.base import QueryResult, SelectResult, Store
from ..summaries import mapping_graphs
from ..vocab import BPF, PREFIXES, PROV_GENERATED, PROV_GRAPH
from ..vocab import GRAPH as GRAPH_NAMESPACE
from .cache import AnswerCache
from .cache import etag as etag_of
from .negotiation import RDF_FORMATS

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
DOWNLOAD_FORMATS = {
    "ttl": ("text/turtle", "RDF_TURTLE"),
    "jsonld": ("application/ld+json", "JSON_LD"),
    "nt": ("application/n-triples", "RDF_N_TRIPLES"),
    "rdf": ("application/rdf+xml", "RDF_XML"),
    "trig": ("application/trig", "RDF_TRIG"),
}
DATASETS = {
    "framework": (
        "ISO/IEC 30145-1 smart city business process framework",
        "The 21 governance, core and supporting processes of ISO/IEC 30145-1:2021 with their "
        "purpose, descriptions, outcomes, base practices, work products and relationships; the "
        "stakeholders, vision and outcomes of clause 0; the ISO/IEC 33020 rating scale.",
        "core",
    ),
    "ontology": (
        "bpfgraph ontology",
        "The OWL 2 vocabulary (bpf:) of the framework and of city process mappings.",
        "core",
    ),
    "alignments": (
        "bpfgraph alignments",
        "Alignments of the bpf vocabulary to SKOS, PROV-O, ORG, DCAT and ISO/IEC 5087.",
        "core",
    ),
    "shapes": (
        "bpfgraph SHACL shapes",
        "SHACL shapes for the framework data and for cities' process mappings.",
        "core",
    ),
    "mappings": (
        "City process mappings",
        "Cities' mappings of their own processes onto the framework (clause 8), each validated "
        "against the SHACL shapes before it was accepted.",
        "core",
    ),
}


def metadata(
    cache: AnswerCache, store: Store, name: str, media: str, base: str
) -> tuple[bytes, str, str]:
    """The body, media type and ETag of ``/catalog``, ``/void`` or ``/provenance`` (``name``)
    for the service at ``base``, made once per store version."""
    build = BUILDERS[name]

    def make() -> tuple[bytes, str, str]:
        graph = build(store, base)
        fmt = RDF_FORMATS[media][0]
        if fmt == "json-ld":
            body = rdfio.serialize(graph, "json-ld", context=dict(PREFIXES))
        else:
            body = rdfio.serialize(graph, "pretty-xml" if fmt == "xml" else fmt)
        return (body, media, etag_of(body))

    return cache.compute(("meta", name, media, base), make)


def page_datasets(formats: list[str]) -> list[dict]:
    """What the catalog's HTML page lists: each dataset with a link per download format."""
    return [
        {
            "name": name,
            "title": title,
            "description": description,
            "links": [(ext, f"/download/{name}.{ext}") for ext in formats],
        }
        for name, (title, description, _s) in DATASETS.items()
    ]


def build_catalog(store: Store, base: str) -> Graph:
    """The DCAT catalog, VoID and PROV of the service at ``base`` (ending with ``/``)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("void", VOID)
    g.bind("foaf", FOAF)
    nodes = _Nodes(base)
    g.add((nodes.publisher, RDF.type, FOAF.Agent))
    g.add((nodes.publisher, FOAF.name, Literal("bpfgraph", lang="en")))
    g.add((CC_BY, RDF.type, DCTERMS.LicenseDocument))
    _catalogs(g, nodes)
    _data_service(g, nodes)
    _core_datasets(g, nodes, store)
    _metadata_datasets(g, nodes)
    g += build_void(store, base)
    g += build_provenance(store, base)
    _typed_values(g)
    return g


class _Nodes:
    """The IRIs of the catalog's own resources, under the service's base."""

    def __init__(self, base: str) -> None:
        """The catalog of the service at ``base``."""
        self.base = base
        self.catalog = URIRef(base + "catalog")
        self.core = URIRef(base + "catalog#core-knowledge-set")
        self.meta = URIRef(base + "catalog#metadata-set")
        self.publisher = URIRef(base + "catalog#publisher")
        self.service = URIRef(base + "sparql#service")
        self.endpoint = URIRef(base + "sparql")


def _describe(
    g: Graph, nodes: _Nodes, node: URIRef, kind: URIRef, title: str, description: str
) -> None:
    """``node`` with its class, title, description and publisher."""
    g.add((node, RDF.type, kind))
    g.add((node, DCTERMS.title, Literal(title, lang="en")))
    g.add((node, DCTERMS.description, Literal(description, lang="en")))
    g.add((node, DCTERMS.publisher, nodes.publisher))


#: the catalog and its two sub-catalogs, the sets of ISO/IEC 30145-2: (node, title, description)
_CATALOGS = (
    (
        "catalog",
        "bpfgraph catalog",
        "Linked data of ISO/IEC 30145-1 and the cities' process mappings, organised as the city "
        "knowledge model of ISO/IEC 30145-2: a city core knowledge set and a city metadata set.",
    ),
    (
        "core",
        "City core knowledge set",
        "The pool of city knowledge that can be re-used and exchanged (ISO/IEC 30145-2): the "
        "framework, its ontology, alignments and shapes, and the city mappings.",
    ),
    (
        "meta",
        "City metadata set",
        "Metadata about the city core knowledge set (ISO/IEC 30145-2): this catalog, the VoID "
        "description and the provenance of every graph.",
    ),
)


def _catalogs(g: Graph, nodes: _Nodes) -> None:
    """The catalog and its two sub-catalogs, the sets of ISO/IEC 30145-2."""
    for attribute, title, description in _CATALOGS:
        _describe(g, nodes, getattr(nodes, attribute), DCAT.Catalog, title, description)
    cat = nodes.catalog
    g.add((cat, DCTERMS.license, CC_BY))
    g.add((cat, FOAF.homepage, URIRef(nodes.base)))
    g.add((cat, DCAT.catalog, nodes.core))
    g.add((cat, DCAT.catalog, nodes.meta))


def _data_service(g: Graph, nodes: _Nodes) -> None:
    """The SPARQL endpoint as a DCAT data service."""
    service = nodes.service
    _describe(
        g,
        nodes,
        service,
        DCAT.DataService,
        "bpfgraph SPARQL endpoint",
        "SPARQL 1.1 query (and, with a token, update) endpoint over every graph.",
    )
    g.add((service, DCAT.endpointURL, nodes.endpoint))
    g.add((service, DCAT.endpointDescription, nodes.endpoint))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((nodes.catalog, DCAT.service, service))


def _core_datasets(g: Graph, nodes: _Nodes, store: Store) -> None:
    """The datasets of the core knowledge set, with their sizes and distributions."""
    sizes = own_graphs(store)
    counts = {name: sizes.get(str(graph_iri(name)), 0) for name in PARTS}
    counts["mappings"] = sum(sizes.get(m, 0) for m in mapping_graphs(store))
    for name, (title, description, _set) in DATASETS.items():
        ds = URIRef(nodes.base + f"catalog#dataset-{name}")
        _describe(g, nodes, ds, DCAT.Dataset, title, description)
        g.add((nodes.core, DCAT.dataset, ds))
        g.add((nodes.service, DCAT.servesDataset, ds))
        g.add((ds, DCTERMS.license, CC_BY))
        g.add((ds, VOID.triples, Literal(counts[name], datatype=XSD.integer)))
        g.add((ds, VOID.sparqlEndpoint, nodes.endpoint))
        if name == "framework":
            g.add(
                (
                    ds,
                    DCTERMS.rights,
                    Literal(
                        "Text reproduced from ISO/IEC 30145-1:2021 is © ISO/IEC 2021.", lang="en"
                    ),
                )
            )
            g.add((ds, VOID.uriSpace, Literal("https://w3id.org/bpfgraph/id/")))
        _distributions(g, nodes, ds, name, title)


def _distributions(g: Graph, nodes: _Nodes, ds: URIRef, name: str, title: str) -> None:
    """One distribution of a dataset per download format."""
    for ext, (media, eu) in DOWNLOAD_FORMATS.items():
        dist = URIRef(nodes.base + f"catalog#distribution-{name}-{ext}")
        url = URIRef(nodes.base + f"download/{name}.{ext}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"{title} ({ext})", lang="en")))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((URIRef(IANA + media), RDF.type, DCTERMS.MediaType))
        g.add((dist, DCTERMS.format, URIRef(EU_FILE_TYPE + eu)))
        g.add((URIRef(EU_FILE_TYPE + eu), RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((dist, DCTERMS.license, CC_BY))
        g.add((ds, VOID.dataDump, url))


def _metadata_datasets(g: Graph, nodes: _Nodes) -> None:
    """The datasets of the metadata set: this catalog, the VoID description, the provenance."""
    for name, path, title in (
        ("catalog", "catalog", "DCAT catalog"),
        ("void", "void", "VoID description"),
        ("provenance", "provenance", "Provenance of the graphs"),
    ):
        ds = URIRef(nodes.base + f"catalog#dataset-{name}")
        _describe(
            g,
            nodes,
            ds,
            DCAT.Dataset,
            title,
            f"The {title} of this service, in RDF (Turtle by default).",
        )
        g.add((nodes.meta, DCAT.dataset, ds))
        dist = URIRef(nodes.base + f"catalog#distribution-{name}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.accessURL, URIRef(nodes.base + path)))
        g.add((dist, DCAT.mediaType, URIRef(IANA + "text/turtle")))


def _typed_values(g: Graph) -> None:
    """DCAT-AP checks the class of every value: say what each linked resource is."""
    for prop in (DCAT.accessURL, DCAT.downloadURL, DCAT.endpointURL, DCAT.endpointDescription):
        for url in set(g.objects(None, prop)):
            g.add((url, RDF.type, RDFS.Resource))
    for page in set(g.objects(None, FOAF.homepage)):
        g.add((page, RDF.type, FOAF.Document))
    for standard in set(g.objects(None, DCTERMS.conformsTo)):
        g.add((standard, RDF.type, DCTERMS.Standard))


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


#: what each metadata resource is built by
BUILDERS: dict[str, Callable[[Store, str], Graph]] = {
    "catalog": build_catalog,
    "void": build_void,
    "provenance": build_provenance,
}
