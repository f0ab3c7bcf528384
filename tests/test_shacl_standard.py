"""The shapes as the SHACL standard has them, checked with tools other than bpfgraph's.

- every SHACL-SPARQL query parses with only the prefixes its ``sh:prefixes`` declare
  (SHACL §5.2.1: a processor need not know any other prefix; Jena refuses the file otherwise);
- Apache Jena SHACL (Debian's ``libapache-jena-java``, run through :mod:`tests.jena`) reads
  the shapes and reaches bpfgraph's verdict on the framework and on every mapping case.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from bpfgraph.framework import load_part
from bpfgraph.validation import mapping_context, validate_framework, validate_mapping

from . import jena
from .conftest import DATA, ROOT

SHAPES = sorted((ROOT / "shapes").glob("*.ttl"))
#: each shapes file parsed once (the queries' blank nodes are named by this parse)
PARSED = {path: Graph().parse(path) for path in SHAPES}
QUERY_KINDS = (SH.select, SH.ask, SH.construct, SH.update)


def _declared(shapes: Graph, node: URIRef) -> dict[str, Namespace]:
    """The prefixes ``sh:prefixes`` declare for the SPARQL-based constraint ``node``."""
    declared: dict[str, Namespace] = {}
    for owner in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            assert isinstance(prefix, Literal) and isinstance(namespace, Literal), decl
            declared[str(prefix)] = Namespace(str(namespace))
    return declared


def _queries() -> list[tuple[str, Path, URIRef, str]]:
    out = []
    for path in SHAPES:
        shapes = PARSED[path]
        for kind in QUERY_KINDS:
            for node, text in shapes.subject_objects(kind):
                shape = next(shapes.subjects(SH.sparql, node), node)
                out.append((f"{path.stem}:{shape}", path, node, str(text)))
    return sorted(out, key=lambda q: q[0])


QUERIES = _queries()


def test_there_are_sparql_constraints_in_both_files():
    assert {path.name for _id, path, _node, _text in QUERIES} == {
        "framework.ttl",
        "city-mapping.ttl",
    }
    assert len(QUERIES) >= 14


@pytest.mark.parametrize(
    ("path", "node", "text"), [q[1:] for q in QUERIES], ids=[q[0] for q in QUERIES]
)
def test_every_sparql_query_parses_with_only_its_declared_prefixes(
    path: Path, node: URIRef, text: str
):
    declared = _declared(PARSED[path], node)
    assert declared, f"{path.name}: a SPARQL constraint without sh:prefixes"
    _parse(text, declared)


def _parse(text: str, prefixes: dict[str, Namespace]) -> None:
    """Parse ``text`` with only ``prefixes`` known, as SHACL §5.2.1 has it: with Oxigraph's
    parser, which knows no prefix it is not given (rdflib's prepareQuery knows rdf:, rdfs:,
    xsd:, owl: whatever initNs says), on an empty store."""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    ox.Store().query(prologue + text)


def test_an_undeclared_prefix_is_refused():
    """The check above can fail: a query using rdfs: without declaring it is refused."""
    with pytest.raises(SyntaxError, match="Prefix not found"):
        _parse(
            "SELECT $this WHERE { $this rdfs:label ?l }",
            {"skos": Namespace("http://www.w3.org/2004/02/skos/core#")},
        )


# --- Apache Jena SHACL ---------------------------------------------------------------------------

FRAMEWORK_CASES = sorted((DATA / "invalid-framework").glob("*.ttl"))
MAPPING_CASES = sorted((ROOT / "data" / "examples").glob("*.ttl")) + sorted(
    (DATA / "mappings").glob("*/*.ttl")
)


def _violations(report: Graph) -> set[str]:
    """The focus nodes of a SHACL report's violations (blank nodes as one "_:")."""
    return {
        str(report.value(r, SH.focusNode))
        if isinstance(report.value(r, SH.focusNode), URIRef)
        else "_:"
        for r in report.subjects(SH.resultSeverity, SH.Violation)
    }


@pytest.fixture(scope="module")
def jena_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = jena.available()
    assert reason is None, f"{reason}; scripts/test installs it"
    return tmp_path_factory.mktemp("jena")


def test_jena_reads_the_framework_shapes_and_the_framework_conforms(jena_work: Path):
    data = load_part("framework") + load_part("ontology")
    report = jena.shacl_validate(ROOT / "shapes" / "framework.ttl", data, jena_work)
    assert (None, SH.conforms, Literal(True)) in report, report.serialize(format="turtle")


def test_jena_refuses_an_undeclared_prefix(jena_work: Path, tmp_path: Path):
    """What Jena said of shapes/framework.ttl before it declared rdfs: (the check can fail)."""
    text = (ROOT / "shapes" / "framework.ttl").read_text(encoding="utf-8")
    start = text.index('    ] , [\n        sh:prefix "rdfs"')
    end = text.index("    ] .", start)
    broken = tmp_path / "framework.ttl"
    broken.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(RuntimeError, match="Unresolved prefixed name: rdfs:"):
        jena.shacl_validate(broken, load_part("framework"), jena_work)


@pytest.mark.parametrize("case", FRAMEWORK_CASES, ids=[c.stem for c in FRAMEWORK_CASES])
def test_jena_agrees_on_each_framework_defect(jena_work: Path, case: Path):
    data = load_part("framework") + Graph().parse(case)
    ours = validate_framework(data)
    theirs = jena.shacl_validate(
        ROOT / "shapes" / "framework.ttl", data + load_part("ontology"), jena_work
    )
    assert not ours.conforms
    assert _violations(theirs) == _violations(ours.graph)


@pytest.mark.parametrize(
    "case", MAPPING_CASES, ids=[f"{c.parent.name}/{c.stem}" for c in MAPPING_CASES]
)
def test_jena_agrees_on_each_mapping(jena_work: Path, case: Path):
    """The mapping with the framework context merged into its data graph (the recipe the
    README gives): Jena finds the violations bpfgraph finds, on the same focus nodes."""
    mapping = Graph().parse(case)
    ours = validate_mapping(mapping)
    theirs = jena.shacl_validate(
        ROOT / "shapes" / "city-mapping.ttl", mapping + mapping_context(), jena_work
    )
    assert _violations(theirs) == _violations(ours.graph), case.name
