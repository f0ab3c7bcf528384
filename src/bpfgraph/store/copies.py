"""Copies of pyoxigraph stores: whole (a snapshot in memory), graph by graph (one SPARQL
Update replacing each graph), piped from a dump; and a bulk load's quads. What the read mirror,
the replicas and the query workers are made with.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .. import rdfio
from ..formats import OX_FORMATS


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


def copy_graphs(
    source: ox.Store, target: ox.Store, graphs: Iterable[str], default: bool = False
) -> None:
    """Replace these graphs of ``target`` by those of ``source``, in one update of ``target``."""
    text = copy_update(source, graphs, default)
    if text:
        target.update(text)


def copy_update(source: ox.Store, graphs: Iterable[str], default: bool = False) -> str:
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


def replacing(name: ox.NamedNode | ox.DefaultGraph, triples: list[ox.Triple]) -> list[str]:
    """The update operations that replace a graph's content by these triples."""
    default = isinstance(name, ox.DefaultGraph)
    operations = ["DROP SILENT DEFAULT" if default else f"DROP SILENT GRAPH {name}"]
    if triples:
        written = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert written is not None  # given no output, pyoxigraph returns the bytes
        body = written.decode("utf-8")
        data = body if default else f"GRAPH {name} {{\n{body}\n}}"
        operations.append(f"INSERT DATA {{\n{data}\n}}")
    return operations


def copy_of(store: ox.Store) -> ox.Store:
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
