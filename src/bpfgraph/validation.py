"""SHACL validation: the framework against its shapes, and cities' mappings.

Two engines give identical results: ``turbo`` (pyshacl-turbo, a Rust engine with pySHACL's
API; the default, shapes compiled once per process) and ``pyshacl`` (the reference).
A mapping is validated together with the framework graph, which is parsed once per process;
no inference runs per call (the shapes need none).

>>> from rdflib import Graph
>>> report = validate_framework(Graph())
>>> report.conforms
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from pyshacl import validate as shacl_validate
from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from . import paths, rdfio
from .framework import load_part
from .settings import FileSettings
from .vocab import BPF, SH

if TYPE_CHECKING:
    from pyshacl_turbo import CompiledShapes

#: sh:resultSeverity -> the name reports give it (looked up with whatever node a report holds)
SEVERITY_NAMES: dict[Node | None, str] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}


@dataclass
class Result:
    """One SHACL validation result: the name of its severity (``Violation``, ``Warning``,
    ``Info``), focus node, path, message (several joined by ``; ``), value and source shape;
    for a city mapping, also where in the mapping the focus node sits."""

    severity: str
    focus: Node
    path: Node | None
    message: str
    value: Node | None = None
    shape: Node | None = None
    #: the process mapping the focus node belongs to, and what it maps (set for mappings)
    process_mapping: Node | None = None
    process: str | None = None
    focus_label: str | None = None


@dataclass
class Report:
    """A validation's outcome: ``conforms`` unless a result is a Violation (warnings and infos
    never make a graph fail here), the results, and the SHACL report graph — standard: its
    ``sh:conforms`` is false when it holds any result (:func:`standard_conforms`)."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    def by_severity(self, severity: str) -> list[Result]:
        """The results of one severity (``Violation``, ``Warning`` or ``Info``), in order."""
        return [r for r in self.results if r.severity == severity]


def _results(report_graph: Graph) -> list[Result]:
    out = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(node, SH.resultSeverity)
        focus = report_graph.value(node, SH.focusNode)
        assert focus is not None  # SHACL gives every validation result one sh:focusNode
        messages = [str(m) for m in report_graph.objects(node, SH.resultMessage)]
        out.append(
            Result(
                SEVERITY_NAMES.get(severity, str(severity)),
                focus,
                report_graph.value(node, SH.resultPath),
                "; ".join(sorted(messages)) or "constraint not met",
                report_graph.value(node, SH.value),
                report_graph.value(node, SH.sourceShape),
            )
        )
    out.sort(key=lambda r: (r.severity, str(r.focus), str(r.path), r.message))
    return out


ENGINES = ("turbo", "pyshacl")


def default_engine() -> str:
    """The engine the settings name (``BPFGRAPH_VALIDATION_ENGINE``; turbo when unset or
    not one of :data:`ENGINES`)."""
    engine = FileSettings().validation_engine
    return engine if engine in ENGINES else "turbo"


@cache
def _compiled(shapes_file: str) -> CompiledShapes:
    """The shapes of ``shapes_file`` compiled by pyshacl-turbo, once per process."""
    import pyshacl_turbo  # deferred: only the turbo engine needs it

    return pyshacl_turbo.compile_shapes(rdfio.parse_file(shapes_file), advanced=True)


def validate(
    data: Graph,
    shapes: Graph,
    ontology: Graph | None = None,
    engine: str | None = None,
    shapes_file: str | None = None,
) -> Report:
    """Validate ``data`` against ``shapes``; ``ontology`` supplies the class hierarchy.

    Warnings and infos never make a graph non-conforming here; callers decide (``--strict``).
    """
    engine = engine or default_engine()
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; known: {', '.join(ENGINES)}")
    if engine == "turbo":
        import pyshacl_turbo  # deferred: only the turbo engine needs it

        if ontology is not None:
            merged = Graph()
            merged += data
            merged += ontology
            data = merged
        if shapes_file:
            conforms, report_graph, _text = _compiled(shapes_file).validate(
                data, allow_warnings=True, allow_infos=True
            )
        else:
            conforms, report_graph, _text = pyshacl_turbo.validate(
                data, shacl_graph=shapes, advanced=True, allow_warnings=True, allow_infos=True
            )
    else:
        conforms, report_graph, _text = shacl_validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
        )
    standard_conforms(report_graph)
    results = _results(report_graph)
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms, results, report_graph)


def standard_conforms(report_graph: Graph) -> None:
    """Set each ``sh:ValidationReport``'s ``sh:conforms`` as SHACL §3.6.1 has it: true only
    when the report holds no result at all, warnings and infos included. (bpfgraph validates
    with warnings and infos allowed, for its own verdict; the engines then write
    ``sh:conforms true`` beside them.) The human verdict, "no violations", is
    :attr:`Report.conforms`, given in the text and JSON reports.

    >>> g = Graph()
    >>> report, result = BNode(), BNode()
    >>> for t in [(report, RDF.type, SH.ValidationReport), (report, SH.conforms, Literal(True)),
    ...           (report, SH.result, result), (result, SH.resultSeverity, SH.Warning)]:
    ...     _ = g.add(t)
    >>> standard_conforms(g)
    >>> g.value(report, SH.conforms).n3()
    '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    """
    for report in list(report_graph.subjects(RDF.type, SH.ValidationReport)):
        report_graph.set(
            (report, SH.conforms, Literal((report, SH.result, None) not in report_graph))
        )


def framework_shapes() -> Graph:
    """The framework's shapes, ``shapes/framework.ttl``, parsed anew on each call."""
    return rdfio.parse_file(paths.shapes_dir() / "framework.ttl")


