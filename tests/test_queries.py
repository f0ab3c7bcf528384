"""Every named query, with its exact answer on the framework."""

from __future__ import annotations

import pytest
from rdflib import Graph

from bpfgraph import queries
from bpfgraph.queries import NamedQuery, QueryError
from bpfgraph.store.oxigraph import OxigraphStore
from bpfgraph.vocab import PROCESS_IDS

from .conftest import fidelity_table

TABLE = {row["id"]: row for row in fidelity_table()}


def select(store, name, **params):
    return queries.run(store, name, params)


def test_at_least_twelve_documented_queries():
    found = queries.load_all()
    assert len(found) >= 12
    for q in found.values():
        assert q.title and q.description, q.name


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        (None, list(PROCESS_IDS)),
        ("bpf:GovernanceProcess", ["G1", "G2", "G3", "G4", "G5"]),
        ("bpf:CoreProcess", [f"C{i}" for i in range(1, 11)]),
        ("https://w3id.org/bpfgraph/def#SupportingProcess", [f"S{i}" for i in range(1, 7)]),
    ],
)
def test_processes_by_type(store, type_, expected):
    params = {"type": type_} if type_ else {}
    assert select(store, "processes-by-type", **params).column("notation") == expected


@pytest.mark.parametrize("pid", PROCESS_IDS)
def test_process_outcomes_practices_work_products(store, pid):
    row = TABLE[pid]
    outcomes = select(store, "process-outcomes", notation=pid)
    assert outcomes.column("number") == [str(i) for i in range(1, row["outcome_count"] + 1)]
    assert outcomes.column("statement")[0] == row["first_outcome"]
    practices = select(store, "process-practices", notation=pid)
    assert len(practices.rows) == row["practice_count"]
    assert practices.column("statement")[-1] == row["last_practice"]
    wps = select(store, "process-work-products", notation=pid)
    assert [
        n for r, n in zip(wps.column("role"), wps.column("name"), strict=True) if r == "input"
    ] == row["inputs"]
    assert [
        n for r, n in zip(wps.column("role"), wps.column("name"), strict=True) if r == "output"
    ] == row["outputs"]


def test_process_in_full(store):
    graph: Graph = select(store, "process", notation="C2").graph
    text = graph.serialize(format="nt")
    assert "Higher education entities participate in open innovation initiatives." in text
    assert "Development and implementation of a citywide education and research strategy" in text
    from rdflib import URIRef

    c2 = URIRef("https://w3id.org/bpfgraph/id/process/C2")
    bpf = "https://w3id.org/bpfgraph/def#"
    assert len(list(graph.objects(c2, URIRef(bpf + "hasOutcome")))) == 6
    assert len(list(graph.objects(c2, URIRef(bpf + "hasBasePractice")))) == 5
    assert len(list(graph.objects(c2, URIRef(bpf + "requiresProcess")))) == 20


def test_process_summary_matches_the_standard(store):
    result = select(store, "process-summary")
    assert result.column("notation") == list(PROCESS_IDS)
    for r in result.rows:
        row = TABLE[str(r["notation"])]
        expected_related = 20 if row["requires_all"] else len(set(row["related"]))
        assert (
            int(r["outcomes"]),
            int(r["practices"]),
            int(r["inputs"]),
            int(r["outputs"]),
            int(r["related"]),
        ) == (
            row["outcome_count"],
            row["practice_count"],
            len(row["inputs"]),
            len(row["outputs"]),
            expected_related,
        ), row["id"]


MENTIONS_OF_DATA = [
    ("G3", "outcome", 1),
    ("G3", "outcome", 2),
    ("G3", "base practice", 1),
    ("G3", "base practice", 2),
    ("G3", "base practice", 3),
    ("C1", "base practice", 1),
    ("C3", "outcome", 1),
    ("C3", "base practice", 3),
    ("C3", "base practice", 4),
    ("C3", "base practice", 5),
    ("C4", "base practice", 3),
    ("C4", "base practice", 4),
    ("C6", "base practice", 1),
    ("C6", "base practice", 2),
    ("C7", "outcome", 2),
    ("C7", "outcome", 3),
    ("C7", "base practice", 1),
    ("C7", "base practice", 2),
    ("C10", "base practice", 2),
    ("S1", "outcome", 3),
    ("S1", "outcome", 4),
    ("S1", "outcome", 5),
    ("S1", "outcome", 6),
    ("S1", "outcome", 7),
    ("S1", "base practice", 2),
    ("S1", "base practice", 3),
    ("S5", "outcome", 1),
    ("S5", "outcome", 2),
    ("S5", "outcome", 3),
    ("S5", "outcome", 4),
    ("S5", "outcome", 5),
    ("S5", "outcome", 6),
    ("S5", "outcome", 7),
    ("S5", "outcome", 11),
    ("S5", "base practice", 1),
]


def test_mentions_of_data(store):
    result = select(store, "mentions")
    got = [(str(r["notation"]), str(r["kind"]), int(r["number"])) for r in result.rows]
    assert got == MENTIONS_OF_DATA


def test_mentions_whole_words_only(store):
    # "IoT" appears in S1 and G1 outcomes; "Io" must not match "IoT"
    assert select(store, "mentions", word="Io").rows == []
    got = {
        (str(r["notation"]), int(r["number"])) for r in select(store, "mentions", word="iot").rows
    }
    assert got == {("G1", 5), ("S1", 4), ("S1", 5), ("S1", 6), ("S1", 7), ("S1", 2), ("S6", 5)}


