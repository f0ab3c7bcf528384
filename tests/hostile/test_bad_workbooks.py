"""Bad workbooks: each refused with one clear line — exit 2 from the command line, 400 from
the service — with nothing stored, and quickly."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, URIRef

from bpfgraph import rdfio
from bpfgraph.workbook import template_workbook

from ..servers import BpfgraphServer
from ..test_cli import assert_no_traceback, run
from ..workbooks import G1_PART, XLSX, edit, edit_parts, g1_cell, g1_rows, g1_xml

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


# --- raw XML a spreadsheet program would not write (the parts edited as bytes) ----------------


def _parts(change: Callable[[dict[str, bytes]], None]) -> Callable[[bytes], bytes]:
    return lambda data: edit_parts(data, change)


_DTD = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
_XXE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def _dtd(part: str, encoding: str = "utf-8", bom: bytes = b"", dtd: str = _DTD):
    """A spoiler that gives ``part`` a DTD, the part encoded in ``encoding``."""

    def change(parts: dict[str, bytes]) -> None:
        xml = parts[part].decode("utf-8")
        xml = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
        label = encoding.split("-le")[0].split("-be")[0].upper()
        text = f'<?xml version="1.0" encoding="{label}"?>{dtd}{xml}'
        parts[part] = bom + text.encode(encoding)

    return _parts(change)


def _add(name: str, content: bytes) -> Callable[[bytes], bytes]:
    return _parts(lambda parts: parts.__setitem__(name, content))


def _patch(name: str, local: int, central: int, value: int, width: int = 2):
    """A spoiler that writes ``value`` at offset ``local`` of entry ``name``'s local header and
    ``central`` of its central directory record (an encryption flag, a compression method)."""

    def make(data: bytes) -> bytes:
        out = bytearray(data)
        for sig, size_at, name_at, at in ((b"PK\3\4", 26, 30, local), (b"PK\1\2", 28, 46, central)):
            i = out.find(sig)
            while i >= 0:
                n = int.from_bytes(out[i + size_at : i + size_at + 2], "little")
                if out[i + name_at : i + name_at + n] == name.encode():
                    out[i + at : i + at + width] = value.to_bytes(width, "little")
                i = out.find(sig, i + 4)
        return bytes(out)

    return lambda data: make(edit_parts(data, lambda _p: None))


def _practice_cell(column: str, value: str) -> Callable[[bytes], bytes]:
    def change(book) -> None:
        ws = book["G1"]
        row = next(r for r in range(7, ws.max_row + 1) if ws[f"A{r}"].value == "practice")
        ws[f"{column}{row}"], ws[f"K{row}"] = value, "a step"

    return _change(change)


_WS = "xl/worksheets/sheet2.xml"  # the Mapping sheet; Base is its B3
_INLINE = '<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

#: name, how to spoil the template, what the one line says
RAW_CASES: list[tuple[str, Callable[[bytes], bytes], str]] = [
    # DTDs, whatever the part's name and encoding
    ("dtd-sheet-utf8", _dtd(G1_PART), f"{G1_PART} declares a DTD"),
    ("dtd-sheet-utf16le-bom", _dtd(G1_PART, "utf-16-le", b"\xff\xfe"), f"{G1_PART} declares a DTD"),
    ("dtd-sheet-utf16be-bom", _dtd(G1_PART, "utf-16-be", b"\xfe\xff"), f"{G1_PART} declares a DTD"),
    ("dtd-sheet-utf16le-no-bom", _dtd(G1_PART, "utf-16-le"), f"{G1_PART} declares a DTD"),
    ("dtd-sheet-utf16be-no-bom", _dtd(G1_PART, "utf-16-be"), f"{G1_PART} declares a DTD"),
    ("dtd-sheet-utf32", _dtd(G1_PART, "utf-32"), f"{G1_PART} declares a DTD"),
    ("dtd-lower-case", _dtd(G1_PART, dtd=_DTD.lower()), f"{G1_PART} declares a DTD"),
    ("dtd-upper-case-suffix", _add("xl/custom.XML", LAUGHS), "xl/custom.XML declares a DTD"),
    ("dtd-dat-part", _add("xl/worksheets/sheet5.dat", LAUGHS), "sheet5.dat declares a DTD"),
    ("dtd-shared-strings", _add("xl/sharedStrings.xml", LAUGHS), "xl/sharedStrings.xml declares"),
    ("dtd-styles", _dtd("xl/styles.xml"), "xl/styles.xml declares a DTD"),
    ("dtd-workbook", _dtd("xl/workbook.xml", "utf-16"), "xl/workbook.xml declares a DTD"),
    ("dtd-content-types", _dtd("[Content_Types].xml"), "[Content_Types].xml declares a DTD"),
    ("xxe-sheet", _dtd(G1_PART, "utf-16", dtd=_XXE), f"{G1_PART} declares a DTD"),
    # zip entries that do not unpack
    ("encrypted-entry", _patch("xl/theme/theme1.xml", 6, 8, 1), "xl/theme/theme1.xml: an encrypted zip entry"),
    ("method-9", _patch("docProps/app.xml", 8, 10, 9), "docProps/app.xml: a zip entry that cannot be unpacked"),
    ("method-99", _patch(G1_PART, 8, 10, 99), f"{G1_PART}: a zip entry that cannot be unpacked"),
    ("bad-crc", _patch(G1_PART, 14, 16, 0x1234), f"{G1_PART}: a zip entry that cannot be unpacked (Bad CRC"),
    ("short-size", _patch(G1_PART, 22, 24, 100), f"{G1_PART}: a zip entry that cannot be unpacked"),
    # cells whose type and value disagree, references out of place, XML not well formed
    ("shared-string-abc", g1_cell('<c r="B3" t="s"><v>abc</v></c>'), 'G1!B3: a shared-string cell pointing at "abc"'),
    ("shared-string-99999", g1_cell('<c r="B3" t="s"><v>99999</v></c>'), 'G1!B3: a shared-string cell pointing at "99999"'),
    ("shared-string-negative", g1_cell('<c r="B3" t="s"><v>-1</v></c>'), "G1!B3: a shared-string cell"),
    ("number-abc", g1_cell('<c r="B3" t="n"><v>abc</v></c>'), 'G1!B3: a number cell holding "abc"'),
    ("number-inf", g1_cell('<c r="B3"><v>inf</v></c>'), 'G1!B3: a number cell holding "inf"'),
    ("number-nan", g1_cell('<c r="B3"><v>NaN</v></c>'), 'G1!B3: a number cell holding "NaN"'),
    ("number-1e999", g1_cell('<c r="B3"><v>1e999</v></c>'), 'G1!B3: a number cell holding "1e999"'),
    ("number-5000-digits", g1_cell(f'<c r="B3"><v>{"9" * 5000}</v></c>'), "G1!B3: a number cell"),
    ("boolean-x", g1_cell('<c r="B3" t="b"><v>x</v></c>'), 'G1!B3: a true/false cell holding "x"'),
    ("date-notadate", g1_cell('<c r="B3" t="d"><v>notadate</v></c>'), 'G1!B3: a date cell holding "notadate"'),
    ("unknown-type", g1_cell('<c r="B3" t="zz"><v>1</v></c>'), 'G1!B3: an unknown cell type t="zz"'),
    ("error-ref", g1_cell('<c r="B3" t="e"><v>#REF!</v></c>'), "G1!B3: an error value (#REF!)"),
    ("error-div0", g1_cell('<c r="B3" t="e"><v>#DIV/0!</v></c>'), "G1!B3: an error value (#DIV/0!)"),
    ("ref-garbage", g1_cell(_INLINE.format(ref="!!", text="x")), 'G1: a cell r="!!" in row 3'),
    ("ref-A0", g1_cell(_INLINE.format(ref="A0", text="x")), 'G1: a cell r="A0" in row 3'),
    ("ref-other-row", g1_cell(_INLINE.format(ref="B1048577", text="x")), 'G1: a cell r="B1048577" in row 3'),
    ("ref-beyond-xfd", g1_cell(_INLINE.format(ref="XFE3", text="x")), "G1!XFE3: a cell out of order or beyond column XFD"),
    ("ref-out-of-order", g1_cell(_INLINE.format(ref="A3", text="x") + "<c r=\"A3\"/>"), "G1!A3: a cell out of order"),
    ("row-garbage", g1_xml(lambda x: x.replace('<row r="3">', '<row r="3x">')), 'G1: a row numbered r="3x"'),
    ("rows-out-of-order", g1_xml(lambda x: x.replace('<row r="3">', '<row r="1">')), "G1: row 1 comes after row 2"),
    ("char-ref-nul", g1_cell(_INLINE.format(ref="B3", text="a&#0;b")), "G1 (xl/worksheets/sheet5.xml): the sheet's XML is not well formed"),
    ("char-ref-surrogate", g1_cell(_INLINE.format(ref="B3", text="&#xD800;")), "the sheet's XML is not well formed"),
    ("truncated-xml", g1_xml(lambda x: x[:3000]), "G1 (xl/worksheets/sheet5.xml): the sheet's XML is not well formed"),
    ("far-cell-with-value", g1_rows(_INLINE.format(ref="XFD60", text="x").join(['<row r="60">', "</row>"])), "G1!XFD60: a cell right of column O"),
    ("far-row-with-value", g1_rows('<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>outcome</t></is></c></row>'), "G1: more than 5,000 rows"),
    ("too-many-cells", g1_rows("".join(f'<row r="{n}">{"<c/>" * 60}</row>' for n in range(55, 4000))), "G1: more than 200,000 cells"),
    ("elements-in-sheet", g1_xml(lambda x: x.replace("</sheetData>", "</sheetData>" + "<x/>" * 900_000)), f"{G1_PART}: the workbook's XML holds more than 800,000 elements"),
    ("empty-rows-in-sheet", g1_rows("<row/>" * 900_000), "the workbook's XML holds more than 800,000 elements"),
    ("elements-in-styles", _add("xl/styles2.xml", b"<styleSheet>" + b"<xf/>" * 250_000 + b"</styleSheet>"), "xl/styles2.xml: more than 200,000 XML elements in a part other than a sheet"),
    ("elements-in-shared-strings", _add("xl/sharedStrings.xml", b"<sst>" + b"<si><t>x</t></si>" * 800_000 + b"</sst>"), "xl/sharedStrings.xml: more than 200,000 XML elements in a part other than a sheet"),
    # numbers Python cannot take
    ("step-no-5000-digits", _practice_cell("J", "9" * 5000), '" is not a step number'),
    ("step-no-superscript", _practice_cell("J", "²"), 'is not a step number'),
    ("practice-no-superscript", _practice_cell("B", "²"), '"²" is not the number of a base practice'),
    ("practice-no-5000-digits", _practice_cell("B", "9" * 5000), "…\" is not the number of a base practice"),
    ("practice-no-arabic-digit", _practice_cell("B", "٣"), '"٣" is not the number of a base practice'),
    # the limits every syntax has
    ("text-over-limit", g1_cell(_INLINE.format(ref="B3", text="x" * 1_000_001)), "G1!B3: a text of 1,000,001 characters, longer than the limit of 1,000,000"),
    ("iri-over-limit", g1_cell(_INLINE.format(ref="B2", text="x" * 999_990), "B2"), "G1!B2: an IRI of 1,0"),
    # IDs and Base that would be links that run something
    ("id-javascript", g1_cell(_INLINE.format(ref="B2", text="javascript:alert(1)"), "B2"), "G1!B2: \"javascript:alert(1)\": an IRI whose scheme is javascript:"),
    ("id-data", g1_cell(_INLINE.format(ref="B2", text="data:text/html,x"), "B2"), "an IRI whose scheme is data:"),
    ("id-file", g1_cell(_INLINE.format(ref="B2", text="file:///etc/passwd"), "B2"), "an IRI whose scheme is file:"),
    ("id-vbscript", g1_cell(_INLINE.format(ref="B2", text="VBScript:x"), "B2"), "an IRI whose scheme is vbscript:"),
    ("base-javascript", _parts(lambda p: p.__setitem__(_WS, re.sub(rb'(<c r="B3"[^>]*><is><t>)[^<]*', rb"\1javascript:alert(1)//", p[_WS]))), "Mapping!B3: \"javascript:alert(1)//\": an IRI whose scheme is javascript:"),
    # parts openpyxl reads in Python's words
    ("chart-sheet", _add("xl/chartsheets/sheet1.xml", b"<chartsheet/>"), "xl/chartsheets/sheet1.xml: a chart sheet"),
    ("bad-sheet-state", _parts(lambda p: p.__setitem__("xl/workbook.xml", p["xl/workbook.xml"].replace(b'state="visible"', b'state="bogus"', 1))), "xl/workbook.xml: a sheet's state is not visible, hidden or veryHidden"),
    ("missing-rels", _parts(lambda p: p.pop("xl/_rels/workbook.xml.rels")), "xl/_rels/workbook.xml.rels: a part the workbook needs is missing"),
]  # fmt: skip


@pytest.fixture(scope="module")
def raw() -> dict[str, bytes]:
    template = _template()
    return {name: spoil(template) for name, spoil, _message in RAW_CASES}


@pytest.mark.parametrize(("name", "message"), [(c[0], c[2]) for c in RAW_CASES])
def test_raw_xml_refused_with_one_line(raw, name, message):
    started = time.process_time()
    with pytest.raises(rdfio.RDFInputError) as caught:
        rdfio.parse_data(raw[name], "xlsx", f"{name}.xlsx")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    assert time.process_time() - started < 2


def test_raw_xml_400_over_http(server, raw):
    for name, _spoil, message in RAW_CASES:
        headers = {"Content-Type": XLSX}
        r = httpx.post(server.url("/validate"), content=raw[name], headers=headers, timeout=60)
        assert r.status_code == 400, (name, r.text[:300])
        assert message in r.json()["error"], name


def _far(cell: str, rows: range = range(55, 4995)) -> Callable[[bytes], bytes]:
    return g1_rows("".join(f'<row r="{n}">{cell.format(n=n)}</row>' for n in rows))


#: empty cells far right or far down (Excel writes them for formatting): read, and quickly —
#: openpyxl padded every row to column XFD (minutes of CPU for a 175 KB workbook)
FAR_EMPTY: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("empty-cell-at-xfd-every-row", _far('<c r="XFD{n}"/>')),
    ("styled-cell-at-aaa-every-row", _far('<c r="AAA{n}" s="2"/>')),
    ("cells-without-references", _far('<c s="2"/>' * 8)),
    ("dimension-xfd1048576", g1_xml(lambda x: x.replace('ref="A1:O44"', 'ref="A1:XFD1048576"'))),
    ("empty-row-1048576", g1_rows('<row r="1048576"><c r="XFD1048576"/></row>')),
]


@pytest.mark.parametrize(("name", "spoil"), FAR_EMPTY, ids=[c[0] for c in FAR_EMPTY])
def test_far_empty_cells_cost_nothing(name, spoil):
    template = _template()
    data = spoil(template)
    started = time.process_time()
    graph = rdfio.parse_data(data, "xlsx", f"{name}.xlsx")
    assert time.process_time() - started < 1
    assert len(graph) == len(rdfio.parse_data(template, "xlsx"))


def _shared_strings(parts: dict[str, bytes]) -> None:
    """Give the template a shared-strings part, as Excel and LibreOffice write, and make
    G1!B3 (the process mapping's name) its string 0."""
    ss = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>Shared name</t></si></sst>'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ss}"/></Types>'.encode(),
    )
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        f'<Relationship Type="{rel}" Target="sharedStrings.xml" Id="rIdSS"/></Relationships>'.encode(),
    )
    parts[G1_PART] = re.sub(
        rb'<c r="B3"[^>]*>.*?</c>', b'<c r="B3" t="s"><v>0</v></c>', parts[G1_PART], count=1
    )


