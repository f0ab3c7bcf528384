"""City mapping workbooks: the template, the round trip of every example, cell messages."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from bpfgraph import rdfio
from bpfgraph.rdfio import workbook_layout as lay
from bpfgraph.template import render
from bpfgraph.validation import validate_mapping
from bpfgraph.vocab import BPF, ID, PROCESS_IDS
from bpfgraph.workbook import WorkbookError, template_workbook, write_workbook

from .conftest import ROOT
from .test_cli import assert_no_traceback, run
from .workbooks import edit, nt_set

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))
CITY = "https://example.org/city/iri"
# not rdflib's XSD: pytest's collection, looking at module names, makes it warn
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DATETIME = URIRef("http://www.w3.org/2001/XMLSchema#dateTime")


@pytest.fixture(scope="module")
def template() -> bytes:
    return template_workbook(CITY, "Iri 2026")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_is_the_same_graph(path: Path):
    graph = rdfio.as_graph(rdfio.parse_file(path))
    back = rdfio.parse_data(write_workbook(graph), "xlsx", source=path.name)
    assert isomorphic(graph, back)
    assert nt_set(graph) == nt_set(back)


def test_the_turtle_template_round_trips_too():
    graph = rdfio.parse_data(render(CITY, "Iri 2026").encode(), "turtle")
    assert nt_set(rdfio.parse_data(write_workbook(graph), "xlsx")) == nt_set(graph)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_convert_both_ways_on_the_command_line(path: Path, tmp_path: Path):
    book, turtle = tmp_path / "m.xlsx", tmp_path / "m.ttl"
    assert run("convert", str(path), str(book)).returncode == 0
    proc = run("convert", str(book), str(turtle))
    assert proc.returncode == 0, proc.stderr
    assert nt_set(rdfio.parse_file(turtle)) == nt_set(rdfio.parse_file(path))


def test_the_template_has_every_sheet_protected_framework_text_and_dropdowns(template: bytes):
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == list(lay.SHEETS)
    mapping = {r[0].value: r[1].value for r in book[lay.MAPPING].iter_rows(min_row=2)}
    assert mapping["City"] == CITY and mapping["Name"] == "Iri 2026" and mapping["Created"]
    assert mapping["Licence"] == "https://creativecommons.org/licenses/by/4.0/"
    c4 = book["C4"]
    assert [c.value for c in c4[lay.HEADER_ROW]][:15] == list(lay.COLUMNS.values())
    assert c4.protection.sheet
    first = lay.HEADER_ROW + 1
    assert c4[f"A{first}"].value == "outcome" and c4[f"B{first}"].value == 1
    assert c4[f"C{first}"].value and c4[f"C{first}"].protection.locked
    assert not c4[f"F{first}"].protection.locked and not c4[f"D{first}"].protection.locked
    lists = {dv.formula1 for dv in c4.data_validations.dataValidation}
    assert {'"adopted,planned,declined"', '"N,P,L,F"', '"outcome,practice"'} <= lists
    kinds = {c4[f"A{r}"].value for r in range(first, c4.max_row + 1)}
    assert {"outcome", "practice"} <= kinds


def test_the_template_reads_as_21_process_mappings(template: bytes):
    graph = rdfio.parse_data(template, "xlsx")
    assert len(set(graph.subjects(RDF.type, BPF.ProcessMapping))) == len(PROCESS_IDS) == 21
    assert not list(graph.subjects(RDF.type, BPF.OutcomeAdoption))


def test_the_untouched_template_warns_of_unfinished_work(template: bytes):
    report = validate_mapping(rdfio.parse_data(template, "xlsx"))
    assert report.conforms
    warnings = [r.message for r in report.by_severity("Warning")]
    assert any("A TODO is left in" in m for m in warnings)
    assert sum("has no sub-process yet" in m for m in warnings) == 21


def test_an_outcome_with_words_but_no_status_is_a_warning(template: bytes):
    data = edit(template, _set("G1", f"E{ROW}", "We are still discussing this."))
    report = validate_mapping(rdfio.parse_data(data, "xlsx"))
    assert report.conforms
    assert any("has no adoption status yet" in r.message for r in report.by_severity("Warning"))


def test_template_command_writes_a_workbook(tmp_path: Path):
    out = tmp_path / "iri.xlsx"
    proc = run(
        "template", "--format", "xlsx", "--city", CITY, "--label", "Iri", "--output", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert load_workbook(out).sheetnames == list(lay.SHEETS)
    proc = run("template", "--format", "xlsx", "--city", CITY, "--label", "Iri")
    assert proc.returncode == 2 and "--output" in proc.stderr


def _set(sheet: str, cell: str, value: object):
    def change(book):
        book[sheet][cell] = value

    return change


#: a cell an officer could get wrong, its value, and the message naming the cell
ROW = lay.HEADER_ROW + 1  # C4's first outcome
BAD_CELLS = [
    ("C4", f"F{ROW}", "Q", f'C4!F{ROW}: "Q" is not a rating; use N, P, L or F'),
    (
        "C4",
        f"D{ROW}",
        "done",
        f'C4!D{ROW}: "done" is not a status; use adopted, planned or declined',
    ),
    ("C4", f"H{ROW}", "last May", f'C4!H{ROW}: "last May" is not a date; use YYYY-MM-DD'),
    *[
        ("C4", f"H{ROW}", when, f'C4!H{ROW}: "{when}" is not a date; use YYYY-MM-DD')
        for when in (
            "2025-01-01T10:00:00+99:99",  # a time zone no clock has
            "2025-01-01+15:00",
            "2025-01-01T10:00:00-14:01",
            "2025-01-01T10:00:00+05:60",
        )
    ],
    ("C4", f"A{ROW}", "goal", f'C4!A{ROW}: "goal" is not a kind of row; use outcome or practice'),
    ("C4", f"B{ROW}", "one two", f'C4!B{ROW}: "one two" is not an outcome number or ID'),
    ("C4", f"I{ROW}", "A team", f"C4!I{ROW}: an outcome row has no sub-process"),
    ("C4", f"G{ROW}", "=1+1", f"C4!G{ROW}: formulas are not read"),
    ("C4", f"P{ROW}", "note", f"C4!P{ROW}: a cell right of column O"),
    ("C4", f"D{lay.HEADER_ROW}", "Status", f'C4!D{lay.HEADER_ROW}: the column is "Status"'),
    ("Mapping", "A5", "Town", 'Mapping!A5: "Town" is not a field'),
    ("Mapping", "B5", "not an iri", 'Mapping!B5: "not an iri" is not an ID'),
]


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"), BAD_CELLS, ids=[c[3][:12] for c in BAD_CELLS]
)
def test_each_bad_cell_is_named_by_sheet_and_cell(template, sheet, cell, value, message):
    data = edit(template, _set(sheet, cell, value))
    with pytest.raises(rdfio.RDFInputError) as caught:
        rdfio.parse_data(data, "xlsx", source="iri.xlsx")
    assert str(caught.value).startswith("iri.xlsx: " + message), str(caught.value)


def test_a_bad_cell_on_the_command_line_is_one_line_and_exit_2(template, tmp_path):
    path = tmp_path / "iri.xlsx"
    path.write_bytes(edit(template, _set("C4", f"F{ROW}", "Q")))
    proc = run("validate", str(path))
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert f"C4!F{ROW}" in proc.stdout + proc.stderr


def test_what_a_workbook_cannot_hold_is_refused_not_dropped():
    graph = rdfio.as_graph(rdfio.parse_file(EXAMPLES[0]))
    mapping = next(graph.subjects(RDF.type, BPF.CityMapping))
    variants = [
        (mapping, BPF.summaryScore, Literal(3)),  # a property with no column
        (mapping, BPF.city, Literal("not an IRI")),  # a second city
        (mapping, BPF.city, Literal("Vila", lang="pt")),  # a second language
    ]
    for triple in variants:
        changed = Graph() + graph
        changed.add(triple)
        with pytest.raises(WorkbookError):
            write_workbook(changed)


def test_an_officers_workbook_validates(template):
    def fill(book):
        g1 = book["G1"]
        g1[f"D{ROW}"], g1[f"E{ROW}"], g1[f"F{ROW}"], g1[f"H{ROW}"] = (
            "adopted", "A 2030 vision, approved by council.", "L", "2026-03-01",
        )  # fmt: skip
        practice = next(r for r in range(ROW, g1.max_row + 1) if g1[f"A{r}"].value == "practice")
        g1[f"I{practice}"], g1[f"F{practice}"] = "Transformation team", "P"
        g1[f"J{practice}"], g1[f"K{practice}"] = 1, "Appoint the leader"
        book["Organisations"]["B2"] = "Iri city council, digital office"

    graph = rdfio.parse_data(edit(template, fill), "xlsx")
    report = validate_mapping(graph)
    assert report.conforms, [r.message for r in report.by_severity("Violation")]
    steps = list(graph.subjects(RDF.type, BPF.ActionStep))
    assert len(steps) == 1


#: what a spreadsheet stores for what an officer types, and the term it is read as
TYPED = [
    ("H", dt.datetime(2026, 3, 1), Literal("2026-03-01", datatype=XSD_DATE)),
    ("H", dt.date(2026, 3, 1), Literal("2026-03-01", datatype=XSD_DATE)),
    ("H", dt.datetime(2026, 3, 1, 9, 30), Literal("2026-03-01T09:30:00", datatype=XSD_DATETIME)),
    ("H", "2026-03-01T09:30:00Z", Literal("2026-03-01T09:30:00Z", datatype=XSD_DATETIME)),
    ("F", "l", ID["rating/L"]),
    ("D", "Adopted", ID["adoption-status/adopted"]),
    ("G", "https://example.org/report.pdf", URIRef("https://example.org/report.pdf")),
    ("G", "Council minutes, 3 March", Literal("Council minutes, 3 March", lang="en")),
]
PROPERTY = {
    "H": DCTERMS.date,
    "F": BPF.achievementRating,
    "D": BPF.adoptionStatus,
    "G": BPF.evidence,
}


@pytest.mark.parametrize(("column", "value", "term"), TYPED, ids=[repr(t[1]) for t in TYPED])
def test_cells_as_spreadsheets_store_them(template, column, value, term):
    graph = rdfio.parse_data(edit(template, _set("G1", f"{column}{ROW}", value)), "xlsx")
    assert list(graph.objects(None, PROPERTY[column])) == [term]


def test_convert_refuses_what_a_workbook_cannot_hold(tmp_path: Path):
    source = ROOT / "tests" / "data" / "mappings" / "invalid" / "derived-summary-asserted.ttl"
    proc = run("convert", str(source), str(tmp_path / "m.xlsx"))
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert "cannot be written as a workbook" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "m.xlsx").exists()
