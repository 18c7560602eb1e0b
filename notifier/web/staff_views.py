"""What the staff pages for changes and the review queue show, read from the database: the
filtered list of changes, one change with the reasons for its tags and who received it, and
the review queue. Queries live here, so the templates only show values.

Pure helpers (``parse_filter``, ``waiting_words``, ``reason_groups``, ``cadence_of``) take
values; the query functions take a session and write nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import load_only
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from feeds.detect.history import PENDING
from feeds.store.models import Change, Source
from notifier.numbers import digits
from notifier.outbox import Delivery, DeliveryItem
from notifier.review import HELD, PUBLISHED, SUPPRESSED

PAGE_SIZE = 50
#: pending: a page change waiting for its re-check (feeds/confirm.py), listed as such
STATUSES = (PUBLISHED, HELD, SUPPRESSED, PENDING)
#: the most recipients listed on a change's page (the counts always cover all)
RECIPIENTS_LISTED = 500


@dataclass(frozen=True)
class ChangeFilter:
    """The filters of the changes list; the query names are Norwegian (they show in the URL)."""

    source: int | None = None
    authority: str = ""
    subtopic: str = ""
    region: str = ""
    status: str = ""
    urgent: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def params(self, page: int | None = None) -> dict[str, str]:
        values = {
            "kilde": str(self.source) if self.source is not None else "",
            "myndighet": self.authority,
            "underemne": self.subtopic,
            "omrade": self.region,
            "status": self.status,
            "haster": {True: "ja", False: "nei", None: ""}[self.urgent],
            "fra": self.date_from.isoformat() if self.date_from else "",
            "til": self.date_to.isoformat() if self.date_to else "",
        }
        page = self.page if page is None else page
        if page > 1:
            values["side"] = str(page)
        return {k: v for k, v in values.items() if v}

    def query(self, page: int | None = None) -> str:
        return urlencode(self.params(page))

    @property
    def active(self) -> bool:
        return bool(replace(self, page=1).params())


def parse_filter(
    params: Mapping[str, str],
    *,
    sources: Iterable[int],
    authorities: Iterable[str],
    subtopics: Iterable[str],
    regions: Iterable[str],
) -> tuple[ChangeFilter, dict[str, str]]:
    """The filter the query asks for, and the fields it could not use (field -> error key:
    ``unknown`` for a value not on the list, ``date`` for a date that is not one, ``range``
    for a "to" before "from"). A field in error filters nothing."""
    errors: dict[str, str] = {}

    def pick(name: str, allowed: Iterable[str]) -> str:
        value = params.get(name, "").strip()
        if value and value not in set(allowed):
            errors[name] = "unknown"
            return ""
        return value

    source: int | None = None
    raw_source = params.get("kilde", "").strip()
    if raw_source:
        number = digits(raw_source)
        if number is not None and number in set(sources):
            source = number
        else:
            errors["kilde"] = "unknown"

    def day(name: str) -> date | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors[name] = "date"
            return None

    urgent = {"ja": True, "nei": False}.get(params.get("haster", ""))
    if params.get("haster", "") not in ("", "ja", "nei"):
        errors["haster"] = "unknown"
    date_from, date_to = day("fra"), day("til")
    if date_from and date_to and date_to < date_from:
        errors["til"] = "range"
        date_to = None
    raw_page = params.get("side", "1")
    page = digits(raw_page, 5) or 1  # 1-99999; "²", "٣", 0 or 40 digits: the first page
    found = ChangeFilter(
        source=source,
        authority=pick("myndighet", authorities),
        subtopic=pick("underemne", subtopics),
        region=pick("omrade", regions),
        status=pick("status", STATUSES),
        urgent=urgent,
        date_from=date_from,
        date_to=date_to,
        page=page,
    )
    return found, errors


def _json_has(column: object, value: str) -> ColumnElement[bool]:
    """A JSON list column holds this string (a slug or a region number: letters, digits, _ and
    -). The list is stored as JSON text on SQLite and as ``json`` on PostgreSQL; its text
    form holds the value in quotes either way."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.cast(column, sa.Text).like(f'%"{escaped}"%', escape="\\")


