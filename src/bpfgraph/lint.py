"""Lint the ontology and the use of its terms.

Each check returns a list of :class:`Problem`; an empty list means clean.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from .vocab import BPF, ONTOLOGY_IRI, SH, VANN


@dataclass(frozen=True)
class Problem:
    """One problem a check found: the check's name, where (a term, file or graph), and what."""

    check: str
    where: str
    message: str

    def __str__(self) -> str:
        """The problem on one line: ``[check] where: message``."""
        return f"[{self.check}] {self.where}: {self.message}"


HEADER = {
    DCTERMS.title: "title",
    DCTERMS.description: "description",
    DCTERMS.creator: "creator",
    DCTERMS.license: "licence",
    DCTERMS.created: "creation date",
    DCTERMS.modified: "modification date",
    OWL.versionIRI: "version IRI",
    OWL.versionInfo: "version info",
    VANN.preferredNamespacePrefix: "preferred namespace prefix",
    VANN.preferredNamespaceUri: "preferred namespace URI",
}
TERM_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}
#: properties whose text keeps the standard's paragraph breaks (one block per line)
MULTILINE = {BPF.extendedDescription, BPF.purpose}

#: properties whose values are code (SPARQL), exempt from the whitespace check
CODE = {SH.select, SH.ask, SH.construct, SH.update}


def header(ontology: Graph) -> list[Problem]:
    """The ontology header names title, description, creator, licence, dates, version, prefix."""
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in ontology:
        return [Problem("header", str(ONTOLOGY_IRI), "not declared as an owl:Ontology")]
    problems = []
    for prop, name in HEADER.items():
        values = list(ontology.objects(ONTOLOGY_IRI, prop))
        if len(values) != 1:
            problems.append(
                Problem("header", str(ONTOLOGY_IRI), f"needs exactly one {name}, has {len(values)}")
            )
    uri = ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)
    if uri is not None and str(uri) != str(BPF):
        problems.append(Problem("header", str(ONTOLOGY_IRI), f"namespace URI {uri} is not {BPF}"))
    return problems


def defined_terms(ontology: Graph) -> set[URIRef]:
    """bpf: terms the ontology declares (as class, property or individual)."""
    return {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(str(BPF))
    }


def terms(ontology: Graph) -> list[Problem]:
    """Every bpf: term: a type, one English label, one definition, one rdfs:comment (what
    Protégé, Widoco and pyLODE show), isDefinedBy the ontology."""
    problems = []
    for term in sorted(defined_terms(ontology)):
        where = term.n3(ontology.namespace_manager)
        if not set(ontology.objects(term, RDF.type)) & TERM_TYPES:
            problems.append(
                Problem("terms", where, "is not typed as an OWL class, property or individual")
            )
        labels = list(ontology.objects(term, RDFS.label))
        if len(labels) != 1 or getattr(labels[0], "language", None) != "en":
            problems.append(
                Problem("terms", where, f"needs exactly one English rdfs:label, has {len(labels)}")
            )
        definitions = list(ontology.objects(term, SKOS.definition))
        if len(definitions) != 1:
            problems.append(
                Problem(
                    "terms", where, f"needs exactly one skos:definition, has {len(definitions)}"
                )
            )
        comments = list(ontology.objects(term, RDFS.comment))
        if len(comments) != 1:
            problems.append(
                Problem("terms", where, f"needs exactly one rdfs:comment, has {len(comments)}")
            )
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology:
            problems.append(Problem("terms", where, f"needs rdfs:isDefinedBy <{ONTOLOGY_IRI}>"))
    return problems


def unique_labels(ontology: Graph) -> list[Problem]:
    """No two bpf: terms share a label (case-insensitive)."""
    seen: dict[str, list[URIRef]] = defaultdict(list)
    for term in defined_terms(ontology):
        for label in ontology.objects(term, RDFS.label):
            seen[str(label).casefold()].append(term)
    return [
        Problem("labels", label, "shared by " + ", ".join(sorted(str(t) for t in ts)))
        for label, ts in sorted(seen.items())
        if len(ts) > 1
    ]


def whitespace(graph: Graph, name: str) -> list[Problem]:
    """No leading/trailing spaces, double spaces, tabs or empty lines in any literal."""
    problems = []
    for s, p, o in graph:
        if not isinstance(o, Literal) or p in CODE or not isinstance(o.value, str | None):
            continue
        text = str(o)
        lines = text.split("\n")
        if len(lines) > 1 and p not in MULTILINE:
            bad = "a line break"
        elif "\t" in text or "\r" in text:
            bad = "a tab or carriage return"
        elif any(line != line.strip() or not line for line in lines):
            bad = "leading, trailing or empty-line whitespace"
        elif "  " in text:
            bad = "a double space"
        else:
            continue
        problems.append(
            Problem("whitespace", f"{name}: {s} {p}", f"literal has {bad}: {text[:60]!r}")
        )
    return problems


def undefined_in_graph(graph: Graph, name: str, defined: set[URIRef]) -> list[Problem]:
    """Every bpf: IRI the graph uses is defined by the ontology."""
    used = {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(str(BPF))
    }
    return [
        Problem(
            "undefined",
            name,
            f"uses bpf:{str(t)[len(str(BPF)) :]}, which the ontology does not define",
        )
        for t in sorted(used - defined)
    ]


_BPF_IN_TEXT = re.compile(
    r"(?<![\w:])bpf:([A-Za-z_][\w.-]*[\w-]|[A-Za-z_])|<" + re.escape(str(BPF)) + r"([^>]*)>"
)


def undefined_in_text(path: Path, defined: set[URIRef]) -> list[Problem]:
    """Every bpf: term a query file names (prefixed or full IRI) is defined by the ontology."""
    problems = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith(("#", "PREFIX", "prefix")):
            continue
        for m in _BPF_IN_TEXT.finditer(line):
            local = m.group(1) or m.group(2)
            if URIRef(str(BPF) + local) not in defined:
                problems.append(
                    Problem(
                        "undefined",
                        f"{path.name}:{lineno}",
                        f"uses bpf:{local}, which the ontology does not define",
                    )
                )
    return problems
