"""a planned mail's links are signed when it is sent

A planned mail's row held its two signed links (preferences, unsubscribe) in ``personal``;
signing them for 100,000 recipients was a tenth of an urgent national dispatch's Python.
Now the row holds the subscriber's token version and language (``outbox.LINKS``,
"<version>/<language>") and the sender signs the links at the row's ``created_at``: the same
bytes. Nothing in the schema changes; rows written before keep their signed links and send
as before. Going down signs the links of every such row into its ``personal``, as the code
before this revision expects (with the settings handed over in the Alembic configuration's
attributes, or the environment's).

Revision ID: 0019_links_at_sending
Revises: 0018_signup_queue
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from feeds.store.models import UTCDateTime

revision: str = "0019_links_at_sending"
down_revision: str | Sequence[str] | None = "0018_signup_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DELIVERY = sa.table(
    "delivery",
    sa.column("id", sa.Integer),
    sa.column("subscriber_id", sa.Integer),
    sa.column("created_at", UTCDateTime),
    sa.column("body_id", sa.Integer),
    sa.column("personal", sa.JSON),
)


def upgrade() -> None:
    """Nothing to change: rows keep what they hold."""


def downgrade() -> None:
    from notifier.outbox import LINKS, signed
    from notifier.settings import Settings
    from notifier.web.links import Links
    from subscribers.selfservice import SECRET_NAME

    bind = op.get_bind()
    d = _DELIVERY.c
    query = sa.select(d.id, d.subscriber_id, d.created_at, d.personal).where(d.body_id.is_not(None))
    rows = [
        row
        for row in bind.execute(query)
        if isinstance(row.personal, dict) and LINKS in row.personal
    ]
    if not rows:
        return
    settings = context.config.attributes.get("settings") or Settings()
    secret = settings.secret_key.encode() if settings.secret_key else None
    if secret is None:
        stored = bind.execute(
            sa.text("SELECT value FROM app_secret WHERE name = :name"), {"name": SECRET_NAME}
        ).scalar()
        if stored is None:
            raise RuntimeError(
                "links to sign and no signing key: set NOTIFIER_SECRET_KEY to the key they "
                "were planned with"
            )
        secret = str(stored).encode()
    links = Links(settings.base_url, secret).mail_links
    batch: list[dict[str, Any]] = []
    for row in rows:
        personal = dict(signed(row.personal, row.subscriber_id, row.created_at, links))
        batch.append({"row_id": row.id, "personal": personal})
        if len(batch) >= 1000:
            _write(bind, batch)
            batch = []
    if batch:
        _write(bind, batch)


def _write(bind: Any, batch: list[dict[str, Any]]) -> None:
    bind.execute(
        _DELIVERY.update()
        .where(_DELIVERY.c.id == sa.bindparam("row_id"))
        .values(personal=sa.bindparam("personal")),
        batch,
    )
