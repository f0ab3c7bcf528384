"""An offline scorer of the data.europa.eu Metadata Quality Assessment (MQA).

The methodology (https://data.europa.eu/mqa/methodology; the data provider manual's "Metadata
quality dashboard" page; the metric definitions of the EDP DQV vocabulary vendored in
``tests/data/mqa/edp-dqv-vocabulary.ttl``) scores each ``dcat:Dataset`` on five dimensions,
405 points in all:

==================  =========================================  ======  ==========================
dimension           indicator                                  points  computed on
==================  =========================================  ======  ==========================
Findability         keyword usage                              30      Dataset dcat:keyword
                    categories                                 30      Dataset dcat:theme
                    geo search                                 20      Dataset dct:spatial
                    time-based search                          20      Dataset dct:temporal
Accessibility       access URL accessibility (HTTP 2xx/3xx)    50      Distribution dcat:accessURL
                    download URL                               20      Distribution dcat:downloadURL
                    download URL accessibility (2xx/3xx)       30      Distribution dcat:downloadURL
Interoperability    format                                     20      Distribution dct:format
                    media type                                 10      Distribution dcat:mediaType
                    format and media type from vocabularies    10      Distribution (both)
                    non-proprietary                            20      Distribution (either)
                    machine-readable                           20      Distribution (either)
                    DCAT-AP compliance (SHACL)                 30      Dataset
Reusability         licence information                        20      Distribution dct:license
                    licence vocabulary                         10      Distribution dct:license
                    access restrictions                        10      Dataset dct:accessRights
                    access restrictions vocabulary             5       Dataset dct:accessRights
                    contact point                              20      Dataset dcat:contactPoint
                    publisher                                  10      Dataset dct:publisher
Contextuality       rights                                     5       Distribution dct:rights
                    file size                                  5       Distribution dcat:byteSize
                    date of issue                              5       Distribution, Dataset dct:issued
                    modification date                          5       Distribution, Dataset dct:modified
==================  =========================================  ======  ==========================

Bands: Excellent 351-405, Good 221-350, Sufficient 121-220, Bad 0-120.

How this scorer reads the table (the choices are the methodology's where it says, and stated
here where it does not):

- A dataset-level indicator scores its full weight when the dataset has the property.
- A distribution-level indicator scores its weight times the share of the dataset's
  distributions that meet it (no distribution: nothing). Date of issue and modification date
  are "computed on" the distributions and the dataset: the share is taken over the dataset and
  its distributions together.
- Accessibility: a distribution's URLs are fetched with the caller's ``fetch(url) -> status``
  (each URL once per scorer); it is accessible when every one of its access (or download) URLs
  answers 200-399. A distribution without a download URL is not downloadable.
- Format and media type from the vocabularies: both must be given and known: the ``dct:format``
  an EU file-type authority IRI that the EDP vocabularies list (``edp-machine-readable-format``
  or ``edp-non-proprietary-format``: the whole file-type table is not vendored), the
  ``dcat:mediaType`` an IANA media-type IRI (``https://www.iana.org/assignments/media-types/``)
  whose type and subtype IANA registers (``edp-mediatype-*.csv``).
- Non-proprietary and machine-readable: the format is in the EDP list, or the media type is
  that of a listed file type (:data:`MEDIA_FILE_TYPES`, the media types the EU file-type table
  gives those formats).
- Licence vocabulary: the licence is a concept of the EDP licence vocabulary or one of its
  ``skos:exactMatch``/``owl:sameAs`` (so ``https://creativecommons.org/licenses/by/4.0/``
  counts). Access-rights vocabulary: a concept of the EU access-right table.
- DCAT-AP compliance: a callable ``compliant(dataset) -> bool``; :class:`DcatApCheck`
  validates the whole graph once with pyshacl against the DCAT-AP 3.0.0 shapes and calls a
  dataset compliant when no ``sh:Violation`` has a focus node in the dataset's description
  (the nodes reachable from it).

The MQA's online checks (its own DCAT-AP validator, format look-ups) cannot run here; this
scorer stands in for them with the vendored vocabularies and shapes (tests/data/mqa/README.md).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, SKOS, Graph, Literal, Node, URIRef
from rdflib.namespace import DCAT, DCTERMS, SH

VOCABULARIES = Path(__file__).parent / "data" / "mqa"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_PREFIXES = (
    "https://www.iana.org/assignments/media-types/",
    "http://www.iana.org/assignments/media-types/",
)
#: media types of the file types of the EDP format lists (from the EU file-type table)
MEDIA_FILE_TYPES = {
    "text/csv": "CSV",
    "application/geo+json": "GEOJSON",
    "text/calendar": "ICS",
    "application/json": "JSON",
    "application/ld+json": "JSON_LD",
    "application/vnd.google-earth.kml+xml": "KML",
    "application/vnd.google-earth.kmz": "KMZ",
    "application/netcdf": "NETCDF",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/n-quads": "RDF_N_QUADS",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/trig": "RDF_TRIG",
    "text/turtle": "RDF_TURTLE",
    "application/rdf+xml": "RDF_XML",
    "application/rss+xml": "RSS",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/html": "HTML",
    "text/plain": "TXT",
    "text/tab-separated-values": "TSV",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "application/zip": "ZIP",
    "application/gzip": "GZIP",
    "application/rtf": "RTF",
}

Fetch = Callable[[str], int]


@dataclass(frozen=True)
class Indicator:
    """One row of the methodology's table."""

    key: str
    dimension: str
    label: str
    weight: int
    computed_on: str


