"""Generate N synthetic but valid city mappings (about 1,200 triples each).

    python bench/generate.py 100 --out bench/out/mappings-100

Each mapping starts from ``bpfgraph template`` and is filled with a seeded random choice of
adoption statuses, city definitions, ratings and extra action steps, so the files differ
the way real cities' do. Nothing here is used by the package or the tests.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from bpfgraph.template import render

STATUSES = ["adopted", "adopted", "adopted", "planned", "declined"]
RATINGS = ["N", "P", "L", "L", "F"]


def mapping(i: int, seed: int = 0) -> str:
    rnd = random.Random(seed * 1_000_003 + i)
    city = f"https://example.org/city/synthetic-{i:05d}"
    text = render(city, f"Synthetic city {i:05d} mapping")

    def adoption(m: re.Match) -> str:
        status = rnd.choice(STATUSES)
        rating = f" ;\n    bpf:achievementRating <https://w3id.org/bpfgraph/id/rating/{rnd.choice(RATINGS)}>"
        return (
            f"bpf:adoptionStatus <https://w3id.org/bpfgraph/id/adoption-status/{status}> ;\n"
            f'    bpf:cityDefinition "Synthetic definition {rnd.randrange(10**6)} for city {i}."@en'
            + (rating if status == "adopted" else "")
            + " ."
        )

    text = re.sub(
        r"bpf:adoptionStatus <[^>]+/planned> ;\n"
        r'    bpf:cityDefinition "TODO: how the city defines this outcome"@en \.',
        adoption,
        text,
    )
    text = text.replace(
        "    a bpf:SubProcess ;",
        "    a bpf:SubProcess ;\n"
        "    bpf:achievementRating <https://w3id.org/bpfgraph/id/rating/L> ;",
    )
    return text.replace("TODO", f"City {i}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.n):
        (args.out / f"city-{i:05d}.ttl").write_text(mapping(i, args.seed), encoding="utf-8")
    print(f"wrote {args.n} mappings to {args.out}")


if __name__ == "__main__":
    main()
