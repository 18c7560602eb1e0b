"""staff console: staff users and sessions, audit log, label corrections; review fields on
change, a disabled reason on source

Revision ID: 0006_staff
Revises: 0005_hardening
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_staff"
down_revision: str | Sequence[str] | None = "0005_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(), nullable=False, server_default=""),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(), nullable=True),
        sa.Column("setup_token_hash", sa.String(length=64), nullable=True),
        sa.Column("setup_expires_at", sa.DateTime(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staff_user_email", "staff_user", ["email"], unique=True)
    op.create_table(
        "staff_session",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staff_session_staff_user_id", "staff_session", ["staff_user_id"])
    op.create_index("ix_staff_session_expires_at", "staff_session", ["expires_at"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False, server_default=""),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False, server_default=""),
        sa.Column("target_id", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.create_index("ix_audit_event_staff_user_id", "audit_event", ["staff_user_id"])
    op.create_table(
        "label_correction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("change_id", sa.Integer(), sa.ForeignKey("change.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False, server_default=""),
        sa.Column("title", sa.String(), nullable=False, server_default=""),
        sa.Column("text", sa.String(), nullable=False, server_default=""),
        sa.Column("url", sa.String(), nullable=False, server_default=""),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
    )
    op.create_index("ix_label_correction_change_id", "label_correction", ["change_id"])
    # Plain ADD COLUMN: a batch copy of ``change`` or ``source`` would trip over the foreign
    # keys that point at them.
    op.add_column("change", sa.Column("held_reason", sa.String(length=40), nullable=True))
    op.add_column("change", sa.Column("held_at", sa.DateTime(), nullable=True))
    op.add_column("change", sa.Column("held_reported_at", sa.DateTime(), nullable=True))
    op.add_column("change", sa.Column("reviewed_at", sa.DateTime(), nullable=True))
    op.add_column("change", sa.Column("reviewed_by", sa.Integer(), nullable=True))
    op.add_column("change", sa.Column("suppressed_reason", sa.String(), nullable=True))
    op.add_column("source", sa.Column("disabled_reason", sa.String(), nullable=True))
    # changes held before this revision were all mass deletions
    change = sa.table(
        "change",
        sa.column("status", sa.String()),
        sa.column("held_reason", sa.String()),
        sa.column("held_at", sa.DateTime()),
        sa.column("detected_at", sa.DateTime()),
    )
    op.get_bind().execute(
        change.update()
        .where(change.c.status == "held")
        .values(held_reason="mass_deletion", held_at=change.c.detected_at)
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would trip over the foreign keys.
    op.execute("ALTER TABLE source DROP COLUMN disabled_reason")
    for column in (
        "suppressed_reason", "reviewed_by", "reviewed_at", "held_reported_at", "held_at",
        "held_reason",
    ):  # fmt: skip
        op.execute(f"ALTER TABLE change DROP COLUMN {column}")
    op.drop_table("label_correction")
    op.drop_table("audit_event")
    op.drop_table("staff_session")
    op.drop_table("staff_user")
