"""The service's routes, one ``APIRouter`` per resource; :func:`bpfgraph.web.app.create_app`
includes them in this order (:data:`ROUTERS`).

- :mod:`.health` — ``/health``, ``/docs``
- :mod:`.queries` — ``/queries``, ``/queries/{name}``
- :mod:`.sparql` — ``GET`` / ``POST /sparql`` (queries, updates, the service description)
- :mod:`.graph_store` — ``/graphs`` (Graph Store Protocol)
- :mod:`.validation` — ``POST /validate``
- :mod:`.downloads` — ``/download/{name}.{ext}``
- :mod:`.catalog` — ``/catalog``, ``/void``, ``/provenance``
- :mod:`.pages` — HTML pages and linked data (``/``, ``/graph``, ``/def``, ``/id/…``, cities)
"""

from __future__ import annotations

from . import catalog, downloads, graph_store, health, pages, queries, sparql, validation

ROUTERS = [
    health.router,
    queries.router,
    sparql.router,
    graph_store.router,
    validation.router,
    downloads.router,
    catalog.router,
    pages.router,
]
