"""A query worker process: evaluates SPARQL on its own in-memory copy of the store, so that the
service can stop a query at its deadline by killing the process (pyoxigraph has no
cancellation: a query only yields between solutions, and an aggregate, ORDER BY or a FILTER
that never matches may yield nothing for minutes).

Started by :class:`bpfgraph.web.executor.QueryPool` as ``python -m bpfgraph.web.query_worker``;
it reads framed messages on stdin and answers on stdout (a 4-byte length, then a pickle):

- ``("sync", full_path | None, empty_graphs, contents, graphs, default)``: replace the named
  ``graphs`` (and the default graph if ``default``) by the N-Triples given for each in
  ``contents`` (graph, N-Triples; None: the default graph), or load the whole
  store from the N-Quads file ``full_path`` (blank node labels kept, so answers are the same
  bytes the serving process would give);
- ``("query", text, kwargs, media, max_rows)``: the serialised answer;
- ``("update", text, base_iri, candidates)``: apply the update to this copy and answer what it
  changed, graph by graph (the service validates that and writes it to the real store; this
  copy is then brought back in line by the next ``sync``).

Evaluation runs on a thread whose stack holds what the query bounds allow
(:data:`bpfgraph.sparql_bounds.RECOMMENDED_STACK_BYTES`); a crash of the engine ends this
process only, and the service answers the request and starts another worker.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import re
import signal
import socket
import struct
import sys
import threading
from typing import IO, Any

import pyoxigraph as ox

from ..sparql_bounds import RECOMMENDED_STACK_BYTES
from ..sparql_text import STRING_IRI_COMMENT
from .evaluation import evaluate_native

HEADER = struct.Struct("<I")
CITY_MAPPING = ox.NamedNode("https://w3id.org/bpfgraph/def#CityMapping")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def read_frame(stream: IO[bytes]) -> Any:
    """One message, or None at the end of the stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def write_frame(stream: IO[bytes], message: Any) -> None:
    """Write one message: its length, then its pickle."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def _graph_name(name: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name is None else ox.NamedNode(name)


def apply_sync(store: ox.Store, message: tuple) -> ox.Store:
    """Bring the copy in line: a full load, or the given graphs replaced."""
    _, full_path, empty, contents, graphs, default = message
    if full_path is not None:
        store = ox.Store()
        store.bulk_extend(ox.parse(path=full_path, format=ox.RdfFormat.N_QUADS))
        for graph in empty:
            store.add_graph(ox.NamedNode(graph))
        return store
    for graph in graphs:
        node = ox.NamedNode(graph)
        if store.contains_named_graph(node):
            store.remove_graph(node)
    if default:
        store.clear_graph(ox.DefaultGraph())
    for graph, body in contents:  # each graph's N-Triples, blank node labels kept
        name = _graph_name(graph)
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, name)
            for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        )
    for graph in empty:
        store.add_graph(ox.NamedNode(graph))
    return store


def fingerprint(store: ox.Store, name: ox.NamedNode | ox.DefaultGraph) -> tuple[bool, int, int]:
    """Whether the graph exists, its size and an order-free hash of its quads."""
    exists = isinstance(name, ox.DefaultGraph) or store.contains_named_graph(name)
    count = 0
    total = 0
    for quad in store.quads_for_pattern(None, None, None, name):
        count += 1
        total = (total + hash(str(quad))) & 0xFFFFFFFFFFFFFFFF
    return exists, count, total


#: ``DROP ALL``, ``CLEAR NAMED`` …, outside strings, IRIs and comments
_ALL_OR_NAMED = re.compile(r"\b(DROP|CLEAR)\s+(?:SILENT\s+)?(ALL|NAMED)\b", re.IGNORECASE)


def spare_reserved(store: ox.Store, text: str, reserved: tuple[str, str] | None) -> str:
    """``DROP``/``CLEAR`` ``ALL``/``NAMED`` spelled out as the user graphs they mean: the
    graphs under ``reserved[0]`` (except those under ``reserved[1]``) are never reached.

    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("x:a"), ox.NamedNode("x:b"), ox.NamedNode("x:c"), ox.NamedNode("x:g")))
    >>> s.add(ox.Quad(ox.NamedNode("x:a"), ox.NamedNode("x:b"), ox.NamedNode("x:c"), ox.NamedNode("f:g")))
    >>> spare_reserved(s, "DROP ALL ; INSERT DATA { <x:a> <x:b> 'DROP ALL' }", ("f:", "f:m/"))
    "DROP SILENT DEFAULT ; DROP SILENT GRAPH <x:g> ; INSERT DATA { <x:a> <x:b> 'DROP ALL' }"
    """
    if reserved is None:
        return text
    code = STRING_IRI_COMMENT.sub(lambda m: " " * len(m.group()), text)
    found = list(_ALL_OR_NAMED.finditer(code))
    if not found:
        return text
    prefix, allowed = reserved
    users = sorted(
        g.value
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode)
        and (not g.value.startswith(prefix) or g.value.startswith(allowed))
    )
    out, copied = [], 0
    for m in found:
        verb, scope = m.group(1).upper(), m.group(2).upper()
        operations = [f"{verb} SILENT DEFAULT"] if scope == "ALL" else []
        operations += [f"{verb} SILENT GRAPH <{g}>" for g in users]
        out.append(text[copied : m.start()])
        # an operation is needed even when there is no graph: CLEAR SILENT DEFAULT is harmless
        out.append(" ; ".join(operations) or "CLEAR SILENT DEFAULT")
        copied = m.end()
    out.append(text[copied:])
    return "".join(out)


_COPY_OR_ADD = re.compile(
    r"\b(?:COPY|ADD)\s+(SILENT\s+)?(?:GRAPH\s+)?(<[^<>\s]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*)\s+TO\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*|):\s*<([^>]*)>", re.IGNORECASE)


def check_sources(store: ox.Store, text: str) -> None:
    """SPARQL 1.1 Update 3.2.3-3.2.5: ``COPY`` and ``ADD`` of a graph that does not exist
    fail unless ``SILENT`` (Oxigraph lets them pass); raises as Oxigraph does for ``MOVE``.

    >>> check_sources(ox.Store(), "COPY <x:nothing> TO <x:g>")
    Traceback (most recent call last):
    RuntimeError: The graph <x:nothing> does not exist
    >>> check_sources(ox.Store(), "COPY SILENT <x:nothing> TO <x:g>")
    """
    code = STRING_IRI_COMMENT.sub(
        lambda m: m.group() if m.group().startswith("<") else " " * len(m.group()), text
    )
    prefixes = None
    for m in _COPY_OR_ADD.finditer(code):
        if m.group(1):
            continue
        name = m.group(2)
        if name.startswith("<"):
            iri = name[1:-1]
        else:
            if prefixes is None:
                prefixes = {p.group(1): p.group(2) for p in _PREFIX.finditer(code)}
            prefix, _, local = name.partition(":")
            if prefix not in prefixes:
                continue  # the engine reports it
            iri = prefixes[prefix] + local
        if name.upper() == "DEFAULT" or ":" not in iri:
            continue
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            continue
        if not store.contains_named_graph(node):
            raise RuntimeError(f"The graph {node} does not exist")


def dry_update(
    store: ox.Store,
    text: str,
    base_iri: str | None,
    candidates: list[str] | None,
    reserved: tuple[str, str] | None = None,
    max_bytes: int = 0,
) -> dict:
    """Apply an update to this copy and return what changed: ``{"graphs": {name: (exists,
    N-Triples)}, "mappings": [changed graphs holding a bpf:CityMapping]}`` (name None: the
    default graph). ``candidates``: the graphs the update can touch (None: any);
    ``reserved``: see :func:`spare_reserved`."""
    text = spare_reserved(store, text, reserved)
    check_sources(store, text)
    names: list[ox.NamedNode | ox.DefaultGraph]
    if candidates is None:
        names = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    else:
        names = [ox.NamedNode(g) for g in candidates]
        if reserved is not None:  # whatever the text seemed to name, the framework is looked at
            names += [
                g
                for g in store.named_graphs()
                if isinstance(g, ox.NamedNode)
                and g.value.startswith(reserved[0])
                and not g.value.startswith(reserved[1])
                and g.value not in candidates
            ]
    names.append(ox.DefaultGraph())
    before = {name: fingerprint(store, name) for name in names}
    size, graphs = len(store), sum(1 for _ in store.named_graphs())
    store.update(text, base_iri=base_iri)
    if candidates is not None:
        # every change must be in the graphs looked at: the store's size and its number of
        # graphs moved by exactly theirs, or the text named a graph in a way not read
        looked = {name: fingerprint(store, name) for name in before}
        moved = sum(after[1] - before[name][1] for name, after in looked.items())
        created = sum(int(after[0]) - int(before[name][0]) for name, after in looked.items())
        if len(store) - size != moved or sum(1 for _ in store.named_graphs()) - graphs != created:
            raise UpdateError(
                400,
                "the update changes graphs it does not name plainly; write each graph's IRI "
                "in full (no escapes) or use GRAPH ?g; nothing was changed",
            )
    if candidates is None:  # graphs the update created
        for graph in store.named_graphs():
            if isinstance(graph, ox.NamedNode) and graph not in before:
                before[graph] = (False, 0, 0)
    changed: dict[str | None, tuple[bool, bytes]] = {}
    mappings: list[str | None] = []
    written = 0
    for name, print_before in before.items():
        if fingerprint(store, name) == print_before:
            continue
        key = None if isinstance(name, ox.DefaultGraph) else name.value
        exists = isinstance(name, ox.DefaultGraph) or store.contains_named_graph(name)
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, name)
        ]
        if any(
            isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple) for t in triples
        ):
            raise UpdateError(
                400,
                "the update writes an RDF-star triple term, which this store does not keep; "
                "nothing was changed",
            )
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b"") or b""
        written += len(body)
        if max_bytes and written > max_bytes:
            raise UpdateError(
                413,
                f"the update would write more than {max_bytes:,} bytes of triples (the body "
                "limit, BPFGRAPH_MAX_BODY_BYTES); write less at once; nothing was changed",
            )
        changed[key] = (exists, body)
        if next(store.quads_for_pattern(None, RDF_TYPE, CITY_MAPPING, name), None) is not None:
            mappings.append(key)
    return {"graphs": changed, "mappings": mappings}


class UpdateError(Exception):
    """An update refused by its trial run: HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        """The status to answer and the message."""
        super().__init__(message)
        self.status = status
        self.message = message


