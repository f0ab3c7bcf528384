"""Hostile RDF input through :mod:`bpfgraph.rdfio`, as every user file and request body is read.

Generated variants of each attack class in every syntax rdfio reads (Turtle, N-Triples, N-Quads,
TriG, RDF/XML, JSON-LD), at sizes around each limit: below and at the limit the input parses;
above it, and far above, it is refused with an :class:`RDFInputError` in plain words that name
what is wrong and where — never another exception type (the service turns anything else into a
500), never Python's own wording — and in time linear in the input.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, URIRef

from bpfgraph import rdfio
from bpfgraph.rdfio import (
    MAX_IRI,
    MAX_LITERAL,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    MAX_PREFIXES,
    RDFInputError,
    parse_data,
)

SYNTAXES = ("turtle", "nt", "nquads", "trig", "xml", "json-ld")
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_HEAD = f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:x="urn:x:">'

#: Python's own wording (or rdflib's internals), which must never reach a user
PYTHON_WORDING = re.compile(
    r"Traceback|object has no attribute|not iterable|unhashable|maximum recursion|"
    r"recursion depth|NoneType|\bb'|\bb\"|sys\.set_int|integer string conversion|chr\(\)|"
    r"<unknown>|^None:|UnboundLocal|KeyError|Errno|urlopen|/tmp/|file://"
)


def refused(data: bytes, fmt: str, *words: str, line: int | None = None) -> RDFInputError:
    """Parsing ``data`` raises RDFInputError (any other exception fails the test) with a plain
    message naming the source and containing each of ``words`` (case-insensitive; a tuple of
    words means any one of them)."""
    with pytest.raises(RDFInputError) as info:
        parse_data(data, fmt, source="upload")
    err = info.value
    text = str(err)
    assert text.startswith("upload"), text
    assert not PYTHON_WORDING.search(err.message), text
    assert len(text) < 1000, text[:300]
    for word in words:
        alternatives = word if isinstance(word, tuple) else (word,)
        assert any(w.lower() in text.lower() for w in alternatives), text
    if line is not None:
        assert err.line == line, text
    return err


def parses(data: bytes, fmt: str) -> Graph:
    return rdfio.as_graph(parse_data(data, fmt, source="upload"))


def around(limit: int, far: int) -> list[tuple[int, bool]]:
    """Sizes below, at, just above and far above a limit, with whether they are accepted."""
    return [(limit // 2, True), (limit, True), (limit + 1, False), (far, False)]


# --- one statement in each syntax, from N-Triples-style terms ------------------------------


def statement(fmt: str, s: str | bytes, p: str | bytes, o: str | bytes) -> bytes:
    """One statement in ``fmt`` from N-Triples terms (IRIs ``<…>``, literals ``"…"``)."""
    s, p, o = (t if isinstance(t, bytes) else t.encode() for t in (s, p, o))
    if fmt in ("turtle", "nt"):
        return b"%s %s %s .\n" % (s, p, o)
    if fmt == "nquads":
        return b"%s %s %s <urn:x:g> .\n" % (s, p, o)
    if fmt == "trig":
        return b"<urn:x:g> { %s %s %s . }\n" % (s, p, o)
    raise ValueError(fmt)


def nested_turtle(kinds: str) -> str:
    """An object nested in ``[ ]`` and ``( )`` as ``kinds`` says, outermost first."""
    opening = {"[": "[ <urn:x:p> ", "(": "( "}
    closing = {"[": " ]", "(": " )"}
    return (
        "".join(opening[k] for k in kinds)
        + "<urn:x:o>"
        + "".join(closing[k] for k in reversed(kinds))
    )


def nested_json(kind: str, depth: int) -> bytes:
    """JSON-LD whose brackets nest exactly ``depth`` deep."""
    if kind == "objects":
        return ('{"@id":"urn:x:a","urn:x:p":' * depth + '"v"' + "}" * depth).encode()
    if kind == "arrays":
        inner = "[" * (depth - 1) + '"v"' + "]" * (depth - 1)
        return ('{"@id":"urn:x:a","urn:x:p":' + inner + "}").encode()
    if kind == "graphs":
        return (
            '{"@id":"urn:x:g","@graph":' * (depth - 1)
            + '{"@id":"urn:x:a","urn:x:p":"v"}'
            + "}" * (depth - 1)
        ).encode()
    if kind == "lists":
        lists, extra = divmod(depth - 1, 2)
        inner = '{"@list":[' * lists + '"v"' + "]}" * lists
        if extra:
            inner = f"[{inner}]"
        return ('{"@id":"urn:x:a","urn:x:p":' + inner + "}").encode()
    raise ValueError(kind)


def nested_xml(depth: int, literal: bool = False) -> bytes:
    """RDF/XML whose elements nest exactly ``depth`` deep (``rdf:RDF`` is the first)."""
    if literal:  # an XML literal holding nested elements
        inner = "<b>" * (depth - 3) + "v" + "</b>" * (depth - 3)
        body = f'<x:p rdf:parseType="Literal">{inner}</x:p>'
        return f'{XML_HEAD}<rdf:Description rdf:about="urn:x:a">{body}</rdf:Description></rdf:RDF>'.encode()
    opened = ['<rdf:Description rdf:about="urn:x:a">']
    for level in range(3, depth + 1):
        opened.append("<x:p>" if level % 2 else "<rdf:Description>")
    closing = ["</x:p>" if tag == "<x:p>" else "</rdf:Description>" for tag in reversed(opened)]
    text = "v" if depth % 2 else ""
    return (XML_HEAD + "".join(opened) + text + "".join(closing) + "</rdf:RDF>").encode()


# --- nesting ---------------------------------------------------------------------------------

NESTING_SIZES = [(50, True), (MAX_NESTING, True), (MAX_NESTING + 1, False), (10_000, False)]
NESTING_SIZES_FAR = [*NESTING_SIZES, (100_000, False)]
TURTLE_KINDS = {
    "blank-node-lists": lambda n: "[" * n,
    "collections": lambda n: "(" * n,
    "mixed": lambda n: ("([" * n)[:n],
}


@pytest.mark.parametrize(("depth", "ok"), NESTING_SIZES_FAR)
@pytest.mark.parametrize("kind", TURTLE_KINDS)
@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_turtle_nesting(fmt: str, kind: str, depth: int, ok: bool):
    data = statement(fmt, "<urn:x:a>", "<urn:x:p>", nested_turtle(TURTLE_KINDS[kind](depth)))
    if ok:
        graph = parses(data, fmt)
        if kind == "blank-node-lists":
            assert len(graph) == depth + 1
        return
    err = refused(data, fmt, f"nested deeper than {MAX_NESTING:,} levels", "column", line=1)
    assert err.column is not None and data[err.column - 1 : err.column] in (b"[", b"(")


@pytest.mark.parametrize("depth", [10, 10_000, 100_000])
@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_n3_formulas_in_turtle_and_trig_are_syntax_errors(fmt: str, depth: int):
    data = statement(fmt, "<urn:x:a>", "<urn:x:p>", "{ " * depth + "}" * depth)
    refused(data, fmt, line=1)


@pytest.mark.parametrize("depth", [30, MAX_NESTING, MAX_NESTING + 1, 10_000])
def test_n3_nesting(depth: int):
    """N3 (which only rdflib reads) nests formulas too; rdflib's parser may give up before the
    limit, in words."""
    inner = "{ <urn:x:a> <urn:x:p> " * (depth - 1) + "[]" + " }" * (depth - 1)
    data = f"<urn:x:a> <urn:x:p> {inner} .".encode()
    if depth <= 30:
        assert len(parses(data, "n3")) == 1
    elif depth <= MAX_NESTING:
        try:
            parses(data, "n3")
        except RDFInputError as err:
            assert err.message == "N3 nested too deeply to read"
    else:
        refused(data, "n3", f"N3 nested deeper than {MAX_NESTING:,} levels", line=1)


@pytest.mark.parametrize(
    "where",
    [
        '"' + "[" * 10_000 + '"',
        '"""' + "(\n" * 10_000 + '"""',
        "'" + "(" * 10_000 + "'",
        '"' + '\\"[' * 10_000 + '"',
        "<urn:x:" + "(" * 10_000 + ">",
        '"v" # ' + "[" * 10_000 + "\n",
    ],
    ids=["string", "long-string", "single-quoted", "escaped-quotes", "iri", "comment"],
)
@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_brackets_in_strings_iris_and_comments_do_not_count(fmt: str, where: str):
    deep = nested_turtle("[" * MAX_NESTING)  # and real nesting at the limit besides
    data = statement(fmt, "<urn:x:a>", "<urn:x:p>", f"{where} , {deep}")
    assert len(parses(data, fmt)) == MAX_NESTING + 2


@pytest.mark.parametrize("fmt", ["nt", "nquads"])
def test_brackets_in_n_triples_literals(fmt: str):
    data = statement(fmt, "<urn:x:a>", "<urn:x:p>", '"' + "[(" * 50_000 + '"')
    assert len(parses(data, fmt)) == 1


@pytest.mark.parametrize(("depth", "ok"), NESTING_SIZES_FAR)
@pytest.mark.parametrize("kind", ["objects", "arrays", "graphs", "lists"])
def test_json_ld_nesting(kind: str, depth: int, ok: bool):
    data = nested_json(kind, depth)
    if ok:
        parses(data, "json-ld")
        return
    err = refused(data, "json-ld", f"JSON-LD nested deeper than {MAX_NESTING:,} levels", line=1)
    assert data[err.column - 1 : err.column] in (b"[", b"{")


def test_json_ld_nesting_names_the_line():
    data = b'{\n"@id": "urn:x:a",\n"urn:x:p":\n' + nested_json("arrays", 200)
    refused(data, "json-ld", "nested deeper", "column 126", line=4)  # the first { is a level


def test_brackets_in_json_strings_do_not_count():
    data = b'{"@id":"urn:x:a","urn:x:p":"' + b"[{" * 50_000 + b'","urn:x:q":' + b"[" * 90
    data += b"1" + b"]" * 90 + b"}"
    assert len(parses(data, "json-ld")) == 2


@pytest.mark.parametrize(("depth", "ok"), NESTING_SIZES_FAR)
@pytest.mark.parametrize("literal", [False, True], ids=["nodes", "xml-literal"])
def test_rdf_xml_nesting(literal: bool, depth: int, ok: bool):
    data = nested_xml(depth, literal)
    if ok:
        parses(data, "xml")
        return
    refused(data, "xml", f"RDF/XML nested deeper than {MAX_NESTING:,} elements", "column", line=1)


# --- prefix declarations ---------------------------------------------------------------------


def prefixed(fmt: str, n: int, style: str = "@prefix", nested: bool = False) -> bytes:
    """A document declaring ``n`` distinct prefixes and using the first."""
    spaces = [f"urn:x:{'a/' * i}" if nested else f"urn:x:{i}#" for i in range(n)]
    if fmt in ("turtle", "trig"):
        if style == "@prefix":
            head = "".join(f"@prefix p{i}: <{ns}> .\n" for i, ns in enumerate(spaces))
        else:
            head = "".join(f"PREFIX p{i}: <{ns}>\n" for i, ns in enumerate(spaces))
        body = "p0:a p0:b p0:c ." if fmt == "turtle" else "<urn:x:g> { p0:a p0:b p0:c . }"
        return (head + body + "\n").encode()
    if fmt == "xml":  # rdf: is one of the n
        xmlns = " ".join(f'xmlns:p{i}="{ns}"' for i, ns in enumerate(spaces[: n - 1]))
        return (
            f'<rdf:RDF xmlns:rdf="{RDF_NS}" {xmlns}>'
            '<rdf:Description rdf:about="urn:x:a"><p0:b>c</p0:b></rdf:Description></rdf:RDF>'
        ).encode()
    if fmt == "json-ld":
        context = {f"p{i}": ns for i, ns in enumerate(spaces)}
        return json.dumps({"@context": context, "@id": "p0:a", "p0:b": "c"}).encode()
    raise ValueError(fmt)


PREFIX_CASES = [
    ("turtle", "@prefix"),
    ("turtle", "PREFIX"),
    ("trig", "@prefix"),
    ("trig", "PREFIX"),
    ("xml", "xmlns"),
    ("json-ld", "@context"),
]


@pytest.mark.parametrize(("count", "ok"), around(MAX_PREFIXES, 20_000))
@pytest.mark.parametrize(("fmt", "style"), PREFIX_CASES, ids=["-".join(c) for c in PREFIX_CASES])
def test_prefix_declarations(fmt: str, style: str, count: int, ok: bool):
    data = prefixed(fmt, count, style)
    if ok:
        graph = parse_data(data, fmt, source="upload")
        assert len(rdfio.as_graph(graph)) == 1
        last = count - 2 if fmt == "xml" else count - 1
        assert str(dict(graph.namespaces())[f"p{last}"]) == f"urn:x:{last}#"
        return
    refused(data, fmt, f"more than {MAX_PREFIXES:,} prefix declarations", "declare only")


@pytest.mark.parametrize("fmt", ["turtle", "trig", "xml", "json-ld"])
def test_namespaces_each_inside_the_last_up_to_the_limit(fmt: str):
    """rdflib recurses once per namespace that starts with another, binding and serialising."""
    graph = rdfio.as_graph(parse_data(prefixed(fmt, MAX_PREFIXES, nested=True), fmt))
    for out in ("turtle", "json-ld", "pretty-xml"):
        assert graph.serialize(format=out)


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_one_prefix_declared_again_and_again(fmt: str):
    head = "".join(f"@prefix p: <urn:x:{i % 3}#> .\n" for i in range(20_000))
    body = "p:a p:b p:c ." if fmt == "turtle" else "<urn:x:g> { p:a p:b p:c . }"
    graph = parse_data((head + body).encode(), fmt)
    assert str(dict(graph.namespaces())["p"]) == f"urn:x:{19_999 % 3}#"


def test_one_xmlns_declared_on_many_elements():
    element = (
        '<rdf:Description rdf:about="urn:x:a" xmlns:p="urn:x:p#"><p:b>c</p:b></rdf:Description>'
    )
    data = f'<rdf:RDF xmlns:rdf="{RDF_NS}">{element * 20_000}</rdf:RDF>'.encode()
    assert len(parses(data, "xml")) == 1


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nt", "nquads"])
def test_the_word_prefix_in_a_small_file_with_an_error(fmt: str):
    """Many "prefix" words keep rdflib's slow parser off a small file; the error is reported."""
    good = statement(fmt, "<urn:x:a>", "<urn:x:p>", '"' + "prefix " * 2_000 + '"')
    refused(good + b"<urn:x:a> <urn:x:p> .\n", fmt, line=2)


