"""One store interface, several engines behind it.

Every engine implements :class:`bpfgraph.store.base.Store`;
:func:`bpfgraph.store.engines.open_store` opens the one the settings name.
This package's own module imports nothing but the interface, so that the domain modules can
depend on the interface without loading an engine.
"""

from __future__ import annotations

from .base import AskResult, GraphResult, QueryResult, SelectResult, Store, StoreError

__all__ = ["AskResult", "GraphResult", "QueryResult", "SelectResult", "Store", "StoreError"]
