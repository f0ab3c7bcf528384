"""IRIs that are no IRIs, and relative IRIs with no base, in every syntax bpfgraph reads: each
refused with a message naming it (and its line where the text shows it), never dropped in
silence (rdflib's JSON-LD processor leaves such nodes out) and never resolved against the
process's own directory (rdflib's parsers would make ``file:///…`` IRIs of them); with a base
declared, relative IRIs are read as RDF says."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from bpfgraph import rdfio
from bpfgraph.rdfio import RDFInputError

RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#"'

# (id, syntax, document, what the message says, line)
REFUSED = [
    (
        "jsonld-id-space",
        "json-ld",
        '{"@id": "http://ex.org/a b", "urn:p": "x"}',
        'invalid IRI "http://ex.org/a b"',
        1,
    ),
    (
        "jsonld-object-space",
        "json-ld",
        '{"@id": "urn:a",\n "urn:p": {"@id": "http://ex.org/b c"}}',
        'invalid IRI "http://ex.org/b c"',
        2,
    ),
    (
        "jsonld-type-space",
        "json-ld",
        '{"@id": "urn:a",\n\n "@type": "http://ex.org/T x"}',
        'invalid IRI "http://ex.org/T x"',
        3,
    ),
    (
        "jsonld-type-brace",
        "json-ld",
        '{"@id": "urn:a", "@type": "http://ex.org/{T}"}',
        "invalid IRI",
        1,
    ),
    (
        "jsonld-id-in-list",
        "json-ld",
        '{"@id": "urn:a", "urn:p": [{"@id": "urn:ok"}, {"@id": "http://ex.org/x y"}]}',
        "invalid IRI",
        1,
    ),
    (
        "jsonld-coerced-value",
        "json-ld",
        '{"@context": {"p": {"@id": "urn:p", "@type": "@id"}}, "@id": "urn:a", "p": "http://ex.org/y z"}',
        "invalid IRI",
        None,
    ),
    (
        "jsonld-predicate-space",
        "json-ld",
        '{"@id": "urn:a", "http://ex.org/p q": "x"}',
        "invalid IRI <http://ex.org/p q>",
        1,
    ),
    (
        "jsonld-relative-id",
        "json-ld",
        '{"@id": "a", "urn:p": "x"}',
        "relative IRI <a> with no base",
        1,
    ),
    (
        "jsonld-relative-object",
        "json-ld",
        '{"@id": "urn:a",\n "urn:p": {"@id": "../b"}}',
        "relative IRI <b> with no base",
        None,
    ),
    (
        "turtle-relative",
        "turtle",
        '<urn:a> <urn:p> "x" .\n<a> <urn:p> "y" .',
        "relative IRI <a> with no base",
        2,
    ),
    (
        "turtle-relative-object",
        "turtle",
        "<urn:a> <urn:p> <b> .",
        "relative IRI <b> with no base",
        1,
    ),
    (
        "trig-relative",
        "trig",
        "<urn:g> { <a> <urn:p> <urn:o> }",
        "relative IRI <a> with no base",
        1,
    ),
    (
        "xml-relative-about",
        "xml",
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="a"><e:b>x</e:b></rdf:Description></rdf:RDF>',
        "relative IRI <a> with no base",
        1,
    ),
    (
        "xml-relative-resource",
        "xml",
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="urn:a"><e:b rdf:resource="c"/></rdf:Description></rdf:RDF>',
        "relative IRI <c> with no base",
        1,
    ),
    ("n3-relative", "n3", "<a> <urn:p> <urn:o> .", "relative IRI <a> with no base", 1),
]


@pytest.mark.parametrize(
    ("fmt", "doc", "said", "line"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused(fmt: str, doc: str, said: str, line: int | None) -> None:
    with pytest.raises(RDFInputError) as caught:
        rdfio.parse_data(doc.encode(), fmt, "upload")
    assert said in caught.value.message, caught.value.message
    assert "file:" not in str(caught.value)
    if line is not None:
        assert caught.value.line == line


# (id, syntax, document, the subject read)
READ = [
    (
        "jsonld-base",
        "json-ld",
        '{"@context": {"@base": "http://ex.org/"}, "@id": "a", "urn:p": "x"}',
        "http://ex.org/a",
    ),
    ("jsonld-blank", "json-ld", '{"@id": "_:b1", "urn:p": "x"}', None),
    (
        "jsonld-compact",
        "json-ld",
        '{"@context": {"ex": "http://ex.org/"}, "@id": "ex:a", "urn:p": "x"}',
        "http://ex.org/a",
    ),
    ("turtle-base", "turtle", '@base <http://ex.org/> . <a> <urn:p> "x" .', "http://ex.org/a"),
    (
        "xml-base",
        "xml",
        f'<rdf:RDF {RDF_NS} xml:base="http://ex.org/"><rdf:Description rdf:about="a"><e:b>x</e:b></rdf:Description></rdf:RDF>',
        "http://ex.org/a",
    ),
    (
        "percent-encoded-space",
        "turtle",
        '<http://ex.org/a%20b> <urn:p> "x" .',
        "http://ex.org/a%20b",
    ),
]


@pytest.mark.parametrize(("fmt", "doc", "subject"), [c[1:] for c in READ], ids=[c[0] for c in READ])
def test_read(fmt: str, doc: str, subject: str | None) -> None:
    graph = rdfio.parse_data(doc.encode(), fmt, "upload")
    (s,) = set(graph.subjects())
    assert (s == URIRef(subject)) if subject else not isinstance(s, URIRef)
