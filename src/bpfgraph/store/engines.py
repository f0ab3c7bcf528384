"""Opening the store the settings name, and in-memory stores for one-shot work.

- ``oxigraph``: embedded Oxigraph on disk under ``BPFGRAPH_DATA_DIR`` (persistent; default);
- ``memory``: embedded Oxigraph in memory (tests, one-shot commands);
- ``sparql``: a remote SPARQL 1.1 store (query, update and graph store protocols).
"""

from __future__ import annotations

from ..loading import load_into
from ..settings import Settings
from .base import Store
from .oxigraph import OxigraphStore
from .remote import RemoteStore


def open_store(settings: Settings | None = None, read_only: bool = False) -> Store:
    """Open the store the settings describe."""
    settings = settings or Settings()
    if settings.store == "sparql":
        return RemoteStore(
            settings.sparql_query_url or "",
            None if read_only else settings.sparql_update_url,
            None if read_only else settings.sparql_graph_store_url,
            union_default_graph=settings.sparql_union_default_graph,
            user=settings.sparql_user,
            password=(
                settings.sparql_password.get_secret_value() if settings.sparql_password else None
            ),
            auth=settings.sparql_auth,
            graphs_ttl=settings.sparql_graphs_ttl,
        )
    if settings.store == "memory":
        return OxigraphStore(None)
    path = settings.data_dir / "store"
    if read_only and not path.exists():
        read_only = False  # nothing to read yet: create it
    return OxigraphStore(path, read_only=read_only)


def memory_store() -> Store:
    """A new, empty in-memory store."""
    return OxigraphStore(None)


def framework_store(inferred: bool = True) -> Store:
    """A new in-memory store holding the framework's parts (and the inferred graph)."""
    store = OxigraphStore(None)
    load_into(store, inferred)
    return store
