"""A remote store's answer written for the client: the store is asked for SPARQL JSON results
or N-Triples (what every engine writes alike, see :mod:`bpfgraph.store.remote_http`), and the
service writes the format the client negotiated from them — the same serialisers as the
embedded store's, so that an answer looks the same whichever engine holds the data — with the
service's row cap, and the store's own cap reported as truncation."""

from __future__ import annotations

import json

import pyoxigraph as ox

from ..store.results import ProtocolAnswer
from .evaluation import (
    Answer,
    ProtocolError,
    serialise_boolean,
    serialise_solutions,
    serialise_triples,
)

_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
}


def client_answer(raw: ProtocolAnswer, media: str, max_rows: int) -> Answer:
    """``raw`` written in ``media``, cut at ``max_rows``; truncated (with the cap it was cut
    at) when the service or the store cut it. 502 when the store's answer cannot be read."""
    try:
        return _written(raw, media, max_rows)
    except (SyntaxError, ValueError) as exc:
        raise ProtocolError(
            502, f"the SPARQL store's answer ({raw.media_type}) cannot be read: {exc}"
        ) from None


def _written(raw: ProtocolAnswer, media: str, max_rows: int) -> Answer:
    rows: list = []
    truncated = False
    if raw.media_type in _GRAPH_FORMATS:
        for triple in ox.parse(raw.body, _GRAPH_FORMATS[raw.media_type]):
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append(triple)
        body = serialise_triples(rows, media)
    else:
        doc = json.loads(raw.body)
        if "boolean" in doc:
            return Answer(media, serialise_boolean(bool(doc["boolean"]), media))
        results = ox.parse_query_results(raw.body, ox.QueryResultsFormat.JSON)
        assert isinstance(results, ox.QuerySolutions)  # not a boolean: solutions
        variables = [v.value for v in results.variables]
        for solution in results:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append([solution[v] for v in variables])
        body = serialise_solutions(variables, rows, media)
    if truncated:
        return Answer(media, body, True, max_rows)
    if raw.capped_at is not None:
        return Answer(media, body, True, raw.capped_at)
    return Answer(media, body)
