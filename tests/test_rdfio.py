"""Parsing with clear errors and no network access."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpfgraph import rdfio
from bpfgraph.rdfio import RDFInputError, format_for, parse_data, parse_file

BAD = [
    ("turtle", b"@prefix a: <urn:a#> .\n\na:x a:y .\n", 3),
    ("nt", b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> .\n", None),
    (
        "xml",
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description>\n</rdf:RDF>',
        3,
    ),
    ("json-ld", b'{"@id": "urn:a",\n "urn:b": }', 2),
    ("trig", b"<urn:g> { <urn:a> <urn:b> }", None),
]


@pytest.mark.parametrize(("fmt", "data", "line"), BAD, ids=[b[0] for b in BAD])
def test_syntax_errors_name_source_and_line(fmt, data, line):
    with pytest.raises(RDFInputError) as info:
        parse_data(data, fmt, source="upload")
    assert info.value.source == "upload"
    assert info.value.message
    if line is not None:
        assert info.value.line == line


def test_invalid_utf8_names_the_line():
    with pytest.raises(RDFInputError, match="not valid UTF-8") as info:
        parse_data(b'<urn:a> <urn:b> "ok" .\n<urn:a> <urn:b> "\xff" .\n', "nt")
    assert info.value.line == 2


@pytest.mark.parametrize(
    "context",
    [
        '"https://example.org/context.jsonld"',
        '["http://127.0.0.1:9/ctx", {"a": "urn:a"}]',
        '{"@context": "http://x"}',
    ],
)
def test_remote_json_ld_contexts_are_refused(context):
    doc = f'{{"@context": {context}, "@id": "urn:a", "a": "b"}}'.encode()
    with pytest.raises(RDFInputError, match="remote JSON-LD context"):
        parse_data(doc, "json-ld")


def test_inline_json_ld_context_parses():
    g = parse_data(b'{"@context": {"name": "urn:name"}, "@id": "urn:a", "name": "A"}', "json-ld")
    assert len(g) == 1


def test_format_from_suffix_and_unknown_suffix(tmp_path):
    assert format_for("x.ttl") == "turtle"
    assert format_for("x.jsonld") == "json-ld"
    with pytest.raises(RDFInputError, match="cannot tell the RDF syntax"):
        format_for("x.docx")


def test_missing_file(tmp_path):
    with pytest.raises(RDFInputError, match="cannot read file"):
        parse_file(tmp_path / "missing.ttl")


def test_quads_give_a_dataset():
    g = parse_data(b"<urn:g> { <urn:a> <urn:b> <urn:c> . }", "trig")
    assert len(list(g.quads())) == 1


NATIVE_CASES = sorted((Path(__file__).parent.parent / "data" / "examples").glob("*.ttl")) + sorted(
    (Path(__file__).parent / "data" / "mappings").glob("*/*.ttl")
)


@pytest.mark.parametrize("path", NATIVE_CASES, ids=[p.name for p in NATIVE_CASES])
def test_native_parser_reads_the_same_triples_as_rdflib(path: Path):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from bpfgraph.rdfio import _parse_native

    data = path.read_bytes()
    native = _parse_native(data, "turtle")
    assert native is not None
    reference = Graph().parse(data=data.decode("utf-8"), format="turtle")
    assert len(native) == len(reference) and isomorphic(native, reference)
    nt = reference.serialize(format="nt", encoding="utf-8")
    assert isomorphic(_parse_native(nt, "nt"), reference)


@pytest.mark.parametrize(
    "data",
    [
        b"<a> <urn:b> <urn:c> .",  # a relative IRI: rdflib's parser decides
        b"<urn:a> <urn:b> .",  # an error: rdflib's message and line
    ],
)
def test_native_parser_leaves_the_hard_cases_to_rdflib(data: bytes):
    from bpfgraph.rdfio import _parse_native

    assert _parse_native(data, "turtle") is None


def test_native_parser_reads_nesting_rdflib_recurses_on():
    """Nesting up to MAX_NESTING is read by Oxigraph's parser (rdflib's recurses some eight
    frames a level), into the same triples as rdflib's."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from bpfgraph.rdfio import _parse_native

    data = b"<urn:a> <urn:b> " + b"( [ <urn:p> " * 20 + b"<urn:c>" + b" ] )" * 20 + b" ."
    native = _parse_native(data, "turtle")
    assert native is not None
    assert isomorphic(native, Graph().parse(data=data.decode(), format="turtle"))
    assert isomorphic(rdfio.parse_data(data, "turtle"), native)


def test_each_parse_has_its_own_blank_nodes():
    """``_:x`` in two documents is two nodes, with Oxigraph's parser as with rdflib's."""
    data = b'_:x <https://example.org/p> "v" .\n'
    for fmt in ("turtle", "nt"):
        first = rdfio.as_graph(rdfio.parse_data(data, fmt))
        second = rdfio.as_graph(rdfio.parse_data(data, fmt))
        assert set(first.subjects()).isdisjoint(second.subjects())
