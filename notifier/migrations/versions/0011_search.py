"""full-text search of changes (notifier.public_changes)

SQLite: an FTS5 table ``change_fts`` (contentless; rowid = ``change.id``; ``unicode61`` with
diacritics kept, so æ, ø, å stay letters) filled from ``change`` and kept in step by three
triggers (insert; edit of title, summary, before, after; delete). PostgreSQL: two GIN
expression indexes, ``to_tsvector('simple', …)`` and ``to_tsvector('norwegian', …)`` of the
same text, which the query layer's expressions match exactly (``PG_SIMPLE``/``PG_NORWEGIAN``).

Revision ID: 0011_search
Revises: 0010_delivery
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_search"
down_revision: str | Sequence[str] | None = "0010_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT = (
    """change.title || ' ' || change.summary || ' ' || change."before" || ' ' || change."after\""""
)
BODY = """coalesce({p}.summary, '') || ' ' || coalesce({p}."before", '') || ' ' || coalesce({p}."after", '')"""
SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS change_fts USING fts5("
    "title, body, content='', tokenize='unicode61 remove_diacritics 0')",
    "INSERT INTO change_fts(rowid, title, body) "
    f"SELECT id, title, {BODY.format(p='change')} FROM change",
    "CREATE TRIGGER IF NOT EXISTS change_fts_insert AFTER INSERT ON change BEGIN "
    "INSERT INTO change_fts(rowid, title, body) "
    f"VALUES (new.id, new.title, {BODY.format(p='new')}); END",
    "CREATE TRIGGER IF NOT EXISTS change_fts_delete AFTER DELETE ON change BEGIN "
    "INSERT INTO change_fts(change_fts, rowid, title, body) "
    f"VALUES ('delete', old.id, old.title, {BODY.format(p='old')}); END",
    "CREATE TRIGGER IF NOT EXISTS change_fts_update "
    'AFTER UPDATE OF title, summary, "before", "after" ON change BEGIN '
    "INSERT INTO change_fts(change_fts, rowid, title, body) "
    f"VALUES ('delete', old.id, old.title, {BODY.format(p='old')}); "
    "INSERT INTO change_fts(rowid, title, body) "
    f"VALUES (new.id, new.title, {BODY.format(p='new')}); END",
)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for config in ("simple", "norwegian"):
            op.execute(
                f"CREATE INDEX ix_change_fts_{config} ON change USING gin "
                f"((to_tsvector('{config}'::regconfig, {DOCUMENT})))"
            )
        # the subtopic and region filters (``CAST(change.subtopics AS jsonb) @> '["slug"]'``)
        for column in ("subtopics", "regions"):
            op.execute(
                f"CREATE INDEX ix_change_{column}_jsonb ON change "
                f"USING gin ((CAST({column} AS jsonb)) jsonb_path_ops)"
            )
        # the planner's statistics of the indexed expressions: without them a rare word is
        # looked for row by row (seconds on 20,000 changes) instead of in the index
        op.execute("ANALYZE change")
        return
    for statement in SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for name in ("fts_simple", "fts_norwegian", "subtopics_jsonb", "regions_jsonb"):
            op.execute(f"DROP INDEX IF EXISTS ix_change_{name}")
        return
    for name in ("change_fts_insert", "change_fts_delete", "change_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS change_fts")
