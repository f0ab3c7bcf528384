"""One source for each fact: the bpf terms the code may use are the ontology's, and the list of
derived properties is the same in the code, the ontology's section 9 and the shapes."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from bpfgraph import summaries
from bpfgraph.vocab import BPF, BPF_TERMS

from .conftest import ROOT

SH = Namespace("http://www.w3.org/ns/shacl#")
BPFMAP = "https://w3id.org/bpfgraph/shapes/city-mapping#"


def _ontology_terms() -> set[str]:
    g = Graph().parse(ROOT / "ontology" / "bpf.ttl")
    return {
        str(s)[len(str(BPF)) :]
        for s in g.subjects()
        if isinstance(s, URIRef) and str(s).startswith(str(BPF))
    }


def test_bpf_terms_are_the_ontology_terms():
    terms = _ontology_terms()
    assert set(BPF_TERMS) == terms, (
        f"in code only: {sorted(set(BPF_TERMS) - terms)}; "
        f"in the ontology only: {sorted(terms - set(BPF_TERMS))}"
    )
    assert len(BPF_TERMS) == len(set(BPF_TERMS))


@pytest.mark.parametrize("name", ["basePracticeOf", "CityMaping", "hasoutcome"])
def test_a_term_the_ontology_lacks_is_refused(name: str):
    with pytest.raises((AttributeError, KeyError)):
        getattr(BPF, name)
    with pytest.raises((AttributeError, KeyError)):
        BPF[name]


def test_every_bpf_term_the_package_names_is_defined():
    root = ROOT / "src" / "bpfgraph"
    named = set()
    for path in root.rglob("*.py"):
        named |= set(re.findall(r"\bBPF\.(\w+)", path.read_text(encoding="utf-8")))
    assert named <= _ontology_terms(), sorted(named - _ontology_terms())


def _section(text: str, number: int) -> str:
    start = re.search(rf"^# {number}\. ", text, re.MULTILINE)
    assert start is not None
    end = re.search(rf"^# {number + 1}\. ", text[start.end() :], re.MULTILINE)
    return text[start.end() : start.end() + end.start()] if end else text[start.end() :]


def test_derived_properties_are_the_ontology_section_9():
    section = _section((ROOT / "ontology" / "bpf.ttl").read_text(encoding="utf-8"), 9)
    properties = re.findall(r"^bpf:([a-z]\w*)\b", section, re.MULTILINE)
    assert tuple(properties) == summaries.DERIVED_PROPERTIES


def test_the_shapes_refuse_exactly_the_derived_properties():
    g = Graph().parse(ROOT / "shapes" / "city-mapping.ttl")
    shape = URIRef(BPFMAP + "DerivedPropertiesShape")
    targets = {str(t)[len(str(BPF)) :] for t in g.objects(shape, SH.targetSubjectsOf)}
    assert targets == set(summaries.DERIVED_PROPERTIES)
    refused = {}
    for prop in g.objects(shape, SH.property):
        path = g.value(prop, SH.path)
        assert g.value(prop, SH.maxCount).toPython() == 0
        refused[str(path)[len(str(BPF)) :]] = str(g.value(prop, SH.message))
    assert set(refused) == set(summaries.DERIVED_PROPERTIES)
    for name, message in refused.items():
        assert message.startswith(f"bpf:{name} is derived by bpfgraph"), message
    assert (shape, RDF.type, SH.NodeShape) in g
