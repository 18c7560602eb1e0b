"""``notifier subscribers audit``: the delivery audit per subscriber and per change from the
command line: each message's channel, when it was accepted, the version of each change it
carried, and every failure with its time; a push row names its person (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.store.models import Change
from notifier import delivery_audit
from notifier.cli import app
from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.outbox import enqueue
from notifier.plan import dispatch
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp
from tests.support.smtpserver import Inbox
from tests.test_plan import add_change, subscribe


def run(*args: str, code: int = 0) -> list[str]:
    result = CliRunner().invoke(app, ["subscribers", "audit", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output.splitlines()


async def test_audit_per_subscriber_and_per_change(
    ctx: Context, clock: Clock, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_TIMEZONE", "UTC")
    inbox, port = smtp
    inbox.refuse["borte@k.no"] = "550 5.1.1 No such user"
    subscribe(ctx, "lege@k.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "borte@k.no", ["vaksinasjon"], "immediate")
    first = add_change(ctx, "Ny vaksine", ["vaksinasjon"])
    dispatch(ctx)
    await deliver_via_smtp(ctx, port)
    second = add_change(ctx, "Endret råd", ["vaksinasjon"], story="b")
    dispatch(ctx)
    with Session(ctx.engine) as session:
        sid = session.exec(select(Subscriber.id).where(Subscriber.email == "lege@k.no")).one()
        message = OutgoingMessage(f"subscriber:{sid}", "Varsel", "kort", "", "push:1")
        enqueue(session, message, kind="alert", subscriber_id=sid, now=clock(),
                change_ids=[first], channel="webpush")  # fmt: skip
        session.commit()
        change = session.get(Change, first)
        assert change is not None
        version = delivery_audit.current_version(change)[:12]
    stamp = f"{clock():%Y-%m-%d %H:%M:%S}"

    mine = run("LEGE@k.no")
    messages = [line.split("\t") for line in mine if not line.startswith("  ")]
    assert [(m[1], m[2], m[3], m[4]) for m in messages] == [
        ("webpush", "alert", "pending", "lege@k.no"),  # a push row names its person
        ("email", "alert", "pending", "lege@k.no"),
        ("email", "alert", "sent", "lege@k.no"),
    ]
    sent = messages[2]
    assert sent[5:8] == [f"queued {stamp}", f"accepted {stamp}", f"{first}@{version}"]
    assert f"  accepted\t{stamp}\t" in mine
    assert messages[1][7] == "-"  # not settled yet: no version recorded

    per_change = run("--change", str(first))
    failed = [line for line in per_change if "\tborte@k.no\t" in line]
    assert len(failed) == 1 and "\tfailed\t" in failed[0] and "accepted -" in failed[0]
    assert any(line.startswith("  failed\t") and "bounce: SMTP 550" in line for line in per_change)
    assert "borte@k.no" not in "".join(line for line in per_change if line.startswith("  "))
    both = run("lege@k.no", "--change", str(second))
    assert [line.split("\t")[1] for line in both] == ["email"]
    assert run("ingen@k.no", code=2) == ["error: no subscriber with the address ingen@k.no"]
    assert run(code=2) == ["error: give a subscriber's address, --change, or both"]
