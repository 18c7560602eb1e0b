"""Issue 8, class 8: after erasure nothing of the person remains in any table or in the log.

The test gives a person everything the service can hold about them: a confirmed sign-up with
name, role, region, office and language through the real form; a pending alert dispatched by the
real planner; sent, pending and failed outbox messages whose stored error text quotes the
address (as a mail server's 550 answer does); a hard bounce; rate-limit events. Erasure goes
through the real web route (``/innstillinger/<token>/slett`` with a CSRF token). Then every
table of the reflected schema and every text, JSON or binary column in it is scanned for the
address (any case) and the name. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery, DeliveryBody, enqueue, signed
from notifier.plan import dispatch
from notifier.web import create_app
from notifier.web.links import attach
from subscribers import selfservice as ss
from subscribers.models import RateEvent, Subscriber
from subscribers.suppression import is_suppressed, record_hard_bounce
from tests.conftest import Clock
from tests.test_plan import add_change
from tests.test_selfservice import csrf, make_client

ADDRESS = "Ola.Nordmann@x.no"
NAME = "Ola Nordmann"
#: what must not be found anywhere, compared in lower case: the address, the name, and the
#: surname alone (catches the local part in any other spelling, e.g. HTML-escaped)
NEEDLES = (ADDRESS.lower(), NAME.lower(), "nordmann")


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(create_app(ctx)) as c:
        yield c


def _is_scanned(kind: sa.types.TypeEngine[object]) -> bool:
    """Text, JSON (any dialect's) and binary columns: everything that can hold the person."""
    return isinstance(kind, sa.String | sa.JSON | sa.LargeBinary | sa.types.NullType) or (
        type(kind).__name__.upper() in ("JSON", "JSONB", "BYTEA", "TEXT")
    )


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def scan(engine: sa.Engine) -> tuple[set[str], list[str]]:
    """Every scanned ``table.column``, and ``table.column: needle`` for each hit."""
    inspector = sa.inspect(engine)
    scanned: set[str] = set()
    hits: list[str] = []
    with engine.connect() as conn:
        for table in inspector.get_table_names():
            names = [c["name"] for c in inspector.get_columns(table) if _is_scanned(c["type"])]
            if not names:
                continue
            scanned.update(f"{table}.{n}" for n in names)
            reflected = sa.table(table, *(sa.column(n) for n in names))
            for row in conn.execute(sa.select(*reflected.c)):
                for name, value in zip(names, row, strict=True):
                    if value is None:
                        continue
                    low = _text(value).lower()
                    hits.extend(f"{table}.{name}: {n!r}" for n in NEEDLES if n in low)
    return scanned, sorted(set(hits))


async def sign_up_and_confirm(ctx: Context, client: httpx.AsyncClient) -> tuple[int, str]:
    """The person signs up through the form and confirms; returns their id and the path of
    their preferences page (from the confirmation page, as a browser follows it)."""
    data = {
        "csrf": await csrf(client), "email": ADDRESS, "name": NAME, "role": "statsforvalter",
        "office": "rogaland", "region": "1103", "language": "nn",
        "cadence_vaksinasjon": "immediate", "cadence_testing": "daily",
    }  # fmt: skip
    assert (await client.post("/abonner", data=data)).status_code == 200
    with Session(ctx.engine) as session:
        mail = session.exec(select(Delivery).where(Delivery.kind == "confirm")).one()
        assert mail.subscriber_id is not None
        sid = mail.subscriber_id
    found = re.search(r"https://varsel\.example\.no(/bekreft/\S+)", mail.body_text)
    assert found is not None
    page = await client.post(found.group(1), data={"csrf": await csrf(client, found.group(1))})
    assert page.status_code == 200
    prefs = re.search(r'href="(/innstillinger/[^"?]+)', page.text)  # the path, not ?lang=
    assert prefs is not None
    return sid, prefs.group(1)


def fill_the_outbox(ctx: Context, sid: int, clock: Clock) -> None:
    """A real alert (pending, with its items), and sent, pending and failed messages whose
    stored error text quotes the address as mail servers do."""
    add_change(ctx, "Ny vaksineanbefaling", ["vaksinasjon"], urgent=True)
    dispatch(ctx)
    now = clock()
    quoted = f"550 5.1.1 <{ADDRESS}>: mailbox unavailable ({NAME})"
    with Session(ctx.engine) as session:
        for number, (status, error) in enumerate((
            ("sent", None), ("pending", quoted), ("failed", quoted),
            ("failed", f"452 4.2.2 {ADDRESS.upper()} over quota"),
        )):  # fmt: skip
            message = OutgoingMessage(
                f"{NAME} <{ADDRESS}>", f"Til {NAME}", f"Hei {NAME}, {ADDRESS}",
                f"<p>Hei {NAME}, <a href='mailto:{ADDRESS}'>{ADDRESS}</a></p>",
                f"erasure-test:{number}", {"X-Recipient": ADDRESS, "To-Name": NAME},
            )  # fmt: skip
            row = enqueue(session, message, kind="digest", subscriber_id=sid, now=now)
            assert row is not None
            row.status, row.last_error, row.attempts = status, error, 1
            session.add(row)
        assert record_hard_bounce(session, sid, now, threshold=5) is False
        session.commit()
        statuses = {d.status for d in session.exec(select(Delivery))}
        assert {"sent", "pending", "failed"} <= statuses


async def test_erasure_leaves_nothing_of_the_person_in_any_table_or_log(
    ctx: Context, client: httpx.AsyncClient, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    sid, prefs = await sign_up_and_confirm(ctx, client)
    fill_the_outbox(ctx, sid, clock)
    with Session(ctx.engine) as session:
        assert session.exec(
            select(RateEvent).where(RateEvent.key == ss.address_rate_key(ADDRESS))
        ).all()

    scanned, before = scan(ctx.engine)
    # the scan sees what it must: text and JSON columns, and the person in them before erasure
    for column in ("subscriber.email", "subscriber.email_key", "subscriber.name",
                   "delivery.to_address", "delivery.subject", "delivery.body_text",
                   "delivery.body_html", "delivery.headers", "delivery.last_error",
                   "delivery.personal", "delivery_body.text_parts",
                   "delivery_body.html_parts"):  # fmt: skip
        assert column in scanned
    hit_columns = {hit.split(":")[0] for hit in before}
    assert {"subscriber.email", "subscriber.name", "delivery.headers", "delivery.last_error",
            "delivery.to_address", "delivery.body_html", "delivery.personal"} <= hit_columns  # fmt: skip
    # the alert's shared body holds nothing of the person: not their name or address, nor
    # their signed links (which only their row holds)
    assert not [hit for hit in before if hit.startswith("delivery_body.")]
    with Session(ctx.engine) as session:
        alert = session.exec(select(Delivery).where(Delivery.kind == "alert")).one()
        assert alert.body_id is not None and alert.personal
        # the row holds what signing needs (token version, language); its links are signed
        # when it is sent, as they would have been at planning
        own = signed(alert.personal, alert.subscriber_id, alert.created_at, attach(ctx).mail_links)
        links = [v for k, v in own.items() if k in ("preferences", "unsubscribe")]
        assert len(links) == 2 and all("/innstillinger/" in v or "/u/" in v for v in links)
        for body in session.exec(select(DeliveryBody)):
            shared = json.dumps([body.text_parts, body.html_parts], ensure_ascii=False)
            assert not any(link in shared for link in links)
            assert not any(link.rsplit("/", 1)[-1] in shared for link in links)

    erase_path = f"{prefs}/slett"
    token = await csrf(client, erase_path)
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    erased = await client.post(erase_path, data={"csrf": token})
    assert erased.status_code == 200
    logged = [
        f"{r.name}: {r.getMessage()} {r.args!r} {r.exc_text or ''}".lower() for r in caplog.records
    ]
    assert not [line for line in logged if any(n in line for n in NEEDLES)]

    _, after = scan(ctx.engine)
    assert after == [], f"the erased person is still in: {after}"

    with Session(ctx.engine) as session:
        person = session.get(Subscriber, sid)
        assert person is not None
        assert person.email == f"erased-{sid}@invalid" and person.email_key is None
        assert (person.name, person.role, person.region, person.office, person.language) == (
            "",
            "annen",
            None,
            None,
            "nb",
        )
        assert (person.confirmed_at, person.suppressed_at, person.hard_bounces) == (None, None, 0)
        assert ss.choices(session, person) == {}
        assert not session.exec(
            select(RateEvent).where(col(RateEvent.key) == ss.address_rate_key(ADDRESS))
        ).all()
        assert not session.exec(select(Delivery).where(Delivery.status == "pending")).all()
        # what stays is a hash, enough to refuse staff re-adding the address in any case
        assert is_suppressed(session, ADDRESS.upper())
    # every link sent before is revoked
    assert (await client.get(prefs)).status_code == 400


async def test_erasing_twice_and_erasing_an_unconfirmed_sign_up_keep_nothing(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    sid, prefs = await sign_up_and_confirm(ctx, client)
    fill_the_outbox(ctx, sid, clock)
    erase_path = f"{prefs}/slett"
    assert (
        await client.post(erase_path, data={"csrf": await csrf(client, erase_path)})
    ).status_code == 200
    # a second POST of the same (now revoked) link changes nothing and reveals nothing
    again = await client.post(erase_path, data={"csrf": await csrf(client)})
    assert again.status_code == 400 and "nordmann" not in again.text.lower()
    # the person signs up again (not confirmed) and is erased by staff code directly
    data = {"csrf": await csrf(client), "email": ADDRESS.upper(), "name": NAME,
            "role": "kommunelege", "cadence_vaksinasjon": "daily"}  # fmt: skip
    assert (await client.post("/abonner", data=data)).status_code == 200
    with Session(ctx.engine) as session:
        person = ss.find(session, ADDRESS)
        assert person is not None and person.id != sid
        from notifier.outbox import scrub

        assert person.id is not None
        scrub(session, person.id)
        ss.erase(session, person, clock())
        session.commit()
    assert scan(ctx.engine)[1] == []
