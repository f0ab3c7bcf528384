"""Talking to a remote SPARQL store over HTTP: credentials (Basic or Digest, from the settings
or taken out of the URLs), errors said without secrets, and what the store answers read by its
Content-Type, with the differences between engines smoothed out.

What differs between engines, and is smoothed here:

- a CONSTRUCT or DESCRIBE is asked for as N-Triples (Turtle accepted), a SELECT or ASK as
  SPARQL JSON results: Virtuoso answers a CONSTRUCT asked for with ``Accept:
  application/sparql-results+json, …`` in a JSON table of its own;
- Virtuoso writes SPARQL JSON literals as ``"typed-literal"`` (an early draft's name) and
  ``xsd:boolean`` values as ``1``/``0``: read as ``literal`` and ``true``/``false``;
- Virtuoso cuts an answer at its ``ResultSetMaxRows`` and says so only in the response header
  ``X-SPARQL-MaxRows``: :func:`row_cap` reads it, so that no caller takes a short answer for
  the whole one.

>>> split_credentials("https://ann:p%40ss@example.org:8890/sparql-auth")
('https://example.org:8890/sparql-auth', 'ann', 'p@ss')
>>> redact("cannot reach http://ann:secret@db:8890/sparql", ["secret"])
'cannot reach http://***@db:8890/sparql'
>>> normalise_cell({"type": "typed-literal", "value": "1",
...                 "datatype": "http://www.w3.org/2001/XMLSchema#boolean"})
{'type': 'literal', 'value': 'true', 'datatype': 'http://www.w3.org/2001/XMLSchema#boolean'}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import httpx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..sparql_text import update_keyword
from .base import StoreError, StoreRefused
from .results import AskResult, GraphResult, QueryResult, SelectResult

#: what a graph form (CONSTRUCT, DESCRIBE) is asked for as, and the types read back
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
GRAPH_TYPES = {"application/n-triples": "nt", "text/turtle": "turtle"}
#: what a SELECT or ASK is asked for as, and the types read back
RESULTS_ACCEPT = "application/sparql-results+json, application/json;q=0.9"
RESULTS_TYPES = ("application/sparql-results+json", "application/json")
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_USERINFO = re.compile(r"(?<=//)[^/@\s]*@")
_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


class StoreAuthError(StoreError):
    """The remote store refused bpfgraph's credentials, or asked for some and none are set."""


class StoreTruncated(StoreError):
    """The remote store cut an answer at its own row cap (a short answer is not the answer)."""

    def __init__(self, message: str, cap: int) -> None:
        """The cut answer's ``cap`` (the store's row limit) and a message for people."""
        super().__init__(message)
        self.cap = cap


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without its ``user:password@`` part, and the user and password it held
    (percent-decoded; None when it held none). StoreError, naming the URL without what
    comes before an ``@``, when it is no http(s) URL with a host and a port that can be.

    >>> split_credentials("http://u:p%40ss@h:8890/sparql")
    ('http://h:8890/sparql', 'u', 'p@ss')
    >>> try:
    ...     split_credentials("u:secret@h:8890/sparql")
    ... except StoreError as exc:
    ...     print(str(exc).split(": ")[-1])
    ***@h:8890/sparql
    """
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 (raises ValueError for a port that is no number)
    except ValueError:
        usable = False
    if not usable:
        shown = "***@" + url.rpartition("@")[2] if "@" in url else url
        raise StoreError(
            "the SPARQL store URL must be an http:// or https:// URL with a host and a valid "
            f"port: {shown}"
        )
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), unquote(user), unquote(password)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with any ``user:password@`` of a URL and every secret replaced by ``***``."""
    text = _USERINFO.sub("***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def normalise_cell(cell: dict) -> dict:
    """One SPARQL JSON term as SPARQL 1.1 writes it: ``typed-literal`` read as ``literal``,
    ``lang`` as ``xml:lang``, a value that is not a string as its text, and an
    ``xsd:boolean`` written ``1``/``0`` (Virtuoso) as ``true``/``false``."""
    out = dict(cell)
    if out.get("type") == "typed-literal":
        out["type"] = "literal"
    if "lang" in out and "xml:lang" not in out:
        out["xml:lang"] = out.pop("lang")
    value = out.get("value")
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif not isinstance(value, str):
        value = str(value)
    if out.get("type") == "bnode":
        value = blank_label(value)
    if out.get("datatype") == XSD_BOOLEAN and value in ("1", "0"):
        value = "true" if value == "1" else "false"
    out["value"] = value
    return out


def blank_label(value: str) -> str:
    """A blank node label as SPARQL JSON results give it, made a valid label: Virtuoso writes
    ``nodeID://b10006`` (read as ``b10006``); another label that is not one is written in hex.

    >>> blank_label("nodeID://b10006"), blank_label("b0"), blank_label("a:b")
    ('b10006', 'b0', 'x613a62')
    """
    value = value.removeprefix("nodeID://")
    if _LABEL.fullmatch(value):
        return value
    return "x" + value.encode("utf-8").hex()


def normalise_results(doc: dict) -> dict:
    """A SPARQL JSON results document with every term normalised (:func:`normalise_cell`)."""
    if "boolean" in doc:
        value = doc["boolean"]
        return {"head": {}, "boolean": value in (True, 1, "true", "1")}
    bindings = [
        {name: normalise_cell(cell) for name, cell in binding.items()}
        for binding in doc["results"]["bindings"]
    ]
    return {"head": {"vars": list(doc["head"].get("vars", []))}, "results": {"bindings": bindings}}


def to_term(cell: dict) -> Node:
    """An rdflib term from a (normalised) SPARQL JSON term."""
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    if "datatype" in cell and cell["datatype"] != XSD_STRING:
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]))
    return Literal(cell["value"])


