"""What counts as an IRI where a person types one (a query parameter, a path under ``/id/``):
a scheme, no space or control character anywhere (a trailing line feed included), nothing RDF
forbids, and Oxigraph's IRI parser (RFC 3987) agreeing.

>>> iri_problem("https://example.org/city/x") is None
True
>>> iri_problem("https://example.org/city/x\\n")
'it has a line feed (U+000A) at character 27'
>>> iri_problem("example")
'it has no scheme (such as https:)'
"""

from __future__ import annotations

import re

import pyoxigraph

#: characters no IRI holds: controls, space, DEL and C1 controls, and what RDF forbids
BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_CHARACTERS = {" ": "a space", "\n": "a line feed", "\r": "a carriage return", "\t": "a tab"}


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an IRI, in words (None: it is one)."""
    bad = BAD_IRI.search(value)
    if bad is not None:
        char = bad.group()
        described = _CHARACTERS.get(
            char, "a control character" if char < " " or char >= "\x7f" else f"{char!r}"
        )
        return f"it has {described} (U+{ord(char):04X}) at character {bad.start() + 1}"
    if not _SCHEME.match(value):
        return "it has no scheme (such as https:)"
    if not is_iri(value):
        return "it is not an IRI by RFC 3987"
    return None


def is_iri(value: str) -> bool:
    """Whether Oxigraph takes ``value`` as an IRI."""
    try:
        pyoxigraph.NamedNode(value)
    except ValueError:
        return False
    return True
