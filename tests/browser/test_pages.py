"""The HTML pages as a person sees them in Chromium: what they show, where their links lead.

Expected values come from the sources, not from the pages: ``tests/data/fidelity.json`` (read
from the standard), the ontology file, the example mappings and the named-query files.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Namespace

from ..conftest import ROOT, fidelity_table
from ..servers import BpfgraphServer
from ..web.test_city_progress import later_assessment
from .conftest import EXAMPLES, Watch

BPF = Namespace("https://w3id.org/bpfgraph/def#")
PROCESSES = {p["id"]: p for p in fidelity_table()}
BANDS = {"governance": "G", "core": "C", "supporting": "S"}
QUERY_NAMES = [p.stem for p in sorted((ROOT / "queries").glob("*.rq"))]


def _mappings() -> dict[str, dict]:
    """Each example mapping by IRI: its label and the notations of the processes it maps."""
    out = {}
    for path in EXAMPLES:
        g = Graph().parse(path)
        for m in g.subjects(RDF.type, BPF.CityMapping):
            notations = {str(pm).rsplit("/", 1)[1] for pm in g.objects(m, BPF.hasProcessMapping)}
            mapped = {
                str(p).rsplit("/", 1)[1]
                for pm in g.objects(m, BPF.hasProcessMapping)
                for p in g.objects(pm, BPF.mapsProcess)
            }
            # the example files name each process mapping after its process
            assert notations == mapped, path
            out[str(m)] = {"label": str(g.value(m, RDFS.label)), "processes": mapped}
    return out


MAPPINGS = _mappings()


def _terms() -> dict[str, dict[str, str]]:
    """Every bpf: term the ontology declares, by kind, with its definition."""
    g = Graph().parse(ROOT / "ontology" / "bpf.ttl")
    kinds = {
        OWL.Class: "Classes",
        OWL.ObjectProperty: "Object properties",
        OWL.DatatypeProperty: "Datatype and annotation properties",
        OWL.AnnotationProperty: "Datatype and annotation properties",
        OWL.NamedIndividual: "Individuals",
    }
    out: dict[str, dict[str, str]] = {}
    for kind, section in kinds.items():
        for s in g.subjects(RDF.type, kind):
            if str(s).startswith(str(BPF)):
                out.setdefault(section, {})[str(s)[len(str(BPF)) :]] = " ".join(
                    str(g.value(s, SKOS.definition)).split()
                )
    return out


TERMS = _terms()


def heading_list(page: Page, heading: str, tag: str = "ol"):
    """Items of the list that directly follows the h2 ``heading``."""
    return page.locator(
        f"xpath=//main//h2[normalize-space()='{heading}']/following-sibling::*[1][self::{tag}]/li"
    )


def card(page: Page, pid: str):
    """The link of the home page's card for process ``pid``, found by the notation it shows."""
    return page.locator("li.card a").filter(
        has=page.locator(".id", has_text=re.compile(rf"^{pid}$"))
    )


def expected_related(pid: str) -> set[str]:
    p = PROCESSES[pid]
    return set(p["related"]) | ({q for q in PROCESSES if q != pid} if p["requires_all"] else set())


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# -- home ------------------------------------------------------------------------------------


def test_home_shows_three_bands_of_cards(page: Page, watch: Watch) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Smart city business process framework")
    bands = page.locator("section.band")
    expect(bands).to_have_count(3)
    for key, letter in BANDS.items():
        ids = [pid for pid in PROCESSES if pid.startswith(letter)]
        band = page.locator(f"section.band.{key}")
        expect(band.locator("h2")).to_contain_text(f"({len(ids)})")
        cards = band.locator("li.card")
        expect(cards).to_have_count(len(ids))
        expect(cards.locator(".id")).to_have_text(ids)
        expect(cards).to_have_text(
            [f"{pid}\n{PROCESSES[pid]['name']}" for pid in ids], use_inner_text=True
        )
        for item in cards.all():
            expect(item).to_be_visible()
    assert [b.get_attribute("class") for b in bands.all()] == [f"band {k}" for k in BANDS]
    counts = [page.locator(f"section.band.{k} li.card").count() for k in BANDS]
    assert counts == [5, 10, 6]
    watch.assert_clean()


