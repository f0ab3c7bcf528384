"""Every page checked by axe-core (WCAG 2.0/2.1 A and AA rules) in Chromium, and the pages that
must work by keyboard driven by keyboard alone.

axe-core is vendored (``vendor/axe.min.js``, see ``vendor/README.md``): nothing is fetched.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from rdflib import Graph

from ..conftest import ROOT, fidelity_table
from .conftest import EXAMPLES, Watch
from .test_pages import BPF, MAPPINGS

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: the city of each example mapping (its timeline page)
CITIES = sorted({str(c) for path in EXAMPLES for c in Graph().parse(path).objects(None, BPF.city)})
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PROCESS_IDS = [p["id"] for p in fidelity_table()]

#: (path, expected status): every kind of page the service serves to a browser
PAGES: list[tuple[str, int]] = [
    ("/", 200),
    ("/graph", 200),
    ("/cities", 200),
    *((f"/city?mapping={m}", 200) for m in MAPPINGS),
    *((f"/city?city={quote(c, safe='')}", 200) for c in CITIES),  # the timelines (SVG chart)
    ("/compare", 200),
    ("/query", 200),
    ("/def", 200),
    *((f"/id/process/{pid}", 200) for pid in PROCESS_IDS),
    ("/id/framework", 200),
    ("/id/process/C2/outcome/1", 200),
    ("/id/process/C2/input/1", 200),
    ("/id/clause/0.1", 200),
    ("/id/component/engineering-framework", 200),
    ("/id/document/iso-iec-30145-1-2021", 200),
    ("/id/stakeholder/citizens", 200),
    ("/id/rating/F", 200),
    ("/catalog", 200),
    ("/validate", 200),
    ("/id/process/Z9", 404),
]


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it stands."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def described(violations: list[dict]) -> str:
    """Rule ids, impacts and the targets they name, one rule a line."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n["target"]) for n in v["nodes"][:8])
        for v in violations
    )


@pytest.mark.parametrize(("path", "status"), PAGES, ids=[p for p, _s in PAGES])
def test_page_has_no_serious_accessibility_violation(page: Page, path: str, status: int) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status
    assert response.headers["content-type"].startswith("text/html")
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], f"{path}:\n{described(violations)}"


def test_validation_report_has_no_serious_accessibility_violation(page: Page) -> None:
    page.goto("/validate")
    page.get_by_label(re.compile("^Mapping file")).set_input_files(
        str(ROOT / "tests" / "data" / "mappings" / "invalid" / "duplicate-step-numbers.ttl")
    )
    page.get_by_role("button", name="Validate", exact=True).click()
    expect(page.locator("h1")).to_have_text("Validation report")
    expect(page.locator("#verdict")).to_contain_text("does not conform")
    violations = axe_violations(page)
    assert violations == [], described(violations)


def test_axe_finds_what_it_should(page: Page) -> None:
    """The check itself can fail: a page with an unlabelled input and low contrast text."""
    page.goto("/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<input type=text><p style=\"color:#ccc;background:#fff\">faint</p>')"
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= ids


# -- keyboard --------------------------------------------------------------------------------


def focused(page: Page) -> str:
    """What has the focus: its tag, then its text or value."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.tagName + ' ' + (e.innerText || e.value || e.getAttribute('aria-label') || '')"
        ".trim().replace(/\\s+/g, ' '); }"
    )


def tab_until(page: Page, pattern: str, limit: int = 80) -> str:
    """Press Tab until the focused element matches ``pattern``; what was focused."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if re.search(pattern, now):
            return now
        seen.append(now)
    raise AssertionError(f"never reached {pattern!r} by Tab; focus went {seen}")


@pytest.mark.parametrize("pid", ["G1", "C10", "S6"])
def test_process_card_opens_by_keyboard(page: Page, watch: Watch, pid: str) -> None:
    page.goto("/")
    reached = tab_until(page, rf"^A {pid} ")
    assert reached.startswith(f"A {pid} ")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused card shows no focus outline"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/id/process/{pid}$"))
    expect(page.locator("h1")).to_contain_text(pid)
    watch.assert_clean()


def test_skip_link_is_first_and_leads_to_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page) == "A Skip to content"
    expect(page.locator("a.skip")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#content$"))


def test_query_runs_by_keyboard(page: Page, watch: Watch) -> None:
    page.goto("/query")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    reached = tab_until(page, r"(?i)run query")
    assert re.search(r"(?i)run query", reached)
    page.keyboard.press("Enter")
    # the first tab's query (best-rated-city-per-process) answers a row per rated process
    expect(page.locator(".yasr")).to_contain_text(re.compile(r"\d+ results? in"), timeout=15_000)
    expect(page.locator(".yasr table")).to_contain_text("G1")
    watch.assert_clean()


# -- text alternatives -----------------------------------------------------------------------


def test_relationship_graph_has_text_alternatives(page: Page) -> None:
    page.goto("/graph")
    figure = page.locator("figure svg")
    expect(figure).to_have_attribute("role", "group")
    expect(figure).to_have_accessible_name(
        "Relationships between the 21 processes of ISO/IEC 30145-1"
    )
    arrows = page.locator(
        "xpath=//main//h2[normalize-space()='As a list']/following-sibling::ul[1]/li"
    )
    expect(figure).to_have_accessible_description(
        re.compile(rf"^{arrows.count()} arrows between processes; .* require all others\.")
    )
    for pid in PROCESS_IDS:
        link = page.get_by_role("group").get_by_role(
            "link", name=re.compile(rf"^{pid} \S"), exact=False
        )
        expect(link).to_have_count(1)
        expect(link).to_have_attribute("href", f"/id/process/{pid}")


def test_new_query_tab_button_replaces_the_hidden_one(page: Page, watch: Watch) -> None:
    """YASGUI's own add-tab button sits inside the tablist (hidden); the page's button adds a tab."""
    page.goto("/query")
    page.wait_for_load_state("networkidle")
    tabs = page.get_by_role("tablist").get_by_role("tab")
    before = tabs.count()
    assert before > 1
    expect(page.locator(".tabsList .addTab")).to_be_hidden()
    page.get_by_role("button", name="New query tab").focus()
    page.keyboard.press("Enter")
    expect(tabs).to_have_count(before + 1)
    watch.assert_clean()
