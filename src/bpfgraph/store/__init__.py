"""One store interface, several engines behind it.

Use :func:`open_store` to get the engine the settings name; every engine implements
:class:`bpfgraph.store.base.Store`:

- ``oxigraph``: embedded Oxigraph on disk under ``BPFGRAPH_DATA_DIR`` (persistent; default);
- ``memory``: embedded Oxigraph in memory (tests, one-shot commands);
- ``sparql``: a remote SPARQL 1.1 store (query, update and graph store protocols).
"""

from __future__ import annotations

from ..settings import Settings
from .base import AskResult, GraphResult, QueryResult, SelectResult, Store, StoreError

__all__ = [
    "AskResult",
    "GraphResult",
    "QueryResult",
    "SelectResult",
    "Store",
    "StoreError",
    "open_store",
]


def open_store(settings: Settings | None = None, read_only: bool = False) -> Store:
    """Open the store the settings describe."""
    settings = settings or Settings()
    if settings.store == "sparql":
        from .remote import RemoteStore

        return RemoteStore(
            settings.sparql_query_url or "",
            None if read_only else settings.sparql_update_url,
            None if read_only else settings.sparql_graph_store_url,
            union_default_graph=settings.sparql_union_default_graph,
        )
    from .oxigraph import OxigraphStore

    if settings.store == "memory":
        return OxigraphStore(None)
    path = settings.data_dir / "store"
    if read_only and not path.exists():
        read_only = False  # nothing to read yet: create it
    return OxigraphStore(path, read_only=read_only)
