"""Tables of the source side: ``source``, ``snapshot`` and ``change``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlmodel import Field, SQLModel

from feeds.catalogue import SourceBase

#: SQLAlchemy's SQLite DATETIME stores this format (``UTCDateTime.bind_processor`` writes it
#: with ``isoformat``; another format, in another SQLAlchemy, leaves the writing to it)
_SQLITE_FORMAT_IS_ISO = sqlite.DATETIME._storage_format == (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stored as naive UTC on every engine; always read back as an aware UTC datetime.
    (SQLite keeps no time zone; PostgreSQL would. One behaviour for both.)"""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:
            return value.replace(tzinfo=None)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def bind_processor(self, dialect: sa.Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, the stored text made in one step: ``isoformat`` gives exactly what
        SQLAlchemy's SQLite DATETIME writes (``YYYY-MM-DD HH:MM:SS.ffffff``) in ~2/3 of the
        time of its chain (this decorator's conversion, then its format string of seven
        fields), and a round binds ~4 times per source (its health times, its hour of
        history)."""
        if dialect.name != "sqlite" or not _SQLITE_FORMAT_IS_ISO:
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is UTC:  # the common case: its own text, less its "+00:00"
                return value.isoformat(" ", "microseconds")[:26]
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = True, **kw: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, **kw)


class Source(SourceBase, table=True):
    """A watched feed or page: its catalogue fields (``SourceBase``, declared once there) and
    its health."""

    id: int | None = Field(default=None, primary_key=True)
    # the catalogue's columns: every field of feeds.catalogue.SourceBase
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # health and scheduling
    last_checked_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    next_check_at: datetime | None = _ts(index=True)
    last_outcome: str | None = Field(default=None, max_length=20)
    last_error: str | None = None
    consecutive_errors: int = 0
    etag: str | None = None
    last_modified: str | None = None
    pending_digest: str | None = Field(default=None, max_length=64)
    #: hash of the last body fetched: an identical body is 'unchanged' without loading anything
    body_hash: str | None = Field(default=None, max_length=64)
    #: last unconditional GET: one a day catches a server that wrongly answers 304
    last_full_fetch_at: datetime | None = _ts()
    #: why staff disabled the source (``enabled`` false), in their words
    disabled_reason: str | None = None
    #: confirmation (migration 0008, feeds/detect/history.py): when the oldest change of the source
    #: that waits for a re-check was first seen (None: nothing waits); not ``pending_digest``,
    #: which is a collapse seen once
    pending_since: datetime | None = _ts()
    #: checks in a row that left changes pending (the quick re-checks are bounded)
    confirm_checks: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: scale-out (migration 0011): the worker checking the source now, until ``claimed_until``
    #: (a lease: a dead worker's claim expires and the source is taken again)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = _ts(index=True)


class Snapshot(SQLModel, table=True):
    """A stored version of a source (sectioned text, or the item identities of a feed)."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    taken_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    content_digest: str = Field(max_length=64)
    #: the state as JSON: rows from before migration 0004 only ({} since)
    state: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    #: the state as zlib-compressed JSON (feeds.store.snapshot.state_to_blob); emptied (NULL) on
    #: superseded rows that changes still point at (feeds.store.versions.prune_snapshots)
    packed_state: bytes | None = Field(default=None, sa_type=sa.LargeBinary, nullable=True)
    #: a version seen once whose changes wait for a re-check (feeds/detect/history.py); detection
    #: compares with the newest row that is no candidate (the last confirmed version)
    candidate: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class Change(SQLModel, table=True):
    """One detected change: a new or edited feed item, or a changed section of a page."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    snapshot_id: int = Field(foreign_key="snapshot.id", index=True)
    fingerprint: str = Field(unique=True, max_length=64)
    kind: str = Field(max_length=20)
    title: str
    url: str
    section: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    summary: str = ""
    before: str = ""
    after: str = ""
    diff: list[list[str]] = Field(default_factory=list, sa_type=sa.JSON)
    detected_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    published_at: datetime | None = _ts()
    subtopics: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    regions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    urgent: bool = False
    reasons: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    #: "published" goes to subscribers; "held" waits for staff review (``held_reason``);
    #: "suppressed": staff decided it is never sent; "pending": a page change that waits for
    #: a re-check to confirm it (feeds/detect/history.py), then published or held
    status: str = Field(default="published", max_length=20, index=True)
    #: the same story seen on several sources shares this key (feeds/story.py); None: alone
    story_key: str | None = Field(default=None, max_length=64, index=True)
    #: set when the immediate alerts for this change were written to the outbox
    dispatched_at: datetime | None = _ts(index=True)
    #: why the change waits for review (status "held"): mass_deletion, most_replaced,
    #: feed_replaced, after_outage, language_variant, other_article, teasers_rewritten; and
    #: since when
    held_reason: str | None = Field(default=None, max_length=40)
    held_at: datetime | None = _ts()
    #: when operators were told that it has waited too long (once)
    held_reported_at: datetime | None = _ts()
    #: the review: who (a staff user id) and when; a suppressed change keeps the reason
    reviewed_at: datetime | None = _ts()
    reviewed_by: int | None = None
    suppressed_reason: str | None = None
    #: when a re-check confirmed the change (it waited, status "pending"); None: it needed none
    confirmed_at: datetime | None = _ts()


class SourceCheckHour(SQLModel, table=True):
    """How many checks of a source ran, and how many failed, in one UTC hour: the history the
    console charts (a row per source and hour, not per check, so it stays small: 30 days of
    30 sources is at most ~22,000 rows). Written once per round
    (``feeds.store.sources.count_checks``) and pruned by housekeeping."""

    __tablename__ = "source_check_hour"

    source_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
        )
    )
    hour: datetime = Field(sa_column=sa.Column(UTCDateTime, primary_key=True))
    checks: int = 0
    errors: int = 0
    #: the fetch time of these checks, summed (seconds; /metrics divides by ``checks``)
    fetch_seconds: float = Field(
        default=0.0, sa_column=sa.Column(sa.Float, nullable=False, server_default="0")
    )