# --- numbers in JSON-LD ----------------------------------------------------------------------


@pytest.mark.parametrize(("digits", "ok"), around(MAX_NUMBER_DIGITS, 1_000_000))
@pytest.mark.parametrize("shape", ["integer", "negative", "decimal", "exponent"])
def test_json_number_digits(shape: str, digits: int, ok: bool):
    number = {
        "integer": "1" + "0" * (digits - 1),
        "negative": "-1" + "0" * (digits - 1),
        "decimal": "0." + "0" * (digits - 2) + "1",
        "exponent": "1." + "0" * (digits - 3) + "1e5",
    }[shape]
    data = f'{{"@id":"urn:x:a",\n"urn:x:p":{number}}}'.encode()
    if ok:
        assert len(parses(data, "json-ld")) == 1
        return
    err = refused(
        data, "json-ld", f"number with {digits:,} digits", f"at most {MAX_NUMBER_DIGITS:,}", line=2
    )
    assert err.column == len('"urn:x:p":') + 1


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("1e999999", "too large for a double"),
        ("-1e999999", "too large for a double"),
        ("1e309", "too large for a double"),
        ("NaN", "NaN is not a JSON number"),
        ("Infinity", "Infinity is not a JSON number"),
        ("-Infinity", "-Infinity is not a JSON number"),
    ],
)
def test_json_numbers_out_of_range(number: str, words: str):
    refused(f'{{"@id":"urn:x:a","urn:x:p":{number}}}'.encode(), "json-ld", words, "column 28")


