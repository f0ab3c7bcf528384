"""What the service does to an update's text before the engine reads it: ``CREATE GRAPH`` made
silent, later prologues moved first; checked by running the result on pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bpfgraph.sparql_text import ambiguous, create_silently, prologues_first, touched_graphs

G = "<https://example.org/g>"

SILENCED = [
    (f"CREATE GRAPH {G}", f"CREATE SILENT GRAPH {G}"),
    (f"create graph {G}", f"create SILENT graph {G}"),
    (f"CREATE\n\tGRAPH {G}", f"CREATE\n\tSILENT GRAPH {G}"),
    (f"CREATE SILENT GRAPH {G}", None),
    ("INSERT DATA { <x:a> <x:b> 'CREATE GRAPH <x:c>' }", None),
    (f"# CREATE GRAPH {G}\nCLEAR ALL", None),
    ("INSERT DATA { <x:CREATE> <x:b> <x:GRAPH> }", None),
    (
        f"CREATE GRAPH {G} ; CREATE GRAPH <x:h>",
        f"CREATE SILENT GRAPH {G} ; CREATE SILENT GRAPH <x:h>",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SILENCED)
def test_create_silently(text: str, expected: str | None):
    assert create_silently(text) == (text if expected is None else expected)


def test_creating_a_graph_twice_is_a_no_op():
    store = ox.Store()
    store.update(f"INSERT DATA {{ GRAPH {G} {{ <x:a> <x:b> <x:c> }} }}")
    with pytest.raises(Exception, match="already exists"):
        store.update(f"CREATE GRAPH {G}")
    store.update(create_silently(f"CREATE GRAPH {G}"))
    assert len(store) == 1


P = "PREFIX e: <https://example.org/>"
MOVED = [
    # (update, moved?, triples in the store afterwards)
    (f"INSERT DATA {{ <x:a> <x:b> <x:c> }} ;\n{P}\nINSERT DATA {{ e:a e:b e:c }}", True, 2),
    (f"{P} INSERT DATA {{ e:a e:b e:c }} ; {P} INSERT DATA {{ e:d e:b e:c }}", True, 2),
    (
        f"INSERT DATA {{ <x:a> <x:b> <x:c> }} ; {P}\nPREFIX f: <x:f/> INSERT DATA {{ e:a f:b e:c }}",
        True,
        2,
    ),
    # a prefix declared again with another IRI: left as it is
    (f"{P} CLEAR ALL ; PREFIX e: <x:> INSERT DATA {{ e:a e:b e:c }}", False, None),
    # a BASE: left as it is (relative IRIs would resolve differently)
    (f"BASE <x:> INSERT DATA {{ <x:a> <x:b> <x:c> }} ; {P} CLEAR ALL", False, None),
    # no later prologue: nothing to do
    (f"{P} INSERT DATA {{ e:a e:b e:c }}", False, 1),
    # ";" inside a string or a comment is not an operation's end
    (f"INSERT DATA {{ <x:a> <x:b> '; {P}' }}", False, 1),
    (f"INSERT DATA {{ <x:a> <x:b> <x:c> }} # ; {P}\n", False, 1),
]


@pytest.mark.parametrize(("text", "moved", "triples"), MOVED)
def test_prologues_first(text: str, moved: bool, triples: int | None):
    rewritten = prologues_first(text)
    assert (rewritten != text) is moved
    if triples is None:
        return
    store = ox.Store()
    store.update(rewritten)
    assert len(store) == triples


FW = "<https://w3id.org/bpfgraph/graph/framework>"
#: ``<`` as the less-than operator before a quote or a comment: the text may be read two ways
#: (the attack's finding: ``1<xsd:string('>')`` read as an IRI hid the rest of the line from
#: the graph reader, and the rewriters changed a string literal)
AMBIGUOUS = [
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> INSERT { <x:x> <x:x> <x:x> } WHERE "
    "{ FILTER(1<xsd:string('>')) } ; INSERT DATA { GRAPH " + FW + " { <x:p> <x:p> <x:p> } }",
    "INSERT { GRAPH <x:g> { <x:s> <x:p> ?o } } WHERE { BIND(1<'>' AS ?x) BIND('CREATE GRAPH' AS ?o) }",
    "INSERT { GRAPH <x:g> { <x:s> <x:p> ?o } } WHERE { BIND(1<'>' AS ?x) "
    "BIND('a ; PREFIX p: <x:evil/> b' AS ?o) }",
    "INSERT { GRAPH <x:g> { <x:s> <x:p> ?o } } WHERE { BIND(1<='>' AS ?x) BIND('CREATE GRAPH' AS ?o) }",
    "INSERT { GRAPH <x:g> { <x:s> <x:p> ?o } } WHERE { BIND(2<a#>1 '''\n AS ?o) }",
]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_an_update_read_two_ways_is_left_alone_and_may_touch_any_graph(text: str):
    assert ambiguous(text)
    assert touched_graphs(text) is None  # the remote store refuses it (403), never guesses
    assert create_silently(text) == text and prologues_first(text) == text


def test_the_literal_the_engine_reads_is_kept():
    text = AMBIGUOUS[1]
    store = ox.Store()
    store.update(prologues_first(create_silently(text)))
    assert [q.object.value for q in store] == ["CREATE GRAPH"]


#: plain updates with quotes and fragments in IRIs are read one way
UNAMBIGUOUS = [
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> INSERT DATA { <x:a> rdfs:label 'b' }",
    "INSERT DATA { <x:a> <http://www.w3.org/2000/01/rdf-schema#label>\n'''long\nstring''' }",
    "INSERT DATA { <http://example.org/O'Brien#x> <x:b> <x:c> }",
    "DELETE WHERE { GRAPH <x:g> { ?s ?p ?o FILTER(?o < 3) } }",
]


@pytest.mark.parametrize("text", UNAMBIGUOUS)
def test_ordinary_updates_are_read_one_way(text: str):
    if "O'Brien" in text:  # an IRI holding ' is read as possibly two ways: the worst assumed
        assert ambiguous(text) and touched_graphs(text) is None
        return
    assert not ambiguous(text)
    assert touched_graphs(text) is not None


def test_a_language_tag_is_not_a_create():
    text = 'INSERT DATA { <x:s> <x:p> "x"@create GRAPH <x:g> { <x:a> <x:b> <x:c> } }'
    assert create_silently(text) == text
    store = ox.Store()
    store.update(create_silently(text))
    assert len(store) == 2
