"""The one query layer for published changes: the public change log, its feeds and the API.

``find_changes`` filters (subtopic, authority, region, kind, urgency, a date range in Oslo
local dates, full-text search) and pages by id (keyset: newest first, ``before_id`` the last id
seen); ``get_change`` is one published change. Only ``status == "published"`` is ever shown.

Full-text search, one interface on both databases (migration 0011_search):

- SQLite: an FTS5 table ``change_fts`` (contentless, rowid = change id, ``unicode61`` with
  diacritics kept, so æ, ø and å stay letters of their own), written by triggers on ``change``
  (insert, edit of title/summary/texts, delete). Status, subtopics and regions are read from
  ``change`` itself, so publishing, re-tagging and suppressing need no index work.
- PostgreSQL: GIN expression indexes on ``to_tsvector('simple', …)`` and
  ``to_tsvector('norwegian', …)`` of the same texts: always in step, nothing to refresh.
  The subtopic and region filters use GIN indexes on ``CAST(subtopics AS jsonb)`` and
  ``CAST(regions AS jsonb)`` (on SQLite they read ``json_each`` row by row).

Every word of the query must occur (AND), each as a word prefix ("vaksin" finds "vaksinasjon");
on PostgreSQL the Norwegian stemmer adds matches of other inflections ("legane", "legar").
If a later migration rebuilt ``change`` on SQLite (a batch copy drops its triggers),
``ensure_search_index`` puts the triggers back and rebuilds the index before the next search.
"""

from __future__ import annotations

import json
import re
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from feeds.store.models import Change, Source
from notifier.numbers import digits

OSLO = ZoneInfo("Europe/Oslo")
PUBLISHED = "published"
#: at most this many words of a search are used
MAX_WORDS = 8
MAX_LIMIT = 500

#: the indexed text of a change on PostgreSQL, its first 100,000 characters (a tsvector holds at
#: most 1 MB: migration 0016); the migrations' indexes use the same expression
PG_DOCUMENT = (
    """left(change.title || ' ' || change.summary || ' ' || change."before" || ' ' """
    """|| change."after", 100000)"""
)
PG_SIMPLE = f"to_tsvector('simple'::regconfig, {PG_DOCUMENT})"
PG_NORWEGIAN = f"to_tsvector('norwegian'::regconfig, {PG_DOCUMENT})"

SQLITE_FTS_TABLE = "change_fts"
SQLITE_BODY = (
    "coalesce({p}.summary, '') || ' ' || coalesce({p}.\"before\", '') || ' ' "
    "|| coalesce({p}.\"after\", '')"
)
SQLITE_TRIGGERS = {
    "change_fts_insert": (
        "CREATE TRIGGER IF NOT EXISTS change_fts_insert AFTER INSERT ON change BEGIN "
        "INSERT INTO change_fts(rowid, title, body) "
        f"VALUES (new.id, new.title, {SQLITE_BODY.format(p='new')}); END"
    ),
    "change_fts_delete": (
        "CREATE TRIGGER IF NOT EXISTS change_fts_delete AFTER DELETE ON change BEGIN "
        "INSERT INTO change_fts(change_fts, rowid, title, body) "
        f"VALUES ('delete', old.id, old.title, {SQLITE_BODY.format(p='old')}); END"
    ),
    "change_fts_update": (
        "CREATE TRIGGER IF NOT EXISTS change_fts_update "
        'AFTER UPDATE OF title, summary, "before", "after" ON change BEGIN '
        "INSERT INTO change_fts(change_fts, rowid, title, body) "
        f"VALUES ('delete', old.id, old.title, {SQLITE_BODY.format(p='old')}); "
        "INSERT INTO change_fts(rowid, title, body) "
        f"VALUES (new.id, new.title, {SQLITE_BODY.format(p='new')}); END"
    ),
}
SQLITE_CREATE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS change_fts USING fts5("
    "title, body, content='', tokenize='unicode61 remove_diacritics 0')"
)
SQLITE_FILL_FTS = (
    "INSERT INTO change_fts(rowid, title, body) "
    f"SELECT id, title, {SQLITE_BODY.format(p='change')} FROM change"
)


@dataclass(frozen=True)
class ChangeQuery:
    """Filters of the change log; None: not filtered. Dates are Europe/Oslo local dates,
    inclusive, on the day the change was detected."""

    subtopic: str | None = None  # a taxonomy slug
    authority: str | None = None  # Source.authority value
    region: str | None = None  # a region code as stored in Change.regions (county/municipality)
    kind: str | None = None  # Change.kind value (new, changed, removed, moved ...)
    urgent: bool | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None  # full-text search in titles and texts


