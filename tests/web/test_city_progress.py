"""A city's progress: two assessments of one city (the Valdoria example, and a later one made
from it here with other ratings) stored with PUT /graphs on a real server; the named query
city-timeline, the page /city?city=, and /compare taking each city's latest mapping.

Expected scores are computed here from the mapping files themselves, with the midpoints of
ISO/IEC 33020's achievement ranges (N 7.5, P 32.5, L 67.5, F 92.5 per cent), not by bpfgraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from rdflib import RDFS, Graph, Literal, Namespace, URIRef

from ..conftest import ROOT
from ..servers import BpfgraphServer

BPF = Namespace("https://w3id.org/bpfgraph/def#")
ID = "https://w3id.org/bpfgraph/id/"
CITY = "https://example.org/city/valdoria"
FIRST = f"{CITY}/bpf-mapping/mapping"
SECOND = f"{CITY}/bpf-mapping-2026/mapping"
MIDPOINTS = {"N": Decimal("7.5"), "P": Decimal("32.5"), "L": Decimal("67.5"), "F": Decimal("92.5")}
MODIFIED = URIRef("http://purl.org/dc/terms/modified")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
SELECT_JSON = {"Accept": "application/sparql-results+json"}


def later_assessment(path: Path) -> Graph:
    """The Valdoria mapping a year on: its own IRIs, modified 2026-05-15, every P now an L."""
    text = path.read_text(encoding="utf-8").replace(
        "https://example.org/city/valdoria/bpf-mapping/",
        "https://example.org/city/valdoria/bpf-mapping-2026/",
    )
    text = text.replace(f"<{ID}rating/P>", f"<{ID}rating/L>")
    g = Graph().parse(data=text, format="turtle")
    m = URIRef(SECOND)
    g.set((m, MODIFIED, Literal("2026-05-15", datatype=XSD_DATE)))
    g.set((m, RDFS.label, Literal("Valdoria smart city process mapping 2026", lang="en")))
    return g


def expected_scores(g: Graph, mapping: str) -> dict[str, str]:
    """Process notation -> its score as the pages show it (one decimal), from the ratings."""
    out = {}
    for pm in g.objects(URIRef(mapping), BPF.hasProcessMapping):
        process = str(g.value(pm, BPF.mapsProcess)).rsplit("/", 1)[1]
        items = [*g.objects(pm, BPF.hasOutcomeAdoption), *g.objects(pm, BPF.hasSubProcess)]
        codes = [
            str(r).rsplit("/", 1)[1] for i in items for r in g.objects(i, BPF.achievementRating)
        ]
        if codes:
            mean = sum(MIDPOINTS[c] for c in codes) / len(codes)
            out[process] = str(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return out


FIRST_GRAPH = Graph().parse(ROOT / "data" / "examples" / "valdoria.ttl")
SECOND_GRAPH = later_assessment(ROOT / "data" / "examples" / "valdoria.ttl")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpfgraphServer]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("progress"))
    try:
        srv.store_examples()
        response = httpx.put(
            srv.url("/graphs"),
            params={"graph": "https://example.org/graph/valdoria-2026"},
            content=SECOND_GRAPH.serialize(format="turtle").encode(),
            headers={"Content-Type": "text/turtle", **srv.auth},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        yield srv
    finally:
        srv.stop()


def test_the_later_assessment_changed_some_scores() -> None:
    first, second = expected_scores(FIRST_GRAPH, FIRST), expected_scores(SECOND_GRAPH, SECOND)
    assert first.keys() == second.keys() and len(first) > 5
    assert [p for p in first if first[p] != second[p]], "the test needs changed scores"


def test_named_query_gives_both_assessments_in_date_order(server: BpfgraphServer) -> None:
    response = httpx.get(
        server.url("/queries/city-timeline"), params={"city": CITY}, headers=SELECT_JSON
    )
    assert response.status_code == 200, response.text
    rows = [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]
    assert {r["city"] for r in rows} == {CITY}
    order = [(r["mapping"], r["date"]) for r in rows]
    assert list(dict.fromkeys(order)) == [(FIRST, "2025-05-15"), (SECOND, "2026-05-15")]
    for mapping, graph in ((FIRST, FIRST_GRAPH), (SECOND, SECOND_GRAPH)):
        got = {r["notation"]: r["score"] for r in rows if r["mapping"] == mapping}
        expected = expected_scores(graph, mapping)
        assert {p: Decimal(s) for p, s in got.items()} == {
            p: Decimal(s) for p, s in expected.items()
        }


def test_every_city_has_its_own_timeline(server: BpfgraphServer) -> None:
    response = httpx.get(server.url("/queries/city-timeline"), headers=SELECT_JSON)
    rows = response.json()["results"]["bindings"]
    mappings = list(dict.fromkeys(r["mapping"]["value"] for r in rows))
    assert len(mappings) == 4
    assert mappings.index(FIRST) + 1 == mappings.index(SECOND)


class Page(HTMLParser):
    """The page's table cells (by row), its SVG's title and desc, and its marker titles."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.svg_attrs: dict[str, str | None] = {}
        self.texts: dict[str, str] = {}
        self.marks: list[str] = []
        self.links: list[str] = []
        self._stack: list[str] = []
        self._text = ""
        self._in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)
        if tag == "svg":
            self._in_svg, self.svg_attrs = True, dict(attrs)
        if tag == "tr" and not self._in_svg:
            self.rows.append([])
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        self._text = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.rows:
            self.rows[-1].append(" ".join(self._text.split()))
        if tag in ("title", "desc") and self._in_svg:
            if len(self._stack) > 1 and self._stack[-2] == "g":
                self.marks.append(self._text)
            else:
                self.texts[tag] = self._text
        if tag == "svg":
            self._in_svg = False
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self._text += data