def test_every_card_leads_to_its_process_page(page: Page, watch: Watch) -> None:
    for pid, process in PROCESSES.items():
        page.goto("/")
        card(page, pid).click()
        expect(page).to_have_url(re.compile(rf"/id/process/{pid}$"))
        expect(page.locator("h1")).to_have_text(f"{pid} {process['name']}")
        expect(page).to_have_title(f"{pid} {process['name']} — bpfgraph")
    watch.assert_clean()


def test_main_navigation_leads_to_each_page(page: Page, watch: Watch) -> None:
    targets = {
        "Relationships": ("/graph", "Relationships between the 21 processes"),
        "Ontology": ("/def", "bpfgraph ontology"),
        "Cities": ("/cities", "City mappings"),
        "Compare": ("/compare", "Cross-city comparison"),
        "Query": ("/query", "Query"),
        "Framework": ("/", "Smart city business process framework"),
    }
    page.goto("/id/process/S6")
    for link, (path, h1) in targets.items():
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name=link, exact=True
        ).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.locator("h1")).to_contain_text(h1)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API").click()
    expect(page.locator(".swagger-ui .title")).to_contain_text("bpfgraph")
    watch.assert_clean()


# -- process pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("pid", list(PROCESSES))
def test_process_page_lists_outcomes_practices_and_work_products(page: Page, pid: str) -> None:
    p = PROCESSES[pid]
    page.goto(f"/id/process/{pid}")
    expect(page.locator("h1")).to_have_text(f"{pid} {p['name']}")
    expect(page.locator("main")).to_contain_text(f"clause {p['clause']}")
    outcomes = heading_list(page, "Outcomes")
    expect(outcomes).to_have_count(p["outcome_count"])
    expect(outcomes.first).to_have_text(p["first_outcome"])
    expect(outcomes.last).to_have_text(p["last_outcome"])
    practices = heading_list(page, "Base practices")
    expect(practices).to_have_count(p["practice_count"])
    expect(practices.first).to_have_text(p["first_practice"])
    table = page.locator("main table")
    expect(table.locator("td").nth(0).locator("li")).to_have_text(p["inputs"])
    expect(table.locator("td").nth(1).locator("li")).to_have_text(p["outputs"])
    related = page.locator(
        "xpath=//main//h2[normalize-space()='Relationships']/following-sibling::*[self::ul][1]/li/a"
    )
    notations = {t.split()[0] for t in related.all_inner_texts()}
    assert notations == expected_related(pid)


def test_related_process_links_navigate(page: Page, watch: Watch) -> None:
    for pid in ("G1", "C8", "S6"):
        page.goto(f"/id/process/{pid}")
        related = page.locator(
            "xpath=//main//h2[normalize-space()='Relationships']/following-sibling::*[self::ul][1]/li/a"
        )
        names = related.all_inner_texts()
        assert names, pid
        for name in names:
            target = name.split()[0]
            link = related.filter(has_text=re.compile(rf"^{target}\s"))
            if target == pid:  # S6's list names S6 itself: a link to the page one is on
                assert link.get_attribute("href") == f"/id/process/{pid}"
                continue
            link.click()
            expect(page).to_have_url(re.compile(rf"/id/process/{target}$"))
            expect(page.locator("h1")).to_have_text(f"{target} {PROCESSES[target]['name']}")
            page.go_back()
            expect(page).to_have_url(re.compile(rf"/id/process/{pid}$"))
            expect(page.locator("h1")).to_have_text(f"{pid} {PROCESSES[pid]['name']}")
    # the breadcrumb leads home
    page.get_by_role("main").get_by_role("link", name="Framework").click()
    expect(page.locator("section.band")).to_have_count(3)
    watch.assert_clean()


# -- ontology, graph -------------------------------------------------------------------------


def test_ontology_page_defines_every_term(page: Page, watch: Watch) -> None:
    page.goto("/def")
    expect(page.locator("main h2")).to_have_text(list(TERMS))
    for section, terms in TERMS.items():
        rows = page.locator(
            f"xpath=//main//h2[normalize-space()='{section}']/following-sibling::*[1]/descendant-or-self::table/tbody/tr"
        )
        expect(rows).to_have_count(len(terms))
        for local, definition in terms.items():
            row = rows.and_(page.locator(f"tr[id='{local}']"))
            expect(row.locator("td").nth(0)).to_have_text(f"bpf:{local}")
            assert definition and definition != "None", local
            expect(row.locator("td").nth(2)).to_have_text(definition)
    assert {"BusinessProcess", "CityMapping"} <= set(TERMS["Classes"])
    expect(page.locator("tr#CityMapping td").nth(2)).to_contain_text("mapping")
    watch.assert_clean()


