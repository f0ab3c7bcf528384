"""The ontology, the alignments and the shapes carry a version that moves with their content.

``tests/data/versions.json`` records, per file, each released version with its date and a
digest of the file's triples (its own version, prior version and modification date left out).
The test fails when a file's content no longer has the digest its version was recorded with:
change the content, then bump ``owl:versionInfo``, ``owl:versionIRI`` and
``dcterms:modified`` in its header and append the new version with
``python -m tests.test_versions`` (which prints the entry to add).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "data" / "versions.json"
FILES = {
    "ontology/bpf.ttl": "https://w3id.org/bpfgraph/def",
    "ontology/alignments.ttl": "https://w3id.org/bpfgraph/def/alignments",
    "shapes/framework.ttl": "https://w3id.org/bpfgraph/shapes/framework",
    "shapes/city-mapping.ttl": "https://w3id.org/bpfgraph/shapes/city-mapping",
}
#: the header triples a version bump changes, left out of the digest
MOVING = (OWL.versionInfo, OWL.versionIRI, OWL.priorVersion, DCTERMS.modified)


def digest(g: Graph, iri: str) -> str:
    """sha256 of the canonical N-Triples of ``g`` without its moving header triples."""
    content = Graph()
    for s, p, o in g:
        if not (s == URIRef(iri) and p in MOVING):
            content.add((s, p, o))
    lines = sorted(to_canonical_graph(content).serialize(format="nt").splitlines())
    return (
        "sha256:" + hashlib.sha256("\n".join(line for line in lines if line).encode()).hexdigest()
    )


def header(g: Graph, iri: str) -> tuple[str, str, str]:
    """The version, version IRI and modification date the file's header gives."""
    node = URIRef(iri)
    assert (node, RDF.type, OWL.Ontology) in g
    values = [g.value(node, p) for p in (OWL.versionInfo, OWL.versionIRI, DCTERMS.modified)]
    assert all(v is not None for v in values), f"{iri}: version, version IRI and date needed"
    return str(values[0]), str(values[1]), str(values[2])


@pytest.mark.parametrize("path", list(FILES))
def test_the_version_moved_with_the_content(path: str):
    g = Graph().parse(ROOT / path)
    iri = FILES[path]
    version, version_iri, modified = header(g, iri)
    history = json.loads(RECORD.read_text(encoding="utf-8"))[path]
    latest = history[-1]
    assert digest(g, iri) == latest["digest"], (
        f"{path} changed since version {latest['version']}: bump owl:versionInfo, "
        f"owl:versionIRI and dcterms:modified, then record it (python -m tests.test_versions)"
    )
    assert (version, modified) == (latest["version"], latest["modified"])
    assert version_iri == f"{iri}/{version}"
    assert len({h["version"] for h in history}) == len(history), "a version recorded twice"
    assert [h["modified"] for h in history] == sorted(h["modified"] for h in history)


def test_a_changed_term_without_a_bump_fails():
    """The check can fail: one changed definition changes the digest."""
    path = "ontology/bpf.ttl"
    g = Graph().parse(ROOT / path)
    before = digest(g, FILES[path])
    term = URIRef("https://w3id.org/bpfgraph/def#Outcome")
    g.set((term, URIRef("http://www.w3.org/2004/02/skos/core#definition"), Literal("changed")))
    assert digest(g, FILES[path]) != before
    g2 = Graph().parse(ROOT / path)
    g2.set((URIRef(FILES[path]), DCTERMS.modified, Literal("2099-01-01")))
    assert digest(g2, FILES[path]) == before  # the moving header is not content


if __name__ == "__main__":
    record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}
    for path, iri in FILES.items():
        g = Graph().parse(ROOT / path)
        version, _iri, modified = header(g, iri)
        entry = {"version": version, "modified": modified, "digest": digest(g, iri)}
        history = record.setdefault(path, [])
        if not history or history[-1] != entry:
            if history and history[-1]["version"] == version:
                sys.exit(f"{path}: changed, but still version {version}; bump it first")
            history.append(entry)
            print(f"{path}: recorded {version}")
    RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize("path", list(FILES))
def test_every_published_file_names_licence_creator_and_dates(path: str):
    g = Graph().parse(ROOT / path)
    node = URIRef(FILES[path])
    for prop in (DCTERMS.license, DCTERMS.creator, DCTERMS.created, DCTERMS.modified):
        assert len(list(g.objects(node, prop))) == 1, f"{path}: one {prop} needed"
    assert str(g.value(node, DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"