def related_expected(pid: str) -> tuple[set[str], set[str]]:
    row = TABLE[pid]
    outgoing = set(row["related"]) | (
        {p for p in PROCESS_IDS if p != pid} if row["requires_all"] else set()
    )
    incoming = {
        other
        for other, r in TABLE.items()
        if pid in r["related"] or (r["requires_all"] and other != pid)
    }
    return outgoing, incoming


@pytest.mark.parametrize("pid", ["G1", "G5", "C7", "S2", "S6"])
def test_related_processes_both_directions(store, pid):
    result = select(store, "related-processes", notation=pid)
    outgoing = {str(r["otherNotation"]) for r in result.rows if str(r["direction"]) == "outgoing"}
    incoming = {str(r["otherNotation"]) for r in result.rows if str(r["direction"]) == "incoming"}
    assert (outgoing, incoming) == related_expected(pid)


def test_related_marks_requires_all(store):
    rows = select(store, "related-processes", notation="G5").rows
    flags = {
        (str(r["direction"]), str(r["otherNotation"])): r["requiresAll"].toPython() for r in rows
    }
    assert flags[("outgoing", "S6")] is True
    assert flags[("incoming", "G1")] is False
    assert flags[("incoming", "C3")] is True


def test_shared_work_products(store):
    result = select(store, "shared-work-products")
    got = {str(r["name"]): set(str(r["notations"]).split()) for r in result.rows}
    assert got == {
        "City projects": {"C5", "S6"},
        "City strategic plan": {"C5", "S4"},
        "SWOT analysis": {"G1", "S4"},
        "Development and implementation of a strategic plan to gather and analyse the required data.": {
            "C1",
            "C2",
        },
    }


def test_producers_and_consumers_on_the_framework(store):
    # The standard names no work product both as one process's output and another's input.
    assert select(store, "producers-and-consumers").rows == []


def test_producers_and_consumers_finds_a_flow():
    store = OxigraphStore(None)
    g = Graph().parse(
        data="""@prefix bpf: <https://w3id.org/bpfgraph/def#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:a> skos:notation "A" ; bpf:ordinal 1 ; bpf:hasOutput <urn:w> .
        <urn:b> skos:notation "B" ; bpf:ordinal 2 ; bpf:hasInput <urn:w> .
        <urn:w> rdfs:label "Plan"@en .""",
        format="turtle",
    )
    store.put_graph("urn:g", g)
    rows = queries.run(store, "producers-and-consumers").rows
    assert [(str(r["producer"]), str(r["name"]), str(r["consumer"])) for r in rows] == [
        ("A", "Plan", "B")
    ]


def test_stakeholders_vision_components(store):
    assert select(store, "stakeholders").column("name") == [
        "enterprises",
        "citizens",
        "government entities",
        "non-government entities",
    ]
    assert select(store, "vision-outcomes").column("name") == [
        "well-being",
        "transparency",
        "sustainability",
        "economic development",
        "efficiency and resilience",
        "collaboration and innovation",
    ]
    comps = select(store, "framework-components")
    assert comps.column("name") == [
        "stakeholders",
        "vision and outcomes",
        "Smart city business process framework",
        "knowledge management framework",
        "engineering framework",
    ]
    assert comps.column("document")[3:] == ["ISO/IEC 30145-2", "ISO/IEC 30145-3"]


def test_reference_documents(store):
    rows = select(store, "reference-documents").rows
    got = {(str(r["notation"]), str(r["how"]), str(r["name"])) for r in rows}
    assert got == {
        ("S1", "reference document", "ISO/IEC 33071"),
        ("S1", "reference document", "ISO 37106"),
        ("S1", "reference document", "TM Forum Digital Maturity Model"),
        ("S5", "further detailed in", "ISO/IEC 30145-2"),
        ("S6", "further detailed in", "ISO/IEC 30145-3"),
    }


def test_rating_scale(store):
    result = select(store, "rating-scale")
    assert result.column("code") == ["N", "P", "L", "F"]
    assert result.column("max") == ["15", "50", "85", "100"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("hackathons", {"S4": 2}), ("carbon", {"G4": 2}), ("no such phrase", {})],
)
def test_search(store, text, expected):
    rows = select(store, "search", text=text).rows
    assert {str(r["notation"]): int(r["matches"]) for r in rows} == expected


# ---- parameters -----------------------------------------------------------------------------


def test_required_parameter_missing():
    with pytest.raises(QueryError, match="needs parameter 'notation'"):
        queries.get("process-outcomes").bind({})


def test_unknown_parameter():
    with pytest.raises(QueryError, match="has no parameter 'colour'"):
        queries.get("process-outcomes").bind({"notation": "G1", "colour": "red"})


@pytest.mark.parametrize("bad", ["not an iri", "http://x/a b", "<urn:x>>", 'urn:"x'])
def test_iri_parameter_refuses_injection(bad):
    with pytest.raises(QueryError, match="is not an IRI"):
        queries.get("processes-by-type").bind({"type": bad})


def test_string_parameter_is_escaped(store):
    text = queries.get("search").bind({"text": 'x" ) } DROP ALL #'})
    assert '"x\\" ) } DROP ALL #"' in text
    assert select(store, "search", text='x" ) }').rows == []


def test_unknown_query():
    with pytest.raises(QueryError, match="no named query"):
        queries.get("nope")


def test_header_must_name_parameters_it_uses():
    with pytest.raises(QueryError, match="not used as"):
        NamedQuery.parse("x", "#+ title: X\n#+ params:\n#+   a: {type: iri}\nSELECT * {}")
