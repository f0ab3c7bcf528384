"""Media types and Accept negotiation: pure functions.

>>> choose("text/turtle;q=0.5, application/ld+json", ["text/turtle", "application/ld+json"])
'application/ld+json'
>>> choose("*/*", ["text/html", "text/turtle"])
'text/html'
>>> choose("image/png", ["text/turtle"]) is None
True
>>> choose("", ["text/turtle"])
'text/turtle'
>>> choose("application/json", ["text/turtle", "application/ld+json"])
'application/ld+json'
>>> choose("application/json, application/ld+json;q=0", ["application/ld+json"]) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import formats

#: SPARQL SELECT/ASK result formats, first is the default
RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
]
#: RDF serialisations (CONSTRUCT/DESCRIBE, downloads, graphs, dereferencing), in the order
#: content negotiation offers them
RDF_TYPES = formats.RDF_MEDIA_TYPES
#: media type -> (rdflib format, file extension)
RDF_FORMATS = formats.FORMAT_BY_SERVED_TYPE
#: file extension -> media type
EXTENSIONS = formats.MEDIA_TYPE_BY_EXTENSION
#: request body media types we can parse -> rdflib format
PARSEABLE = formats.FORMAT_BY_MEDIA_TYPE
#: an offered media type -> one a client may name for it: JSON-LD is JSON (RFC 6839), and many
#: JSON-LD clients send ``Accept: application/json``; where plain JSON is not offered as well,
#: they get JSON-LD (labelled ``application/ld+json``) rather than 406
ALIASES = {"application/ld+json": "application/json"}


@dataclass(frozen=True)
class Range:
    """One media range of an Accept header, with its q-value, its number of other parameters
    and its place in the header."""

    type: str
    subtype: str
    q: float
    params: int
    order: int

    def matches(self, media: str) -> bool:
        """Whether the range covers the media type ``media``."""
        mtype, _, msub = media.partition("/")
        if self.type == "*":
            return True
        if self.type != mtype:
            return False
        return self.subtype in ("*", msub)

    @property
    def specificity(self) -> int:
        """How specific the range is: ``*/*`` 0, ``type/*`` 1, ``type/subtype`` 2 and one more
        per parameter."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + self.params


def parse_accept(header: str | None) -> list[Range]:
    """Parse an Accept header; malformed parts are ignored, q defaults to 1."""
    ranges = []
    for order, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        mtype, _, msub = media.partition("/")
        q = 1.0
        params = 0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key.strip():
                params += 1
        ranges.append(Range(mtype.strip(), msub.strip(), q, params, order))
    return ranges


def quality(ranges: list[Range], media: str) -> float:
    """The q-value the most specific matching range gives ``media`` (0 when none)."""
    best: Range | None = None
    for r in ranges:
        if r.matches(media) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers; the first offered when there is no Accept;
    ``None`` when nothing offered is acceptable (answer 406). A type in :data:`ALIASES` is
    also given the q-value of a range naming its alias exactly, unless the alias is offered
    itself."""
    if not header or not header.strip():
        return offered[0] if offered else None
    ranges = parse_accept(header)
    if not ranges:
        return offered[0] if offered else None
    scored = [(_aliased_quality(ranges, m, offered), -i, m) for i, m in enumerate(offered)]
    q, _, media = max(scored)
    return media if q > 0 else None


def _aliased_quality(ranges: list[Range], media: str, offered: list[str]) -> float:
    """The q-value of ``media``; when the header does not name ``media`` itself, the better of
    that and the q-value of its alias named exactly (not through a wildcard)."""
    q = quality(ranges, media)
    alias = ALIASES.get(media)
    if alias is None or alias in offered or any(_names(r, media) for r in ranges):
        return q
    return max([q, *(r.q for r in ranges if _names(r, alias))])


def _names(r: Range, media: str) -> bool:
    """Whether the range names ``media`` exactly (no wildcard)."""
    return r.specificity >= 2 and r.matches(media)


def base_media(content_type: str | None) -> tuple[str, dict[str, str]]:
    """``text/turtle; charset=utf-8`` -> (``text/turtle``, {``charset``: ``utf-8``})."""
    if not content_type:
        return "", {}
    parts = [p.strip() for p in content_type.split(";")]
    params = {}
    for p in parts[1:]:
        key, _, value = p.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return parts[0].lower(), params
