"""Apprise targets end to end: an urgent alert reaches a local webhook receiver through
Apprise's ``json://`` target when private addresses are allowed, and nothing reaches it when
they are not (refused when added, and refused at the socket when sent). Targets are checked,
stored encrypted and shown masked. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier.channels.manage import ChannelRefused, add_target
from notifier.cli import app
from notifier.context import Context
from notifier.deliver import deliver
from notifier.outbox import Delivery
from notifier.plan import dispatch
from subscribers import targets
from subscribers.models import AppriseTarget, Subscriber
from tests.conftest import Clock
from tests.support.httpserver import POLL
from tests.test_plan import add_change, subscribe


class Receiver:
    """A webhook on 127.0.0.1 that keeps every JSON body posted to it."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.posts.append((self.path, json.loads(body or b"{}")))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def env(monkeypatch: pytest.MonkeyPatch, ctx: Context, allow: bool) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(ctx.settings.data_dir))
    monkeypatch.setenv("NOTIFIER_ALLOW_PRIVATE_SOURCES", "true" if allow else "false")


def target(ctx: Context, email: str, url: str) -> AppriseTarget:
    with Session(ctx.engine) as session:
        sid = session.exec(select(Subscriber.id).where(Subscriber.email == email)).one()
        assert sid is not None
        row = add_target(session, ctx.settings, sid, url, ctx.clock())
        session.commit()
        session.refresh(row)
        return row


def rows(ctx: Context) -> list[Delivery]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Delivery).where(Delivery.channel == "apprise")))


async def test_an_urgent_alert_reaches_the_webhook(
    ctx: Context, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "daily")
    env(monkeypatch, ctx, allow=True)
    url = f"json://127.0.0.1:{receiver.port}/hooks/hemmelig-token"
    out = cli("subscribers", "target-add", "sf@k.no", "--url", url)
    assert "json://127.0.0.1/…" in out and "hemmelig" not in out
    listed = cli("subscribers", "target-list", "sf@k.no")
    assert "json://127.0.0.1/…" in listed and "hemmelig" not in listed
    with ctx.engine.connect() as conn:  # encrypted at rest
        stored = conn.execute(sa.text("SELECT secret_url, masked FROM apprise_target")).one()
    assert "hemmelig" not in stored[0] and "127.0.0.1" not in stored[0]

    add_change(ctx, "Ny forskrift gjelder fra i dag", ["forskrifter_regelverk"], urgent=True)
    add_change(ctx, "Veileder om journalføring", ["forskrifter_regelverk"])  # a digest item
    assert dispatch(ctx) == 2  # the mail and the Apprise row
    report = await deliver(ctx)
    assert report.sent == 2
    [(path, body)] = receiver.posts
    assert path == "/hooks/hemmelig-token"
    assert body["title"] == "Haster: Ny forskrift gjelder fra i dag"
    assert "https://x.no/a" in body["message"]
    assert (await deliver(ctx)).sent == 0 and dispatch(ctx) == 0
    assert len(receiver.posts) == 1  # one change, one message per target
    assert [r.status for r in rows(ctx)] == ["sent"]

    [line] = listed.strip().splitlines()
    cli("subscribers", "target-remove", "sf@k.no", line.split("\t")[0])
    assert cli("subscribers", "target-list", "sf@k.no") == ""


