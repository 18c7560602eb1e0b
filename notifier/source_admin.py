"""Staff work on the sources: their health, the reason of a source's last error as a code the
console turns into Norwegian words, a 30-day activity series, and the actions (enable,
disable with a reason, check now).

Activity. Each round adds its checks to ``source_check_hour`` (checks and failed checks per
source and UTC hour, ``feeds.store.count_checks``); the series sums those hours per local
day and counts the changes found (``change.detected_at``) per local day. The hours are
whole in Europe/Oslo (its offsets are whole hours), so every check falls on its local day.

Scheduling. The round of due sources (``feeds.store.select_sources``, used by the service
and ``notifier check`` without keys) takes enabled sources only, so a disabled source is not
checked; "check now" sets ``next_check_at`` to now, so the next round takes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from feeds.store.models import Change, Source, SourceCheckHour

DAYS = 30
REASON_MAX = 500


class SourceActionError(ValueError):
    """An action that cannot be done; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sources(session: Session) -> list[Source]:
    """Every source, by authority and key."""
    return list(session.exec(select(Source).order_by(col(Source.authority), col(Source.key))))


def by_key(session: Session, key: str) -> Source:
    found = session.exec(select(Source).where(Source.key == key)).first()
    if found is None:
        raise SourceActionError("missing")
    return found


# ---------------------------------------------------------------------------------------
# the last error in words

_CLASS = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*): ")
_HTTP = re.compile(r"answered HTTP (\d{3})")
_SECONDS = re.compile(r"within ([0-9.]+) s")
#: (class name, needle in the message or "", text key): first match wins
_RULES: tuple[tuple[str, str, str], ...] = (
    ("HostPaused", "", "err_host_paused"),
    ("RobotsUnavailable", "", "err_robots_unavailable"),
    ("RobotsDisallowed", "", "err_robots_disallowed"),
    ("UnsafeURLError", "", "err_unsafe_url"),
    ("BlockedAddressError", "", "err_blocked"),
    ("TransientStatusError", "bot challenge", "err_bot_challenge"),
    ("TransientStatusError", "", "err_http_transient"),
    ("PermanentStatusError", "HTTP 401", "err_http_401"),
    ("PermanentStatusError", "", "err_http_permanent"),
    ("TransientFetchError", "did not answer within", "err_timeout"),
    ("TransientFetchError", "could not connect", "err_connect"),
    ("TransientFetchError", "", "err_network"),
    ("PermanentFetchError", "limit", "err_too_big"),
    ("PermanentFetchError", "redirects", "err_redirects"),
    ("PermanentFetchError", "without Location", "err_redirects"),
    ("PermanentFetchError", "", "err_fetch_permanent"),
    ("FeedEmptied", "", "err_feed_emptied"),
    ("ContentCollapse", "truncated transfer", "err_truncated"),
    ("ContentCollapse", "", "err_content_collapse"),
    ("SourceProblem", "bot challenge", "err_bot_challenge"),
    ("SourceProblem", "not well-formed XML", "err_feed_xml"),
    ("SourceProblem", "not a readable feed", "err_feed_unreadable"),
    ("SourceProblem", "only item is an error notice", "err_feed_error_item"),
    ("SourceProblem", "site looks hijacked", "err_hijacked"),
    ("SourceProblem", "parked domain", "err_parked_domain"),
    ("SourceProblem", "selector", "err_selector"),
    ("SourceProblem", "sections (more than", "err_too_many_sections"),
    ("SourceProblem", "main content is empty", "err_empty"),
    ("SourceProblem", "page is empty", "err_empty"),
    ("SourceProblem", "cannot be parsed as HTML", "err_html"),
    ("SourceProblem", "error, maintenance or challenge page", "err_maintenance"),
    ("SourceProblem", "truncated transfer", "err_truncated"),
    ("SourceProblem", "HAPI", "err_hapi"),
    ("SourceProblem", "table of contents", "err_no_chapters"),
    ("SourceProblem", "no chapter could be read", "err_no_chapters"),
    ("SourceProblem", "listing shows no matching links", "err_no_links"),
    ("SourceProblem", "PDF", "err_pdf"),
    ("SourceProblem", "304", "err_not_modified"),
    ("SourceProblem", "nested too deeply", "err_html"),
    ("SourceProblem", "", "err_source_problem"),
)


