"""SPARQL Update through the service's one write gate.

An update is first applied to a copy of the store — on a query worker process, killed at the
deadline like a query — and what it changed is read off the copy, graph by graph. Then the
gate that every write passes:

- a framework graph (``https://w3id.org/bpfgraph/graph/…``) changed → 403, nothing written
  (``DROP ALL``, ``CLEAR ALL``, ``GRAPH ?g`` … included: what counts is what the update did);
- a city mapping in the default graph → 400;
- a changed graph holding a ``bpf:CityMapping`` with SHACL violations → 422 with the report;
- otherwise the changed graphs, their summaries and provenance are written in one transaction
  (:func:`bpfgraph.writes.write_graphs`).

``CREATE GRAPH`` is read as ``CREATE SILENT GRAPH``: creating a graph that exists changes
nothing and succeeds (SPARQL 1.1 Update would fail it; rdflib's ``Dataset.graph(iri)`` on a
``SPARQLUpdateStore`` sends it for every graph it opens). ``PREFIX`` lines after a ``;`` (how
rdflib joins the updates of a transaction) are moved to the start, where Oxigraph reads them.

On a remote store (no copy to try on) the gate reads the update's text: an update that names a
framework graph, or may touch any graph (``GRAPH ?g``, ``ALL``, ``NAMED``), is refused (403).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from ..framework import is_reserved_graph
from ..rdfio import to_rdflib
from ..sparql_text import create_silently, prologues_first, touched_graphs
from ..store.base import Store, StoreRefused
from ..store.copies import copy_of
from ..summaries import after_update
from ..vocab import GRAPH
from ..writes import apply_changes
from .query_worker import UpdateError, dry_update
from .sparql import Limits, ProtocolError, check_safety, client_error

if TYPE_CHECKING:
    from .executor import QueryPool


#: graphs under the first IRI belong to the framework, except those under the second
RESERVED = (str(GRAPH), str(GRAPH["mapping/"]))


async def apply_update(
    store: Store, pool: QueryPool | None, text: str, limits: Limits, base_iri: str | None
) -> None:
    """Apply an update through the gate (the caller holds the service's write lock)."""
    check_safety(text, limits, "update")
    # creating a graph that exists is a no-op (rdflib's Dataset.graph(iri) on its update
    # store sends CREATE GRAPH for every graph it opens, existing ones included); prologues
    # after ";" (rdflib's transactions) moved first, where the engine reads them
    text = prologues_first(create_silently(text))
    if not store.embedded:
        await run_in_threadpool(_remote_update, store, text)
        return
    worker = None
    if pool is not None:
        candidates = touched_graphs(text)
        message = (
            "update",
            text,
            base_iri,
            None if candidates is None else sorted(candidates),
            RESERVED,
            limits.max_write_bytes,
        )
        changes, worker = await pool.run(message, limits.timeout, "update")
    else:
        changes = await _local_dry_run(store, text, base_iri, limits)
    try:
        await run_in_threadpool(_gate_and_write, store, changes)
    finally:
        # refused: the copy holds what the store does not; written: the summaries and
        # provenance came on top. Either way these graphs are copied again before its next job
        if pool is not None and worker is not None:
            pool.mark_dirty(worker, list(changes["graphs"]))


async def _local_dry_run(store: Store, text: str, base_iri: str | None, limits: Limits) -> dict:
    """Without query workers: try the update on an in-memory copy, in a thread."""

    native = store.native
    assert native is not None  # the caller tries updates here on an embedded store only

    def run() -> dict:
        candidates = touched_graphs(text)
        copy = copy_of(native)
        listed = None if candidates is None else sorted(candidates)
        return dry_update(copy, text, base_iri, listed, RESERVED, limits.max_write_bytes)

    try:
        async with asyncio.timeout(limits.timeout):
            return await run_in_threadpool(run)
    except TimeoutError:
        raise ProtocolError(
            503,
            "the update did not finish within its time limit; narrow it or ask the operator to "
            "raise BPFGRAPH_QUERY_TIMEOUT",
        ) from None
    except ProtocolError:
        raise
    except UpdateError as exc:
        raise ProtocolError(exc.status, exc.message) from None
    except Exception as exc:
        message = str(exc)
        if "does not exist" in message:
            raise ProtocolError(404, f"the update could not be applied: {message}") from None
        if "already exists" in message:
            raise ProtocolError(400, f"the update could not be applied: {message}") from None
        error = client_error(exc)
        if isinstance(error, ProtocolError):
            raise error from None
        raise ProtocolError(400, f"the update could not be applied: {message}") from None


def _gate_and_write(store: Store, changes: dict) -> None:
    """The trial run's changes through the write gate (city mappings read as rdflib graphs,
    to be validated and summarised; anything else written as N-Triples)."""
    graphs: dict[str | None, tuple[bool, bytes]] = changes["graphs"]
    mapping_graph = {
        name: _to_graph(graphs[name][1])
        for name in changes["mappings"]
        if name is not None and name in graphs and graphs[name][0]
    }
    apply_changes(store, graphs, changes["mappings"], mapping_graph)


def _to_graph(ntriples: bytes) -> Graph:
    graph = Graph()
    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        graph.add(_rdflib_triple(triple))
    return graph


def _rdflib_triple(quad: Any) -> tuple:
    return (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))


def _remote_update(store: Store, text: str) -> None:
    touched = touched_graphs(text)
    if touched is None:
        raise ProtocolError(
            403,
            "on a remote store, an update must name the graphs it changes (no GRAPH ?g, ALL or "
            "NAMED, and no IRI holding ' — or # before a long string on its line — that could "
            "also be read as the < operator), so that the framework graphs stay read-only",
        )
    reserved = sorted(g for g in touched if is_reserved_graph(g))
    if reserved:
        raise ProtocolError(
            403,
            "the update names the framework graph "
            + ", ".join(f"<{g}>" for g in reserved)
            + ", which is read-only on a remote store; nothing was changed",
        )
    try:
        store.update(text)
    except StoreRefused as exc:
        raise ProtocolError(exc.status, str(exc)) from None
    except SyntaxError as exc:
        raise ProtocolError(400, f"invalid SPARQL update: {exc}") from None
    except (ValueError, OSError) as exc:
        raise ProtocolError(400, f"the update could not be applied: {exc}") from None
    after_update(store, text)
