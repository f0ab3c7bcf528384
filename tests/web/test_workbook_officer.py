"""A city officer's workbook, end to end: the template filled in with openpyxl as an officer
would (statuses, definitions, sub-processes, steps, ratings), validated on the command line,
stored through ``PUT /graphs`` on a real server and shown on the city's page."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bpfgraph.rdfio import workbook_layout as lay
from bpfgraph.workbook import template_workbook

from ..servers import BpfgraphServer
from ..test_cli import run
from ..workbooks import XLSX, edit

CITY = "https://example.org/city/iri"
MAPPING = CITY + "/bpf-mapping/mapping"
GRAPH = "https://example.org/graph/mapping/iri-2026"
FIRST = lay.HEADER_ROW + 1


def fill(book) -> None:
    """What an officer types: the organisation, G1's outcomes and its first practice's
    sub-process with two action steps, a declined outcome of C4 with a city definition."""
    book["Organisations"]["B2"] = "Iri City Council, Digital Office"
    book["Mapping"]["B7"] = "Iri's first assessment against ISO/IEC 30145-1."  # Description
    g1 = book["G1"]
    g1["B3"] = "Iri Digital Board"
    rows = {(g1[f"A{r}"].value, g1[f"B{r}"].value): r for r in range(FIRST, g1.max_row + 1)}
    o1, o2, p1 = rows["outcome", 1], rows["outcome", 2], rows["practice", 1]
    g1[f"D{o1}"], g1[f"E{o1}"], g1[f"F{o1}"] = "adopted", "Iri Vision 2035, adopted in 2025.", "L"
    g1[f"G{o1}"], g1[f"H{o1}"] = "https://example.org/city/iri/vision-2035.pdf", "2026-03-01"
    g1[f"D{o2}"], g1[f"E{o2}"] = "planned", "Town meetings in every district in 2026."
    g1[f"I{p1}"], g1[f"F{p1}"], g1[f"H{p1}"] = "Iri transformation team", "P", "2026-03-01"
    g1[f"J{p1}"], g1[f"K{p1}"] = 1, "Appoint the chief digital officer"
    g1[f"L{p1}"], g1[f"M{p1}"] = "Appointed in January.", "Give the post a budget."
    g1.insert_rows(p1 + 1)
    for column, value in zip("ABIFHJKLM", ("practice", 1, "Iri transformation team", "P",
                                          "2026-03-01", 2, "Form the team", "Six members.",
                                          "Add a data specialist."), strict=True):  # fmt: skip
        g1[f"{column}{p1 + 1}"] = value
    c4 = book["C4"]
    c4[f"D{FIRST}"], c4[f"E{FIRST}"] = "declined", "The region runs this for us."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("officer"))
    yield srv
    srv.stop()


def test_an_officers_workbook_validates_loads_and_shows(server: BpfgraphServer, tmp_path: Path):
    path = tmp_path / "iri.xlsx"
    path.write_bytes(edit(template_workbook(CITY, "Iri 2026"), fill))
    proc = run("validate", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 violations" in proc.stdout
    body = path.read_bytes()
    r = httpx.post(
        server.url("/validate"), content=body, headers={"Content-Type": XLSX}, timeout=60
    )
    assert r.status_code == 200 and r.json()["conforms"] is True
    r = httpx.put(
        server.url("/graphs"),
        params={"graph": GRAPH},
        content=body,
        headers={"Content-Type": XLSX, **server.auth},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    page = httpx.get(server.url("/city"), params={"mapping": MAPPING}, timeout=60)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "<h1>Iri 2026</h1>" in text and f"<code>{CITY}</code>" in text
    for cell in (
        "G1 outcome 1: adopted, rated L",
        "G1 outcome 2: planned",
        "C4 outcome 1: declined",
    ):
        assert f'title="{cell}"' in text
    steps = httpx.post(
        server.url("/sparql"),
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ "
              "?s a <https://w3id.org/bpfgraph/def#ActionStep> } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    ).json()  # fmt: skip
    assert steps["results"]["bindings"][0]["n"]["value"] == "2"


def test_a_bad_rating_is_refused_with_its_cell_and_nothing_stored(server: BpfgraphServer):
    def spoil(book) -> None:
        book["C4"][f"F{FIRST}"] = "Q"

    body = edit(template_workbook(CITY, "Iri 2026"), spoil)
    graph = GRAPH + "-bad"
    r = httpx.put(
        server.url("/graphs"),
        params={"graph": graph},
        content=body,
        headers={"Content-Type": XLSX, **server.auth},
        timeout=60,
    )
    assert r.status_code == 400
    assert f'C4!F{FIRST}: "Q" is not a rating; use N, P, L or F' in r.json()["error"].replace(
        "'", '"'
    )
    assert httpx.get(server.url("/graphs"), params={"graph": graph}, timeout=60).status_code == 404


def test_load_takes_a_workbook(tmp_path: Path):
    path = tmp_path / "iri.xlsx"
    path.write_bytes(edit(template_workbook(CITY, "Iri 2026"), fill))
    proc = run("load", "--store", "oxigraph", "--data-dir", str(tmp_path / "store"), str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "stored" in proc.stdout and "iri.xlsx" in proc.stdout


def test_the_html_report_points_back_to_the_row(server: BpfgraphServer):
    def adopt_without_words(book) -> None:
        book["G1"][f"D{FIRST}"] = "adopted"

    body = edit(template_workbook(CITY, "Iri 2026"), adopt_without_words)
    r = httpx.post(
        server.url("/validate"),
        content=body,
        headers={"Content-Type": XLSX, "Accept": "text/html"},
        timeout=60,
    )
    assert r.status_code == 200
    row = next(line for line in r.text.split("<tr>") if "is marked as adopted" in line)
    assert f"(G1, row {FIRST})" in row


def test_the_json_and_text_reports_name_the_cell(server: BpfgraphServer, tmp_path: Path):
    """Programs (JSON, over HTTP and from the command line) and people (text) get the cell of
    the row a result is about."""

    def adopt_without_words(book) -> None:
        book["C3"][f"D{FIRST + 1}"] = "adopted"

    body = edit(template_workbook(CITY, "Iri 2026"), adopt_without_words)
    r = httpx.post(
        server.url("/validate"), content=body, headers={"Content-Type": XLSX}, timeout=60
    )
    path = tmp_path / "iri.xlsx"
    path.write_bytes(body)
    proc = run("validate", "--format", "json", str(path))
    for doc in (r.json(), json.loads(proc.stdout)):
        results = doc["files"][0]["results"]
        (adopted,) = [x for x in results if "is marked as adopted" in x["message"]]
        assert adopted["cell"] == f"C3!A{FIRST + 1}"
        # every node the workbook writes has its row: every result names a cell
        assert all(x["cell"] and "!" in x["cell"] for x in results)
    text = run("validate", str(path)).stdout
    line = text.splitlines()[
        text.splitlines().index(next(x for x in text.splitlines() if "is marked as adopted" in x))
        + 1
    ]
    assert f"cell: C3!A{FIRST + 1}" in line
