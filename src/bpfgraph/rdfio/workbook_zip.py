"""The checks a workbook passes before openpyxl opens it: a zip, no macros, no bomb.

Each refusal is an :class:`~.errors.RDFInputError` with one line that says what is wrong.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from .errors import RDFInputError
from .workbook_layout import MAX_PART_TAGS, MAX_TAGS, MAX_UNPACKED

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([^\"]+)\"")


def open_zip(data: bytes, source: str) -> zipfile.ZipFile:
    """The workbook as a zip archive, once it is known to be a plain ``.xlsx`` that unpacks to
    at most :data:`MAX_UNPACKED` bytes."""
    if not data.startswith(b"PK"):
        raise RDFInputError(source, "not an .xlsx workbook (not a zip file)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise RDFInputError(source, f"not an .xlsx workbook (a damaged zip file: {exc})") from None
    names = {i.filename for i in infos}
    macros = "a macro-enabled workbook (.xlsm) is not read: save it as .xlsx without macros"
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise RDFInputError(source, macros)
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise RDFInputError(
            source,
            f"the workbook unpacks to {unpacked:,} bytes, more than the limit of "
            f"{MAX_UNPACKED:,} (a zip bomb, or far more than a mapping needs)",
        )
    if "xl/workbook.xml" not in names:
        raise RDFInputError(source, "not an .xlsx workbook (no xl/workbook.xml in the zip)")
    charts = sorted(n for n in names if n.startswith("xl/chartsheets/") and n.endswith(".xml"))
    if charts:
        raise RDFInputError(
            source,
            f"{charts[0][:200]}: a chart sheet, which a mapping workbook has not; delete it",
        )
    tags = 0
    for info in infos:
        held = _check_part(archive, info, source)
        if held > MAX_PART_TAGS and not info.filename.startswith("xl/worksheets/"):
            raise RDFInputError(
                source,
                f"{info.filename[:200]}: more than {MAX_PART_TAGS:,} XML elements in a part "
                "other than a sheet (styles or strings far beyond what a mapping needs)",
            )
        tags += held
        if tags > MAX_TAGS:
            raise RDFInputError(
                source,
                f"{info.filename[:200]}: the workbook's XML holds more than {MAX_TAGS:,} elements "
                "(the limit; a mapping needs far fewer)",
            )
    if _macro_type(archive, names):
        raise RDFInputError(source, macros)
    return archive


#: what unpacking a damaged, encrypted or oddly compressed zip entry raises
_UNPACK_ERRORS = (
    zipfile.BadZipFile,
    RuntimeError,
    NotImplementedError,
    OSError,
    EOFError,
    zlib.error,
)
#: a DTD or an entity declaration, in any case
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> int:
    """How many elements the entry holds (0 for a part that is not XML); refuse a zip entry that
    does not unpack, or an XML part (whatever its name and encoding: UTF-8, UTF-16 or UTF-32,
    with or without a byte order mark) that declares a DTD, whose entities could expand
    without bound; a workbook never declares one."""
    name = info.filename[:200]
    try:
        content = archive.read(info)
    except _UNPACK_ERRORS as exc:
        if "encrypted" in str(exc):
            raise RDFInputError(
                source, f"{name}: an encrypted zip entry; save the workbook without a password"
            ) from None
        raise RDFInputError(
            source, f"{name}: a zip entry that cannot be unpacked ({_one_line(exc)})"
        ) from None
    head = content[:4096]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    # UTF-16 and UTF-32 put NULs between the bytes of ASCII characters: drop them to see the text
    if not head.replace(b"\0", b"").lstrip().startswith(b"<"):
        return 0  # not XML (an image, a printer setting): no parser reads it
    if _DTD.search(content.replace(b"\0", b"")):
        raise RDFInputError(
            source, f"{name} declares a DTD (<!DOCTYPE> or <!ENTITY>), which a workbook never does"
        )
    return content.count(b"<") - content.count(b"</")  # start tags: the elements


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, at most 200 characters."""
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _macro_type(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """The content types declare a macro-enabled workbook."""
    if "[Content_Types].xml" not in names:
        return False
    return b"macroEnabled" in archive.read("[Content_Types].xml")


def merged_ranges(archive: zipfile.ZipFile, path: str) -> list[str]:
    """The merged ranges (``A1:B2``) a worksheet's XML declares."""
    try:
        xml = archive.read(path)
    except KeyError:
        return []
    return [m.decode("ascii", "replace") for m in _MERGE.findall(xml)]
