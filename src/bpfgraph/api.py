"""The functions validators' pipelines import: ``bpfgraph.validate(...)``.

>>> import bpfgraph
>>> report = bpfgraph.validate(b"<urn:a> <urn:b> <urn:c> .", format="nt")
>>> report.conforms
False
>>> report.results[0].message.startswith("This file contains no city mapping")
True
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from . import rdfio
from .validation import Report, validate_mapping


def validate(
    source: Graph | str | Path | bytes,
    *,
    format: str | None = None,
    engine: str | None = None,
) -> Report:
    """Validate a city mapping given as a graph, a file path, or bytes (with ``format``).

    Returns a :class:`bpfgraph.validation.Report` (``conforms``, ``results`` with severity,
    message, focus node, path, process mapping). Raises :class:`bpfgraph.rdfio.RDFInputError`
    when the source cannot be read or parsed, naming the file and line.
    """
    if isinstance(source, Graph):
        graph = source
    elif isinstance(source, bytes):
        graph = rdfio.parse_data(source, format or "turtle", source="<bytes>")
    else:
        graph = rdfio.parse_file(source, format)
    return validate_mapping(graph, engine=engine)
