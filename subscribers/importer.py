"""Bulk import and export of subscribers as CSV (staff side).

Columns: ``email,name,role,region,subtopics,cadence`` and optionally ``office`` (the
statsforvalter office slug) and the schedule columns ``digest_hour``, ``digest_weekday``,
``quiet_start``, ``quiet_end`` (read by ``subscribers.validate``: an empty cell keeps what is
stored, ``standard`` restores the service's default hour or weekday, ``ingen`` in both quiet
columns removes quiet hours). ``subtopics`` is a list separated by ``;`` (or spaces); an entry
may carry its own cadence as ``slug:cadence``, otherwise the ``cadence`` column applies
(default ``daily``). Imported subscribers are confirmed (staff vouch for them); the import is
idempotent (a second run changes nothing); an erased address (suppression list) is never
resubscribed, nor one suppressed after repeated bounces (``subscribers.suppression``); every
address goes through ``subscribers.validate``; every line with a problem is reported with its
number and what to fix, and the other lines are still imported.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from sqlmodel import Session, col, select

from subscribers.models import CADENCES, ROLES, Subscriber, Subscription
from subscribers.service import SubscriberError, add_subscriber, normalise_email
from subscribers.suppression import BOUNCED, suppression_reason
from subscribers.validate import (
    NO_QUIET_WORDS,
    WEEKDAYS_NB,
    NameRefused,
    ScheduleError,
    check_name,
    check_quiet,
    parse_hour,
    parse_quiet_hour,
    parse_weekday,
    region_number,
)

COLUMNS = ("email", "name", "role", "region", "subtopics", "cadence", "office")
#: optional: when a subscriber's digests come and their quiet hours for push
SCHEDULE_COLUMNS = ("digest_hour", "digest_weekday", "quiet_start", "quiet_end")
REQUIRED = ("email", "role", "subtopics")


#: what a spreadsheet reads as the start of a formula ("CSV injection"): a name typed into the
#: public form as ``=HYPERLINK("https://...";"Klikk")`` would run in the console user's
#: spreadsheet when the export is opened
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(text: str) -> str:
    """A cell as exported: one a spreadsheet would read as a formula gets a leading ``'``,
    which spreadsheets show as text and ``unguard_cell`` reads back off (as does one that
    would otherwise lose its own leading ``'`` on import)."""
    if text.startswith(FORMULA_START) or unguard_cell(text) != text:
        return "'" + text
    return text


def unguard_cell(text: str) -> str:
    """A cell as imported: the ``'`` that ``guard_cell`` (or a spreadsheet) put before a
    formula character is dropped; anything else as it is."""
    if text.startswith("'") and text[1:].startswith((*FORMULA_START, "'")):
        return text[1:]
    return text


@dataclass(frozen=True)
class Vocabulary:
    """What a line may name, handed in as plain data (subscribers/ knows no gazetteer)."""

    canonical: Callable[[str], str]  # slug or alias -> slug; KeyError when unknown
    regions: frozenset[str]
    offices: frozenset[str]


@dataclass(frozen=True)
class Row:
    email: str
    name: str
    role: str
    region: str | None
    office: str | None
    choices: Mapping[str, str]  # subtopic -> cadence
    #: the schedule fields a line sets (``Subscriber`` attribute -> value, None: the default
    #: or no quiet hours); a field left out is kept as stored
    schedule: Mapping[str, int | None] = field(default_factory=dict)


@dataclass
class ImportReport:
    imported: int = 0
    suppressed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"line {number}: {message}" for number, message in self.errors]


def parse_row(values: Mapping[str, str], vocab: Vocabulary) -> Row:
    """One CSV record as a ``Row``; raises ``SubscriberError`` saying what to fix."""
    email = normalise_email(unguard_cell(values.get("email") or ""))
    role = (values.get("role") or "").strip()
    if role not in ROLES:
        raise SubscriberError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    region = (values.get("region") or "").strip() or None
    if region is not None:
        region = region_number(region)
    if region is not None and region not in vocab.regions:
        raise SubscriberError(f"unknown municipality or county number {region!r}")
    office = (values.get("office") or "").strip() or None
    if office is not None and office not in vocab.offices:
        known = ", ".join(sorted(vocab.offices))
        raise SubscriberError(f"unknown statsforvalter office {office!r}; use one of {known}")
    default = (values.get("cadence") or "").strip() or "daily"
    choices: dict[str, str] = {}
    for entry in (values.get("subtopics") or "").replace(";", " ").split():
        slug, _, cadence = entry.partition(":")
        cadence = cadence or default
        if cadence not in CADENCES:
            raise SubscriberError(f"cadence must be one of {', '.join(CADENCES)}, not {cadence!r}")
        try:
            choices[vocab.canonical(slug)] = cadence
        except KeyError:
            raise SubscriberError(
                f"unknown subtopic {slug!r}; see 'notifier subtopics' for the list"
            ) from None
    if not choices:
        raise SubscriberError("give at least one subtopic in the subtopics column")
    try:
        name = check_name(unguard_cell(values.get("name") or ""))
    except NameRefused as exc:
        raise SubscriberError(str(exc)) from None
    try:
        schedule = parse_schedule(values)
    except ScheduleError as exc:
        raise SubscriberError(str(exc)) from None
    return Row(email, name, role, region, office, choices, schedule)


