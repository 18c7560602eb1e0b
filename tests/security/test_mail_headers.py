"""A feed title must never add headers to our mails or start the body early (issue 8, class 3).

Each hostile title goes the whole way: a stored change, dispatch to a subscriber, delivery to a
real SMTP server. The raw bytes the server received are then read: exactly one of each header
we set, no other header, and the body's text intact.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select

from feeds.read.normalize import clean_text
from feeds.store.models import Change
from notifier.channels import build_email
from notifier.context import Context
from notifier.mailsafe import header_text
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery
from notifier.plan import dispatch
from tests.support.outbox import deliver_via_smtp, store_change
from tests.support.smtpserver import Inbox
from tests.test_plan import subscribe

HOSTILE_TITLES = [
    "Hei\r\nBcc: x@evil.example",
    "Hei\nBcc: x@evil.example",
    "Hei\rBcc: x@evil.example",
    "=?UTF-8?Q?Hei=0D=0ABcc:_x@evil.example?=",
    "=?UTF-8?q?Hei=0ABcc:_x@evil.example?=",
    "=?UTF-8?B?SGVpDQpCY2M6IHhAZXZpbC5leGFtcGxl?=",  # base64 of Hei\r\nBcc: x@evil.example
    "=?ISO-8859-1?Q?Hei=0D=0ABcc:_x@evil.example?=",
    "=?UTF-8?Q?=3D=3FUTF-8=3FQ=3FHei=3D0D=3D0ABcc:_x@evil.example=3F=3D?=",  # nested
    "Hei =?UTF-8?Q?=0D=0A=0D=0A?=Falsk innhold i kroppen",  # an empty line: body starts early
    "Hei\r\n\r\nFalsk innhold i kroppen",
    "Hei\u2028Bcc: x@evil.example",
    "Hei\u0085Bcc: x@evil.example",
    "Hei\x00Bcc: x@evil.example",
    "Hei\x0bBcc: x@evil.example\x0c",
    "=?x-unknown?Q?Hei=0D=0ABcc:_x@evil.example?=",
    "=?UTF-8?Q?Hei?= =?UTF-8?Q?=0D=0A?= =?UTF-8?Q?Bcc:_x@evil.example?=",
    "Subject: dobbel\r\nSubject: emne",
    "Hei " + "ø" * 2000,
]
EXPECTED = {
    "from", "to", "subject", "date", "message-id", "auto-submitted", "mime-version",
    "content-type", "list-unsubscribe", "list-unsubscribe-post",
}  # fmt: skip


def _headers(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    names = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line and not line[:1].isspace():
            names.append(line.split(b":", 1)[0].decode("ascii").lower())
    return names


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_header_text_is_one_plain_line(title: str) -> None:
    text = header_text(title)
    assert not any(ch in text for ch in "\r\n\x00\x0b\x0c\u2028\u0085")
    assert "=?" not in text or "=\u200b?" in text


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_built_message_has_exactly_our_headers(title: str) -> None:
    message = OutgoingMessage(
        to="lege@kommune.no",
        subject=title,
        text="Kroppen",
        html="<p>Kroppen</p>",
        idempotency_key="k",
        headers={"List-Unsubscribe": f"<https://x.no/{title}>"},
    )
    raw = build_email(message, "Varsel <varsel@example.no>").raw
    names = _headers(raw)
    assert sorted(names) == sorted(set(names)), names
    assert set(names) == EXPECTED - {"list-unsubscribe-post"}
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert "\n" not in str(parsed["Subject"])


async def test_hostile_titles_through_the_whole_chain(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    for n, title in enumerate(HOSTILE_TITLES):
        store_change(ctx, n, clean_text(title), summary=clean_text(title))  # as readers store
        assert dispatch(ctx) == 1
    report = await deliver_via_smtp(ctx, port)
    assert report.sent == len(HOSTILE_TITLES)
    assert inbox.rcpt_seen == ["lege@kommune.no"] * len(HOSTILE_TITLES)
    for raw in inbox.raw:
        names = _headers(raw)
        assert sorted(names) == sorted(set(names)), names
        assert set(names) <= EXPECTED, names
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        assert (
            parsed["Bcc"] is None
            and parsed.get_all("Subject")
            and len(parsed.get_all("Subject") or []) == 1
        )
        body = parsed.get_body(("plain",))
        assert body is not None
        assert not str(body.get_content()).startswith("Falsk")
    with Session(ctx.engine) as session:
        assert len(session.exec(select(Change)).all()) == len(HOSTILE_TITLES)
        assert {d.status for d in session.exec(select(Delivery))} == {"sent"}