def explain_error(error: str | None) -> tuple[str, dict[str, str]] | None:
    """The source's last error as (text key, values) of ``notifier.web.texts_sources``, or
    None when there is none. An error of a check (``"ClassName: message"``, as
    ``feeds.store.error_fields`` writes it) is read by its class and known message; a text
    without a class is a problem of single parts of a source that was otherwise read."""
    if not error:
        return None
    found = _CLASS.match(error)
    if found is None:
        return "err_parts", {}
    name, message = found.group(1), error[found.end() :]
    values: dict[str, str] = {}
    if status := _HTTP.search(message):
        values["status"] = status.group(1)
    if seconds := _SECONDS.search(message):
        values["seconds"] = seconds.group(1)
    for cls, needle, key in _RULES:
        if cls == name and needle in message:
            if key in ("err_http_transient", "err_http_permanent") and "status" not in values:
                values["status"] = "?"
            if key == "err_timeout" and "seconds" not in values:
                values["seconds"] = "?"
            return key, values
    return "err_other", {}


# ---------------------------------------------------------------------------------------
# activity


@dataclass(frozen=True)
class Day:
    day: date
    checks: int
    errors: int
    changes: int


def activity(
    session: Session, source: Source, now: datetime, timezone: str, days: int = DAYS
) -> list[Day]:
    """Checks, failed checks and changes per local day over the last ``days`` days, oldest
    first."""
    assert source.id is not None
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), zone)
    changes = _per_day(
        session.exec(
            select(Change.detected_at).where(
                Change.source_id == source.id, col(Change.detected_at) >= since
            )
        ).all(),
        zone,
    )
    checks: dict[date, int] = {}
    errors: dict[date, int] = {}
    hours = session.exec(
        select(SourceCheckHour.hour, SourceCheckHour.checks, SourceCheckHour.errors).where(
            SourceCheckHour.source_id == source.id, col(SourceCheckHour.hour) >= since
        )
    ).all()
    for hour, n, failed in hours:
        day = hour.astimezone(zone).date()
        checks[day] = checks.get(day, 0) + n
        errors[day] = errors.get(day, 0) + failed
    return [
        Day(d, checks.get(d, 0), errors.get(d, 0), changes.get(d, 0))
        for d in (first + timedelta(days=i) for i in range(days))
    ]


def _per_day(times: Sequence[datetime], zone: ZoneInfo) -> dict[date, int]:
    out: dict[date, int] = {}
    for at in times:
        day = at.astimezone(zone).date()
        out[day] = out.get(day, 0) + 1
    return out


def change_counts(session: Session, since: datetime) -> dict[int, int]:
    """Changes per source id since ``since`` (for the list of sources)."""
    rows = session.exec(
        select(Change.source_id, func.count())
        .where(col(Change.detected_at) >= since)
        .group_by(col(Change.source_id))
    ).all()
    return {sid: int(n) for sid, n in rows}


# ---------------------------------------------------------------------------------------
# actions (the caller audits and commits)


def disable(session: Session, source: Source, reason: str) -> Source:
    """Stop checking a source; staff give the reason, shown with it."""
    reason = " ".join(reason.split())
    if not reason:
        raise SourceActionError("reason")
    if not source.enabled:
        raise SourceActionError("already_disabled")
    source.enabled = False
    source.disabled_reason = reason[:REASON_MAX]
    session.add(source)
    session.flush()
    return source


def enable(session: Session, source: Source, now: datetime) -> Source:
    """Check a disabled source again, from the next round on."""
    if source.enabled:
        raise SourceActionError("already_enabled")
    source.enabled = True
    source.disabled_reason = None
    source.next_check_at = now
    session.add(source)
    session.flush()
    return source


def check_now(session: Session, source: Source, now: datetime) -> Source:
    """Make the source due: the next round of due sources checks it (within a minute when
    the service runs). Refused for a disabled source."""
    if not source.enabled:
        raise SourceActionError("disabled")
    source.next_check_at = now
    session.add(source)
    session.flush()
    return source
