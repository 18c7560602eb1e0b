"""delivery in depth: chosen hours, quiet hours, delivery audit

Revision ID: 0010_delivery
Revises: 0009_push
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0010_delivery"
down_revision: str | Sequence[str] | None = "0009_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
