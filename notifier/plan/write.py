"""Writing planned messages to the outbox: each rendered (each distinct form once), then
written in a few statements for the batch, leaving out keys already there; a message that
cannot be rendered is recorded as failed on its own row."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from notifier.context import Context
from notifier.digest import Digest
from notifier.mailsafe import redact
from notifier.message import OutgoingMessage
from notifier.outbox import (
    PENDING as QUEUED,
)
from notifier.outbox import (
    Delivery,
    DeliveryItem,
    record_failed,
    storable,
    store_bodies,
)
from notifier.plan import bulk
from notifier.render_batch import FormRenderer, Parted
from notifier.web.links import attach
from subscribers.models import Subscriber

log = logging.getLogger(__name__)


def store(
    ctx: Context,
    session: Session,
    digests: Sequence[Digest],
    now: datetime,
    forms: FormRenderer | None = None,
) -> int:
    """Render and enqueue each message (with its signed preferences and one-click unsubscribe
    links and List-Unsubscribe headers); returns how many were new to the outbox. Every
    message is rendered before the first row is written (the write lock is held only for the
    writes), each distinct form once (``render_batch``), and one that cannot be rendered is
    recorded as failed on its own row (operators are told) while the others are stored. The
    rows are written with one query for the keys already there and one bulk insert each for
    messages and items."""
    return write(session, render(ctx, session, digests, now, forms), now)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A batch's messages rendered, and those that could not be (recorded by ``write``)."""

    messages: list[tuple[Digest, Parted | OutgoingMessage]]
    failed: list[tuple[Digest, str]]


def render(
    ctx: Context,
    session: Session,
    digests: Sequence[Digest],
    now: datetime,
    forms: FormRenderer | None = None,
) -> Rendered:
    """Every message of ``digests`` rendered (``session`` is read for token versions only);
    one that cannot be rendered is logged and kept aside with its reason."""
    done = Rendered([], [])
    if not digests:
        return done
    if forms is None:  # a renderer of the caller's carries its links (``attach`` once)
        forms = FormRenderer(ctx.renderer, now, attach(ctx).mail_links)
    unknown = {d.recipient.subscriber_id for d in digests} - forms.versions.keys()
    if unknown:
        forms.versions.update(_token_versions(session, unknown))
    for digest in digests:
        try:
            done.messages.append((digest, forms.parts(digest)))
        except Exception as exc:  # a template or data error in one message only
            log.exception("message %s could not be rendered", digest.idempotency_key)
            done.failed.append((digest, redact(f"render: {type(exc).__name__}: {exc}")))
    return done


def write(session: Session, rendered: Rendered, now: datetime) -> int:
    """Write a rendered batch (the caller commits): those that could not be rendered as
    failed rows, the others as queued messages; how many messages were new."""
    for digest, error in rendered.failed:
        record_failed(
            session, idempotency_key=digest.idempotency_key, kind=digest.kind,
            subscriber_id=digest.recipient.subscriber_id, to_address="", error=error, now=now,
            channel=digest.channel,
        )  # fmt: skip
    if not rendered.messages:
        return 0
    return _write_messages(session, rendered.messages, now)


def _token_versions(session: Session, ids: set[int]) -> dict[int, int]:
    rows = session.exec(
        select(Subscriber.id, Subscriber.token_version).where(col(Subscriber.id).in_(ids))
    ).all()
    return {sid: version for sid, version in rows if sid is not None}


def _write_messages(
    session: Session, rendered: Sequence[tuple[Digest, Parted | OutgoingMessage]], now: datetime
) -> int:
    """Insert these messages and the items they carry, leaving out keys already in the
    outbox (what ``outbox.enqueue`` does per message, in a few statements for the batch). A
    mail's shared body is stored once (``outbox.store_bodies``) and its row holds only what
    is the recipient's own; a push message is stored whole."""
    keys = [m.idempotency_key for _, m in rendered]
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    taken = set(
        session.exec(
            select(Delivery.idempotency_key).where(
                _key_among(Delivery.idempotency_key, keys, postgres)
            )
        ).all()
    )
    fresh = [(d, m) for d, m in rendered if m.idempotency_key not in taken]
    body_ids = store_bodies(
        session, [m.body for _, m in fresh if isinstance(m, Parted)], now
    )  # fmt: skip
    rows, carried = [], {}
    for digest, message in fresh:
        key = message.idempotency_key
        if key in taken:
            continue
        taken.add(key)
        row = {
            "idempotency_key": key, "subscriber_id": digest.recipient.subscriber_id,
            "channel": digest.channel, "kind": digest.kind, "to_address": storable(message.to),
            "status": QUEUED, "attempts": 0, "created_at": now, "next_attempt_at": now,
        }  # fmt: skip
        if isinstance(message, Parted):
            # the form and the personal parts were made storable by the FormRenderer; the
            # headers follow from the personal parts when it is sent (``outbox.join``)
            row |= {
                "subject": message.subject, "body_text": "", "body_html": "", "headers": {},
                "body_id": body_ids[message.body.digest], "personal": dict(message.personal),
            }  # fmt: skip
        else:
            row |= {
                "subject": storable(message.subject), "body_text": storable(message.text),
                "body_html": storable(message.html),
                "headers": {storable(k): storable(v) for k, v in message.headers.items()},
                "body_id": None, "personal": None,
            }  # fmt: skip
        rows.append(row)
        carried[key] = digest
    if not rows:
        return 0
    # Core statements on the session's connection: one bulk insert per table. PostgreSQL:
    # the ids are taken from the table's sequence first (one query) and written with the rows;
    # elsewhere one query reads the new ids back (the keys are unique), which is faster than
    # RETURNING per row
    ids: list[tuple[int, str]] = []
    key_of = itemgetter("idempotency_key")
    if postgres:
        new_ids = conn.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence('delivery', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": len(rows)},
        ).scalars()
        for row, new_id in zip(rows, new_ids, strict=True):
            row["id"] = new_id
            ids.append((new_id, key_of(row)))
    bulk.insert_rows(conn, "delivery", insert(Delivery), rows)
    if not postgres:
        found = conn.execute(
            sa_select(col(Delivery.id), col(Delivery.idempotency_key)).where(
                col(Delivery.idempotency_key).in_(list(carried))
            )
        )
        ids = [(did, key) for did, key in found if did is not None]
    items = [
        {"delivery_id": did, "subscriber_id": carried[key].recipient.subscriber_id,
         "change_id": change_id, "channel": carried[key].channel}
        for did, key in ids
        for change_id in carried[key].change_ids
    ]  # fmt: skip
    if items:
        bulk.insert_rows(conn, "delivery_item", insert(DeliveryItem), items)
    return len(rows)


def _key_among(column: Any, keys: list[str], postgres: bool) -> Any:
    """``column IN keys``; on PostgreSQL ``= ANY(array)``: one parameter, not hundreds."""
    if postgres:
        return col(column) == sa.any_(sa.bindparam("keys", keys, type_=ARRAY(sa.String())))
    return col(column).in_(keys)
