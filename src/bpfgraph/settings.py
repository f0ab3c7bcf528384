"""One settings object: ``BPFGRAPH_*`` environment variables, overridden by CLI options.

>>> Settings(store="memory").store
'memory'
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .sparql_bounds import Bounds

_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3}


class FileSettings(BaseSettings):
    """The settings read wherever files are found or validated, each on its own, so that a
    bad value of another setting does not stop them (the commands report that one)."""

    model_config = SettingsConfigDict(env_prefix="BPFGRAPH_", extra="ignore")

    #: folder holding ontology/, data/, shapes/ and queries/ to use instead of the checkout's
    #: or the wheel's (a working copy being edited, a test tree)
    resource_root: Path | None = None
    #: SHACL engine for mappings: ``turbo`` (pyshacl-turbo, compiled shapes) or ``pyshacl``;
    #: another value means turbo
    validation_engine: str = "turbo"


class Settings(FileSettings):
    """Every setting of bpfgraph, read from ``BPFGRAPH_*`` environment variables (the README's
    configuration table lists them); nothing else reads the environment."""

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
    #: credentials for the remote store's endpoints (or ``https://user:password@host/…`` in
    #: the URLs, taken out of them): ``basic`` or ``digest`` authentication (Virtuoso's
    #: ``/sparql-auth`` asks for Digest); never printed
    sparql_user: str | None = None
    sparql_password: SecretStr | None = None
    sparql_auth: Literal["basic", "digest"] = "basic"
    #: seconds the remote store's list of graphs is reused for queries given the union by
    #: naming every graph (writes through this process refresh it at once; writes by other
    #: front-ends or tools show after at most this long)
    sparql_graphs_ttl: float = 5.0
    #: public base of the IRIs the service answers for (a deployment behind a w3id redirect
    #: keeps the default; the app serves /def and /id/… under its own address)
    public_base: str = "https://w3id.org/bpfgraph/"
    #: the public base of the catalog's resources (datasets, distributions, pages), e.g.
    #: ``https://data.example.org/bpf/``: identities that survive proxies and moves; unset, the
    #: address the request came to
    catalog_base: str | None = None
    #: who publishes the catalog (its datasets other than the cities' mappings, and those
    #: whose mapping names no organisation), and the catalog's contact point
    publisher_name: str = "bpfgraph"
    publisher_iri: str | None = None
    contact_email: str | None = None
    #: datasets per page of the catalog (Hydra paging)
    catalog_page_size: int = 100
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
    #: queries (and trial runs of SPARQL Updates) are evaluated in worker processes, each with
    #: an in-memory copy of the embedded store, killed at the deadline (pyoxigraph cannot cancel
    #: a query). At most this many long-running queries at once (None: the number of cores);
    #: 0 evaluates in threads instead, which stop only at their next solution
    query_workers: int | None = None
    #: workers kept besides those for long-running queries, so that short ones still find one
    query_reserve_workers: int = 1
    #: a query still running after this many seconds counts as long-running
    query_heavy_after: float = 0.25
    #: bytes a query may allocate beyond the worker's copy of the store (0: no ceiling);
    #: a number, or with a suffix K, M or G
    query_memory: int = 2 * 1024**3
    #: seconds a query waits for a free worker before 503 with Retry-After
    query_queue_wait: float = 5.0
    #: bounds of query and update text, checked before the engine sees it (400 beyond); the
    #: engine's parser overflows its stack far above them (bench/SPARQL_BOUNDS.md)
    query_max_length: int = Bounds.max_length
    query_max_depth: int = Bounds.max_depth
    query_max_branches: int = Bounds.max_branches
    query_max_path_length: int = Bounds.max_path_length
    #: comma-separated origins allowed by CORS ("*" for any); empty: no CORS headers
    cors_origins: str = ""
    allow_service: bool = False
    allow_load: bool = False
    #: load the mappings in DATA_DIR/../data/cities (the repository's data/cities) at start
    load_cities: bool = True
    #: internal, set by ``serve --workers N``: the run directory of the writer process whose
    #: store this worker replicates
    replica_of: Path | None = None

    @field_validator("write_token")
    @classmethod
    def _token_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError(
                "the write token is empty or only whitespace, so no request could use it; "
                "set a long random token, or unset the variable to serve read-only"
            )
        return value

    @field_validator("catalog_base", "publisher_iri")
    @classmethod
    def _http_iri(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value) if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", value) else None
        if parts is None or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) IRI with a host")
        return value

    @field_validator("catalog_base")
    @classmethod
    def _a_base(cls, value: str | None) -> str | None:
        if value is not None and ("?" in value or "#" in value):
            raise ValueError(
                f"{value!r} has a query or a fragment: a base is the address the catalog's "
                "IRIs are made under, such as https://data.example.org/bpf/"
            )
        return value

    @field_validator("publisher_name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the publisher needs a name")
        return value

    @field_validator("catalog_base")
    @classmethod
    def _ends_with_slash(cls, value: str | None) -> str | None:
        return value if value is None or value.endswith("/") else value + "/"

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @field_validator("catalog_page_size")
    @classmethod
    def _page_size(cls, value: int) -> int:
        if not 1 <= value <= 10_000:
            raise ValueError(f"{value} datasets per page: give 1 to 10000")
        return value

    @field_validator("query_memory", mode="before")
    @classmethod
    def _bytes(cls, value: object) -> object:
        if isinstance(value, str) and value.strip()[-1:].upper() in _UNITS:
            number = value.strip()[:-1]
            try:
                return int(float(number) * _UNITS[value.strip()[-1].upper()])
            except ValueError:
                raise ValueError(f"{value!r} is not a size such as 512M or 2G") from None
        return value

    @property
    def heavy_queries(self) -> int:
        """How many long-running queries may run at once (0: queries run in threads)."""
        if self.query_workers is None:
            return os.cpu_count() or 1
        return self.query_workers
