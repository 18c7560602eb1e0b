"""Matching speed for 100,000 synthetic subscribers (``python -m bench.match``).

The population follows the real audience roughly: most are municipal doctors with their
municipality as region (all 357 municipalities, larger ones weighted up), some follow a
county, some are statsforvaltere following their office, the rest follow the whole country.
Each follows 1-8 subtopics drawn with a skewed popularity (vaksinasjon and forskrifter far more
than innreise), with a cadence mix of 20 % immediate, 60 % daily, 20 % weekly.

Prints the median over repetitions of: building the index (region keys included), matching a
national change, a change about one municipality, and an urgent change about one county.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from feeds.classify import load_gazetteer, load_taxonomy
from subscribers.match import SubscriptionIndex, SubscriptionRow, change_keys, subscriber_keys


def population(n: int, seed: int = 7) -> tuple[list[SubscriptionRow], dict[int, frozenset[str]]]:
    rng = random.Random(seed)
    gaz = load_gazetteer()
    slugs = sorted(load_taxonomy().slugs())
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(slugs))]
    municipalities = [number for number, _ in gaz.municipalities()]
    m_weights = [rng.paretovariate(1.2) for _ in municipalities]
    counties = [number for number, _ in gaz.counties()]
    offices = [slug for slug, _ in gaz.offices()]
    county_of = {m: gaz.county_of_municipality(m) for m in municipalities}
    rows: list[SubscriptionRow] = []
    places: dict[int, frozenset[str]] = {}
    for sid in range(1, n + 1):
        kind = rng.random()
        if kind < 0.70:
            region = rng.choices(municipalities, m_weights)[0]
            places[sid] = subscriber_keys(region, (), county_of)
        elif kind < 0.80:
            places[sid] = subscriber_keys(rng.choice(counties))
        elif kind < 0.85:
            places[sid] = subscriber_keys(None, gaz.counties_of_office(rng.choice(offices)))
        for slug in set(rng.choices(slugs, weights, k=rng.randint(1, 8))):
            cadence = rng.choices(("immediate", "daily", "weekly"), (2, 6, 2))[0]
            rows.append(SubscriptionRow(sid, slug, cadence))
    return rows, places


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    gaz = load_gazetteer()
    county_of = {m: gaz.county_of_municipality(m) for m, _ in gaz.municipalities()}
    rows, places = population(args.subscribers)
    print(f"{args.subscribers} subscribers, {len(rows)} subscriptions")
    build, index = median_ms(lambda: SubscriptionIndex(rows, places), max(3, args.repeat // 3))
    print(f"build index:                         median {build:8.2f} ms")
    cases = [
        ("national change (2 subtopics)", ("vaksinasjon", "forskrifter_regelverk"), (), False),
        ("one municipality (Stavanger 1103)", ("vaksinasjon", "testing"), ("1103",), False),
        ("urgent, one county (Rogaland 11)", ("isolasjon",), ("11",), True),
    ]
    for label, subtopics, regions, urgent in cases:
        scope = change_keys(regions, county_of)
        took, found = median_ms(lambda: index.match(subtopics, urgent, scope), args.repeat)  # noqa: B023
        print(f"match {label:35} median {took:8.2f} ms  ({len(found)} recipients)")


if __name__ == "__main__":
    main()
