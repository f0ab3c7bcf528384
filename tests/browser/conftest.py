"""A real ``bpfgraph serve`` with the three example mappings, seen through Debian's Chromium.

The browser is Debian's ``chromium`` package (``/usr/bin/chromium``, or ``BPFGRAPH_CHROMIUM``)
driven by Playwright's Python client; Playwright's own browser builds are never downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    WebError,
    sync_playwright,
)

from ..conftest import ROOT
from ..servers import BpfgraphServer

EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.ttl"))
CHROMIUM = Path(os.environ.get("BPFGRAPH_CHROMIUM", "/usr/bin/chromium"))
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("served-browser"))
    try:
        srv.store_examples()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) "
            "or point BPFGRAPH_CHROMIUM at a Chromium binary"
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """Everything one browser context did: every request, and every sign of a broken page."""

    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, url)
    problems: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("weberror", self._weberror)
        context.on("response", self._response)
        context.on("requestfailed", self._failed)

    def _request(self, request: Request) -> None:
        self.requests.append((request.method, request.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(
                f"console error on {message.page and message.page.url}: {message.text}"
            )

    def _weberror(self, error: WebError) -> None:
        self.problems.append(
            f"uncaught exception on {error.page and error.page.url}: {error.error}"
        )

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def _failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":  # left behind by navigating away: no fault
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def assert_clean(self) -> None:
        assert self.problems == []


@pytest.fixture
def watch() -> Watch:
    return Watch()


def _context(browser: Browser, server: BpfgraphServer, watch: Watch, **options: object):
    context = browser.new_context(
        base_url=server.base, viewport={"width": 1280, "height": 800}, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    watch.attach(context)
    return context


@pytest.fixture
def context(browser: Browser, server: BpfgraphServer, watch: Watch) -> Iterator[BrowserContext]:
    context = _context(browser, server, watch)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def page_without_js(browser: Browser, server: BpfgraphServer, watch: Watch) -> Iterator[Page]:
    context = _context(browser, server, watch, java_script_enabled=False)
    yield context.new_page()
    context.close()
