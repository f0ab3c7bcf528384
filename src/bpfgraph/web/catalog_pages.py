"""The catalog's pages: which mappings a page shows — page 1 (with the framework's and the
metadata datasets), page N by position, or the mappings after a key (a cursor) — and the
Hydra links between pages that harvesters follow.

>>> from bpfgraph.web.catalog_terms import Nodes, Publishing
>>> nodes = Nodes(Publishing("https://data.example.org/bpf/"))
>>> w = window(["1", "2", "3", "4", "5"], 2, "2", nodes)
>>> w.start, str(w.links["next"]), str(w.links["previous"])
(2, 'https://data.example.org/bpf/catalog?after=4', 'https://data.example.org/bpf/catalog')
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from rdflib import RDF, XSD, Graph, Literal, URIRef

from .catalog_terms import HYDRA, Nodes
from .errors import ProtocolError


@dataclass(frozen=True)
class Window:
    """Which mappings a page shows (from ``start``), its address, and its Hydra links."""

    start: int
    first: bool
    here: URIRef
    links: dict[str, URIRef]


def window(keys: list[str], size: int, page: int | str, nodes: Nodes) -> Window:
    """The mappings of one page: page 1 the first ``size`` (with the framework's datasets),
    page N the N-th ``size``, and ``after`` a key the ``size`` after it (a cursor: mappings
    written or deleted before it do not shift what comes after, so a harvest that follows
    the next links misses nothing that stays published)."""
    if isinstance(page, int):
        start = (page - 1) * size
        if page > 1 and start >= len(keys):
            last = max(1, math.ceil(len(keys) / size))
            raise ProtocolError(404, f"page={page}: the catalog has {last} page(s)")
        here = nodes.page(page)
    else:
        start = bisect.bisect_right(keys, page)
        here = nodes.after(page)

    def cursor(index: int) -> URIRef:
        """The page starting at mapping ``index``."""
        return nodes.page(1) if index <= 0 else nodes.after(keys[index - 1])

    links = {"first": nodes.page(1)}
    remaining = max(len(keys) - 1 - start, 0)
    links["last"] = cursor(start + size * (remaining // size))
    if start + size < len(keys):
        links["next"] = cursor(start + size)
    if start > 0:
        links["previous"] = cursor(start - size)
    return Window(start, page == 1, here, links)


def paging(g: Graph, nodes: Nodes, window: Window, total: int) -> None:
    """This page as a Hydra paged collection (the current and the deprecated terms both: what
    ckanext-dcat and piveau read)."""
    here = window.here
    g.add((here, RDF.type, HYDRA.PagedCollection))
    g.add((here, RDF.type, HYDRA.PartialCollectionView))
    g.add((here, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((here, HYDRA.itemsPerPage, Literal(nodes.publishing.page_size, datatype=XSD.integer)))
    for current, target in window.links.items():
        g.add((here, HYDRA[current], target))
        g.add((here, HYDRA[current + "Page"], target))
