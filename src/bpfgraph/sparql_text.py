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


_LONG_QUOTE = re.compile("'''|\"\"\"")


def ambiguous(text: str) -> bool:
    r"""Whether the text may be read two ways: ``<`` is also the less-than operator, and an
    "IRI" such as ``<xsd:string('>`` in ``FILTER(1<xsd:string('>'))`` is, to the engine, an
    operator and code holding a string start. A ``'`` inside an IRI, or a ``#`` inside one
    with a long-string quote later on its line, may put strings and comments elsewhere than
    this module reads them: the readers below then assume the worst (any graph) and the
    rewriters leave the text alone.

    >>> ambiguous("INSERT { <x:a> <x:b> <x:c> } WHERE { FILTER(1<xsd:string('>')) }")
    True
    >>> ambiguous("PREFIX s: <http://schema.org/#> INSERT DATA { <x:a> s:name 'O\\'Brien' }")
    False
    >>> ambiguous("ASK { FILTER(1<a#>2) } '''x")
    True
    """
    for m in STRING_IRI_COMMENT.finditer(text):
        token = m.group()
        if not token.startswith("<"):
            continue
        if "'" in token:
            return True
        if "#" in token:
            ends = [i for i in (text.find("\n", m.end()), text.find("\r", m.end())) if i >= 0]
            if _LONG_QUOTE.search(text, m.end(), min(ends, default=len(text))):
                return True
    return False


def code_only(text: str) -> str:
    """The text with its strings, IRIs and comments blanked out (one space per character, so
    that a position in one is the same position in the other)."""
    return STRING_IRI_COMMENT.sub(lambda m: " " * len(m.group()), text)


#: characters that continue a SPARQL local name beyond what the pattern below reads
#: (':', escapes, '%HH' and rare name characters)
_CONTINUES = re.compile("[:%\\\\\u00b7\u0300-\u036f\u203f\u2040]")


def touched_graphs(update: str) -> set[str] | None:
    """The graphs a SPARQL Update may change, or None when it may change any of them.

    Conservative: every IRI the update names (prefixed names expanded) counts; a variable
    graph, ALL / NAMED, a BASE or a relative IRI means "any graph".

    >>> sorted(touched_graphs('PREFIX g: <https://e.org/> DROP GRAPH g:a ; CLEAR GRAPH <https://e.org/b>'))
    ['https://e.org/', 'https://e.org/a', 'https://e.org/b']
    >>> touched_graphs("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }") is None
    True
    >>> touched_graphs('PREFIX e: <https://e.org/> CLEAR GRAPH e:a%20b') is None
    True
    >>> sorted(touched_graphs('DELETE WHERE { GRAPH <https://e.org/g> { ?all ?p ?o } }'))
    ['https://e.org/g']
    """
    if ambiguous(update):
        return None
    iris: set[str] = set()
    for m in STRING_IRI_COMMENT.finditer(update):
        token = m.group()
        if token.startswith("<"):
            if "\\" in token:  # an escape (\u0068ttps…) spells an IRI we would misread
                return None
            iris.add(token[1:-1])
    code = STRING_IRI_COMMENT.sub(" ", update)
    if re.search(r"\bGRAPH\s+[?$]|(?<![?$\w:])(ALL|NAMED|BASE)\b", code, re.IGNORECASE):
        return None
    # the declarations read with comments out of the way (PREFIX # …\n g: <…> is one)
    declarations = STRING_IRI_COMMENT.sub(
        lambda m: m.group() if m.group().startswith("<") else " ", update
    )
    prefixes = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"PREFIX\s+([A-Za-z][\w.-]*|):\s*<([^>]*)>", declarations, re.IGNORECASE
        )
    }
    for m in re.finditer(r"(?<![\w:])([A-Za-z][\w.-]*|):([\w.-]*)", code):
        if m.group(1) not in prefixes:
            if m.group(1).upper() != "PREFIX":
                return None  # a prefix we could not read: it may name any graph
            continue
        if _CONTINUES.match(code, m.end()):
            return None  # a local name with ':', '%', escapes or rarer characters: any graph
        local = m.group(2)
        # a local name never ends with '.': "g:a." is g:a and the end of a triple
        iris.update({prefixes[m.group(1)] + local, prefixes[m.group(1)] + local.rstrip(".")})
    if any(":" not in iri for iri in iris):  # relative: resolved against a base we do not know
        return None
    return iris


