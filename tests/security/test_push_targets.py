"""Push endpoints and Apprise targets cannot reach this machine (issue 11): every spelling of
a loopback or private address is refused when it is added (CLI, page, staff), and a row stored
anyway (before the setting changed, or by a bug) is refused at the socket when sent: the local
push service and the webhook receiver get no request. Only
``NOTIFIER_ALLOW_PRIVATE_SOURCES=true`` lets loopback through (the other tests use it)."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlmodel import Session, select

from notifier.channels.manage import ChannelRefused, add_push, add_target
from notifier.channels.webpush import load_vapid_keys
from notifier.context import Context
from notifier.deliver import deliver
from notifier.plan import dispatch
from notifier.web import create_app
from subscribers import push, targets
from subscribers.models import AppriseTarget, PushEndpoint, Subscriber
from subscribers.selfservice import signing_secret
from subscribers.tokens import MANAGE, sign
from tests.conftest import Clock
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


# --- Limits: one person or one client cannot add hundreds ------------------------------------


def keys() -> tuple[str, str]:
    """A browser's keys of the right form (the store checks form, not the curve)."""
    point = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode().rstrip("=")
    return point, base64.urlsafe_b64encode(b"\x02" * 16).decode().rstrip("=")


@pytest.fixture
async def web(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(ctx), client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def prefs(ctx: Context, email: str) -> str:
    subscribe(ctx, email, ["forskrifter_regelverk"], "immediate")
    with Session(ctx.engine) as session:
        sid = session.exec(select(Subscriber.id).where(Subscriber.email == email)).one()
        secret = signing_secret(session, ctx.settings.secret_key)
        session.commit()
    assert sid is not None
    return f"/innstillinger/{sign(secret, MANAGE, sid, 0, ctx.clock())}"


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', (await client.get(path)).text)
    assert found is not None
    return found.group(1)


def stored(ctx: Context) -> tuple[int, int]:
    with Session(ctx.engine) as session:
        return (
            len(session.exec(select(PushEndpoint)).all()),
            len(session.exec(select(AppriseTarget)).all()),
        )


async def test_one_subscriber_is_limited_per_window_refused_attempts_included(
    ctx: Context, web: httpx.AsyncClient, clock: Clock
) -> None:
    ctx.settings.push_add_limit_per_subscriber = 3
    path = prefs(ctx, "sf@k.no")
    token = await csrf(web, path)
    first = await web.post(f"{path}/mal", data={"csrf": token, "url": "json://h1.example.no/x"})
    assert first.status_code == 200
    refused = await web.post(f"{path}/mal", data={"csrf": token, "url": "file:///etc/passwd"})
    assert refused.status_code == 400  # refused by the form check, and counted
    p256dh, auth = keys()
    fields = {"csrf": token, "p256dh": p256dh, "auth": auth}
    third = await web.post(f"{path}/push", data={**fields, "endpoint": "https://p.example.no/1"})
    assert third.status_code == 200
    over = await web.post(f"{path}/mal", data={"csrf": token, "url": "json://h2.example.no/x"})
    assert over.status_code == 429
    assert "For mange forsøk" in over.text and "Prøv igjen om 60 minutter" in over.text
    pushed = await web.post(f"{path}/push", data={**fields, "endpoint": "https://p.example.no/2"})
    assert pushed.status_code == 429
    assert pushed.json() == {
        "ok": False, "error": "limit",
        "message": "Du har prøvd å slå på varsler mange ganger på kort tid. Vent litt og prøv "
                   "igjen senere.",
    }  # fmt: skip
    assert stored(ctx) == (1, 1)
    nynorsk = await web.post(
        f"{path}/mal?lang=nn", data={"csrf": token, "url": "json://h3.example.no/x"}
    )
    assert nynorsk.status_code == 429 and "Prøv igjen om 60 minutt." in nynorsk.text
    clock.advance(minutes=61)  # a new window
    again = await web.post(f"{path}/mal", data={"csrf": token, "url": "json://h2.example.no/x"})
    assert again.status_code == 200 and stored(ctx) == (1, 2)


async def test_one_client_is_limited_across_subscribers(
    ctx: Context, web: httpx.AsyncClient
) -> None:
    ctx.settings.push_add_limit_per_ip = 4
    paths = [prefs(ctx, f"p{n}@k.no") for n in range(3)]
    codes = []
    for n, path in enumerate(paths):
        token = await csrf(web, path)
        for m in range(2):
            answer = await web.post(
                f"{path}/mal", data={"csrf": token, "url": f"json://h{n}-{m}.example.no/x"}
            )
            codes.append(answer.status_code)
    assert codes == [200, 200, 200, 200, 429, 429]
    assert stored(ctx) == (0, 4)
    other = httpx.ASGITransport(app=create_app(ctx), client=("198.51.100.9", 4711))
    async with httpx.AsyncClient(transport=other, base_url="http://testserver") as elsewhere:
        token = await csrf(elsewhere, paths[2])
        answer = await elsewhere.post(
            f"{paths[2]}/mal", data={"csrf": token, "url": "json://h9.example.no/x"}
        )
    assert answer.status_code == 200  # another client is not held back


async def test_one_subscriber_holds_a_bounded_number(
    ctx: Context, web: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(targets, "MAX_TARGETS_PER_SUBSCRIBER", 2)
    monkeypatch.setattr(push, "MAX_ENDPOINTS_PER_SUBSCRIBER", 2)
    path = prefs(ctx, "sf@k.no")
    token = await csrf(web, path)
    for n in range(2):
        answer = await web.post(f"{path}/mal", data={"csrf": token, "url": f"json://h{n}.no/x"})
        assert answer.status_code == 200
    full = await web.post(f"{path}/mal", data={"csrf": token, "url": "json://h9.no/x"})
    assert full.status_code == 400 and "For mange varslingskanaler" in full.text
    assert "Du har allerede 2 varslingskanaler" in full.text
    p256dh, auth = keys()
    fields = {"csrf": token, "p256dh": p256dh, "auth": auth}
    for n in range(2):
        answer = await web.post(f"{path}/push", data={**fields, "endpoint": f"https://p.no/{n}"})
        assert answer.status_code == 200
    renewed = await web.post(f"{path}/push", data={**fields, "endpoint": "https://p.no/0"})
    assert renewed.status_code == 200  # a device it has is renewed, not added
    over = await web.post(f"{path}/push", data={**fields, "endpoint": "https://p.no/9"})
    assert over.status_code == 400 and over.json()["error"] == "full"
    assert "allerede varsler slått på i 2 nettlesere" in over.json()["message"]
    assert stored(ctx) == (2, 2)
    # the store itself refuses, whatever the entrance (CLI, console)
    with Session(ctx.engine) as session:
        with pytest.raises(push.PushLimitError):
            push.add(session, 1, "https://p.no/10", p256dh, auth, ctx.clock())
        with pytest.raises(targets.TargetLimitError):
            targets.add(session, 1, targets.parse("json://h10.no/x"), b"k", ctx.clock())
    page = (await web.get(path)).text
    assert 'data-full="Du har allerede varsler slått på i 20 nettlesere' in page  # the real cap
