"""The ISO/IEC 33020 rating scale."""

from __future__ import annotations

import itertools
from decimal import Decimal

from rdflib import RDF, SKOS, Literal
from rdflib.collection import Collection

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


def test_ordered_collection(framework):
    head = framework.value(ID["rating/order"], SKOS.memberList)
    assert list(Collection(framework, head)) == [rating(c) for c, *_ in EXPECTED]


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
