"""Per-mapping summaries: the counts and scores of each mapped process, derived once per write.

A national portal asks cross-city questions ("which outcomes do cities adopt least?", "which
city rates best on C3?") over hundreds or thousands of mappings. Answering them from the
mappings' own triples re-derives every adoption count and rating average on every query
(seconds at 1,000 mappings). bpfgraph derives them once, when a mapping is written, into one
small named graph per mapping, ``https://w3id.org/bpfgraph/graph/summary/{hash}``:

- the ``bpf:CityMapping`` links to one ``bpf:ProcessSummary`` per mapped process
  (``bpf:processSummary``), which gives the process (``bpf:summarizedProcess``) and
  ``bpf:outcomeCount``, ``bpf:adoptedCount``, ``bpf:plannedCount``, ``bpf:declinedCount``,
  ``bpf:notAddressedCount``, ``bpf:cityOutcomeCount``, ``bpf:practiceCount``,
  ``bpf:coveredPracticeCount``, ``bpf:subProcessCount``, ``bpf:actionStepCount``,
  ``bpf:ratedCount``, ``bpf:ratedN`` … ``bpf:ratedF`` and, when anything is rated,
  ``bpf:summaryScore``;
- the ``bpf:CityMapping`` links to the framework outcomes it adopted, plans or declined
  (``bpf:adoptedOutcome``, ``bpf:plannedOutcome``, ``bpf:declinedOutcome``).

The named queries read these summaries; the mapping's own graph stays exactly as the city
sent it. Summaries are written in the same transaction as the mapping
(:func:`bpfgraph.writes.write_graphs`), re-derived for every mapping after a SPARQL Update
(which may touch any graph), and checked at start (:func:`ensure`).

>>> summary_graph("https://example.org/g").startswith("https://w3id.org/bpfgraph/graph/summary/")
True
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS, XSD

from .framework import part_graph
from .sparql_text import touched_graphs
from .store.base import SelectResult, Store
from .vocab import BPF, GRAPH, ID

SUMMARY_PREFIX = str(GRAPH["summary/"])
STATUS = {
    str(ID["adoption-status/adopted"]): "adopted",
    str(ID["adoption-status/planned"]): "planned",
    str(ID["adoption-status/declined"]): "declined",
}
STATUS_LINK = {
    "adopted": BPF.adoptedOutcome,
    "planned": BPF.plannedOutcome,
    "declined": BPF.declinedOutcome,
}
COUNTS = (
    "outcomeCount",
    "adoptedCount",
    "plannedCount",
    "declinedCount",
    "notAddressedCount",
    "cityOutcomeCount",
    "practiceCount",
    "coveredPracticeCount",
    "subProcessCount",
    "actionStepCount",
    "ratedCount",
    "ratedN",
    "ratedP",
    "ratedL",
    "ratedF",
)
#: every property bpfgraph derives; a city's own mapping may not assert them
DERIVED_PROPERTIES = (
    "processSummary",
    "summarizedProcess",
    *COUNTS,
    "summaryScore",
    "adoptedOutcome",
    "plannedOutcome",
    "declinedOutcome",
)

Triple = tuple[str, str, str]


@dataclass(frozen=True)
class FrameworkIndex:
    """What summaries need of the framework, by IRI: each process's outcomes and base
    practices, each rating's code and midpoint (per cent), each process's notation."""

    outcomes: dict[str, frozenset[str]]  # process IRI -> its outcome IRIs
    practices: dict[str, frozenset[str]]  # process IRI -> its base practice IRIs
    ratings: dict[str, tuple[str, Decimal]]  # rating IRI -> (code, midpoint)
    notations: dict[str, str]  # process IRI -> notation


@cache
def framework_index() -> FrameworkIndex:
    """What summaries need to know of the framework (read once from the packaged files)."""
    g = part_graph("framework")
    outcomes: dict[str, set[str]] = defaultdict(set)
    practices: dict[str, set[str]] = defaultdict(set)
    for p, o in g.subject_objects(BPF.hasOutcome):
        outcomes[str(p)].add(str(o))
    for o, p in g.subject_objects(BPF.outcomeOf):
        outcomes[str(p)].add(str(o))
    for p, bp in g.subject_objects(BPF.hasBasePractice):
        practices[str(p)].add(str(bp))
    for bp, p in g.subject_objects(BPF.practiceOf):
        practices[str(p)].add(str(bp))
    ratings = {}
    for r, low in g.subject_objects(BPF.minAchievement):
        high = g.value(r, BPF.maxAchievement)
        code = g.value(r, SKOS.notation)
        if high is not None and code is not None:
            mid = (Decimal(str(low)) + Decimal(str(high))) / 2
            ratings[str(r)] = (str(code), mid)
    notations = {
        str(p): str(n)
        for p, n in g.subject_objects(SKOS.notation)
        if str(p).startswith(str(ID["process/"])) and "/" not in str(p)[len(str(ID)) + 8 :]
    }
    return FrameworkIndex(
        {k: frozenset(v) for k, v in outcomes.items()},
        {k: frozenset(v) for k, v in practices.items()},
        ratings,
        notations,
    )


def summary_graph(mapping_graph: str) -> str:
    """The IRI of the summary graph derived from a mapping graph."""
    digest = hashlib.sha256(mapping_graph.encode("utf-8")).hexdigest()[:32]
    return f"{SUMMARY_PREFIX}{digest}"


def round_score(value: Decimal) -> Decimal:
    """One decimal, halves rounded up (SPARQL's ROUND for positive numbers)."""
    return (value * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 10


#: a derived triple: subject and predicate IRIs, object an IRI or a (lexical, datatype) literal
Derived = tuple[str, str, str | tuple[str, str]]
_P = {
    name: str(BPF[name])
    for name in (
        *DERIVED_PROPERTIES,
        *[
            "hasProcessMapping",
            "mapsProcess",
            "hasOutcomeAdoption",
            "adoptsOutcome",
            "adoptionStatus",
            "achievementRating",
            "hasSubProcess",
            "deliversPractice",
            "hasActionStep",
        ],
    )
}
_LINK = {status: str(link) for status, link in STATUS_LINK.items()}
_INTEGER, _DECIMAL = str(XSD.integer), str(XSD.decimal)


class _Triples:
    """One mapping graph's triples, indexed by subject and predicate."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_sp: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.mappings: list[str] = []
        self.city_outcomes: set[str] = set()
        rdf_type, city_mapping = str(RDF.type), str(BPF.CityMapping)
        city_outcome = str(BPF.CityOutcome)
        for s, p, o in triples:
            self.by_sp[(s, p)].append(o)
            if p == rdf_type:
                if o == city_mapping:
                    self.mappings.append(s)
                elif o == city_outcome:
                    self.city_outcomes.add(s)

    def objects(self, s: str, p: str) -> list[str]:
        """The objects of ``s`` for the bpf property named ``p``."""
        return self.by_sp.get((s, _P[p]), [])


def summarize(triples: Iterable[Triple], mapping_graph: str) -> list[Derived]:
    """The summary of one mapping graph, from its triples as (s, p, o) strings.

    IRIs are given without angle brackets; only IRIs matter here. A graph with no
    ``bpf:CityMapping`` gets an empty summary.
    """
    fw = framework_index()
    graph = _Triples(triples)
    out: list[Derived] = []
    if not graph.mappings:
        return out
    sg = summary_graph(mapping_graph)
    out.append((sg, str(PROV.wasDerivedFrom), mapping_graph))
    used: set[str] = set()
    for m in sorted(set(graph.mappings)):
        if ":" not in m:  # a blank node: nothing in another graph can point at it
            continue
        links: set[tuple[str, str]] = set()
        for index, pm in enumerate(graph.objects(m, "hasProcessMapping")):
            for process in graph.objects(pm, "mapsProcess")[:1]:
                if process not in fw.notations:  # not one of the 21: nothing to count against
                    continue
                values, scores = _process_values(graph, pm, process, fw, links)
                key = fw.notations[process]
                while key in used:  # the same process twice (an invalid mapping) or two mappings
                    key += f"-{index}"
                used.add(key)
                node = f"{sg}/{key}"
                out.append((m, _P["processSummary"], node))
                out.append((node, _P["summarizedProcess"], process))
                out.extend((node, _P[name], (str(v), _INTEGER)) for name, v in values.items())
                if scores:
                    mean = sum(scores, Decimal(0)) / len(scores)
                    out.append((node, _P["summaryScore"], (str(round_score(mean)), _DECIMAL)))
        out.extend((m, _LINK[status], o) for status, o in sorted(links))
    return out


def _process_values(
    graph: _Triples,
    pm: str,
    process: str,
    fw: FrameworkIndex,
    links: set[tuple[str, str]],
) -> tuple[dict[str, int], list[Decimal]]:
    """The counts of one process mapping and the midpoints of its ratings; the outcomes it
    adopts, plans or declines are added to ``links``."""
    outcomes = fw.outcomes.get(process, frozenset())
    practices = fw.practices.get(process, frozenset())
    by_status: dict[str, set[str]] = defaultdict(set)
    addressed: set[str] = set()
    own: set[str] = set()
    rated: list[str] = []
    for a in graph.objects(pm, "hasOutcomeAdoption"):
        for o in graph.objects(a, "adoptsOutcome"):
            if o in graph.city_outcomes:
                own.add(o)
            if o not in outcomes:
                continue
            addressed.add(o)
            for status in graph.objects(a, "adoptionStatus"):
                if status in STATUS:
                    by_status[STATUS[status]].add(o)
                    links.add((STATUS[status], o))
        rated += graph.objects(a, "achievementRating")
    sub_processes = graph.objects(pm, "hasSubProcess")
    covered: set[str] = set()
    steps: set[str] = set()
    for sp in sub_processes:
        covered.update(bp for bp in graph.objects(sp, "deliversPractice") if bp in practices)
        steps.update(graph.objects(sp, "hasActionStep"))
        rated += graph.objects(sp, "achievementRating")
    scores = [fw.ratings[r] for r in rated if r in fw.ratings]
    codes = [code for code, _ in scores]
    values = {
        "outcomeCount": len(outcomes),
        "adoptedCount": len(by_status["adopted"]),
        "plannedCount": len(by_status["planned"]),
        "declinedCount": len(by_status["declined"]),
        "notAddressedCount": len(outcomes - addressed),
        "cityOutcomeCount": len(own),
        "practiceCount": len(practices),
        "coveredPracticeCount": len(covered),
        "subProcessCount": len(set(sub_processes)),
        "actionStepCount": len(steps),
        "ratedCount": len(scores),
        "ratedN": codes.count("N"),
        "ratedP": codes.count("P"),
        "ratedL": codes.count("L"),
        "ratedF": codes.count("F"),
    }
    return values, [mid for _, mid in scores]


def to_graph(derived: Iterable[Derived]) -> Graph:
    """Derived triples as an rdflib graph."""
    g = Graph()
    for s, p, o in derived:
        obj = Literal(o[0], datatype=URIRef(o[1])) if isinstance(o, tuple) else URIRef(o)
        g.add((URIRef(s), URIRef(p), obj))
    return g


def to_nquads(derived: Iterable[Derived], graph: str) -> bytes:
    """Derived triples as N-Quads in ``graph`` (for bulk loads; the values need no escaping:
    IRIs that came from parsed RDF and numbers)."""
    lines = []
    for s, p, o in derived:
        obj = f'"{o[0]}"^^<{o[1]}>' if isinstance(o, tuple) else f"<{o}>"
        lines.append(f"<{s}> <{p}> {obj} <{graph}> .\n")
    return "".join(lines).encode("utf-8")


def summarize_graph(graph: Graph, mapping_graph: str) -> Graph:
    """:func:`summarize` for an rdflib graph, as an rdflib graph."""
    return to_graph(summarize(((str(s), str(p), str(o)) for s, p, o in graph), mapping_graph))


def mapping_graphs(store: Store) -> list[str]:
    """Named graphs that hold a bpf:CityMapping."""
    result = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?m a <" + str(BPF.CityMapping) + "> } }",
        union_default_graph=False,
    )
    assert isinstance(result, SelectResult)
    return sorted(str(r["g"]) for r in result.rows)


def refresh(store: Store, mapping_graph: str) -> None:
    """Re-derive the summary of one graph from what the store holds."""
    summary = to_graph(summarize(store.triples(mapping_graph), mapping_graph))
    store.put_graphs({summary_graph(mapping_graph): summary})


def forget(store: Store, mapping_graph: str) -> None:
    """Remove the summary of a graph that was deleted."""
    store.delete_graph(summary_graph(mapping_graph))


def after_update(store: Store, update: str) -> int:
    """Bring the summaries up to date after a SPARQL Update: re-derive those of the graphs it
    names (all of them when it may touch any), derive missing ones, drop orphans."""
    touched = touched_graphs(update)
    if touched is None:
        return ensure(store, everything=True)
    known = set(mapping_graphs(store))
    count = 0
    for graph in sorted(touched & known):
        refresh(store, graph)
        count += 1
    return count + ensure(store)


def ensure(store: Store, everything: bool = False) -> int:
    """Derive the summaries that are missing (or all of them) and drop orphans.

    Cheap when the store is up to date (two small queries): run at start, after a crash
    between a write and its summary, or on a store filled by another tool. ``everything``
    re-derives every summary (after a SPARQL Update, or when the framework changed).
    Returns the number of summaries derived.
    """
    wanted = {summary_graph(g): g for g in mapping_graphs(store)}
    existing = {g for g in store.graphs() if g.startswith(SUMMARY_PREFIX)}
    for orphan in sorted(existing - set(wanted)):
        store.delete_graph(orphan)
    todo = [g for s, g in sorted(wanted.items()) if everything or s not in existing]
    for graph in todo:
        refresh(store, graph)
    return len(todo)