def page(server: BpfgraphServer, path: str, accept: str = "text/html") -> httpx.Response:
    return httpx.get(server.url(path), headers={"Accept": accept}, timeout=60)


def test_city_page_shows_both_assessments_in_table_and_chart(server: BpfgraphServer) -> None:
    response = page(server, "/city?city=" + quote(CITY, safe=""))
    assert response.status_code == 200, response.text
    doc = Page()
    doc.feed(response.text)
    header, *body = [r for r in doc.rows if r]
    assert header == ["Process", "2025-05-15", "2026-05-15", "Change"]
    first, second = expected_scores(FIRST_GRAPH, FIRST), expected_scores(SECOND_GRAPH, SECOND)
    table = {row[0].split(" ", 1)[0]: row[1:] for row in body}
    assert set(table) == {"Overall", *first}
    for p in first:
        change = Decimal(second[p]) - Decimal(first[p])
        assert table[p] == [first[p], second[p], f"{change:+.1f}"]
    # the chart: one marker per process (and the overall score) per assessment, titled
    assert doc.svg_attrs.get("role") == "img"
    assert doc.svg_attrs.get("aria-labelledby") == "timeline-title timeline-desc"
    assert CITY in doc.texts["title"] and "2026-05-15" in doc.texts["desc"]
    for p in first:
        for date, scores in (("2025-05-15", first), ("2026-05-15", second)):
            assert (
                sum(m.startswith(f"{p} ") and m.endswith(f"{date}: {scores[p]}") for m in doc.marks)
                == 1
            )
    assert len(doc.marks) == 2 * (len(first) + 1)
    # each assessment leads to its mapping's page, which leads back here
    assert "/city?mapping=" + quote(SECOND, safe="") in doc.links
    back = page(server, "/city?mapping=" + quote(SECOND, safe="")).text
    assert 'href="/city?city=' + quote(CITY, safe="") + '"' in back


def test_cities_page_links_to_each_citys_timeline(server: BpfgraphServer) -> None:
    doc = Page()
    doc.feed(page(server, "/cities").text)
    timelines = [link for link in doc.links if link.startswith("/city?city=")]
    assert timelines.count("/city?city=" + quote(CITY, safe="")) == 2  # two mappings
    assert len(set(timelines)) == 3
    dates = {row[0]: row[-1] for row in doc.rows if row and row[0] != "Mapping"}
    assert dates["Valdoria smart city process mapping 2026"] == "2026-05-15"


def rows_of(html: str) -> list[list[str]]:
    doc = Page()
    doc.feed(html)
    return doc.rows


def compare_columns(html: str) -> list[str]:
    return next(r for r in rows_of(html) if r and r[0] == "Process")[1:-1]


def test_compare_takes_each_citys_latest_mapping(server: BpfgraphServer) -> None:
    html = page(server, "/compare").text
    columns = compare_columns(html)
    assert len(columns) == 3
    assert "Valdoria smart city process mapping 2026" in columns
    assert not any(c.startswith("Valdoria") and "2026" not in c for c in columns)
    assert "1 earlier assessment left out" in html
    # the best-rated column counts the latest mappings only: no process names the 2025 one
    first_label = str(FIRST_GRAPH.value(URIRef(FIRST), RDFS.label))
    assert first_label.startswith("Valdoria") and first_label in html  # among the choices
    assert first_label not in html.split("<form")[0]
    best = [row[-1] for row in rows_of(html) if row and row[0] != "Process"]
    assert any("Valdoria smart city process mapping 2026" in b for b in best)


def test_compare_can_take_chosen_mappings(server: BpfgraphServer) -> None:
    query = "&".join("mapping=" + quote(m, safe="") for m in (FIRST, SECOND))
    columns = compare_columns(page(server, "/compare?" + query).text)
    assert [c.split(" (")[-1] for c in columns] == ["2025-05-15)", "2026-05-15)"]