INDICATORS = (
    Indicator("keyword", "Findability", "keyword usage", 30, "Dataset dcat:keyword"),
    Indicator("theme", "Findability", "categories", 30, "Dataset dcat:theme"),
    Indicator("spatial", "Findability", "geo search", 20, "Dataset dct:spatial"),
    Indicator("temporal", "Findability", "time-based search", 20, "Dataset dct:temporal"),
    Indicator(
        "access_url", "Accessibility", "access URL accessible", 50, "Distribution dcat:accessURL"
    ),
    Indicator("download_url", "Accessibility", "download URL", 20, "Distribution dcat:downloadURL"),
    Indicator(
        "download_url_ok",
        "Accessibility",
        "download URL accessible",
        30,
        "Distribution dcat:downloadURL",
    ),
    Indicator("format", "Interoperability", "format", 20, "Distribution dct:format"),
    Indicator("media_type", "Interoperability", "media type", 10, "Distribution dcat:mediaType"),
    Indicator(
        "vocabulary",
        "Interoperability",
        "format and media type from the vocabularies",
        10,
        "Distribution dct:format and dcat:mediaType",
    ),
    Indicator("non_proprietary", "Interoperability", "non-proprietary format", 20, "Distribution"),
    Indicator(
        "machine_readable", "Interoperability", "machine-readable format", 20, "Distribution"
    ),
    Indicator("dcat_ap", "Interoperability", "DCAT-AP compliance", 30, "Dataset"),
    Indicator("license", "Reusability", "licence information", 20, "Distribution dct:license"),
    Indicator(
        "license_vocabulary", "Reusability", "licence vocabulary", 10, "Distribution dct:license"
    ),
    Indicator(
        "access_rights", "Reusability", "access restrictions", 10, "Dataset dct:accessRights"
    ),
    Indicator(
        "access_rights_vocabulary",
        "Reusability",
        "access restrictions vocabulary",
        5,
        "Dataset dct:accessRights",
    ),
    Indicator("contact_point", "Reusability", "contact point", 20, "Dataset dcat:contactPoint"),
    Indicator("publisher", "Reusability", "publisher", 10, "Dataset dct:publisher"),
    Indicator("rights", "Contextuality", "rights", 5, "Distribution dct:rights"),
    Indicator("byte_size", "Contextuality", "file size", 5, "Distribution dcat:byteSize"),
    Indicator("issued", "Contextuality", "date of issue", 5, "Distribution and Dataset dct:issued"),
    Indicator(
        "modified",
        "Contextuality",
        "modification date",
        5,
        "Distribution and Dataset dct:modified",
    ),
)
WEIGHTS = {i.key: i.weight for i in INDICATORS}
MAXIMUM = sum(WEIGHTS.values())
DIMENSIONS = ("Findability", "Accessibility", "Interoperability", "Reusability", "Contextuality")


def band(total: float) -> str:
    """The MQA's rating of a total: Excellent 351-405, Good 221-350, Sufficient 121-220, Bad."""
    if total > 350:
        return "Excellent"
    if total > 220:
        return "Good"
    if total > 120:
        return "Sufficient"
    return "Bad"


@dataclass
class Score:
    """The points of one dataset on every indicator (``points[key]``, at most its weight)."""

    dataset: URIRef
    title: str
    points: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        """The sum of the points (0-405), rounded to two decimals."""
        return round(sum(self.points.values()), 2)

    @property
    def band(self) -> str:
        """Excellent, Good, Sufficient or Bad."""
        return band(self.total)

    def dimension(self, name: str) -> float:
        """The points of one dimension."""
        return round(sum(self.points[i.key] for i in INDICATORS if i.dimension == name), 2)

    def missing(self) -> list[str]:
        """What the dataset lacks: one line per indicator below its weight."""
        lines = []
        for i in INDICATORS:
            got = self.points.get(i.key, 0.0)
            if got < i.weight:
                lines.append(
                    f"{i.dimension} / {i.label}: {got:g} of {i.weight} (computed on {i.computed_on})"
                )
        return lines

    def explain(self) -> str:
        """The total, the band and what is missing, as text."""
        head = f"{self.dataset} ({self.title}): {self.total:g}/{MAXIMUM} {self.band}"
        return "\n  ".join([head, *self.missing(), *self.notes])


