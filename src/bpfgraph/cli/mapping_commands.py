"""``bpfgraph validate``, ``template``, ``convert`` and ``report``: city mapping files, without a
store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Graph

from .. import gaps, rdfio, validation_report
from ..formats import WORKBOOK
from ..store.engines import framework_store
from ..template import render
from ..validation import ValidationError, validate_mapping
from ..workbook import WorkbookError, template_workbook, write_workbook
from .common import UsageError, out


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate mapping files against the SHACL shapes: 1 on violations (or warnings, strict)."""
    run = validation_report.RunOutcome(strict=args.strict)
    for name in args.files:
        outcome = validation_report.FileOutcome(name)
        try:
            graph, outcome.cells = _read(Path(name), args.input_format)
            outcome.report = validate_mapping(graph, engine=args.engine)
        except rdfio.RDFInputError as exc:
            outcome.error = str(exc)
        except ValidationError as exc:
            outcome.error = f"{name}: {exc}"
        run.files.append(outcome)
    renderers = {
        "text": validation_report.to_text,
        "json": validation_report.to_json,
        "turtle": validation_report.to_turtle,
    }
    out(renderers[args.format](run))
    for f in run.files:
        if f.error and args.format != "text":
            print(f"bpfgraph validate: error: {f.error}", file=sys.stderr)
    return run.exit_code()


def _read(path: Path, fmt: str | None) -> tuple[Graph, dict[str, str]]:
    """A mapping file's graph, and for a workbook the cell of each resource's row."""
    if rdfio.format_for(path, fmt) != WORKBOOK:
        return rdfio.parse_file(path, fmt), {}
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise rdfio.RDFInputError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    return rdfio.read_located(data, str(path))


def cmd_template(args: argparse.Namespace) -> int:
    """Write a complete city mapping to fill in — Turtle, or a workbook (``--format xlsx``) —
    to a file or (Turtle) standard output."""
    fmt = args.format or ("xlsx" if (args.output or "").lower().endswith(".xlsx") else "ttl")
    if fmt == "xlsx" and not args.output:
        raise UsageError("a workbook is written to a file: give --output FILE.xlsx")
    try:
        if fmt == "xlsx":
            data = template_workbook(args.city, args.label, args.base)
        else:
            data = render(args.city, args.label, args.base).encode("utf-8")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.output:
        _write(args.output, data)
    else:
        out(data.decode("utf-8"))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Read a mapping in one syntax (or a workbook) and write it in the one ``OUT``'s suffix
    names; exit 2 when it cannot be read or the output cannot hold it."""
    try:
        graph = rdfio.as_graph(rdfio.parse_file(Path(args.input), args.input_format))
        fmt = rdfio.format_for(args.output)
    except rdfio.RDFInputError as exc:
        raise UsageError(str(exc)) from None
    if fmt == "xlsx":
        try:
            data = write_workbook(graph)
        except WorkbookError as exc:
            raise UsageError(f"{args.input}: cannot be written as a workbook: {exc}") from None
    else:
        data = rdfio.serialize(graph, fmt)
    _write(args.output, data)
    return 0


def _write(name: str, data: bytes) -> None:
    try:
        Path(name).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from None
    print(f"wrote {name}", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    """Gap analysis of each mapping file; a cross-city comparison when there are several."""
    paths = [Path(f) for f in args.files]
    graphs = []
    for path, name in zip(paths, gaps.names_for(paths), strict=True):
        try:
            graphs.append((name, rdfio.parse_file(path, args.input_format)))
        except rdfio.RDFInputError as exc:
            raise UsageError(str(exc)) from None
    store = framework_store()
    gaps.load_mappings(store, graphs)
    cities = gaps.city_reports(store)
    if not cities:
        raise UsageError("no bpf:CityMapping found in the given files")
    comp = gaps.comparison(store, args.top) if len(cities) > 1 else None
    out(gaps.to_json(cities, comp) if args.format == "json" else gaps.to_text(cities, comp))
    return 0
