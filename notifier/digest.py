"""Digest composition: the changes a subscriber gets in one message, grouped by subtopic.

Pure: it takes plain values and returns a ``Digest``. Sending and staff preview both call it
(through ``notifier.plan``), so a preview is exactly what will be sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ChangeView:
    id: int
    source_name: str
    authority: str
    title: str
    url: str
    kind: str
    section: tuple[str, ...]
    summary: str
    segments: tuple[tuple[str, str], ...]
    detected_at: datetime
    subtopics: tuple[str, ...]
    urgent: bool = False
    #: another source's different text on a story the recipient has had (``plan.one_per_story``)
    story_update: bool = False


@dataclass(frozen=True)
class Recipient:
    subscriber_id: int
    email: str
    name: str = ""
    language: str = "nb"


@dataclass(frozen=True)
class DigestSection:
    subtopic: str
    label: str
    changes: tuple[ChangeView, ...]


@dataclass(frozen=True)
class Digest:
    recipient: Recipient
    cadence: str  # immediate | daily | weekly
    period: str  # 2026-11-23 | 2026-W48 | s<snapshot id> for alerts
    sections: tuple[DigestSection, ...]
    channel: str = "email"
    #: when a digest of a run the service missed fell due (it is sent late, and says so);
    #: None: on time
    late_since: datetime | None = None

    @property
    def kind(self) -> str:
        return "alert" if self.cadence == "immediate" else "digest"

    @property
    def changes(self) -> tuple[ChangeView, ...]:
        return tuple(c for s in self.sections for c in s.changes)

    @property
    def change_ids(self) -> tuple[int, ...]:
        return tuple(c.id for c in self.changes)

    @property
    def idempotency_key(self) -> str:
        return (
            f"{self.kind}:{self.recipient.subscriber_id}:{self.channel}:"
            f"{self.cadence}:{self.period}"
        )


def period_key(cadence: str, now: datetime, timezone: str) -> str:
    """The period a digest covers, in local time: a date, or an ISO week."""
    local = now.astimezone(ZoneInfo(timezone))
    if cadence == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def compose(
    recipient: Recipient,
    cadence: str,
    period: str,
    changes: Sequence[ChangeView],
    subtopic_order: Sequence[str],
    labels: Mapping[str, str],
    late_since: datetime | None = None,
) -> Digest | None:
    """Group changes under the subtopic of the recipient's that fits each best; None if
    empty. A change's subtopics come best fit first (the classifier orders them by score), so
    an item mainly on testing that also touches vaccination is filed under testing for a
    reader of both, whatever the order the reader chose them in. Sections follow the reader's
    order; within a section, urgent changes first, then newest first."""
    groups: dict[str, list[ChangeView]] = {s: [] for s in subtopic_order}
    for change in changes:
        home = next((s for s in change.subtopics if s in groups), None)
        if home is not None:
            groups[home].append(change)
    sections = tuple(
        DigestSection(
            subtopic=slug,
            label=labels.get(slug, slug),
            changes=tuple(
                sorted(items, key=lambda c: (not c.urgent, -c.detected_at.timestamp(), c.id))
            ),
        )
        for slug, items in groups.items()
        if items
    )
    if not sections:
        return None
    return Digest(recipient, cadence, period, sections, late_since=late_since)
