"""push channels: Web Push endpoints, Apprise targets, channel per outbox row

Revision ID: 0009_push
Revises: 0008_confirmation
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0009_push"
down_revision: str | Sequence[str] | None = "0008_confirmation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
