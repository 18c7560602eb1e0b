"""The console's outbox (``/staff/utboks``) through the real app, SQLite and PostgreSQL:
messages listed by status and kind, paged; the last error in Norwegian words with the raw
(redacted) text only as a small labelled detail; retry of a failed message and cancel of a
pending one, each audited and each refused without a valid csrf_token; a cancelled message is
never sent; a suppressed or erased address is not retried; a message a sender holds is not
cancelled."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from lxml import html as lxml_html
from sqlmodel import Session, select

from notifier import outbox_admin as ob
from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.models import AuditEvent
from notifier.outbox import Delivery, enqueue, scrub
from notifier.web.texts_outbox import NB, NN
from subscribers import push, targets
from subscribers.models import Subscriber
from subscribers.selfservice import erase
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.support.staff import fast_hasher, login, staff_client
from tests.test_plan import subscribe

__all__ = ["fast_hasher"]

PAGE = "/staff/utboks"


def parse(page: str) -> Any:
    """The page as an lxml tree (typed loosely: lxml's xpath results are a wide union)."""
    return lxml_html.fromstring(page)


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """Logins in these tests use cheap argon2 parameters."""


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx) as c:
        yield c


def queue(
    ctx: Context,
    key: str,
    *,
    to: str = "lege@kommune.no",
    kind: str = "digest",
    subscriber_id: int | None = None,
    **state: object,
) -> int:
    """A message in the outbox with ``state`` (status, failure, last_error, ...) set."""
    with Session(ctx.engine) as session:
        message = OutgoingMessage(to, f"Emne {key}", "tekst", "<p>html</p>", key)
        row = enqueue(session, message, kind=kind, subscriber_id=subscriber_id, now=ctx.clock())
        assert row is not None and row.id is not None
        for name, value in state.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
        return row.id


def row_of(ctx: Context, delivery_id: int) -> Delivery:
    with Session(ctx.engine) as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        return row


def subscriber_id(ctx: Context, email: str) -> int:
    subscribe(ctx, email, ["vaksinasjon"], "daily")
    with Session(ctx.engine) as session:
        sid = session.exec(select(Subscriber.id).where(Subscriber.email == email)).one()
        assert sid is not None
        return sid


