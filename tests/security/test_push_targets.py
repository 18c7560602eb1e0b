"""Push endpoints and Apprise targets cannot reach this machine (issue 11): every spelling of
a loopback or private address is refused when it is added (CLI, page, staff), and a row stored
anyway (before the setting changed, or by a bug) is refused at the socket when sent: the local
push service and the webhook receiver get no request. Only
``NOTIFIER_ALLOW_PRIVATE_SOURCES=true`` lets loopback through (the other tests use it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from notifier.channels.manage import ChannelRefused, add_push, add_target
from notifier.channels.webpush import load_vapid_keys
from notifier.context import Context
from notifier.deliver import deliver
from notifier.plan import dispatch
from subscribers import push, targets
from tests.support.pushservice import PushService, push_service
from tests.test_apprise import Receiver
from tests.test_plan import add_change, subscribe

#: ways to write this machine (and a private and a link-local address) in a URL's host
SPELLINGS = [
    "127.0.0.1", "localhost", "LOCALHOST", "localhost.", "push.localhost", "127.1",
    "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "127。0。0。1", "１２７.0.0.1",
    "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:0:0:1]", "10.0.0.1",
    "192.168.1.1", "169.254.169.254", "[fe80::1]", "0.0.0.0",
]  # fmt: skip


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.mark.parametrize("host", SPELLINGS)
def test_no_spelling_of_an_internal_address_is_stored(
    ctx: Context, service: PushService, host: str
) -> None:
    ctx.settings.allow_private_sources = False
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    browser = service.subscribe("k")
    with Session(ctx.engine) as session:
        with pytest.raises(ChannelRefused):
            add_push(session, ctx.settings, 1, f"http://{host}:{service.port}/push/x",
                     browser.p256dh, browser.auth, ctx.clock())  # fmt: skip
        with pytest.raises(ChannelRefused):
            add_target(session, ctx.settings, 1, f"json://{host}:{service.port}/hook", ctx.clock())
        assert push.endpoints_of(session, 1) == [] and targets.targets_of(session, 1) == []


async def test_stored_rows_are_refused_when_sent(
    ctx: Context, service: PushService, receiver: Receiver
) -> None:
    """Rows that bypassed the checks (written straight to the tables) still reach nobody."""
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    key = load_vapid_keys(ctx.engine).public
    secret = b"k"
    with Session(ctx.engine) as session:
        for host in ("127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]", "127.1"):
            browser = service.subscribe(key)
            endpoint = browser.endpoint.replace("127.0.0.1", host)
            push.add(session, 1, endpoint, browser.p256dh, browser.auth, ctx.clock())
            if host in ("127.0.0.1", "localhost", "2130706433"):  # what Apprise can read
                parsed = targets.parse(f"json://{host}:{receiver.port}/hook")
                targets.add(session, 1, parsed, secret, ctx.clock())
        session.commit()
    ctx.settings.allow_private_sources = False
    ctx.settings.secret_key = secret.decode()
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    report = await deliver(ctx)
    assert report.sent == 1  # the mail; the push row fails, the Apprise row waits
    assert service.requests == [] and receiver.posts == []


@pytest.mark.parametrize(
    "url",
    [
        "JSON://hook.example.no/x",  # any case of an allowed scheme is the scheme
        "json://hook.example.no/x\r\nHost: evil",
        "json://hook.example.no/" + "x" * 2100,
        "json://\x00hook.example.no/",
        "windows://",
        "macosx://",
        "kodi://media.local",
        "rsyslog://log.example.no",
        "mailtos://user:pw@smtp.example.no",
        "json:/hook.example.no",
        "json:\\\\hook.example.no\\x",
    ],
)
def test_hostile_target_forms(ctx: Context, url: str) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    with Session(ctx.engine) as session:
        try:
            row = add_target(session, ctx.settings, 1, url, ctx.clock())
        except ChannelRefused:
            return
        # only a clean, allowed form may be stored, and it is shown masked
        assert url.lower().startswith("json://hook.example.no")
        assert row.masked == "json://hook.example.no/…"