def media_type(response: httpx.Response) -> str:
    """The response's media type, without parameters, in lower case."""
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def row_cap(response: httpx.Response) -> int | None:
    """The row cap the store cut this answer at (Virtuoso's ``X-SPARQL-MaxRows``), or None."""
    value = response.headers.get("x-sparql-maxrows", "").strip()
    return int(value) if value.isdigit() else None


def results_json(response: httpx.Response, form: str) -> dict:
    """The normalised SPARQL JSON results of a SELECT or ASK answer; StoreError when the
    store answered in another type or with something that is not such a document."""
    ctype = media_type(response)
    if ctype not in RESULTS_TYPES:
        raise StoreError(
            f"the SPARQL store answered a {form} query with {ctype or 'no Content-Type'}, "
            "not SPARQL JSON results"
        )
    try:
        return normalise_results(response.json())
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"the SPARQL store's JSON results cannot be read: {exc}") from None


def read_answer(response: httpx.Response, form: str) -> QueryResult:
    """What a query of ``form`` (SELECT, ASK, CONSTRUCT, DESCRIBE) was answered, read by the
    response's Content-Type; StoreError when it is not what the form gives."""
    if form not in GRAPH_FORMS:
        doc = results_json(response, form)
        if "boolean" in doc:
            return AskResult(bool(doc["boolean"]))
        rows = [
            {name: to_term(cell) for name, cell in binding.items()}
            for binding in doc["results"]["bindings"]
        ]
        return SelectResult(doc["head"]["vars"], rows)
    ctype = media_type(response)
    fmt = GRAPH_TYPES.get(ctype)
    if fmt is None:
        raise StoreError(
            f"the SPARQL store answered a {form} query with {ctype or 'no Content-Type'}, "
            "not N-Triples or Turtle"
        )
    try:
        return GraphResult(Graph().parse(data=response.content, format=fmt))
    except Exception as exc:  # rdflib's parsers raise many kinds
        raise StoreError(f"the SPARQL store's {ctype} answer cannot be read: {exc}") from None


