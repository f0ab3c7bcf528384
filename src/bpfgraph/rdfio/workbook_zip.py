"""The checks a workbook passes before openpyxl opens it: a zip, no macros, no bomb.

Each refusal is an :class:`~.errors.RDFInputError` with one line that says what is wrong.
"""

from __future__ import annotations

import io
import re
import zipfile

from .errors import RDFInputError
from .workbook_layout import MAX_UNPACKED

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
    if any(n.lower().endswith("vbaproject.bin") for n in names) or _macro_type(archive, names):
        raise RDFInputError(
            source, "a macro-enabled workbook (.xlsm) is not read: save it as .xlsx without macros"
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise RDFInputError(
            source,
            f"the workbook unpacks to {unpacked:,} bytes, more than the limit of "
            f"{MAX_UNPACKED:,} (a zip bomb, or far more than a mapping needs)",
        )
    if "xl/workbook.xml" not in names:
        raise RDFInputError(source, "not an .xlsx workbook (no xl/workbook.xml in the zip)")
    for info in infos:  # a workbook never declares a DTD: entities could expand without bound
        if info.filename.endswith((".xml", ".rels")) and b"<!DOCTYPE" in archive.read(info):
            raise RDFInputError(
                source, f"{info.filename} declares a DTD (<!DOCTYPE>), which a workbook never does"
            )
    return archive


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
