"""The DCAT-AP 3.0 catalog portals harvest, in pages, and the metadata documents beside it.

The catalog follows the city knowledge model of ISO/IEC 30145-2: a **city core knowledge set**
(the framework, the ontology, its alignments, the shapes, and **one dataset per stored city
mapping**, with the mapping's own title, organisation, licence, dates and place —
:mod:`.catalog_mappings`) and a **city metadata set** (this catalog, the VoID description and
the provenance of every graph — :mod:`.void`). Its resources' IRIs live under the catalog's
public base (``BPFGRAPH_CATALOG_BASE``; the request's base when unset), never the host a
request happened to use.

Large catalogs come in pages of ``BPFGRAPH_CATALOG_PAGE_SIZE`` datasets (framework and
metadata datasets first, then the mappings by key), each page a Hydra ``PagedCollection`` with
``hydra:next``/``hydra:nextPage`` as ckanext-dcat and piveau follow them; each page has its ETag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL

from .. import rdfio
from ..framework import graph_iri
from ..loading import stored_digest
from ..store.base import SelectResult, Store
from ..vocab import PREFIXES
from . import downloads
from .cache import AnswerCache
from .cache import etag as etag_of
from .catalog_mappings import MappingEntry, add_dataset, extras, mapping_entries, mapping_sizes
from .catalog_pages import paging
from .catalog_pages import window as window_of
from .catalog_terms import (
    CC_BY,
    DOWNLOAD_FORMATS,
    FRAMEWORK_KEYWORDS,
    HYDRA,
    VCARD,
    VOID,
    Nodes,
    Publishing,
    describe,
    distribution,
    findable,
    publisher,
    rights,
    typed_values,
)
from .negotiation import RDF_FORMATS
from .void import build_provenance, build_void

#: the framework's datasets: name -> (title, description)
DATASETS = {
    "framework": (
        "ISO/IEC 30145-1 smart city business process framework",
        "The 21 governance, core and supporting processes of ISO/IEC 30145-1:2021 with their "
        "purpose, descriptions, outcomes, base practices, work products and relationships; the "
        "stakeholders, vision and outcomes of clause 0; the ISO/IEC 33020 rating scale.",
    ),
    "ontology": (
        "bpfgraph ontology",
        "The OWL 2 vocabulary (bpf:) of the framework and of city process mappings.",
    ),
    "alignments": (
        "bpfgraph alignments",
        "Alignments of the bpf vocabulary to SKOS, PROV-O, ORG, DCAT and ISO/IEC 5087.",
    ),
    "shapes": (
        "bpfgraph SHACL shapes",
        "SHACL shapes for the framework data and for cities' process mappings.",
    ),
}
#: the metadata set's datasets: name -> (path, title)
META_DATASETS = {
    "catalog": ("catalog", "DCAT catalog"),
    "void": ("void", "VoID description"),
    "provenance": ("provenance", "Provenance of the graphs"),
}
_STANDARD_RIGHTS = "Text reproduced from ISO/IEC 30145-1:2021 is © ISO/IEC 2021."
_PROJECT_RIGHTS = "The bpfgraph project's work, under CC BY 4.0."
#: (dataset name, extension) -> the download's size in bytes
Sizes = Callable[[str, str], int]


@dataclass(frozen=True)
class Moment:
    """The dates every framework and metadata dataset carries: the framework's first release
    and latest change (its files' headers), and the store's last write."""

    issued: Literal
    changed: Literal
    written: Literal


def metadata(
    cache: AnswerCache,
    store: Store,
    name: str,
    media: str,
    publishing: Publishing,
    written: dt.datetime,
    page: int | str = 1,
) -> tuple[bytes, str, str]:
    """The body, media type and ETag of ``/catalog`` (page ``page``), ``/void`` or
    ``/provenance`` (``name``), made once per store version (404: no such page)."""

    def make() -> tuple[bytes, str, str]:
        if name == "catalog":
            sizes = _framework_sizes(cache, store)

            def turtle_size(other: str, _ext: str) -> int:
                turtle = metadata(cache, store, other, "text/turtle", publishing, written)
                return len(turtle[0])

            graph = build_catalog(
                store, publishing, written, page, sizes, turtle_size, cached_sizes(cache, store)
            )
        elif name == "void":
            graph = build_void(store, publishing.base)
        else:
            graph = build_provenance(store, publishing.base)
        fmt = RDF_FORMATS[media][0]
        if fmt == "json-ld":
            body = rdfio.serialize(graph, "json-ld", context=dict(PREFIXES))
        else:
            body = rdfio.serialize(graph, "pretty-xml" if fmt == "xml" else fmt)
        return (body, media, etag_of(body))

    return cache.compute(("meta", name, media, publishing, page), make)


def build_catalog(
    store: Store,
    publishing: Publishing,
    written: dt.datetime,
    page: int | str = 1,
    sizes: Sizes | None = None,
    meta_sizes: Sizes | None = None,
    mapping_sizes_of: Callable[[str], dict[str, int]] | None = None,
) -> Graph:
    """One page of the DCAT catalog: ``page`` a number (the first also carries the framework's
    and the metadata datasets, VoID and PROV) or the key of the mapping the page comes after;
    ``sizes`` and ``meta_sizes`` give the framework's downloads' and the VoID and PROV
    documents' sizes."""
    entries = mapping_entries(store)
    size = max(1, publishing.page_size)
    nodes = Nodes(publishing)
    window = window_of([e.key for e in entries], size, page, nodes)
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for prefix, namespace in {"void": VOID, "foaf": FOAF, "hydra": HYDRA, "vcard": VCARD}.items():
        g.bind(prefix, namespace)
    publisher(g, nodes)
    _catalogs(g, nodes)
    paging(g, nodes, window, len(DATASETS) + len(META_DATASETS) + len(entries))
    moment = _moment(store, written)
    shown = entries[window.start : window.start + size]
    more = extras(store, shown)
    sized = mapping_sizes_of or (lambda graph: mapping_sizes(store, graph))
    for entry in shown:
        ds = add_dataset(g, nodes, entry, more, sized(entry.graph))
        _listed(g, nodes, nodes.core, ds)
    if window.first:
        for name in DATASETS:
            _framework_dataset(g, nodes, name, moment, sizes)
        for name in META_DATASETS:
            _metadata_dataset(g, nodes, name, moment, meta_sizes)
        g += build_void(store, publishing.base)
        g += build_provenance(store, publishing.base)
    typed_values(g)
    return g


_MAPPING_EXTS = ("ttl", "jsonld", "nt", "rdf")


def cached_sizes(cache: AnswerCache, store: Store) -> Callable[[str], dict[str, int]]:
    """Each mapping's download sizes, kept per store version (whatever the catalog's base)."""

    def sized(graph: str) -> dict[str, int]:
        return cache.compute(("mapping-sizes", graph), lambda: mapping_sizes(store, graph))

    return sized


def mapping_dataset(
    cache: AnswerCache, store: Store, publishing: Publishing, entry: MappingEntry
) -> Graph:
    """What the catalog says of one city mapping's dataset (its IRI dereferences to this),
    made once per store version."""

    def make() -> Graph:
        return _mapping_dataset(store, publishing, entry, cached_sizes(cache, store))

    return cache.compute(("mapping-dataset", entry.key, publishing), make)


def _mapping_dataset(
    store: Store,
    publishing: Publishing,
    entry: MappingEntry,
    sized: Callable[[str], dict[str, int]],
) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    nodes = Nodes(publishing)
    publisher(g, nodes)
    add_dataset(g, nodes, entry, extras(store, [entry]), sized(entry.graph))
    typed_values(g)
    return g


def _listed(g: Graph, nodes: Nodes, catalog: URIRef, ds: URIRef) -> None:
    """A dataset in its set (ISO/IEC 30145-2) and the catalog, served by the endpoint."""
    g.add((catalog, DCAT.dataset, ds))
    g.add((nodes.catalog, DCAT.dataset, ds))
    g.add((nodes.service, DCAT.servesDataset, ds))
    g.add((ds, VOID.sparqlEndpoint, nodes.endpoint))


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
        "framework, its ontology, alignments and shapes, and each city's process mapping.",
    ),
    (
        "meta",
        "City metadata set",
        "Metadata about the city core knowledge set (ISO/IEC 30145-2): this catalog, the VoID "
        "description and the provenance of every graph.",
    ),
)


