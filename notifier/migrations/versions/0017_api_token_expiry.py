"""staff API tokens expire

``api_token.expires_at`` (NOT NULL): a token is refused from then on. New tokens get
``NOTIFIER_API_TOKEN_DAYS`` (90) days, or the lifetime chosen at creation (at most 365).
Tokens made before this migration never expired; they are given 90 days from the upgrade,
so scripts keep working while their owners make new ones.

Revision ID: 0017_api_token_expiry
Revises: 0016_search_cap
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0017_api_token_expiry"
down_revision: str | Sequence[str] | None = "0016_search_cap"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: what tokens from before the upgrade are given
GRACE = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    token = sa.table("api_token", sa.column("expires_at", sa.DateTime()))
    # naive UTC, as every UTC column is stored
    until = datetime.now(UTC).replace(tzinfo=None) + GRACE
    op.get_bind().execute(
        token.update().where(token.c.expires_at.is_(None)).values(expires_at=until)
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