@pytest.mark.parametrize(
    ("number", "value"),
    [("-0", 0), ("-0.0", 0.0), ("0e0", 0.0), ("1e308", 1e308), ("1e-999999", 0.0)],
)
def test_json_numbers_at_the_edges_parse(number: str, value: float):
    graph = parses(f'{{"@id":"urn:x:a","urn:x:p":{number}}}'.encode(), "json-ld")
    assert next(iter(graph.objects())).toPython() == value


def test_digits_in_json_strings_are_text():
    data = b'{"@id":"urn:x:a","urn:x:p":"' + b"9" * 100_000 + b'"}'
    assert len(str(next(iter(parses(data, "json-ld").objects())))) == 100_000


def test_duplicate_json_keys_the_last_wins():
    graph = parses(b'{"@id":"urn:x:a","@id":"urn:x:b","urn:x:p":"1","urn:x:p":"2"}', "json-ld")
    assert set(graph) == {(URIRef("urn:x:b"), URIRef("urn:x:p"), Literal("2"))}


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig", "xml"])
def test_huge_numbers_in_other_syntaxes_keep_their_digits(fmt: str):
    number = "1" + "0" * 9_999
    xsd = "http://www.w3.org/2001/XMLSchema#integer"
    if fmt == "xml":
        body = f'<rdf:Description rdf:about="urn:x:a"><x:p rdf:datatype="{xsd}">{number}</x:p>'
        data = f"{XML_HEAD}{body}</rdf:Description></rdf:RDF>".encode()
    else:
        data = statement(fmt, "<urn:x:a>", "<urn:x:p>", f'"{number}"^^<{xsd}>')
    assert str(next(iter(parses(data, fmt).objects()))) == number


