"""Downloads that portals harvest: ``/download/{name}.{ext}``, cached per store version, with
ETag / Last-Modified / 304, gzip when asked, and Content-Disposition."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from rdflib import Dataset

from .. import rdfio
from ..framework import INFERRED, PARTS, graph_iri
from ..store.base import Store
from ..summaries import mapping_graphs
from ..vocab import PREFIXES
from .cache import etag as etag_of
from .negotiation import RDF_FORMATS, choose
from .sparql import ProtocolError

NAMES = ("ontology", "alignments", "shapes", "framework", "mappings", "all")
EXT_MEDIA = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
}


def dataset_for(store: Store, name: str) -> Dataset:
    if name in PARTS:
        graphs = [str(graph_iri(name))]
    elif name == "mappings":
        graphs = mapping_graphs(store)
    else:
        graphs = (
            [str(graph_iri(p)) for p in PARTS] + [str(graph_iri(INFERRED))] + mapping_graphs(store)
        )
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    for iri in graphs:
        ds.graph(iri).__iadd__(store.get_graph(iri))
    return ds


def serialise(ds: Dataset, media: str) -> bytes:
    fmt = RDF_FORMATS[media][0]
    if fmt in ("trig", "nquads"):
        return rdfio.serialize(ds, fmt)
    from rdflib import Graph

    merged = Graph()
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns)
    for g in ds.graphs():
        merged += g
    if fmt == "json-ld":
        return rdfio.serialize(merged, "json-ld", context=dict(PREFIXES))
    if fmt == "xml":
        return rdfio.serialize(merged, "pretty-xml")
    return rdfio.serialize(merged, fmt)


def register(app: FastAPI, state: Callable) -> None:
    def answer(request: Request, name: str, media: str, ext: str) -> Response:
        st = state(request)
        key = ("download", name, media)

        def make() -> tuple[bytes, str, str]:
            body = serialise(dataset_for(st.store, name), media)
            return (body, media, etag_of(body))

        body, media, etag = st.cache.compute(key, make)
        from .app import http_date

        headers = {
            "ETag": etag,
            "Last-Modified": http_date(st.modified),
            "Content-Disposition": f'attachment; filename="bpfgraph-{name}.{ext}"',
            "Cache-Control": "public, max-age=60",
            "Vary": "Accept",
        }
        inm = request.headers.get("if-none-match")
        if inm and etag in [t.strip() for t in inm.split(",")]:
            return Response(status_code=304, headers=headers)
        ims = request.headers.get("if-modified-since")
        if ims and not inm and ims == headers["Last-Modified"]:
            return Response(status_code=304, headers=headers)
        if request.method == "HEAD":
            return Response(
                status_code=200,
                headers={**headers, "Content-Type": media, "Content-Length": str(len(body))},
            )
        return Response(body, media_type=media, headers=headers)

    @app.api_route("/download/{filename}", methods=["GET", "HEAD"], tags=["downloads"])
    def download(filename: str, request: Request) -> Response:
        name, dot, ext = filename.partition(".")
        if name not in NAMES:
            raise ProtocolError(404, f"no download {filename!r}; names: {', '.join(NAMES)}")
        if dot:
            if ext not in EXT_MEDIA:
                raise ProtocolError(
                    404, f"no format .{ext}; formats: {', '.join('.' + e for e in EXT_MEDIA)}"
                )
            media = EXT_MEDIA[ext]
        else:
            media = choose(request.headers.get("accept"), list(EXT_MEDIA.values()))
            if media is None:
                raise ProtocolError(406, f"offered: {', '.join(EXT_MEDIA.values())}")
            ext = RDF_FORMATS[media][1]
        return answer(request, name, media, ext)

    def _catalog_page(request: Request) -> Response:
        from .catalog import DATASETS
        from .pages import render

        sets = [
            {
                "name": name,
                "title": title,
                "description": description,
                "links": [(ext, f"/download/{name}.{ext}") for ext in EXT_MEDIA],
            }
            for name, (title, description, _s) in DATASETS.items()
        ]
        return render("catalog.html", title="Catalog", datasets=sets)

    @app.get("/catalog", tags=["metadata"])
    def catalog(request: Request) -> Response:
        from .catalog import build_catalog

        return _meta(request, "catalog", build_catalog)

    @app.get("/void", tags=["metadata"])
    def void(request: Request) -> Response:
        from .catalog import build_void

        return _meta(request, "void", build_void)

    @app.get("/provenance", tags=["metadata"])
    def provenance(request: Request) -> Response:
        from .catalog import build_provenance

        return _meta(request, "provenance", build_provenance)

    def _meta(request: Request, name: str, build: Callable) -> Response:
        st = state(request)
        if (
            name == "catalog"
            and choose(request.headers.get("accept"), ["text/turtle", "text/html"]) == "text/html"
            and "text/html" in (request.headers.get("accept") or "")
        ):
            return _catalog_page(request)
        offered = [m for m in EXT_MEDIA.values() if m != "application/trig"]
        media = choose(request.headers.get("accept"), offered)
        if media is None:
            raise ProtocolError(406, f"offered: {', '.join(offered)}")
        base = str(request.base_url)
        key = ("meta", name, media, base)

        def make() -> tuple[bytes, str, str]:
            graph = build(st.store, base)
            fmt = RDF_FORMATS[media][0]
            if fmt == "json-ld":
                body = rdfio.serialize(graph, "json-ld", context=dict(PREFIXES))
            else:
                body = rdfio.serialize(graph, "pretty-xml" if fmt == "xml" else fmt)
            return (body, media, etag_of(body))

        body, media, etag = st.cache.compute(key, make)
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
        return Response(body, media_type=media, headers={"ETag": etag, "Vary": "Accept"})
