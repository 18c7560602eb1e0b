"""Matching: which subscriptions a classified change reaches. Pure and indexed.

The index maps each subtopic to the subscriptions that follow it, so matching one change costs
the number of its subtopics plus the number of matched subscriptions, not the number of
subscribers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

CADENCE_RANK = {"immediate": 0, "daily": 1, "weekly": 2}


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


class SubscriptionIndex:
    """Subscriptions of confirmed subscribers, indexed by subtopic."""

    def __init__(self, rows: Iterable[SubscriptionRow]) -> None:
        self._by_subtopic: dict[str, list[SubscriptionRow]] = defaultdict(list)
        for row in rows:
            self._by_subtopic[row.subtopic].append(row)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_subtopic.values())

    def match(self, subtopics: Iterable[str], urgent: bool = False) -> list[Match]:
        """Recipients of a change with these subtopics; an urgent change is immediate for all."""
        best: dict[tuple[int, str], tuple[str, list[str]]] = {}
        for subtopic in dict.fromkeys(subtopics):
            for row in self._by_subtopic.get(subtopic, ()):
                key = (row.subscriber_id, row.channel)
                cadence = "immediate" if urgent else row.cadence
                found = best.get(key)
                if found is None:
                    best[key] = (cadence, [subtopic])
                    continue
                found[1].append(subtopic)
                if CADENCE_RANK[cadence] < CADENCE_RANK[found[0]]:
                    best[key] = (cadence, found[1])
        return [
            Match(sid, channel, cadence, tuple(subs))
            for (sid, channel), (cadence, subs) in sorted(best.items())
        ]
