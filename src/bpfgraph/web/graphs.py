"""Graph Store Protocol (indirect graph identification) with the SHACL gate for mappings."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph

from .. import rdfio
from ..framework import is_reserved_graph
from ..store.base import Store
from ..validation import Report, validate_mapping
from ..vocab import BPF
from .negotiation import PARSEABLE, base_media
from .sparql import ProtocolError


@dataclass
class WriteResult:
    status: int  # 201 created, 204 replaced/merged
    triples: int
    report: Report | None = None


class Refused(Exception):
    """A mapping with violations: 422 and the report."""

    def __init__(self, report: Report) -> None:
        super().__init__("the mapping has violations; nothing was stored")
        self.report = report


def parse_body(body: bytes, content_type: str | None, source: str = "request body") -> Graph:
    media, params = base_media(content_type)
    if not media:
        raise ProtocolError(415, "the request needs a Content-Type naming an RDF syntax")
    fmt = PARSEABLE.get(media)
    if fmt is None:
        known = ", ".join(sorted(PARSEABLE))
        raise ProtocolError(415, f"cannot read {media}; send one of: {known}")
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise ProtocolError(415, f"charset {charset} is not supported; send UTF-8")
    try:
        return rdfio.as_graph(rdfio.parse_data(body, fmt, source=source))
    except rdfio.RDFInputError as exc:
        raise ProtocolError(400, str(exc)) from None


def is_mapping(graph: Graph) -> bool:
    return (None, RDF.type, BPF.CityMapping) in graph


def check_writable(graph_iri: str | None) -> None:
    if graph_iri is not None and is_reserved_graph(graph_iri):
        raise ProtocolError(
            403, f"graph <{graph_iri}> belongs to the framework and cannot be written"
        )


def put(store: Store, graph_iri: str, data: Graph) -> WriteResult:
    check_writable(graph_iri)
    report = None
    if is_mapping(data):
        report = validate_mapping(data)
        if not report.conforms:
            raise Refused(report)
    existed = graph_iri in store.graphs()
    store.put_graph(graph_iri, data)
    return WriteResult(204 if existed else 201, len(data), report)


def post(store: Store, graph_iri: str, data: Graph) -> WriteResult:
    check_writable(graph_iri)
    existed = graph_iri in store.graphs()
    merged = Graph()
    if existed:
        merged += store.get_graph(graph_iri)
    merged += data
    report = None
    if is_mapping(merged):
        report = validate_mapping(merged)
        if not report.conforms:
            raise Refused(report)
    store.put_graph(graph_iri, merged)
    return WriteResult(204 if existed else 201, len(merged), report)


def delete(store: Store, graph_iri: str) -> None:
    check_writable(graph_iri)
    if not store.delete_graph(graph_iri):
        raise ProtocolError(404, f"there is no graph <{graph_iri}>")


def get(store: Store, graph_iri: str | None) -> Graph:
    if graph_iri is None:
        from ..store.base import GraphResult

        result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", union_default_graph=False)
        assert isinstance(result, GraphResult)
        return result.graph
    if graph_iri not in store.graphs():
        raise ProtocolError(404, f"there is no graph <{graph_iri}>")
    return store.get_graph(graph_iri)
