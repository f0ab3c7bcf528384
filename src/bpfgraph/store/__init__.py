"""One store interface, several engines behind it.

Use :func:`open_store` to get the engine the settings name; every engine implements
:class:`bpfgraph.store.base.Store`.
"""

from __future__ import annotations

from ..settings import Settings
from .base import AskResult, GraphResult, QueryResult, SelectResult, Store

__all__ = ["AskResult", "GraphResult", "QueryResult", "SelectResult", "Store", "open_store"]


def open_store(settings: Settings | None = None) -> Store:
    """Open the store the settings describe (in memory by default)."""
    settings = settings or Settings()
    from .oxigraph import OxigraphStore

    if settings.store == "memory":
        return OxigraphStore(None)
    if settings.store == "oxigraph":
        return OxigraphStore(settings.data_dir / "store")
    raise ValueError(f"store engine {settings.store!r} is not available yet")