@pytest.mark.parametrize(("index", "read"), [("0", True), ("1", False), ("00", True)])
def test_shared_strings_are_read_within_their_count(index, read):
    def change(parts: dict[str, bytes]) -> None:
        _shared_strings(parts)
        parts[G1_PART] = parts[G1_PART].replace(b"<v>0</v>", f"<v>{index}</v>".encode())

    data = edit_parts(_template(), change)
    if read:
        graph = rdfio.parse_data(data, "xlsx")
        assert any(str(o) == "Shared name" for o in graph.objects())
    else:
        with pytest.raises(
            rdfio.RDFInputError, match=r'G1!B3: a shared-string cell pointing at "1"'
        ):
            rdfio.parse_data(data, "xlsx")


def _many_sub_processes(rows: int, padding: int = 0) -> Callable[[bytes], bytes]:
    """G1 with ``rows`` practice rows of practice 1, each a sub-process of its own name and no
    ID (each ID minted), after ``padding`` organisations whose explicit IDs take the names
    minting would try first (the attack that made minting quadratic: minutes per upload)."""

    def change(book) -> None:
        sheet = book["G1"]
        sheet.protection.sheet = False
        first = 7
        for r in range(first, first + rows):
            for c in range(1, 16):
                sheet.cell(r, c).value = None
            sheet.cell(r, 1).value, sheet.cell(r, 2).value = "practice", 1
            sheet.cell(r, 9).value = f"sub-process {r}"
        sheet.delete_rows(first + rows, sheet.max_row)
        orgs = book["Organisations"]
        for i in range(padding):
            orgs.cell(3 + i, 1).value = f"G1-sub-process-1-{i + 2}"
            orgs.cell(3 + i, 2).value = f"Office {i}"

    return lambda data: edit(data, change)


@pytest.mark.parametrize(("rows", "padding"), [(1_000, 0), (4_900, 0), (2_000, 4_000)])
def test_minting_ids_is_linear(rows: int, padding: int):
    data = _many_sub_processes(rows, padding)(_template())
    started = time.process_time()
    graph = rdfio.parse_data(data, "xlsx", "minted.xlsx")
    took = time.process_time() - started
    assert took < 0.002 * (rows + padding) + 2, took  # was 15 s for 4,900 rows, 211 s padded
    sub_process = URIRef("https://w3id.org/bpfgraph/def#SubProcess")
    assert len(set(graph.subjects(RDF.type, sub_process))) == rows  # each its own ID
