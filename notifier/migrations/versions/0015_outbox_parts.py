"""outbox: one shared body per distinct mail, personal parts per row

``delivery_body`` holds each distinct rendered mail once (its text and HTML as parts: literal,
slot, literal, ...), keyed by the SHA-256 of its parts; ``delivery.body_id`` refers to it and
``delivery.personal`` holds the values of its slots for that recipient (name, signed
preferences and unsubscribe links). An urgent national change to 100,000 subscribers wrote
100,000 copies of a ~2.7 kB body; it now writes one or two bodies and short rows.

Rows already in the outbox are left as they are: they keep their own ``body_text`` and
``body_html`` (still NOT NULL; empty for a row that refers to a shared body) and no
``body_id``, and send as before. Messages written whole (confirmation mails, operator alerts,
test copies, push alerts) keep doing so.

``body_id`` has an index and no foreign key: on SQLite a column with a REFERENCES clause can
be dropped only by copying the table, which the keys pointing at ``delivery`` forbid. The
outbox keeps it right instead: a planning run marks a body used (or inserts it) in the
transaction that writes the rows referring to it, and housekeeping deletes only bodies that
nothing refers to and nothing used for a day (``outbox.store_bodies``, ``prune_bodies``).

Downgrade puts every shared body back into the rows that refer to it (with their personal
parts, as sending would), then drops the columns and the table.

Revision ID: 0015_outbox_parts
Revises: 0014_outbox_render
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0015_outbox_parts"
down_revision: str | Sequence[str] | None = "0014_outbox_render"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_body",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("text_parts", sa.JSON(), nullable=False),
        sa.Column("html_parts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("digest", name="uq_delivery_body_digest"),
    )
    op.create_index("ix_delivery_body_used_at", "delivery_body", ["used_at"])
    # plain ADD COLUMN on both databases (a batch copy of ``delivery`` would trip over the
    # foreign keys that point at it)
    op.add_column("delivery", sa.Column("body_id", sa.Integer(), nullable=True))
    op.add_column("delivery", sa.Column("personal", sa.JSON(), nullable=True))
    op.create_index("ix_delivery_body_id", "delivery", ["body_id"])


def _fill(parts: list[str], personal: dict[str, str], html: bool) -> str:
    from markupsafe import escape

    out = list(parts)
    for i in range(1, len(out), 2):
        value = str(personal.get(out[i], ""))
        out[i] = str(escape(value)) if html else value
    return "".join(out)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def downgrade() -> None:
    bind = op.get_bind()
    bodies = {
        bid: (_json(text), _json(html))
        for bid, text, html in bind.execute(
            sa.text("SELECT id, text_parts, html_parts FROM delivery_body")
        )
    }
    rows = bind.execute(
        sa.text("SELECT id, body_id, personal FROM delivery WHERE body_id IS NOT NULL")
    ).all()
    update = sa.text("UPDATE delivery SET body_text = :text, body_html = :html WHERE id = :id")
    batch: list[dict[str, Any]] = []
    for did, bid, personal in rows:
        text, html = bodies.get(bid, ([""], [""]))
        values = _json(personal) or {}
        batch.append(
            {"id": did, "text": _fill(text, values, False), "html": _fill(html, values, True)}
        )
        if len(batch) >= 1000:
            bind.execute(update, batch)
            batch = []
    if batch:
        bind.execute(update, batch)
    op.drop_index("ix_delivery_body_id", table_name="delivery")
    # plain DROP COLUMN (SQLite 3.35+): a batch copy would trip over the foreign keys
    op.execute("ALTER TABLE delivery DROP COLUMN personal")
    op.execute("ALTER TABLE delivery DROP COLUMN body_id")
    op.drop_index("ix_delivery_body_used_at", table_name="delivery_body")
    op.drop_table("delivery_body")
