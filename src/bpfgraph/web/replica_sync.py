"""ASGI: in a worker of ``serve --workers N``, bring the replica up to date before each request.

Another worker may have written through the writer process since this one last looked; the
replica applies that first, so that a read sees every write already answered. When it cannot
(the writer is gone, or the catch-up failed), the request gets a 503 saying why — nothing stale
— and the next request tries again.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ..store.base import Store, StoreError
from .errors import error_response

log = logging.getLogger("bpfgraph.web")


class ReplicaSync:
    """ASGI: ``replica`` caught up with its writer before ``app`` sees a request."""

    def __init__(self, app: ASGIApp, replica: Store) -> None:
        """In front of ``app``, keeping ``replica`` up to date."""
        self.app = app
        self.replica = replica

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Catch up if behind, then pass the request on (503 when catching up failed)."""
        if scope["type"] == "http" and self.replica.behind():
            try:
                await run_in_threadpool(self.replica.catch_up)
            # answer nothing stale: say why (tried again at the next request)
            except StoreError as exc:  # the writer process is gone, or similar
                await error_response(503, str(exc))(scope, receive, send)
                return
            except Exception as exc:
                log.exception("the replica could not catch up with the writer")
                message = f"this worker could not catch up with the store's writer: {exc}"
                await error_response(503, message)(scope, receive, send)
                return
        await self.app(scope, receive, send)