def test_graph_page_draws_the_21_processes(page: Page, watch: Watch) -> None:
    page.goto("/graph")
    svg = page.locator("main figure svg")
    expect(svg).to_have_count(1)
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] >= 600 and box["height"] >= 600
    nodes = svg.locator("a circle")
    expect(nodes).to_have_count(21)
    titles = [t.split()[0] for t in nodes.locator("title").all_text_contents()]
    assert titles == list(PROCESSES)
    # every other circle is a process related to itself (S6 names S6); every other edge an arrow
    edges = page.locator(
        "xpath=//main//h2[normalize-space()='As a list']/following-sibling::ul[1]/li"
    ).all_inner_texts()
    self_loops = [e for e in edges if len(set(e.split(" → "))) == 1]
    expect(svg.locator("circle")).to_have_count(21 + len(self_loops))
    expect(svg.locator("line[marker-end]")).to_have_count(len(edges) - len(self_loops))
    svg.locator("a text").filter(has_text=re.compile("^C7$")).click()
    expect(page.locator("h1")).to_have_text(f"C7 {PROCESSES['C7']['name']}")
    watch.assert_clean()


# -- cities ----------------------------------------------------------------------------------


def test_cities_lists_the_three_mappings(page: Page, watch: Watch) -> None:
    page.goto("/cities")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(MAPPINGS))
    assert len(MAPPINGS) == 3
    seen = {}
    for row in rows.all():
        cells = row.locator("td")
        seen[cells.nth(0).inner_text()] = int(cells.nth(2).inner_text())
    assert seen == {m["label"]: len(m["processes"]) for m in MAPPINGS.values()}
    watch.assert_clean()


@pytest.mark.parametrize("mapping", list(MAPPINGS))
def test_city_page_shows_a_heatmap_row_per_mapped_process(
    page: Page, watch: Watch, mapping: str
) -> None:
    expected = MAPPINGS[mapping]
    page.goto("/cities")
    page.get_by_role("link", name=expected["label"]).click()
    expect(page.locator("h1")).to_have_text(expected["label"])
    heat = page.locator("table.heat")
    expect(heat).to_be_visible()
    rows = heat.locator("tbody tr")
    expect(rows).to_have_count(len(expected["processes"]))
    order = [pid for pid in PROCESSES if pid in expected["processes"]]
    expect(rows.locator("th a")).to_have_text(order)
    most = max(p["outcome_count"] for p in PROCESSES.values())
    expect(heat.locator("thead th")).to_have_count(1 + most + 2)
    for row, pid in zip(rows.all(), order, strict=True):
        cells = row.locator("td")
        expect(cells).to_have_count(most + 2)
        applicable = row.locator("td[class^='st-']:not(.st-na)")
        expect(applicable).to_have_count(PROCESSES[pid]["outcome_count"])
    assert page.locator("td.st-adopted").count() > 0
    rows.first.locator("th a").click()
    expect(page.locator("h1")).to_have_text(f"{order[0]} {PROCESSES[order[0]]['name']}")
    watch.assert_clean()


def test_compare_page_renders_every_process_for_every_city(page: Page, watch: Watch) -> None:
    page.goto("/compare")
    expect(page.locator("h1")).to_have_text("Cross-city comparison")
    table = page.locator("main table").first
    labels = [m["label"] for m in MAPPINGS.values()]
    expect(table.locator("thead th")).to_have_text(["Process", *labels, "Best"])
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(21)
    expect(rows.locator("th")).to_have_text([re.compile(rf"^{pid} ") for pid in PROCESSES])
    for column, m in enumerate(MAPPINGS.values(), start=1):
        texts = [r.locator("td").nth(column - 1).inner_text() for r in rows.all()]
        unmapped = [pid for pid, t in zip(PROCESSES, texts, strict=True) if t == "not mapped"]
        assert set(unmapped) == set(PROCESSES) - m["processes"], m["label"]
        assert all(re.fullmatch(r"\d+\.\d", t) for t in texts if t != "not mapped")
    expect(heading_list(page, "Most adopted outcomes")).not_to_have_count(0)
    expect(heading_list(page, "Least adopted outcomes")).not_to_have_count(0)
    watch.assert_clean()


