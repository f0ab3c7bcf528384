"""SPARQL Update through the service's one write gate.

An update is first applied to a copy of the store — on a query worker process, killed at the
deadline like a query — and what it changed is read off the copy, graph by graph. Then the
gate that every write passes:

- a framework graph (``https://w3id.org/bpfgraph/graph/…``) changed → 403, nothing written
  (``DROP ALL``, ``CLEAR ALL``, ``GRAPH ?g`` … included: what counts is what the update did);
- a city mapping in the default graph → 400;
- a changed graph holding a ``bpf:CityMapping`` with SHACL violations → 422 with the report;
- otherwise the changed graphs, their summaries and provenance are written in one transaction
  (:func:`bpfgraph.mappings.write_graphs`).

On a remote store (no copy to try on) the gate reads the update's text: an update that names a
framework graph, or may touch any graph (``GRAPH ?g``, ``ALL``, ``NAMED``), is refused (403).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from ..framework import is_reserved_graph
from ..mappings import write_graphs
from ..store.base import Store
from ..store.oxigraph import OxigraphStore, _copy_of
from ..summaries import touched_graphs
from ..vocab import GRAPH
from .query_worker import UpdateError, dry_update
from .sparql import Limits, ProtocolError, check_safety, client_error

if TYPE_CHECKING:
    from .executor import QueryPool


#: graphs under the first IRI belong to the framework, except those under the second
RESERVED = (str(GRAPH), str(GRAPH["mapping/"]))


class UpdateRefused(ProtocolError):
    """A refused update whose answer carries a validation report."""

    def __init__(self, status: int, message: str, report: dict | None = None) -> None:
        super().__init__(status, message)
        self.report = report


async def apply_update(
    store: Store, pool: QueryPool | None, text: str, limits: Limits, base_iri: str | None
) -> None:
    """Apply an update through the gate (the caller holds the service's write lock)."""
    check_safety(text, limits, "update")
    if not isinstance(store, OxigraphStore):
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


async def _local_dry_run(
    store: OxigraphStore, text: str, base_iri: str | None, limits: Limits
) -> dict:
    """Without query workers: try the update on an in-memory copy, in a thread."""

    def run() -> dict:
        candidates = touched_graphs(text)
        copy = _copy_of(store.native)
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
    graphs: dict[str | None, tuple[bool, bytes]] = changes["graphs"]
    if not graphs:
        return
    reserved = sorted(g for g in graphs if g is not None and is_reserved_graph(g))
    if reserved:
        raise ProtocolError(
            403,
            "the update would change the framework graph"
            + ("s " if len(reserved) > 1 else " ")
            + ", ".join(f"<{g}>" for g in reserved)
            + (", which are" if len(reserved) > 1 else ", which is")
            + " read-only; nothing was changed",
        )
    if None in changes["mappings"]:
        raise ProtocolError(
            400,
            "the update would put a city mapping in the default graph; store it in a named "
            "graph; nothing was changed",
        )
    # the city mappings as rdflib graphs (validated, summarised); anything else as N-Triples
    contents: dict[str, Graph | bytes | None] = {}
    for name, (exists, ntriples) in graphs.items():
        if name is None:
            continue
        if not exists:
            contents[name] = None
        elif name in changes["mappings"]:
            contents[name] = _to_graph(ntriples)
        else:
            contents[name] = ntriples
    _validate(contents, changes["mappings"])
    default = graphs[None][1] if None in graphs else None
    write_graphs(store, contents, default=default)


def _validate(contents: dict[str, Graph | bytes | None], mappings: list[str]) -> None:
    from ..validation import validate_mapping
    from ..validation_report import FileOutcome, RunOutcome, to_json

    outcomes = []
    for name in mappings:
        data = contents.get(name)
        if not isinstance(data, Graph):
            continue
        report = validate_mapping(data)
        if not report.conforms:
            outcomes.append(FileOutcome(f"graph <{name}>", report))
    if outcomes:
        doc = json.loads(to_json(RunOutcome(outcomes)))
        names = ", ".join(o.file for o in outcomes)
        raise UpdateRefused(
            422,
            f"the update would leave the city mapping in {names} with violations; nothing was "
            "changed",
            doc,
        )


def _to_graph(ntriples: bytes) -> Graph:
    graph = Graph()
    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        graph.add(_rdflib_triple(triple))
    return graph


def _rdflib_triple(quad: Any) -> tuple:
    from ..rdfio import to_rdflib

    return (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))


def _remote_update(store: Store, text: str) -> None:
    touched = touched_graphs(text)
    if touched is None:
        raise ProtocolError(
            403,
            "on a remote store, an update must name the graphs it changes (no GRAPH ?g, ALL or "
            "NAMED), so that the framework graphs stay read-only",
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
    except SyntaxError as exc:
        raise ProtocolError(400, f"invalid SPARQL update: {exc}") from None
    except (ValueError, OSError) as exc:
        raise ProtocolError(400, f"the update could not be applied: {exc}") from None
    from ..summaries import after_update

    after_update(store, text)
