"""The README's recipe for validating a mapping with the pyshacl command, on the published
downloads: the shapes, and the framework context as a second data file.

    pyshacl -a -w -s bpfgraph-shapes.ttl bpfgraph-mapping-context.ttl mapping.ttl

pyshacl's exit code (0: no violations, with -w) and the focus nodes of its violations agree
with bpfgraph's on the three example mappings and on every mapping case of the tests.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from bpfgraph.validation import validate_mapping

from ..conftest import DATA, ROOT

CASES = sorted((ROOT / "data" / "examples").glob("*.ttl")) + sorted(
    (DATA / "mappings").glob("*/*.ttl")
)


@pytest.fixture(scope="module")
def downloads(client: httpx.Client, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shapes and the mapping context, downloaded from the service as a user would."""
    folder = tmp_path_factory.mktemp("downloads")
    files = {}
    for name in ("shapes", "mapping-context"):
        r = client.get(f"/download/{name}.ttl")
        assert r.status_code == 200
        files[name] = folder / f"bpfgraph-{name}.ttl"
        files[name].write_bytes(r.content)
    return files


def pyshacl(*args: str) -> subprocess.CompletedProcess[str]:
    """The pyshacl command installed beside this Python (the project's test extra)."""
    exe = shutil.which("pyshacl", path=str(Path(sys.executable).parent))
    assert exe, "the pyshacl command is not installed (pip install pyshacl)"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=600)


def _violations(report: Graph) -> set[str]:
    return {
        str(focus) if isinstance(focus, URIRef) else "_:"
        for r in report.subjects(SH.resultSeverity, SH.Violation)
        for focus in [report.value(r, SH.focusNode)]
    }


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_the_pyshacl_recipe_agrees_with_bpfgraph(downloads: dict[str, Path], case: Path):
    proc = pyshacl(
        "-a", "-w", "-f", "turtle", "-s", str(downloads["shapes"]),
        str(downloads["mapping-context"]), str(case),
    )  # fmt: skip
    ours = validate_mapping(Graph().parse(case))
    assert proc.returncode == (0 if ours.conforms else 1), proc.stderr[-2000:]
    theirs = Graph().parse(data=proc.stdout, format="turtle")
    assert _violations(theirs) == _violations(ours.graph)


def test_without_the_context_pyshacl_finds_false_violations(downloads: dict[str, Path]):
    """Why the context is needed (and what `-e framework.ttl`, ontology mixing, amounts to):
    without it, a valid example mapping breaks the rules that read the framework."""
    case = ROOT / "data" / "examples" / "aldermoor.ttl"
    proc = pyshacl("-a", "-w", "-s", str(downloads["shapes"]), str(case))
    assert proc.returncode == 1 and "Conforms: False" in proc.stdout