# -- query -----------------------------------------------------------------------------------


def test_query_page_runs_queries_with_nothing_from_other_hosts(
    page: Page, watch: Watch, server: BpfgraphServer
) -> None:
    page.goto("/query")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof Yasgui") == "function"
    tabs = page.locator(".yasgui .tabsList .tab")
    expect(tabs.first).to_be_visible()
    assert [t.split("\n")[0].strip() for t in tabs.all_inner_texts()] == QUERY_NAMES
    assert page.evaluate("Object.keys(yasgui._tabs).length") == len(QUERY_NAMES)

    # the run button of a named query's tab
    page.get_by_role("tab", name="framework-components").click()
    assert page.evaluate("yasgui.getTab().getName()") == "framework-components"
    panel = page.locator(".tabPanel.active")
    expected = httpx.post(
        server.url("/sparql"),
        data={"query": page.evaluate("yasgui.getTab().getQuery()")},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["results"]["bindings"]
    assert len(expected) == 5
    panel.locator(".yasqe_queryButton").click()
    result_rows = panel.locator(".yasr table.dataTable tbody tr")
    expect(result_rows).to_have_count(len(expected))
    expect(panel.locator(".yasr")).to_contain_text("engineering framework")

    # a query of one's own, through YASGUI's API
    page.evaluate(
        """async () => {
        const tab = yasgui.getTab();
        tab.setQuery('PREFIX bpf: <https://w3id.org/bpfgraph/def#>\\n'
          + 'SELECT ?p WHERE { ?p a bpf:BusinessProcess } ORDER BY ?p');
        await tab.query();
    }"""
    )
    expect(result_rows).to_have_count(21)
    expect(panel.locator(".yasr")).to_contain_text("https://w3id.org/bpfgraph/id/process/G1")

    urls = [url for _method, url in watch.requests]
    assert urls and all(url.startswith(server.base + "/") for url in urls), [
        u for u in urls if not u.startswith(server.base + "/")
    ]
    assert server.url("/static/yasgui/yasgui.min.js") in urls
    assert server.url("/static/yasgui/yasgui.min.css") in urls
    assert [m for m, u in watch.requests if u == server.url("/sparql")].count("POST") >= 2
    watch.assert_clean()


# -- a city's progress -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def progress_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    """A server of its own holding the examples and a later assessment of Valdoria."""
    srv = BpfgraphServer(tmp_path_factory.mktemp("served-progress"))
    try:
        srv.store_examples()
        response = httpx.put(
            srv.url("/graphs"),
            params={"graph": "https://example.org/graph/valdoria-2026"},
            content=later_assessment(ROOT / "data" / "examples" / "valdoria.ttl")
            .serialize(format="turtle")
            .encode(),
            headers={"Content-Type": "text/turtle", **srv.auth},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        yield srv
    finally:
        srv.stop()


def test_city_timeline_draws_a_chart_of_both_assessments(
    browser: Browser, progress_server: BpfgraphServer
) -> None:
    watch = Watch()
    context = browser.new_context(
        base_url=progress_server.base, viewport={"width": 1280, "height": 800}
    )
    watch.attach(context)
    page = context.new_page()
    page.goto("/cities")
    page.get_by_role("link", name="https://example.org/city/valdoria").first.click()
    expect(page).to_have_url(
        re.compile(r"/city\?city=https%3A%2F%2Fexample\.org%2Fcity%2Fvaldoria$")
    )
    expect(page.locator("h1")).to_contain_text("Progress of Valdoria")
    chart = page.get_by_role(
        "img", name="Score per process in each assessment of https://example.org/city/valdoria"
    )
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    processes = len(MAPPINGS["https://example.org/city/valdoria/bpf-mapping/mapping"]["processes"])
    marks = chart.locator("g.mark")
    expect(marks).to_have_count(2 * (processes + 1))  # and the overall score
    for mark in marks.all()[:4]:
        mark_box = mark.bounding_box()
        assert mark_box is not None and mark_box["width"] > 4  # drawn, not collapsed
    expect(page.locator("table.timeline thead th")).to_have_text(
        ["Process", "2025-05-15", "2026-05-15", "Change"]
    )
    expect(page.locator("table.timeline tbody tr")).to_have_count(processes + 1)
    page.get_by_role("link", name="Compare these assessments side by side").click()
    expect(page.locator("main table").first.locator("thead th")).to_have_count(4)
    context.close()
    watch.assert_clean()


# -- without JavaScript ----------------------------------------------------------------------


def test_pages_are_readable_without_javascript(page_without_js: Page, watch: Watch) -> None:
    page = page_without_js
    page.goto("/")
    cards = page.locator("li.card a")
    expect(cards).to_have_count(21)
    for link in cards.all():
        expect(link).to_be_visible()
    card(page, "C10").click()
    expect(page.locator("h1")).to_have_text(f"C10 {PROCESSES['C10']['name']}")
    expect(heading_list(page, "Outcomes")).to_have_count(PROCESSES["C10"]["outcome_count"])
    expect(heading_list(page, "Base practices").first).to_be_visible()
    page.goto("/city?mapping=" + next(iter(MAPPINGS)))
    expect(page.locator("table.heat tbody tr")).to_have_count(
        len(next(iter(MAPPINGS.values()))["processes"])
    )
    page.goto("/query")
    expect(page.locator("h1")).to_have_text("Query")
    # Playwright turns scripts off after parsing begins, so Chromium still treats <noscript> as
    # raw text here; what a browser with JavaScript switched off would show is its content.
    assert "The query editor needs JavaScript" in page.locator("main noscript").text_content()
    assert page.locator(".yasgui").count() == 0  # and no editor was built
    watch.assert_clean()


# -- every page: no errors, fits the window, looks like something ----------------------------

PAGES = [
    "/",
    "/id/process/G1",
    "/id/process/C10",
    "/id/process/S6",
    "/id/framework",
    "/def",
    "/graph",
    "/cities",
    *(f"/city?mapping={m}" for m in MAPPINGS),
    "/city?city=https%3A%2F%2Fexample.org%2Fcity%2Faldermoor",
    "/compare",
    "/query",
    "/docs",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_console_errors(
    page: Page, watch: Watch, server: BpfgraphServer, path: str
) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    page.wait_for_load_state("networkidle")
    assert page.title()
    if path != "/docs":  # a browser asks for /favicon.ico (a 404) unless the page names its icon
        icon = page.request.get(page.locator("link[rel=icon]").get_attribute("href"))
        assert icon.status == 200 and icon.headers["content-type"].startswith("image/")
    assert [u for _m, u in watch.requests if not u.startswith(server.base + "/")] == []
    watch.assert_clean()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", PAGES[:-1])
def test_page_fits_the_window_width(page: Page, path: str, width: int) -> None:
    """No sideways scrolling of the whole page, down to a phone's width (wide tables scroll)."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if path == "/graph":
        box = page.locator("main figure svg").bounding_box()
        assert box is not None and 0 < box["width"] <= width


def test_home_page_screenshot(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    page.wait_for_load_state("networkidle")
    target = tmp_path / "home.png"
    page.screenshot(path=str(target), full_page=True)
    data = target.read_bytes()
    width, height = png_size(data)
    assert width == 1280 and height >= 800
    assert len(data) > 20_000  # a blank page of that size compresses to a few kilobytes


@pytest.mark.parametrize("path", ["/id/process/X9", "/id/nothing/here"])
def test_an_unknown_resource_is_a_page_that_leads_on(page: Page, watch: Watch, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("h1").text_content() == "Not found"
    assert "nothing is known" in page.locator("main").text_content()
    # the 404 of the page itself is what was asked for (and Chromium logs it); nothing else
    expected = {
        f"HTTP 404 for {response.url}",
        f"console error on {response.url}: Failed to load resource: the server responded with "
        "a status of 404 (Not Found)",
    }
    assert set(watch.problems) == expected
    page.locator("main a", has_text="ontology").click()
    page.wait_for_url("**/def")
    assert page.locator("h1").count() == 1
