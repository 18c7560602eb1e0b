"""scale-out: claims with leases, shared host manners, runs once per period

``source.claimed_by`` / ``claimed_until``: the worker checking a source and until when (a
lease; feeds/store/sources.py ``claim_due``); ``fetch_host``: each host's next permitted
request start and pause, shared by every worker (feeds/store/hosts.py); ``job_run``: a digest
or housekeeping run claimed once per (job, period) (notifier/leases.py).

Revision ID: 0011_leases
Revises: 0010_delivery
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_leases"
down_revision: str | Sequence[str] | None = "0010_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of ``source`` would trip over the foreign keys to it.
    op.add_column("source", sa.Column("claimed_by", sa.String(length=100), nullable=True))
    op.add_column("source", sa.Column("claimed_until", sa.DateTime(), nullable=True))
    op.create_index("ix_source_claimed_until", "source", ["claimed_until"])
    op.create_table(
        "fetch_host",
        sa.Column("host", sa.String(length=255), primary_key=True),
        sa.Column("next_start", sa.Float(), nullable=False, server_default="0"),
        sa.Column("paused_until", sa.Float(), nullable=False, server_default="0"),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("job", "period"),
    )


def downgrade() -> None:
    op.drop_table("job_run")
    op.drop_table("fetch_host")
    op.drop_index("ix_source_claimed_until", table_name="source")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would trip over the foreign keys.
    op.execute("ALTER TABLE source DROP COLUMN claimed_until")
    op.execute("ALTER TABLE source DROP COLUMN claimed_by")
