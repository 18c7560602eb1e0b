"""push channels: Web Push endpoints, Apprise targets, receipts per endpoint or target

``delivery.channel`` and ``delivery_item.channel`` (``email`` so far) now also take ``webpush``
and ``apprise``; the tables here hold where those go. ``push_receipt`` records which endpoint
or target accepted which message, so a message retried for one device is not sent again to
the others. ``subscription_channel`` holds a subscription's choice to keep its alerts out of a
push channel (by default they go there too).

Revision ID: 0009_push
Revises: 0008_confirmation
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_push"
down_revision: str | Sequence[str] | None = "0008_confirmation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_endpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False, unique=True),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_push_endpoint_subscriber_id", "push_endpoint", ["subscriber_id"])
    op.create_table(
        "apprise_target",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("secret_url", sa.String(), nullable=False),
        sa.Column("masked", sa.String(length=200), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.UniqueConstraint("subscriber_id", "url_hash"),
    )
    op.create_index("ix_apprise_target_subscriber_id", "apprise_target", ["subscriber_id"])
    op.create_table(
        "push_receipt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("delivery_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("delivery_key", "channel", "target_id"),
    )
    op.create_index("ix_push_receipt_delivery_key", "push_receipt", ["delivery_key"])
    op.create_index("ix_push_receipt_subscriber_id", "push_receipt", ["subscriber_id"])
    op.create_table(
        "subscription_channel",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subscriber_id", sa.Integer(), sa.ForeignKey("subscriber.id"), nullable=False),
        sa.Column("subtopic", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("subscriber_id", "subtopic", "channel"),
    )
    op.create_index(
        "ix_subscription_channel_subscriber_id", "subscription_channel", ["subscriber_id"]
    )


def downgrade() -> None:
    """The code before this revision sends e-mail only: push rows still waiting are dropped
    with the items they carry (they were never sent), and the tables go."""
    conn = op.get_bind()
    delivery = sa.table(
        "delivery",
        sa.column("id", sa.Integer()),
        sa.column("channel", sa.String()),
        sa.column("status", sa.String()),
    )
    item = sa.table(
        "delivery_item",
        sa.column("delivery_id", sa.Integer()),
        sa.column("channel", sa.String()),
    )
    push = delivery.c.channel != "email"
    conn.execute(item.delete().where(item.c.channel != "email"))
    conn.execute(delivery.delete().where(push))
    op.drop_index("ix_subscription_channel_subscriber_id", table_name="subscription_channel")
    op.drop_table("subscription_channel")
    op.drop_index("ix_push_receipt_subscriber_id", table_name="push_receipt")
    op.drop_index("ix_push_receipt_delivery_key", table_name="push_receipt")
    op.drop_table("push_receipt")
    op.drop_index("ix_apprise_target_subscriber_id", table_name="apprise_target")
    op.drop_table("apprise_target")
    op.drop_index("ix_push_endpoint_subscriber_id", table_name="push_endpoint")
    op.drop_table("push_endpoint")
