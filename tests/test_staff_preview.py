"""The console's preview (``/staff/forhandsvisning``) through the real app, SQLite and
PostgreSQL: a subscriber's next daily digest as previewed is byte for byte what
``compose_digests`` then stores and ``deliver`` sends (HTML, text, subject, headers); a
segment's preview is the same message but for the personal parts; "send a test to me" reaches
the staff address through a real SMTP server marked [TEST], records nothing as delivered to
the subscriber (whose digest still carries the change), is audited, and is refused without a
valid csrf_token; the HTML frame is served with a strict Content-Security-Policy."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import html as lxml_html
from sqlmodel import Session, col, func, select

from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.models import AuditEvent
from notifier.outbox import Delivery, DeliveryItem, message_of
from notifier.plan import compose_digests
from notifier.plan.previews import SEGMENT_ADDRESS, Segment, check_segment, for_segment
from notifier.web.links import attach
from notifier.web.texts_preview import NB, NN
from subscribers.models import Subscriber
from subscribers.selfservice import erase
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp, store_change
from tests.support.smtpserver import Inbox
from tests.support.staff import fast_hasher, login, staff_client
from tests.test_plan import subscribe

__all__ = ["fast_hasher"]

PAGE = "/staff/forhandsvisning"


def parse(page: str) -> Any:
    """The page as an lxml tree (typed loosely: lxml's xpath results are a wide union)."""
    return lxml_html.fromstring(page)


_PERSONAL = re.compile(r"/(innstillinger|u)/[0-9]+\.[0-9]+\.[0-9]+\.[A-Za-z0-9_\-]+")


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """Logins in these tests use cheap argon2 parameters."""


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx) as c:
        yield c


def subscriber(ctx: Context, email: str, **fields: str) -> Subscriber:
    """A confirmed daily subscriber of vaksinasjon (confirmed yesterday), with ``fields``."""
    subscribe(ctx, email, ["vaksinasjon"], "daily")
    with Session(ctx.engine, expire_on_commit=False) as session:
        row = session.exec(select(Subscriber).where(Subscriber.email == email)).one()
        for name, value in fields.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
        return row


def pre_text(page: str) -> str:
    """The plain text of the message as the page shows it."""
    tree = parse(page)
    [pre] = tree.xpath("//pre[@class='mailtext']")
    return str(pre.text_content())


def outbox(ctx: Context) -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))))


def mail(ctx: Context, row: Delivery) -> OutgoingMessage:
    """The message of a stored row as it is sent (a shared body joined with its personal
    parts, or the row's own body)."""
    with Session(ctx.engine) as session:
        return message_of(session, row, attach(ctx).mail_links)