# --- surrogates and the Unicode range --------------------------------------------------------

ESCAPES = ["\\uD800", "\\uDFFF", "\\uDBFF", "\\U0000D800", "\\uD83D\\uDE00"]


def lines_then(fmt: str, n: int, last: bytes) -> bytes:
    """``n`` good statements, then ``last`` (a statement's terms) on line ``n + 1``."""
    good = b"".join(statement(fmt, f"<urn:x:s{i}>", "<urn:x:p>", '"v"') for i in range(n))
    s, p, o = last.split(b" ", 2)
    return good + statement(fmt, s, p, o)


SURROGATE_PLACES = [
    (fmt, place)
    for fmt in ("turtle", "nt", "nquads", "trig")
    for place in ("literal", "long-literal", "tagged", "iri", "datatype")
    if not (place == "long-literal" and fmt in ("nt", "nquads"))  # none in N-Triples
]


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize(
    ("fmt", "place"), SURROGATE_PLACES, ids=["-".join(c) for c in SURROGATE_PLACES]
)
def test_lone_surrogate_escapes(fmt: str, place: str, escape: str):
    term = {
        "literal": f'"a{escape}b"',
        "long-literal": f'"""a{escape}b"""',
        "tagged": f'"a{escape}b"@en',
        "iri": f"<urn:x:{escape}>",
        "datatype": f'"v"^^<urn:x:{escape}>',
    }[place]
    data = lines_then(fmt, 2, f"<urn:x:a> <urn:x:p> {term}".encode())
    first = escape[-4:] if escape.startswith("\\U") else escape[2:6]
    refused(data, fmt, "lone surrogate", f"\\u{first}", "not a Unicode character", line=3)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig"])
