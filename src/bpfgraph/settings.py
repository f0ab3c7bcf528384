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
    #: the remote store's default graph already is the union of its named graphs (GraphDB,
    #: Virtuoso and Neptune by default; Oxigraph server with --union-default-graph; Fuseki with
    #: tdb2:unionDefaultGraph): queries go as they are, instead of naming every graph
    sparql_union_default_graph: bool = False
    #: public base of the IRIs the service answers for (a deployment behind a w3id redirect
    #: keeps the default; the app serves /def and /id/… under its own address)
    public_base: str = "https://w3id.org/bpfgraph/"
    #: the service
    host: str = "127.0.0.1"
    port: int = 8000
    #: uvicorn worker processes; on the embedded store each answers from its own in-memory
    #: replica, written through one writer process (see bpfgraph.store.replica)
    workers: int = 1
    #: writes (SPARQL Update, Graph Store PUT/POST/DELETE) need ``Authorization: Bearer <token>``;
    #: unset: the service is read-only
    write_token: str | None = None
    query_timeout: float = 30.0
    max_body_bytes: int = 50 * 1024 * 1024
    max_rows: int = 100_000
    #: bytes of query answers, downloads and pages kept in memory (cleared by every write)
    cache_bytes: int = 256 * 1024 * 1024
    #: ``serve`` on the persistent store keeps a copy of it in memory that queries run on
    #: (filled in the background at start; every write goes to disk first), unless the store
    #: holds more quads than this (about 1,800 quads per city mapping); 0 turns it off
    read_mirror_max_quads: int = 5_000_000
    #: experimental: worker processes running queries on the persistent store, killed at the
    #: timeout; 0 (default) runs queries in threads that stop at the next solution
    query_workers: int = 0
    #: comma-separated origins allowed by CORS ("*" for any); empty: no CORS headers
    cors_origins: str = ""
    allow_service: bool = False
    allow_load: bool = False
    #: load the mappings in DATA_DIR/../data/cities (the repository's data/cities) at start
    load_cities: bool = True
    #: internal, set by ``serve --workers N``: the run directory of the writer process whose
    #: store this worker replicates
    replica_of: Path | None = None
