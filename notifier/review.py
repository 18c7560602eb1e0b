"""Staff review of changes: the queue of held changes and what staff may do to any change.

A change is held (``status = "held"``, ``held_reason``) by the source side's review rules
(docs/detection.md, Review rules). Nothing held is ever sent; nothing held is lost:

- ``approve``: published, and dispatched at the next round to the people it would have reached
  (immediate alerts now, digests at their time, however long it waited);
- ``suppress``: never sent, with the reason staff gave;
- ``edit``: the title and summary subscribers see;
- ``retag``: subtopics, regions and urgency; each correction is kept as a labelled example
  (``label_correction``) that ``export_corrections`` writes in the classifier's format;
- a change held longer than ``NOTIFIER_HOLD_REPORT_AFTER_HOURS`` is mailed to the operators
  once (``report_overdue``).

Every action is written to the audit log with the state before and after. Functions take a
session and leave the commit to the caller, so an action and its audit entry are one
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from feeds.store.models import Change, Source
from notifier import audit
from notifier.models import LabelCorrection, StaffUser

HELD, PUBLISHED, SUPPRESSED = "held", "published", "suppressed"
#: what each hold reason means, in words an editor reads (bokmål, nynorsk)
HELD_REASONS: dict[str, tuple[str, str]] = {
    "mass_deletion": (
        "Mye av innholdet forsvant, og det ble stående ved neste kontroll",
        "Mykje av innhaldet forsvann, og det vart ståande ved neste kontroll",
    ),
    "most_replaced": (
        "Det meste av teksten på siden ble byttet ut på én gang",
        "Det meste av teksten på sida vart bytt ut på ein gong",
    ),
    "feed_replaced": (
        "De fleste sakene i feeden ble byttet ut på én gang",
        "Dei fleste sakene i feeden vart bytte ut på ein gong",
    ),
    "after_outage": (
        "Første endring etter at kilden lenge var nede",
        "Første endring etter at kjelda lenge var nede",
    ),
    "language_variant": (
        "Siden kom på den andre målformen (bokmål/nynorsk), med all tekst byttet ut",
        "Sida kom på den andre målforma (bokmål/nynorsk), med all tekst bytt ut",
    ),
    "teasers_rewritten": (
        "Ingressene til de fleste sakene i listen ble skrevet om på én gang",
        "Ingressane til dei fleste sakene i lista vart skrivne om på ein gong",
    ),
    "items_rewritten": (
        "De fleste sakene i feeden ble skrevet om på én gang (ny mal eller et annet språk)",
        "Dei fleste sakene i feeden vart skrivne om på ein gong (ny mal eller eit anna språk)",
    ),
    "foreign_link": (
        "En ny sak lenker til en adresse som ligner på kildens egen, men er en annen",
        "Ei ny sak lenkjer til ei adresse som liknar på kjelda si eiga, men er ei anna",
    ),
    "empty_item": (
        "En ny sak uten tittel eller tekst (bare kode eller ingenting)",
        "Ei ny sak utan tittel eller tekst (berre kode eller ingenting)",
    ),
    "other_article": (
        "Adressen viser en annen artikkel: ny tittel, og ingen overskrift eller tekst er lik",
        "Adressa viser ein annan artikkel: ny tittel, og inga overskrift eller tekst er lik",
    ),
    "other_site": (
        "Adressen viser samme side fra et annet nettsted (et annet navn i tittelen og teksten)",
        "Adressa viser same side frå ein annan nettstad (eit anna namn i tittelen og teksten)",
    ),
}


class ReviewError(ValueError):
    """The action cannot be taken as asked; the message says why (for staff, in English on the
    command line; the console shows its own Norwegian text per ``code``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Labels:
    subtopics: tuple[str, ...]
    regions: tuple[str, ...]
    urgent: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "subtopics": list(self.subtopics),
            "regions": list(self.regions),
            "urgent": self.urgent,
        }


def labels_of(change: Change) -> Labels:
    return Labels(tuple(change.subtopics), tuple(change.regions), change.urgent)


def queue(session: Session) -> list[Change]:
    """Held changes, the longest waiting first."""
    return list(
        session.exec(
            select(Change)
            .where(Change.status == HELD)
            .order_by(col(Change.held_at), col(Change.detected_at), col(Change.id))
        ).all()
    )


def age(change: Change, now: datetime) -> timedelta:
    """How long a held change has waited."""
    return now - (change.held_at or change.detected_at)


def get(session: Session, change_id: int) -> Change:
    change = session.get(Change, change_id)
    if change is None:
        raise ReviewError("not_found", f"no change with id {change_id}")
    return change


def _snapshot(change: Change) -> dict[str, Any]:
    return {
        "status": change.status,
        "title": change.title,
        "summary": change.summary,
        **labels_of(change).as_dict(),
    }


def approve(session: Session, change_id: int, actor: StaffUser | None, now: datetime) -> Change:
    """Publish a held change; the next dispatch sends it to whom it would have reached."""
    change = get(session, change_id)
    if change.status != HELD:
        raise ReviewError("not_held", f"change {change_id} is {change.status}, not held")
    before = _snapshot(change)
    change.status = PUBLISHED
    change.dispatched_at = None  # the next dispatch plans it like a new change
    _record(session, change, before, actor, now, "change.approve")
    return change