def table(scores: Iterable[Score]) -> str:
    """A text table of scores: one row per dataset, a column per dimension, total and band."""
    rows = [("dataset", *(d[:6] for d in DIMENSIONS), "total", "band")]
    for s in scores:
        rows.append(
            (
                str(s.dataset),
                *(f"{s.dimension(d):g}" for d in DIMENSIONS),
                f"{s.total:g}",
                s.band,
            )
        )
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows)


# --- vocabularies -------------------------------------------------------------------------


@cache
def _graph(name: str) -> Graph:
    return Graph().parse(VOCABULARIES / name, format="xml")


@cache
def licences() -> frozenset[str]:
    """The EDP licence vocabulary: its concepts and every IRI they match exactly."""
    g = _graph("edp-licences-skos.rdf")
    known = {str(s) for s in g.subjects(RDF.type, SKOS.Concept)}
    for prop in (SKOS.exactMatch, OWL.sameAs):
        for s, o in g.subject_objects(prop):
            known.update((str(s), str(o)))
    return frozenset(known)


@cache
def access_rights() -> frozenset[str]:
    """The concepts of the EU access-right table."""
    g = _graph("access-right-skos.rdf")
    return frozenset(str(s) for s in g.subjects(RDF.type, SKOS.Concept))


@cache
def _format_list(name: str) -> frozenset[str]:
    return frozenset(str(s) for s in set(_graph(name).subjects()) if str(s).startswith(FILE_TYPE))


def machine_readable_formats() -> frozenset[str]:
    """The file types the EDP lists as machine-readable."""
    return _format_list("edp-machine-readable-format.rdf")


def non_proprietary_formats() -> frozenset[str]:
    """The file types the EDP lists as non-proprietary."""
    return _format_list("edp-non-proprietary-format.rdf")


@cache
def media_types() -> frozenset[str]:
    """The IANA media types (``type/subtype``, lower case) of the EDP's copies of IANA's lists."""
    known = set()
    for path in sorted(VOCABULARIES.glob("edp-mediatype-*.csv")):
        kind = path.stem.removeprefix("edp-mediatype-")
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                name = (row.get("Name") or "").split(" ")[0].strip()
                if name:
                    known.add(f"{kind}/{name}".lower())
                if row.get("Template"):
                    known.add(row["Template"].strip().lower())
    return frozenset(known)


def media_type_of(value: Node) -> str | None:
    """``type/subtype`` of an IANA media-type IRI, or None for anything else."""
    text = str(value)
    for prefix in IANA_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :].lower()
    return None


# --- scoring ------------------------------------------------------------------------------


def description(graph: Graph, node: Node) -> set[Node]:
    """The nodes of ``node``'s description: it and every node reachable from it."""
    seen: set[Node] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(o for o in graph.objects(n, None) if not isinstance(o, Literal))
    return seen


class DcatApCheck:
    """DCAT-AP compliance of the datasets of one graph: pyshacl once, then per dataset."""

    def __init__(self, graph: Graph, shapes: Graph) -> None:
        from pyshacl import validate  # deferred: only the compliance check needs pyshacl

        _conforms, report, _text = validate(graph, shacl_graph=shapes, advanced=True)
        self.graph = graph
        self.failing: dict[Node, list[str]] = {}
        for r in report.subjects(SH.resultSeverity, SH.Violation):
            focus = report.value(r, SH.focusNode)
            text = f"{focus} {report.value(r, SH.resultPath)}: {report.value(r, SH.resultMessage)}"
            self.failing.setdefault(focus, []).append(text)

    def violations(self, dataset: URIRef) -> list[str]:
        """The violations with their focus in the dataset's description."""
        nodes = description(self.graph, dataset)
        return sorted(m for n in nodes & self.failing.keys() for m in self.failing[n])

    def __call__(self, dataset: URIRef) -> bool:
        """Whether no violation has its focus in the dataset's description."""
        return not (description(self.graph, dataset) & self.failing.keys())


