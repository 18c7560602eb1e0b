"""Red team, mail bombing through sub-addresses: ``ola+1@``, ``ola+2@`` ... are different
addresses to us but one mailbox to most mail systems (RFC 5233 sub-addressing), and Gmail also
ignores dots in the local part. The per-address sign-up limit exists so that nobody can fill a
stranger's inbox with confirmation mails; it must count per mailbox, not per spelling.

Through the real sign-up form (the app over ASGI, each sign-up from another client so the
per-client limit never applies), delivery to a real SMTP server (aiosmtpd); SQLite and
PostgreSQL: past the per-address limit the variants of one mailbox are refused (429) and the
mailbox receives at most that many confirmation mails, while another mailbox of the same domain
is not affected.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from notifier.context import Context
from notifier.web import create_app
from tests.support.outbox import deliver_via_smtp
from tests.support.signup import sign_up_from
from tests.support.smtpserver import Inbox


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    return create_app(ctx)


async def sign_up(app: FastAPI, n: int, email: str) -> int:
    return await sign_up_from(app, f"203.0.{n}.9", email)


def mailbox_of(address: str) -> str:
    local, _, domain = address.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


@pytest.mark.parametrize(
    "variants",
    [
        pytest.param([f"ola+{n}@kommune.no" for n in range(8)], id="plus-tags"),
        pytest.param(
            ["ola@kommune.no", "Ola+nyhet@kommune.no", "ola+@kommune.no", "OLA+x+y@kommune.no"],
            id="plus-mixed",
        ),
        pytest.param(
            [
                "kari.nordmann@gmail.com",
                "karinordmann@gmail.com",
                "k.a.r.i.nordmann@gmail.com",
                "kari.nord.mann+x@googlemail.com",
                "KariNordmann@Gmail.com",
            ],
            id="gmail-dots",
        ),
    ],
)
async def test_variants_of_one_mailbox_share_the_per_address_limit(
    ctx: Context, app: FastAPI, smtp: tuple[Inbox, int], variants: list[str]
) -> None:
    inbox, port = smtp
    limit = ctx.settings.signup_limit_per_address
    statuses = [await sign_up(app, n, email) for n, email in enumerate(variants)]
    assert statuses[:limit] == [200] * limit and set(statuses[limit:]) == {429}, statuses
    neighbour = "nabo+1@gmail.com" if "gmail" in variants[0] else "nabo+1@kommune.no"
    assert await sign_up(app, 200, neighbour) == 200
    await deliver_via_smtp(ctx, port)
    mailbox = mailbox_of(variants[0])
    received = [r for r in inbox.rcpt_seen if mailbox_of(r.strip()) == mailbox]
    assert len(received) <= limit, received