def suppress(
    session: Session, change_id: int, actor: StaffUser | None, reason: str, now: datetime
) -> Change:
    """Never send this change (held or not yet sent); the reason is kept."""
    reason = " ".join(reason.split())
    if not reason:
        raise ReviewError("reason_missing", "give a reason for suppressing the change")
    change = get(session, change_id)
    if change.status == SUPPRESSED:
        raise ReviewError("already_suppressed", f"change {change_id} is suppressed already")
    before = _snapshot(change)
    change.status = SUPPRESSED
    change.suppressed_reason = reason[:1000]
    _record(session, change, before, actor, now, "change.suppress", detail=change.suppressed_reason)
    return change


def edit(
    session: Session,
    change_id: int,
    actor: StaffUser | None,
    now: datetime,
    *,
    title: str,
    summary: str,
) -> Change:
    """Set the title and summary subscribers see (plain text; one line for the title)."""
    title = " ".join(title.split())
    if not title:
        raise ReviewError("title_missing", "a change needs a title")
    if len(title) > 500 or len(summary) > 20_000:
        raise ReviewError("too_long", "the title (500) or the summary (20,000) is too long")
    change = get(session, change_id)
    before = _snapshot(change)
    change.title = title
    change.summary = summary.strip()
    _record(session, change, before, actor, now, "change.edit")
    return change


def retag(
    session: Session,
    change_id: int,
    actor: StaffUser | None,
    now: datetime,
    labels: Labels,
    *,
    known_subtopics: Iterable[str],
    known_regions: Iterable[str],
) -> Change:
    """Set subtopics, regions and urgency; a real correction is kept as a labelled example.
    Digests composed from now on group and address the change by the new labels."""
    unknown = sorted(set(labels.subtopics) - set(known_subtopics))
    if unknown:
        raise ReviewError("subtopic_unknown", f"unknown subtopic(s): {', '.join(unknown)}")
    bad = sorted(set(labels.regions) - set(known_regions))
    if bad:
        raise ReviewError("region_unknown", f"unknown region number(s): {', '.join(bad)}")
    change = get(session, change_id)
    old = labels_of(change)
    # subtopics kept stay in their order (best fit first, as the classifier ranked them:
    # digests file the change under the first one a reader follows); added ones follow
    wanted = dict.fromkeys(labels.subtopics)
    kept = [slug for slug in old.subtopics if slug in wanted]
    new = Labels(
        tuple(kept + [slug for slug in wanted if slug not in kept]),
        tuple(dict.fromkeys(labels.regions)),
        labels.urgent,
    )
    if new == old:
        return change
    before = _snapshot(change)
    change.subtopics = list(new.subtopics)
    change.regions = list(new.regions)
    change.urgent = new.urgent
    session.add(
        LabelCorrection(
            change_id=change_id, at=now, staff_user_id=actor.id if actor else None,
            actor=actor.email if actor else "cli", title=change.title,
            text=change.after or change.summary, url=change.url,
            before=old.as_dict(), after=new.as_dict(),
        )
    )  # fmt: skip
    _record(session, change, before, actor, now, "change.retag")
    return change


def _record(
    session: Session,
    change: Change,
    before: dict[str, Any],
    actor: StaffUser | None,
    now: datetime,
    action: str,
    detail: str = "",
) -> None:
    """Mark the change reviewed and write the action to the audit log, before and after."""
    change.reviewed_at = now
    change.reviewed_by = actor.id if actor else None
    session.add(change)
    audit.record(
        session, now, actor, action, "change", str(change.id),
        before=before, after=_snapshot(change), detail=detail,
    )  # fmt: skip
    session.flush()


def overdue(session: Session, now: datetime, after: timedelta) -> list[Change]:
    """Held changes that have waited longer than ``after`` and were not reported yet."""
    return [c for c in queue(session) if c.held_reported_at is None and age(c, now) > after]


def export_corrections(session: Session, lang: str = "nb") -> Iterator[dict[str, Any]]:
    """Every correction as a labelled example in the format of
    ``feeds/data/labelled/*.jsonl`` (title, text, url, subtopics, regions, urgent),
    with the labels before, who and when; the latest correction of a change wins."""
    rows = session.exec(select(LabelCorrection).order_by(col(LabelCorrection.id))).all()
    latest: dict[int, LabelCorrection] = {}
    for row in rows:
        latest[row.change_id] = row
    for row in sorted(latest.values(), key=lambda r: r.id or 0):
        yield {
            "title": row.title,
            "text": row.text,
            "url": row.url,
            "subtopics": row.after.get("subtopics", []),
            "regions": row.after.get("regions", []),
            "urgent": bool(row.after.get("urgent", False)),
            "split": "staff",
            "lang": lang,
            "before": row.before,
            "corrected_by": row.actor,
            "corrected_at": row.at.isoformat(),
            "change_id": row.change_id,
        }


def source_names(session: Session, changes: Sequence[Change]) -> dict[int, str]:
    ids = {c.source_id for c in changes}
    if not ids:
        return {}
    return {
        s.id: s.name
        for s in session.exec(select(Source).where(col(Source.id).in_(ids)))
        if s.id is not None
    }
