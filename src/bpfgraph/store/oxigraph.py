"""The embedded Oxigraph engine, on disk (persistent, the default for ``serve``) or in memory.

On disk, ``serve`` also keeps a **read mirror**: a copy of the whole store in memory that
queries run on (Oxigraph's in-memory engine answers two to three times faster than RocksDB),
while every write still goes to disk first. The mirror is filled in the background when the
service starts (queries use the disk until it is ready, so a restart is ready at once), and
after each write the graphs the write touched are copied from the disk into the mirror in one
transaction, so readers never see half a write and the disk stays the only truth. It is
skipped above a size (``BPFGRAPH_READ_MIRROR_MAX_QUADS``) where memory would not suffice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph

from .. import rdfio
from ..formats import OX_FORMATS  # rdflib format name -> Oxigraph format
from ..rdfio import term_converter, to_rdflib
from .base import (
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    Store,
    StoreError,
    replace_graphs_update,
)

if TYPE_CHECKING:
    from .replica import Journal

log = logging.getLogger("bpfgraph.store")


def _result(result: object) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return AskResult(bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = []
        term = term_converter()
        for solution in result:
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = term(value)
            rows.append(row)
        return SelectResult(variables, rows)
    graph = Graph()
    for triple in result:  # type: ignore[attr-defined]
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
        )
    return GraphResult(graph)


class OxigraphStore(Store):
    """Oxigraph through pyoxigraph; ``path=None`` keeps everything in memory."""

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.engine = "oxigraph-memory" if path is None else "oxigraph"
        #: serialises writes with the mirror's copies (re-entrant: writes call writes)
        self._lock = threading.RLock()
        #: while the mirror is being filled: the graphs written since it began (None: any)
        self._filling = False
        self._dirty: set[str] | None = set()
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {path}: {exc} "
                "(is another bpfgraph process, such as `bpfgraph serve`, using it?)"
            ) from None
        #: where reads go: the read mirror once it is ready, else the store itself
        self._reader = self._store
        #: in the writer process of ``serve --workers N``: the record of what each write
        #: touched, which the workers' replicas catch up from (:mod:`bpfgraph.store.replica`)
        self.journal: Journal | None = None

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store that reads (queries) go to: the read mirror when there is one."""
        return self._reader

    @property
    def primary(self) -> ox.Store:
        """The store itself (on disk when persistent), never the read mirror: what copies of
        the store are taken from, with the blank node labels every copy then shares."""
        return self._store

    # -- read mirror ---------------------------------------------------------------------------

    @property
    def mirrored(self) -> bool:
        """Whether queries run on the in-memory read mirror."""
        return self._reader is not self._store

    @property
    def mirror_state(self) -> str:
        """``ready``, ``filling`` or ``off`` (for ``/health``)."""
        return "ready" if self.mirrored else "filling" if self._filling else "off"

    def start_mirror(self, max_quads: int, background: bool = True) -> threading.Thread | None:
        """Fill the read mirror (in a background thread unless ``background`` is false).

        Does nothing in memory, read-only, when ``max_quads`` is 0 or the store holds more
        quads than ``max_quads``. Reads and writes go on meanwhile (to the disk); the graphs
        written during the fill are copied again before the mirror takes over. A write that
        may touch any graph (a SPARQL Update with ``GRAPH ?g``) copies the whole store again,
        holding other writes until it is done.
        """
        if self.path is None or self.read_only or max_quads <= 0:
            return None
        if not background:
            self._fill_mirror(max_quads)
            return None
        thread = threading.Thread(
            target=self._fill_mirror, args=(max_quads,), name="bpfgraph-mirror", daemon=True
        )
        thread.start()
        return thread

    def _fill_mirror(self, max_quads: int) -> None:
        start = time.perf_counter()
        with self._lock:
            size = len(self._store)
            if size > max_quads:
                log.info(
                    "read mirror skipped: %d quads > BPFGRAPH_READ_MIRROR_MAX_QUADS=%d",
                    size,
                    max_quads,
                )
                return
            self._filling, self._dirty = True, set()  # writes from now on are copied again
        while True:
            try:
                mirror = _copy_of(self._store)  # a snapshot: writes meanwhile do not block
            except Exception:  # the disk stays usable: reads simply stay there
                log.exception("read mirror could not be filled; queries read the disk")
                with self._lock:
                    self._filling = False
                return
            with self._lock:
                dirty = self._dirty
                if dirty is None:  # a write touched everything meanwhile: copy again
                    self._dirty = set()
                    continue
                self._filling = False
                _copy_graphs(self._store, mirror, dirty, default=True)
                self._reader = mirror
                break
        log.info("read mirror ready: %d quads in %.1f s", size, time.perf_counter() - start)

    def _sync(self, graphs: Iterable[str] | None, default: bool = False) -> None:
        """After a write: copy these graphs (and the default graph if ``default``; everything
        when ``graphs`` is None) from the disk into the mirror, in one transaction of it; and
        note them in the journal the replicas read, if there is one."""
        if self.journal is not None:
            self.journal.record(graphs, default)
        if self._filling:  # the mirror is being filled: note what to copy again
            dirty = self._dirty
            self._dirty = None if graphs is None or dirty is None else dirty | set(graphs)
        if not self.mirrored:
            return
        if graphs is None:
            self._reader = _copy_of(self._store)
        else:
            _copy_graphs(self._store, self._reader, graphs, default)

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        rdf_format = rdfio.format_for(path, fmt)
        target = ox.NamedNode(graph)
        if rdf_format in OX_FORMATS and rdf_format not in rdfio.QUAD_FORMATS:
            with self._lock:
                self._store.load(path=str(path), format=OX_FORMATS[rdf_format], to_graph=target)
                self._sync([graph])
        else:
            self._add(graph, rdfio.parse_file(path, fmt))

    def load_many(
        self, items: Iterable[tuple[Path, str]], derived: Iterable[bytes] | None = None
    ) -> None:
        """Bulk-load many files, each into its own graph, with Oxigraph's parser and bulk
        writer (for imports: not one transaction; validate the files first).

        ``derived``, aligned with ``items``, gives for each file more quads to write in the
        same pass, as N-Quads: the mapping summaries, computed alongside by
        :func:`bpfgraph.mappings.load_files`.
        """
        with self._lock:
            self._load_many(items, derived)
            self._sync(None)

    def _load_many(
        self, items: Iterable[tuple[Path, str]], derived: Iterable[bytes] | None = None
    ) -> None:
        extras = iter(derived) if derived is not None else None
        if self.path is None:  # in memory: the native per-file loads
            for path, graph in items:
                fmt = OX_FORMATS[rdfio.format_for(path)]
                self._store.load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))
                if extras is not None:
                    self._store.load(next(extras), format=ox.RdfFormat.N_QUADS)
            return
        self._store.bulk_extend(file_quads(items, extras))
        self._store.flush()

    def load_data(self, data: bytes, fmt: str, graph: str, replace: bool = True) -> None:
        target = ox.NamedNode(graph)
        if fmt in rdfio.QUAD_FORMATS or fmt not in OX_FORMATS:
            parsed = rdfio.as_graph(rdfio.parse_data(data, fmt))
            data, fmt = parsed.serialize(format="nt", encoding="utf-8"), "nt"
        triples = list(ox.parse(data, format=OX_FORMATS[fmt], rename_blank_nodes=True))
        with self._lock:
            if replace:
                # one update is one transaction: readers see the old graph or the new, never half
                self._store.update(" ;\n".join(_replacing(target, triples)))
            else:
                self._store.extend(
                    ox.Quad(t.subject, t.predicate, t.object, target) for t in triples
                )
            if self.path is not None:
                self._store.flush()
            self._sync([graph])

    def _add(self, graph: str, data: Graph) -> None:
        self.load_data(data.serialize(format="nt", encoding="utf-8"), "nt", graph, replace=False)

    def put_graph(self, graph: str, data: Graph) -> None:
        self.load_data(
            rdfio.as_graph(data).serialize(format="nt", encoding="utf-8"), "nt", graph, replace=True
        )

    def put_graphs(self, graphs: dict[str, Graph]) -> None:
        # one update is one transaction: readers see the old graphs or the new, never a mix
        with self._lock:
            self._store.update(replace_graphs_update(graphs))
            if self.path is not None:
                self._store.flush()
            self._sync(graphs)

    def delete_graph(self, graph: str) -> bool:
        target = ox.NamedNode(graph)
        with self._lock:
            if not self._store.contains_named_graph(target):
                return False
            self._store.remove_graph(target)
            if self.path is not None:
                self._store.flush()
            self._sync([graph])
        return True

    def add_nquads(self, data: bytes) -> None:
        """Add quads (N-Quads, each in its own graph) in one transaction."""
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS, rename_blank_nodes=True))
        with self._lock:
            self._store.extend(quads)
            if self.path is not None:
                self._store.flush()
            self._sync(
                {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)},
                default=any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads),
            )

    def empty_graphs(self) -> list[str]:
        """The named graphs that exist without a triple (an N-Quads dump does not hold them)."""
        return sorted(
            g.value
            for g in self._store.named_graphs()
            if isinstance(g, ox.NamedNode)
            and next(self._store.quads_for_pattern(None, None, None, g), None) is None
        )

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        return _result(self._reader.query(sparql, use_default_graph_as_union=union_default_graph))

    def update(
        self,
        sparql: str,
        base_iri: str | None = None,
        *,
        touches: Collection[str] | None = None,
        default: bool = False,
    ) -> None:
        with self._lock:
            self._store.update(sparql, base_iri=base_iri)
            if self.path is not None:
                self._store.flush()
            if self.mirrored or self._filling or self.journal is not None:
                if touches is not None:
                    self._sync(touches, default=default)
                    return
                from ..summaries import touched_graphs

                # the graphs the update names (an IRI that is no graph copies nothing) and the
                # default graph; None: it may touch any graph
                self._sync(touched_graphs(sparql), default=True)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._reader.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._reader)
        return sum(1 for _ in self._reader.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()


def file_quads(
    items: Iterable[tuple[Path, str]], derived: Iterable[bytes] | None = None
) -> Iterator[ox.Quad]:
    """The triples of each file in its graph (Oxigraph's parser), each followed by its
    ``derived`` N-Quads if given."""
    extras = iter(derived) if derived is not None else None
    for path, graph in items:
        target = ox.NamedNode(graph)
        fmt = OX_FORMATS[rdfio.format_for(path)]
        # each file's blank nodes its own: "_:x" in two files are two nodes
        for t in ox.parse(path=str(path), format=fmt, rename_blank_nodes=True):
            yield ox.Quad(t.subject, t.predicate, t.object, target)
        if extras is not None:
            yield from ox.parse(next(extras), format=ox.RdfFormat.N_QUADS)


def _copy_graphs(
    source: ox.Store, target: ox.Store, graphs: Iterable[str], default: bool = False
) -> None:
    """Replace these graphs of ``target`` by those of ``source``, in one update of ``target``."""
    text = _copy_update(source, graphs, default)
    if text:
        target.update(text)


def _copy_update(source: ox.Store, graphs: Iterable[str], default: bool = False) -> str:
    """The SPARQL Update that gives another store these graphs (and the default graph if
    ``default``) as ``source`` holds them; empty when there is nothing to copy."""
    names: list[ox.NamedNode | ox.DefaultGraph] = [ox.NamedNode(g) for g in sorted(set(graphs))]
    if default:
        names.append(ox.DefaultGraph())
    operations = []
    for name in names:
        # written by Oxigraph (no Python object per triple: a large graph does not hold the
        # interpreter)
        body = (source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name) or b"").decode()
        default = isinstance(name, ox.DefaultGraph)
        operations.append("DROP SILENT DEFAULT" if default else f"DROP SILENT GRAPH {name}")
        if body:
            data = body if default else f"GRAPH {name} {{\n{body}\n}}"
            operations.append(f"INSERT DATA {{\n{data}\n}}")
        elif not default and source.contains_named_graph(name):
            operations.append(f"CREATE SILENT GRAPH {name}")  # empty, but it exists
    return " ;\n".join(operations)


