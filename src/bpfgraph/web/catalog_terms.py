"""What the catalog is written with: the controlled vocabularies portals score (the EU data
themes, access rights and file types, IANA media types), the catalog's own IRIs under its public
base, and the parts every dataset and distribution shares (publisher, contact point, rights,
typed values) — so that each dataset is complete by DCAT-AP 3.0 and the data.europa.eu
Metadata Quality Assessment.

>>> nodes = Nodes(Publishing("https://data.example.org/bpf/"))
>>> str(nodes.catalog), str(nodes.publisher)
('https://data.example.org/bpf/catalog', 'https://data.example.org/bpf/catalog#publisher')
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDFS, SKOS

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: the EU access-right every dataset here has: anyone may read it
PUBLIC = URIRef(EU + "access-right/PUBLIC")
#: the EU data themes of the datasets (code -> label)
THEMES = {"GOVE": "Government and public sector", "REGI": "Regions and cities"}
#: download extension -> (media type, EU file type)
DOWNLOAD_FORMATS = {
    "ttl": ("text/turtle", "RDF_TURTLE"),
    "jsonld": ("application/ld+json", "JSON_LD"),
    "nt": ("application/n-triples", "RDF_N_TRIPLES"),
    "rdf": ("application/rdf+xml", "RDF_XML"),
    "trig": ("application/trig", "RDF_TRIG"),
}
#: a city mapping is one graph: no TriG download of its own
MAPPING_FORMATS = ("ttl", "jsonld", "nt", "rdf")
FRAMEWORK_KEYWORDS = ("smart city", "business process", "ISO/IEC 30145-1", "linked data")
MAPPING_KEYWORDS = ("smart city", "business process", "process mapping", "ISO/IEC 30145-1")


@dataclass(frozen=True)
class Publishing:
    """Who publishes the catalog and where its resources live (the settings
    ``BPFGRAPH_CATALOG_BASE``, ``…_PUBLISHER_NAME``, ``…_PUBLISHER_IRI``,
    ``…_CONTACT_EMAIL``, ``…_CATALOG_PAGE_SIZE``; ``base`` is the request's base when no
    catalog base is set)."""

    base: str
    name: str = "bpfgraph"
    iri: str | None = None
    email: str | None = None
    page_size: int = 100


class Nodes:
    """The IRIs of the catalog's own resources, under its public base."""

    def __init__(self, publishing: Publishing) -> None:
        """The catalog published as ``publishing`` says."""
        base = publishing.base
        self.publishing = publishing
        self.base = base
        self.catalog = URIRef(base + "catalog")
        self.core = URIRef(base + "catalog#core-knowledge-set")
        self.meta = URIRef(base + "catalog#metadata-set")
        self.publisher = URIRef(publishing.iri or base + "catalog#publisher")
        self.contact = URIRef(base + "catalog#contact")
        self.service = URIRef(base + "sparql#service")
        self.endpoint = URIRef(base + "sparql")

    def dataset(self, name: str) -> URIRef:
        """A framework or metadata dataset."""
        return URIRef(self.base + f"catalog#dataset-{name}")

    def page(self, number: int) -> URIRef:
        """The address of a page of the catalog (the first is the catalog itself)."""
        return URIRef(self.base + ("catalog" if number == 1 else f"catalog?page={number}"))

    def after(self, key: str) -> URIRef:
        """The address of the page of mappings after the one whose key is ``key``."""
        return URIRef(self.base + f"catalog?after={key}")


def describe(g: Graph, nodes: Nodes, node: URIRef, kind: URIRef, title: str, text: str) -> None:
    """``node`` with its class, title, description and the service's publisher."""
    g.add((node, RDF.type, kind))
    g.add((node, DCTERMS.title, Literal(title, lang="en")))
    g.add((node, DCTERMS.description, Literal(text, lang="en")))
    g.add((node, DCTERMS.publisher, nodes.publisher))