BAD = [
    ("/city?city=not-an-iri", 400, "not an IRI"),
    ("/city?city=" + quote("https://example.org/city/nowhere", safe=""), 404, "nowhere"),
    ("/city", 400, "mapping=IRI"),
    ("/city?city=" + quote(CITY, safe="") + "&mapping=" + quote(FIRST, safe=""), 400, "either"),
    ("/city?mapping=urn:none", 404, "urn:none"),
    ("/compare?mapping=urn:none", 404, "urn:none"),
    ("/city?city=" + quote("https://exa mple.org/<x>", safe=""), 400, "not an IRI"),
]


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(("path", "status", "says"), BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("accept", [BROWSER, "text/html", "application/json", "*/*"])
def test_bad_city_input_is_a_clear_refusal(
    server: BpfgraphServer, path: str, status: int, says: str, accept: str
) -> None:
    response = page(server, path, accept)
    assert response.status_code == status
    if "text/html" in accept:  # a browser: a page saying why
        assert response.headers["content-type"].startswith("text/html")
        heading = "Not found" if status == 404 else "Bad request"
        assert f"<h1>{heading}</h1>" in response.text
        assert says in response.text
    else:  # any other client: the service's JSON error
        assert response.json()["status"] == status and says in response.json()["error"]


def _q(iri: str) -> str:
    return quote(iri, safe="")


#: a city or mapping IRI spoiled (percent-encoded as a client sends it) -> what the refusal says
SPOILED = [
    ("%0A", "a line feed (U+000A)"),
    ("%0D", "a carriage return (U+000D)"),
    ("%0D%0A", "a carriage return (U+000D)"),
    ("%09", "a tab (U+0009)"),
    ("%20", "a space (U+0020)"),
    ("%00", "a control character (U+0000)"),
    ("%1F", "a control character (U+001F)"),
    ("%7F", "a control character (U+007F)"),
    ("%C2%85", "a control character (U+0085)"),
]
#: where the spoiled part goes: appended (trailing), or inside the IRI
PLACES = ["trailing", "inside", "leading"]


def spoil(iri: str, bad: str, place: str) -> str:
    if place == "trailing":
        return _q(iri) + bad
    if place == "leading":
        return bad + _q(iri)
    head, tail = iri.split("/city/", 1)
    return _q(head + "/city/") + bad + _q(tail)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(("bad", "says"), SPOILED, ids=[s[0] for s in SPOILED])
@pytest.mark.parametrize(
    ("path", "name", "iri"),
    [("/city", "city", CITY), ("/city", "mapping", FIRST), ("/compare", "mapping", FIRST)],
    ids=["city-city", "city-mapping", "compare-mapping"],
)
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_an_iri_with_space_or_control_character_is_refused(
    server: BpfgraphServer,
    path: str,
    name: str,
    iri: str,
    bad: str,
    says: str,
    place: str,
    accept: str,
) -> None:
    response = page(server, f"{path}?{name}={spoil(iri, bad, place)}", accept)
    assert response.status_code == 400, response.text
    if accept == "application/json":
        error = response.json()["error"]
    else:
        assert "<h1>Bad request</h1>" in response.text
        error = response.text
    assert error.startswith(f"{name}=: ") or f"{name}=: " in error
    assert "is not an IRI: it has " + says in error


def test_a_trailing_space_after_a_city_is_refused_the_same(server: BpfgraphServer) -> None:
    # "+" is a space in a query string, as %20 is
    response = page(server, f"/city?city={_q(CITY)}+", "application/json")
    assert response.status_code == 400
    assert "city=: " in response.json()["error"] and "a space (U+0020)" in response.json()["error"]


def test_the_same_iris_unspoiled_are_answered(server: BpfgraphServer) -> None:
    for path in (
        f"/city?city={_q(CITY)}",
        f"/city?mapping={_q(FIRST)}",
        f"/compare?mapping={_q(FIRST)}",
    ):
        assert page(server, path).status_code == 200, path


#: a parameter given more than once: (query, parameter, times)
REPEATED = [
    (f"city={_q(CITY)}&city={_q(CITY)}", "city", 2),
    (f"city={_q(CITY)}&city={_q(CITY)}&city={_q(CITY)}", "city", 3),
    (f"city={_q(CITY)}&city=https%3A%2F%2Fexample.org%2Fcity%2Faldermoor", "city", 2),
    (f"mapping={_q(FIRST)}&mapping={_q(SECOND)}", "mapping", 2),
    (f"mapping={_q(FIRST)}&mapping={_q(FIRST)}&mapping={_q(SECOND)}", "mapping", 3),
    (f"city={_q(CITY)}&city=&city=x", "city", 3),
]


@pytest.mark.parametrize(("query", "name", "times"), REPEATED)
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_repeated_city_page_parameter_is_refused(
    server: BpfgraphServer, query: str, name: str, times: int, accept: str
) -> None:
    response = page(server, "/city?" + query, accept)
    assert response.status_code == 400, response.text
    says = f"{name}= given {times} times; give one"
    if accept == "application/json":
        assert response.json()["error"] == says
    else:
        assert says in response.text


def test_compare_still_takes_mapping_repeated(server: BpfgraphServer) -> None:
    response = page(server, f"/compare?mapping={_q(FIRST)}&mapping={_q(SECOND)}")
    assert response.status_code == 200
    assert len(compare_columns(response.text)) == 2


# -- a city of many assessments with long IRIs: the compare link stays within bounds -----------

MANY = 20


def long_assessment(i: int) -> tuple[str, Graph]:
    """The Valdoria mapping as assessment ``i`` of 20, under IRIs of about 2,000 characters."""
    base = f"{CITY}/{'x' * 1960}-{i:02d}/"
    text = (ROOT / "data" / "examples" / "valdoria.ttl").read_text(encoding="utf-8")
    g = Graph().parse(data=text.replace(f"{CITY}/bpf-mapping/", base), format="turtle")
    m = URIRef(base + "mapping")
    g.set((m, MODIFIED, Literal(f"2030-01-{i + 1:02d}", datatype=XSD_DATE)))
    g.set((m, RDFS.label, Literal(f"Valdoria assessment {i:02d}", lang="en")))
    return str(m), g


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BpfgraphServer, list[str]]]:
    srv = BpfgraphServer(tmp_path_factory.mktemp("many"))
    mappings = []
    try:
        for i in range(MANY):
            mapping, g = long_assessment(i)
            assert 2000 <= len(mapping) < 2100
            mappings.append(mapping)
            response = httpx.put(
                srv.url("/graphs"),
                params={"graph": f"https://example.org/graph/valdoria-{i:02d}"},
                content=g.serialize(format="turtle").encode(),
                headers={"Content-Type": "text/turtle", **srv.auth},
                timeout=60,
            )
            assert response.status_code == 201, response.text
        yield srv, mappings
    finally:
        srv.stop()


