"""OWL RL entailments: computed once, consistent, visible to queries."""

from __future__ import annotations

from rdflib import RDF, Graph, URIRef

from bpfgraph.framework import graph_iri
from bpfgraph.inference import entailments, inconsistencies, reason
from bpfgraph.vocab import BPF, process


def test_framework_is_consistent():
    assert inconsistencies() == []


def test_entailments_type_every_process_as_business_process():
    inferred = entailments()
    typed = set(inferred.subjects(RDF.type, BPF.BusinessProcess))
    assert len(typed) == 21


def test_requires_yields_related(store):
    rows = store.query(
        "PREFIX bpf: <https://w3id.org/bpfgraph/def#> SELECT ?o WHERE { "
        f"GRAPH <{graph_iri('inferred')}> {{ <{process('G5')}> bpf:relatedProcess ?o }} }}"
    ).rows
    assert len(rows) == 20


def test_queries_see_entailments(store):
    result = store.query(
        "PREFIX bpf: <https://w3id.org/bpfgraph/def#> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a bpf:BusinessProcess }"
    )
    assert int(result.rows[0]["n"]) == 21


def test_inverse_properties_are_materialised(store):
    result = store.query(
        "PREFIX bpf: <https://w3id.org/bpfgraph/def#> ASK { "
        f"<{process('C3')}/practice/5> bpf:practiceOf <{process('C3')}> }}"
    )
    assert result.value is True


def test_disjoint_types_are_an_inconsistency(ontology):
    g = Graph()
    g += ontology
    g.add((URIRef("urn:x"), RDF.type, BPF.GovernanceProcess))
    g.add((URIRef("urn:x"), RDF.type, BPF.CoreProcess))
    assert reason(g).errors


def test_no_trivial_or_literal_subject_triples():
    from rdflib import OWL, Literal

    inferred = entailments()
    assert not any(isinstance(s, Literal) for s in inferred.subjects())
    assert not any(s == o for s, _p, o in inferred.triples((None, OWL.sameAs, None)))