_UPDATE_WORD = re.compile(
    r"(?<![\w:?$.@-])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)(?![\w:-])", re.IGNORECASE
)


def update_keyword(query: str) -> str | None:
    """The first SPARQL Update keyword in a query's code, or None: a text sent as a query
    that holds one is an update (some stores, Virtuoso among them, run an update sent to
    their query endpoint). Where the text reads two ways (:func:`ambiguous`), its strings
    and comments count too.

    >>> update_keyword("INSERT DATA { <x:a> <x:b> <x:c> }")
    'INSERT'
    >>> update_keyword("SELECT ?insert { ?s ?p 'DROP' }")
    >>> update_keyword("SELECT * { ?s <x:delete> ?o } # CLEAR ALL")
    """
    code = query if ambiguous(query) else code_only(query)
    m = _UPDATE_WORD.search(code)
    return m.group(1).upper() if m else None


_FROM = re.compile(r"(?<![\w:?$.-])FROM(?![\w:-])", re.IGNORECASE)


def has_dataset_clause(text: str) -> bool:
    """Whether the query names its dataset (FROM / FROM NAMED).

    >>> has_dataset_clause("SELECT * FROM <http://example.org/g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT ?from { ?s <http://example.org/FROM> ?from }")
    False
    """
    return _FROM.search(code_only(text)) is not None


_TERMS = re.compile(
    r"[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+"  # variables
    r"|[A-Za-z][\w.-]*:[\w.%:-]*|:[\w.%:-]+"  # prefixed names
    r"|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"  # numbers
    r"|@[A-Za-z]+(?:-[A-Za-z0-9]+)*"  # language tags
)


def suspect_key(text: str) -> str:
    r"""The shape of a query: its text with comments left out, every string, IRI, number,
    variable and prefixed name replaced by a placeholder, and spacing collapsed — the same for
    the variants a flood sends (other constants, other names) and for the same text again.

    >>> suspect_key("SELECT ?a # one\n{ ?a ?b 'x' . ?a <y:z> 1 }") == suspect_key(
    ...     "SELECT ?x { ?x ?y 'other' . ?x <o:p> 42 } # 2")
    True
    >>> suspect_key("ASK { ?s ?p ?o }") == suspect_key("SELECT * { ?s ?p ?o }")
    False
    """

    def placeholder(m: re.Match[str]) -> str:
        token = m.group()
        return " " if token.startswith("#") else "<>" if token.startswith("<") else '""'

    kept = STRING_IRI_COMMENT.sub(placeholder, text)
    kept = _TERMS.sub(lambda m: "?" if m.group()[0] in "?$" else "t", kept)
    return " ".join(kept.split()).upper()


