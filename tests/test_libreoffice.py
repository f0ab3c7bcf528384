"""The city mapping workbook in LibreOffice Calc (Debian's ``libreoffice-calc-nogui``;
``scripts/test`` installs it): the template and a filled example, each converted by
``soffice --headless`` to one CSV per sheet, read by LibreOffice with the framework's text in
the cells where openpyxl reads it; and a workbook saved again by LibreOffice (as an officer
who opens and saves it there would) read by ``bpfgraph convert`` and ``bpfgraph validate`` to
the same graph and the same verdict as the original.

Each run of soffice has a private user profile (``-env:UserInstallation``) in a temporary
directory, so that it neither needs nor touches a home directory, and a 120 s timeout.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from rdflib import Graph

from .conftest import ROOT
from .test_cli import assert_no_traceback, run
from .workbooks import nt_set

pytestmark = pytest.mark.slow

CITY = "https://example.org/city/x"
#: LibreOffice's CSV filter options: comma, double quote, UTF-8 (76), from line 1, cell format
#: and language left as they are, then: quote all text cells no, detect special numbers
#: (import only), save cell contents as shown no (the values, not their display), export
#: formulas no, remove spaces no, and sheet -1: every sheet to a file of its own,
#: ``<name>-<sheet>.csv``
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail(
            "no soffice: install Debian's libreoffice-calc-nogui (scripts/test does when missing)"
        )
    return found


def convert(source: Path, to: str, outdir: Path, profile: Path) -> None:
    """``soffice --convert-to`` in a private profile, within 120 s; fails the test otherwise."""
    proc = subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The template (``t``) and the Aldermoor example (``a``) as workbooks."""
    where = tmp_path_factory.mktemp("books")
    template = where / "t.xlsx"
    proc = run(
        "template", "--format", "xlsx", "--city", CITY, "--label", "X", "--output", str(template)
    )
    assert proc.returncode == 0, proc.stderr
    example = where / "a.xlsx"
    proc = run("convert", str(ROOT / "data" / "examples" / "aldermoor.ttl"), str(example))
    assert proc.returncode == 0, proc.stderr
    return {"t": template, "a": example}


@pytest.mark.parametrize("name", ["t", "a"])
def test_libreoffice_reads_every_sheet_with_the_text_openpyxl_reads(
    books: dict[str, Path], name: str, tmp_path: Path
) -> None:
    book = books[name]
    convert(book, CSV_FILTER, tmp_path / "csv", tmp_path / "profile")
    expected = load_workbook(book)
    written = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert written == sorted(f"{name}-{s}.csv" for s in expected.sheetnames)
    texts = 0
    for sheet in expected.worksheets:
        with (tmp_path / "csv" / f"{name}-{sheet.title}.csv").open(encoding="utf-8") as f:
            got = list(csv.reader(f))
        cells = {
            (r, c): value
            for r, row in enumerate(got, 1)
            for c, value in enumerate(row, 1)
            if value != ""
        }
        want = {
            (cell.row, cell.column): str(cell.value)
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None and str(cell.value) != ""
        }
        assert cells == want, sheet.title  # every cell, nothing more, nothing less
        texts += sum(isinstance(cell.value, str) for row in sheet.iter_rows() for cell in row)
    # the framework's text is among them: every process sheet names its outcomes
    assert texts > 800
    c4 = expected["C4"]
    assert any(isinstance(c.value, str) and len(c.value) > 40 for c in c4["C"])


def _graph(proc: subprocess.CompletedProcess, path: Path) -> Graph:
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    return Graph().parse(path)


@pytest.mark.parametrize("name", ["t", "a"])
def test_a_workbook_saved_by_libreoffice_reads_to_the_same_graph(
    books: dict[str, Path], name: str, tmp_path: Path
) -> None:
    book = books[name]
    convert(book, "xlsx", tmp_path / "saved", tmp_path / "profile")
    saved = tmp_path / "saved" / book.name
    assert saved.read_bytes() != book.read_bytes()  # LibreOffice wrote it anew
    original = _graph(run("convert", str(book), str(tmp_path / "o.ttl")), tmp_path / "o.ttl")
    again = _graph(run("convert", str(saved), str(tmp_path / "s.ttl")), tmp_path / "s.ttl")
    assert len(original) > 100
    assert nt_set(again) == nt_set(original)
    # the same verdict from validate (the template warns of unfinished work; the example
    # conforms), with the same figures
    verdicts = []
    for path in (book, saved):
        proc = run("validate", str(path))
        assert_no_traceback(proc)
        verdicts.append((proc.returncode, proc.stdout.strip().splitlines()[-1]))
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][0] == 0 and "conforms" in verdicts[0][1]


def test_libreoffice_keeps_the_drop_down_lists_and_protection(
    books: dict[str, Path], tmp_path: Path
) -> None:
    convert(books["t"], "xlsx", tmp_path / "saved", tmp_path / "profile")
    before, after = load_workbook(books["t"]), load_workbook(tmp_path / "saved" / "t.xlsx")
    assert after.sheetnames == before.sheetnames

    def lists(book: Workbook) -> set[tuple[str, str, str | None]]:
        return {
            (ws.title, str(dv.sqref), dv.formula1)
            for ws in book.worksheets
            for dv in ws.data_validations.dataValidation
        }

    assert lists(after) == lists(before) and len(lists(before)) > 20
    assert [ws.protection.sheet for ws in after.worksheets] == [
        ws.protection.sheet for ws in before.worksheets
    ]
