"""Result serialisation: Oxigraph's own writers within the row cap, the careful path beyond it."""

from __future__ import annotations

import csv
import io
import json
import threading
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from bpfgraph.web.evaluation import NATIVE_RESULTS, Limits, _evaluate, serialise_solutions

ROWS = 40
QUERY = "SELECT ?s ?o ?x WHERE { ?s <http://e/p> ?o . OPTIONAL { ?s <http://e/q> ?x } } ORDER BY ?s"


@pytest.fixture(scope="module")
def native() -> ox.Store:
    store = ox.Store()
    for i in range(ROWS):
        s = ox.NamedNode(f"http://e/s{i:02d}")
        store.add(ox.Quad(s, ox.NamedNode("http://e/p"), ox.Literal(f'v,{i}\t"q"', language="en")))
        if i % 3 == 0:
            store.add(
                ox.Quad(
                    s,
                    ox.NamedNode("http://e/q"),
                    ox.Literal(
                        str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
                    ),
                )
            )
    return store


def count(body: bytes, media: str) -> int:
    if "json" in media:
        return len(json.loads(body)["results"]["bindings"])
    if "xml" in media:
        return len(ET.fromstring(body).findall(".//{http://www.w3.org/2005/sparql-results#}result"))
    if media == "text/csv":
        return len(list(csv.reader(io.StringIO(body.decode())))) - 1
    return len(body.decode().strip("\n").split("\n")) - 1


@pytest.mark.parametrize("media", sorted(NATIVE_RESULTS))
def test_native_writer_matches_the_python_serialiser(native: ox.Store, media: str):
    answer = _evaluate(native, QUERY, {}, media, Limits(), threading.Event())
    assert not answer.truncated
    result = native.query(QUERY)
    variables = [v.value for v in result.variables]
    careful = serialise_solutions(variables, [[s[v] for v in variables] for s in result], media)
    assert count(answer.body, media) == count(careful, media) == ROWS
    if "json" in media:
        assert json.loads(answer.body) == json.loads(careful)


@pytest.mark.parametrize("media", sorted(NATIVE_RESULTS))
@pytest.mark.parametrize("cap", [1, 7, ROWS - 1, ROWS, ROWS + 1])
def test_the_row_cap_is_exact_in_every_format(native: ox.Store, media: str, cap: int):
    answer = _evaluate(native, QUERY, {}, media, Limits(max_rows=cap), threading.Event())
    assert count(answer.body, media) == min(cap, ROWS)
    assert answer.truncated == (cap < ROWS)


def test_a_cancelled_query_stops_writing(native: ox.Store):
    cancelled = threading.Event()
    cancelled.set()
    answer = _evaluate(native, QUERY, {}, "application/sparql-results+json", Limits(), cancelled)
    assert answer.body == b""
