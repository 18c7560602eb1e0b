"""What a CSV import would do, computed without writing anything (the console's preview).

``plan_import`` reads the file as ``subscribers.importer.import_csv`` does (the same header
check, the same ``csv.DictReader`` and line numbers) and runs each record through the
importer's own rule, ``importer.parse_row`` (address through ``subscribers.validate``, role,
region, office, subtopics, cadences, digest hour and weekday, quiet hours), then through the
same suppression rule (``suppression.suppression_reason``) and the same look-up
(``service.find_subscriber``). What ``service.add_subscriber`` would then change is simulated
on plain data, line by line, so two lines for one address in a file are planned as the import
applies them: the second updates what the first created. Only ``SELECT``s are issued; nothing
is added to or flushed in the session.

So the importer decides what is accepted; this module only names the outcome of each line:

- ``add``: a new, confirmed subscriber;
- ``change``: an existing subscriber whose fields or subscriptions change (each listed);
- ``same``: an existing subscriber the line leaves as it is (the import is idempotent);
- ``refused``: ``parse_row`` refused the line, or the subscriber is suppressed after bounces
  (``add_subscriber`` refuses it); ``reason`` is a code the console words in Norwegian;
- ``suppressed``: the address is on the suppression list (``erased`` or ``bounced``) and is
  skipped.

``ImportPlan.digest`` fingerprints the outcome; the console shows a preview, keeps the file
with the digest, and applies the file only while a fresh plan has the same digest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, select

from subscribers.importer import (
    COLUMNS,
    REQUIRED,
    SCHEDULE_COLUMNS,
    Row,
    Vocabulary,
    parse_row,
    parse_schedule,
    unguard_cell,
)
from subscribers.models import CADENCES, ROLES, Subscription
from subscribers.service import SubscriberError, find_subscriber
from subscribers.suppression import suppression_reason
from subscribers.validate import (
    WEEKDAYS_NB,
    AddressError,
    NameRefused,
    ScheduleError,
    check_name,
    region_number,
    validate_address,
)

ADD, CHANGE, SAME, REFUSED, SUPPRESSED = "add", "change", "same", "refused", "suppressed"
ACTIONS = (ADD, CHANGE, SAME, REFUSED, SUPPRESSED)

#: why a line is refused (``PlannedLine.reason`` of a ``refused`` line)
REASONS = (
    "email_invalid",  # subscribers.validate refused the address
    "email_local_unicode",  # letters such as æ, ø, å before the @-sign
    "role",
    "region",
    "office",
    "cadence",
    "subtopic",
    "no_subtopics",
    "name",  # a control or format character in the name, or more than 200 characters
    "hour",  # digest_hour is not a whole hour 0-23 (subscribers.validate)
    "weekday",  # digest_weekday is not a weekday
    "quiet",  # quiet_start/quiet_end: not two different hours, or only one given
    "bounced_subscriber",  # add_subscriber refuses a subscriber suppressed after bounces
    "unreadable",  # parse_row refused it for a reason not named above (should not happen)
)


@dataclass(frozen=True)
class PlannedLine:
    """One record of the file and what the import would do with it. ``changes`` lists
    (field, before, after) for a ``change``: ``email``, ``name``, ``role``, ``region``,
    ``office``, ``confirmed``, ``digest_hour`` (0-23, "" for the default),
    ``digest_weekday`` (``mandag`` ... ``søndag``, "" for the default), ``quiet`` (``22-7``, "" for
    none) or ``subscription:<slug>`` (a cadence, "" when none)."""

    line: int
    action: str
    email: str
    changes: tuple[tuple[str, str, str], ...] = ()
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ImportPlan:
    lines: tuple[PlannedLine, ...] = ()
    #: the whole file is refused: ``missing_columns`` (detail: the columns), ``csv`` (detail:
    #: the line number), ``empty``
    fatal: str = ""
    fatal_detail: str = ""

    def counts(self) -> dict[str, int]:
        found = Counter(line.action for line in self.lines)
        return {action: found.get(action, 0) for action in ACTIONS}

    def of(self, action: str) -> list[PlannedLine]:
        return [line for line in self.lines if line.action == action]

    @property
    def applicable(self) -> bool:
        """Whether applying the file would change anything."""
        counts = self.counts()
        return not self.fatal and bool(counts[ADD] or counts[CHANGE])

    def digest(self) -> str:
        """A fingerprint of the whole outcome (pure)."""
        body = json.dumps(
            [self.fatal, self.fatal_detail,
             [[x.line, x.action, x.email, x.changes, x.reason, x.detail] for x in self.lines]],
            ensure_ascii=True, separators=(",", ":"),
        )  # fmt: skip
        return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class _State:
    """A subscriber as the import would leave it so far (plain data)."""

    email: str
    name: str
    role: str
    region: str | None
    office: str | None
    confirmed: bool
    bounced: bool
    subs: dict[str, str] = field(default_factory=dict)
    #: digest_hour, digest_weekday, quiet_start, quiet_end as stored (None: default / none)
    schedule: dict[str, int | None] = field(default_factory=dict)

    def fields(self) -> dict[str, str]:
        hour, weekday = self.schedule.get("digest_hour"), self.schedule.get("digest_weekday")
        start, end = self.schedule.get("quiet_start"), self.schedule.get("quiet_end")
        out = {
            "email": self.email, "name": self.name, "role": self.role,
            "region": self.region or "", "office": self.office or "",
            "confirmed": "yes" if self.confirmed else "no",
            "digest_hour": "" if hour is None else str(hour),
            "digest_weekday": "" if weekday is None else WEEKDAYS_NB[weekday],
            "quiet": "" if start is None or end is None else f"{start}-{end}",
        }  # fmt: skip
        out.update({f"subscription:{slug}": cadence for slug, cadence in self.subs.items()})
        return out


def shown(raw: str, limit: int = 80) -> str:
    """``raw`` safe to show: control and format characters written as ``\\uXXXX``, cut to
    ``limit`` characters (pure)."""
    text = raw if len(raw) <= limit else raw[:limit] + "…"
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp"):
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


def reason_of(values: dict[str | None, object], vocab: Vocabulary) -> tuple[str, str]:
    """Why ``parse_row`` refused this record, as (code, the value concerned), checking in
    ``parse_row``'s order (pure). Used only after ``parse_row`` refused the record."""

    def text(key: str) -> str:
        value = values.get(key)
        return value if isinstance(value, str) else ""

    raw = unguard_cell(text("email"))
    try:
        validate_address(raw)
    except AddressError as exc:
        code = "email_local_unicode" if exc.code == "email_local_unicode" else "email_invalid"
        return code, shown(raw.strip(" "))
    role = text("role").strip()
    if role not in ROLES:
        return "role", shown(role)
    region = region_number(text("region").strip())
    if region and region not in vocab.regions:
        return "region", shown(region)
    office = text("office").strip()
    if office and office not in vocab.offices:
        return "office", shown(office)
    default = text("cadence").strip() or "daily"
    entries = text("subtopics").replace(";", " ").split()
    for entry in entries:
        slug, _, cadence = entry.partition(":")
        if (cadence or default) not in CADENCES:
            return "cadence", shown(cadence or default)
        try:
            vocab.canonical(slug)
        except KeyError:
            return "subtopic", shown(slug)
    if not entries:
        return "no_subtopics", ""
    try:
        check_name(unguard_cell(text("name")))
    except NameRefused:
        return "name", shown(unguard_cell(text("name")).strip())
    return _schedule_reason({key: text(key) for key in SCHEDULE_COLUMNS})


