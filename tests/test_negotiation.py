"""Accept negotiation: a conformance table."""

from __future__ import annotations

import pytest

from bpfgraph.web.negotiation import base_media, choose, parse_accept

RDF = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
RESULTS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]

CASES = [
    (None, RDF, "text/turtle"),
    ("", RDF, "text/turtle"),
    ("*/*", RDF, "text/turtle"),
    ("application/ld+json", RDF, "application/ld+json"),
    ("text/turtle;q=0.5, application/ld+json", RDF, "application/ld+json"),
    ("text/turtle;q=0.9, application/ld+json;q=0.8", RDF, "text/turtle"),
    ("application/*", RDF, "application/ld+json"),
    ("application/*;q=0.2, text/turtle;q=0.1", RDF, "application/ld+json"),
    ("text/*;q=0.1, */*;q=0.5", RDF, "application/ld+json"),
    ("application/rdf+xml;q=0, */*", RDF, "text/turtle"),
    ("text/turtle;q=0", RDF, None),
    ("image/png", RDF, None),
    ("text/html", RDF, None),
    ("application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
    ("text/csv;q=1.0, application/sparql-results+json;q=0.9", RESULTS, "text/csv"),
    ("TEXT/TAB-SEPARATED-VALUES", RESULTS, "text/tab-separated-values"),
    ("garbage, text/csv", RESULTS, "text/csv"),
    ("text/csv;q=abc, text/tab-separated-values", RESULTS, "text/tab-separated-values"),
    ("application/sparql-results+json;charset=utf-8", RESULTS, "application/sparql-results+json"),
]


@pytest.mark.parametrize(("accept", "offered", "expected"), CASES)
def test_choose(accept, offered, expected):
    assert choose(accept, offered) == expected


def test_more_specific_range_wins():
    ranges = parse_accept("text/*;q=0.9, text/turtle;q=0.1")
    from bpfgraph.web.negotiation import quality

    assert quality(ranges, "text/turtle") == 0.1
    assert quality(ranges, "text/csv") == 0.9


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/turtle; charset=UTF-8", ("text/turtle", {"charset": "utf-8"})),
        ("application/sparql-query", ("application/sparql-query", {})),
        (None, ("", {})),
    ],
)
def test_base_media(header, expected):
    assert base_media(header) == expected
