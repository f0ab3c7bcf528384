"""The ontology with its alignments and data is OWL 2 DL, and consistent under HermiT and
Pellet (both through owlready2, which runs them on Java).

Two OWL 2 DL checks: the OWL API's profile checker (``OWL2DLProfile``, OWL API 3.4 as bundled
in owlready2's HermiT.jar, run by ``tests/owl/ProfileCheck.java`` through Java's single-file
source launcher, which needs a JDK: ``scripts/test`` installs ``default-jdk-headless``), and
:mod:`tests.owl_dl`, written with rdflib, whose messages say what to fix.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import owlready2
import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from bpfgraph.vocab import BPF

from .conftest import ROOT
from .owl_dl import problems

FILES = [
    ROOT / "ontology" / "bpf.ttl",
    ROOT / "ontology" / "alignments.ttl",
    *sorted((ROOT / "data").glob("*.ttl")),
    *sorted((ROOT / "data" / "examples").glob("*.ttl")),
]
EX = "https://example.org/owl-test/"


def _merged() -> Graph:
    g = Graph()
    for path in FILES:
        g.parse(path)
    return g


def test_the_files_checked_are_every_part():
    names = {p.name for p in FILES}
    assert {"bpf.ttl", "alignments.ttl", "framework.ttl", "rating-scale.ttl"} <= names
    assert {"adoption-status.ttl", "aldermoor.ttl", "kestrel-bay.ttl", "valdoria.ttl"} <= names


def test_ontology_alignments_and_data_are_owl2_dl():
    assert problems(_merged()) == []


def _with_list(g: Graph) -> None:
    head, rest = BNode(), BNode()
    g.add((URIRef(EX + "order"), URIRef("http://www.w3.org/2004/02/skos/core#memberList"), head))
    g.add((head, RDF.first, URIRef(EX + "a")))
    g.add((head, RDF.rest, rest))
    g.add((rest, RDF.first, URIRef(EX + "b")))
    g.add((rest, RDF.rest, RDF.nil))


BREAKS = {
    "langString range": (
        lambda g: g.set((BPF.purpose, RDFS.range, RDF.langString)),
        "not an OWL 2 datatype",
    ),
    "undeclared property": (
        lambda g: g.add((URIRef(EX + "s"), URIRef(EX + "undeclared"), Literal("x"))),
        "declared as nothing",
    ),
    "object and datatype property": (
        lambda g: g.add((BPF.purpose, RDF.type, OWL.ObjectProperty)),
        "declared as DatatypeProperty, ObjectProperty",
    ),
    "literal on an object property": (
        lambda g: g.add((URIRef(EX + "s"), BPF.hasOutcome, Literal("x"))),
        "has the literal",
    ),
    "xsd:date on a data property": (
        lambda g: g.add((URIRef(EX + "s"), BPF.purpose, Literal("2026-11-27", datatype=XSD.date))),
        "not of an OWL 2 datatype",
    ),
    "undeclared class": (
        lambda g: g.add((URIRef(EX + "s"), RDF.type, URIRef(EX + "Undeclared"))),
        "not declared owl:Class",
    ),
    "RDF list as data": (_with_list, "an RDF list is the value of"),
}


@pytest.mark.parametrize("case", list(BREAKS))
def test_the_dl_check_finds_each_kind_of_breach(case: str):
    g = _merged()
    change, expected = BREAKS[case]
    change(g)
    found = problems(g)
    assert any(expected in p for p in found), found


def _reason(reasoner: str, g: Graph, tmp_path: Path) -> None:
    """Load ``g`` into a fresh owlready2 world (as N-Triples) and run the reasoner on it;
    raises owlready2's OwlReadyInconsistentOntologyError when it finds ``g`` inconsistent."""
    path = tmp_path / "merged.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    if reasoner == "hermit":
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    else:
        owlready2.sync_reasoner_pellet(
            world, infer_property_values=False, infer_data_property_values=False, debug=0
        )


@pytest.mark.parametrize("reasoner", ["hermit", "pellet"])
def test_consistent_under_the_reasoner(reasoner: str, tmp_path: Path):
    _reason(reasoner, _merged(), tmp_path)


@pytest.mark.parametrize("reasoner", ["hermit", "pellet"])
def test_the_reasoner_finds_an_inconsistency(reasoner: str, tmp_path: Path):
    """The test above can fail: a process that is both a governance and a core process
    (disjoint classes) makes the graph inconsistent for each reasoner."""
    g = _merged()
    g.add((URIRef("https://w3id.org/bpfgraph/id/process/G1"), RDF.type, BPF.CoreProcess))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(reasoner, g, tmp_path)


def _owl_api_profile(g: Graph, tmp_path: Path) -> list[str]:
    """The OWL API's OWL 2 DL profile report on ``g`` (as RDF/XML): its last line says IN
    PROFILE or NOT IN PROFILE, the lines before are the violations."""
    path = tmp_path / "merged.owl"
    g.serialize(path, format="xml", encoding="utf-8")
    hermit = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    proc = subprocess.run(
        ["java", "-cp", str(hermit), str(ROOT / "tests" / "owl" / "ProfileCheck.java"), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()


def test_the_owl_api_profile_checker_finds_owl2_dl(tmp_path: Path):
    report = _owl_api_profile(_merged(), tmp_path)
    assert report == ["IN PROFILE"], report[:20]


@pytest.mark.parametrize("case", ["langString range", "object and datatype property"])
def test_the_owl_api_profile_checker_finds_a_breach(case: str, tmp_path: Path):
    g = _merged()
    BREAKS[case][0](g)
    report = _owl_api_profile(g, tmp_path)
    assert report[-1] == "NOT IN PROFILE" and len(report) > 1


def test_dcterms_source_always_names_a_resource():
    """dcterms:source once had a literal on the rating scale beside IRIs everywhere else."""
    g = _merged()
    sources = list(g.objects(None, DCTERMS.source))
    assert len(sources) > 400
    assert [s for s in sources if isinstance(s, Literal)] == []
