"""pyLODE (the ``pylode`` command, OntPub profile) documents every term of the ontology.

pyLODE 3's OntPub page has sections for classes and properties only: it lists no named
individuals, whatever their declaration (bpf:InputRole and bpf:OutputRole are declared
``owl:NamedIndividual``). The rdfs:comment of bpf:WorkProductRole names both, so the page
shows them there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph

from bpfgraph import lint

from .conftest import ROOT


def test_pylode_lists_every_term_and_both_roles(tmp_path: Path):
    exe = shutil.which("pylode", path=str(Path(sys.executable).parent))
    assert exe, "the pylode command is not installed (the test extra installs it)"
    out = tmp_path / "bpf.html"
    proc = subprocess.run(
        [exe, str(ROOT / "ontology" / "bpf.ttl"), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0 and out.exists(), proc.stderr[-2000:]
    html = out.read_text(encoding="utf-8")
    ids = {i.casefold() for i in re.findall(r'class="[^"]*entity[^"]*" id="([^"]+)"', html)}
    ontology = Graph().parse(ROOT / "ontology" / "bpf.ttl")
    individuals = set(ontology.subjects(RDF.type, OWL.NamedIndividual))
    terms = lint.defined_terms(ontology) - individuals
    assert len(terms) >= 80

    def names(term):  # pyLODE's id for a term: its local name, or its label, run together
        label = str(ontology.value(term, RDFS.label)).casefold()
        return {str(term).split("#")[1].casefold(), re.sub(r"\s", "", label)}

    missing = sorted(str(t) for t in terms if not names(t) & ids)
    assert missing == []
    for individual in sorted(individuals):
        assert f"bpf:{individual.split('#')[1]}" in html, individual
    assert len(individuals) == 2