def nonce_of(page: str) -> str:
    found = re.search(r'name="nonce" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


async def test_the_preview_is_exactly_what_the_digest_sends(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    sub = subscriber(ctx, "lege@kommune.no", name="Kari Nordmann", region="1103")
    store_change(ctx, 1, "Ny veileder for vaksinasjon <b>høst</b>", summary="Nye doser.")
    store_change(ctx, 2, "Endret råd om influensavaksine")
    await login(client, ctx, role="admin")  # an admin sees the message exactly

    page = await client.get(PAGE, params={"subscriber": str(sub.id), "cadence": "daily"})
    assert page.status_code == 200
    frame = await client.get(
        f"{PAGE}/ramme", params={"subscriber": str(sub.id), "cadence": "daily"}
    )
    assert frame.status_code == 200
    tree = parse(page.text)
    headers = dict(
        zip(
            [str(x.text_content()) for x in tree.xpath("//dl[@class='headers']/dt")],
            [str(x.text_content()) for x in tree.xpath("//dl[@class='headers']/dd")],
            strict=True,
        )
    )
    assert tree.xpath("//iframe[@sandbox='']/@src") == [
        f"{PAGE}/ramme?subscriber={sub.id}&cadence=daily"
    ]

    assert compose_digests(ctx, "daily") == 1
    [row] = outbox(ctx)
    assert frame.text == mail(ctx, row).html
    assert pre_text(page.text) == mail(ctx, row).text
    assert headers[NB["header_subject"]] == row.subject
    assert headers[NB["header_to"]] == row.to_address == "lege@kommune.no"
    assert headers["List-Unsubscribe"] == mail(ctx, row).headers["List-Unsubscribe"]
    assert headers[NB["header_key"]] == row.idempotency_key
    await deliver_via_smtp(ctx, port)
    [sent] = inbox.to("lege@kommune.no")
    assert sent["Subject"] == row.subject
    html_part = sent.get_body(("html",))
    assert html_part is not None and "influensavaksine" in html_part.get_content()


async def test_a_redaktor_never_sees_the_subscribers_signed_links(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """With a preferences or one-click link anyone can read, change or erase the subscriber's
    data: that is an admin's power, so a redaktor's preview hides them."""
    sub = subscriber(ctx, "lege@kommune.no", name="Kari Nordmann", region="1103")
    store_change(ctx, 1, "Ny veileder for vaksinasjon", summary="Nye doser.")
    await login(client, ctx)  # a redaktor
    params = {"subscriber": str(sub.id), "cadence": "daily"}
    page = await client.get(PAGE, params=params)
    frame = await client.get(f"{PAGE}/ramme", params=params)
    assert compose_digests(ctx, "daily") == 1
    [row] = outbox(ctx)
    signed = [p for p in ("/innstillinger/", "/u/") if p in mail(ctx, row).html]
    assert signed  # the real mail carries both links ...
    for part in signed:  # ... the redaktor's preview neither
        assert part not in page.text and part not in frame.text
    assert "List-Unsubscribe" not in page.text
    assert "Nye doser." in frame.text


async def test_a_segment_preview_is_the_message_a_member_would_get(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    sub = subscriber(ctx, "lege@kommune.no", region="1103")  # no name: no personal greeting
    store_change(ctx, 1, "Ny veileder for vaksinasjon")
    store_change(ctx, 2, "Testing av reisende", subtopics=("testing",))  # not followed
    await login(client, ctx)
    query = {
        "role": "kommunelege", "region": "1103", "subtopic": "vaksinasjon",
        "cadence": "daily", "language": "nb",
    }  # fmt: skip
    page = await client.get(PAGE, params=query)
    assert page.status_code == 200
    src = parse(page.text).xpath("//iframe/@src")[0]
    frame = await client.get(src)
    assert compose_digests(ctx, "daily") == 1
    [row] = outbox(ctx)
    assert row.subscriber_id == sub.id
    # the same message but for whom it is to and the personal links
    assert _PERSONAL.sub("/LINK", frame.text) == _PERSONAL.sub("/LINK", mail(ctx, row).html)
    segment_text = pre_text(page.text)
    assert _PERSONAL.sub("/LINK", segment_text) == _PERSONAL.sub("/LINK", mail(ctx, row).text)
    assert SEGMENT_ADDRESS in page.text and "Testing av reisende" not in frame.text
    # nothing stored for the segment
    with Session(ctx.engine) as session:
        assert session.exec(select(func.count()).select_from(Subscriber)).one() == 1


async def test_a_segment_in_nynorsk_and_another_region(ctx: Context) -> None:
    store_change(ctx, 1, "Ny veileder for vaksinasjon")
    segment = Segment("kommunelege", "1103", ("vaksinasjon",), "weekly", "nn")
    with Session(ctx.engine) as session:
        found = for_segment(ctx, session, segment, ctx.clock())
    assert found.message is not None and found.digest is not None
    assert found.message.subject.startswith("Helsevarsel veke ")
    assert 'lang="nn"' in found.message.html
    regions = frozenset({"1103", "11"})
    assert check_segment(segment, ctx.taxonomy.slugs(), regions) == []
    bad = Segment("rektor", "9999", (), "hourly", "en")
    assert check_segment(bad, ctx.taxonomy.slugs(), regions) == [
        "role", "region", "subtopics", "cadence", "language",
    ]  # fmt: skip


async def test_a_segment_with_errors_says_so_in_norwegian(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    await login(client, ctx)
    page = await client.get(
        PAGE, params={"role": "kommunelege", "region": "", "cadence": "daily", "lang": "nn"}
    )
    assert page.status_code == 200
    assert NN["err_subtopics"] in page.text and "<iframe" not in page.text


async def test_the_frame_is_served_with_a_strict_policy(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    sub = subscriber(ctx, "lege@kommune.no")
    store_change(ctx, 1, '<script>alert(1)</script><img src="https://evil.example/x.png">')
    await login(client, ctx)
    frame = await client.get(f"{PAGE}/ramme", params={"subscriber": str(sub.id)})
    policy = frame.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "sandbox" in policy and "script-src" not in policy
    assert frame.headers["x-content-type-options"] == "nosniff"
    assert frame.headers["cache-control"] == "no-store"
    assert "<script>" not in frame.text and "&lt;script&gt;" in frame.text
    assert '<img src="https://evil.example' not in frame.text
    empty = await client.get(f"{PAGE}/ramme", params={"subscriber": "999999"})
    assert empty.status_code == 200 and NB["frame_empty"] in empty.text
    assert "default-src 'none'" in empty.headers["content-security-policy"]


async def test_the_preview_needs_a_session(ctx: Context, client: httpx.AsyncClient) -> None:
    for path in (PAGE, f"{PAGE}/ramme?subscriber=1"):
        answer = await client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/staff/login?neste=")
    sent = await client.post(f"{PAGE}/test", data={"subscriber": "1", "nonce": "a" * 32})
    assert sent.status_code == 303 and outbox(ctx) == []


async def test_search_by_address_name_and_municipality(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    subscriber(ctx, "lege@stavanger.kommune.no", name="Kari Nordmann", region="1103")
    subscriber(ctx, "per@bergen.kommune.no", name="Per Hansen", region="4601")
    gone = subscriber(ctx, "slettet@stavanger.kommune.no", name="Ola", region="1103")
    with Session(ctx.engine) as session:
        row = session.get(Subscriber, gone.id)
        assert row is not None
        erase(session, row, ctx.clock())
        session.commit()
    await login(client, ctx)

    async def found(query: str) -> list[str]:
        page = await client.get(PAGE, params={"q": query})
        tree = parse(page.text)
        return [str(td.text_content()) for td in tree.xpath("//table//td[1]")]

    assert await found("bergen.kommune") == ["per@bergen.kommune.no"]
    assert await found("nordmann") == ["lege@stavanger.kommune.no"]
    assert await found("Stavanger") == ["lege@stavanger.kommune.no"]
    assert await found("%") == []
    assert await found("ingen slik") == []
    page = await client.get(PAGE, params={"q": "ingen slik", "lang": "nn"})
    assert NN["search_none"] in page.text


async def test_send_a_test_to_me(
    ctx: Context, client: httpx.AsyncClient, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    sub = subscriber(ctx, "lege@kommune.no", name="Kari")
    change_id = store_change(ctx, 1, "Ny veileder for vaksinasjon")
    user, csrf = await login(client, ctx, email="kommunikasjon@fhi.no")
    query = {"subscriber": str(sub.id), "cadence": "daily"}
    page = await client.get(PAGE, params=query)
    form = {"csrf_token": csrf, "nonce": nonce_of(page.text), **query}

    refused = await client.post(f"{PAGE}/test", data={**form, "csrf_token": "feil"})
    assert refused.status_code == 403 and outbox(ctx) == []
    missing = await client.post(
        f"{PAGE}/test", data={k: v for k, v in form.items() if k != "csrf_token"}
    )
    assert missing.status_code == 403 and outbox(ctx) == []

    sent = await client.post(f"{PAGE}/test", data=form)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{PAGE}?subscriber={sub.id}&cadence=daily&ok=test_sent"
    again = await client.post(f"{PAGE}/test", data=form)  # the same form twice: one test
    assert again.headers["location"].endswith("ok=test_again")
    shown = await client.get(sent.headers["location"])
    assert NB["ok_test_sent"].format(email=user.email) in shown.text

    [row] = outbox(ctx)
    assert (row.kind, row.subscriber_id, row.to_address) == ("test", None, "kommunikasjon@fhi.no")
    assert row.subject.startswith("[TEST] Helsevarsel ")
    assert "List-Unsubscribe" not in row.headers
    assert not _PERSONAL.search(mail(ctx, row).html) and not _PERSONAL.search(mail(ctx, row).text)
    with Session(ctx.engine) as session:
        assert session.exec(select(func.count()).select_from(DeliveryItem)).one() == 0
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "test_send")).all()
    assert (event.actor, event.target_kind, event.target_id) == (
        user.email,
        "subscriber",
        str(sub.id),
    )
    assert event.detail == row.subject

    await deliver_via_smtp(ctx, port)
    [test] = inbox.to("kommunikasjon@fhi.no")
    assert test["Subject"].startswith("[TEST] ") and test["List-Unsubscribe"] is None
    assert inbox.to("lege@kommune.no") == []

    # the subscriber's own digest still carries the change
    assert compose_digests(ctx, "daily") == 1
    await deliver_via_smtp(ctx, port)
    [digest] = inbox.to("lege@kommune.no")
    assert not digest["Subject"].startswith("[TEST]")
    with Session(ctx.engine) as session:
        items = session.exec(select(DeliveryItem)).all()
    assert [(i.subscriber_id, i.change_id) for i in items] == [(sub.id, change_id)]


async def test_a_test_of_a_segment_and_of_nothing(ctx: Context, client: httpx.AsyncClient) -> None:
    _, csrf = await login(client, ctx)
    segment = {
        "role": "annen", "region": "", "subtopics": "vaksinasjon", "cadence": "daily",
        "language": "nn",
    }  # fmt: skip
    nothing = await client.post(
        f"{PAGE}/test", data={"csrf_token": csrf, "nonce": "b" * 32, **segment}
    )
    assert nothing.headers["location"].endswith("error=nothing") and outbox(ctx) == []
    shown = await client.get(nothing.headers["location"] + "&lang=nn")
    assert NN["err_nothing"] in shown.text

    store_change(ctx, 1, "Ny veileder for vaksinasjon")
    bad = await client.post(f"{PAGE}/test", data={"csrf_token": csrf, "nonce": "kort", **segment})
    assert bad.headers["location"].endswith("error=nonce") and outbox(ctx) == []
    done = await client.post(
        f"{PAGE}/test", data={"csrf_token": csrf, "nonce": "c" * 32, **segment}
    )
    assert done.headers["location"].endswith("ok=test_sent")
    [row] = outbox(ctx)
    assert row.kind == "test" and row.subject.startswith("[TEST] Helsevarsel ")
    with Session(ctx.engine) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "test_send")).all()
    assert event.target_kind == "segment" and event.after["subtopics"] == "vaksinasjon"


async def test_a_huge_selection_is_not_echoed_into_the_redirect(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    """A selection with errors goes back to the page in the query, but never 100 KB of it."""
    _, csrf = await login(client, ctx)
    form = {"csrf_token": csrf, "nonce": "d" * 32, "role": "x" * 100_000, "cadence": "daily"}
    back = await client.post(f"{PAGE}/test", data=form)
    assert back.status_code == 303 and back.headers["location"] == f"{PAGE}?error=role"
    small = await client.post(f"{PAGE}/test", data={**form, "role": "ukjent"})
    assert "role=ukjent" in small.headers["location"]


def test_both_languages_have_every_text() -> None:
    assert NB.keys() == NN.keys()


async def test_the_preview_equals_what_notifier_digest_and_deliver_send(
    ctx: Context,
    client: httpx.AsyncClient,
    smtp: tuple[Inbox, int],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
) -> None:
    """The commands run with the real clock: so does this test's clock, and the preview is
    compared with the mail the SMTP server received (HTML and text parts)."""
    from datetime import UTC, datetime

    from typer.testing import CliRunner

    from notifier.cli import app

    inbox, port = smtp
    clock.now = datetime.now(UTC)
    sub = subscriber(ctx, "lege@kommune.no", name="Kari Nordmann", region="1103")
    store_change(ctx, 1, "Ny veileder for vaksinasjon", summary="Nye doser før vinteren.")
    await login(client, ctx, role="admin")
    params = {"subscriber": str(sub.id), "cadence": "daily"}
    page = await client.get(PAGE, params=params)
    frame = await client.get(f"{PAGE}/ramme", params=params)
    for name, value in {
        "NOTIFIER_DATABASE_URL": database_url, "NOTIFIER_DATA_DIR": str(tmp_path / "var"),
        "NOTIFIER_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "NOTIFIER_BASE_URL": ctx.settings.base_url,
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    for command in (["digest", "--cadence", "daily"], ["deliver"]):
        # in a thread: `deliver` runs its own event loop
        result = await asyncio.to_thread(CliRunner().invoke, app, command, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    [sent] = inbox.to("lege@kommune.no")
    html_part, text_part = sent.get_body(("html",)), sent.get_body(("plain",))
    assert html_part is not None and text_part is not None
    crlf = "\r\n"  # SMTP's line ends; what a mail reader shows is the same text
    assert html_part.get_content().replace(crlf, "\n") == frame.text
    assert text_part.get_content().replace(crlf, "\n") == pre_text(page.text)