def _schedule_reason(cells: dict[str, str]) -> tuple[str, str]:
    """Why the schedule columns were refused (``unreadable`` when they were not)."""
    try:
        parse_schedule(dict(cells))
    except ScheduleError as exc:
        code = {"hour_invalid": "hour", "weekday_invalid": "weekday"}.get(exc.code, "quiet")
        if code == "quiet":
            return code, shown(f"{cells['quiet_start'].strip()}-{cells['quiet_end'].strip()}")
        return code, shown(cells[f"digest_{code}"].strip())
    return "unreadable", ""


def _load(session: Session, email: str) -> tuple[_State | None, str]:
    """The stored subscriber with this address as plain data (None when there is none), and
    its stored address."""
    person = find_subscriber(session, email)
    if person is None:
        return None, ""
    subs = session.exec(select(Subscription).where(Subscription.subscriber_id == person.id))
    state = _State(
        email=person.email, name=person.name, role=person.role, region=person.region,
        office=person.office, confirmed=person.confirmed_at is not None,
        bounced=person.suppressed_at is not None,
        subs={s.subtopic: s.cadence for s in subs if s.channel == "email"},
        schedule={name: getattr(person, name) for name in SCHEDULE_COLUMNS},
    )  # fmt: skip
    return state, person.email


def _update(state: _State, row: Row, key: str) -> tuple[tuple[str, str, str], ...]:
    """Apply ``row`` to ``state`` as ``service.add_subscriber`` does to a stored subscriber;
    returns (field, before, after) of what changed."""
    before = state.fields()
    if state.email.lower() != key:  # a row stored before the validator
        state.email = row.email
    state.role = row.role
    state.name = row.name or state.name
    state.region = row.region or state.region
    state.office = row.office or state.office
    state.confirmed = True
    state.subs.update(row.choices)
    state.schedule.update(row.schedule)
    return tuple(
        (name, before.get(name, ""), value)
        for name, value in state.fields().items()
        if before.get(name, "") != value
    )


