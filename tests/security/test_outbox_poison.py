"""One bad message must never stop the mail (issue 8, class 1).

Poisoned rows of every kind we could think of are written straight into the outbox (as a
bug, an old version or a hostile sign-up could have left them), mixed among good ones. Every
good message must go out exactly once, every poisoned one must fail alone with the reason
recorded on its row, and ``notifier deliver`` must exit cleanly. On SQLite and PostgreSQL, with
a real SMTP server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.store.models import Source
from notifier.channels import SmtpChannel
from notifier.cli import app
from notifier.context import Context
from notifier.deliver import deliver
from notifier.operators import alert_operators
from notifier.outbox import FAILED, INVALID, SENT, Delivery
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox

EARLY = datetime(2026, 1, 1, tzinfo=UTC)
#: (label, column overrides) of rows no channel can send
POISON: list[tuple[str, dict[str, Any]]] = [
    ("empty labels in the domain", {"to_address": "a@k..no"}),
    ("CRLF and a Bcc in the address", {"to_address": "a@x.no\r\nBcc: evil@angrep.example"}),
    ("bare LF in the address", {"to_address": "a@x.no\nX-Injected: 1"}),
    ("display name", {"to_address": "Ola <ola@x.no>"}),
    ("a list of addresses", {"to_address": "a@x.no, evil@angrep.example"}),
    ("a group", {"to_address": "alle: a@x.no, evil@angrep.example;"}),
    ("a comment", {"to_address": "a@x.no (evil@angrep.example)"}),
    ("quoted local part", {"to_address": '"a b"@x.no'}),
    ("IP literal", {"to_address": "a@[127.0.0.1]"}),
    ("no domain", {"to_address": "a@"}),
    ("empty address", {"to_address": ""}),
    ("two at signs", {"to_address": "a@b@x.no"}),
    ("a NUL-free control character in the address", {"to_address": "a\x07@x.no"}),
    ("a non-breaking space in the address", {"to_address": "a\u00a0b@x.no"}),
    ("a zero-width space in the address", {"to_address": "a\u200b@x.no"}),
    ("a too long address", {"to_address": "a" * 300 + "@x.no"}),
    ("a header the message may not set", {"headers": {"Bcc": "evil@angrep.example"}}),
    ("a header name with a colon", {"headers": {"X-A: b\r\nBcc": "evil@angrep.example"}}),
    ("headers that are not a map", {"headers": ["Bcc", "evil@angrep.example"]}),
]


def _row(n: int, **overrides: Any) -> Delivery:
    values: dict[str, Any] = {
        "idempotency_key": f"k{n}",
        "kind": "digest",
        "to_address": f"person{n}@kommune.no",
        "subject": f"Melding {n}",
        "body_text": "tekst",
        "body_html": "<p>tekst</p>",
        "headers": {},
        "created_at": EARLY,
        "next_attempt_at": EARLY,
    }
    values.update(overrides)
    return Delivery(**values)


def _poison_the_outbox(ctx: Context) -> tuple[list[str], dict[str, str]]:
    """Good rows between the poisoned ones; returns the good addresses and key -> label."""
    good: list[str] = []
    bad: dict[str, str] = {}
    with Session(ctx.engine) as session:
        for i, (label, overrides) in enumerate(POISON):
            row = _row(2 * i)
            good.append(row.to_address)
            session.add(row)
            poisoned = _row(2 * i + 1, **overrides)
            bad[poisoned.idempotency_key] = label
            session.add(poisoned)
        session.commit()
    return good, bad


async def test_every_good_message_goes_out_and_every_poisoned_one_fails_alone(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    good, bad = _poison_the_outbox(ctx)
    report = await deliver_via_smtp(ctx, port)
    assert report.sent == len(good)
    assert report.failed == len(bad)
    assert sorted(str(m["To"]) for m in inbox.messages) == sorted(good)
    assert not [a for a in inbox.rcpt_seen if "angrep" in a]
    with Session(ctx.engine) as session:
        rows = {r.idempotency_key: r for r in session.exec(select(Delivery))}
    for key, label in bad.items():
        row = rows[key]
        assert (row.status, row.failure) == (FAILED, INVALID), label
        assert row.last_error, label
    assert all(r.status == SENT for k, r in rows.items() if k not in bad)
    # nothing is tried again: the next run has nothing to do
    again = await deliver_via_smtp(ctx, port)
    assert again.handled == 0


def test_notifier_deliver_exits_cleanly_whatever_the_outbox_holds(
    ctx: Context,
    smtp: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
) -> None:
    inbox, port = smtp
    good, bad = _poison_the_outbox(ctx)
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("NOTIFIER_MAIL_FROM", "Helsevarsel <varsel@example.no>")
    result = CliRunner().invoke(app, ["deliver"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == len(good)
    assert f"sent {len(good)}" in result.output and f"failed {len(bad)}" in result.output
    for address in ("evil@angrep.example", "a@k..no"):
        assert address not in result.output


async def test_a_newline_in_a_source_name_does_not_stop_the_operator_mail(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = ctx.settings.model_copy(
        update={"operator_email": "drift@example.no", "source_error_threshold": 1}
    )
    ctx = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    with Session(ctx.engine) as session:
        session.add(
            Source(
                key="ond", kind="feed", authority="x", url="https://x.example/",
                name="Ond\r\nBcc: evil@angrep.example\r\n\r\nFalsk innhold",
                consecutive_errors=3,
            )
        )  # fmt: skip
        session.add(_row(1))
        session.commit()
    assert alert_operators(ctx) == 1
    report = await deliver_via_smtp(ctx, port)
    assert report.sent == 2
    assert not [a for a in inbox.rcpt_seen if "angrep" in a]
    operator = inbox.to("drift@example.no")[0]
    assert "\n" not in str(operator["Subject"])
    assert operator["Bcc"] is None


async def test_an_unexpected_error_in_one_send_is_retried_later_and_the_rest_go_out(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    _, port = smtp

    class Flaky(SmtpChannel):
        async def send(self, message: Any) -> None:
            if message.to == "person1@kommune.no":
                raise RuntimeError("a bug nobody foresaw")
            await super().send(message)

    with Session(ctx.engine) as session:
        for n in range(3):
            session.add(_row(n))
        session.commit()
    channel = Flaky("127.0.0.1", port, "Varsel <varsel@example.no>", timeout=5)
    try:
        report = await deliver(ctx, channel)
    finally:
        await channel.close()
    assert (report.sent, report.retried) == (2, 1)
    with Session(ctx.engine) as session:
        row = session.exec(select(Delivery).where(Delivery.idempotency_key == "k1")).one()
    assert row.status == "pending" and row.attempts == 1
    assert "RuntimeError" in (row.last_error or "")


async def test_text_no_database_can_hold_never_fails_the_enqueue(
    ctx: Context, smtp: tuple[Inbox, int]
) -> None:
    """A NUL or a lone surrogate in a rendered message must not fail the transaction that
    writes a whole dispatch (PostgreSQL refuses NUL; neither engine stores a surrogate)."""
    from notifier.message import OutgoingMessage
    from notifier.outbox import enqueue

    inbox, port = smtp
    with Session(ctx.engine) as session:
        for n, text in enumerate(["nul\x00her", "surrogat\udcffher", "vanlig"]):
            message = OutgoingMessage(
                f"p{n}@kommune.no", f"Emne {text}", text, f"<p>{text}</p>", f"e{n}",
                {"List-Unsubscribe": f"<https://x.no/{text}>"},
            )  # fmt: skip
            assert enqueue(session, message, kind="digest", subscriber_id=None, now=ctx.clock())
        session.commit()
    report = await deliver_via_smtp(ctx, port)
    assert report.sent == 3
    assert all(b"\x00" not in raw for raw in inbox.raw)
