"""API fuzzing with schemathesis against the OpenAPI schema of a real server: no 5xx, no
traceback. The number of examples is bounded (BPFGRAPH_FUZZ_EXAMPLES, default 20 per
operation). Driven through hypothesis directly (schemathesis' pytest plugin does not support
this pytest)."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings

from ..servers import BpfgraphServer

EXAMPLES = int(os.environ.get("BPFGRAPH_FUZZ_EXAMPLES", "20"))


def test_no_server_errors(tmp_path) -> None:
    srv = BpfgraphServer(tmp_path, env={"BPFGRAPH_QUERY_TIMEOUT": "3"})
    try:
        schema = schemathesis.openapi.from_url(srv.url("/openapi.json"))
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 15
        seen = []
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case) -> None:  # type: ignore[no-untyped-def]
                try:
                    response = case.call(base_url=srv.base, headers=srv.auth, timeout=30)
                except Exception as exc:  # a hang or a dropped connection is a failure too
                    raise AssertionError(
                        (case.method, case.formatted_path, case.query, repr(exc)[:200])
                    ) from None
                seen.append(response.status_code)
                assert response.status_code < 500, (
                    case.method,
                    case.formatted_path,
                    response.status_code,
                    response.text[:300],
                )
                assert "Traceback" not in response.text

            run()
        assert len(seen) >= len(operations)
    finally:
        srv.stop()
