"""Staff preview: the next alert or digest of a subscriber, or of a described segment, made by
the same planning (``notifier.plan``), composition (``notifier.digest.compose``) and rendering
(``ctx.renderer``) as the sender, and the test copy staff may send to themselves.

Nothing here writes but ``send_test``, which adds one message of kind ``test`` to the outbox
to the staff address, carrying no changes: nothing is recorded as delivered to anyone.

A segment (role, region, subtopics, cadence, language) is a synthetic recipient that is never
stored: its subscriptions go into a match index of their own, matched against the same
candidate changes with the same rules (region scope, urgent changes immediate for all, one
message per story), and the digest is composed and rendered as any other. It is taken as
subscribed long ago and sent nothing yet, so it sees every candidate change it matches.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from notifier.context import Context
from notifier.digest import Digest, Recipient, compose, period_key
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery, enqueue
from notifier.plan import (
    candidate_changes,
    change_views,
    county_map,
    one_per_story,
    plan,
)
from notifier.web.links import attach
from subscribers.match import SubscriptionIndex, SubscriptionRow, change_keys, subscriber_keys
from subscribers.models import CADENCES, ROLES, Subscriber

#: the subscriber id of a segment's synthetic recipient (no stored subscriber has it)
SEGMENT_ID = 0
#: the address shown as a segment's recipient
SEGMENT_ADDRESS = "mottaker@segment.invalid"
TEST_KIND = "test"
TEST_PREFIX = "[TEST] "
#: headers a test copy leaves out: one click in the staff member's mail program must never
#: unsubscribe the subscriber whose message it copies
TEST_DROPPED_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")
_NONCE = re.compile(r"^[0-9a-f]{16,64}$")


class PreviewError(ValueError):
    """The request cannot be previewed; ``code`` names why (texts are the caller's)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Segment:
    """A described group of recipients: nothing of it is stored."""

    role: str
    region: str | None
    subtopics: tuple[str, ...]
    cadence: str
    language: str = "nb"


@dataclass(frozen=True)
class Preview:
    """What would be sent: the digest and its rendered message, or None for both when
    nothing is due. ``recipient`` names whom it is for."""

    recipient: Recipient
    cadence: str
    digest: Digest | None
    message: OutgoingMessage | None


def check_segment(
    segment: Segment, subtopics: Collection[str], regions: Collection[str]
) -> list[str]:
    """What is wrong with a segment (codes of ``PreviewError``), empty when it is valid."""
    problems = []
    if segment.role not in ROLES:
        problems.append("role")
    if segment.region and segment.region not in regions:
        problems.append("region")
    if not segment.subtopics or any(s not in subtopics for s in segment.subtopics):
        problems.append("subtopics")
    if segment.cadence not in CADENCES:
        problems.append("cadence")
    if segment.language not in ("nb", "nn"):
        problems.append("language")
    return problems


def _render(ctx: Context, digest: Digest | None, now: datetime) -> OutgoingMessage | None:
    if digest is None:
        return None
    if ctx.renderer.links is None:
        attach(ctx)
    return ctx.renderer.render(digest, now)


def for_subscriber(
    ctx: Context, session: Session, subscriber: Subscriber, cadence: str, now: datetime
) -> Preview:
    """The message this subscriber would get next at this cadence: ``notifier.plan.plan``
    for this subscriber alone (exactly what ``compose_digests`` plans for them now, or the
    alert of the changes not sent to them yet), rendered by the sender's renderer."""
    if cadence not in CADENCES:
        raise PreviewError("cadence")
    assert subscriber.id is not None
    changes = candidate_changes(session, cadence, now)
    found = plan(ctx, session, cadence, now, changes, subscriber.id)
    digest = found[0] if found else None
    recipient = Recipient(subscriber.id, subscriber.email, subscriber.name, subscriber.language)
    return Preview(recipient, cadence, digest, _render(ctx, digest, now))


def for_segment(ctx: Context, session: Session, segment: Segment, now: datetime) -> Preview:
    """The message a new member of this segment would get next: the same candidate changes,
    matching rules, story rule, composition and rendering as for a stored subscriber."""
    counties = county_map(ctx)
    rows = [SubscriptionRow(SEGMENT_ID, slug, segment.cadence) for slug in segment.subtopics]
    places = {SEGMENT_ID: subscriber_keys(segment.region, (), counties)}
    index = SubscriptionIndex(rows, places)
    wanted = []
    for change in candidate_changes(session, segment.cadence, now):
        scope = change_keys(change.regions, counties)
        found = index.match(ctx.with_umbrellas(change.subtopics), change.urgent, scope)
        if any(m.cadence == segment.cadence for m in found):
            wanted.append(change)
    kept = one_per_story(wanted, set())
    fresh = [c for c, _ in kept]
    updates: set[int | None] = {c.id for c, is_update in kept if is_update}
    period = period_key(segment.cadence, now, ctx.settings.timezone)
    if segment.cadence == "immediate" and fresh:
        period = f"s{min(c.snapshot_id for c in fresh)}"
    language = "nn" if segment.language == "nn" else "nb"
    labels = (
        {s.slug: s.label_nn for s in ctx.taxonomy.subtopics} if language == "nn" else ctx.labels()
    )
    recipient = Recipient(SEGMENT_ID, SEGMENT_ADDRESS, "", language)
    digest = compose(
        recipient, segment.cadence, period, change_views(ctx, session, fresh, updates),
        list(segment.subtopics), labels,
    )  # fmt: skip
    return Preview(recipient, segment.cadence, digest, _render(ctx, digest, now))


def _unsigned(base_url: str, text: str, html: str, replacement: str) -> tuple[str, str]:
    """``text`` and ``html`` with every signed preferences or one-click link of this site
    replaced (``_signed_link``): found by their form, not by signing the recipient's links
    again, which differ from the rendered ones once the day (their expiry) has turned."""
    pattern = _signed_link(base_url)
    return pattern.sub(replacement, text), pattern.sub(replacement, html)


def _signed_link(base_url: str) -> re.Pattern[str]:
    """A link to a page opened by a subscriber's signed token (``/innstillinger/<token>``
    and what lies under it, ``/u/<token>``), with its query, up to where a URL ends."""
    base = re.escape(base_url.rstrip("/"))
    return re.compile(base + r"/(?:innstillinger|u)/[^\s\"'<>()]+")


def without_personal_links(ctx: Context, preview: Preview, replacement: str) -> Preview:
    """The preview with the recipient's signed links (preferences, one-click unsubscribe)
    replaced and the List-Unsubscribe headers left out: for staff who may read a subscriber's
    next message but must not hold the keys to their data (role ``redaktor``)."""
    message = preview.message
    if message is None:
        return preview
    text, html = _unsigned(ctx.settings.base_url, message.text, message.html, replacement)
    headers = {k: v for k, v in message.headers.items() if k not in TEST_DROPPED_HEADERS}
    return replace(preview, message=replace(message, text=text, html=html, headers=headers))


def staff_copy(ctx: Context, preview: Preview, to: str, key: str) -> OutgoingMessage:
    """The previewed message addressed to ``to``, its subject marked ``[TEST] ``, under its
    own key. The recipient's personal links (preferences, one-click unsubscribe) are replaced
    by a link to the preview page, and the List-Unsubscribe headers are left out: a click in
    the test never acts on the subscriber."""
    message = preview.message
    if message is None:
        raise PreviewError("nothing")
    inert = f"{ctx.settings.base_url.rstrip('/')}/staff/forhandsvisning"
    text, html = _unsigned(ctx.settings.base_url, message.text, message.html, inert)
    headers = {k: v for k, v in message.headers.items() if k not in TEST_DROPPED_HEADERS}
    return replace(
        message, to=to, subject=TEST_PREFIX + message.subject, text=text, html=html,
        idempotency_key=key, headers=headers,
    )  # fmt: skip


def staff_copy_key(staff_id: int, nonce: str) -> str:
    """The outbox key of one test send: one per staff member and click (the form's nonce),
    so a form posted twice sends once. ``PreviewError("nonce")`` for a malformed nonce."""
    if not _NONCE.match(nonce):
        raise PreviewError("nonce")
    return f"{TEST_KIND}:{staff_id}:{nonce}"


def send_copy(session: Session, message: OutgoingMessage, now: datetime) -> Delivery | None:
    """Queue the test copy (no subscriber, no changes: nothing counts as delivered to
    anyone); None when this key was queued already. The caller commits."""
    return enqueue(session, message, kind=TEST_KIND, subscriber_id=None, now=now)


def search_subscribers(
    session: Session, query: str, places: dict[str, str], limit: int = 20
) -> list[Subscriber]:
    """Confirmed or not, erased ones left out: subscribers whose address or name contains
    ``query`` (any case), or whose municipality or county is named by it (``places`` maps
    a place number to its name)."""
    text = query.strip().lower()
    if not text:
        return []
    codes = [code for code, name in places.items() if text in name.lower() or text == code]
    like = f"%{_escape_like(text)}%"
    clauses = [
        col(Subscriber.email_key).like(like, escape="\\"),
        col(Subscriber.email).ilike(like, escape="\\"),
        col(Subscriber.name).ilike(like, escape="\\"),
    ]
    if codes:
        clauses.append(col(Subscriber.region).in_(codes))
    rows = session.exec(
        select(Subscriber)
        .where(or_(*clauses), col(Subscriber.email_key).is_not(None))
        .order_by(col(Subscriber.email))
        .limit(limit)
    ).all()
    return list(rows)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