def test_lone_surrogate_in_a_large_file(fmt: str):
    """Past rdflib's share (512 KiB) Oxigraph's message is used: the same words."""
    data = lines_then(fmt, 20_000, b'<urn:x:a> <urn:x:p> "\\uD800"')
    assert len(data) > 512 * 1024
    refused(data, fmt, "lone surrogate \\uD800 is not a Unicode character", line=20_001)


@pytest.mark.parametrize(
    "doc",
    [
        '{"@id":"urn:x:a","urn:x:p":"\\uD800"}',
        '{"@id":"urn:x:a","urn:x:p":"\\uDC00\\uD800"}',
        '{"@id":"urn:x:a\\uD800","urn:x:p":"v"}',
        '{"@id":"urn:x:a","urn:x:p\\uDFFF":"v"}',
        '{"@id":"urn:x:a","urn:x:p":{"@value":"\\uD800","@language":"en"}}',
    ],
)
def test_lone_surrogates_in_json_ld(doc: str):
    refused(doc.encode(), "json-ld", "lone surrogate", "not a Unicode character", line=1)


def test_surrogate_pairs_in_json_are_characters():
    graph = parses(b'{"@id":"urn:x:a","urn:x:p":"\\uD83D\\uDE00 \\uDBFF\\uDFFF"}', "json-ld")
    assert str(next(iter(graph.objects()))) == "\U0001f600 \U0010ffff"


def test_escaped_backslashes_are_not_surrogates():
    graph = parses(b'{"@id":"urn:x:a","urn:x:p":"\\\\uD800"}', "json-ld")
    assert str(next(iter(graph.objects()))) == "\\uD800"
    graph = parses(b'<urn:x:a> <urn:x:p> "\\\\uD800" . # \\uD800\n', "turtle")
    assert str(next(iter(graph.objects()))) == "\\uD800"


def test_surrogate_character_references_in_rdf_xml():
    body = '<rdf:Description rdf:about="urn:x:a"><x:p>a&#xD800;b</x:p></rdf:Description>'
    refused(f"{XML_HEAD}{body}</rdf:RDF>".encode(), "xml", "invalid character", line=1)


@pytest.mark.parametrize("fmt", SYNTAXES)
@pytest.mark.parametrize(
    "bad",
    [b"\xed\xa0\x80", b"\xc3\x28", b"\xff", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x82"],
    ids=["surrogate", "bad-continuation", "ff", "overlong", "beyond-10ffff", "truncated"],
)
def test_invalid_utf8_mid_file(fmt: str, bad: bytes):
    if fmt == "xml":
        good = b"".join(
            b'<rdf:Description rdf:about="urn:x:s%d"><x:p>v</x:p></rdf:Description>\n' % i
            for i in range(1_000)
        )
        data = XML_HEAD.encode() + b"\n" + good + b"<x:Thing><x:p>" + bad + b"</x:p></x:Thing>"
        line = 1_002
    elif fmt == "json-ld":
        good = b"".join(b'{"@id":"urn:x:s%d","urn:x:p":"v"},\n' % i for i in range(1_000))
        data = b"[\n" + good + b'{"@id":"urn:x:a","urn:x:p":"' + bad + b'"}]'
        line = 1_002
    else:
        data = lines_then(fmt, 1_000, b'<urn:x:a> <urn:x:p> "' + bad + b'"')
        line = 1_001
    err = refused(data, fmt, "not valid UTF-8", "column", line=line)
    assert err.column == data.split(b"\n")[line - 1].index(bad[:1]) + 1


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig"])
def test_the_unicode_range(fmt: str):
    top = parses(statement(fmt, "<urn:x:a>", "<urn:x:p>", '"\\U0010FFFF"'), fmt)
    assert str(next(iter(top.objects()))) == "\U0010ffff"
    refused(statement(fmt, "<urn:x:a>", "<urn:x:p>", '"\\U00110000"'), fmt, "110000", line=1)
    data = lines_then(fmt, 20_000, b'<urn:x:a> <urn:x:p> "\\U00110000"')
    refused(data, fmt, "beyond the last Unicode character, U+10FFFF", line=20_001)


def test_the_unicode_range_in_rdf_xml():
    body = '<rdf:Description rdf:about="urn:x:a"><x:p>&#x10FFFF;</x:p></rdf:Description>'
    graph = parses(f"{XML_HEAD}{body}</rdf:RDF>".encode(), "xml")
    assert str(next(iter(graph.objects()))) == "\U0010ffff"
    refused(f"{XML_HEAD}{body}</rdf:RDF>".replace("10FFFF", "110000").encode(), "xml")


# --- NUL characters --------------------------------------------------------------------------


@pytest.mark.parametrize("nul", ["\x00", "\\u0000"], ids=["raw", "escaped"])
@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig"])
def test_nul_in_literals_is_a_character(fmt: str, nul: str):
    graph = parses(statement(fmt, "<urn:x:a>", "<urn:x:p>", f'"a{nul}b"'), fmt)
    assert str(next(iter(graph.objects()))) == "a\x00b"
    graph.serialize(format="nt", encoding="utf-8")


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "trig"])
def test_nul_in_iris_is_refused(fmt: str):
    refused(statement(fmt, "<urn:x:a\\u0000>", "<urn:x:p>", '"v"'), fmt, line=1)


