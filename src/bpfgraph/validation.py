"""SHACL validation with pySHACL, returning plain result objects.

>>> from rdflib import Graph
>>> report = validate_framework(Graph())
>>> report.conforms
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from . import paths, rdfio
from .framework import load_part

SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class Result:
    severity: str
    focus: Node
    path: Node | None
    message: str
    value: Node | None = None
    shape: Node | None = None


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    def by_severity(self, severity: str) -> list[Result]:
        return [r for r in self.results if r.severity == severity]


def _results(report_graph: Graph) -> list[Result]:
    out = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(node, SH.resultSeverity)
        messages = [str(m) for m in report_graph.objects(node, SH.resultMessage)]
        out.append(
            Result(
                SEVERITY_NAMES.get(severity, str(severity)),
                report_graph.value(node, SH.focusNode),
                report_graph.value(node, SH.resultPath),
                "; ".join(sorted(messages)) or "constraint not met",
                report_graph.value(node, SH.value),
                report_graph.value(node, SH.sourceShape),
            )
        )
    out.sort(key=lambda r: (r.severity, str(r.focus), str(r.path), r.message))
    return out


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` against ``shapes``; ``ontology`` supplies the class hierarchy."""
    conforms, report_graph, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return Report(bool(conforms), _results(report_graph), report_graph)


def framework_shapes() -> Graph:
    return rdfio.parse_file(paths.shapes_dir() / "framework.ttl")


def validate_framework(data: Graph | None = None) -> Report:
    """Validate the framework data (or ``data``) against ``shapes/framework.ttl``."""
    return validate(
        load_part("framework") if data is None else data, framework_shapes(), load_part("ontology")
    )


def term_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef | Literal):
        return str(term)
    return f"_:{term}"
