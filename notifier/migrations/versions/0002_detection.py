"""detection: per-source noise and link options, story key on changes

Revision ID: 0002_detection
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_detection"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch table copy): SQLite supports it, and a copy of ``source``
    # would fail on the foreign keys that point at it.
    op.add_column("source", sa.Column("noise", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("source", sa.Column("link_selector", sa.String(), nullable=True))
    op.add_column("source", sa.Column("link_pattern", sa.String(), nullable=True))
    op.add_column(
        "source", sa.Column("follow_pdfs", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("change", sa.Column("story_key", sa.String(length=64), nullable=True))
    op.create_index("ix_change_story_key", "change", ["story_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_change_story_key", table_name="change")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_column("story_key")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("follow_pdfs")
        batch_op.drop_column("link_pattern")
        batch_op.drop_column("link_selector")
        batch_op.drop_column("noise")