def find_changes(
    session: Session, query: ChangeQuery, *, before_id: int | None = None, limit: int = 50
) -> list[Change]:
    """Published changes matching ``query``, newest first (id descending), at most ``limit``
    (1…500); ``before_id``: only ids below it (the next page starts after the last id seen)."""
    stmt = select(Change).where(Change.status == PUBLISHED)
    for condition in conditions(session, query):
        stmt = stmt.where(condition)
    if before_id is not None:
        stmt = stmt.where(col(Change.id) < before_id)
    stmt = stmt.order_by(col(Change.id).desc()).limit(min(max(limit, 1), MAX_LIMIT))
    return list(session.exec(stmt))


def get_change(session: Session, change_id: int) -> Change | None:
    """The published change ``change_id``; None when there is none (or it is not public)."""
    change = session.get(Change, change_id)
    return change if change is not None and change.status == PUBLISHED else None


def story_of(session: Session, change: Change, limit: int = 20) -> list[Change]:
    """The other published changes of the same story (``Change.story_key``), newest first."""
    if not change.story_key:
        return []
    stmt = (
        select(Change)
        .where(Change.status == PUBLISHED, Change.story_key == change.story_key)
        .where(col(Change.id) != change.id)
        .order_by(col(Change.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt))


def latest_by_subtopic(
    session: Session, slugs: Iterable[str], first: int = 500
) -> dict[str, Change]:
    """The newest published change of each subtopic in ``slugs`` (absent: none has one). The
    ``first`` newest changes are read once (id and subtopics) and name most of them; each
    subtopic not among them is one query that starts where that read stopped."""
    wanted = list(dict.fromkeys(slugs))
    stmt = select(Change.id, Change.subtopics).where(Change.status == PUBLISHED)
    rows = list(session.exec(stmt.order_by(col(Change.id).desc()).limit(first)))
    found: dict[str, int] = {}
    for change_id, subtopics in rows:
        for slug in subtopics or ():
            if change_id is not None:
                found.setdefault(slug, change_id)
    out: dict[str, Change] = {}
    ids = {found[slug] for slug in wanted if slug in found}
    by_id = {c.id: c for c in session.exec(select(Change).where(col(Change.id).in_(ids)))}
    for slug in wanted:
        if slug in found and found[slug] in by_id:
            out[slug] = by_id[found[slug]]
        elif len(rows) == first and rows[-1][0] is not None:
            older = find_changes(
                session, ChangeQuery(subtopic=slug), before_id=rows[-1][0], limit=1
            )
            if older:
                out[slug] = older[0]
    return out


def conditions(session: Session, query: ChangeQuery) -> list[Any]:
    """The WHERE conditions of ``query`` (besides the published status)."""
    dialect = _dialect(session)
    out: list[Any] = []
    if query.subtopic:
        out.append(_json_contains(dialect, "subtopics", query.subtopic, "subtopic"))
    if query.region:
        out.append(_region_condition(dialect, query.region))
    if query.authority:
        sources = select(Source.id).where(Source.authority == query.authority)
        out.append(col(Change.source_id).in_(sources))
    if query.kind:
        out.append(Change.kind == query.kind)
    if query.urgent is not None:
        out.append(Change.urgent == query.urgent)
    start = day_start(query.since)
    if start is not None:
        out.append(col(Change.detected_at) >= start)
    end = day_after(query.until)
    if end is not None:
        out.append(col(Change.detected_at) < end)
    if query.text is not None and query.text.strip():
        out.append(_text_condition(session, dialect, query.text))
    return out


def day_start(day: date | None) -> datetime | None:
    """The start of ``day`` in Oslo (UTC); None when there is no lower bound: no day, or one
    so early that it has no UTC time (0001-01-01 in Oslo is still year 0 in UTC)."""
    try:
        return oslo_midnight(day) if day is not None else None
    except OverflowError:
        return None


def day_after(day: date | None) -> datetime | None:
    """The start of the day after ``day`` in Oslo (UTC); None when there is no upper bound:
    no day, or 9999-12-31, which has no next day."""
    try:
        return oslo_midnight(day + timedelta(days=1)) if day is not None else None
    except OverflowError:
        return None


def oslo_midnight(day: date) -> datetime:
    """The start of ``day`` in Oslo, as a UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=OSLO).astimezone(UTC)


def search_words(text: str) -> list[str]:
    """The words of a search, lower-cased: runs of letters and digits (NFC, so a decomposed
    "å" is one letter), at most ``MAX_WORDS``. Everything else only separates words, so no
    search syntax of either database reaches it."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text))
    return [w.casefold() for w in words][:MAX_WORDS]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _json_contains(dialect: str, column: str, value: str, name: str) -> Any:
    if dialect == "postgresql":
        return sa.text(f"CAST(change.{column} AS jsonb) @> CAST(:{name} AS jsonb)").bindparams(
            **{name: json.dumps([value])}
        )
    return sa.text(
        f"EXISTS (SELECT 1 FROM json_each(change.{column}) WHERE json_each.value = :{name})"
    ).bindparams(**{name: value})


def _region_condition(dialect: str, region: str) -> Any:
    """Changes about ``region``. A county: every change naming it (a municipality's changes
    name its county too, guidelines R1). A municipality: the changes naming it, and its
    county's changes about the county as a whole, naming none of its municipalities: what a
    subscriber of the municipality is sent (``subscribers.match.change_keys``). A municipality
    number starts with its county's."""
    named = _json_contains(dialect, "regions", region, "region")
    if len(region) != 4:
        return named
    county = region[:2]
    if dialect == "postgresql":
        whole = sa.text(
            "CAST(change.regions AS jsonb) @> CAST(:region_county AS jsonb) AND NOT EXISTS "
            "(SELECT 1 FROM jsonb_array_elements_text(CAST(change.regions AS jsonb)) AS r(code) "
            "WHERE length(r.code) = 4 AND left(r.code, 2) = :region_prefix)"
        ).bindparams(region_county=json.dumps([county]), region_prefix=county)
    else:
        whole = sa.text(
            "EXISTS (SELECT 1 FROM json_each(change.regions) WHERE json_each.value = "
            ":region_county) AND NOT EXISTS (SELECT 1 FROM json_each(change.regions) "
            "WHERE length(json_each.value) = 4 AND substr(json_each.value, 1, 2) = "
            ":region_prefix)"
        ).bindparams(region_county=county, region_prefix=county)
    return sa.or_(named, whole)


def _text_condition(session: Session, dialect: str, text: str) -> Any:
    words = search_words(text)
    if not words:
        return sa.false()
    if dialect == "postgresql":
        prefix = " & ".join(f"{w}:*" for w in words)
        return sa.text(
            f"({PG_SIMPLE} @@ to_tsquery('simple'::regconfig, :fts_prefix)"
            f" OR {PG_NORWEGIAN} @@ plainto_tsquery('norwegian'::regconfig, :fts_plain))"
        ).bindparams(fts_prefix=prefix, fts_plain=" ".join(words))
    ensure_search_index(session.get_bind())
    match = " AND ".join(f'"{w}"*' for w in words)
    return sa.text(
        "change.id IN (SELECT rowid FROM change_fts WHERE change_fts MATCH :fts_match)"
    ).bindparams(fts_match=match)


_healthy: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure_search_index(bind: Engine | sa.Connection) -> None:
    """SQLite: the FTS table and its triggers exist (checked once per engine); a missing
    trigger (a later batch copy of ``change`` dropped it) is put back and the index rebuilt."""
    engine = bind.engine
    if engine in _healthy or engine.dialect.name != "sqlite":
        return
    names = tuple(SQLITE_TRIGGERS)
    with engine.begin() as conn:
        found = conn.execute(
            sa.text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (:a, :b, :c)"
            ),
            dict(zip("abc", names, strict=True)),
        ).scalar_one()
        if found != len(names):
            rebuild_sqlite_index(conn)
    _healthy.add(engine)


def rebuild_sqlite_index(conn: sa.Connection) -> None:
    """Create (or re-create) the FTS table and its triggers, filled from ``change``."""
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {SQLITE_FTS_TABLE}"))
    conn.execute(sa.text(SQLITE_CREATE_FTS))
    conn.execute(sa.text(SQLITE_FILL_FTS))
    for name, ddl in SQLITE_TRIGGERS.items():
        conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.execute(sa.text(ddl))


__all__ = ["ChangeQuery", "find_changes", "get_change", "latest_by_subtopic", "story_of"]


def sources_of(session: Session, changes: Sequence[Change]) -> dict[int, Source]:
    """The sources of ``changes`` by id, in one query (for the API and the Atom feed)."""
    ids = {c.source_id for c in changes}
    if not ids:
        return {}
    rows = session.exec(select(Source).where(col(Source.id).in_(ids)))
    return {s.id: s for s in rows if s.id is not None}


def change_id(text: str | None) -> int | None:
    """A change id given from outside (a path, a page or cursor parameter), or None when it
    cannot be one: ASCII digits only (``"²".isdigit()`` is true, but no id) and at most 18 of
    them, so it fits both databases' 64-bit integers (a longer one overflowed SQLite)."""
    return digits(text, 18)
