"""Bulk loads of (already validated) mapping files, each into its graph, with summaries.

>>> load_files.__name__
'load_files'
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from . import rdfio, summaries
from .formats import OX_FORMATS
from .store.base import Store
from .writes import check_graph, write_graphs


def load_files(store: Store, items: list[tuple[Path, str]]) -> None:
    """Bulk-load (already validated) mapping files, each into its graph, with summaries.

    On an embedded store the summaries are derived in a second process while this one parses
    and writes (the two halves take about as long), so a bulk load costs little more than the
    mappings' own triples. Elsewhere each file is read once and written with its summary
    (added to a graph that already exists, the summary is derived from what the store holds).
    """
    for _, graph in items:
        check_graph(graph)
    if not store.embedded:  # a remote store: one file after the other
        existing = set(store.graphs())
        for path, graph in items:
            if graph in existing:  # added to what the graph holds: summarised from the store
                store.load_file(path, graph)
                summaries.refresh(store, graph)
            else:  # a new graph: written with its summary, as an upload writes it
                write_graphs(store, {graph: rdfio.as_graph(rdfio.parse_file(path))})
        return
    if len(items) < 20:
        store.load_many(items, (_derive_file(item) for item in items))
        return
    summaries.framework_index()  # computed once here, inherited by the forked worker
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        store.load_many(items, pool.map(_derive_file, items, chunksize=16))


def _derive_file(item: tuple[Path, str]) -> bytes:
    path, graph = item
    fmt = OX_FORMATS[rdfio.format_for(path)]
    triples = [
        (t.subject.value, t.predicate.value, t.object.value)
        for t in ox.parse(path=str(path), format=fmt)
    ]
    return summaries.to_nquads(summaries.summarize(triples, graph), summaries.summary_graph(graph))