def _error(exc: BaseException, kind: str) -> tuple:
    if isinstance(exc, UpdateError):
        return ("error", exc.status, exc.message)
    if isinstance(exc, SyntaxError):
        return ("error", 400, f"invalid SPARQL {kind}: {exc}")
    message = str(exc)
    if "does not exist" in message:
        return ("error", 404, f"the {kind} could not be applied: {message} (add SILENT to ignore)")
    if "already exists" in message:
        return ("error", 400, f"the {kind} could not be applied: {message} (add SILENT to ignore)")
    if isinstance(exc, (ValueError, TypeError, OSError, RuntimeError)):
        return (
            "error",
            400,
            f"the {kind} could not be {'evaluated' if kind == 'query' else 'applied'}: {message}",
        )
    # anything else (MemoryError, RecursionError …): what the text asked was too much for the
    # engine; the detail goes to the service's log, the client gets plain words
    print(f"bpfgraph query worker: {type(exc).__name__}: {message}", file=sys.stderr)
    verb = "evaluated" if kind == "query" else "applied"
    return ("error", 400, f"the {kind} could not be {verb}: it asks more than the engine can do")


def die_with_parent(parent: int) -> None:
    """Be killed when the process that started this one ends (Linux), even mid-query: a
    service killed with -9 leaves no worker running on (elsewhere: workers end when they read
    the end of their socket, after the query at hand)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(0)


def _fork(source: IO[bytes], sink: IO[bytes]) -> bool:
    """Fork a new worker holding this copy of the store; True in the new worker, whose
    ``source`` and ``sink`` then read and write a new socket, whose other end this process
    (the zygote) passes to the service with the answer ``("ok", pid)``."""
    ours, theirs = socket.socketpair()
    zygote = os.getpid()
    pid = os.fork()
    if pid == 0:  # the new worker: its own socket on stdin and stdout, nothing of the zygote's
        die_with_parent(zygote)
        ours.close()
        os.dup2(theirs.fileno(), source.fileno())
        os.dup2(theirs.fileno(), sink.fileno())
        theirs.close()
        return True
    theirs.close()
    sink.flush()
    body = pickle.dumps(("ok", pid), protocol=pickle.HIGHEST_PROTOCOL)
    channel = socket.socket(fileno=os.dup(sink.fileno()))
    try:
        socket.send_fds(channel, [HEADER.pack(len(body)) + body], [ours.fileno()])
    finally:
        channel.close()  # the duplicate: stdout stays open
        ours.close()
    return False


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """Answer messages until the end of ``source``."""
    store = ox.Store()
    forked = False
    while True:
        message = read_frame(source)
        if message is None:
            if forked:  # a forked worker's only thread: end the process itself
                os._exit(0)
            return
        kind = message[0]
        try:
            if kind == "sync":
                store = apply_sync(store, message)
                reply: tuple = ("ok", None)
            elif kind == "query":
                _, text, kwargs, media, max_rows = message
                reply = ("ok", evaluate_native(store, text, kwargs, media, max_rows))
            elif kind == "fork":
                # the new worker goes on reading its own socket; the zygote has answered
                forked = _fork(source, sink) or forked
                continue
            elif kind == "update":
                _, text, base_iri, candidates, reserved, max_bytes = message
                reply = ("ok", dry_update(store, text, base_iri, candidates, reserved, max_bytes))
            else:
                reply = ("error", 500, f"unknown message {kind!r}")
        except Exception as exc:
            reply = _error(exc, "update" if kind == "update" else "query")
        write_frame(sink, reply)


def main() -> None:  # pragma: no cover - a process of its own
    """The worker process: answer messages on stdin/stdout on a thread with a deep stack."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the message stream
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked workers are reaped as they end
    die_with_parent(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    threading.stack_size(RECOMMENDED_STACK_BYTES)
    thread = threading.Thread(target=serve, args=(source, sink), name="bpfgraph-evaluate")
    thread.start()
    thread.join()


if __name__ == "__main__":  # pragma: no cover
    main()
