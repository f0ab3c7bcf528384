"""Fidelity of data/framework.ttl to ISO/IEC 30145-1:2021, process by process.

The expected values in tests/data/fidelity.json were read from the standard independently of
the extraction that produced the data.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from bpfgraph.vocab import BPF, FRAMEWORK, ID, PROCESS_IDS, clause, outcome, practice, process

from .conftest import fidelity_table

TABLE = fidelity_table()
TYPES = {
    "governance": BPF.GovernanceProcess,
    "core": BPF.CoreProcess,
    "supporting": BPF.SupportingProcess,
}


def norm(text: object) -> str:
    return " ".join(str(text).split())


def ordered(g: Graph, proc: URIRef, prop: URIRef) -> list[URIRef]:
    return sorted(g.objects(proc, prop), key=lambda x: int(g.value(x, BPF.ordinal)))


def usages(g: Graph, proc: URIRef, role: URIRef) -> list[str]:
    items = [
        u
        for u in g.objects(proc, BPF.hasWorkProductUsage)
        if g.value(u, BPF.workProductRole) == role
    ]
    items.sort(key=lambda u: int(g.value(u, BPF.ordinal)))
    return [str(g.value(g.value(u, BPF.workProduct), RDFS.label)) for u in items]


def test_table_covers_all_21_processes():
    assert [row["id"] for row in TABLE] == list(PROCESS_IDS)


def test_type_counts(framework):
    counts = {t: len(set(framework.subjects(RDF.type, c))) for t, c in TYPES.items()}
    assert counts == {"governance": 5, "core": 10, "supporting": 6}


def test_concept_scheme_has_exactly_the_21(framework):
    top = set(framework.objects(FRAMEWORK, SKOS.hasTopConcept))
    assert top == {process(p) for p in PROCESS_IDS}
    assert set(framework.objects(FRAMEWORK, BPF.hasProcess)) == top
    assert (FRAMEWORK, RDF.type, SKOS.ConceptScheme) in framework


@pytest.mark.parametrize("row", TABLE, ids=[r["id"] for r in TABLE])
class TestProcess:
    def test_identity(self, framework, row):
        p = process(row["id"])
        assert (p, RDF.type, TYPES[row["type"]]) in framework
        assert (p, RDF.type, SKOS.Concept) in framework
        assert framework.value(p, SKOS.notation) == Literal(row["id"])
        assert framework.value(p, SKOS.prefLabel) == Literal(row["name"], lang="en")
        assert framework.value(p, RDFS.label) == Literal(row["name"], lang="en")
        assert framework.value(p, DCTERMS.source) == clause(row["clause"])
        assert (p, SKOS.inScheme, FRAMEWORK) in framework

    def test_outcomes(self, framework, row):
        p = process(row["id"])
        items = ordered(framework, p, BPF.hasOutcome)
        assert len(items) == row["outcome_count"]
        assert items == [outcome(row["id"], i) for i in range(1, len(items) + 1)]
        assert norm(framework.value(items[0], BPF.statement)) == norm(row["first_outcome"])
        assert norm(framework.value(items[-1], BPF.statement)) == norm(row["last_outcome"])
        for item in items:
            assert (item, RDF.type, BPF.Outcome) in framework
            assert framework.value(item, DCTERMS.source) == clause(row["clause"])

    def test_base_practices(self, framework, row):
        p = process(row["id"])
        items = ordered(framework, p, BPF.hasBasePractice)
        assert len(items) == row["practice_count"]
        assert items == [practice(row["id"], i) for i in range(1, len(items) + 1)]
        assert norm(framework.value(items[0], BPF.statement)) == norm(row["first_practice"])
        assert norm(framework.value(items[-1], BPF.statement)) == norm(row["last_practice"])

    def test_work_products(self, framework, row):
        p = process(row["id"])
        assert usages(framework, p, BPF.InputRole) == row["inputs"]
        assert usages(framework, p, BPF.OutputRole) == row["outputs"]
        inputs = {str(framework.value(w, RDFS.label)) for w in framework.objects(p, BPF.hasInput)}
        outputs = {str(framework.value(w, RDFS.label)) for w in framework.objects(p, BPF.hasOutput)}
        assert inputs == set(row["inputs"])
        assert outputs == set(row["outputs"])

    def test_relationships(self, framework, row):
        p = process(row["id"])
        named = set(framework.objects(p, BPF.relatedProcess))
        assert named == {process(r) for r in row["related"]}
        required = set(framework.objects(p, BPF.requiresProcess))
        if row["requires_all"]:
            assert required == {process(x) for x in PROCESS_IDS if x != row["id"]}
            assert "requires all the governance, core and supporting processes" in str(
                framework.value(p, BPF.relationshipNote)
            )
        else:
            assert required == set()

    def test_texts_present_in_english(self, framework, row):
        p = process(row["id"])
        for prop in (BPF.purpose, BPF.briefDescription, BPF.extendedDescription):
            values = list(framework.objects(p, prop))
            assert len(values) == 1 and values[0].language == "en" and len(values[0]) > 20


def test_totals(framework):
    assert len(set(framework.subjects(RDF.type, BPF.Outcome))) == sum(
        r["outcome_count"] for r in TABLE
    )
    assert len(set(framework.subjects(RDF.type, BPF.BasePractice))) == sum(
        r["practice_count"] for r in TABLE
    )
    names = {n for r in TABLE for n in r["inputs"] + r["outputs"]}
    products = set(framework.subjects(RDF.type, BPF.WorkProduct))
    assert {str(framework.value(w, RDFS.label)) for w in products} == names
    assert len(products) == len(names) == 101


def test_same_work_product_is_one_resource(framework):
    swot = ID["work-product/swot-analysis"]
    users = {str(framework.value(p, SKOS.notation)) for p in framework.subjects(BPF.hasInput, swot)}
    assert users == {"G1", "S4"}
    plan = ID[
        "work-product/development-and-implementation-of-a-strategic-plan-to-gather-and-analyse-the-required-data"
    ]
    producers = {
        str(framework.value(p, SKOS.notation)) for p in framework.subjects(BPF.hasOutput, plan)
    }
    assert producers == {"C1", "C2"}


# Texts checked word for word against the standard (whitespace normalised).
EXACT = [
    (
        process("G1"),
        BPF.purpose,
        "The purpose of the Leadership process is to provide strategic direction and vision to the city, ensure the buy in by all stakeholders, allocate resources, monitor the implementation of the vision, set policies and manage risks.",
    ),
    (
        process("G4"),
        BPF.briefDescription,
        "Introducing and implementing effective plans to ensure the sustainability and resilience of the city.",
    ),
    (
        process("C7"),
        BPF.briefDescription,
        "This process aims to use ICT and data to make the city safer and more secure.",
    ),
    (process("S5"), BPF.relationshipNote, "This process is further detailed in ISO/IEC 30145-2."),
    (
        process("S6"),
        BPF.relationshipNote,
        "The framework to deliver the ICT engineering process of the city is further detailed in ISO/IEC 30145-3.",
    ),
    (
        outcome("C2", 6),
        BPF.statement,
        "Higher education entities participate in open innovation initiatives.",
    ),
    (
        outcome("S1", 2),
        BPF.statement,
        "The city enterprise processes and their ICT infrastructure are ‘Smart Ready’, e.g. able to integrate with the smart services deployed in the smart city.",
    ),
    (
        outcome("S2", 1),
        BPF.statement,
        "Legal issues that arises during the deployment of new technologies are noted and properly handled to support innovation while mitigating potential harm to the citizen.",
    ),
    (
        practice("G1", 2),
        BPF.statement,
        "The city has set up a cross-silo funding and budget process to address collaborative initiatives.",
    ),
    (
        practice("S1", 1),
        BPF.statement,
        "See ISO/IEC 33071 for detailed generic practices for enterprise processes.",
    ),
    (practice("G3", 3), BPF.statement, "Deployment of big data city analytics solutions."),
    (
        process("C6"),
        SKOS.scopeNote,
        "This includes air quality, carbon footprint, city aesthetics and attractiveness, open spaces and wildlife, etc.",
    ),
    (process("S2"), SKOS.altLabel, "Legal and Regulatory Systems and Services"),
]


@pytest.mark.parametrize(
    ("subject", "prop", "text"),
    EXACT,
    ids=[f"{s.split('/id/')[1]}-{p.split('#')[-1]}" for s, p, _ in EXACT],
)
def test_exact_text(framework, subject, prop, text):
    assert norm(framework.value(subject, prop)) == text


def test_extended_description_keeps_paragraphs_and_list_items(framework):
    text = str(framework.value(process("G1"), BPF.extendedDescription))
    lines = text.split("\n")
    assert lines[0].startswith("This enables the smart city leadership")
    assert lines[-1] == "— Improved and more efficient business processes."
    assert len(lines) == 5


def test_s6_relationship_includes_itself_as_stated(framework):
    related = {
        str(framework.value(o, SKOS.notation))
        for o in framework.objects(process("S6"), BPF.relatedProcess)
    }
    assert related == {"G1", "G3", "S3", "S4", "S5", "S6"}


def test_reference_documents_of_s1(framework):
    docs = {
        str(framework.value(d, RDFS.label))
        for d in framework.objects(process("S1"), BPF.hasReferenceDocument)
    }
    assert docs == {"ISO/IEC 33071", "ISO 37106", "TM Forum Digital Maturity Model"}
    notes = {norm(n) for n in framework.objects(process("S1"), BPF.referenceNote)}
    assert (
        "ISO/IEC 33071 describes in detail enterprise processes using the same approach as this document."
        in notes
    )
    assert len(notes) == 3


def test_cross_references_to_parts_2_and_3(framework):
    assert framework.value(process("S5"), BPF.furtherDetailedIn) == ID["document/iso-iec-30145-2"]
    assert framework.value(process("S6"), BPF.furtherDetailedIn) == ID["document/iso-iec-30145-3"]


def test_clause_0_stakeholders_and_vision(framework):
    ref = ID["reference-framework"]
    stakeholders = sorted(
        framework.objects(ref, BPF.hasStakeholder),
        key=lambda s: int(framework.value(s, BPF.ordinal)),
    )
    assert [str(framework.value(s, RDFS.label)) for s in stakeholders] == [
        "enterprises",
        "citizens",
        "government entities",
        "non-government entities",
    ]
    visions = sorted(
        framework.objects(ref, BPF.hasVisionOutcome),
        key=lambda s: int(framework.value(s, BPF.ordinal)),
    )
    assert [str(framework.value(s, RDFS.label)) for s in visions] == [
        "well-being",
        "transparency",
        "sustainability",
        "economic development",
        "efficiency and resilience",
        "collaboration and innovation",
    ]
    for s in stakeholders:
        assert framework.value(s, DCTERMS.source) == clause("0.2")
    assert norm(framework.value(ref, BPF.visionStatement)).startswith(
        "The smart city ICT reference framework articulates a vision that the Smart City will be transparent"
    )


def test_figure_1_components(framework):
    comps = sorted(
        framework.objects(ID["reference-framework"], BPF.hasComponent),
        key=lambda s: int(framework.value(s, BPF.ordinal)),
    )
    assert len(comps) == 5
    assert comps[2] == FRAMEWORK
    docs = [
        str(framework.value(framework.value(c, BPF.furtherDetailedIn), RDFS.label)) for c in comps
    ]
    assert docs == ["ISO/IEC 30145-1:2021"] * 3 + ["ISO/IEC 30145-2", "ISO/IEC 30145-3"]


def test_rights_are_stated(framework):
    rights = str(framework.value(FRAMEWORK, DCTERMS.rights))
    assert "© ISO/IEC 2021" in rights and "CC BY 4.0" in rights
    assert framework.value(FRAMEWORK, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_every_clause_cited_is_described(framework):
    cited = {
        o for o in framework.objects(None, DCTERMS.source) if str(o).startswith(str(ID["clause/"]))
    }
    assert cited
    for c in cited:
        assert (c, RDF.type, BPF.Clause) in framework
        assert framework.value(c, BPF.clauseNumber) == Literal(str(c).rsplit("/", 1)[1])
