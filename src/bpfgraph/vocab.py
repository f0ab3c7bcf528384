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
from rdflib.namespace import ClosedNamespace

BASE = "https://w3id.org/bpfgraph/"
#: every term the ontology (ontology/bpf.ttl) defines; BPF refuses any other (tests check the
#: list against the ontology both ways)
BPF_TERMS: tuple[str, ...] = (
    # classes
    "ActionStep",
    "BasePractice",
    "BusinessProcess",
    "CityMapping",
    "CityOutcome",
    "Clause",
    "CoreProcess",
    "FrameworkComponent",
    "GovernanceProcess",
    "InputRole",
    "Outcome",
    "OutcomeAdoption",
    "OutputRole",
    "ProcessFramework",
    "ProcessMapping",
    "ProcessSummary",
    "ReferenceDocument",
    "ReferenceFramework",
    "Stakeholder",
    "SubProcess",
    "SupportingProcess",
    "VisionOutcome",
    "WorkProduct",
    "WorkProductRole",
    "WorkProductUsage",
    # properties
    "achievementRating",
    "actionStepCount",
    "adoptedCount",
    "adoptedOutcome",
    "adoptionStatus",
    "adoptsOutcome",
    "briefDescription",
    "city",
    "cityDefinition",
    "cityOutcomeCount",
    "clauseNumber",
    "coveredPracticeCount",
    "declinedCount",
    "declinedOutcome",
    "deliversPractice",
    "evidence",
    "extendedDescription",
    "furtherDetailedIn",
    "hasActionStep",
    "hasBasePractice",
    "hasComponent",
    "hasInput",
    "hasOutcome",
    "hasOutcomeAdoption",
    "hasOutput",
    "hasProcess",
    "hasProcessMapping",
    "hasReferenceDocument",
    "hasStakeholder",
    "hasSubProcess",
    "hasVisionOutcome",
    "hasWorkProductUsage",
    "improvement",
    "mapsProcess",
    "maxAchievement",
    "minAchievement",
    "notAddressedCount",
    "ordinal",
    "outcomeCount",
    "outcomeOf",
    "outcomesIntroduction",
    "plannedCount",
    "plannedOutcome",
    "practiceCount",
    "practiceOf",
    "processSummary",
    "purpose",
    "ratedCount",
    "ratedF",
    "ratedL",
    "ratedN",
    "ratedP",
    "referenceNote",
    "relatedProcess",
    "relationshipNote",
    "requiresProcess",
    "responsibleOrganization",
    "review",
    "statement",
    "stepNumber",
    "subProcessCount",
    "summarizedProcess",
    "summaryScore",
    "visionStatement",
    "workProduct",
    "workProductRole",
    "workProductsHeading",
)
BPF = ClosedNamespace(BASE + "def#", list(BPF_TERMS))
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
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")

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
