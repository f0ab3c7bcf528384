"""Bad workbooks: each refused with one clear line — exit 2 from the command line, 400 from
the service — with nothing stored, and quickly."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bpfgraph import rdfio
from bpfgraph.workbook import template_workbook

from ..servers import BpfgraphServer
from ..test_cli import assert_no_traceback, run
from ..workbooks import XLSX, edit

GRAPH = "https://example.org/graph/mapping/bad-workbook"


def _template() -> bytes:
    return template_workbook("https://example.org/city/iri", "Iri 2026")


def _with_entry(name: str, content: bytes, compression: int = zipfile.ZIP_DEFLATED):
    def make(data: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
            dst.writestr(name, content, compress_type=compression)
        return out.getvalue()

    return make


def _change(change: Callable) -> Callable[[bytes], bytes]:
    return lambda data: edit(data, change)


def _rows(book) -> None:
    ws = book["Organisations"]
    for i in range(100_000):
        ws.append([f"org-{i}", "x"])


def _rows_in_all(book) -> None:
    for sheet in ("Organisations", "City outcomes", "G1", "G2", "G3"):
        ws = book[sheet]
        for i in range(4_500 - ws.max_row):
            ws.append(
                [f"row-{i}"] if sheet in ("Organisations", "City outcomes") else ["outcome", 1]
            )


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
)


#: name, how to spoil the template (or the bytes themselves), what the one line says
CASES: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("not-a-zip", lambda _d: b"Name,Status\nG1,adopted\n", "not an .xlsx workbook (not a zip file)"),
    ("damaged-zip", lambda d: d[: len(d) // 2], "not an .xlsx workbook"),
    ("macros", _with_entry("xl/vbaProject.bin", b"\0" * 64), "macro-enabled workbook"),
    ("formula", _change(lambda b: b["G1"].__setitem__("F7", "=1+1")), "G1!F7: formulas are not read"),
    ("merged-cells", _change(lambda b: b["C4"].merge_cells("D7:E7")), "C4!D7:E7: merged cells"),
    ("renamed-sheet", _change(lambda b: setattr(b["C4"], "title", "Cities")), 'sheet "Cities" is not part of a mapping workbook (is it "C4" renamed?)'),
    ("missing-sheet", _change(lambda b: b.remove(b["S5"])), 'the workbook has no sheet "S5"'),
    ("extra-column", _change(lambda b: b["G2"].__setitem__("P9", "note")), "G2!P9: a cell right of column O"),
    ("100000-rows", _change(_rows), "Organisations: more than 5,000 rows"),
    ("zip-bomb", _with_entry("xl/media/filler.bin", b"\0" * 80_000_000), "more than the limit of"),
    ("xml-entities", _with_entry("xl/custom.xml", LAUGHS), "xl/custom.xml declares a DTD"),
    ("rows-in-all", _change(_rows_in_all), "more than 20,000 rows in all"),
]  # fmt: skip


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder, template = tmp_path_factory.mktemp("bad-workbooks"), _template()
    made = {}
    for name, spoil, _message in CASES:
        made[name] = folder / f"{name}.xlsx"
        made[name].write_bytes(spoil(template))
    return made


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("bad-workbook-server"))
    yield srv
    srv.stop()


@pytest.mark.parametrize(("name", "message"), [(c[0], c[2]) for c in CASES])
def test_read_refuses_quickly(files, name, message):
    started = time.monotonic()
    with pytest.raises(rdfio.RDFInputError) as caught:
        rdfio.parse_file(files[name])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(("name", "message"), [(c[0], c[2]) for c in CASES])
def test_validate_exits_2_with_one_line(files, name, message):
    proc = run("validate", str(files[name]))
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert message in proc.stdout + proc.stderr


@pytest.mark.parametrize(("name", "message"), [(c[0], c[2]) for c in CASES])
def test_put_graphs_400_and_nothing_stored(server, files, name, message):
    body = files[name].read_bytes()
    headers = {"Content-Type": XLSX, **server.auth}
    r = httpx.put(
        server.url("/graphs"), params={"graph": GRAPH}, content=body, headers=headers, timeout=60
    )
    assert r.status_code == 400, r.text
    assert message in r.json()["error"]
    r = httpx.get(server.url("/graphs"), params={"graph": GRAPH}, timeout=60)
    assert r.status_code == 404
    r = httpx.post(
        server.url("/validate"), content=body, headers={"Content-Type": XLSX}, timeout=60
    )
    assert r.status_code == 400 and message in r.json()["error"]


@pytest.mark.parametrize("suffix", [".xlsm", ".xlsb", ".xls"])
def test_other_workbook_files_are_named_and_refused(files, tmp_path, suffix):
    path = tmp_path / f"mapping{suffix}"
    path.write_bytes(files["macros"].read_bytes())
    proc = run("validate", str(path))
    assert proc.returncode == 2
    assert_no_traceback(proc)
    assert f"a {suffix} workbook is not read: save it as .xlsx" in proc.stdout + proc.stderr