_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's form (its first form keyword outside
    strings, IRIs and comments; SELECT when there is none).

    >>> query_form("PREFIX ask: <urn:x#> # SELECT\\nCONSTRUCT { ?s ?p 'ASK' } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    m = _FORM.search(code_only(text))
    return m.group(1).upper() if m else "SELECT"


_WHERE = re.compile(r"(?<![\w:?$.-])WHERE(?![\w:-])", re.IGNORECASE)
_GROUP_BY = re.compile(r"(?<![\w:?$.-])GROUP\s+BY(?![\w:-])", re.IGNORECASE)


def construct_solutions_query(text: str) -> str | None:
    """A query counting the solutions a CONSTRUCT's pattern gives (with its dataset and
    solution modifiers), as ``?n``; None for another form, or a CONSTRUCT read no further
    (GROUP BY, no pattern). A store that cuts a CONSTRUCT at a number of solutions without
    saying so (Virtuoso) is caught by it.

    >>> print(construct_solutions_query(
    ...     "PREFIX e: <urn:e#> CONSTRUCT { ?s e:p '{' } FROM <urn:g> WHERE { ?s ?p 1 }"))
    PREFIX e: <urn:e#> SELECT (COUNT(*) AS ?n) FROM <urn:g> WHERE { SELECT * WHERE { ?s ?p 1 } }
    >>> print(construct_solutions_query("CONSTRUCT WHERE { ?s ?p ?o }"))
    SELECT (COUNT(*) AS ?n)  WHERE { SELECT * WHERE { ?s ?p ?o } }
    """
    code = code_only(text)
    form = _FORM.search(code)
    if form is None or form.group(1).upper() != "CONSTRUCT" or _GROUP_BY.search(code):
        return None
    after = form.end()
    opening = code.find("{", after)
    if opening < 0:
        return None
    if not code[after:opening].strip():  # the template: the pattern follows it
        depth = 0
        for brace in re.finditer(r"[{}]", code[opening:]):
            depth += 1 if brace.group() == "{" else -1
            if depth == 0:
                after = opening + brace.end()
                break
        else:
            return None
        opening = code.find("{", after)
        if opening < 0:
            return None
    dataset = _WHERE.sub("", text[after:opening]).strip()
    prologue = text[: form.start()]
    return (
        f"{prologue}SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ SELECT * WHERE "
        f"{text[opening:].rstrip()} }}"
    )


_CREATE = re.compile(r"(?<![\w:?$.@-])CREATE(\s+)(?=GRAPH(?![\w:-]))", re.IGNORECASE)


def create_silently(update: str) -> str:
    r"""The update with every ``CREATE GRAPH`` made ``CREATE SILENT GRAPH``: creating a graph
    that exists is a no-op, not an error (what rdflib's ``Dataset.graph(iri)`` on a
    ``SPARQLUpdateStore`` needs: it sends ``CREATE GRAPH`` for every graph it opens). Strings,
    IRIs and comments are left alone.

    >>> create_silently("create\nGRAPH <x:g> ; INSERT DATA { <x:a> <x:b> 'CREATE GRAPH' }")
    "create\nSILENT GRAPH <x:g> ; INSERT DATA { <x:a> <x:b> 'CREATE GRAPH' }"
    >>> create_silently("CREATE SILENT GRAPH <x:g> # CREATE GRAPH")
    'CREATE SILENT GRAPH <x:g> # CREATE GRAPH'
    """
    if ambiguous(update):
        return update
    code = code_only(update)
    pieces, end = [], 0
    for m in _CREATE.finditer(code):
        pieces += [update[end : m.end()], "SILENT "]
        end = m.end()
    return "".join(pieces) + update[end:]


_LATER_PROLOGUE = re.compile(
    r";(\s*)((?:PREFIX\s+(?:[A-Za-z][\w.-]*)?:\s*<[^<>\s]*>\s*)+)", re.IGNORECASE
)
_DECLARATION = re.compile(r"PREFIX\s+((?:[A-Za-z][\w.-]*)?):\s*(<[^<>\s]*>)", re.IGNORECASE)


def prologues_first(update: str) -> str:
    """The update with the prologues of its later operations (``; PREFIX p: <…> INSERT …``,
    allowed by SPARQL 1.1 Update's grammar) moved to its start, where every engine reads them.

    rdflib's ``SPARQLUpdateStore`` joins the updates of a transaction with ``;`` and starts
    each with ``PREFIX`` lines; Oxigraph refuses a prologue after ``;``. Moving them changes
    nothing when no prefix is declared twice with different IRIs and there is no ``BASE``:
    the text is left as it is otherwise (the engine then says what is wrong).

    >>> prologues_first("INSERT DATA { <x:a> <x:b> 'c;PREFIX' } ;\\nPREFIX p: <x:> CLEAR GRAPH p:g")
    "PREFIX p: <x:>\\nINSERT DATA { <x:a> <x:b> 'c;PREFIX' } ;\\n               CLEAR GRAPH p:g"
    >>> text = "PREFIX p: <x:> CLEAR ALL ; PREFIX p: <y:> CLEAR ALL"
    >>> prologues_first(text) == text
    True
    """
    if ambiguous(update):
        return update
    # strings and comments blanked, IRIs kept: the declarations read where the engine reads them
    view = STRING_IRI_COMMENT.sub(
        lambda m: m.group() if m.group().startswith("<") else " " * len(m.group()), update
    )
    code = code_only(update)
    later = [m for m in _LATER_PROLOGUE.finditer(view) if code[m.start()] == ";"]
    if not later or re.search(r"\bBASE\b", code, re.IGNORECASE):
        return update
    declared: dict[str, str] = {}
    for m in _DECLARATION.finditer(view):
        if declared.setdefault(m.group(1), m.group(2)) != m.group(2):
            return update
    moved = [" ".join(m.group(2).split()) for m in later]
    text = list(update)
    for m in later:
        text[m.start(2) : m.end(2)] = " " * (m.end(2) - m.start(2))
    return "\n".join(moved) + "\n" + "".join(text)
