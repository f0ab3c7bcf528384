"""The upload page at ``/validate`` as a person uses it in Chromium: choose a mapping, read the
report in the page, download the Turtle, store it with the write token — with and without
JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from rdflib import Graph
from rdflib.compare import isomorphic

from ..conftest import ROOT
from ..servers import BpfgraphServer
from .conftest import EXAMPLES, Watch, _context
from .test_accessibility import axe_violations, described
from .test_pages import MAPPINGS

INVALID = ROOT / "tests" / "data" / "mappings" / "invalid"
BAD = [INVALID / "duplicate-step-numbers.ttl", INVALID / "missing-city.ttl"]


def choose_file(page: Page, path: object) -> None:
    """Put ``path`` in the page's file field, found by its label."""
    page.get_by_label(re.compile(r"^Mapping file")).set_input_files(str(path))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_valid_example_conforms_in_the_page(
    page: Page, page_without_js: Page, watch: Watch, example, js: bool
) -> None:
    tab = page if js else page_without_js
    tab.goto("/validate")
    expect(tab.locator("h1")).to_have_text("Validate a city mapping")
    choose_file(tab, example)
    tab.get_by_role("button", name="Validate", exact=True).click()
    expect(tab.locator("h1")).to_have_text("Validation report")
    expect(tab.locator("#verdict")).to_contain_text(f"{example.name} conforms")
    expect(tab.locator("#verdict")).not_to_contain_text("does not conform")
    watch.assert_clean()


@pytest.mark.parametrize("bad", BAD, ids=[p.stem for p in BAD])
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_an_invalid_mapping_shows_its_violations(
    page: Page, page_without_js: Page, bad, js: bool
) -> None:
    tab = page if js else page_without_js
    tab.goto("/validate")
    choose_file(tab, bad)
    tab.get_by_role("button", name="Validate", exact=True).click()
    expect(tab.locator("#verdict")).to_contain_text("does not conform")
    rows = tab.locator("main table tbody tr")
    assert rows.count() >= 1
    expect(rows.first.locator("td").first).to_have_text(re.compile("Violation"))


def test_an_unreadable_file_is_explained_in_a_page(page: Page, tmp_path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> .\n")
    page.goto("/validate")
    choose_file(page, broken)
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Validate", exact=True).click()
    response = nav.value
    assert response is not None and response.status == 400
    assert response.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_have_text("Cannot validate the file")
    expect(page.get_by_role("alert")).to_contain_text("broken.ttl")
    violations = axe_violations(page)
    assert violations == [], described(violations)


@pytest.mark.parametrize("via", ["button", "report link"])
def test_the_turtle_downloads(page: Page, tmp_path, via: str) -> None:
    example = EXAMPLES[0]
    page.goto("/validate")
    choose_file(page, example)
    if via == "report link":
        page.get_by_role("button", name="Validate", exact=True).click()
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile("Download the mapping as Turtle")).click()
    else:
        with page.expect_download() as info:
            page.get_by_role("button", name="Download as Turtle").click()
    download = info.value
    assert download.suggested_filename == f"{example.stem}.ttl"
    saved = tmp_path / "got.ttl"
    download.save_as(saved)
    assert isomorphic(Graph().parse(saved, format="turtle"), Graph().parse(example))


# -- storing: a server of its own, so the shared one keeps its three mappings ---------------


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("served-upload"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def store_page(
    request: pytest.FixtureRequest, browser: Browser, empty_server: BpfgraphServer, watch: Watch
) -> Iterator[Page]:
    context = _context(browser, empty_server, watch, java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def test_storing_with_the_token_shows_on_cities(
    store_page: Page, empty_server: BpfgraphServer
) -> None:
    example = EXAMPLES[1]
    in_file = {str(s) for s in Graph().parse(example).subjects()}
    label = next(m["label"] for iri, m in MAPPINGS.items() if iri in in_file)
    graph = f"https://example.org/graph/upload-{example.stem}"
    page = store_page
    page.goto("/validate")
    choose_file(page, example)
    page.get_by_label("Graph IRI").fill(graph)
    page.get_by_label("Write token").fill(empty_server.token or "")
    page.get_by_role("button", name="Validate and store").click()
    expect(page.get_by_role("status")).to_contain_text(f"Stored as the graph {graph}")
    page.get_by_role("link", name="city mappings").click()
    expect(page).to_have_url(re.compile("/cities$"))
    expect(page.locator("main table tbody")).to_contain_text(label)


@pytest.mark.parametrize(
    ("token", "file", "status", "said"),
    [
        ("wrong", EXAMPLES[0], 403, "the write token is not valid"),
        ("", EXAMPLES[0], 403, "give the write token"),
        (None, BAD[0], 422, "the mapping does not conform"),
    ],
    ids=["wrong token", "no token", "invalid mapping"],
)
def test_nothing_is_stored_when_refused(
    store_page: Page, empty_server: BpfgraphServer, token, file, status: int, said: str
) -> None:
    graph = "https://example.org/graph/refused"
    page = store_page
    page.goto("/validate")
    choose_file(page, file)
    page.get_by_label("Graph IRI").fill(graph)
    page.get_by_label("Write token").fill(empty_server.token if token is None else token)
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Validate and store").click()
    assert nav.value is not None and nav.value.status == status
    expect(page.get_by_role("alert")).to_contain_text(said)
    got = page.request.get(empty_server.url("/graphs"), params={"graph": graph})
    assert got.status == 404


@pytest.mark.parametrize("example", EXAMPLES[:2], ids=[p.stem for p in EXAMPLES[:2]])
def test_a_file_dropped_on_the_box_is_validated(page: Page, watch: Watch, example) -> None:
    page.goto("/validate")
    page.evaluate(
        """([name, text]) => {
            const data = new DataTransfer();
            data.items.add(new File([text], name, {type: "text/turtle"}));
            const box = document.getElementById("drop");
            box.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true}));
            box.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        [example.name, example.read_text(encoding="utf-8")],
    )
    assert page.evaluate("document.getElementById('file').files[0].name") == example.name
    page.get_by_role("button", name="Validate", exact=True).click()
    expect(page.locator("#verdict")).to_contain_text(f"{example.name} conforms")
    watch.assert_clean()


def test_the_form_is_usable_by_keyboard(page: Page) -> None:
    """Tab goes from the file field to each button and field of the form, in reading order."""
    page.goto("/validate")
    page.get_by_label(re.compile(r"^Mapping file")).focus()
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.labels && e.labels.length ? e.labels[0].innerText : e.innerText; }"
            )
        )
    assert order == [
        "Validate",
        "Download as Turtle",
        "Graph IRI",
        "Write token",
        "Validate and store",
    ]