async def test_nothing_reaches_a_private_address_unless_allowed(
    ctx: Context, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    env(monkeypatch, ctx, allow=False)
    for host in ("127.0.0.1", "localhost", "[::1]", "2130706433", "10.0.0.8", "169.254.169.254"):
        out = cli(
            "subscribers",
            "target-add",
            "sf@k.no",
            "--url",
            f"json://{host}:{receiver.port}/h",
            code=2,
        )
        assert "private or loopback" in out
    # stored while allowed (a name that resolves to this machine), sent when not: refused at
    # the socket, so nothing is received and the row waits to be tried again
    target(ctx, "sf@k.no", f"json://localhost:{receiver.port}/hook")
    ctx.settings.allow_private_sources = False
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    report = await deliver(ctx)
    assert report.retried == 1
    assert receiver.posts == []
    [row] = rows(ctx)
    assert row.status == "pending" and "did not accept" in (row.last_error or "")
    # the very same target, allowed again: it was the gate that held it back
    ctx.settings.allow_private_sources = True
    clock.advance(hours=7)
    assert (await deliver(ctx)).sent == 1
    assert [path for path, _ in receiver.posts] == ["/hook"]


async def test_a_refusing_target_is_retried_and_the_others_are_not_sent_twice(
    ctx: Context, receiver: Receiver, clock: Clock
) -> None:
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    target(ctx, "sf@k.no", f"json://127.0.0.1:{receiver.port}/ok")
    second = Receiver()
    try:
        target(ctx, "sf@k.no", f"json://127.0.0.1:{second.port}/busy")
        second.status = 503
        add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
        dispatch(ctx)
        assert (await deliver(ctx)).retried == 1
        second.status = 200
        clock.advance(hours=7)
        assert (await deliver(ctx)).sent == 1
        assert len(receiver.posts) == 1  # the target that took it first is not sent it again
        assert len(second.posts) == 2  # refused once, then taken
    finally:
        second.stop()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "windows://",
        "dbus://",
        "syslog://",
        "mailto://user:pw@example.no",
        "xmpp://user:pw@example.no",
        "mqtt://example.no/topic",
        "https://example.no/hook",
        "json://",
        "jsonx://example.no",
        "json://example.no/\nx",
        "not a url",
        "",
    ],
)
def test_targets_of_other_schemes_or_forms_are_refused(ctx: Context, url: str) -> None:
    subscribe(ctx, "sf@k.no", ["vaksinasjon"], "immediate")
    with pytest.raises(ChannelRefused):
        target(ctx, "sf@k.no", url)


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("msteams://team/abc/def/ghi", None),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", "slack://…"),
        ("ntfy://hemmelig-emne", "ntfy://…"),
        ("ntfys://ntfy.example.no/hemmelig-emne", "ntfys://ntfy.example.no/…"),
        ("jsons://bruker:passord@hook.example.no:8443/hemmelig", "jsons://hook.example.no/…"),
    ],
)
def test_a_target_is_shown_masked(ctx: Context, url: str, masked: str | None) -> None:
    try:
        parsed = targets.parse(url)
    except targets.TargetError:
        assert masked is None  # Apprise cannot read it: refused, never stored
        return
    assert parsed.masked == masked
    for secret in ("hemmelig", "passord", "bruker", "TIiajk", "T1JJ3T3L2"):
        assert secret not in parsed.masked


def test_the_same_target_twice_is_refused(ctx: Context, receiver: Receiver) -> None:
    subscribe(ctx, "sf@k.no", ["vaksinasjon"], "immediate")
    target(ctx, "sf@k.no", f"json://127.0.0.1:{receiver.port}/h")
    with pytest.raises(ChannelRefused, match="already"):
        target(ctx, "sf@k.no", f"json://127.0.0.1:{receiver.port}/h")


def test_a_target_under_another_signing_key_cannot_be_read(ctx: Context) -> None:
    parsed = targets.parse("ntfys://ntfy.example.no/emne")
    with Session(ctx.engine) as session:
        subscribe(ctx, "sf@k.no", ["vaksinasjon"], "immediate")
        row = targets.add(session, 1, parsed, b"key one", ctx.clock())
        assert targets.url_of(row, b"key one") == parsed.url
        with pytest.raises(targets.TargetError):
            targets.url_of(row, b"key two")


async def test_no_target_url_reaches_the_log(
    ctx: Context, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """Apprise logs whole URLs (an unreadable one on adding, the POST URL when debugging);
    with the log at DEBUG, no secret part of a target appears in it, on adding or sending."""
    import logging

    caplog.set_level(logging.DEBUG)
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    with pytest.raises(ChannelRefused):
        target(ctx, "sf@k.no", "msteams://hemmelig1/hemmelig2")  # Apprise cannot read it
    target(ctx, "sf@k.no", f"json://127.0.0.1:{receiver.port}/hooks/hemmelig3")
    receiver.status = 500
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    await deliver(ctx)
    assert receiver.posts  # it was tried
    assert "hemmelig" not in caplog.text
    assert "json://127.0.0.1/…" in rows(ctx)[0].last_error  # our record names it masked