def events(ctx: Context, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


async def test_errors_are_shown_in_norwegian_words(ctx: Context, client: httpx.AsyncClient) -> None:
    queue(
        ctx, "gave-up", status="failed", failure="gave_up", attempts=8,
        last_error="SMTP 421: 4.7.0 Try again later <adresse>",
    )  # fmt: skip
    queue(
        ctx, "bounce", status="failed", failure="bounce", attempts=1,
        last_error="SMTP 550: 5.1.1 <adresse> user unknown",
    )  # fmt: skip
    queue(ctx, "waiting", attempts=2, last_error="SMTP server unavailable: refused")
    queue(ctx, "sent", status="sent", attempts=1)
    await login(client, ctx)
    page = await client.get(PAGE)
    assert page.status_code == 200
    tree = parse(page.text)
    cells = {
        str(tr.xpath("td[5]")[0].text_content()): tr.xpath("td[9]")[0]
        for tr in tree.xpath("//table/tbody/tr")
    }
    gave_up = cells["Emne gave-up"]
    words = [str(p.text_content()) for p in gave_up.xpath("p")]
    assert words == [
        NB["failure_gave_up"].format(attempts=8),
        NB["cause_smtp_4xx"].format(code="421"),
    ]
    [raw] = gave_up.xpath("small[@class='raw']")
    assert str(raw.text_content()).startswith(NB["raw_label"] + ": SMTP 421")
    assert [str(p.text_content()) for p in cells["Emne bounce"].xpath("p")] == [
        NB["failure_bounce"], NB["cause_smtp_5xx"].format(code="550"),
    ]  # fmt: skip
    assert [str(p.text_content()) for p in cells["Emne waiting"].xpath("p")] == [
        NB["waiting_retry"].format(attempts=2), NB["cause_smtp_unavailable"],
    ]  # fmt: skip
    assert cells["Emne sent"].xpath("p") == []
    nynorsk = await client.get(PAGE, params={"lang": "nn"})
    assert NN["failure_gave_up"].format(attempts=8) in nynorsk.text


def test_every_failure_kind_and_cause_has_words() -> None:
    for failure in ("bounce", "refused", "invalid", "gave_up", "suppressed", None, "odd"):
        row = Delivery(
            idempotency_key="k", kind="digest", to_address="a@b.no", subject="s",
            body_text="t", body_html="h", status="failed", failure=failure,
            last_error="SMTP 452: mailbox full",
        )  # fmt: skip
        for key, values in ob.explain(row):
            for texts in (NB, NN):
                assert texts[key].format(**values)
    for error in (
        "SMTP 421: busy", "SMTP 554: no", "SMTP server unavailable: x", "SMTP: TimeoutError",
        "render: UndefinedError: x", "could not write /var/mail/x: full",
        "the address is suppressed after hard bounces", "(slettet: teksten kunne nevne adressen)",
        "unexpected error: KeyError: 1", "the message cannot be built: bad",
        "the recipient address is not a single address", "something else",
    ):  # fmt: skip
        key, values = ob.cause(error)
        assert NB[key].format(**values) and NN[key].format(**values)
    assert ob.cause("something else")[0] == "cause_other"
    assert NB.keys() == NN.keys()


async def test_filter_by_status_and_kind_and_page(ctx: Context, client: httpx.AsyncClient) -> None:
    for n in range(ob.PER_PAGE + 2):
        queue(ctx, f"digest-{n}", status="sent")
    queue(ctx, "alert-failed", kind="alert", status="failed", failure="refused")
    queue(ctx, "operator", kind="operator", to="drift@fhi.no")
    await login(client, ctx)

    async def subjects(**params: str) -> list[str]:
        page = await client.get(PAGE, params=params)
        assert page.status_code == 200
        tree = parse(page.text)
        return [str(td.text_content()) for td in tree.xpath("//table/tbody/tr/td[5]")]

    assert await subjects(status="failed") == ["Emne alert-failed"]
    assert await subjects(kind="operator") == ["Emne operator"]
    assert await subjects(status="sent", kind="alert") == []
    first = await subjects(status="sent")
    assert len(first) == ob.PER_PAGE and first[0] == f"Emne digest-{ob.PER_PAGE + 1}"
    assert await subjects(status="sent", page="2") == ["Emne digest-1", "Emne digest-0"]
    assert await subjects(status="sent", page="99") == ["Emne digest-1", "Emne digest-0"]
    page = await client.get(PAGE, params={"status": "sent"})
    assert 'href="/staff/utboks?status=sent&amp;page=2"' in page.text
    assert NB["kind_operator"] in page.text


async def test_retry_a_failed_message(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    sid = subscriber_id(ctx, "lege@kommune.no")
    failed = queue(
        ctx, "failed", subscriber_id=sid, status="failed", failure="gave_up", attempts=3,
        last_error="SMTP 421: busy", next_attempt_at=clock() - timedelta(hours=5),
    )  # fmt: skip
    user, csrf = await login(client, ctx)
    clock.advance(minutes=10)

    for form in ({}, {"csrf_token": "feil"}):
        refused = await client.post(f"{PAGE}/{failed}/prov-igjen", data=form)
        assert refused.status_code == 403
        assert row_of(ctx, failed).status == "failed" and events(ctx, "outbox_retry") == []

    done = await client.post(
        f"{PAGE}/{failed}/prov-igjen", data={"csrf_token": csrf, "status": "failed"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{PAGE}?status=failed&ok=retried"
    row = row_of(ctx, failed)
    assert (row.status, row.attempts, row.failure) == ("pending", 3, None)
    assert row.next_attempt_at == clock()
    [event] = events(ctx, "outbox_retry")
    assert (event.actor, event.target_id) == (user.email, str(failed))
    assert event.before["status"] == "failed" and event.after["status"] == "pending"
    shown = await client.get(done.headers["location"])
    assert NB["ok_retried"] in shown.text

    again = await client.post(f"{PAGE}/{failed}/prov-igjen", data={"csrf_token": csrf})
    assert again.headers["location"].endswith("error=not_failed")
    await deliver_via_smtp(ctx, port)
    assert len(inbox.to("lege@kommune.no")) == 1
    assert row_of(ctx, failed).status == "sent"


async def test_a_suppressed_or_erased_address_is_not_retried(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    bounced = subscriber_id(ctx, "borte@kommune.no")
    gone = subscriber_id(ctx, "slettet@kommune.no")
    with Session(ctx.engine) as session:
        row = session.get(Subscriber, bounced)
        assert row is not None
        row.suppressed_at = ctx.clock()
        session.add(row)
        session.commit()
    first = queue(ctx, "a", to="borte@kommune.no", subscriber_id=bounced, status="failed",
                  failure="bounce")  # fmt: skip
    second = queue(ctx, "b", to="slettet@kommune.no", subscriber_id=gone, status="failed",
                   failure="gave_up")  # fmt: skip
    with Session(ctx.engine) as session:
        scrub(session, gone)
        person = session.get(Subscriber, gone)
        assert person is not None
        erase(session, person, ctx.clock())
        session.commit()
    _, csrf = await login(client, ctx)
    answer = await client.post(f"{PAGE}/{first}/prov-igjen", data={"csrf_token": csrf})
    assert answer.headers["location"].endswith("error=suppressed")
    answer = await client.post(f"{PAGE}/{second}/prov-igjen", data={"csrf_token": csrf})
    assert answer.headers["location"].endswith("error=erased")
    shown = await client.get(answer.headers["location"] + "&lang=nn")
    assert NN["err_erased"] in shown.text
    assert row_of(ctx, first).status == row_of(ctx, second).status == "failed"
    assert events(ctx, "outbox_retry") == []
    missing = await client.post(f"{PAGE}/999999/prov-igjen", data={"csrf_token": csrf})
    assert missing.headers["location"].endswith("error=missing")


async def test_cancel_a_pending_message_and_it_is_never_sent(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    pending = queue(ctx, "pending", to="lege@kommune.no")
    other = queue(ctx, "other", to="annen@kommune.no")
    user, csrf = await login(client, ctx, role="redaktor")

    for form in ({}, {"csrf_token": "feil"}):
        refused = await client.post(f"{PAGE}/{pending}/avbryt", data=form)
        assert refused.status_code == 403 and row_of(ctx, pending).status == "pending"
    done = await client.post(f"{PAGE}/{pending}/avbryt", data={"csrf_token": csrf})
    assert done.headers["location"] == f"{PAGE}?ok=cancelled"
    assert row_of(ctx, pending).status == "cancelled"
    [event] = events(ctx, "outbox_cancel")
    assert (event.actor, event.before["status"], event.after["status"]) == (
        user.email, "pending", "cancelled",
    )  # fmt: skip

    report = await deliver_via_smtp(ctx, port)
    assert report.sent == 1
    assert inbox.to("lege@kommune.no") == [] and len(inbox.to("annen@kommune.no")) == 1
    assert row_of(ctx, pending).status == "cancelled" and row_of(ctx, other).status == "sent"
    again = await client.post(f"{PAGE}/{pending}/avbryt", data={"csrf_token": csrf})
    assert again.headers["location"].endswith("error=not_pending")
    page = await client.get(PAGE, params={"status": "cancelled"})
    assert NB["failure_cancelled"] in page.text


async def test_a_message_being_sent_is_not_cancelled(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    held = queue(ctx, "held", claim_token="x" * 32, claimed_until=clock() + timedelta(minutes=5))
    stale = queue(ctx, "stale", claim_token="y" * 32, claimed_until=clock() - timedelta(minutes=5))
    _, csrf = await login(client, ctx)
    answer = await client.post(f"{PAGE}/{held}/avbryt", data={"csrf_token": csrf})
    assert answer.headers["location"].endswith("error=in_flight")
    assert row_of(ctx, held).status == "pending"
    answer = await client.post(f"{PAGE}/{stale}/avbryt", data={"csrf_token": csrf})
    assert answer.headers["location"].endswith("ok=cancelled")
    row = row_of(ctx, stale)
    assert (row.status, row.claim_token) == ("cancelled", None)


async def test_the_outbox_needs_a_session(ctx: Context, client: httpx.AsyncClient) -> None:
    pending = queue(ctx, "pending")
    assert (await client.get(PAGE)).status_code == 303
    answer = await client.post(f"{PAGE}/{pending}/avbryt", data={})
    assert answer.status_code == 303 and row_of(ctx, pending).status == "pending"


def push_row(ctx: Context, key: str, sid: int, channel: str, **state: object) -> int:
    """A push message (addressed ``subscriber:<id>``) in the outbox with ``state`` set."""
    with Session(ctx.engine) as session:
        message = OutgoingMessage(f"subscriber:{sid}", f"Emne {key}", "kort", "", key)
        row = enqueue(
            session, message, kind="alert", subscriber_id=sid, now=ctx.clock(), channel=channel
        )
        assert row is not None and row.id is not None
        for name, value in state.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
        return row.id


async def test_push_rows_show_the_person_the_channel_and_masked_targets(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """A push row is addressed ``subscriber:<id>``: the page shows that person's address,
    the channel in Norwegian, how many devices they have, and their Apprise targets masked;
    never the target's secret URL nor the raw recipient."""
    sid = subscriber_id(ctx, "sf@statsforvalteren.no")
    gone = subscriber_id(ctx, "borte@kommune.no")
    with Session(ctx.engine) as session:
        key = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode().rstrip("=")
        auth = base64.urlsafe_b64encode(b"\x02" * 16).decode().rstrip("=")
        push.add(session, sid, "https://push.example.no/e/1", key, auth, ctx.clock())
        push.add(session, sid, "https://push.example.no/e/2", key, auth, ctx.clock())
        parsed = targets.parse("jsons://hook.example.no/hemmelig-token")
        targets.add(session, sid, parsed, b"k", ctx.clock())
        session.commit()
    push_row(ctx, "webpush", sid, "webpush", status="failed", failure="refused",
             last_error="push service 410: subscription gone")  # fmt: skip
    push_row(ctx, "apprise", sid, "apprise", attempts=2,
             last_error="jsons://hook.example.no/…: the target did not accept the message")  # fmt: skip
    push_row(ctx, "erased", gone, "webpush")
    with Session(ctx.engine) as session:
        erase(session, session.get(Subscriber, gone), ctx.clock())  # type: ignore[arg-type]
        session.commit()
    queue(ctx, "mail", to="lege@kommune.no")
    await login(client, ctx)
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "hemmelig" not in page.text and "subscriber:" not in page.text
    tree = parse(page.text)
    cells = {
        str(tr.xpath("td[5]")[0].text_content()): [
            " ".join(" ".join(td.itertext()).split()) for td in tr.xpath("td")
        ]
        for tr in tree.xpath("//table/tbody/tr")
    }
    webpush, apprise = cells["Emne webpush"], cells["Emne apprise"]
    assert webpush[2] == NB["channel_webpush"]
    assert webpush[3] == "sf@statsforvalteren.no " + NB["push_devices"].format(n=2)
    assert webpush[8].startswith(
        NB["failure_push"] + " " + NB["cause_push_gone"].format(code="410")
    )
    assert apprise[2] == NB["channel_apprise"]
    assert apprise[3] == "sf@statsforvalteren.no jsons://hook.example.no/…"
    assert NB["cause_target_refused"] in apprise[8]
    assert cells["Emne erased"][2:4] == [NB["channel_webpush"], f"{NB['to_erased']} " + NB["push_no_devices"]]  # fmt: skip
    assert cells["Emne mail"][2:4] == [NB["channel_email"], "lege@kommune.no"]
    nynorsk = await client.get(PAGE, params={"lang": "nn"})
    assert NN["channel_webpush"] in nynorsk.text and NN["push_devices"].format(n=2) in nynorsk.text


def test_push_causes_have_words() -> None:
    for error, key in (
        ("push service 410: subscription gone", "cause_push_gone"),
        ("push service 404: subscription gone", "cause_push_gone"),
        ("push service 429; push service 503", "cause_push_status"),
        ("push service 400: Bad Request", "cause_push_status"),
        ("push service unreachable: ClientConnectorError", "cause_push_unreachable"),
        ("endpoint refused by the outbound gate: private", "cause_push_gate"),
        ("no push endpoint left for this subscriber", "cause_push_none"),
        ("every push endpoint is gone (404/410)", "cause_push_none"),
        ("no Apprise target left for this subscriber", "cause_target_none"),
        ("json://h/…: the target did not accept the message", "cause_target_refused"),
        ("json://h/…: the target cannot be decrypted (the signing key changed)", "cause_target_key"),
    ):  # fmt: skip
        found, values = ob.cause(error)
        assert found == key, error
        assert NB[key].format(**values) and NN[key].format(**values)
