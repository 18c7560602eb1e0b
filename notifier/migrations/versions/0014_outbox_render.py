"""outbox bodies compressed with lz4 on PostgreSQL (where the server has it)

An urgent national change writes 100,000 rows of ~2.7 kB each; PostgreSQL compresses the
bodies of every row past its ~2 kB limit, and its default (pglz) took a large share of the
server's time of the write. lz4 does the same several times faster (a column setting: rows
already stored keep their compression). Nothing changes on SQLite or on a server built
without lz4 (PostgreSQL before 14, or without --with-lz4).

Revision ID: 0014_outbox_render
Revises: 0013_fetch_time
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_outbox_render"
down_revision: str | Sequence[str] | None = "0013_fetch_time"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("body_text", "body_html")


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(
        sa.text(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)"
        )
    ).first()
    return found is not None


def _set(method: str) -> None:
    if _lz4_available():
        changes = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in COLUMNS)
        op.execute(f"ALTER TABLE delivery {changes}")


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("default")