def validate_framework(data: Graph | None = None, engine: str | None = None) -> Report:
    """Validate the framework data (or ``data``) against ``shapes/framework.ttl``."""
    return validate(
        load_part("framework") if data is None else data,
        framework_shapes(),
        load_part("ontology"),
        engine=engine,
        shapes_file=str(paths.shapes_dir() / "framework.ttl"),
    )


def mapping_shapes() -> Graph:
    """The city mapping shapes, ``shapes/city-mapping.ttl``, parsed anew on each call."""
    return rdfio.parse_file(paths.shapes_dir() / "city-mapping.ttl")


#: the framework triples the mapping shapes read (keeping the context small keeps validation
#: fast: merging the whole framework into every mapping costs more than validating it)
CONTEXT_PREDICATES = (
    SKOS.inScheme,
    SKOS.notation,
    SKOS.prefLabel,
    BPF.hasOutcome,
    BPF.hasBasePractice,
    BPF.ordinal,
    BPF.statement,
)


def framework_context(framework: Graph) -> Graph:
    """The framework context a city mapping is validated with, taken from ``framework``: of
    each framework process, its notation, names, outcomes and base practices with their
    ordinals and statements (the triples of :data:`CONTEXT_PREDICATES`). Merged into the
    mapping's data graph, it is all any SHACL processor needs besides
    ``shapes/city-mapping.ttl`` (the rest of the framework only slows validation down); the
    service publishes it as ``/download/mapping-context``."""
    context = Graph()
    for predicate in CONTEXT_PREDICATES:
        for s, o in framework.subject_objects(predicate):
            if isinstance(s, URIRef) and "/id/process/" in str(s):
                context.add((s, predicate, o))
    return context


@cache
def mapping_context() -> Graph:
    """:func:`framework_context` of the framework's files, made once per process (shared:
    do not change it)."""
    return framework_context(load_part("framework"))


class ValidationError(Exception):
    """The validator could not process the graph (reported, never a traceback)."""


#: process mappings one city mapping may have for validation to run: the framework has 21
#: processes, and one of the shapes compares a mapping's process mappings pairwise
MAX_PROCESS_MAPPINGS = 100


def validate_mapping(mapping: Graph, engine: str | None = None) -> Report:
    """Validate one city mapping graph, together with the framework graph.

    A city mapping with more than :data:`MAX_PROCESS_MAPPINGS` process mappings is not run
    through the shapes: it gets one violation saying so (validation time stays bounded).
    """
    mapping = rdfio.as_graph(mapping)
    too_many = _too_many_process_mappings(mapping)
    if too_many is not None:
        return too_many
    engine = engine or default_engine()
    # for the turbo engine a plain triple store: rdflib's default one also tracks contexts,
    # which costs a third of the time here (pySHACL needs them)
    data = Graph(store=SimpleMemory()) if engine == "turbo" else Graph()
    data += mapping_context()
    data += mapping
    try:
        report = validate(
            data,
            # the turbo engine runs the shapes compiled once from the file
            Graph() if engine == "turbo" else mapping_shapes(),
            engine=engine,
            shapes_file=str(paths.shapes_dir() / "city-mapping.ttl"),
        )
    except ValueError as exc:
        raise ValidationError(f"the validator could not process this graph: {exc}") from None
    _locate(report, mapping)
    return report


def _too_many_process_mappings(mapping: Graph) -> Report | None:
    for city_mapping in mapping.subjects(RDF.type, BPF.CityMapping):
        count = sum(1 for _ in mapping.objects(city_mapping, BPF.hasProcessMapping))
        if count > MAX_PROCESS_MAPPINGS:
            message = (
                f"This mapping has {count:,} process mappings (bpf:hasProcessMapping); the "
                f"framework has 21 processes, and a mapping with more than "
                f"{MAX_PROCESS_MAPPINGS} is not validated further. Map each process once."
            )
            result = Result("Violation", city_mapping, BPF.hasProcessMapping, message)
            graph = Graph()  # the same as a SHACL report: for the Turtle output
            report, node = BNode(), BNode()
            graph.add((report, RDF.type, SH.ValidationReport))
            graph.add((report, SH.conforms, Literal(False)))
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, SH.Violation))
            graph.add((node, SH.focusNode, city_mapping))
            graph.add((node, SH.resultPath, BPF.hasProcessMapping))
            graph.add((node, SH.resultMessage, Literal(message, lang="en")))
            graph.add((node, SH.sourceConstraintComponent, SH.MaxCountConstraintComponent))
            return Report(False, [result], graph)
    return None


def _locate(report: Report, mapping: Graph) -> None:
    """Attach to each result the process mapping its focus node belongs to."""
    fw = mapping_context()
    owner: dict[Node, Node] = {}
    for pm, child in mapping.subject_objects(BPF.hasOutcomeAdoption):
        owner[child] = pm
    for pm, child in mapping.subject_objects(BPF.hasSubProcess):
        owner[child] = pm
        for step in mapping.objects(child, BPF.hasActionStep):
            owner[step] = pm
    for result in report.results:
        focus = result.focus
        process_mapping = focus if (focus, BPF.mapsProcess, None) in mapping else owner.get(focus)
        result.process_mapping = process_mapping
        if process_mapping is not None:
            process = mapping.value(process_mapping, BPF.mapsProcess)
            notation = fw.value(process, SKOS.notation) if process is not None else None
            name = fw.value(process, SKOS.prefLabel) if process is not None else None
            result.process = f"{notation} {name}" if notation is not None else None
        label = mapping.value(focus, RDFS.label) if focus is not None else None
        result.focus_label = str(label) if label is not None else None


def term_text(term: Node | None) -> str:
    """A term as a report shows it: IRIs and literals as they stand, a blank node as
    ``_:label``, nothing for None."""
    if term is None:
        return ""
    if isinstance(term, URIRef | Literal):
        return str(term)
    return f"_:{term}"
