"""A push service's answer is input from outside: an endless body, a redirect and keys that
cannot be used must cost one endpoint its message at most, never the worker's memory or a
request to an address the gate never judged (notifier/channels/webpush.py). A real hostile
HTTP server on 127.0.0.1 answers; the redirect points at a real push service
(tests/support/pushservice.py) that would accept the message if it were followed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from notifier.channels.webpush import ANSWER_LIMIT, encrypt, load_vapid_keys
from notifier.context import Context
from notifier.deliver import deliver
from notifier.outbox import Delivery
from notifier.plan import dispatch
from subscribers import push
from subscribers.models import PushEndpoint, Subscriber
from tests.support.hostileserver import HostileServer, hostile_server
from tests.support.pushservice import PushService, push_service
from tests.test_plan import add_change, subscribe


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    """Answers /endless with 200 and a body that never ends (until the client goes away),
    and /moved with a 307 to ``target``."""
    with hostile_server() as server:
        yield server


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


def _endpoint(ctx: Context, service: PushService, email: str, url: str | None = None) -> str:
    """A subscriber of ``email`` with one browser whose keys are real (made by the push
    service) and whose endpoint is ``url`` (default: the push service's own)."""
    browser = service.subscribe(load_vapid_keys(ctx.engine).public)
    with Session(ctx.engine) as session:
        sid = session.exec(select(Subscriber.id).where(Subscriber.email == email)).one()
        assert sid is not None
        push.add(session, sid, url or browser.endpoint, browser.p256dh, browser.auth, ctx.clock())
        session.commit()
    return browser.endpoint


def _rows(ctx: Context) -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.channel == "webpush")))


async def test_an_endless_answer_is_read_no_further_than_the_limit(
    ctx: Context, service: PushService, hostile: HostileServer
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    _endpoint(ctx, service, "sf@k.no", hostile.origin + "/endless")
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    await deliver(ctx)
    # accepted (2xx) and let go after ANSWER_LIMIT bytes: read whole, the body would have run
    # into the channel's timeout (a retry) after up to a gibibyte in memory
    [row] = _rows(ctx)
    assert row.status == "sent", row.last_error
    assert hostile.requests == ["/endless"]
    assert hostile.sent < 1 << 30 and ANSWER_LIMIT <= 64 * 1024


async def test_a_redirect_is_not_followed(
    ctx: Context, service: PushService, hostile: HostileServer
) -> None:
    """A push service answers 201 itself (RFC 8030); a redirect, to anywhere, is a refusal,
    so no request goes to an address the endpoint never named."""
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    hostile.target = _endpoint(ctx, service, "sf@k.no", hostile.origin + "/moved")
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    await deliver(ctx)
    assert hostile.requests == ["/moved"]
    assert service.requests == []  # the target would have accepted it
    [row] = _rows(ctx)
    assert row.status == "failed" and "push service 307" in (row.last_error or "")


async def test_keys_that_cannot_be_used_fail_that_endpoint_alone(
    ctx: Context, service: PushService
) -> None:
    """Keys are checked when stored; a row changed since (or stored by an older version) with
    a point that is not on the curve fails its own endpoint with a reason, and the person's
    other browser still gets the alert."""
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    good = _endpoint(ctx, service, "sf@k.no")
    bad = _endpoint(ctx, service, "sf@k.no")
    with Session(ctx.engine) as session:
        row = session.exec(select(PushEndpoint).where(PushEndpoint.endpoint == bad)).one()
        row.p256dh = "BA" + "A" * 85  # 65 bytes, 0x04 first, but no point of P-256
        session.add(row)
        session.commit()
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    await deliver(ctx)
    assert [row.status for row in _rows(ctx)] == ["sent"]
    assert [p.endpoint for p in service.received] == [good]
    with Session(ctx.engine) as session:
        row = session.exec(select(PushEndpoint).where(PushEndpoint.endpoint == bad)).one()
        assert row.failures == 1 and "cannot be used" in (row.last_error or "")


@pytest.mark.parametrize(
    ("p256dh", "auth"),
    [
        ("not base64!", "AAAAAAAAAAAAAAAAAAAAAA"),
        ("BA" + "A" * 85, "AAAAAAAAAAAAAAAAAAAAAA"),  # not on the curve
        ("AA" + "A" * 85, "AAAAAAAAAAAAAAAAAAAAAA"),  # not an uncompressed point
        ("BA" + "A" * 20, "AAAAAAAAAAAAAAAAAAAAAA"),  # too short
    ],
)
def test_encrypt_refuses_unusable_keys_with_value_error(p256dh: str, auth: str) -> None:
    with pytest.raises(ValueError):
        encrypt(b"{}", p256dh, auth)
