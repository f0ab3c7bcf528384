"""What the service does to an update's text before the engine reads it: ``CREATE GRAPH`` made
silent, later prologues moved first; checked by running the result on pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bpfgraph.sparql_text import create_silently, prologues_first

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
