"""Where the project's RDF sources live: the checkout in development, the wheel when installed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .settings import FileSettings

_CHECKOUT = Path(__file__).resolve().parents[2]


def resource_root() -> Path:
    """Folder holding ``ontology/``, ``data/``, ``shapes/`` and ``queries/``.

    ``BPFGRAPH_RESOURCE_ROOT`` points elsewhere (a working copy being edited, a test tree).
    """
    override = FileSettings().resource_root
    if override is not None and str(override):
        return override
    if (_CHECKOUT / "ontology" / "bpf.ttl").is_file():
        return _CHECKOUT
    return Path(str(files("bpfgraph") / "_resources"))


def ontology_dir() -> Path:
    """The ``ontology/`` folder."""
    return resource_root() / "ontology"


def data_dir() -> Path:
    """The ``data/`` folder."""
    return resource_root() / "data"


def shapes_dir() -> Path:
    """The ``shapes/`` folder."""
    return resource_root() / "shapes"


def queries_dir() -> Path:
    """The ``queries/`` folder."""
    return resource_root() / "queries"
