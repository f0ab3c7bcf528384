"""Each stored city mapping as a DCAT dataset of its own: what the store says of the mappings
(read in a few queries for all of them), the dataset each becomes — its title, publisher,
licence, dates, place and period from the mapping itself — and its downloads, one per syntax,
serialised by Oxigraph (so that a page of the catalog can give every download's byte size).

A mapping's key is derived from the mapping's IRI alone, so its dataset keeps its identity
whatever host the catalog is asked through:

>>> mapping_key("https://example.org/city/aldermoor/bpf-mapping/mapping")
'66f83a0f0c9cf975'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDFS, SKOS
from rdflib.term import Node

from ..store.base import GraphResult, QueryResult, SelectResult, Store
from ..vocab import BPF, PREFIXES, PROV_GENERATED, PROV_GRAPH
from .catalog_terms import (
    MAPPING_FORMATS,
    MAPPING_KEYWORDS,
    VCARD,
    Nodes,
    agent,
    distribution,
    findable,
    rights,
)

_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
}
_PROPERTIES = {
    str(RDFS.label): "labels",
    str(RDFS.comment): "comments",
    str(DCTERMS.license): "licences",
    str(DCTERMS.created): "created",
    str(DCTERMS.modified): "modified",
    str(PROV.wasAttributedTo): "organisations",
    str(DCTERMS.spatial): "places",
}


@dataclass
class MappingEntry:
    """A stored city mapping, as the catalog lists it."""

    graph: str
    mapping: str
    city: str
    written: Literal | None = None
    values: dict[str, list[Node]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # organisation -> its name

    @property
    def key(self) -> str:
        """The mapping's key (:func:`mapping_key`)."""
        return mapping_key(self.mapping)

    def first(self, what: str) -> Node | None:
        """The first value of a property (by its name in :data:`_PROPERTIES`)."""
        found = self.values.get(what, [])
        return found[0] if found else None


def mapping_key(mapping: str) -> str:
    """16 hexadecimal digits naming a mapping in the catalog's IRIs and download URLs."""
    return hashlib.blake2b(mapping.encode("utf-8"), digest_size=8).hexdigest()


def mapping_entries(store: Store) -> list[MappingEntry]:
    """Every stored city mapping (with an IRI), in the order of their keys."""
    values = " ".join(f"<{p}>" for p in _PROPERTIES)
    rows = _rows(
        store.query(
            "SELECT ?g ?m ?city ?p ?o WHERE { GRAPH ?g { ?m a <"
            + str(BPF.CityMapping)
            + "> ; <"
            + str(BPF.city)
            + "> ?city . FILTER (isIRI(?m)) "
            "OPTIONAL { ?m ?p ?o VALUES ?p { " + values + " } } } }",
            union_default_graph=False,
        )
    )
    entries: dict[str, MappingEntry] = {}
    for row in rows:
        entry = entries.setdefault(
            str(row["g"]), MappingEntry(str(row["g"]), str(row["m"]), str(row["city"]))
        )
        if "p" in row:
            found = entry.values.setdefault(_PROPERTIES[str(row["p"])], [])
            if row["o"] not in found:
                found.append(row["o"])
    _add_names(store, entries)
    _add_written(store, entries)
    return sorted(entries.values(), key=lambda e: (e.key, e.graph))


def _add_names(store: Store, entries: dict[str, MappingEntry]) -> None:
    """The name of each mapping's organisation (its label, or its SKOS or FOAF name)."""
    rows = _rows(
        store.query(
            "SELECT ?g ?org ?name WHERE { GRAPH ?g { ?m a <"
            + str(BPF.CityMapping)
            + "> ; <"
            + str(PROV.wasAttributedTo)
            + "> ?org . ?org ?naming ?name "
            f"VALUES ?naming {{ <{RDFS.label}> <{SKOS.prefLabel}> <{FOAF.name}> }} }} }}",
            union_default_graph=False,
        )
    )
    for row in sorted(rows, key=lambda r: str(r["name"])):
        entry = entries.get(str(row["g"]))
        if entry is not None:
            entry.names.setdefault(str(row["org"]), str(row["name"]))