def plan_import(session: Session, text: str, vocab: Vocabulary) -> ImportPlan:
    """What ``import_csv(session, io.StringIO(text, newline=""), vocab)`` would do now."""
    if not text.strip():
        return ImportPlan(fatal="empty")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames or ()
    except csv.Error:
        return ImportPlan(fatal="csv", fatal_detail="1")
    missing = [c for c in REQUIRED if c not in fieldnames]
    if missing:
        return ImportPlan(fatal="missing_columns", fatal_detail=", ".join(missing))
    states: dict[str, _State | None] = {}
    lines: list[PlannedLine] = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            return ImportPlan(fatal="csv", fatal_detail=str(reader.line_num))
        number = reader.line_num
        try:
            row = parse_row(values, vocab)
        except SubscriberError:
            code, detail = reason_of(dict(values), vocab)
            raw = values.get("email")
            email = shown(unguard_cell(raw).strip(" ")) if isinstance(raw, str) else ""
            lines.append(PlannedLine(number, REFUSED, email, reason=code, detail=detail))
            continue
        why = suppression_reason(session, row.email)
        if why is not None:
            lines.append(PlannedLine(number, SUPPRESSED, row.email, reason=why))
            continue
        key = validate_address(row.email).key
        if key not in states:
            states[key] = _load(session, row.email)[0]
        state = states[key]
        if state is not None and state.bounced:
            lines.append(PlannedLine(number, REFUSED, row.email, reason="bounced_subscriber"))
            continue
        if state is None:
            state = _State(
                email=row.email, name=row.name, role=row.role, region=row.region,
                office=row.office, confirmed=True, bounced=False, subs=dict(row.choices),
                schedule=dict(row.schedule),
            )  # fmt: skip
            states[key] = state
            lines.append(PlannedLine(number, ADD, row.email))
            continue
        changes = _update(state, row, key)
        lines.append(PlannedLine(number, CHANGE if changes else SAME, row.email, changes))
    return ImportPlan(tuple(lines))


__all__ = [
    "ACTIONS",
    "ADD",
    "CHANGE",
    "COLUMNS",
    "REASONS",
    "REFUSED",
    "SAME",
    "SUPPRESSED",
    "ImportPlan",
    "PlannedLine",
    "plan_import",
    "reason_of",
    "shown",
]
