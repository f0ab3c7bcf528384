"""Turtle, N-Triples, TriG and N-Quads read by Oxigraph's parser, in time linear in the input:
into rdflib graphs (:func:`read_native`, :func:`parse_native`), or for large uploads into
N-Triples with no rdflib object at all (:func:`native_ntriples`).
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.term import IdentifiedNode, Node

from ..formats import NATIVE_FORMATS, NATIVE_TRIPLE_FORMATS, QUAD_FORMATS
from .convert import term_converter
from .errors import RDFInputError, line_column, long_iri, native_message
from .limits import MAX_IRI, MAX_LITERAL
from .prescan import check_turtle_like

#: the most Oxigraph's parser reads at once (bytes)
_OX_BUFFER = 16 * 1024 * 1024


class NativeError(Exception):
    """Oxigraph's parser refused the input: its message, line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        """Keep the parser's message and where it stopped."""
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def read_native(data: bytes, fmt: str) -> tuple[Graph, dict[str, str]]:
    """Parse with Oxigraph's parser into a Graph (a Dataset for quads) and the prefixes
    declared; raise :class:`NativeError` on what it refuses."""
    name = NATIVE_FORMATS[fmt]
    term = term_converter()
    try:
        # fresh blank nodes per parse, as rdflib's parser gives
        parser = ox.parse(data, format=getattr(ox.RdfFormat, name), rename_blank_nodes=True)
        if fmt in QUAD_FORMATS:
            dataset = Dataset(default_union=True)
            context = _contexts(dataset, term)
            dataset.addN(
                (term(q.subject), term(q.predicate), term(q.object), context(q.graph_name))
                for q in parser
            )
            graph: Graph = dataset
        else:
            graph = Graph()
            graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in parser)
        prefixes = dict(parser.prefixes) if name in ("TURTLE", "TRIG") else {}
    except SyntaxError as exc:
        raise NativeError(native_message(exc), exc.lineno, exc.offset) from None
    except TypeError:  # a term rdflib has no equivalent for
        raise NativeError("quoted triples (RDF-star triple terms) are not supported") from None
    except (ValueError, OSError) as exc:
        raise NativeError(str(exc)) from None
    except MemoryError as exc:  # Oxigraph's parser reads at most 16 MiB at once
        if "buffer maximal size" not in str(exc):
            raise
        raise NativeError(
            f"a literal or IRI longer than the parser reads at once ({_OX_BUFFER:,} bytes); "
            f"literals and IRIs may have at most {MAX_LITERAL:,} characters"
        ) from None
    return graph, prefixes


def _contexts(dataset: Dataset, term: Callable[[object], Node]) -> Callable[[object], Graph]:
    """The dataset's graph for an Oxigraph graph name, each made once."""
    made: dict[object, Graph] = {}

    def context(name: object) -> Graph:
        found = made.get(name)
        if found is None:
            if isinstance(name, ox.DefaultGraph):
                newer = getattr(type(dataset), "default_graph", None) is not None  # newer rdflib
                found = dataset.default_graph if newer else dataset.default_context
            else:  # a named graph: an IRI or a blank node
                identifier = term(name)
                assert isinstance(identifier, IdentifiedNode)
                found = dataset.graph(identifier)
            made[name] = found
        return found

    return context


def parse_native(data: bytes, fmt: str) -> Graph | None:
    """A Graph parsed by Oxigraph's parser (Turtle, N-Triples, TriG, N-Quads), or None for
    other syntaxes and anything it refuses (errors, relative IRIs without a base), which go to
    rdflib's parser, whose messages and line numbers the error reports use."""
    if fmt not in NATIVE_FORMATS:
        return None
    try:
        graph, prefixes = read_native(data, fmt)
    except NativeError:
        return None
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


#: one query for what :func:`native_ntriples` refuses (RDF-star, terms over the limits) and
#: whether the graph holds a city mapping
_NATIVE_CHECKS = (
    "SELECT ?star ?long ?mapping WHERE { "
    "{ SELECT (SAMPLE(?s) AS ?star) WHERE { ?s ?p ?o FILTER(isTRIPLE(?s) || isTRIPLE(?o)) } } "
    "{ SELECT (SAMPLE(?t) AS ?long) WHERE { "
    "{ ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } FILTER(STRLEN(STR(?t)) > %d) } } "
    "{ SELECT (SAMPLE(?m) AS ?mapping) WHERE { "
    "?m a <https://w3id.org/bpfgraph/def#CityMapping> } } }"
)


def native_ntriples(data: bytes, fmt: str, source: str = "<input>") -> tuple[bytes, bool]:
    """A Turtle or N-Triples document read by Oxigraph alone — no rdflib objects, so a large
    upload costs no Python memory — as canonical N-Triples, and whether it holds a
    ``bpf:CityMapping``. The same refusals as :func:`parse_data` (syntax with line and column,
    nesting, RDF-star, terms over :data:`MAX_LITERAL` characters), as :class:`RDFInputError`.

    >>> native_ntriples(b"@prefix e: <https://e.org/> . e:a e:b 'c' .", "turtle")
    (b'<https://e.org/a> <https://e.org/b> "c" .\\n', False)
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = line_column(data[: exc.start].decode("utf-8", "replace"), exc.start)
        raise RDFInputError(source, "the file is not valid UTF-8", line, column) from None
    check_turtle_like(data, text, fmt, source)
    scratch = ox.Store()
    try:
        scratch.load(data, format=getattr(ox.RdfFormat, NATIVE_TRIPLE_FORMATS[fmt]))
    except SyntaxError as exc:
        raise RDFInputError(source, native_message(exc), exc.lineno, exc.offset) from None
    except (ValueError, OSError, MemoryError) as exc:
        raise RDFInputError(source, f"the file could not be read: {exc}") from None
    limit = max(MAX_LITERAL, MAX_IRI)
    solutions = scratch.query(_NATIVE_CHECKS % limit)
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT
    row = next(iter(solutions))
    if row["star"] is not None:
        raise RDFInputError(source, "quoted triples (RDF-star triple terms) are not supported")
    long_term = row["long"]
    if long_term is not None:
        if isinstance(long_term, ox.Literal):
            size = len(long_term.value)
            raise RDFInputError(
                source, f"a literal of {size:,} characters is longer than {MAX_LITERAL:,}"
            )
        raise long_iri(source, long_term.value)
    out = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return out or b"", row["mapping"] is not None
