"""hardening: outbox claims with a lease, reported give-ups, case-insensitive addresses,
bounce counting and suppression of a subscriber

Revision ID: 0005_hardening
Revises: 0004_snapshot_storage
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_hardening"
down_revision: str | Sequence[str] | None = "0004_snapshot_storage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN throughout: a batch copy of ``delivery`` or ``subscriber`` would trip over
    # the foreign keys that point at them.
    op.add_column("delivery", sa.Column("claim_token", sa.String(length=32), nullable=True))
    op.add_column("delivery", sa.Column("claimed_until", sa.DateTime(), nullable=True))
    op.add_column("delivery", sa.Column("reported_at", sa.DateTime(), nullable=True))
    op.add_column("delivery", sa.Column("failure", sa.String(length=20), nullable=True))
    op.add_column("subscriber", sa.Column("email_key", sa.String(length=320), nullable=True))
    op.add_column(
        "subscriber",
        sa.Column("hard_bounces", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("subscriber", sa.Column("suppressed_at", sa.DateTime(), nullable=True))
    # The comparison key of every address: lower case. Where two rows differ only in case
    # (possible before this revision), the oldest keeps the key and the others keep NULL, so
    # the unique index holds; staff merge them by hand (they are listed by
    # ``notifier subscribers list``).
    subscriber = sa.table(
        "subscriber",
        sa.column("id", sa.Integer()),
        sa.column("email", sa.String()),
        sa.column("email_key", sa.String()),
    )
    conn = op.get_bind()
    taken: set[str] = set()
    for row_id, email in conn.execute(
        sa.select(subscriber.c.id, subscriber.c.email).order_by(subscriber.c.id)
    ):
        key = (email or "").strip().lower()
        if not key or key in taken:
            continue
        taken.add(key)
        conn.execute(subscriber.update().where(subscriber.c.id == row_id).values(email_key=key))
    op.create_index("ix_subscriber_email_key", "subscriber", ["email_key"], unique=True)
    op.create_index("ix_delivery_claimed_until", "delivery", ["claimed_until"])


def downgrade() -> None:
    op.drop_index("ix_delivery_claimed_until", table_name="delivery")
    op.drop_index("ix_subscriber_email_key", table_name="subscriber")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would trip over the foreign keys.
    for column in ("suppressed_at", "hard_bounces", "email_key"):
        op.execute(f"ALTER TABLE subscriber DROP COLUMN {column}")
    for column in ("failure", "reported_at", "claimed_until", "claim_token"):
        op.execute(f"ALTER TABLE delivery DROP COLUMN {column}")
