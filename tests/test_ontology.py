"""The ontology: public names, header, and the lint rules every term must pass."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from bpfgraph import lint
from bpfgraph.framework import load_part
from bpfgraph.vocab import BPF, ONTOLOGY_IRI

from .conftest import DATA

CLASSES = [
    "BusinessProcess",
    "GovernanceProcess",
    "CoreProcess",
    "SupportingProcess",
    "Outcome",
    "BasePractice",
    "WorkProduct",
    "Stakeholder",
    "VisionOutcome",
]
OBJECT_PROPERTIES = ["hasOutcome", "hasBasePractice", "hasInput", "hasOutput", "relatedProcess"]
DATATYPE_PROPERTIES = ["purpose", "briefDescription", "extendedDescription"]


@pytest.mark.parametrize("name", CLASSES)
def test_public_classes(ontology, name):
    assert (BPF[name], RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize("name", ["GovernanceProcess", "CoreProcess", "SupportingProcess"])
def test_process_types_are_subclasses(ontology, name):
    assert (BPF[name], RDFS.subClassOf, BPF.BusinessProcess) in ontology


@pytest.mark.parametrize("name", OBJECT_PROPERTIES)
def test_public_object_properties(ontology, name):
    assert (BPF[name], RDF.type, OWL.ObjectProperty) in ontology


@pytest.mark.parametrize("name", DATATYPE_PROPERTIES)
def test_public_datatype_properties(ontology, name):
    assert (BPF[name], RDF.type, OWL.DatatypeProperty) in ontology


def test_io_properties_go_from_process_to_work_product(ontology):
    for prop in (BPF.hasInput, BPF.hasOutput):
        assert ontology.value(prop, RDFS.domain) == BPF.BusinessProcess
        assert ontology.value(prop, RDFS.range) == BPF.WorkProduct


def test_header_is_complete(ontology):
    assert lint.header(ontology) == []
    version = str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo))
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(
        f"https://w3id.org/bpfgraph/def/{version}"
    )
    assert (
        str(
            ontology.value(
                ONTOLOGY_IRI, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
            )
        )
        == "bpf"
    )


def test_every_term_labelled_defined_and_attributed(ontology):
    assert lint.terms(ontology) == []
    assert lint.unique_labels(ontology) == []
    assert len(lint.defined_terms(ontology)) >= 40


def test_no_owl_imports_in_core(ontology):
    assert list(ontology.objects(ONTOLOGY_IRI, OWL.imports)) == []


def _bad_ontology() -> Graph:
    g = Graph()
    g.parse(DATA / "lint" / "bad-ontology.ttl")
    return g


def test_lint_finds_missing_header_fields():
    problems = lint.header(_bad_ontology())
    messages = " ".join(p.message for p in problems)
    assert "licence" in messages and "version IRI" in messages


def test_lint_finds_term_problems():
    problems = lint.terms(_bad_ontology())
    by_term = {(p.where, p.message.split(",")[0]) for p in problems}
    assert ("bpf:NoDefinition", "needs exactly one skos:definition") in by_term
    assert ("bpf:TwoLabels", "needs exactly one English rdfs:label") in by_term
    assert ("bpf:NotDefinedBy", f"needs rdfs:isDefinedBy <{ONTOLOGY_IRI}>") in by_term
    assert ("bpf:NoDefinition", "needs exactly one rdfs:comment") in by_term


def test_lint_finds_duplicate_labels():
    problems = lint.unique_labels(_bad_ontology())
    assert [p.where for p in problems] == ["same label"]


def test_lint_finds_stray_whitespace():
    g = Graph()
    s = URIRef("urn:x")
    g.add((s, RDFS.label, Literal(" leading")))
    g.add((s, RDFS.comment, Literal("double  space")))
    g.add((s, BPF.purpose, Literal("para one\npara two")))  # allowed: block separator
    g.add((s, RDFS.seeAlso, Literal("line\nbreak")))
    problems = lint.whitespace(g, "test")
    assert len(problems) == 3


def test_lint_finds_undefined_terms(ontology, tmp_path):
    defined = lint.defined_terms(ontology)
    g = Graph()
    g.add((URIRef("urn:x"), URIRef(str(BPF) + "hasOutcom"), URIRef("urn:y")))  # a typo
    assert [p.message.split(",")[0] for p in lint.undefined_in_graph(g, "data", defined)] == [
        "uses bpf:hasOutcom"
    ]
    q = tmp_path / "q.rq"
    q.write_text(
        "PREFIX bpf: <https://w3id.org/bpfgraph/def#>\nSELECT * { ?p bpf:hasOutcome ?o ; bpf:nope ?x }\n"
    )
    assert [p.where for p in lint.undefined_in_text(q, defined)] == ["q.rq:2"]


def test_the_project_has_no_undefined_terms(ontology):
    defined = lint.defined_terms(ontology)
    for part in ("alignments", "framework", "shapes"):
        assert lint.undefined_in_graph(load_part(part), part, defined) == []
