"""One settings object: ``BPFGRAPH_*`` environment variables, overridden by CLI options.

>>> Settings(store="memory").store
'memory'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPFGRAPH_", extra="ignore")

    #: storage engine: embedded Oxigraph on disk, in memory, or a remote SPARQL 1.1 store
    store: Literal["oxigraph", "memory", "sparql"] = "oxigraph"
    #: where the embedded store keeps its files (``DATA_DIR/store``)
    data_dir: Path = Path("bpfgraph-data")
    #: remote store endpoints (store = "sparql")
    sparql_query_url: str | None = None
    sparql_update_url: str | None = None
    sparql_graph_store_url: str | None = None
    #: public base of the IRIs the service answers for
    public_base: str = "https://w3id.org/bpfgraph/"
