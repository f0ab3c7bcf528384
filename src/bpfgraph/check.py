"""``bpfgraph check``: parse everything, reason, validate and lint; collect the problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import paths, rdfio
from .framework import PARTS, part_graph
from .inference import inconsistencies
from .lint import (
    Problem,
    defined_terms,
    header,
    terms,
    undefined_in_graph,
    undefined_in_text,
    unique_labels,
    whitespace,
)
from .queries import QueryError, load_all
from .validation import term_text, validate_framework


@dataclass
class CheckReport:
    """What :func:`run_check` found: each step with its number of problems, in the order they
    ran, and every problem."""

    steps: list[tuple[str, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no step found a problem."""
        return not self.problems


def run_check(progress: Callable[[str], None] | None = None) -> CheckReport:
    """Run every check; never raises for bad content, reports it instead."""
    report = CheckReport()

    def step(name: str, problems: list[Problem]) -> None:
        report.steps.append((name, len(problems)))
        report.problems.extend(problems)
        if progress:
            progress(f"{name}: {'ok' if not problems else f'{len(problems)} problem(s)'}")

    # 1. parse every file
    parse_problems = []
    graphs = {}
    for part in PARTS.values():
        for path in part.files():
            try:
                rdfio.parse_file(path)
            except rdfio.RDFInputError as exc:
                parse_problems.append(
                    Problem("parse", f"{exc.source}:{exc.line or '?'}", exc.message)
                )
    try:
        load_all()
    except QueryError as exc:
        parse_problems.append(Problem("parse", "queries", str(exc)))
    step("parse ontology, alignments, data, shapes and queries", parse_problems)
    if parse_problems:
        return report
    for name in PARTS:
        graphs[name] = part_graph(name)

    # 2. OWL RL
    step(
        "OWL RL reasoning (owlrl)",
        [Problem("owl-rl", "ontology + framework", m) for m in inconsistencies()],
    )

    # 3. SHACL
    shacl = validate_framework()
    step(
        "SHACL validation of the framework (shapes/framework.ttl)",
        [
            Problem("shacl", f"{term_text(r.focus)} {term_text(r.path)}".strip(), r.message)
            for r in shacl.results
            if r.severity == "Violation"
        ],
    )

    # 4. lint
    ontology = graphs["ontology"]
    defined = defined_terms(ontology)
    lint = header(ontology) + terms(ontology) + unique_labels(ontology)
    for name, graph in graphs.items():
        lint += whitespace(graph, name)
        if name != "ontology":
            lint += undefined_in_graph(graph, name, defined)
    for path in sorted(paths.queries_dir().glob("*.rq")):
        lint += undefined_in_text(path, defined)
    step("lint ontology, data, shapes and queries", lint)
    return report