class Connection:
    """One HTTP client for a store's endpoints, with its credentials (Basic sent with every
    request; Digest answering the store's challenge), whose errors never show them."""

    def __init__(
        self, timeout: float, user: str | None, password: str | None, scheme: str = "basic"
    ) -> None:
        """A client; ``user`` None: no credentials."""
        auth: httpx.Auth | None = None
        if user is not None:
            if scheme == "digest":
                auth = httpx.DigestAuth(user, password or "")
            else:
                auth = httpx.BasicAuth(user, password or "")
        self.user = user
        self.scheme = scheme
        self.secrets = [password] if password else []
        self.http = httpx.Client(timeout=timeout, auth=auth)

    def say(self, text: str) -> str:
        """``text`` made safe to print (no credentials)."""
        return redact(text, self.secrets)

    def send(
        self,
        method: str,
        url: str,
        what: str,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send a request to the ``what`` (the SPARQL store, the graph store) at ``url``:
        StoreError when it cannot be reached, StoreAuthError when it asks for credentials or
        refuses them; other statuses are the caller's to read."""
        try:
            response = self.http.request(
                method, url, content=content, headers=headers, params=params
            )
        except httpx.HTTPError as exc:
            raise StoreError(self.say(f"cannot reach the {what} at {url}: {exc}")) from None
        if response.status_code in (401, 403):
            raise StoreAuthError(self.say(self._auth_failure(response, url, what)))
        return response

    def _challenge(self, response: httpx.Response, url: str) -> str:
        """The scheme the endpoint asks for (``basic``, ``digest``; '' when unknown): from the
        refusal, or (Virtuoso refuses Basic credentials without saying what it wants) from
        the answer to a request without credentials."""
        header = response.headers.get("www-authenticate", "")
        if not header and self.user is not None:
            try:
                header = self.http.get(url, auth=None).headers.get("www-authenticate", "")
            except httpx.HTTPError:
                header = ""
        return header.split(" ")[0].lower()

    def _auth_failure(self, response: httpx.Response, url: str, what: str) -> str:
        status = response.status_code
        wants = self._challenge(response, url)
        if status == 403:
            who = f"the user {self.user!r}" if self.user else "anonymous requests"
            return (
                f"the {what} at {url} does not allow this to {who} (HTTP 403): give that "
                "user the right (on Virtuoso: GRANT SPARQL_UPDATE)"
            )
        if self.user is None:
            return (
                f"the {what} at {url} asks for credentials (HTTP 401"
                + (f", {wants.capitalize()}" if wants else "")
                + "): set BPFGRAPH_SPARQL_USER and BPFGRAPH_SPARQL_PASSWORD"
            )
        hint = ""
        if wants in ("basic", "digest") and wants != self.scheme:
            hint = f"; it asks for {wants.capitalize()}: set BPFGRAPH_SPARQL_AUTH={wants}"
        return (
            f"the {what} at {url} refused the credentials of user {self.user!r} "
            f"({self.scheme.capitalize()}, HTTP 401){hint}"
        )

    def close(self) -> None:
        """Close the connections."""
        self.http.close()


def refused_update(response: httpx.Response) -> int | None:
    """The status to answer when the store refused an update as the client's mistake, else
    None: a graph that does not exist (404: Oxigraph's "does not exist", Virtuoso's "has not
    been explicitly created", answered 500), a 4xx other than for credentials, or Virtuoso's
    SPARQL compiler errors (SQL state 37000, answered 500) (400). A store's own failure stays
    a StoreError (503)."""
    status, text = response.status_code, response.text
    if status < 400 or status in (401, 403, 407):
        return None
    if "does not exist" in text or "has not been explicitly created" in text:
        return 404
    if status < 500 or text.lstrip().startswith("Virtuoso 37000"):
        return 400
    return None


def refuse_update_as_query(text: str) -> None:
    """StoreRefused (400) for an update sent as a query: some stores (Virtuoso) run an
    update that reaches their query endpoint, past the service's write gate."""
    keyword = update_keyword(text)
    if keyword is not None:
        raise StoreRefused(
            400,
            f"not a query: it holds {keyword}, a SPARQL Update keyword; updates go to "
            "POST /sparql as update=, with the write token",
        )


def post_update(connection: Connection, url: str, request: str) -> None:
    """POST one update request; StoreRefused (400/404) when the store refused it as the
    client's mistake (:func:`refused_update`), StoreError when it failed or is unreachable."""
    response = connection.send(
        "POST",
        url,
        "SPARQL store",
        content=urlencode({"update": request}).encode("utf-8"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    refused = refused_update(response)
    if refused is not None:
        raise StoreRefused(
            refused,
            connection.say(
                f"the SPARQL store refused the update ({response.status_code}): "
                f"{response.text[:300].strip()}"
            ),
        )
    check_status(connection, response, url, "SPARQL store")


def check_status(connection: Connection, response: httpx.Response, url: str, what: str) -> None:
    """StoreError naming the store and its message when ``response`` has an error status."""
    if response.status_code >= 400:
        raise StoreError(
            connection.say(
                f"the {what} at {url} answered {response.status_code}: "
                f"{response.text[:300].strip()}"
            )
        )


def dumps(doc: dict) -> bytes:
    """A JSON document as UTF-8 bytes."""
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
