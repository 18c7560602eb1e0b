"""check history: the fetch time of the hour's checks, summed (for /metrics)

Revision ID: 0013_fetch_time
Revises: 0012_merge_issue12_13
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_fetch_time"
down_revision: str | Sequence[str] | None = "0012_merge_issue12_13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN with a default: no batch copy of the table on SQLite.
    op.add_column(
        "source_check_hour",
        sa.Column("fetch_seconds", sa.Float(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("source_check_hour", schema=None) as batch_op:
        batch_op.drop_column("fetch_seconds")