def test_nul_in_json_ld_and_rdf_xml():
    graph = parses(b'{"@id":"urn:x:a","urn:x:p":"a\\u0000b"}', "json-ld")
    assert str(next(iter(graph.objects()))) == "a\x00b"
    refused(b'{"@id":"urn:x:a","urn:x:p":"a\x00b"}', "json-ld", "invalid JSON", line=1)
    for nul in ("\x00", "&#0;"):
        body = f'<rdf:Description rdf:about="urn:x:a"><x:p>a{nul}b</x:p></rdf:Description>'
        refused(f"{XML_HEAD}{body}</rdf:RDF>".encode(), "xml", line=1)


# --- long literals, language tags and IRIs ---------------------------------------------------


def literal_doc(fmt: str, value: str = "v", lang: str = "", datatype: str = "") -> bytes:
    if fmt == "xml":
        attrs = (f' xml:lang="{lang}"' if lang else "") + (
            f' rdf:datatype="{datatype}"' if datatype else ""
        )
        body = f'<rdf:Description rdf:about="urn:x:a"><x:p{attrs}>{value}</x:p></rdf:Description>'
        return f"{XML_HEAD}{body}</rdf:RDF>".encode()
    if fmt == "json-ld":
        obj: dict[str, str] = {"@value": value}
        if lang:
            obj["@language"] = lang
        if datatype:
            obj["@type"] = datatype
        return json.dumps({"@id": "urn:x:a", "urn:x:p": obj}).encode()
    term = f'"{value}"' + (f"@{lang}" if lang else "") + (f"^^<{datatype}>" if datatype else "")
    return statement(fmt, "<urn:x:a>", "<urn:x:p>", term)


@pytest.mark.parametrize(("size", "ok"), around(MAX_LITERAL, 3 * MAX_LITERAL))
@pytest.mark.parametrize("fmt", SYNTAXES)
def test_literal_length(fmt: str, size: int, ok: bool):
    data = literal_doc(fmt, "x" * size)
    if ok:
        assert len(next(iter(parses(data, fmt).objects()))) == size
        return
    refused(data, fmt, ("longer than", "at most"), f"{MAX_LITERAL:,}")


