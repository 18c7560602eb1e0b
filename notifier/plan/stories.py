"""One story, one message: the same story seen on several sources reaches a recipient once
when it says the same, and what the outbox has carried of a story counts as told."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from feeds.detect.story import content_key
from feeds.store.models import Change
from notifier.channels.protocol import EMAIL
from notifier.outbox import DeliveryItem


def one_per_story(
    changes: Sequence[Change], told: set[tuple[str, str]]
) -> list[tuple[Change, bool]]:
    """The same story seen on several sources (a press release on regjeringen.no and the news
    item about it on helsedirektoratet.no) reaches a recipient once when it says the same:
    the first seen (earliest, then lowest id) is kept, and a later change of the story with
    the same content (``feeds.story.content_key``), or one sent before, is left out. A change
    of a known story that says something else is kept and flagged as an update (True).
    Changes without a story pass."""
    seen = set(told)
    stories = {key for key, _ in told}
    kept = []
    for change in sorted(changes, key=lambda c: (c.detected_at, c.id or 0)):
        if change.story_key:
            pair = (change.story_key, _content(change))
            if pair in seen:
                continue
            update = change.story_key in stories
            seen.add(pair)
            stories.add(change.story_key)
            kept.append((change, update))
        else:
            kept.append((change, False))
    return kept


def _content(change: Change) -> str:
    return content_key(change.after or change.summary)


def _stories_sent(
    session: Session, subscriber_ids: set[int], changes: Sequence[Change], channel: str = EMAIL
) -> set[tuple[int, str, str]]:
    """(subscriber, story key, content key) of what is already in the outbox through this
    channel, for the stories of these changes."""
    keys = {c.story_key for c in changes if c.story_key}
    if not keys or not subscriber_ids:
        return set()
    rows = session.exec(
        select(DeliveryItem.subscriber_id, Change.story_key, Change.after, Change.summary)
        .join(Change, col(Change.id) == col(DeliveryItem.change_id))
        .where(
            col(DeliveryItem.subscriber_id).in_(subscriber_ids),
            col(Change.story_key).in_(keys),
            DeliveryItem.channel == channel,
        )
    ).all()
    return {(sid, key, content_key(after or summary)) for sid, key, after, summary in rows if key}