def parse_schedule(values: Mapping[str, str | None]) -> dict[str, int | None]:
    """The schedule columns of a record: the ``Subscriber`` fields to set. Empty cells keep
    what is stored; ``ScheduleError`` says what to fix."""

    def cell(key: str) -> str:
        value = values.get(key)
        return value.strip() if isinstance(value, str) else ""

    out: dict[str, int | None] = {}
    if cell("digest_hour"):
        out["digest_hour"] = parse_hour(cell("digest_hour"))
    if cell("digest_weekday"):
        out["digest_weekday"] = parse_weekday(cell("digest_weekday"))
    start, end = cell("quiet_start"), cell("quiet_end")
    if start or end:
        if start.lower() in NO_QUIET_WORDS and end.lower() in NO_QUIET_WORDS:
            out["quiet_start"] = out["quiet_end"] = None
        else:
            hours = check_quiet(
                parse_quiet_hour(start) if start else None,
                parse_quiet_hour(end) if end else None,
            )
            assert hours is not None
            out["quiet_start"], out["quiet_end"] = hours
    return out


def import_csv(session: Session, stream: TextIO, vocab: Vocabulary) -> ImportReport:
    """Import every good line (the caller commits); report the others."""
    report = ImportReport()
    reader = csv.DictReader(stream)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        report.errors.append((1, f"missing column(s) {', '.join(missing)}; the header must "
                                 f"name {','.join(COLUMNS)}"))  # fmt: skip
        return report
    for values in reader:
        number = reader.line_num
        try:
            row = parse_row(values, vocab)
        except SubscriberError as exc:
            report.errors.append((number, str(exc)))
            continue
        reason = suppression_reason(session, row.email)
        if reason is not None:
            report.suppressed += 1
            why = "bounced repeatedly (suppressed)" if reason == BOUNCED else "asked to be erased"
            report.errors.append((number, f"{row.email} {why}; not imported"))
            continue
        try:
            _apply(session, row)
        except SubscriberError as exc:
            report.errors.append((number, str(exc)))
            continue
        report.imported += 1
    return report


def _apply(session: Session, row: Row) -> None:
    by_cadence: dict[str, list[str]] = defaultdict(list)
    for slug, cadence in row.choices.items():
        by_cadence[cadence].append(slug)
    for cadence, slugs in by_cadence.items():
        person = add_subscriber(
            session, row.email, role=row.role, subtopics=slugs, cadence=cadence,
            known_subtopics=slugs, name=row.name, region=row.region, office=row.office,
        )  # fmt: skip
    for name, value in row.schedule.items():
        setattr(person, name, value)
    session.add(person)


def export_csv(session: Session, out: TextIO | None = None, *, schedule: bool | None = None) -> str:
    """Every subscriber with an address (erased ones are left out), one line each, in the
    import format plus a ``confirmed`` column; returns the text when ``out`` is None. The
    schedule columns are written when ``schedule`` is true, or (None) when any subscriber
    chose an hour, a weekday or quiet hours; an empty cell there is the default."""
    buffer = io.StringIO()
    writer = csv.writer(out or buffer, lineterminator="\n")
    if schedule is None:
        schedule = _any_schedule(session)
    extra = SCHEDULE_COLUMNS if schedule else ()
    writer.writerow((*COLUMNS, *extra, "confirmed"))
    subs: dict[int, list[Subscription]] = defaultdict(list)
    for s in session.exec(select(Subscription).order_by(col(Subscription.id))):
        subs[s.subscriber_id].append(s)
    for person in session.exec(select(Subscriber).order_by(col(Subscriber.email))):
        if person.email.endswith("@invalid") or person.id is None:
            continue
        rows = subs.get(person.id, [])
        times = tuple(_cell(person, name) for name in extra)
        cells = (
            person.email, person.name, person.role, person.region or "",
            ";".join(f"{s.subtopic}:{s.cadence}" for s in rows), _common(rows),
            person.office or "", *times, "yes" if person.confirmed_at else "no",
        )  # fmt: skip
        writer.writerow(guard_cell(cell) for cell in cells)
    return buffer.getvalue()


def _cell(person: Subscriber, name: str) -> str:
    """A schedule cell as the import reads it back (a weekday by its bokmål name)."""
    value = getattr(person, name)
    if value is None:
        return ""
    return WEEKDAYS_NB[value] if name == "digest_weekday" else str(value)


def _any_schedule(session: Session) -> bool:
    chosen = session.exec(
        select(Subscriber.id)
        .where(
            col(Subscriber.digest_hour).is_not(None)
            | col(Subscriber.digest_weekday).is_not(None)
            | col(Subscriber.quiet_start).is_not(None)
        )
        .limit(1)
    ).first()
    return chosen is not None


def _common(rows: Iterable[Subscription]) -> str:
    cadences = {s.cadence for s in rows}
    return cadences.pop() if len(cadences) == 1 else ""
