"""OWL RL entailments of the ontology and the framework, computed once.

The entailed triples that are not already asserted go into their own named graph
(``…/graph/inferred``), so queries see e.g. every process as a ``bpf:BusinessProcess``
without reasoning per query or per validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import owlrl
from rdflib import OWL, Dataset, Graph, Literal

from .framework import INFERRED, PARTS, bind_prefixes, graph_iri, load_part
from .framework import load_dataset as load_parts


@dataclass
class Closure:
    """The result of reasoning: the new triples and any inconsistencies found."""

    triples: Graph
    errors: list[str] = field(default_factory=list)


def reason(graph: Graph) -> Closure:
    """OWL RL closure of ``graph``; returns only the triples it adds, minus trivia.

    Reflexive ``owl:sameAs``, triples about literals (not RDF 1.1) and the closure's own
    error bookkeeping are left out.
    """
    work = Graph()
    work += graph
    closure = owlrl.OWLRL_Semantics(work, False, False, False)
    closure.closure()
    added = bind_prefixes(Graph())
    for s, p, o in work:
        if (s, p, o) in graph:
            continue
        if isinstance(s, Literal) or (p == OWL.sameAs and s == o):
            continue
        added.add((s, p, o))
    return Closure(added, list(closure.error_messages))


@cache
def _framework_closure() -> Closure:
    source = load_part("ontology")
    source += load_part("framework")
    return reason(source)


def entailments() -> Graph:
    """Entailments of ontology + framework (computed once per process)."""
    return _framework_closure().triples


def inconsistencies() -> list[str]:
    """OWL RL inconsistencies of ontology + framework; empty when consistent."""
    return list(_framework_closure().errors)


def load_dataset(parts: Iterable[str] = tuple(PARTS), inferred: bool = False) -> Dataset:
    """The parts as named graphs of one dataset, optionally with the inferred graph."""
    ds = load_parts(parts)
    if inferred:
        g = ds.graph(graph_iri(INFERRED))
        g += entailments()
    return ds