def _add_written(store: Store, entries: dict[str, MappingEntry]) -> None:
    """When each mapping's graph was last written (the provenance graph)."""
    rows = _rows(
        store.query(
            f"SELECT ?g ?t WHERE {{ GRAPH <{PROV_GRAPH}> {{ ?g <{PROV_GENERATED}> ?t }} }}",
            union_default_graph=False,
        )
    )
    for row in rows:
        entry = entries.get(str(row["g"]))
        if entry is not None and isinstance(row["t"], Literal):
            entry.written = row["t"]


def extras(store: Store, entries: list[MappingEntry]) -> Graph:
    """The period (``dcterms:temporal``) and contact point (``dcat:contactPoint``) the
    mappings give, with what describes them, for the mappings of one page."""
    if not entries:
        return Graph()
    graphs = " ".join(f"<{e.graph}>" for e in entries)
    result = store.query(
        "CONSTRUCT { ?m ?link ?x . ?x ?p ?o } WHERE { VALUES ?g { " + graphs + " } "
        "GRAPH ?g { ?m a <" + str(BPF.CityMapping) + "> ; ?link ?x "
        f"VALUES ?link {{ <{DCTERMS.temporal}> <{DCAT.contactPoint}> }} "
        "OPTIONAL { ?x ?p ?o } } }",
        union_default_graph=False,
    )
    return result.graph if isinstance(result, GraphResult) else Graph()


def add_dataset(
    g: Graph, nodes: Nodes, entry: MappingEntry, more: Graph, sizes: dict[str, int]
) -> URIRef:
    """The dataset of one mapping, its distributions (``sizes``: extension -> bytes) and what
    it links to; returns its IRI."""
    ds = URIRef(nodes.base + f"catalog/mapping/{entry.key}")
    mapping = URIRef(entry.mapping)
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(entry.mapping)))
    labels = entry.values.get("labels") or [Literal(f"Process mapping of {entry.city}", lang="en")]
    for label in labels:
        g.add((ds, DCTERMS.title, label))
    for text in entry.values.get("comments") or [_described(entry, labels[0])]:
        g.add((ds, DCTERMS.description, text))
    g.add((ds, DCTERMS.publisher, _publisher(g, nodes, entry)))
    licence = entry.first("licences")
    licence = licence if isinstance(licence, URIRef) else None
    if licence is not None:
        g.add((ds, DCTERMS.license, licence))
    issued = entry.first("created") or entry.written
    modified = entry.first("modified") or entry.written
    for prop, value in ((DCTERMS.issued, issued), (DCTERMS.modified, modified)):
        if isinstance(value, Literal):
            g.add((ds, prop, _dated(value)))
    for place in [URIRef(entry.city), *entry.values.get("places", [])]:
        if isinstance(place, URIRef) and not str(place).startswith(nodes.base):
            g.add((ds, DCTERMS.spatial, place))
    _linked(g, ds, mapping, more, nodes)
    findable(g, ds, MAPPING_KEYWORDS)
    page = URIRef(nodes.base + "city?mapping=" + quote(entry.mapping, safe=""))
    g.add((ds, DCAT.landingPage, page))
    g.add((ds, FOAF.page, page))
    holder = next(iter(entry.names.values()), None)
    rights(
        g,
        ds,
        URIRef(str(ds) + "#rights"),
        f"© {holder or 'the city'}; published under the licence the mapping states.",
    )
    for ext in MAPPING_FORMATS:
        url = nodes.base + f"download/mapping/{entry.key}.{ext}"
        dist = URIRef(str(ds) + f"#distribution-{ext}")
        distribution(g, ds, dist, url, ext, str(labels[0]), licence, sizes.get(ext))
        g.add((dist, DCTERMS.rights, URIRef(str(ds) + "#rights")))
        for prop, value in ((DCTERMS.issued, issued), (DCTERMS.modified, modified)):
            if isinstance(value, Literal):
                g.add((dist, prop, _dated(value)))
    return ds


