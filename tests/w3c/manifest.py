"""Read the W3C SPARQL 1.1 test manifests (copied under ``data/``) and run their HTTP exchanges.

A protocol or graph store test (``mf:ProtocolTest``, ``mf:GraphStoreProtocolTest``) is an
``ht:Connection`` whose ``ht:requests`` list is run in order; each ``ht:Request`` has a method,
an absolute path, headers and a body, and its ``ht:resp`` the expected status (``mf:expected
Status``), result format (``mf:expectedFormat``), ASK answer (``mf:expectedBoolean``), response
headers and body (a graph isomorphic to the one returned), and ``mf:expectedLocation``, a
template variable that takes the ``Location`` of the response and is replaced in later requests.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import httpx
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node

DATA = Path(__file__).parent / "data"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

#: what each ``mf:expectedFormat`` admits, from the tests' names ("expect one of: …")
RESULT_MEDIA = {
    "boolean": {
        "application/sparql-results+json": "json",
        "application/json": "json",
        "application/sparql-results+xml": "xml",
        "application/xml": "xml",
    },
    "tabular": {
        "application/sparql-results+json": "json",
        "application/json": "json",
        "application/sparql-results+xml": "xml",
        "application/xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
    },
    "RDF": {
        "application/rdf+xml": "xml",
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "text/plain": "nt",
    },
}
RDF_SYNTAX = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
SPARQL_RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}"


@dataclass(frozen=True)
class Status:
    """An expected status: an exact code (``hts:Created``) or a class (``hts:StatusCode4xx``)."""

    code: int | None = None
    klass: int | None = None

    def admits(self, status: int) -> bool:
        if self.code is not None:
            return status == self.code
        return status // 100 == self.klass

    def __str__(self) -> str:
        return str(self.code) if self.code is not None else f"{self.klass}xx"


@dataclass
class Exchange:
    """One ``ht:Request`` and what its ``ht:resp`` expects."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[Status] = field(default_factory=list)
    expected_format: str | None = None
    expected_boolean: bool | None = None
    expected_location: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None


@dataclass
class ManifestTest:
    iri: str
    name: str  # the local name (the test id)
    title: str  # mf:name
    kind: str  # the rdf:type's local name
    requires: list[str] = field(default_factory=list)
    #: ut:graphData: (local file, graph IRI it stands for)
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


def _local(node: Node) -> str:
    return re.split(r"[#/]", str(node))[-1]


def _status(node: Node) -> Status:
    name = _local(node)
    if m := re.fullmatch(r"StatusCode(\d)xx", name):
        return Status(klass=int(m.group(1)))
    # hts:NoContent -> HTTPStatus.NO_CONTENT, hts:OK -> HTTPStatus.OK
    return Status(code=HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).upper()].value)


def _list(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _headers(graph: Graph, node: Node) -> dict[str, str]:
    out = {}
    for head in graph.objects(node, HT.headers):
        for header in _list(graph, head):
            name = str(graph.value(header, HT.fieldName)).lower()
            out[name] = str(graph.value(header, HT.fieldValue))
    return out


def _text(graph: Graph, node: Node | None) -> tuple[str, str] | None:
    """The ``cnt:chars`` of a ``cnt:ContentAsText`` and its character encoding."""
    if node is None:
        return None
    chars = graph.value(node, CNT.chars)
    encoding = graph.value(node, CNT.characterEncoding)
    return str(chars), str(encoding or "UTF-8")


def _exchange(graph: Graph, request: Node) -> Exchange:
    body = _text(graph, graph.value(request, HT.body))
    ex = Exchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=body[0].encode(body[1]) if body else None,
    )
    resp = graph.value(request, HT.resp)
    if resp is not None:
        ex.statuses = sorted((_status(s) for s in graph.objects(resp, MF.expectedStatus)), key=str)
        if (fmt := graph.value(resp, MF.expectedFormat)) is not None:
            ex.expected_format = str(fmt)
        if (boolean := graph.value(resp, MF.expectedBoolean)) is not None:
            assert isinstance(boolean, Literal)
            ex.expected_boolean = bool(boolean.toPython())
        if (location := graph.value(resp, MF.expectedLocation)) is not None:
            ex.expected_location = str(location)
        ex.response_headers = _headers(graph, resp)
        if (text := _text(graph, graph.value(resp, HT.body))) is not None:
            ex.response_body = text[0]
    return ex


def load(manifest: Path) -> list[ManifestTest]:
    """The tests of a manifest, in the order of its ``mf:entries``."""
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    root = graph.value(predicate=RDF.type, object=MF.Manifest)
    tests = []
    for entry in _list(graph, graph.value(root, MF.entries)):
        test = ManifestTest(
            iri=str(entry),
            name=_local(entry),
            title=str(graph.value(entry, MF.name)),
            kind=_local(graph.value(entry, RDF.type)),
            requires=sorted(_local(r) for r in graph.objects(entry, MF.requires)),
        )
        for data in graph.objects(entry, UT.graphData):
            local = graph.value(data, UT.graph)
            assert isinstance(local, URIRef) and local.startswith("file:")
            path = Path(url2pathname(urlparse(str(local)).path))
            test.graph_data.append((path, str(graph.value(data, RDFS.label))))
        test.graph_data.sort(key=lambda item: item[1])
        action = graph.value(entry, MF.action)
        if action is not None:
            for head in graph.objects(action, HT.requests):
                test.exchanges += [_exchange(graph, r) for r in _list(graph, head)]
        tests.append(test)
    return tests


