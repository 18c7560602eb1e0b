"""sign-ups are queued durably: ``signup_request``

The public sign-up answers before the address is looked up (red team round 9), and the work
(the subscriber, its subscriptions, the confirmation or preferences-link mail) ran in an
in-memory task after the answer: a crash or a database failure then lost the sign-up while
the person had been told to check their mail. Now the request writes one row here, the same
for every address, before it answers; the task after the answer and the worker's sweep
process it and delete it in the transaction of its effects (``notifier.signup_queue``).

Revision ID: 0018_signup_queue
Revises: 0017_api_token_expiry
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_signup_queue"
down_revision: str | Sequence[str] | None = "0017_api_token_expiry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signup_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signup_request_email_key", "signup_request", ["email_key"])
    op.create_index("ix_signup_request_created_at", "signup_request", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_signup_request_created_at", table_name="signup_request")
    op.drop_index("ix_signup_request_email_key", table_name="signup_request")
    op.drop_table("signup_request")
