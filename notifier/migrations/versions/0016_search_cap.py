"""search: PostgreSQL indexes the first 100,000 characters of a change

A ``tsvector`` holds at most 1 MB. A change whose texts held about 0.9 MB of distinct words
(a hostile or broken page) failed to insert ("string is too long for tsvector"), so its
source's check failed every time. The two expression indexes of 0011 are made again over the
first 100,000 characters of the same text (title first, so a title is always found); a
``tsvector`` of that is well under the limit (about 4.5x the text at worst: one-letter words,
each with its own entry and position). ``notifier.public_changes.PG_DOCUMENT`` is the same
expression. SQLite's FTS5 has no such limit and is left as it is.

Revision ID: 0016_search_cap
Revises: 0015_outbox_parts
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016_search_cap"
down_revision: str | Sequence[str] | None = "0015_outbox_parts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHOLE = (
    """change.title || ' ' || change.summary || ' ' || change."before" || ' ' || change."after\""""
)
CAPPED = f"left({WHOLE}, 100000)"


def _indexes(document: str) -> None:
    for config in ("simple", "norwegian"):
        op.execute(f"DROP INDEX IF EXISTS ix_change_fts_{config}")
        op.execute(
            f"CREATE INDEX ix_change_fts_{config} ON change USING gin "
            f"((to_tsvector('{config}'::regconfig, {document})))"
        )
    op.execute("ANALYZE change")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _indexes(CAPPED)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _indexes(WHOLE)