# -- checking responses ----------------------------------------------------------------------


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """``Text/Turtle; charset=UTF-8`` -> (``text/turtle``, {``charset``: ``utf-8``})."""
    parts = [p.strip() for p in (content_type or "").split(";")]
    params = {}
    for p in parts[1:]:
        key, _, value = p.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return parts[0].lower(), params


def parse_boolean(body: bytes, syntax: str) -> bool:
    if syntax == "json":
        doc = json.loads(body)
        assert isinstance(doc.get("boolean"), bool), doc
        return doc["boolean"]
    root = ET.fromstring(body)
    assert root.tag == SPARQL_RESULTS_XML + "sparql", root.tag
    element = root.find(SPARQL_RESULTS_XML + "boolean")
    assert element is not None and element.text in ("true", "false"), body
    return element.text == "true"


def parse_table(body: bytes, syntax: str) -> tuple[list[str], list[dict]]:
    """Variables and rows of a SELECT result in any of the four result formats."""
    if syntax == "json":
        doc = json.loads(body)
        return doc["head"]["vars"], doc["results"]["bindings"]
    if syntax == "xml":
        root = ET.fromstring(body)
        assert root.tag == SPARQL_RESULTS_XML + "sparql", root.tag
        head = root.find(SPARQL_RESULTS_XML + "head")
        names = [v.get("name") for v in head.findall(SPARQL_RESULTS_XML + "variable")]
        rows = [
            {b.get("name"): b[0].text for b in r.findall(SPARQL_RESULTS_XML + "binding")}
            for r in root.iter(SPARQL_RESULTS_XML + "result")
        ]
        return names, rows
    text = body.decode("utf-8")
    if syntax == "csv":
        reader = list(csv.reader(io.StringIO(text)))
        return reader[0], [dict(zip(reader[0], r, strict=True)) for r in reader[1:]]
    lines = text.rstrip("\n").split("\n")
    names = [v.removeprefix("?") for v in lines[0].split("\t")]
    return names, [dict(zip(names, line.split("\t"), strict=True)) for line in lines[1:]]


def check_response(ex: Exchange, response: httpx.Response, what: str) -> None:
    """Assert that ``response`` is what the exchange expects."""
    body = response.text[:500]
    assert any(s.admits(response.status_code) for s in ex.statuses), (
        f"{what}: status {response.status_code}, expected one of "
        f"{', '.join(map(str, ex.statuses))}: {body}"
    )
    media, params = media_type(response.headers.get("content-type"))
    if ex.expected_format is not None:
        admitted = RESULT_MEDIA[ex.expected_format]
        assert media in admitted, (
            f"{what}: {media!r} is not a {ex.expected_format} format ({', '.join(admitted)})"
        )
        syntax = admitted[media]
        if ex.expected_format == "boolean":
            answer = parse_boolean(response.content, syntax)
            if ex.expected_boolean is not None:
                assert answer is ex.expected_boolean, f"{what}: ASK answered {answer}"
        elif ex.expected_format == "tabular":
            parse_table(response.content, syntax)
        else:
            Graph().parse(data=response.content, format=syntax)
    for name, value in ex.response_headers.items():
        got = response.headers.get(name)
        if name == "content-type":
            assert media_type(got) == media_type(value), f"{what}: {name} {got!r}, not {value!r}"
        else:
            assert got == value, f"{what}: {name} {got!r}, not {value!r}"
    if ex.response_body is not None:
        expected_media = media_type(ex.response_headers.get("content-type", "text/turtle"))[0]
        expected = Graph().parse(data=ex.response_body, format=RDF_SYNTAX[expected_media])
        assert media in RDF_SYNTAX, f"{what}: {media!r} is not an RDF syntax"
        got_graph = Graph().parse(
            data=response.content.decode(params.get("charset", "utf-8")), format=RDF_SYNTAX[media]
        )
        assert isomorphic(got_graph, expected), (
            f"{what}: the graph returned is not the one expected:\n"
            + got_graph.serialize(format="nt")
        )


def run(
    client: httpx.Client,
    test: ManifestTest,
    rewrite: Callable[[str], str],
    headers: dict[str, str] | None = None,
) -> list[httpx.Response]:
    """Run the exchanges of a test in order and check each response.

    ``rewrite`` maps the manifest's path (``/sparql/…``, ``/gsp…``) to ours; ``headers`` are
    added to every request (the write token)."""
    variables: dict[str, str] = {}
    responses = []
    for number, ex in enumerate(test.exchanges, 1):
        path, body = ex.path, ex.body
        for name, value in variables.items():
            path = path.replace(name, value)
            if body is not None:
                body = body.replace(name.encode(), value.encode())
        request_headers = {**(headers or {}), **ex.headers}
        response = client.request(ex.method, rewrite(path), headers=request_headers, content=body)
        what = f"{test.name} request {number} ({ex.method} {path})"
        check_response(ex, response, what)
        if ex.expected_location is not None:
            location = response.headers.get("location")
            assert location, f"{what}: no Location header"
            variables[ex.expected_location] = location
        responses.append(response)
    return responses