def _local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


def find_changes(
    session: Session,
    f: ChangeFilter,
    *,
    timezone: str,
    municipalities_of: Mapping[str, Sequence[str]],
    page_size: int = PAGE_SIZE,
) -> tuple[list[Change], int]:
    """One page of the changes the filter selects, newest first, and how many it selects in
    all. A county selects the changes tagged with it or with one of its municipalities
    (``municipalities_of``: county number -> municipality numbers); dates are local days."""
    conditions: list[ColumnElement[bool]] = []
    if f.source is not None:
        conditions.append(col(Change.source_id) == f.source)
    if f.authority:
        ids = select(Source.id).where(Source.authority == f.authority)
        conditions.append(col(Change.source_id).in_(ids))
    if f.subtopic:
        conditions.append(_json_has(Change.subtopics, f.subtopic))
    if f.region:
        codes = [f.region, *municipalities_of.get(f.region, ())]
        conditions.append(sa.or_(*(_json_has(Change.regions, code) for code in codes)))
    if f.status:
        conditions.append(col(Change.status) == f.status)
    if f.urgent is not None:
        conditions.append(col(Change.urgent) == f.urgent)
    if f.date_from:
        conditions.append(col(Change.detected_at) >= _local_midnight(f.date_from, timezone))
    if f.date_to:
        end = _local_midnight(f.date_to + timedelta(days=1), timezone)
        conditions.append(col(Change.detected_at) < end)
    total = session.exec(select(func.count()).select_from(Change).where(*conditions)).one()
    rows = session.exec(
        select(Change)
        .where(*conditions)
        .order_by(col(Change.detected_at).desc(), col(Change.id).desc())
        .offset((f.page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total)


def sources_by_id(session: Session, ids: Iterable[int] | None = None) -> dict[int, Source]:
    """Sources by id: those given, or all."""
    stmt = select(Source)
    if ids is not None:
        wanted = set(ids)
        if not wanted:
            return {}
        stmt = stmt.where(col(Source.id).in_(wanted))
    return {s.id: s for s in session.exec(stmt) if s.id is not None}


# ---------------------------------------------------------------- reasons for the tags


@dataclass(frozen=True)
class TagReasons:
    """One tag of a change (a subtopic, a region, or urgency) and why the classifier gave it."""

    kind: str  # subtopic | region | urgent | other
    key: str
    label: str
    reasons: tuple[str, ...]


def reason_groups(
    change: Change,
    subtopic_labels: Mapping[str, str],
    region_name: Mapping[str, str],
    urgent_label: str,
) -> tuple[list[TagReasons], list[TagReasons]]:
    """The change's tags, each with its reasons (``Change.reasons`` holds "slug: reason",
    "region number: reason" and "haster: reason"; docs/classification.md), in the order the
    tags stand; and the reasons for tags the change no longer has (removed by staff)."""
    by_key: dict[str, list[str]] = {}
    for line in change.reasons:
        key, sep, text = line.partition(": ")
        if not sep:
            key, text = "", line
        by_key.setdefault(key, []).append(text)
    current: list[TagReasons] = []
    for slug in change.subtopics:
        label = subtopic_labels.get(slug, slug)
        current.append(TagReasons("subtopic", slug, label, tuple(by_key.pop(slug, ()))))
    for code in change.regions:
        name = region_name.get(code, code)
        current.append(TagReasons("region", code, name, tuple(by_key.pop(code, ()))))
    urgent_reasons = tuple(by_key.pop("haster", ()))
    if change.urgent:
        current.append(TagReasons("urgent", "haster", urgent_label, urgent_reasons))
    former: list[TagReasons] = []
    if urgent_reasons and not change.urgent:
        former.append(TagReasons("urgent", "haster", urgent_label, urgent_reasons))
    for key, texts in by_key.items():
        if key in subtopic_labels:
            former.append(TagReasons("subtopic", key, subtopic_labels[key], tuple(texts)))
        elif key in region_name:
            former.append(TagReasons("region", key, region_name[key], tuple(texts)))
        else:
            former.append(TagReasons("other", key, key, tuple(texts)))
    return current, former


# ---------------------------------------------------------------- who received a change


@dataclass(frozen=True)
class RecipientRow:
    delivery_id: int
    address: str
    channel: str
    cadence: str
    status: str
    sent_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Reach:
    """Who a change was written to the outbox for: counts per (channel, cadence) and
    per message status, and the first ``RECIPIENTS_LISTED`` recipients."""

    counts: list[tuple[str, str, int]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    rows: list[RecipientRow] = field(default_factory=list)
    total: int = 0


def cadence_of(idempotency_key: str, kind: str) -> str:
    """A message's cadence, from its key (``kind:subscriber:channel:cadence:period``,
    notifier.digest.Digest.idempotency_key); an alert is "immediate"."""
    parts = idempotency_key.split(":")
    if len(parts) >= 5 and parts[3] in ("immediate", "daily", "weekly"):
        return parts[3]
    return "immediate" if kind == "alert" else "digest"


CADENCE_ORDER = {"immediate": 0, "daily": 1, "weekly": 2}


def reach(session: Session, change_id: int, listed: int = RECIPIENTS_LISTED) -> Reach:
    fields: tuple[Any, ...] = (
        Delivery.id, Delivery.to_address, Delivery.channel, Delivery.kind,
        Delivery.idempotency_key, Delivery.status, Delivery.sent_at, Delivery.created_at,
    )  # fmt: skip
    rows = session.exec(
        select(Delivery)
        .options(load_only(*fields))
        .join(DeliveryItem, col(DeliveryItem.delivery_id) == col(Delivery.id))
        .where(DeliveryItem.change_id == change_id)
        .order_by(col(Delivery.created_at), col(Delivery.id))
    ).all()
    counts: Counter[tuple[str, str]] = Counter()
    statuses: Counter[str] = Counter()
    out: list[RecipientRow] = []
    for d in rows:
        cadence = cadence_of(d.idempotency_key, d.kind)
        counts[(d.channel, cadence)] += 1
        statuses[d.status] += 1
        if len(out) < listed and d.id is not None:
            out.append(
                RecipientRow(
                    d.id, d.to_address, d.channel, cadence, d.status, d.sent_at, d.created_at
                )
            )
    ordered = sorted(counts.items(), key=lambda kv: (kv[0][0], CADENCE_ORDER.get(kv[0][1], 9)))
    return Reach(
        counts=[(channel, cadence, n) for (channel, cadence), n in ordered],
        statuses=dict(statuses),
        rows=out,
        total=len(rows),
    )


# ---------------------------------------------------------------- the review queue


def waiting_words(waited: timedelta, lang: str) -> str:
    """How long a held change has waited, as an editor says it: "venter i 3 dager"."""
    nn = lang == "nn"
    verb = "ventar i" if nn else "venter i"
    hours = int(waited.total_seconds() // 3600)
    if hours < 1:
        return f"{verb} under ein time" if nn else f"{verb} under en time"
    if hours < 48:
        unit = "time" if hours == 1 else ("timar" if nn else "timer")
        return f"{verb} {hours} {unit}"
    days = hours // 24
    return f"{verb} {days} {'dagar' if nn else 'dager'}"


#: the catalogue's authority keys as people write them (the same in bokmål and nynorsk)
AUTHORITY_NAMES = {
    "fhi": "Folkehelseinstituttet",
    "helsedirektoratet": "Helsedirektoratet",
    "lovdata": "Lovdata",
    "regjeringen": "Regjeringen",
    "statsforvalteren": "Statsforvalteren",
}


def authority_name(key: str) -> str:
    return AUTHORITY_NAMES.get(key, key)
