"""Bulk import and export of subscribers as CSV (staff side).

Columns: ``email,name,role,region,subtopics,cadence`` and optionally ``office`` (the
statsforvalter office slug). ``subtopics`` is a list separated by ``;`` (or spaces); an entry
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

COLUMNS = ("email", "name", "role", "region", "subtopics", "cadence", "office")
REQUIRED = ("email", "role", "subtopics")


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


@dataclass
class ImportReport:
    imported: int = 0
    suppressed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"line {number}: {message}" for number, message in self.errors]


def parse_row(values: Mapping[str, str], vocab: Vocabulary) -> Row:
    """One CSV record as a ``Row``; raises ``SubscriberError`` saying what to fix."""
    email = normalise_email(values.get("email") or "")
    role = (values.get("role") or "").strip()
    if role not in ROLES:
        raise SubscriberError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    region = (values.get("region") or "").strip() or None
    if region is not None and region.isdigit() and len(region) == 3:
        region = region.zfill(4)  # spreadsheets drop the leading zero of 0301
    if region is not None and region.isdigit() and len(region) == 1:
        region = region.zfill(2)
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
    name = (values.get("name") or "").strip()
    return Row(email, name, role, region, office, choices)


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
        add_subscriber(
            session, row.email, role=row.role, subtopics=slugs, cadence=cadence,
            known_subtopics=slugs, name=row.name, region=row.region, office=row.office,
        )  # fmt: skip


def export_csv(session: Session, out: TextIO | None = None) -> str:
    """Every subscriber with an address (erased ones are left out), one line each, in the
    import format plus a ``confirmed`` column; returns the text when ``out`` is None."""
    buffer = io.StringIO()
    writer = csv.writer(out or buffer, lineterminator="\n")
    writer.writerow((*COLUMNS, "confirmed"))
    subs: dict[int, list[Subscription]] = defaultdict(list)
    for s in session.exec(select(Subscription).order_by(col(Subscription.id))):
        subs[s.subscriber_id].append(s)
    for person in session.exec(select(Subscriber).order_by(col(Subscriber.email))):
        if person.email.endswith("@invalid") or person.id is None:
            continue
        rows = subs.get(person.id, [])
        writer.writerow(
            (person.email, person.name, person.role, person.region or "",
             ";".join(f"{s.subtopic}:{s.cadence}" for s in rows), _common(rows),
             person.office or "", "yes" if person.confirmed_at else "no")
        )  # fmt: skip
    return buffer.getvalue()


def _common(rows: Iterable[Subscription]) -> str:
    cadences = {s.cadence for s in rows}
    return cadences.pop() if len(cadences) == 1 else ""
