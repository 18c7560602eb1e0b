"""Matching: which subscriptions a classified change reaches. Pure and indexed.

The index maps each subtopic to the subscriptions that follow it, so matching one change costs
the number of its subtopics plus the number of candidate subscriptions, not the number of
subscribers.

Regions. A change with no regions is national: it reaches everyone whose subtopics match. A
change with regions (municipality numbers, 4 digits; county numbers, 2 digits) reaches, among
the subscribers whose subtopics match:

- subscribers without a region (they follow the whole country);
- a subscriber of a municipality, when the change names that municipality, or its county as
  a whole (the county without any of its municipalities: the classifier tags a municipality
  with its county too, so ``["11", "1103"]`` is Stavanger's news);
- a subscriber of a county, when the change names the county or any municipality in it;
- a statsforvalter, when the change names one of the counties of their office or any
  municipality in them.

So a change about Stavanger (1103) reaches Stavanger, Rogaland (11) and Statsforvalteren i
Rogaland, but not Haugesund (1106); a change about Rogaland as a whole reaches all of them.

Both sides are reduced to small sets of *keys* so the test is one set intersection:
``m:<municipality>`` (the change names this municipality), ``c:<county>`` (the change names
the county as a whole) and ``in:<county>`` (the change concerns something in this county).
Callers pass the municipality→county and office→counties mappings in as plain data, because
``subscribers`` knows nothing of the gazetteer.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CADENCE_RANK = {"immediate": 0, "daily": 1, "weekly": 2}
NATIONWIDE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SubscriptionRow:
    subscriber_id: int
    subtopic: str
    cadence: str
    channel: str = "email"


@dataclass(frozen=True)
class Match:
    """One subscriber reached through one channel, at the most immediate cadence that matched."""

    subscriber_id: int
    channel: str
    cadence: str
    subtopics: tuple[str, ...]


def subscriber_keys(
    region: str | None,
    office_counties: Iterable[str] = (),
    county_of: Mapping[str, str] | None = None,
) -> frozenset[str]:
    """The keys a subscriber answers to; empty means the whole country.

    ``region`` is a municipality (4 digits) or county (2 digits) number; ``office_counties``
    are the counties of a statsforvalter's office; ``county_of`` maps municipality numbers to
    their county (an unknown municipality then matches only changes naming it)."""
    keys = {f"in:{county}" for county in office_counties}
    if region and len(region) == 4:
        keys.add(f"m:{region}")
        county = (county_of or {}).get(region)
        if county:
            keys.add(f"c:{county}")
    elif region:
        keys.add(f"in:{region}")
    return frozenset(keys)


def change_keys(regions: Iterable[str], county_of: Mapping[str, str]) -> frozenset[str]:
    """The keys a change with these regions reaches; empty means national.

    A county counts as named "as a whole" (``c:``) only when none of the change's
    municipalities lies in it: the classifier tags a municipality with its county too
    (guidelines R1), so ``["11", "1103"]`` is Stavanger's news, not every municipality's in
    Rogaland (``in:11`` still reaches those who follow the county or its office)."""
    codes = [code for code in regions if code]
    named = {county_of[code] for code in codes if len(code) == 4 and code in county_of}
    keys: set[str] = set()
    for code in codes:
        if len(code) == 4:
            keys.add(f"m:{code}")
            county = county_of.get(code)
            if county:
                keys.add(f"in:{county}")
        else:
            keys.add(f"in:{code}")
            if code not in named:
                keys.add(f"c:{code}")
    return frozenset(keys)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector while a burst of small acyclic objects is made: with
    a large index alive, its passes cost more than the matching itself (bench/match.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


CADENCES_BY_RANK = tuple(sorted(CADENCE_RANK, key=CADENCE_RANK.__getitem__))


class SubscriptionIndex:
    """Subscriptions of confirmed subscribers, indexed by subtopic, with each subscriber's
    region keys (``subscriber_keys``); a subscriber missing from ``places`` is nationwide.
    Entries are kept as plain (subscriber, channel, cadence rank) tuples: the match loop is
    the hot path."""

    def __init__(
        self,
        rows: Iterable[SubscriptionRow],
        places: Mapping[int, frozenset[str]] | None = None,
    ) -> None:
        self._by_subtopic: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        with _no_gc_pauses():
            for row in rows:
                entry = (row.subscriber_id, row.channel, CADENCE_RANK[row.cadence])
                self._by_subtopic[row.subtopic].append(entry)
        self._places = {sid: keys for sid, keys in (places or {}).items() if keys}

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_subtopic.values())

    def _candidates(self, subtopic: str, scope: frozenset[str]) -> list[tuple[int, str, int]]:
        entries = self._by_subtopic.get(subtopic, [])
        if not scope:
            return entries
        places = self._places
        return [e for e in entries if (k := places.get(e[0])) is None or not k.isdisjoint(scope)]

    def match(
        self, subtopics: Iterable[str], urgent: bool = False, scope: frozenset[str] = NATIONWIDE
    ) -> list[Match]:
        """Recipients of a change with these subtopics and region ``scope`` (``change_keys``;
        empty: national). An urgent change is immediate for all."""
        with _no_gc_pauses():
            return self._match(subtopics, urgent, scope)

    def _match(self, subtopics: Iterable[str], urgent: bool, scope: frozenset[str]) -> list[Match]:
        best: dict[tuple[int, str], list[Any]] = {}
        for subtopic in dict.fromkeys(subtopics):
            for sid, channel, rank in self._candidates(subtopic, scope):
                found = best.get((sid, channel))
                if found is None:
                    best[(sid, channel)] = [0 if urgent else rank, [subtopic]]
                    continue
                found[1].append(subtopic)
                if rank < found[0]:
                    found[0] = rank
        return [
            Match(sid, channel, CADENCES_BY_RANK[rank], tuple(subs))
            for (sid, channel), (rank, subs) in sorted(best.items())
        ]
