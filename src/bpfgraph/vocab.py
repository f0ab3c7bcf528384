"""Namespaces and IRI builders shared by every module.

>>> str(process("G1"))
'https://w3id.org/bpfgraph/id/process/G1'
>>> str(outcome("C2", 6))
'https://w3id.org/bpfgraph/id/process/C2/outcome/6'
>>> str(rating("F"))
'https://w3id.org/bpfgraph/id/rating/F'
>>> slug("Data sharing polices covering all city systems")
'data-sharing-polices-covering-all-city-systems'
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/bpfgraph/"
BPF = Namespace(BASE + "def#")
ONTOLOGY_IRI = URIRef(BASE + "def")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
#: when each user graph was last written (``prov:generatedAtTime``), kept by the service
PROV_GRAPH = BASE + "graph/provenance"
PROV_GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"

VANN = Namespace("http://purl.org/vocab/vann/")
CDM1 = Namespace("https://w3id.org/citydata/part1/v1/")
CDM2 = Namespace("https://w3id.org/citydata/part2/v1/")
DQV = Namespace("http://www.w3.org/ns/dqv#")

FRAMEWORK = ID["framework"]
RATING_SCHEME = ID["rating"]

PREFIXES: dict[str, str] = {
    "bpf": str(BPF),
    "bpfid": str(ID),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": str(VANN),
    "cdm1": str(CDM1),
    "cdm2": str(CDM2),
}

PROCESS_IDS: tuple[str, ...] = (
    *(f"G{i}" for i in range(1, 6)),
    *(f"C{i}" for i in range(1, 11)),
    *(f"S{i}" for i in range(1, 7)),
)


def process(notation: str) -> URIRef:
    """IRI of a framework process, e.g. ``process("G1")``."""
    return ID[f"process/{notation}"]


def outcome(notation: str, number: int) -> URIRef:
    """IRI of the ``number``-th outcome of a process, in the standard's order."""
    return ID[f"process/{notation}/outcome/{number}"]


def practice(notation: str, number: int) -> URIRef:
    """IRI of the ``number``-th base practice of a process."""
    return ID[f"process/{notation}/practice/{number}"]


def work_product(name: str) -> URIRef:
    """IRI of a work product, from its name as the standard writes it."""
    return ID[f"work-product/{slug(name)}"]


def rating(code: str) -> URIRef:
    """IRI of an ISO/IEC 33020 rating concept: N, P, L or F."""
    return ID[f"rating/{code}"]


def clause(number: str) -> URIRef:
    """IRI of a clause of ISO/IEC 30145-1:2021."""
    return ID[f"clause/{number}"]


def slug(text: str) -> str:
    """Lower-case ASCII slug: letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