def publisher(g: Graph, nodes: Nodes) -> None:
    """The service's publisher and contact point (a vCard: its name, e-mail when set, and the
    service's home page)."""
    agent(g, nodes.publisher, nodes.publishing.name)
    g.add((nodes.contact, RDF.type, VCARD.Kind))
    g.add((nodes.contact, RDF.type, VCARD.Organization))
    g.add((nodes.contact, VCARD.fn, Literal(nodes.publishing.name)))
    g.add((nodes.contact, VCARD.hasURL, URIRef(nodes.base)))
    if nodes.publishing.email:
        g.add((nodes.contact, VCARD.hasEmail, URIRef("mailto:" + nodes.publishing.email)))


def agent(g: Graph, node: URIRef, name: str) -> None:
    """An agent with its name (DCAT-AP: a foaf:Agent with foaf:name)."""
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, FOAF.name, Literal(name)))


def findable(
    g: Graph, ds: URIRef, keywords: tuple[str, ...], themes: tuple[str, ...] = tuple(THEMES)
) -> None:
    """Keywords, EU data themes and public access rights of a dataset."""
    for word in keywords:
        g.add((ds, DCAT.keyword, Literal(word, lang="en")))
    for code in themes:
        theme = URIRef(EU + f"data-theme/{code}")
        g.add((ds, DCAT.theme, theme))
        g.add((theme, RDF.type, SKOS.Concept))
        g.add((theme, SKOS.prefLabel, Literal(THEMES[code], lang="en")))
        g.add((theme, SKOS.inScheme, URIRef(EU + "data-theme")))
    g.add((URIRef(EU + "data-theme"), RDF.type, SKOS.ConceptScheme))
    g.add((URIRef(EU + "data-theme"), DCTERMS.title, Literal("Data theme", lang="en")))
    g.add((ds, DCTERMS.accessRights, PUBLIC))
    g.add((PUBLIC, RDF.type, DCTERMS.RightsStatement))


def rights(g: Graph, node: URIRef, statement: URIRef, text: str) -> None:
    """A rights statement (its node, and its words) of a dataset or distribution."""
    g.add((node, DCTERMS.rights, statement))
    g.add((statement, RDF.type, DCTERMS.RightsStatement))
    g.add((statement, RDFS.label, Literal(text, lang="en")))


def distribution(
    g: Graph,
    ds: URIRef,
    dist: URIRef,
    url: str,
    ext: str,
    title: str,
    licence: URIRef | None,
    size: int | None,
    download: bool = True,
) -> None:
    """One download of a dataset: its URL, media type, EU file type, licence and size (with
    ``download`` false, a page to get it at, not a file of fixed size: no download URL)."""
    media, eu = DOWNLOAD_FORMATS[ext]
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(f"{title} ({ext})", lang="en")))
    g.add((dist, DCAT.accessURL, URIRef(url)))
    if download:
        g.add((dist, DCAT.downloadURL, URIRef(url)))
        g.add((ds, VOID.dataDump, URIRef(url)))
    g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
    g.add((URIRef(IANA + media), RDF.type, DCTERMS.MediaType))
    g.add((dist, DCTERMS.format, URIRef(EU + f"file-type/{eu}")))
    g.add((URIRef(EU + f"file-type/{eu}"), RDF.type, DCTERMS.MediaTypeOrExtent))
    if licence is not None:
        g.add((dist, DCTERMS.license, licence))
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    if size is not None:
        g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))


def typed_values(g: Graph) -> None:
    """DCAT-AP checks the class of every value: say what each linked resource is."""
    for prop in (DCAT.accessURL, DCAT.downloadURL, DCAT.endpointURL, DCAT.endpointDescription):
        for url in set(g.objects(None, prop)):
            g.add((url, RDF.type, RDFS.Resource))
    for prop in (FOAF.homepage, DCAT.landingPage):
        for page in set(g.objects(None, prop)):
            g.add((page, RDF.type, FOAF.Document))
    for standard in set(g.objects(None, DCTERMS.conformsTo)):
        g.add((standard, RDF.type, DCTERMS.Standard))
    for place in set(g.objects(None, DCTERMS.spatial)):
        g.add((place, RDF.type, DCTERMS.Location))
    for licence in set(g.objects(None, DCTERMS.license)):
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
