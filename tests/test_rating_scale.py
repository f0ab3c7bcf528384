"""The ISO/IEC 33020 rating scale."""

from __future__ import annotations

import itertools
from decimal import Decimal

from rdflib import RDF, SKOS, Literal
from rdflib.namespace import DCTERMS

from bpfgraph.vocab import BPF, ID, RATING_SCHEME, rating

EXPECTED = [
    ("N", "not achieved", 0, 15),
    ("P", "partially achieved", 15, 50),
    ("L", "largely achieved", 50, 85),
    ("F", "fully achieved", 85, 100),
]


def test_four_ratings_in_order(framework):
    concepts = set(framework.objects(RATING_SCHEME, SKOS.hasTopConcept))
    assert concepts == {rating(c) for c, *_ in EXPECTED}
    for i, (code, label, low, high) in enumerate(EXPECTED, 1):
        r = rating(code)
        assert (r, RDF.type, SKOS.Concept) in framework
        assert framework.value(r, SKOS.notation) == Literal(code)
        assert framework.value(r, SKOS.prefLabel) == Literal(label, lang="en")
        assert framework.value(r, BPF.ordinal).toPython() == i
        assert framework.value(r, BPF.minAchievement).toPython() == Decimal(low)
        assert framework.value(r, BPF.maxAchievement).toPython() == Decimal(high)
        assert framework.value(r, SKOS.definition) is not None


def test_the_order_is_the_ordinal(framework):
    """The ratings' order is bpf:ordinal (no skos:OrderedCollection: its RDF list is not
    OWL 2 DL), and the scale cites ISO/IEC 33020 as a document, not as text."""
    ordered = sorted(
        framework.objects(RATING_SCHEME, SKOS.hasTopConcept),
        key=lambda r: framework.value(r, BPF.ordinal).toPython(),
    )
    assert ordered == [rating(c) for c, *_ in EXPECTED]
    source = framework.value(RATING_SCHEME, DCTERMS.source)
    assert source == ID["document/iso-iec-33020-2019"]
    assert (source, RDF.type, BPF.ReferenceDocument) in framework


def test_ranges_are_contiguous(framework):
    bounds = [
        (
            framework.value(rating(c), BPF.minAchievement).toPython(),
            framework.value(rating(c), BPF.maxAchievement).toPython(),
        )
        for c, *_ in EXPECTED
    ]
    assert bounds[0][0] == 0 and bounds[-1][1] == 100
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