def test_the_compare_link_of_many_long_assessments_is_bounded_and_answered(
    many: tuple[BpfgraphServer, list[str]],
) -> None:
    srv, mappings = many
    response = page(srv, "/city?city=" + _q(CITY))
    assert response.status_code == 200, response.text[:500]
    doc = Page()
    doc.feed(response.text)
    header = next(r for r in doc.rows if r and r[0] == "Process")
    assert header[1:-1] == [f"2030-01-{i + 1:02d}" for i in range(MANY)]
    links = [link for link in doc.links if link.startswith("/compare?")]
    assert len(links) == 1
    link = links[0].replace("&amp;", "&")
    assert len(link) <= 8 * 1024 - len("GET  HTTP/1.1\r\n")  # nginx's request line buffer
    named = [m for m in mappings if "mapping=" + _q(m) in link]
    assert 2 <= len(named) <= 8
    assert named == mappings[-len(named) :]  # the latest
    assert link.count("mapping=") == len(named)
    assert f"Compare the latest {len(named)} assessments side by side" in response.text
    followed = page(srv, link)
    assert followed.status_code == 200, followed.text[:500]
    columns = compare_columns(followed.text)
    assert [c.split(" (")[-1] for c in columns] == [
        f"2030-01-{i + 1:02d})" for i in range(MANY - len(named), MANY)
    ]


def test_the_timeline_of_many_assessments_has_every_marker(
    many: tuple[BpfgraphServer, list[str]],
) -> None:
    srv, _mappings = many
    doc = Page()
    doc.feed(page(srv, "/city?city=" + _q(CITY)).text)
    processes = len(expected_scores(FIRST_GRAPH, FIRST))
    assert len(doc.marks) == MANY * (processes + 1)
    assert all(f"2030-01-{i + 1:02d}" in doc.texts["desc"] for i in range(MANY))


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(("bad", "says"), SPOILED, ids=[s[0] for s in SPOILED])
def test_a_named_querys_iri_parameter_is_checked_the_same(
    server: BpfgraphServer, bad: str, says: str, place: str
) -> None:
    """The named queries' IRI parameters (here city-timeline's city) take the same check."""
    response = page(
        server, f"/queries/city-timeline?city={spoil(CITY, bad, place)}", "application/json"
    )
    assert response.status_code == 400, response.text
    assert (
        "'city'" in response.json()["error"]
        and "is not an IRI: it has " + says in response.json()["error"]
    )
    unspoiled = page(server, f"/queries/city-timeline?city={_q(CITY)}", "application/json")
    assert unspoiled.status_code == 200