class Scorer:
    """Scores the datasets of one graph; fetches each URL once."""

    def __init__(
        self, graph: Graph, fetch: Fetch, compliant: Callable[[URIRef], bool] | bool
    ) -> None:
        self.graph = graph
        self.fetch = fetch
        self.compliant = compliant
        self.status: dict[str, int] = {}

    def _ok(self, url: Node) -> bool:
        key = str(url)
        if key not in self.status:
            try:
                self.status[key] = self.fetch(key)
            except Exception:  # a URL that cannot be fetched is not accessible
                self.status[key] = 0
        return 200 <= self.status[key] < 400

    def score(self, dataset: URIRef) -> Score:
        """The points of one dataset."""
        g = self.graph
        has = lambda node, prop: g.value(node, prop) is not None  # noqa: E731
        title = str(g.value(dataset, DCTERMS.title) or "")
        dists = sorted(set(g.objects(dataset, DCAT.distribution)), key=str)
        points: dict[str, float] = {}

        def share(test: Callable[[Node], bool], nodes: list[Node] = dists) -> float:
            return sum(1 for n in nodes if test(n)) / len(nodes) if nodes else 0.0

        def put(key: str, fraction: float) -> None:
            points[key] = round(WEIGHTS[key] * fraction, 2)

        put("keyword", has(dataset, DCAT.keyword))
        put("theme", has(dataset, DCAT.theme))
        put("spatial", has(dataset, DCTERMS.spatial))
        put("temporal", has(dataset, DCTERMS.temporal))
        put("access_url", share(lambda d: self._all_ok(d, DCAT.accessURL)))
        put("download_url", share(lambda d: has(d, DCAT.downloadURL)))
        put("download_url_ok", share(lambda d: self._all_ok(d, DCAT.downloadURL)))
        put("format", share(lambda d: has(d, DCTERMS.format)))
        put("media_type", share(lambda d: has(d, DCAT.mediaType)))
        put("vocabulary", share(self._aligned))
        put("non_proprietary", share(lambda d: self._listed(d, non_proprietary_formats())))
        put("machine_readable", share(lambda d: self._listed(d, machine_readable_formats())))
        ok = self.compliant if isinstance(self.compliant, bool) else self.compliant(dataset)
        put("dcat_ap", ok)
        put("license", share(lambda d: has(d, DCTERMS.license)))
        put(
            "license_vocabulary",
            share(lambda d: any(str(v) in licences() for v in g.objects(d, DCTERMS.license))),
        )
        put("access_rights", has(dataset, DCTERMS.accessRights))
        put(
            "access_rights_vocabulary",
            any(str(v) in access_rights() for v in g.objects(dataset, DCTERMS.accessRights)),
        )
        put("contact_point", has(dataset, DCAT.contactPoint))
        put("publisher", has(dataset, DCTERMS.publisher))
        put("rights", share(lambda d: has(d, DCTERMS.rights)))
        put("byte_size", share(lambda d: has(d, DCAT.byteSize)))
        both = [dataset, *dists]
        put("issued", share(lambda n: has(n, DCTERMS.issued), both))
        put("modified", share(lambda n: has(n, DCTERMS.modified), both))
        notes = []
        if isinstance(self.compliant, DcatApCheck):
            notes = [f"DCAT-AP: {v}" for v in self.compliant.violations(dataset)]
        return Score(dataset, title, points, notes)

    def _all_ok(self, dist: Node, prop: URIRef) -> bool:
        urls = list(self.graph.objects(dist, prop))
        return bool(urls) and all(self._ok(u) for u in urls)

    def _aligned(self, dist: Node) -> bool:
        formats = list(self.graph.objects(dist, DCTERMS.format))
        medias = list(self.graph.objects(dist, DCAT.mediaType))
        known = machine_readable_formats() | non_proprietary_formats()
        return (
            bool(formats)
            and bool(medias)
            and all(str(f) in known for f in formats)
            and all(media_type_of(m) in media_types() for m in medias)
        )

    def _listed(self, dist: Node, listed: frozenset[str]) -> bool:
        if any(str(f) in listed for f in self.graph.objects(dist, DCTERMS.format)):
            return True
        for m in self.graph.objects(dist, DCAT.mediaType):
            kind = media_type_of(m)
            if kind in MEDIA_FILE_TYPES and FILE_TYPE + MEDIA_FILE_TYPES[kind] in listed:
                return True
        return False


def datasets(graph: Graph) -> list[URIRef]:
    """The graph's ``dcat:Dataset`` IRIs, sorted."""
    return sorted(
        (d for d in set(graph.subjects(RDF.type, DCAT.Dataset)) if isinstance(d, URIRef)), key=str
    )


def score_graph(
    graph: Graph, fetch: Fetch, shapes: Graph | None = None, compliant: bool | None = None
) -> dict[URIRef, Score]:
    """The score of every dataset of ``graph``: DCAT-AP compliance from ``shapes`` (pyshacl,
    once for the graph) or, without shapes, the flag ``compliant``."""
    if shapes is not None:
        check: Callable[[URIRef], bool] | bool = DcatApCheck(graph, shapes)
    elif compliant is not None:
        check = compliant
    else:
        raise ValueError("score_graph needs the DCAT-AP shapes or a compliance flag")
    scorer = Scorer(graph, fetch, check)
    return {d: scorer.score(d) for d in datasets(graph)}