def _replacing(name: ox.NamedNode | ox.DefaultGraph, triples: list[ox.Triple]) -> list[str]:
    """The update operations that replace a graph's content by these triples."""
    default = isinstance(name, ox.DefaultGraph)
    operations = ["DROP SILENT DEFAULT" if default else f"DROP SILENT GRAPH {name}"]
    if triples:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        data = body if default else f"GRAPH {name} {{\n{body}\n}}"
        operations.append(f"INSERT DATA {{\n{data}\n}}")
    return operations


def _copy_of(store: ox.Store) -> ox.Store:
    """An in-memory copy of a store: its N-Quads dump piped into a new store's native parser
    (the dump and the parse run side by side; nothing is written to disk)."""
    mirror = piped(lambda out: store.dump(output=out, format=ox.RdfFormat.N_QUADS))
    for graph in store.named_graphs():  # empty graphs exist too (a dump only has quads)
        mirror.add_graph(graph)
    return mirror


def piped(produce: Callable[[IO[bytes]], object], keep_blank_nodes: bool = False) -> ox.Store:
    """A new in-memory store loaded with the N-Quads ``produce`` writes to the file it is
    given; producer and parser run side by side, through a pipe. ``keep_blank_nodes`` keeps
    the blank node labels of the input (Oxigraph's loader gives them new ones), at some cost."""
    store = ox.Store()
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with os.fdopen(write_fd, "wb") as out:
                produce(out)
        except BaseException as exc:  # a failed load closes the pipe: stop quietly
            failure.append(exc)

    writer = threading.Thread(target=run, name="bpfgraph-pipe", daemon=True)
    writer.start()
    try:
        with os.fdopen(read_fd, "rb") as source:
            if keep_blank_nodes:
                store.bulk_extend(ox.parse(input=source, format=ox.RdfFormat.N_QUADS))
            else:
                store.load(input=source, format=ox.RdfFormat.N_QUADS)
    finally:
        writer.join()
    if failure:
        raise failure[0]
    return store
