"""Loading a store: the framework's parts with their entailments, once per version, and the
city mappings in the repository's ``data/cities`` at start-up.

>>> from bpfgraph.store.engines import memory_store
>>> store = memory_store()
>>> ensure_loaded(store), ensure_loaded(store)  # the second time: already this version
(True, False)
"""

from __future__ import annotations

import hashlib
import logging

from rdflib import Graph, Literal, URIRef

from . import paths, rdfio, summaries
from .framework import INFERRED, META, PARTS, graph_iri
from .inference import entailments
from .store.base import SelectResult, Store
from .version import __version__
from .writes import WriteRefused, store_mapping

log = logging.getLogger("bpfgraph")
_HAS_VERSION = "http://purl.org/dc/terms/hasVersion"


def load_into(store: Store, inferred: bool = True) -> None:
    """Load every part into its named graph of ``store`` with the engine's own parser,
    then the inferred graph (computed once per process)."""
    for name, part in PARTS.items():
        for path in part.files():
            store.load_file(path, str(graph_iri(name)))
    if inferred:
        store.put_graph(str(graph_iri(INFERRED)), entailments())


def source_digest() -> str:
    """SHA-256 over every source file of the parts (and the package version)."""
    digest = hashlib.sha256(__version__.encode())
    for name, part in PARTS.items():
        for path in part.files():
            digest.update(f"{name}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def stored_digest(store: Store) -> str | None:
    """The source digest of the framework ``store`` holds (None: none loaded)."""
    result = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{META}> "
        f"{{ <{graph_iri('framework')}> <{_HAS_VERSION}> ?v }} }}",
        union_default_graph=False,
    )
    rows = result.rows if isinstance(result, SelectResult) else []
    return str(rows[0]["v"]) if rows else None


def ensure_loaded(store: Store) -> bool:
    """Load the parts and their entailments unless the store already holds this version,
    and derive the mapping summaries that are missing (all of them after a reload).

    Returns whether anything was (re)loaded. The check is one small query, so opening a
    persistent store that is up to date parses nothing and reasons about nothing.
    """
    digest = source_digest()
    if stored_digest(store) == digest:
        summaries.ensure(store)  # only what is missing: cheap when up to date
        return False
    for name, part in PARTS.items():
        merged = Graph()
        for path in part.files():
            merged += rdfio.parse_file(path)
        store.put_graph(str(graph_iri(name)), merged)
    store.put_graph(str(graph_iri(INFERRED)), entailments())
    meta = Graph()
    meta.add((graph_iri("framework"), URIRef(_HAS_VERSION), Literal(digest)))
    store.put_graph(str(META), meta)
    summaries.ensure(store, everything=True)  # they read the framework: derive them anew
    return True


def load_cities(store: Store) -> None:
    """Mappings in the repository's data/cities/ are loaded at start, validated like uploads."""
    folder = paths.data_dir() / "cities"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in rdfio.SUFFIX_FORMATS:
            continue
        try:
            store_mapping(store, rdfio.parse_file(path))
        except (rdfio.RDFInputError, WriteRefused) as exc:
            log.warning("data/cities/%s was not loaded: %s", path.name, exc)
