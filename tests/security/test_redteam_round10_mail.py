"""Red team, round 10: poison content in the mail and the pushes. One watched source's
changes carry the poison of ``test_redteam_round10_pages`` (lone surrogates in the section and
diff, NUL, U+2028, bidi overrides, zero-width characters, 1 MB words, 100,000 diff
segments, 500 headings, markup and template syntax, header-looking lines, ``javascript:``
and homograph links), stored as the pipeline stores them, next to an ordinary change.

- Daily digests and immediate alerts are dispatched and delivered through a real SMTP server
  for a reader of the poisoned topic and for one of another topic: every mail is sent, the
  poisoned one stays small (its megabytes bounded), carries no bidi control, NUL or
  zero-width character in any part, its Subject is one valid header line (ASCII, encoded
  words, no CR/LF, at most 998 octets a line), and the ordinary change in the same digest
  arrives whole.
- The pushes (the pure payload, and through a local push service) stay within the Web Push
  limit of 4,096 bytes, are valid UTF-8 JSON cut at a character, and carry no bidi control
  or lone surrogate.
SQLite.
"""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage

import pytest

from notifier.channels.mime import build_raw
from notifier.channels.webpush import MAX_PAYLOAD, payload
from notifier.context import Context
from notifier.mailsafe import header_text
from notifier.message import OutgoingMessage
from notifier.plan import compose_digests, dispatch
from tests.security.test_redteam_round10_pages import BIDI, poison_changes
from tests.support.outbox import deliver_via_smtp, store_change
from tests.support.smtpserver import Inbox
from tests.test_plan import subscribe

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

#: what a mail carrying all the poison may weigh at most (the poison is megabytes)
MAIL_LIMIT = 300_000
HIDDEN = set(BIDI) | {"\x00", "\u200b", "\u200d", "\u2060", "\ufeff"}


def hidden_in(text: str) -> list[str]:
    return sorted({f"U+{ord(ch):04X}" for ch in text if ch in HIDDEN or 0xD800 <= ord(ch) < 0xE000})


@SQLITE
@pytest.mark.parametrize("cadence", ["daily", "immediate"])
async def test_every_reader_gets_a_bounded_clean_mail(
    ctx: Context, smtp: tuple[Inbox, int], cadence: str
) -> None:
    inbox, port = smtp
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], cadence)
    subscribe(ctx, "annen@kommune.no", ["testing"], cadence)
    poison_changes(ctx)
    store_change(ctx, 500, "Vanlig endring om vaksiner", summary="Hele teksten.", source_key="t")
    store_change(ctx, 501, "Vanlig endring om smittevern", summary="Hel.", subtopics=("testing",))
    if cadence == "daily":
        assert compose_digests(ctx, "daily") == 2
    else:
        assert dispatch(ctx) == 2
    await deliver_via_smtp(ctx, port)
    by_reader: dict[str, list[bytes]] = {}
    for raw in inbox.raw:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        by_reader.setdefault(str(parsed["To"]), []).append(raw)
    assert set(by_reader) == {"lege@kommune.no", "annen@kommune.no"}
    faults = []
    for raw in inbox.raw:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        if len(raw) > MAIL_LIMIT:
            faults.append(f"{parsed['To']}: {len(raw)} bytes")
        head = raw.split(b"\r\n\r\n", 1)[0]
        if not head.isascii() or any(len(line) > 998 for line in head.split(b"\r\n")):
            faults.append(f"{parsed['To']}: header block")
        subject = str(parsed["Subject"])
        if "\n" in subject or "\r" in subject or len(subject) > 200 or hidden_in(subject):
            faults.append(f"{parsed['To']}: subject {subject[:80]!r}")
        for part in parsed.walk():
            if part.get_content_maintype() == "text":
                left = hidden_in(str(part.get_content()))
                if left:
                    faults.append(f"{parsed['To']} {part.get_content_type()}: {left}")
    assert faults == []
    plain = "\n".join(
        str(p.get_content())
        for raw in by_reader["lege@kommune.no"]
        for p in email.message_from_bytes(raw, policy=email.policy.default).walk()
        if p.get_content_type() == "text/plain"
    )
    assert "Vanlig endring om vaksiner" in plain and "Hele teksten." in plain


POISON_TEXTS = [
    "Faktura \u202efdp.exe\u202c fra FHI",
    "x\udcff\ud800 y",
    "\x00NUL\u2028linje",
    "https://www.fhi\u200b.no\u200d/",
    "ÆØÅ😀" * 3_000,
    "A" * 1_000_000,
]


@pytest.mark.parametrize("text", POISON_TEXTS, ids=range(len(POISON_TEXTS)))
def test_a_push_payload_is_bounded_valid_and_clean(text: str) -> None:
    message = OutgoingMessage(
        to="subscriber:1", subject=text, text=text, html="", idempotency_key="k",
        headers={"Link": "https://www.fhi.no/x", "Urgency": "normal"},
    )  # fmt: skip
    data = payload(message)
    assert len(data) <= MAX_PAYLOAD
    fields = json.loads(data.decode("utf-8"))
    assert hidden_in(fields["title"] + fields["body"]) == []
    assert fields["title"] and fields["body"]


@pytest.mark.parametrize("text", POISON_TEXTS, ids=range(len(POISON_TEXTS)))
def test_a_subject_is_one_short_valid_line(text: str) -> None:
    line = header_text(text)
    assert hidden_in(line) == [] and "\n" not in line and len(line) <= 500
    message = OutgoingMessage(
        to="lege@kommune.no", subject=text, text="t", html="<p>t</p>", idempotency_key="k"
    )
    _, raw = build_raw(message, "Helsevarsel <post@helsevarsel.no>")
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and all(len(line) <= 998 for line in head.split(b"\r\n"))
