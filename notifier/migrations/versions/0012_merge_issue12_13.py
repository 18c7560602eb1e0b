"""merge the three branches from 0010: search (the public change log), API tokens, leases

Revision ID: 0012_merge_issue12_13
Revises: 0011_search, 0011_api_tokens, 0011_leases
Create Date: 2026-12-04

The three were written side by side and touch different tables; merging them needs no
schema change. Later migrations start from here, so the chain has one head again.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0012_merge_issue12_13"
down_revision: str | Sequence[str] | None = ("0011_search", "0011_api_tokens", "0011_leases")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
