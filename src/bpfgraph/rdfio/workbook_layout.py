"""The layout of a city mapping workbook (``.xlsx``): its sheets, fields and columns.

One table the reader (:mod:`.workbook`) and the writer (:mod:`bpfgraph.workbook`) share, so a
column is named in one place. The workbook has, in this order: ``Instructions``; ``Mapping``
(one field a row: the mapping's metadata); ``Organisations`` and ``City outcomes`` (an ID and
a text a row); then one sheet per framework process, named by its notation (``G1`` … ``S5``),
with three fields at the top (rows 2–4) and a table from row :data:`HEADER_ROW`: a row per
outcome adoption and a row per action step of each sub-process.

IDs (of the mapping, organisations, adoptions, sub-processes, steps) are IRIs; one without a
``:`` is relative to the ``Base`` field. A blank ID is minted from the process and number.
"""

from __future__ import annotations

from ..vocab import PROCESS_IDS

INSTRUCTIONS = "Instructions"
MAPPING = "Mapping"
ORGANISATIONS = "Organisations"
CITY_OUTCOMES = "City outcomes"

#: every sheet, in order; a workbook with another sheet, or without one of these, is refused
SHEETS: tuple[str, ...] = (INSTRUCTIONS, MAPPING, ORGANISATIONS, CITY_OUTCOMES, *PROCESS_IDS)

#: the fields of the Mapping sheet (column A, from row 2) with their notes (column C)
MAPPING_FIELDS: dict[str, str] = {
    "Mapping ID": "the mapping's IRI (relative to Base)",
    "Base": "the IRI relative IDs are resolved against",
    "Language": "the language tag of every text in this workbook (e.g. en)",
    "City": "the city's IRI",
    "Name": "the mapping's name",
    "Description": "optional: a description of the mapping",
    "Organisation": "ID of the organisation (Organisations sheet) that made the mapping",
    "Created": "date (YYYY-MM-DD)",
    "Modified": "optional: date (YYYY-MM-DD)",
    "Licence": "IRI of the licence, e.g. https://creativecommons.org/licenses/by/4.0/",
}

#: the two-column sheets: their header row
ORGANISATION_HEADER = ("ID", "Name")
CITY_OUTCOME_HEADER = ("ID", "Statement")

#: the fields at the top of a process sheet: label (column A), row
PROCESS_FIELDS: dict[str, int] = {"Mapping ID": 2, "City's name": 3, "Responsible organisation": 4}

#: the header row of a process sheet's table; data rows follow it
HEADER_ROW = 6

#: the columns of a process sheet's table, letter -> header
COLUMNS: dict[str, str] = {
    "A": "Kind",
    "B": "No.",
    "C": "Framework text (read-only)",
    "D": "Adoption status",
    "E": "City's definition",
    "F": "Rating",
    "G": "Evidence",
    "H": "Date",
    "I": "Sub-process",
    "J": "Step no.",
    "K": "Action step",
    "L": "Review",
    "M": "Improvement",
    "N": "ID",
    "O": "Step ID",
}
KIND, NUMBER, TEXT, STATUS, DEFINITION, RATING, EVIDENCE, DATE = "ABCDEFGH"
SUB_PROCESS, STEP_NUMBER, STEP, REVIEW, IMPROVEMENT, ROW_ID, STEP_ID = "IJKLMNO"
OUTCOME_ONLY = (STATUS, DEFINITION, EVIDENCE)
STEP_COLUMNS = (STEP_NUMBER, STEP, REVIEW, IMPROVEMENT, STEP_ID)
KINDS = ("outcome", "practice")
STATUSES = ("adopted", "planned", "declined")
RATINGS = ("N", "P", "L", "F")

#: limits: rows in one sheet, rows in the whole workbook, bytes the workbook may unpack to
MAX_ROWS = 5_000
MAX_TOTAL_ROWS = 20_000
MAX_UNPACKED = 64 * 1024 * 1024
#: the most elements (start tags) the workbook's XML parts may hold together: each costs
#: openpyxl some microseconds (a full mapping has some 30,000; 20,000 rows of 15 filled cells
#: about 600,000), and in one part other than a sheet (styles, shared strings: openpyxl reads
#: a style element in some 11 µs, so 1.45 million took 16 s)
MAX_TAGS = 800_000
MAX_PART_TAGS = 200_000
#: the media type of a workbook, and its file suffix
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIX = ".xlsx"
