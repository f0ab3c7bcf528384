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

import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .. import rdfio
from ..formats import OX_FORMATS  # rdflib format name -> Oxigraph format
from ..rdfio import term_converter, to_rdflib
from ..sparql_text import touched_graphs
from .base import Store, StoreError, replace_graphs_update
from .copies import copy_graphs, copy_of, file_quads, replacing
from .journal import Journal
from .results import AskResult, GraphResult, QueryResult, SelectResult

log = logging.getLogger("bpfgraph.store")


def _result(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
    """Oxigraph's answer to a query as the engine-neutral result, with rdflib terms."""
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
    for triple in result:
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
        )
    return GraphResult(graph)


class OxigraphStore(Store):
    """Oxigraph through pyoxigraph; ``path=None`` keeps everything in memory."""

    embedded = True

    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        """Open the store in the folder ``path`` (made if missing, unless ``read_only``), or a
        new empty one in memory. StoreError when it cannot be opened, typically because
        another process holds it."""
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
        #: the record of what each write touched, which copies of the store catch up from
        #: (the query workers; the replicas of ``serve --workers N``): started on demand
        self._journal: Journal | None = None

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store that reads (queries) go to: the read mirror when there is one."""
        return self._reader

    @property
    def primary(self) -> ox.Store:
        """The store itself (on disk when persistent), never the read mirror: what copies of
        the store are taken from, with the blank node labels every copy then shares."""
        return self._store

    def writes_held(self) -> contextlib.AbstractContextManager[object]:
        """The write lock: while it is held no write happens (re-entrant in the holding
        thread)."""
        return self._lock

    def journal(self, path: Path | None = None) -> Journal:
        """The journal of this store's writes, started on the first call (in a file at
        ``path``, which other processes may map; by default a private temporary file)."""
        with self._lock:
            if self._journal is None:
                if path is None:
                    fd, name = tempfile.mkstemp(prefix="bpfgraph-journal-")
                    os.close(fd)
                    self._journal = Journal(Path(name))
                    os.unlink(name)  # the mapping stays valid; nothing else reads it
                else:
                    self._journal = Journal(path)
            return self._journal

    def status(self) -> dict[str, object]:
        """The read mirror's state (:attr:`mirror_state`); no replica sequence."""
        return {"readMirror": self.mirror_state, "replicaSeq": None}

    def triples(self, graph: str) -> Iterator[tuple[str, str, str]]:
        """A plain scan of the graph, no rdflib terms."""
        for q in self._reader.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            s, o = q.subject, q.object
            if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
                # a quoted triple (RDF-star) has no string form: refused, as to_rdflib does
                raise TypeError(f"unsupported term in {q!r}")
            yield s.value, q.predicate.value, o.value

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
                mirror = copy_of(self._store)  # a snapshot: writes meanwhile do not block
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
                copy_graphs(self._store, mirror, dirty, default=True)
                self._reader = mirror
                break
        log.info("read mirror ready: %d quads in %.1f s", size, time.perf_counter() - start)

    def _sync(self, graphs: Iterable[str] | None, default: bool = False) -> None:
        """After a write: copy these graphs (and the default graph if ``default``; everything
        when ``graphs`` is None) from the disk into the mirror, in one transaction of it; and
        note them in the journal the replicas read, if there is one."""
        if self._journal is not None:
            self._journal.record(graphs, default)
        if self._filling:  # the mirror is being filled: note what to copy again
            dirty = self._dirty
            self._dirty = None if graphs is None or dirty is None else dirty | set(graphs)
        if not self.mirrored:
            return
        if graphs is None:
            self._reader = copy_of(self._store)
        else:
            copy_graphs(self._store, self._reader, graphs, default)

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        """Add a file's triples to ``graph``: read by Oxigraph's parser straight into the store
        for the triple syntaxes it reads, else parsed by :mod:`bpfgraph.rdfio` (the triples of
        every graph of a dataset land in ``graph``)."""
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
        :func:`bpfgraph.bulk.load_files`.
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
        """Parse ``data`` into ``graph`` in one transaction, replacing its content (by default)
        or adding to it. Quad syntaxes and those Oxigraph does not read are parsed by
        :mod:`bpfgraph.rdfio` first (a dataset's triples all land in ``graph``); blank nodes
        get fresh labels. SyntaxError (Oxigraph's parser) or
        :class:`~bpfgraph.rdfio.RDFInputError` when the data does not parse."""
        target = ox.NamedNode(graph)
        if fmt in rdfio.QUAD_FORMATS or fmt not in OX_FORMATS:
            parsed = rdfio.as_graph(rdfio.parse_data(data, fmt))
            data, fmt = parsed.serialize(format="nt", encoding="utf-8"), "nt"
        triples = list(ox.parse(data, format=OX_FORMATS[fmt], rename_blank_nodes=True))
        with self._lock:
            if replace:
                # one update is one transaction: readers see the old graph or the new, never half
                self._store.update(" ;\n".join(replacing(target, triples)))
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
        """Replace ``graph`` by the triples of ``data`` in one transaction (an empty ``data``
        removes it)."""
        self.load_data(
            rdfio.as_graph(data).serialize(format="nt", encoding="utf-8"), "nt", graph, replace=True
        )

    def put_graphs(self, graphs: dict[str, Graph]) -> None:
        """Replace several graphs in one transaction; an empty graph is removed."""
        # one update is one transaction: readers see the old graphs or the new, never a mix
        with self._lock:
            self._store.update(replace_graphs_update(graphs))
            if self.path is not None:
                self._store.flush()
            self._sync(graphs)

    def delete_graph(self, graph: str) -> bool:
        """Remove ``graph``; whether it existed (an empty graph that exists counts)."""
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
        """Run a query on the read mirror when it is ready, else on the store; by default the
        default graph is the union of all graphs. SyntaxError when the query does not parse."""
        return _result(self._reader.query(sparql, use_default_graph_as_union=union_default_graph))

    def update(
        self,
        sparql: str,
        base_iri: str | None = None,
        *,
        touches: Collection[str] | None = None,
        default: bool = False,
    ) -> None:
        """Run a SPARQL Update in one transaction, relative IRIs resolved against ``base_iri``.
        Then the graphs it wrote are copied into the read mirror and noted in the journal, if
        there are: ``touches`` (and the default graph if ``default``) when given, else the
        graphs the text names and the default graph (everything when it may write any graph)."""
        with self._lock:
            self._store.update(sparql, base_iri=base_iri)
            if self.path is not None:
                self._store.flush()
            if self.mirrored or self._filling or self._journal is not None:
                if touches is not None:
                    self._sync(touches, default=default)
                    return
                # the graphs the update names (an IRI that is no graph copies nothing) and the
                # default graph; None: it may touch any graph
                self._sync(touched_graphs(sparql), default=True)

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted. Oxigraph keeps a graph created empty
        (``CREATE GRAPH``) or emptied, which is listed too (see :meth:`empty_graphs`)."""
        return sorted(g.value for g in self._reader.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        """Number of triples in ``graph``, or of quads in the whole store (default graph
        included)."""
        if graph is None:
            return len(self._reader)
        return sum(1 for _ in self._reader.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def close(self) -> None:
        """Flush the writes to disk (nothing to do in memory or read-only)."""
        if self.path is not None and not self.read_only:
            self._store.flush()
