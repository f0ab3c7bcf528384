"""A remote SPARQL 1.1 store: Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune.

Queries go to the query endpoint (SPARQL 1.1 Protocol, POST form), writes to the update
endpoint (SPARQL 1.1 Update) or, when configured, the Graph Store Protocol endpoint (PUT
replaces a graph in one request). The union of all graphs as default graph is asked for the
standard way, one ``default-graph-uri`` per named graph, unless the store is configured so that
its default graph already is that union (``union_default_graph``, the setting
``BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH``): then queries go as they are. Naming every graph costs
a query listing them before each query, and the store evaluates each pattern graph by graph:
fine for a few hundred graphs, too slow for thousands of city mappings.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlencode

import httpx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import rdfio
from ..sparql_text import has_dataset_clause
from .base import Store, StoreError, StoreRefused, replace_graphs_update
from .results import AskResult, GraphResult, QueryResult, SelectResult

RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
FORM = "application/x-www-form-urlencoded"


def _term(cell: dict) -> Node:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    if "datatype" in cell and cell["datatype"] != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]))
    return Literal(cell["value"])


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP: queries to ``query_url``, writes to ``update_url`` or,
    when set, whole graphs to ``graph_store_url``. Without an update URL it is read-only."""

    engine = "sparql"

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        timeout: float = 60.0,
        union_default_graph: bool = False,
    ) -> None:
        """The store at these endpoints (nothing is asked of it yet); ``timeout`` in seconds
        per request. StoreError when ``query_url`` is empty."""
        if not query_url:
            raise StoreError("BPFGRAPH_SPARQL_QUERY_URL is required for the sparql store")
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        #: the store's own default graph is the union of its named graphs
        self.union_default_graph = union_default_graph
        self._http = httpx.Client(timeout=timeout)

    # -- protocol helpers --------------------------------------------------------------------

    def _post(self, url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
        """POST ``content`` to ``url``; StoreError when the store is unreachable or answers
        with an error status (its message: the first 300 characters of the answer)."""
        try:
            response = self._http.post(url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL store at {url}: {exc}") from None
        if response.status_code >= 400:
            raise StoreError(
                f"the SPARQL store at {url} answered {response.status_code}: "
                f"{response.text[:300].strip()}"
            )
        return response

    def _graph_list(self) -> list[str]:
        result = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", union=False)
        return sorted(str(r["g"]) for r in result.rows if isinstance(r.get("g"), URIRef))

    def _select(self, sparql: str, union: bool) -> SelectResult:
        result = self.query(sparql, union_default_graph=union)
        if not isinstance(result, SelectResult):
            raise StoreError("expected SELECT results from the store")
        return result

    def union_dataset(self) -> list[tuple[str, str]]:
        """The protocol parameters that give a query the union of all graphs as its default
        graph: every graph as default and as named, or nothing on a store whose default graph
        already is the union."""
        if self.union_default_graph:
            return []
        graphs = self._graph_list()
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

    # -- Store -------------------------------------------------------------------------------

    def query_protocol(
        self, text: str, media: str, default_graphs: list[str], named_graphs: list[str]
    ) -> tuple[str, bytes]:
        """The query passed on as it came (a protocol error of the store is answered as
        such: its 4xx as they are, its 5xx as 502); a query naming no dataset gets the union
        of the store's graphs as its default graph, as on the embedded store."""
        form = [("query", text)]
        form += [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        if not default_graphs and not named_graphs and not has_dataset_clause(text):
            form += self.union_dataset()
        try:
            response = self._http.post(
                self.query_url,
                content=urlencode(form).encode(),
                headers={"Accept": media, "Content-Type": FORM},
            )
        except Exception as exc:
            raise StoreError(f"cannot reach the SPARQL store: {exc}") from None
        if response.status_code >= 400:
            status = response.status_code if response.status_code < 500 else 502
            raise StoreRefused(status, response.text[:500])
        return response.headers.get("content-type", media).split(";")[0], response.content

    def query(self, sparql: str, *, union_default_graph: bool = True) -> QueryResult:
        """Run a query at the query endpoint, asking for SPARQL JSON results or N-Triples; by
        default the union of all graphs is the default graph. StoreError when the store is
        unreachable, answers with an error, or answers in a type not read here."""
        form: list[tuple[str, str]] = [("query", sparql)]
        # on a store whose default graph is the union, every query sees the union: bpfgraph's
        # own queries without it read named graphs only (GRAPH patterns), which it does not change
        if union_default_graph:
            form += self.union_dataset()
        response = self._post(
            self.query_url,
            content=urlencode(form).encode("utf-8"),
            headers={"Accept": RESULTS_ACCEPT, "Content-Type": FORM},
        )
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype in ("application/sparql-results+json", "application/json"):
            doc = response.json()
            if "boolean" in doc:
                return AskResult(bool(doc["boolean"]))
            variables = doc["head"].get("vars", [])
            rows = [
                {name: _term(cell) for name, cell in binding.items()}
                for binding in doc["results"]["bindings"]
            ]
            return SelectResult(variables, rows)
        fmt = {"application/n-triples": "nt", "text/turtle": "turtle"}.get(ctype)
        if fmt is None:
            raise StoreError(f"the SPARQL store answered with unsupported type {ctype!r}")
        return GraphResult(Graph().parse(data=response.content, format=fmt))

    def update(
        self, sparql: str, *, touches: Collection[str] | None = None, default: bool = False
    ) -> None:
        """Send a SPARQL Update to the update endpoint (``touches`` and ``default`` are not
        needed: the store keeps no copies here). StoreError when there is no update URL, the
        store is unreachable or it refuses the update."""
        if not self.update_url:
            raise StoreError("this store is read-only: set BPFGRAPH_SPARQL_UPDATE_URL to write")
        self._post(
            self.update_url,
            content=urlencode({"update": sparql}).encode("utf-8"),
            headers={"Content-Type": FORM},
        )

    def load_data(self, data: bytes, fmt: str, graph: str, replace: bool = True) -> None:
        """Parse ``data`` here and write its triples to ``graph``, replacing (by default) or
        adding to its content: one PUT or POST of the graph store protocol when configured,
        else one update request. StoreError when the store is unreachable or refuses it."""
        parsed = rdfio.as_graph(rdfio.parse_data(data, fmt))
        nt = parsed.serialize(format="nt", encoding="utf-8")
        if self.graph_store_url:
            method = "PUT" if replace else "POST"
            try:
                response = self._http.request(
                    method,
                    self.graph_store_url,
                    params={"graph": graph},
                    content=nt,
                    headers={"Content-Type": "application/n-triples"},
                )
            except httpx.HTTPError as exc:
                raise StoreError(
                    f"cannot reach the graph store at {self.graph_store_url}: {exc}"
                ) from None
            if response.status_code >= 400:
                raise StoreError(
                    f"the graph store answered {response.status_code}: {response.text[:300]}"
                )
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
        existed = graph in self._graph_list()
        if existed:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        return existed

    def graphs(self) -> list[str]:
        """IRIs of the named graphs holding at least one triple, sorted (one query)."""
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
        self._http.close()
