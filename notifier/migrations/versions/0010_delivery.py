"""delivery in depth: chosen hours, quiet hours, delivery audit

``subscriber.digest_hour`` / ``digest_weekday`` (None: the service's defaults) and
``quiet_start`` / ``quiet_end`` (push quiet hours, none by default); ``digest_run`` (the digest
clock's finished slots, so missed runs are found and caught up once); ``delivery_event`` (each
outcome of each message, with its time) and ``delivery_carried`` (which changes a message
carried, in which version), kept ``NOTIFIER_DELIVERY_AUDIT_DAYS``; ``assurance_report`` (urgent
changes whose alerts missed ``NOTIFIER_URGENT_DEADLINE_MINUTES``, reported to operators once).

Revision ID: 0010_delivery
Revises: 0009_push
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_delivery"
down_revision: str | Sequence[str] | None = "0009_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBSCRIBER_COLUMNS = ("digest_hour", "digest_weekday", "quiet_start", "quiet_end")


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of ``subscriber`` would trip over the foreign keys that
    # point at it.
    for name in SUBSCRIBER_COLUMNS:
        op.add_column("subscriber", sa.Column(name, sa.Integer(), nullable=True))
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slot", sa.DateTime(), nullable=False, unique=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("written", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("late", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "delivery_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("delivery.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False, server_default="email"),
        sa.Column("detail", sa.String(), nullable=False, server_default=""),
    )
    op.create_index("ix_delivery_event_delivery_id", "delivery_event", ["delivery_id"])
    op.create_index("ix_delivery_event_at", "delivery_event", ["at"])
    op.create_table(
        "delivery_carried",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("delivery.id"), nullable=False),
        sa.Column("change_id", sa.Integer(), sa.ForeignKey("change.id"), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("delivery_id", "change_id"),
    )
    op.create_index("ix_delivery_carried_change_id", "delivery_carried", ["change_id"])
    op.create_index("ix_delivery_carried_at", "delivery_carried", ["at"])
    op.create_table(
        "assurance_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "change_id", sa.Integer(), sa.ForeignKey("change.id"), nullable=False, unique=True
        ),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("assurance_report")
    op.drop_index("ix_delivery_carried_at", table_name="delivery_carried")
    op.drop_index("ix_delivery_carried_change_id", table_name="delivery_carried")
    op.drop_table("delivery_carried")
    op.drop_index("ix_delivery_event_at", table_name="delivery_event")
    op.drop_index("ix_delivery_event_delivery_id", table_name="delivery_event")
    op.drop_table("delivery_event")
    op.drop_table("digest_run")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would trip over the foreign keys.
    for name in reversed(SUBSCRIBER_COLUMNS):
        op.execute(f"ALTER TABLE subscriber DROP COLUMN {name}")
