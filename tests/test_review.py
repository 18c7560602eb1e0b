"""Staff review of changes (notifier.review, `notifier review`): a held change is never lost and
never sent unreviewed; approving sends it to whom it would have reached, suppressing sends
nothing, a retag moves it to other subscribers and is kept as a labelled example. SQLite and
PostgreSQL, with a real SMTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.store.models import Change
from notifier.cli import app
from notifier.context import Context
from notifier.models import AuditEvent, LabelCorrection
from notifier.operators import report_overdue_reviews
from notifier.outbox import Delivery, message_of
from notifier.plan import compose_digests, dispatch
from notifier.review import Labels, ReviewError, approve, edit, queue, retag, suppress
from notifier.web.links import attach
from tests.conftest import Clock
from tests.support.outbox import deliver_via_smtp, store_change
from tests.support.smtpserver import Inbox
from tests.test_plan import subscribe


def hold(ctx: Context, change_id: int, reason: str = "most_replaced") -> None:
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        change.status, change.held_reason, change.held_at = "held", reason, ctx.clock()
        session.add(change)
        session.commit()


def known(ctx: Context) -> dict[str, object]:
    gaz = ctx.gazetteer
    regions = {n for n, _ in gaz.counties()} | {n for n, _ in gaz.municipalities()}
    return {"known_subtopics": ctx.taxonomy.slugs(), "known_regions": regions}


async def test_a_held_change_is_sent_only_once_approved(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    change_id = store_change(ctx, 1, "Vaksinasjonsveilederen er skrevet om")
    hold(ctx, change_id)
    assert dispatch(ctx) == 0
    await deliver_via_smtp(ctx, port)
    assert inbox.messages == []
    clock.advance(days=3)  # waited longer than an alert's look-back
    with Session(ctx.engine) as session:
        assert [c.id for c in queue(session)] == [change_id]
        approve(session, change_id, None, clock())
        session.commit()
    assert dispatch(ctx) == 1
    await deliver_via_smtp(ctx, port)
    assert [str(m["To"]) for m in inbox.messages] == ["lege@kommune.no"]
    with Session(ctx.engine) as session:
        assert queue(session) == []
        event = session.exec(select(AuditEvent)).one()
        assert (event.action, event.actor, event.before["status"], event.after["status"]) == (
            "change.approve",
            "cli",
            "held",
            "published",
        )


async def test_an_approved_change_reaches_the_digests_too(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "daily")
    change_id = store_change(ctx, 1, "Vaksinasjonsveilederen er skrevet om")
    hold(ctx, change_id)
    dispatch(ctx)
    clock.advance(days=10)  # longer than a daily digest looks back
    with Session(ctx.engine) as session:
        approve(session, change_id, None, clock())
        session.commit()
    dispatch(ctx)
    assert compose_digests(ctx, "daily") == 1


async def test_a_suppressed_change_is_never_sent(ctx: Context, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "ukentlig@kommune.no", ["vaksinasjon"], "weekly")
    change_id = store_change(ctx, 1, "Feil publisert side")
    hold(ctx, change_id)
    with Session(ctx.engine) as session:
        with pytest.raises(ReviewError):
            suppress(session, change_id, None, "   ", ctx.clock())
        suppress(session, change_id, None, "Siden ble publisert ved en feil", ctx.clock())
        session.commit()
        with pytest.raises(ReviewError):
            approve(session, change_id, None, ctx.clock())
    dispatch(ctx)
    assert compose_digests(ctx, "weekly") == 0
    await deliver_via_smtp(ctx, port)
    assert inbox.messages == []
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None and change.suppressed_reason == "Siden ble publisert ved en feil"


def test_a_retag_moves_the_change_and_is_kept_as_an_example(ctx: Context) -> None:
    subscribe(ctx, "vaksine@kommune.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "testing@kommune.no", ["testing"], "daily")
    change_id = store_change(ctx, 1, "Nye råd om testing i skolen", summary="Om hurtigtester.")
    with Session(ctx.engine) as session:
        retag(
            session, change_id, None, ctx.clock(), Labels(("testing",), ("4601",), False),
            **known(ctx),  # type: ignore[arg-type]
        )  # fmt: skip
        with pytest.raises(ReviewError, match="unknown subtopic"):
            retag(session, change_id, None, ctx.clock(), Labels(("finnes-ikke",), (), False),
                  **known(ctx))  # type: ignore[arg-type]  # fmt: skip
        session.commit()
    assert compose_digests(ctx, "daily") == 1
    with Session(ctx.engine) as session:
        (delivery,) = session.exec(select(Delivery)).all()
        assert delivery.to_address == "testing@kommune.no"
        correction = session.exec(select(LabelCorrection)).one()
        assert correction.before == {"subtopics": ["vaksinasjon"], "regions": [], "urgent": False}
        assert correction.after == {"subtopics": ["testing"], "regions": ["4601"], "urgent": False}


def test_a_retag_keeps_the_best_fit_order_of_the_subtopics_it_keeps(ctx: Context) -> None:
    """The classifier's ranking (best fit first) decides where digests file a change: a
    retag keeps the order of the subtopics it keeps and adds new ones after them; the same
    set in another order is no correction at all."""
    change_id = store_change(
        ctx, 1, "Testing og karantene", subtopics=("testing", "karantene", "vaksinasjon")
    )
    with Session(ctx.engine) as session:
        labels = Labels(("karantene", "smittesporing", "testing"), (), False)
        retag(session, change_id, None, ctx.clock(), labels, **known(ctx))  # type: ignore[arg-type]
        session.commit()
        change = session.get(Change, change_id)
        assert change is not None
        assert change.subtopics == ["testing", "karantene", "smittesporing"]
        same = Labels(("smittesporing", "karantene", "testing"), (), False)
        retag(session, change_id, None, ctx.clock(), same, **known(ctx))  # type: ignore[arg-type]
        session.commit()
        assert len(session.exec(select(LabelCorrection)).all()) == 1


def test_edit_changes_what_subscribers_read(ctx: Context) -> None:
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "daily")
    change_id = store_change(ctx, 1, "Tittel med skrivefeil")
    with Session(ctx.engine) as session:
        edit(session, change_id, None, ctx.clock(), title="Riktig tittel", summary="Kort omtale.")
        session.commit()
    compose_digests(ctx, "daily")
    with Session(ctx.engine) as session:
        body = message_of(
            session, session.exec(select(Delivery)).one(), attach(ctx).mail_links
        ).text
    assert "Riktig tittel" in body and "Kort omtale." in body and "skrivefeil" not in body


async def test_a_change_held_too_long_is_mailed_to_operators_once(
    ctx: Context, smtp: tuple[Inbox, int], clock: Clock
) -> None:
    inbox, port = smtp
    settings = ctx.settings.model_copy(
        update={"operator_email": "drift@example.no", "hold_report_after_hours": 12}
    )
    ctx = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    hold(ctx, store_change(ctx, 1, "Stor endring i veilederen"))
    clock.advance(hours=11)
    assert report_overdue_reviews(ctx) == 0
    clock.advance(hours=2)
    assert report_overdue_reviews(ctx) == 1
    assert report_overdue_reviews(ctx) == 0
    await deliver_via_smtp(ctx, port)
    (mail,) = inbox.to("drift@example.no")
    assert "venter på gjennomgang" in str(mail["Subject"])
    assert "Stor endring i veilederen" in str(mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_review_commands(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    first = store_change(ctx, 1, "Første holdte endring")
    second = store_change(ctx, 2, "Andre holdte endring")
    hold(ctx, first, "after_outage")
    hold(ctx, second, "feed_replaced")
    listed = cli("review", "list")
    assert "after_outage" in listed and "Andre holdte endring" in listed
    cli("review", "approve", str(first))
    cli("review", "suppress", str(second), "--reason", "Testside")
    assert cli("review", "list") == ""
    refused = CliRunner().invoke(app, ["review", "approve", str(second)])
    assert refused.exit_code != 0 and "not held" in refused.output
    cli("review", "retag", str(first), "--subtopic", "testing", "--urgent")
    exported = [json.loads(line) for line in cli("classify", "export-corrections").splitlines()]
    assert [(e["change_id"], e["subtopics"], e["urgent"]) for e in exported] == [
        (first, ["testing"], True)
    ]
    assert set(exported[0]) >= {"title", "text", "url", "subtopics", "regions", "urgent"}
    classified = CliRunner().invoke(
        app, ["classify"], input='{"title": "Vaksine til alle over 65", "text": "", "url": ""}\n'
    )
    assert classified.exit_code == 0 and "vaksinasjon" in classified.output
