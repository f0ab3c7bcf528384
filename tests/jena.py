"""Apache Jena SHACL 4.5 from Debian's ``libapache-jena-java`` (``scripts/test`` installs it).

Debian's packaging needs two mends to run, both made here without touching the system:

- ``/usr/share/java`` holds several SLF4J bindings, and ``log4j-over-slf4j`` with
  ``slf4j-log4j12`` stops the JVM at start: the class path leaves the bindings out but one;
- ``jena-core.jar`` carries Xerces's classes relocated to ``xerces.*`` but their message
  files under ``org/apache/jena/ext/xerces/``, where the relocated classes do not look: the
  datatype factory then fails with "internal error" on its first facet. A directory with
  the message files at ``xerces/…``, put first on the class path, mends it.

:func:`shacl_validate` runs Jena's ``shacl validate`` command (``shacl.shacl``) on a shapes
file and a data graph and returns the report graph.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

from rdflib import Graph

JAVA_DIR = Path("/usr/share/java")
#: SLF4J bindings and bridges left off the class path (any two of them stop the JVM)
_LEFT_OUT = (
    "log4j-over-slf4j",
    "slf4j-log4j12",
    "slf4j-jdk14",
    "slf4j-nop",
    "slf4j-simple",
    "slf4j-jcl",
    "jcl-over-slf4j",
)
_XERCES_MESSAGES = "org/apache/jena/ext/xerces/"


def available() -> str | None:
    """Why Jena cannot run here, or ``None`` when it can."""
    if shutil.which("java") is None:
        return "no java (apt-get install default-jre-headless)"
    if not (JAVA_DIR / "jena-shacl.jar").exists():
        return "no Jena (apt-get install libapache-jena-java)"
    return None


def class_path(work: Path) -> str:
    """Jena's class path, with the Xerces message files copied under ``work``."""
    mended = work / "xerces-messages"
    if not mended.exists():
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith(_XERCES_MESSAGES) and not name.endswith("/"):
                    target = mended / "xerces" / name.removeprefix(_XERCES_MESSAGES)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = [
        str(jar)
        for jar in sorted(JAVA_DIR.glob("*.jar"))
        if not any(jar.name.startswith(prefix) for prefix in _LEFT_OUT)
    ]
    return ":".join([str(mended), *jars])


def shacl_validate(shapes: Path, data: Graph, work: Path) -> Graph:
    """Jena SHACL's report on ``data`` against the shapes file ``shapes`` (the command's
    Turtle output parsed); raises with Jena's message when it refuses the shapes."""
    data_file = work / "data.nt"
    data.serialize(data_file, format="nt", encoding="utf-8")
    proc = subprocess.run(
        [
            "java",
            "-cp",
            class_path(work),
            "shacl.shacl",
            "validate",
            "--shapes",
            str(shapes),
            "--data",
            str(data_file),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0 or "ValidationReport" not in proc.stdout:
        raise RuntimeError(f"Jena SHACL failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return Graph().parse(data=proc.stdout, format="turtle")