def _described(entry: MappingEntry, label: Node) -> Literal:
    return Literal(
        f"{label}: the city's own processes mapped onto the smart city business process "
        f"framework of ISO/IEC 30145-1 (clause 8), for the city <{entry.city}>; validated "
        "against bpfgraph's SHACL shapes when it was stored.",
        lang="en",
    )


def _publisher(g: Graph, nodes: Nodes, entry: MappingEntry) -> URIRef:
    """The mapping's organisation as an agent with its name (the service's publisher when
    the mapping names none, or none with a name)."""
    for org in entry.values.get("organisations", []):
        name = entry.names.get(str(org))
        if isinstance(org, URIRef) and name:
            agent(g, org, name)
            return org
    return nodes.publisher


#: what of a mapping's contact point and period the catalog carries over (nothing else: the
#: mapping must not speak for the catalog, another dataset or itself through them)
_CARRIED = {
    DCAT.contactPoint: (
        VCARD.Kind,
        {VCARD.fn, VCARD.hasEmail, VCARD.hasURL, VCARD.hasTelephone, VCARD["organization-name"]},
    ),
    DCTERMS.temporal: (DCTERMS.PeriodOfTime, {DCAT.startDate, DCAT.endDate}),
}


def _linked(g: Graph, ds: URIRef, mapping: URIRef, more: Graph, nodes: Nodes) -> None:
    """The mapping's period and contact point, with their dates and the vCard's name, e-mail,
    address and telephone only; the service's contact point when the mapping gives none. A
    node under the catalog's base, the mapping itself, or one with nothing to carry over is
    left out (a mapping could otherwise write into the catalog through them)."""
    contacts = 0
    for link, (kind, carried) in _CARRIED.items():
        for node in more.objects(mapping, link):
            if node == mapping or not isinstance(node, URIRef | BNode):
                continue
            if isinstance(node, URIRef) and str(node).startswith(nodes.base):
                continue
            values = [(p, o) for p, o in more.predicate_objects(node) if p in carried]
            values = [(p, o) for p, o in values if not str(o).startswith(nodes.base)]
            if not values:
                continue
            contacts += link == DCAT.contactPoint
            g.add((ds, link, node))
            g.add((node, RDF.type, kind))
            for p, o in values:
                g.add((node, p, o))
    if not contacts:
        g.add((ds, DCAT.contactPoint, nodes.contact))


def _dated(value: Literal) -> Literal:
    """A date or date-time as DCAT-AP takes it (other literals as an xsd:date of their
    text's first ten characters, the form the mapping shapes allow)."""
    if value.datatype in (XSD.date, XSD.dateTime):
        return value
    return Literal(str(value)[:10], datatype=XSD.date)


def mapping_download(store: Store, graph: str, ext: str) -> bytes:
    """A mapping's graph in one syntax (``ttl``, ``jsonld``, ``nt``, ``rdf``), written by
    Oxigraph with the service's prefixes, triples in a fixed order."""
    return _written(_triples(store, graph), ext)


def mapping_sizes(store: Store, graph: str) -> dict[str, int]:
    """The size of each of a mapping's downloads (its triples read once)."""
    triples = _triples(store, graph)
    return {ext: len(_written(triples, ext)) for ext in _OX_FORMATS}


def _triples(store: Store, graph: str) -> list[ox.Triple]:
    """A graph's triples, in a fixed order."""
    native = store.native
    if native is not None:
        quads = native.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        triples = [q.triple for q in quads]
    else:
        data = store.get_graph(graph).serialize(format="nt", encoding="utf-8")
        triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    triples.sort(key=str)
    return triples


def _written(triples: list[ox.Triple], ext: str) -> bytes:
    fmt = _OX_FORMATS[ext]
    prefixes = None if fmt == ox.RdfFormat.N_TRIPLES else dict(PREFIXES)
    body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert body is not None  # given no output, pyoxigraph returns the bytes
    return body


def _rows(result: QueryResult) -> list:
    return result.rows if isinstance(result, SelectResult) else []