@pytest.mark.parametrize("fmt", SYNTAXES)
def test_language_tag_length(fmt: str):
    assert parses(literal_doc(fmt, lang="en-GB"), fmt)
    refused(literal_doc(fmt, lang="a" * (MAX_LITERAL + 1)), fmt, ("longer than", "subtag"))
    tag = "-".join(["abc"] * (MAX_LITERAL // 4 + 1))  # well-formed, and too long
    refused(literal_doc(fmt, lang=tag), fmt)


@pytest.mark.parametrize(("size", "ok"), around(MAX_IRI, 3 * MAX_IRI))
@pytest.mark.parametrize("fmt", SYNTAXES)
def test_datatype_iri_length(fmt: str, size: int, ok: bool):
    datatype = "urn:x:" + "d" * (size - 6)
    data = literal_doc(fmt, datatype=datatype)
    if ok:
        assert len(next(iter(parses(data, fmt).objects())).datatype) == size
        return
    refused(data, fmt, f"IRI of {size:,} characters is longer than {MAX_IRI:,}")


@pytest.mark.parametrize(("size", "ok"), around(MAX_IRI, 3 * MAX_IRI))
@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld"])
def test_subject_iri_length(fmt: str, size: int, ok: bool):
    iri = "urn:x:" + "s" * (size - 6)
    if fmt == "json-ld":
        data = json.dumps({"@id": iri, "urn:x:p": "v"}).encode()
    else:
        data = statement(fmt, f"<{iri}>", "<urn:x:p>", '"v"')
    if ok:
        assert len(next(iter(parses(data, fmt).subjects()))) == size
        return
    refused(data, fmt, f"IRI of {size:,} characters")


# --- blank nodes -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", SYNTAXES)
def test_many_distinct_blank_nodes(fmt: str):
    n = 20_000 if fmt in rdfio._NATIVE_FORMATS else 5_000
    if fmt == "xml":
        body = "".join(
            f'<rdf:Description rdf:nodeID="b{i}"><x:p>v</x:p></rdf:Description>' for i in range(n)
        )
        data = f"{XML_HEAD}{body}</rdf:RDF>".encode()
    elif fmt == "json-ld":
        data = json.dumps([{"@id": f"_:b{i}", "urn:x:p": "v"} for i in range(n)]).encode()
    else:
        data = b"".join(statement(fmt, f"_:b{i}", "<urn:x:p>", '"v"') for i in range(n))
    first, second = parses(data, fmt), parses(data, fmt)
    assert len(set(first.subjects())) == n
    assert set(first.subjects()).isdisjoint(second.subjects())


# --- JSON-LD contexts ------------------------------------------------------------------------


def test_a_10_mb_string_context_is_refused_in_a_short_message():
    data = b'{"@context":"' + b"a" * 10_000_000 + b'","@id":"urn:x:a"}'
    err = refused(data, "json-ld", "remote JSON-LD context", "inline the context")
    assert len(str(err)) < 400


@pytest.mark.parametrize(
    "context",
    [
        {"@import": "https://example.org/context.jsonld"},
        {"@import": "/etc/passwd"},
        {"@import": "context.jsonld"},
        {"t": {"@id": "urn:x:t", "@context": {"@import": "http://127.0.0.1:9/"}}},
    ],
    ids=["url", "absolute-path", "relative", "scoped"],
)
def test_json_ld_import_is_refused(context: dict):
    data = json.dumps({"@context": context, "@id": "urn:x:a", "urn:x:p": "v"}).encode()
    refused(data, "json-ld", "@import", "never fetches")


@pytest.mark.parametrize(
    "context",
    [
        {"t": {"@id": "urn:x:t", "@context": "https://example.org/scoped"}},
        {"@context": "https://example.org/wrapped"},
        [{"a": "urn:x:a#"}, None, "#self"],
    ],
    ids=["scoped", "wrapped", "self-reference"],
)
def test_json_ld_remote_contexts_anywhere_are_refused(context: object):
    data = json.dumps({"@context": context, "@id": "urn:x:a", "urn:x:p": "v"}).encode()
    refused(data, "json-ld", "remote JSON-LD context")


def test_a_context_inside_a_context_parses():
    data = {"@context": {"@context": {"x": "urn:x:"}}, "@id": "x:a", "x:p": "v"}
    assert len(parses(json.dumps(data).encode(), "json-ld")) == 1


@pytest.mark.parametrize(
    "context",
    [
        {"a": "a:b"},
        {"a": "b:x", "b": "a:y"},
        {"a": {"@id": "b:x"}, "b": {"@id": "c:x"}, "c": "a:z"},
    ],
    ids=["self", "pair", "ring"],
)
def test_cyclic_term_definitions(context: dict):
    data = json.dumps({"@context": context, "@id": "urn:x:s", "a": "v"}).encode()
    refused(data, "json-ld", "cyclic")


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        (5, "a JSON-LD document is an object or an array, not a number"),
        ("x", "not a string"),
        (None, "not null"),
        ({"@id": 5}, '"@id" must be a string, not a number'),
        ({"@id": "urn:x:a", "@type": [5]}, '"@type" must be a string'),
        ({"@id": "urn:x:a", "@reverse": "x"}, '"@reverse" must be an object'),
        ({"@context": 5}, "@context is an object, an array or null"),
        ({"@context": {"@base": 5}}, '"@base" must be a string'),
        ({"@context": {"@vocab": []}}, '"@vocab" must be a string'),
        ({"@context": {"@language": {}}}, '"@language" must be a string'),
        ({"@context": {"t": 5}}, "a JSON-LD term is defined by a string, an object or null"),
        ({"@context": {"t": {"@id": 5}}}, '"@id" must be a string'),
        ({"@context": {"t": {"@type": True}}}, '"@type" must be a string'),
        ({"@context": {"t": {"@container": 5}}}, '"@container" must be a string'),
        ({"@graph": [{"urn:x:p": {"@value": "v", "@language": 5}}]}, "(at @graph[0].urn:x:p"),
    ],
)
def test_json_ld_keywords_of_the_wrong_type(doc: object, words: str):
    refused(json.dumps(doc).encode(), "json-ld", words)


