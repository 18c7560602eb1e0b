"""confirmation: page changes wait for a re-check (feeds/confirm.py)

``change.status`` may be "pending"; ``change.confirmed_at`` says when a re-check confirmed
it; ``snapshot.candidate`` marks a version seen once, kept aside while its changes wait;
``source.pending_since`` and ``source.confirm_checks`` schedule the re-check.

Revision ID: 0008_confirmation
Revises: 0007_check_history
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_confirmation"
down_revision: str | Sequence[str] | None = "0007_check_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of ``source`` or ``snapshot`` would trip over the foreign
    # keys that point at them.
    op.add_column("source", sa.Column("pending_since", sa.DateTime(), nullable=True))
    op.add_column(
        "source",
        sa.Column("confirm_checks", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "snapshot",
        sa.Column("candidate", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("change", sa.Column("confirmed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """The code before this revision knows no pending change nor candidate: the pending changes
    and the candidates go (nothing was told of them), changes that point at a candidate point
    at the source's last confirmed version instead, and the sources that had a candidate lose
    their validators and body hash, so their next check compares the page with the confirmed
    version again and finds what was pending."""
    conn = op.get_bind()
    source = sa.table(
        "source",
        sa.column("id", sa.Integer()),
        sa.column("pending_since", sa.DateTime()),
        sa.column("etag", sa.String()),
        sa.column("last_modified", sa.String()),
        sa.column("body_hash", sa.String()),
    )
    snapshot = sa.table(
        "snapshot",
        sa.column("id", sa.Integer()),
        sa.column("source_id", sa.Integer()),
        sa.column("candidate", sa.Boolean()),
    )
    change = sa.table(
        "change",
        sa.column("snapshot_id", sa.Integer()),
        sa.column("status", sa.String()),
    )
    conn.execute(change.delete().where(change.c.status == "pending"))
    candidates = sa.select(snapshot.c.id).where(snapshot.c.candidate == sa.true())
    with_candidate = sa.select(snapshot.c.source_id).where(snapshot.c.candidate == sa.true())
    conn.execute(
        source.update()
        .where(source.c.id.in_(with_candidate))
        .values(etag=None, last_modified=None, body_hash=None)
    )
    confirmed = snapshot.alias("confirmed")
    rows = conn.execute(
        sa.select(snapshot.c.id, snapshot.c.source_id).where(snapshot.c.candidate == sa.true())
    ).all()
    for candidate_id, source_id in rows:
        baseline = conn.execute(
            sa.select(sa.func.max(confirmed.c.id)).where(
                confirmed.c.source_id == source_id, confirmed.c.candidate == sa.false()
            )
        ).scalar()
        if baseline is not None:
            conn.execute(
                change.update()
                .where(change.c.snapshot_id == candidate_id)
                .values(snapshot_id=baseline)
            )
    conn.execute(snapshot.delete().where(snapshot.c.id.in_(candidates)))
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would trip over the foreign keys.
    op.execute("ALTER TABLE change DROP COLUMN confirmed_at")
    op.execute("ALTER TABLE snapshot DROP COLUMN candidate")
    op.execute("ALTER TABLE source DROP COLUMN confirm_checks")
    op.execute("ALTER TABLE source DROP COLUMN pending_since")
