"""merge the detection and audience branches; source.last_full_fetch_at

Revision ID: 0003_merge_full_fetch
Revises: 0002_audience, 0002_detection
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_merge_full_fetch"
down_revision: str | Sequence[str] | None = ("0002_audience", "0002_detection")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of ``source`` would trip over the foreign keys to it.
    op.add_column("source", sa.Column("last_full_fetch_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("last_full_fetch_at")
