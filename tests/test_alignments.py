"""Alignments cite only terms that exist, and stay out of the core ontology."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib import namespace as rns

from bpfgraph.framework import load_part
from bpfgraph.vocab import BPF, CDM1, CDM2

from .conftest import ROOT

CLOSED = {str(ns): ns for ns in (rns.PROV, rns.ORG, rns.DCAT, rns.SKOS, rns.DCTERMS)}
PROV, SKOS = rns.PROV, rns.SKOS


@pytest.fixture(scope="module")
def alignments() -> Graph:
    return load_part("alignments")


@pytest.fixture(scope="module")
def cdm() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "reference").glob("cdm-p*-v1/*.ttl")):
        g.parse(path)
    return g


def cited(alignments: Graph, prefix: str) -> set[URIRef]:
    return {
        t
        for triple in alignments
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(prefix)
    }


def test_every_cdm_term_cited_exists(alignments, cdm):
    terms = cited(alignments, str(CDM1)) | cited(alignments, str(CDM2))
    assert len(terms) >= 8
    declared = {
        s
        for s in cdm.subjects(RDF.type, None)
        if (s, RDF.type, OWL.Class) in cdm or (s, RDF.type, OWL.ObjectProperty) in cdm
    }
    missing = sorted(str(t) for t in terms - declared)
    assert missing == []


def test_a_misspelt_cdm_term_would_be_caught(cdm):
    assert (CDM2.Outcomes, RDF.type, OWL.Class) not in cdm
    assert (CDM2.Outcome, RDF.type, OWL.Class) in cdm


@pytest.mark.parametrize("namespace", sorted(CLOSED))
def test_standard_vocabulary_terms_exist(alignments, namespace):
    ns = CLOSED[namespace]
    for term in cited(alignments, namespace):
        local = str(term)[len(namespace) :]
        assert local in dir(ns) or hasattr(ns, local), f"{term} is not a term of {namespace}"


def test_every_alignment_is_about_a_bpf_term(alignments, ontology):
    bpf_terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(BPF))}
    for s, p, _o in alignments:
        if p in (RDF.type, OWL.versionIRI) or str(s).startswith(
            "https://w3id.org/bpfgraph/def/alignments"
        ):
            continue
        assert s in bpf_terms, f"alignment subject {s} is not a bpf term"


def test_processes_are_plans_not_occurrences(alignments):
    assert (BPF.BusinessProcess, RDFS.subClassOf, PROV.Plan) in alignments
    assert (BPF.BusinessProcess, RDFS.subClassOf, PROV.Activity) not in alignments
    assert (BPF.BusinessProcess, SKOS.closeMatch, CDM1.Activity) in alignments


def test_close_matches_where_meaning_differs(alignments):
    assert (BPF.Outcome, SKOS.closeMatch, CDM2.Outcome) in alignments
    assert (BPF.WorkProduct, SKOS.closeMatch, CDM1.Resource) in alignments
    assert (BPF.Stakeholder, SKOS.closeMatch, CDM2.Stakeholder) in alignments
    for cls in (BPF.Outcome, BPF.WorkProduct, BPF.Stakeholder):
        assert not any(
            str(o).startswith("https://w3id.org/citydata/")
            for o in alignments.objects(cls, RDFS.subClassOf)
        )
