r"""SPARQL text as the engine reads it: where its strings, IRIs and comments are, so that
keyword checks and graph readers look only at the code.

A comment runs to the end of its line, and a line ends at ``\n`` or ``\r`` (SPARQL 1.1
Query 19.6): a check that ends comments at ``\n`` only would miss an operation after
``#…\r``, which the engine runs.

>>> [m.group() for m in STRING_IRI_COMMENT.finditer("ASK { <x:a> ?p 'b' } # c\rASK {}")]
['<x:a>', "'b'", '# c']
>>> code_only("INSERT DATA { <x:a> <x:b> 'DROP ALL' } #\r; DROP ALL").split()
['INSERT', 'DATA', '{', '}', ';', 'DROP', 'ALL']
"""

from __future__ import annotations

import re

# Strings, IRIs and comments, found as the engine finds them. A string or long string with no
# end runs to the end of its line (of the text): the engine stops with a syntax error where it
# starts, so what follows is never parsed. Possessive loops: linear time, no backtracking.
STRING_IRI_COMMENT = re.compile(
    r"(?=[\"'<#])"  # (a quick test first: the text between tokens is skipped fast)
    r'(?:(?P<s>"""(?:[^"\\]|\\[\s\S]?|"(?!""))*+(?:"""|\Z)'
    r"|'''(?:[^'\\]|\\[\s\S]?|'(?!''))*+(?:'''|\Z)"
    r'|"(?:[^"\\\n\r]|\\[^\n\r]?)*+"?'
    r"|'(?:[^'\\\n\r]|\\[^\n\r]?)*+'?)"
    r'|(?P<i><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>)'
    r"|(?P<c>#[^\r\n]*+))"
)


def code_only(text: str) -> str:
    """The text with its strings, IRIs and comments blanked out (one space per character, so
    that a position in one is the same position in the other)."""
    return STRING_IRI_COMMENT.sub(lambda m: " " * len(m.group()), text)
