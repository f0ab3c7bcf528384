"""Graph Store Protocol (indirect graph identification) with the SHACL gate for mappings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP

from rdflib import Graph

from .. import rdfio, writes
from ..store.base import Store
from ..validation import Report
from .negotiation import PARSEABLE, base_media
from .sparql import ProtocolError


@dataclass
class WriteResult:
    """A graph store write as answered: status, triples written, the mapping's report."""

    status: int  # 201 created, 204 replaced/merged
    triples: int
    report: Report | None = None


def parse_body(body: bytes, content_type: str | None, source: str = "request body") -> Graph:
    """A request body read by its Content-Type (415 for another type or charset, 400 with
    the line for bad RDF; multipart forms merged)."""
    media, params = base_media(content_type)
    if not media:
        raise ProtocolError(415, "the request needs a Content-Type naming an RDF syntax")
    if media == "multipart/form-data":
        return parse_multipart(body, content_type or "")
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


def parse_multipart(body: bytes, content_type: str) -> Graph:
    """The merge of the RDF documents in the parts of a ``multipart/form-data`` body (Graph
    Store Protocol 5.5). Each part is read by its own Content-Type, or by its file name's
    suffix when it has none (or ``application/octet-stream``); one bad part refuses the whole."""

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body
    )
    if not message.is_multipart() or message.defects:
        raise ProtocolError(400, "the multipart/form-data body is malformed (check the boundary)")
    merged = Graph()
    parts = list(message.iter_parts())
    if not parts:
        raise ProtocolError(400, "the multipart/form-data body has no parts")
    for number, part in enumerate(parts, 1):
        name = part.get_filename() or part.get_param("name", header="content-disposition")
        filename = name if isinstance(name, str) else None  # an RFC 2231 tuple: no name to read
        label = f"part {number}" + (f" ({filename})" if filename else "")
        part_type = part.get("content-type")
        if part_type is None or base_media(part_type)[0] == "application/octet-stream":
            suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if filename else ""
            if suffix not in rdfio.SUFFIX_FORMATS:
                raise ProtocolError(
                    415, f"{label} names no RDF syntax: give it a Content-Type or a known suffix"
                )
            part_type = next(m for m, f in PARSEABLE.items() if f == rdfio.SUFFIX_FORMATS[suffix])
        if base_media(part_type)[0] == "multipart/form-data":
            raise ProtocolError(415, f"{label} is itself multipart")
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        try:
            merged += parse_body(payload, part_type, source=label)
        except ProtocolError as exc:  # said of the part (RDF errors name it already)
            said = exc.message if exc.message.startswith(label) else f"{label}: {exc.message}"
            raise ProtocolError(exc.status, said) from None
    return merged


def new_graph_iri() -> str:
    """A fresh IRI for a graph the store makes on a POST to the graph store itself (Graph
    Store Protocol 5.5): a UUID URN, the same wherever the service is reached from."""
    return f"urn:uuid:{uuid.uuid4()}"


def put(store: Store, graph_iri: str, data: Graph) -> WriteResult:
    """Graph Store PUT on a named graph, through the write gate."""
    written = writes.put_graph(store, graph_iri, data)
    return WriteResult(201 if written.created else 204, written.triples, written.report)


def post(store: Store, graph_iri: str, data: Graph) -> WriteResult:
    """Graph Store POST on a named graph (added to what it holds), through the write gate."""
    written = writes.add_to_graph(store, graph_iri, data)
    return WriteResult(201 if written.created else 204, written.triples, written.report)


#: bodies from this size on, in Turtle or N-Triples, holding no city mapping, are written
#: without rdflib (see :func:`write_large`)
NATIVE_MIN_BYTES = 1024 * 1024


def write_large(
    store: Store, graph_iri: str, body: bytes, content_type: str | None, replace: bool
) -> WriteResult | None:
    """A large Turtle or N-Triples body that holds no city mapping, read and written by
    Oxigraph alone (no Python object per triple: a 50 MiB upload neither takes gigabytes nor
    holds the interpreter for seconds); None when the ordinary path must take it (a small body,
    another syntax, a mapping in the body or in the graph it is added to, another engine)."""
    media, params = base_media(content_type)
    fmt = PARSEABLE.get(media)
    if (
        len(body) < NATIVE_MIN_BYTES
        or fmt not in rdfio.NATIVE_TRIPLE_FORMATS
        or params.get("charset", "utf-8") not in ("utf-8", "utf8", "us-ascii", "ascii")
        or not store.embedded
    ):
        return None
    writes.check_graph(graph_iri)
    try:
        ntriples, is_mapping = rdfio.native_ntriples(body, fmt, "request body")
    except rdfio.RDFInputError as exc:
        raise ProtocolError(400, str(exc)) from None
    if is_mapping:
        return None
    written = writes.add_ntriples(store, graph_iri, ntriples, replace)
    if written is None:
        return None  # added to a mapping: validated on the ordinary path
    return WriteResult(201 if written.created else 204, written.triples)


def delete(store: Store, graph_iri: str) -> None:
    """Graph Store DELETE of a named graph (404 when there is none)."""
    if not writes.delete_graph(store, graph_iri):
        raise ProtocolError(404, f"there is no graph <{graph_iri}>")
