"""The remote store against a real Virtuoso 7 (Debian's package, stock settings): credentials
(Digest and Basic, from the settings or from the URL) used, refused ones said as such and never
printed; its row cap never taken for a whole answer (a graph larger than the cap read in
pages); what differs in its answers (blank node labels, booleans, whole decimals) smoothed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from bpfgraph.settings import Settings
from bpfgraph.store import GraphResult, SelectResult, StoreError
from bpfgraph.store.engines import open_store
from bpfgraph.store.remote import RemoteStore
from bpfgraph.store.remote_http import StoreAuthError, StoreTruncated

from .conftest import ROOT
from .servers import VIRTUOSO_USER, VirtuosoServer

USER, PASSWORD = VIRTUOSO_USER
QUOTED = PASSWORD.replace("%", "%25").replace(":", "%3A").replace("@", "%40")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def with_userinfo(url: str, user: str, password: str) -> str:
    return url.replace("http://", f"http://{user}:{password}@")


#: (endpoint, scheme, credentials from: settings or URL)
ACCEPTED = [
    ("auth_url", "digest", "settings"),
    ("auth_url", "digest", "url"),
    ("basic_url", "basic", "settings"),
    ("basic_url", "basic", "url"),
]


@pytest.mark.parametrize(("endpoint", "scheme", "source"), ACCEPTED)
def test_credentials_are_used(
    virtuoso: VirtuosoServer, endpoint: str, scheme: str, source: str
) -> None:
    url = getattr(virtuoso, endpoint)
    settings = {"store": "sparql", "sparql_query_url": virtuoso.query_url, "sparql_auth": scheme}
    if source == "settings":
        settings |= {"sparql_update_url": url, "sparql_user": USER, "sparql_password": PASSWORD}
    else:
        settings["sparql_update_url"] = with_userinfo(url, USER, QUOTED)
    store = open_store(Settings(**settings))
    assert isinstance(store, RemoteStore) and store.update_url == url  # taken out of the URL
    graph = f"urn:credentials:{scheme}:{source}"
    store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> '{scheme}' }} }}")
    assert store.count(graph) == 1
    assert store.delete_graph(graph) is True
    store.close()


#: (endpoint, scheme, user, password, what the error says)
REFUSED = [
    ("auth_url", "digest", USER, "wrong-password", "refused the credentials of user 'bpfgraph'"),
    ("basic_url", "basic", USER, "wrong-password", "refused the credentials of user 'bpfgraph'"),
    ("auth_url", "basic", USER, PASSWORD, "it asks for Digest: set BPFGRAPH_SPARQL_AUTH=digest"),
    ("auth_url", "digest", None, None, "asks for credentials (HTTP 401, Digest): set"),
    ("basic_url", "basic", None, None, "asks for credentials (HTTP 401, Basic): set"),
]


@pytest.mark.parametrize(("endpoint", "scheme", "user", "password", "said"), REFUSED)
@pytest.mark.parametrize("source", ["settings", "url"])
def test_refused_credentials_are_said_as_such_and_never_shown(
    virtuoso: VirtuosoServer,
    endpoint: str,
    scheme: str,
    user: str | None,
    password: str | None,
    said: str,
    source: str,
) -> None:
    url = getattr(virtuoso, endpoint)
    if source == "url" and user is not None:
        store = RemoteStore(
            virtuoso.query_url, with_userinfo(url, user, password or ""), auth=scheme
        )
    else:
        store = RemoteStore(virtuoso.query_url, url, user=user, password=password, auth=scheme)
    with pytest.raises(StoreAuthError) as info:
        store.update("INSERT DATA { GRAPH <urn:refused> { <urn:a> <urn:b> <urn:c> } }")
    message = str(info.value)
    assert said in message and url in message
    assert "refused the update" not in message
    for secret in (PASSWORD, "wrong-password"):
        assert secret not in message
    store.close()


@pytest.mark.parametrize("secret", [PASSWORD, "p:w@rd"])
def test_an_unreachable_store_is_named_without_its_credentials(secret: str) -> None:
    quoted = secret.replace("%", "%25").replace(":", "%3A").replace("@", "%40")
    store = RemoteStore(f"http://{USER}:{quoted}@127.0.0.1:9/sparql")
    with pytest.raises(StoreError) as info:
        store.query("ASK {}")
    message = str(info.value)
    assert "cannot reach the SPARQL store at http://127.0.0.1:9/sparql" in message
    assert secret not in message and quoted not in message


#: store URLs that are no http(s) URL (the attack's finding: the first printed its password,
#: the others an internal error): one clear line, no secret, no traceback, exit 2
BAD_URLS = [
    "bpfgraph:SuperSecret10@127.0.0.1:35943/sparql",
    "http://u:SuperSecret10@127.0.0.1:abc/sparql",
    "http://u:SuperSecret10@[::1/sparql",
    "ftp://u:SuperSecret10@127.0.0.1/sparql",
    "http:///sparql",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_url_that_is_no_http_url_is_said_so_without_its_secret(url: str, tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(sys.path),
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": url,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bpfgraph.cli", "query", "processes-by-type"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "must be an http:// or https:// URL" in output
    assert "SuperSecret10" not in output and "internal error" not in output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1


def test_the_cli_says_the_credentials_were_refused(
    virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(sys.path),
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": virtuoso.query_url,
        "BPFGRAPH_SPARQL_UPDATE_URL": with_userinfo(virtuoso.auth_url, USER, "not-it"),
        "BPFGRAPH_SPARQL_AUTH": "digest",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bpfgraph.cli", "load", str(ROOT / "data/examples/valdoria.ttl")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "refused the credentials of user 'bpfgraph'" in output
    assert "not-it" not in output and "refused:" not in output


def test_the_row_cap_is_never_a_short_answer(virtuoso: VirtuosoServer) -> None:
    store = RemoteStore(virtuoso.query_url, virtuoso.update_url, union_default_graph=True)
    big = Graph()
    for i in range(12_500):
        big.add((URIRef(f"urn:big:{i}"), URIRef("urn:big:p"), Literal(i)))
    for i in range(50):  # blank nodes across pages keep their identity
        node = BNode()
        big.add((node, URIRef("urn:big:q"), Literal(f"b{i}")))
        big.add((URIRef(f"urn:big:{i}"), URIRef("urn:big:r"), node))
    store.put_graph("urn:big", big)
    assert store.count("urn:big") == len(big) == 12_600
    with pytest.raises(StoreTruncated) as info:
        store.query("SELECT * WHERE { GRAPH <urn:big> { ?s ?p ?o } }")
    assert info.value.cap == 10_000 and "10000 rows" in str(info.value)
    # Virtuoso cuts a CONSTRUCT without a word: its solutions are counted, and it is refused
    with pytest.raises(StoreTruncated):
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <urn:big> { ?s ?p ?o } }")
    small = store.query(
        "CONSTRUCT { <urn:big:7> ?p ?o } WHERE { GRAPH <urn:big> { <urn:big:7> ?p ?o } }"
    )
    assert isinstance(small, GraphResult) and len(small.graph) == 2
    read = store.get_graph("urn:big")  # counted, then read in pages
    assert len(read) == len(big)
    assert len(set(read.subjects(URIRef("urn:big:q"), None))) == 50
    assert all(isinstance(n, BNode) for n in read.objects(None, URIRef("urn:big:r")))
    # Virtuoso's default graph is the union: read whole too, though past the cap
    default = store.get_default_graph()
    assert len(default) > len(big) and (URIRef("urn:big:12499"), None, None) in default
    assert store.delete_graph("urn:big") is True
    store.close()


def test_booleans_and_decimals_come_back_as_written(virtuoso: VirtuosoServer) -> None:
    store = RemoteStore(virtuoso.query_url, virtuoso.update_url)
    store.update(
        "INSERT DATA { GRAPH <urn:typed> { <urn:a> <urn:t> true ; <urn:f> false ; "
        '<urn:d> 65.8 ; <urn:s> "x" } }'
    )
    result = store.query(
        "SELECT ?t ?f ?d ?s (EXISTS { ?x <urn:t> ?y } AS ?e) WHERE { GRAPH <urn:typed> "
        "{ <urn:a> <urn:t> ?t ; <urn:f> ?f ; <urn:d> ?d ; <urn:s> ?s } }",
        union_default_graph=False,
    )
    assert isinstance(result, SelectResult)
    row = result.rows[0]
    assert row["t"] == Literal("true", datatype=XSD.boolean)
    assert row["f"] == Literal("false", datatype=XSD.boolean)
    assert row["d"] == Literal("65.8", datatype=XSD.decimal)
    assert row["s"] == Literal("x")
    read = store.get_graph("urn:typed")
    assert (URIRef("urn:a"), URIRef("urn:t"), Literal(True)) in read
    store.delete_graph("urn:typed")
    store.close()


def test_graph_store_protocol_with_digest(virtuoso: VirtuosoServer) -> None:
    """Virtuoso's authenticated Graph Store endpoint, as the README's recipe configures it."""
    store = RemoteStore(
        virtuoso.query_url,
        virtuoso.auth_url,
        f"{virtuoso.base}/sparql-graph-crud-auth",
        user=USER,
        password=PASSWORD,
        auth="digest",
    )
    data = Graph()
    node = BNode()
    data.add((URIRef("urn:gsp:a"), URIRef("urn:gsp:p"), node))
    data.add((node, URIRef("urn:gsp:q"), Literal("x", lang="en")))
    store.put_graph("urn:gsp", data)
    assert len(store.get_graph("urn:gsp")) == 2
    store.load_data(b'<urn:gsp:c> <urn:gsp:p> "y" .', "nt", "urn:gsp", replace=False)
    assert store.count("urn:gsp") == 3
    store.put_graph(
        "urn:gsp", Graph().parse(data="<urn:gsp:z> <urn:gsp:p> <urn:gsp:o> .", format="nt")
    )
    assert store.count("urn:gsp") == 1
    assert store.delete_graph("urn:gsp") is True
    wrong = RemoteStore(
        virtuoso.query_url,
        virtuoso.auth_url,
        f"{virtuoso.base}/sparql-graph-crud-auth",
        user=USER,
        password="nope",
        auth="digest",
    )
    with pytest.raises(StoreAuthError, match=r"graph store at .* refused the credentials"):
        wrong.put_graph("urn:gsp", data)
    store.close()
    wrong.close()


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["query", "process", "--param", "notation=G1"], "Leadership"),  # CONSTRUCT: Turtle
        (["query", "related-processes", "--param", "notation=G1", "--format", "csv"], ",true"),
    ],
)
def test_the_cli_queries_virtuoso(
    virtuoso: VirtuosoServer, tmp_path: Path, args: list[str], expect: str
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(sys.path),
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": virtuoso.query_url,
        "BPFGRAPH_SPARQL_UPDATE_URL": virtuoso.update_url,
        "BPFGRAPH_SPARQL_UNION_DEFAULT_GRAPH": "true",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bpfgraph.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert expect in proc.stdout
    if args[1] == "process":
        assert len(Graph().parse(data=proc.stdout, format="turtle")) > 20


@pytest.mark.parametrize(
    "url", ["http://u:SuperSecret10@127.0.0.1:9/sparql", "http://127.0.0.1:9/sparql"]
)
def test_serve_on_an_unreachable_store_says_one_line(url: str, tmp_path: Path) -> None:
    # the attack's finding: about 70 lines of traceback before the (clean) message
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(sys.path),
        "BPFGRAPH_STORE": "sparql",
        "BPFGRAPH_SPARQL_QUERY_URL": url,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bpfgraph.cli", "serve", "--port", "0", "--log-level", "warning"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 3, output
    assert (
        "bpfgraph serve: error: cannot reach the SPARQL store at http://127.0.0.1:9/sparql"
        in output
    )
    assert "Traceback" not in output and "SuperSecret10" not in output
