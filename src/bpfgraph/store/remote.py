"""A remote SPARQL 1.1 store: Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune.

Queries go to the query endpoint (SPARQL 1.1 Protocol, POST form), writes to the update
endpoint (SPARQL 1.1 Update) or, when configured, the Graph Store Protocol endpoint (PUT
replaces a graph in one request); credentials and what differs between engines are
:mod:`.remote_http`'s. The union of all graphs as default graph is asked for the standard way,
one ``default-graph-uri`` per named graph, unless the store is configured so that its default
graph already is that union (``union_default_graph``, the setting
``BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH``): then queries go as they are. The list of graphs is
asked for once and reused for ``graphs_ttl`` seconds (every write through this store forgets
it); the store evaluates each pattern graph by graph: fine for a few hundred graphs, too slow
for thousands of city mappings.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlencode

import httpx
from rdflib import Graph, Literal

from .. import rdfio
from ..sparql_text import construct_solutions_query, has_dataset_clause, query_form
from .base import Store, StoreError, StoreRefused, replace_graphs_update
from .portable_update import portable_requests
from .remote_http import (
    GRAPH_ACCEPT,
    GRAPH_FORMS,
    RESULTS_ACCEPT,
    Connection,
    StoreTruncated,
    check_status,
    dumps,
    media_type,
    post_update,
    read_answer,
    refuse_update_as_query,
    results_json,
    row_cap,
    split_credentials,
    to_term,
)
from .results import GraphResult, ProtocolAnswer, QueryResult, SelectResult

FORM = "application/x-www-form-urlencoded"
#: rows asked for per request when a graph is read in pages (a store's row cap below this is
#: learnt from its answer)
PAGE_ROWS = 10_000
#: Virtuoso's row cap, as its SPARQL endpoint tells anyone
VIRTUOSO_CAP = "SELECT (bif:virtuoso_ini_item_value('SPARQL', 'ResultSetMaxRows') AS ?n) WHERE {}"


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP: queries to ``query_url``, writes to ``update_url`` or,
    when set, whole graphs to ``graph_store_url``. Without an update URL it is read-only.
    ``user`` and ``password`` (or ``user:password@`` in a URL, taken out of it) are sent with
    ``auth`` ``basic`` or ``digest``; ``graphs_ttl``: seconds the list of graphs is reused."""

    engine = "sparql"

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        timeout: float = 60.0,
        union_default_graph: bool = False,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        graphs_ttl: float = 5.0,
    ) -> None:
        """The store at these endpoints (nothing is asked of it yet); ``timeout`` in seconds
        per request. StoreError when ``query_url`` is empty."""
        if not query_url:
            raise StoreError("BPFGRAPH_SPARQL_QUERY_URL is required for the sparql store")
        urls = []
        for url in (query_url, update_url, graph_store_url):
            clean, url_user, url_password = split_credentials(url) if url else (None, None, None)
            urls.append(clean)
            if user is None and url_user:
                user, password = url_user, url_password
        self.query_url: str = urls[0] or ""
        self.update_url = urls[1]
        self.graph_store_url = urls[2]
        #: the store's own default graph is the union of its named graphs
        self.union_default_graph = union_default_graph
        self.graphs_ttl = graphs_ttl
        self._conn = Connection(timeout, user, password, auth)
        self._http = self._conn.http
        self._graphs: tuple[float, list[str]] | None = None
        #: Virtuoso's ResultSetMaxRows, asked of it when first needed (0: unknown)
        self._virtuoso_cap: int | None = None
        #: the row cap the store was seen to cut answers at
        self.row_cap: int | None = None

    # -- protocol helpers --------------------------------------------------------------------

    def _post(self, url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST ``content`` to ``url``; StoreError when the store is unreachable or answers
        with an error status (its message: the first 300 characters of the answer)."""
        response = self._conn.send("POST", url, "SPARQL store", content=content, headers=headers)
        check_status(self._conn, response, url, "SPARQL store")
        return response

    def _ask_store(self, sparql: str, union: bool) -> tuple[httpx.Response, str]:
        """POST a query with the Accept its form reads best; the response and the form.
        StoreTruncated when the store cut a CONSTRUCT at its row cap without a word."""
        form = query_form(sparql)
        # on a store whose default graph is the union, every query sees the union: bpfgraph's
        # own queries without it read named graphs only (GRAPH patterns), which it does not change
        dataset = self.union_dataset() if union else []
        response = self._post(
            self.query_url,
            content=urlencode([("query", sparql), *dataset]).encode("utf-8"),
            headers={
                "Accept": GRAPH_ACCEPT if form in GRAPH_FORMS else RESULTS_ACCEPT,
                "Content-Type": FORM,
            },
        )
        if form == "CONSTRUCT":
            cap = self._silent_cap(response, sparql, dataset)
            if cap is not None:
                raise self._truncated(cap)
        return response, form

    def _silent_cap(
        self, response: httpx.Response, text: str, dataset: list[tuple[str, str]]
    ) -> int | None:
        """The row cap a CONSTRUCT's answer was cut at without a word, or None: Virtuoso (its
        Server header says so) applies its cap to a CONSTRUCT's solutions and sends no
        X-SPARQL-MaxRows, so they are counted (one more query) and compared with its cap
        (asked of it once)."""
        counting = construct_solutions_query(text)
        if counting is None or "virtuoso" not in response.headers.get("server", "").lower():
            return None
        if self._virtuoso_cap is None:
            self._virtuoso_cap = self._count(VIRTUOSO_CAP, []) or 0
        if not self._virtuoso_cap:
            return None
        # the cap cuts triples as well as solutions: a template of several triples reaches it
        # with fewer solutions than the cap (one triple per line of N-Triples)
        if response.content.count(b"\n") >= self._virtuoso_cap:
            return self._virtuoso_cap
        solutions = self._count(counting, dataset)
        return self._virtuoso_cap if solutions and solutions > self._virtuoso_cap else None

    def _count(self, sparql: str, dataset: list[tuple[str, str]]) -> int | None:
        """The number the first cell of a one-row SELECT holds; None when it cannot be had."""
        response = self._conn.send(
            "POST",
            self.query_url,
            "SPARQL store",
            content=urlencode([("query", sparql), *dataset]).encode("utf-8"),
            headers={"Accept": RESULTS_ACCEPT, "Content-Type": FORM},
        )
        try:
            doc = results_json(response, "SELECT")
            return int(next(iter(doc["results"]["bindings"][0].values()))["value"])
        except (StoreError, LookupError, StopIteration, ValueError):
            return None

    def _graph_list(self, fresh: bool = True) -> list[str]:
        """The named graphs holding a triple: asked of the store, or (``fresh`` False) the
        list asked for less than ``graphs_ttl`` seconds ago."""
        held = self._graphs
        if not fresh and held is not None and time.monotonic() - held[0] < self.graphs_ttl:
            return held[1]
        asked = time.monotonic()
        result = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", union=False)
        graphs = sorted(str(r["g"]) for r in result.rows if "g" in r)
        self._graphs = (asked, graphs)
        return graphs

    def _written(self) -> None:
        """Forget the list of graphs (this store wrote)."""
        self._graphs = None

    def _select(self, sparql: str, union: bool) -> SelectResult:
        result = self.query(sparql, union_default_graph=union)
        if not isinstance(result, SelectResult):
            raise StoreError("expected SELECT results from the store")
        return result

    def union_dataset(self) -> list[tuple[str, str]]:
        """The protocol parameters that give a query the union of all graphs as its default
        graph: every graph as default and as named (the list asked for once per
        ``graphs_ttl``), or nothing on a store whose default graph already is the union."""
        if self.union_default_graph:
            return []
        graphs = self._graph_list(fresh=False)
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

    def _truncated(self, cap: int) -> StoreTruncated:
        self.row_cap = cap
        return StoreTruncated(
            f"the SPARQL store cut the answer at {cap} rows (its own row limit, "
            "X-SPARQL-MaxRows): a short answer is not used; raise the limit (Virtuoso: "
            "ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)",
            cap,
        )

    # -- Store -------------------------------------------------------------------------------

    def query_protocol(
        self, text: str, media: str, default_graphs: list[str], named_graphs: list[str]
    ) -> ProtocolAnswer:
        """The query passed on as it came (a protocol error of the store is answered as
        such: its 4xx as they are, its 5xx as 502); a query naming no dataset gets the union
        of the store's graphs as its default graph, as on the embedded store. The store is
        asked for SPARQL JSON results or N-Triples (what every engine writes alike; the
        service writes ``media`` from them), and the row cap it cut the answer at is kept.
        StoreRefused (400) for an update sent as a query (Virtuoso would run it)."""
        refuse_update_as_query(text)
        form = query_form(text)
        params = [("query", text)]
        params += [("default-graph-uri", g) for g in default_graphs]
        params += [("named-graph-uri", g) for g in named_graphs]
        if not default_graphs and not named_graphs and not has_dataset_clause(text):
            params += self.union_dataset()
        accept = GRAPH_ACCEPT if form in GRAPH_FORMS else RESULTS_ACCEPT
        response = self._conn.send(
            "POST",
            self.query_url,
            "SPARQL store",
            content=urlencode(params).encode(),
            headers={"Accept": accept, "Content-Type": FORM},
        )
        if response.status_code >= 400:
            status = response.status_code if response.status_code < 500 else 502
            raise StoreRefused(status, self._conn.say(response.text[:500]))
        cap = row_cap(response)
        if form in GRAPH_FORMS:
            read_answer(response, form)  # StoreError when it is not N-Triples or Turtle
            if form == "CONSTRUCT":
                cap = self._silent_cap(response, text, params[1:])
            return ProtocolAnswer(media_type(response), response.content, cap)
        doc = results_json(response, form)
        return ProtocolAnswer("application/sparql-results+json", dumps(doc), cap)

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        """Run a query at the query endpoint, asking for SPARQL JSON results (SELECT, ASK) or
        N-Triples (CONSTRUCT, DESCRIBE); by default the union of all graphs is the default
        graph. StoreError when the store is unreachable, answers with an error or in a type
        not read here; StoreTruncated when it cut the answer at its row cap."""
        response, form = self._ask_store(sparql, union_default_graph)
        cap = row_cap(response)
        if cap is not None:
            raise self._truncated(cap)
        return read_answer(response, form)

    def get_graph(self, graph: str) -> Graph:
        """The triples of one named graph: one CONSTRUCT, or pages of a SELECT when the store
        cut the CONSTRUCT at its row cap (Virtuoso does so without a word: the triples are
        counted first, and the pages must give them all)."""
        return self._whole(f"GRAPH <{graph}> {{ ?s ?p ?o }}", f"<{graph}>", self.count(graph))

    def get_default_graph(self) -> Graph:
        """The triples of the store's default graph, counted and read as :meth:`get_graph`
        reads a named one (on a store whose default graph is the union, the union)."""
        counted = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            union=False,
        )
        return self._whole("?s ?p ?o", "the default graph", int(str(counted.rows[0]["n"])))

    def _whole(self, pattern: str, name: str, expected: int) -> Graph:
        try:
            result = self.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}", union_default_graph=False
            )
            assert isinstance(result, GraphResult)
            if len(result.graph) >= expected:
                return result.graph
        except StoreTruncated:
            pass
        return self._read_pages(pattern, name, expected)

    def _read_pages(self, pattern: str, name: str, expected: int) -> Graph:
        out = Graph()
        offset, page = 0, min(PAGE_ROWS, self.row_cap or PAGE_ROWS)
        while offset < expected:
            response, _ = self._ask_store(
                # not ordered: Virtuoso sorts no more than its row cap (OFFSET included); the
                # pages of an unchanged graph come in one order, and are counted below
                f"SELECT DISTINCT ?s ?p ?o WHERE {{ {pattern} }} LIMIT {page} OFFSET {offset}",
                union=False,
            )
            cap = row_cap(response)
            if cap is not None and cap < page:
                self.row_cap, page = cap, cap  # the store allows fewer: ask again in smaller pages
                continue
            rows = results_json(response, "SELECT")["results"]["bindings"]
            if not rows:
                break
            for row in rows:
                out.add((to_term(row["s"]), to_term(row["p"]), to_term(row["o"])))
            offset += len(rows)
        if len(out) < expected:
            raise StoreError(
                f"the SPARQL store gave {len(out)} of the {expected} triples of {name} (it "
                "cuts answers at its row limit, and its pages overlapped or the graph changed); "
                "raise the limit (Virtuoso: ResultSetMaxRows in virtuoso.ini) or try again"
            )
        return out

    def update(
        self, sparql: str, *, touches: Collection[str] | None = None, default: bool = False
    ) -> None:
        """Send a SPARQL Update to the update endpoint (``touches`` and ``default`` are not
        needed: the store keeps no copies here): one request, one transaction, unless it
        writes more than a few thousand triples (then several, in order: see
        :func:`~.portable_update.portable_requests`). StoreError when there is no update URL,
        the store is unreachable or it refuses the update."""
        if not self.update_url:
            raise StoreError("this store is read-only: set BPFGRAPH_SPARQL_UPDATE_URL to write")
        self._written()
        # blank nodes and large blocks in INSERT DATA, and large requests, are refused by
        # Virtuoso: written so that it takes them (a large write goes as several requests)
        for request in portable_requests(sparql):
            post_update(self._conn, self.update_url, request)
        self._written()

    def load_data(self, data: bytes, fmt: str, graph: str, replace: bool = True) -> None:
        """Parse ``data`` here and write its triples to ``graph``, replacing (by default) or
        adding to its content: one PUT or POST of the graph store protocol when configured,
        else one update request. StoreError when the store is unreachable or refuses it."""
        parsed = rdfio.as_graph(rdfio.parse_data(data, fmt))
        nt = parsed.serialize(format="nt", encoding="utf-8")
        if self.graph_store_url:
            self._written()
            response = self._conn.send(
                "PUT" if replace else "POST",
                self.graph_store_url,
                "graph store",
                params={"graph": graph},
                content=nt,
                headers={"Content-Type": "application/n-triples"},
            )
            self._written()
            check_status(self._conn, response, self.graph_store_url, "graph store")
            return
        drop = f"DROP SILENT GRAPH <{graph}> ;\n" if replace else ""
        self.update(f"{drop}INSERT DATA {{ GRAPH <{graph}> {{\n{nt.decode('utf-8')}\n}} }}")

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        """Add a file's triples to ``graph`` (read and parsed here, see :meth:`load_data`)."""
        rdf_format = rdfio.format_for(path, fmt)
        self.load_data(path.read_bytes(), rdf_format, graph, replace=False)

    def put_graph(self, graph: str, data: Graph) -> None:
        """Replace ``graph`` by the triples of ``data`` (one request)."""
        self.load_data(rdfio.as_graph(data).serialize(format="nt", encoding="utf-8"), "nt", graph)

    def put_graphs(self, graphs: dict[str, Graph]) -> None:
        """Replace several graphs, an empty one removed: in one update request (one
        transaction) at the update endpoint, or graph by graph through the graph store
        protocol when it is configured."""
        if self.graph_store_url:  # one request per graph through the graph store protocol
            super().put_graphs(graphs)
            return
        self.update(replace_graphs_update(graphs))  # one update request: one transaction

    def delete_graph(self, graph: str) -> bool:
        """Drop ``graph`` if it holds triples; whether it did."""
        existed = self._holds(graph)
        if existed:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        return existed

    def _holds(self, graph: str) -> bool:
        result = self.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", union_default_graph=False)
        return bool(getattr(result, "value", False))

    def graphs(self) -> list[str]:
        """IRIs of the named graphs holding at least one triple, sorted (one query; on a
        store that keeps graphs of its own, such as Virtuoso's system graphs, those too)."""
        return self._graph_list()

    def count(self, graph: str | None = None) -> int:
        """Number of triples in ``graph``, or of quads in all named graphs (the store's default
        graph is not counted)."""
        if graph is None:
            sparql = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        n = self._select(sparql, union=False).rows[0]["n"]
        assert isinstance(n, Literal)  # a COUNT
        return int(n)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._conn.close()
