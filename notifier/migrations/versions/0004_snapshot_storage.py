"""snapshot.packed_state: the snapshot state as compressed JSON

Revision ID: 0004_snapshot_storage
Revises: 0003_merge_full_fetch
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from feeds.store.snapshot import state_from_blob, state_to_json

revision: str = "0004_snapshot_storage"
down_revision: str | Sequence[str] | None = "0003_merge_full_fetch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: ``change.snapshot_id`` points at ``snapshot``, so a batch copy of the
    # table would trip over that foreign key. Existing rows keep their JSON ``state`` and are
    # read from it (feeds.store.latest_state) until the next check writes a packed row.
    op.add_column("snapshot", sa.Column("packed_state", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # Rows written since the upgrade hold their state in ``packed_state`` only: unpack it into
    # ``state`` first, so the code of 0003 reads every source's last version. The packed
    # formats are read by feeds.detect, which reads every format it ever wrote.
    snapshot = sa.table(
        "snapshot",
        sa.column("id", sa.Integer()),
        sa.column("state", sa.JSON()),
        sa.column("packed_state", sa.LargeBinary()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(snapshot.c.id, snapshot.c.packed_state).where(
            snapshot.c.packed_state.is_not(None)
        )
    ).all()
    for snapshot_id, packed in rows:
        conn.execute(
            snapshot.update()
            .where(snapshot.c.id == snapshot_id)
            .values(state=state_to_json(state_from_blob(bytes(packed))))
        )
    op.drop_column("snapshot", "packed_state")
