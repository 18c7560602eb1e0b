"""staff API tokens

``api_token``: a named bearer token of a staff user for scripts (``notifier.api_tokens``),
with its role, the sha256 of its secret, when it was created, last used and revoked.

Revision ID: 0011_api_tokens
Revises: 0010_delivery
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_api_tokens"
down_revision: str | Sequence[str] | None = "0010_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_user.id"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_api_token_staff_user_id", "api_token", ["staff_user_id"])


def downgrade() -> None:
    op.drop_index("ix_api_token_staff_user_id", table_name="api_token")
    op.drop_table("api_token")
