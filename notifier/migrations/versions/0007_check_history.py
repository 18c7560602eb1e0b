"""check history: checks and failed checks per source and UTC hour (the console's chart)

Revision ID: 0007_check_history
Revises: 0006_staff
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_check_history"
down_revision: str | Sequence[str] | None = "0006_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_check_hour",
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("source.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("hour", sa.DateTime(), primary_key=True),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_check_hour")