KEYWORDS = [
    "@id", "@type", "@value", "@language", "@list", "@set", "@graph", "@reverse", "@index",
    "@context", "@vocab", "@base", "@direction", "@included", "@nest", "@json", "@container",
    "@protected", "@version", "@import", "@propagate", "@prefix",
]  # fmt: skip
VALUES = [5, 1.5, True, None, {}, {"a": 1}, [], [5], [{}], "x", "urn:x:y", [[1]], {"@id": 5}]
PLACES: list[Callable[[str, object], object]] = [
    lambda k, v: {"@id": "urn:x:a", k: v, "urn:x:p": "v"},
    lambda k, v: {"@id": "urn:x:a", "urn:x:p": {k: v}},
    lambda k, v: {"@id": "urn:x:a", "urn:x:p": {"@value": "v", k: v}},
    lambda k, v: {"@context": {k: v}, "@id": "urn:x:a", "urn:x:p": "v"},
    lambda k, v: {"@context": {"t": {k: v}}, "@id": "urn:x:a", "t": "v"},
    lambda k, v: {"@context": {"t": v}, "@id": "urn:x:a", "t": "v"},
    lambda k, v: {"@context": v, "@id": "urn:x:a", "urn:x:p": "v"},
    lambda k, v: [v],
]


def test_json_ld_keyword_values_of_every_type_in_every_place():
    """Every keyword with every kind of JSON value, in every place: parsed, or refused in
    words — never another exception type, never Python's wording, nothing fetched or read."""
    failures = []
    for keyword in KEYWORDS:
        for value in VALUES:
            for place in PLACES:
                doc = json.dumps(place(keyword, value)).encode()
                try:
                    parse_data(doc, "json-ld", source="upload")
                except RDFInputError as err:
                    if PYTHON_WORDING.search(err.message):
                        failures.append((doc, err.message))
                except Exception as exc:
                    failures.append((doc, repr(exc)))
    assert not failures, failures[:10]


# --- RDF/XML entities ------------------------------------------------------------------------


def test_entities_declared_after_a_long_prolog_are_refused():
    laughs = '<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    data = ("<!-- " + "x" * 100_000 + " -->\n" + laughs + "\n" + XML_HEAD + "</rdf:RDF>").encode()
    refused(data, "xml", "entities", line=2)


# --- linear time -----------------------------------------------------------------------------

LINEAR = textwrap.dedent(
    """
    import json, sys, time
    from bpfgraph.rdfio import RDFInputError, parse_data

    def prefixes(fmt, n):
        if fmt == "turtle":
            return "".join(f"@prefix p{i}: <urn:x:{i}#> .\\n" for i in range(n)).encode()
        if fmt == "trig":
            return ("".join(f"PREFIX p{i}: <urn:x:{i}#>\\n" for i in range(n)) + "<urn:x:g> {}").encode()
        if fmt == "xml":
            ns = " ".join(f'xmlns:p{i}="urn:x:{i}#"' for i in range(n))
            return f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" {ns}/>'.encode()
        return json.dumps({"@context": {f"p{i}": f"urn:x:{i}#" for i in range(n)}}).encode()

    line = 4 * 1024 * 1024
    cases = [
        *[(f"20,000 prefixes, {f}", f, prefixes(f, 20_000)) for f in ("turtle", "trig", "xml", "json-ld")],
        ("300,000 prefixes, turtle", "turtle", prefixes("turtle", 300_000)),
        ("1,000,000 brackets, turtle", "turtle", b"<urn:x:a> <urn:x:p> " + b"[ <urn:x:p> " * 1_000_000),
        ("1,000,000 brackets, trig", "trig", b"<urn:x:g> { <urn:x:a> <urn:x:p> " + b"( " * 1_000_000),
        ("1,000,000 brackets, json-ld", "json-ld", b'{"@id":"urn:x:a","urn:x:p":' + b"[" * 1_000_000),
        ("1,000,000 elements, xml", "xml", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' + b"<a>" * 1_000_000),
        ("a 4 MiB line and an error, nt", "nt", b'<urn:x:a> <urn:x:p> "' + b"a" * line + b'" .\\n<bad'),
        ("4 MiB of escapes and an error, turtle", "turtle", b'<urn:x:a> <urn:x:p> "' + b"\\\\n" * (line // 2) + b'" .\\n<bad'),
        ("a 4 MiB language tag, nt", "nt", b'<urn:x:a> <urn:x:p> "v"@' + b"a" * line + b" .\\n"),
        ("a 4 MiB JSON number", "json-ld", b'{"@id":"urn:x:a","urn:x:p":' + b"1" * line + b"}"),
    ]
    for name, fmt, data in cases:
        start = time.monotonic()
        try:
            parse_data(data, fmt, source=name)
        except RDFInputError as err:
            print(f"{time.monotonic() - start:6.2f} s  {err}"[:160], flush=True)
        else:
            print(f"{name}: parsed, expected a refusal", flush=True)
            sys.exit(1)
    """
)


def test_refusals_take_time_linear_in_the_input():
    """Inputs that rdflib's parsers take minutes over (quadratic prefix binding, quadratic long
    lines, deep recursion) are refused in seconds: a hang fails the test, not blocks it."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", LINEAR], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"no answer within 30 s; so far:\n{exc.stdout}") from None
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.count(" s  ") == 13, proc.stdout