def _catalogs(g: Graph, nodes: Nodes) -> None:
    """The catalog, its two sub-catalogs and the SPARQL endpoint as a data service."""
    for attribute, title, description in _CATALOGS:
        describe(g, nodes, getattr(nodes, attribute), DCAT.Catalog, title, description)
    cat = nodes.catalog
    g.add((cat, DCTERMS.license, CC_BY))
    g.add((cat, FOAF.homepage, URIRef(nodes.base)))
    g.add((cat, DCAT.contactPoint, nodes.contact))
    g.add((cat, DCAT.catalog, nodes.core))
    g.add((cat, DCAT.catalog, nodes.meta))
    service = nodes.service
    describe(
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
    g.add((service, DCAT.contactPoint, nodes.contact))
    g.add((service, DCTERMS.license, CC_BY))
    g.add((cat, DCAT.service, service))


def _moment(store: Store, written: dt.datetime) -> Moment:
    """The framework's release dates (its files' headers) and the store's last write."""
    result = store.query(
        "SELECT (MIN(STR(?c)) AS ?issued) (MAX(STR(?m)) AS ?changed) WHERE { "
        f"VALUES ?g {{ <{graph_iri('ontology')}> <{graph_iri('shapes')}> }} "
        f"GRAPH ?g {{ ?o a <{OWL.Ontology}> ; <{DCTERMS.created}> ?c ; "
        f"<{DCTERMS.modified}> ?m }} }}",
        union_default_graph=False,
    )
    rows = result.rows if isinstance(result, SelectResult) else []
    row = rows[0] if rows else {}
    moment = written.replace(microsecond=0).isoformat()
    now = Literal(moment, datatype=XSD.dateTime)

    def date(key: str) -> Literal:
        value = row.get(key)
        return Literal(str(value)[:10], datatype=XSD.date) if value else now

    return Moment(date("issued"), date("changed"), now)


def _common(g: Graph, nodes: Nodes, ds: URIRef, issued: Literal, modified: Literal) -> None:
    """What the framework's and the metadata datasets share: licence, dates, contact, page."""
    g.add((ds, DCTERMS.license, CC_BY))
    g.add((ds, DCTERMS.issued, issued))
    g.add((ds, DCTERMS.modified, modified))
    g.add((ds, DCAT.contactPoint, nodes.contact))
    g.add((ds, DCAT.landingPage, URIRef(nodes.base + "catalog")))
    findable(g, ds, FRAMEWORK_KEYWORDS)


def _framework_dataset(
    g: Graph, nodes: Nodes, name: str, moment: Moment, sizes: Sizes | None
) -> None:
    """A dataset of the core knowledge set: the framework or one of its parts."""
    title, description = DATASETS[name]
    ds = nodes.dataset(name)
    describe(g, nodes, ds, DCAT.Dataset, title, description)
    _listed(g, nodes, nodes.core, ds)
    _common(g, nodes, ds, moment.issued, moment.changed)
    text = _STANDARD_RIGHTS if name == "framework" else _PROJECT_RIGHTS
    statement = URIRef(str(ds) + "-rights")
    rights(g, ds, statement, text)
    if name == "framework":
        g.add((ds, VOID.uriSpace, Literal("https://w3id.org/bpfgraph/id/")))
    for ext in DOWNLOAD_FORMATS:
        dist = URIRef(nodes.base + f"catalog#distribution-{name}-{ext}")
        url = nodes.base + f"download/{name}.{ext}"
        distribution(g, ds, dist, url, ext, title, CC_BY, sizes(name, ext) if sizes else None)
        g.add((dist, DCTERMS.rights, statement))
        g.add((dist, DCTERMS.issued, moment.issued))
        g.add((dist, DCTERMS.modified, moment.changed))


def _metadata_dataset(
    g: Graph, nodes: Nodes, name: str, moment: Moment, sizes: Sizes | None
) -> None:
    """A dataset of the metadata set: this catalog, the VoID description, the provenance
    (Turtle by default at its address; the catalog, in pages that name their own size no
    better than a page can, has an access URL only)."""
    path, title = META_DATASETS[name]
    ds = nodes.dataset(name)
    describe(g, nodes, ds, DCAT.Dataset, title, f"The {title} of this service, in RDF (Turtle).")
    _listed(g, nodes, nodes.meta, ds)
    _common(g, nodes, ds, moment.issued, moment.written)
    statement = URIRef(str(ds) + "-rights")
    rights(g, ds, statement, _PROJECT_RIGHTS)
    dist = URIRef(nodes.base + f"catalog#distribution-{name}")
    whole = name != "catalog"
    size = sizes(name, "ttl") if sizes and whole else None
    distribution(g, ds, dist, nodes.base + path, "ttl", title, CC_BY, size, download=whole)
    g.add((dist, DCTERMS.rights, statement))
    g.add((dist, DCTERMS.modified, moment.written))


_SIZES: dict[tuple[str, str, str], int] = {}


def _framework_sizes(cache: AnswerCache, store: Store) -> Sizes:
    """The size of each framework download, kept for as long as the framework's version
    (writes of city mappings do not change them)."""
    version = stored_digest(store) or ""

    def size(name: str, ext: str) -> int:
        key = (version, name, ext)
        if key not in _SIZES:
            media = DOWNLOAD_FORMATS[ext][0]
            _SIZES[key] = len(downloads.download(cache, store, name, media)[0])
        return _SIZES[key]

    return size


def page_datasets(entries: list[MappingEntry], formats: list[str]) -> list[dict]:
    """What the catalog's HTML page lists: each framework dataset with a link per download
    format, then each city mapping with its downloads."""
    listed = [
        {
            "title": title,
            "description": description,
            "links": [(ext, f"/download/{name}.{ext}") for ext in formats],
        }
        for name, (title, description) in DATASETS.items()
    ]
    for e in entries:
        label = e.first("labels")
        listed.append(
            {
                "title": str(label) if label is not None else e.mapping,
                "description": f"Process mapping of the city <{e.city}>",
                "links": [(ext, f"/download/mapping/{e.key}.{ext}") for ext in _MAPPING_EXTS],
            }
        )
    return listed
