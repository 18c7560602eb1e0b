"""Assurance: an urgent change's alerts must be accepted within NOTIFIER_URGENT_DEADLINE_MINUTES;
when a real SMTP server keeps refusing longer than that, operators get one mail, not two; and
``notifier deliveries`` lists what waits, is late or failed (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier.assurance import AssuranceReport, list_deliveries
from notifier.cli import app
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.outbox import Delivery
from notifier.plan import dispatch
from tests.conftest import Clock, make_settings
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.test_plan import add_change, subscribe

OPS = "drift@helse.no"


@pytest.fixture
def octx(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Context]:
    """A context whose operators are mailed."""
    settings = make_settings(database_url, tmp_path, operator_email=OPS)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    yield Context(settings=settings, engine=engine, clock=clock)
    engine.dispose()


def operator_mails(inbox: Inbox) -> list[str]:
    return [str(m["Subject"]) for m in inbox.to(OPS)]


async def test_a_server_refusing_past_the_deadline_brings_one_operator_mail(
    octx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse_domain["k.no"] = "451 4.3.0 Try again later"
    for n in range(3):
        subscribe(octx, f"lege{n}@k.no", ["vaksinasjon"], "immediate")
    subscribe(octx, "lege@annen.no", ["vaksinasjon"], "immediate")
    change = add_change(octx, "Utbrudd: nye tiltak i dag", ["vaksinasjon"], urgent=True)
    assert dispatch(octx) == 4
    report = await deliver_via_smtp(octx, port)
    assert report.sent == 1 and report.retried >= 1
    for _ in range(4):  # 4 minutes: within the deadline, nobody is told
        clock.advance(minutes=1)
        await deliver_via_smtp(octx, port)
    assert operator_mails(inbox) == []
    clock.advance(minutes=1, seconds=1)  # past 5 minutes
    await deliver_via_smtp(octx, port)
    assert operator_mails(inbox) == ["Helsevarsel: 3 hastevarsler ikke levert innen 5 minutter"]
    [mail] = inbox.to(OPS)
    body = mail.get_body(("plain",))
    assert body is not None
    text = " ".join(body.get_content().split())
    assert f"Endring #{change}" in text and "3 av 4 mottakere" in text
    # why, counted (how many were tried again and how many wait for their paused domain
    # depends on the backoff's jitter): all three wait after the server's 451
    labels = (
        "venter etter midlertidig feil (SMTP 451)",
        "venter: mottakerdomenet har pause etter en midlertidig feil",
    )
    reasons = {
        label: int(found.group(1))
        for label in labels
        if (found := re.search(re.escape(f"- {label}: ") + r"(\d+)", text))
    }
    assert sum(reasons.values()) == 3, text
    assert "venter etter midlertidig feil (SMTP 451)" in reasons
    assert "k.no" not in text  # no address
    for _ in range(12):  # the server keeps refusing for an hour: no second mail
        clock.advance(minutes=5)
        await deliver_via_smtp(octx, port)
    assert len(operator_mails(inbox)) == 1
    inbox.refuse_domain.clear()
    clock.advance(hours=7)
    await deliver_via_smtp(octx, port)
    assert len(inbox.messages) == 5 and len(operator_mails(inbox)) == 1
    with Session(octx.engine) as session:
        [told] = session.exec(select(AssuranceReport)).all()
    assert (told.change_id, told.missing) == (change, 3)


async def test_alerts_accepted_in_time_tell_nobody(
    octx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    subscribe(octx, "lege@k.no", ["vaksinasjon"], "immediate")
    add_change(octx, "Utbrudd", ["vaksinasjon"], urgent=True)
    add_change(octx, "Ikke hast", ["vaksinasjon"])
    dispatch(octx)
    clock.advance(minutes=1)
    await deliver_via_smtp(octx, port)
    clock.advance(hours=1)
    await deliver_via_smtp(octx, port)
    assert operator_mails(inbox) == []


async def test_an_alert_that_is_not_urgent_has_no_deadline(
    octx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse_domain["k.no"] = "421 4.7.0 Too busy"
    subscribe(octx, "lege@k.no", ["vaksinasjon"], "immediate")
    add_change(octx, "Ny veileder", ["vaksinasjon"])
    dispatch(octx)
    for _ in range(4):
        await deliver_via_smtp(octx, port)
        clock.advance(minutes=5)
    assert operator_mails(inbox) == []


async def test_the_listing_shows_pending_late_and_failed(
    octx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse_domain["k.no"] = "451 4.3.0 Try again later"
    inbox.refuse["borte@annen.no"] = "550 5.1.1 No such user"
    subscribe(octx, "lege@k.no", ["vaksinasjon"], "immediate")
    subscribe(octx, "borte@annen.no", ["vaksinasjon"], "immediate")
    change = add_change(octx, "Utbrudd", ["vaksinasjon"], urgent=True)
    dispatch(octx)
    await deliver_via_smtp(octx, port)
    deadline = octx.settings.urgent_deadline
    with Session(octx.engine) as session:
        rows = list_deliveries(session, clock(), deadline)
        assert sorted((r.to, r.status) for r in rows) == [
            ("borte@annen.no", "failed"),
            ("lege@k.no", "pending"),
        ]
        failed = next(r for r in rows if r.status == "failed")
        assert failed.why.startswith("adressen avvist permanent (5xx)")
        assert failed.changes == (change,)
        clock.advance(minutes=6)
        late = list_deliveries(session, clock(), deadline, status="late")
        assert [(r.to, r.status) for r in late] == [("lege@k.no", "late")]
        assert "SMTP 451" in late[0].why
        mine = list_deliveries(session, clock(), deadline, subscriber="LEGE@k.no")
        assert [r.to for r in mine] == ["lege@k.no"]
        assert list_deliveries(session, clock(), deadline, change_id=change + 1) == []


def test_the_deliveries_command(
    octx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", octx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    subscribe(octx, "lege@k.no", ["vaksinasjon"], "immediate")
    change = add_change(octx, "Utbrudd", ["vaksinasjon"], urgent=True)
    dispatch(octx)
    with Session(octx.engine) as session:
        row = session.exec(select(Delivery)).one()
        row.created_at -= timedelta(days=400)  # the command runs on the real clock
        session.add(row)
        session.commit()
    runner = CliRunner()
    result = runner.invoke(app, ["deliveries", "--change", str(change)], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # something is late
    [line] = result.stdout.splitlines()
    fields = line.split("\t")
    assert fields[1:5] == ["late", "alert", "email", "lege@k.no"]
    assert fields[8] == str(change)
    result = runner.invoke(app, ["deliveries", "--status", "sent"], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (0, "")
    result = runner.invoke(app, ["deliveries", "--status", "odd"])
    assert result.exit_code == 2


async def test_push_rows_name_their_person_and_push_reasons(
    octx: Context, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    """An urgent alert's push rows count for the deadline too, with reasons that name the push
    service (never an SMTP code), and ``notifier deliveries`` shows the person's address for
    them, not ``subscriber:<id>``."""
    from notifier.assurance import missed_deadlines, reason
    from notifier.message import OutgoingMessage
    from notifier.outbox import enqueue

    _inbox, port = smtp
    subscribe(octx, "sf@xn--r-3fa9c.no", ["vaksinasjon"], "immediate")
    change = add_change(octx, "Utbrudd", ["vaksinasjon"], urgent=True)
    dispatch(octx)
    await deliver_via_smtp(octx, port)  # the mail goes
    with Session(octx.engine) as session:
        sid = session.exec(select(Delivery.subscriber_id)).one()
        for key, status, failure, error in (
            ("p:1", "failed", "refused", "every push endpoint is gone (404/410)"),
            ("p:2", "pending", None, "push service 429"),
        ):
            message = OutgoingMessage(f"subscriber:{sid}", "Haster: Utbrudd", "kort", "", key)
            row = enqueue(
                session, message, kind="alert", subscriber_id=sid, now=clock(),
                change_ids=[change], channel="webpush" if key == "p:1" else "apprise",
            )  # fmt: skip
            assert row is not None
            row.status, row.failure, row.last_error, row.attempts = status, failure, error, 1
            session.add(row)
        session.commit()
    clock.advance(minutes=6)
    with Session(octx.engine) as session:
        rows = {r.channel: r for r in session.exec(select(Delivery))}
        deadline = octx.settings.urgent_deadline
        assert reason(rows["webpush"], deadline) == (
            "push-tjenesten eller varslingskanalen tok ikke imot"
        )
        assert reason(rows["apprise"], deadline) == "venter etter midlertidig feil (push 429)"
        [missed] = missed_deadlines(session, clock(), deadline)
        assert (missed.recipients, missed.missing) == (3, 2)
        listed = list_deliveries(session, clock(), deadline, subscriber="SF@ÆRØ.NO")
    assert sorted((r.channel, r.to, r.status) for r in listed) == [
        ("apprise", "sf@xn--r-3fa9c.no", "late"),
        ("webpush", "sf@xn--r-3fa9c.no", "failed"),
    ]
    assert all("5xx" not in r.why and "SMTP" not in r.why for r in listed)
