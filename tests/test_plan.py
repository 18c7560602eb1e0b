"""Who gets what: alerts and digests planned from stored changes (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from feeds.store.models import Change, Snapshot, Source
from notifier.context import Context
from notifier.outbox import Delivery, DeliveryItem, message_of
from notifier.plan import bulk, compose_digests, dispatch, match, plan, preview
from notifier.web.links import attach
from subscribers.models import PushEndpoint, Subscriber, Subscription, SubscriptionChannel
from subscribers.service import add_subscriber
from tests.conftest import Clock


def add_change(
    ctx: Context, title: str, subtopics: list[str], urgent: bool = False, story: str | None = None
) -> int:
    with Session(ctx.engine) as session:
        source = session.exec(select(Source)).first()
        if source is None:
            source = Source(key="s", kind="feed", url="https://x.no/rss", authority="fhi", name="S")
            session.add(source)
            session.flush()
        assert source.id is not None
        snap = Snapshot(source_id=source.id, content_digest="d", taken_at=ctx.clock())
        session.add(snap)
        session.flush()
        assert snap.id is not None
        change = Change(
            source_id=source.id, snapshot_id=snap.id, fingerprint=title, kind="new", title=title,
            url="https://x.no/a", subtopics=subtopics, urgent=urgent, detected_at=ctx.clock(),
            story_key=story,
        )  # fmt: skip
        session.add(change)
        session.commit()
        assert change.id is not None
        return change.id


def subscribe(
    ctx: Context, email: str, subtopics: list[str], cadence: str, confirmed: bool = True
) -> None:
    with Session(ctx.engine) as session:
        add_subscriber(
            session, email, role="kommunelege", subtopics=subtopics, cadence=cadence,
            known_subtopics=ctx.taxonomy.slugs(), confirmed=confirmed,
        )  # fmt: skip
        sub = session.exec(select(Subscriber).where(Subscriber.email == email)).one()
        if sub.confirmed_at is not None:
            sub.confirmed_at = ctx.clock() - timedelta(days=1)
        session.commit()


def deliveries(ctx: Context) -> list[tuple[str, str]]:
    with Session(ctx.engine) as session:
        return sorted((d.to_address, d.kind) for d in session.exec(select(Delivery)))


def test_tisk_subscribers_get_changes_about_testing(ctx: Context) -> None:
    subscribe(ctx, "tisk@k.no", ["tisk"], "daily")
    add_change(ctx, "Nye råd om testing", ["testing"])
    assert compose_digests(ctx, "daily") == 1
    assert deliveries(ctx) == [("tisk@k.no", "digest")]


def test_urgent_changes_go_out_at_once_and_not_again_in_the_digest(ctx: Context) -> None:
    subscribe(ctx, "lege@k.no", ["forskrifter_regelverk"], "weekly")
    add_change(ctx, "Endring i covid-19-forskriften", ["forskrifter_regelverk"], urgent=True)
    assert dispatch(ctx) == 1
    assert dispatch(ctx) == 0
    assert compose_digests(ctx, "weekly") == 0
    assert deliveries(ctx) == [("lege@k.no", "alert")]


def test_unconfirmed_subscribers_get_nothing(ctx: Context) -> None:
    subscribe(ctx, "ny@k.no", ["vaksinasjon"], "immediate", confirmed=False)
    add_change(ctx, "Vaksine", ["vaksinasjon"])
    assert dispatch(ctx) == 0
    assert deliveries(ctx) == []


def test_changes_from_before_the_subscription_are_not_sent(ctx: Context, clock: Clock) -> None:
    add_change(ctx, "Gammel nyhet", ["vaksinasjon"])
    clock.advance(days=2)
    subscribe(ctx, "ny@k.no", ["vaksinasjon"], "daily")
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscriber)).one()
        sub.confirmed_at = clock()
        session.commit()
    assert compose_digests(ctx, "daily") == 0


def test_each_change_reaches_a_subscriber_once_across_cadences(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "a@k.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "a@k.no", ["testing"], "weekly")
    both = add_change(ctx, "Testing og vaksinasjon", ["vaksinasjon", "testing"])
    assert compose_digests(ctx, "weekly") == 0  # the daily subscription is the more immediate
    assert compose_digests(ctx, "daily") == 1
    clock.advance(days=1)
    assert compose_digests(ctx, "daily") == 0
    with Session(ctx.engine) as session:
        items = session.exec(select(DeliveryItem).where(DeliveryItem.change_id == both)).all()
        assert len(items) == 1


def test_preview_is_what_the_digest_will_contain_and_writes_nothing(ctx: Context) -> None:
    subscribe(ctx, "a@k.no", ["vaksinasjon"], "daily")
    add_change(ctx, "Vaksine til eldre", ["vaksinasjon"])
    shown = preview(ctx, "a@k.no", "daily")
    assert shown is not None and [c.title for c in shown.changes] == ["Vaksine til eldre"]
    assert deliveries(ctx) == []
    compose_digests(ctx, "daily")
    with Session(ctx.engine) as session:
        (row,) = session.exec(select(Delivery)).all()
        assert message_of(session, row, attach(ctx).mail_links) == ctx.renderer.render(
            shown, ctx.clock()
        )


def test_regional_change_reaches_its_municipality_county_office_and_the_nationwide(
    ctx: Context,
) -> None:
    people = {
        "stavanger@k.no": ("kommunelege", "1103", None),
        "haugesund@k.no": ("kommunelege", "1106", None),
        "sf@sf.no": ("statsforvalter", None, "rogaland"),
        "oslo@k.no": ("kommunelege", "0301", None),
        "alle@k.no": ("annen", None, None),
    }
    with Session(ctx.engine) as session:
        for email, (role, region, office) in people.items():
            sub = add_subscriber(
                session, email, role=role, subtopics=["vaksinasjon"], cadence="daily",
                known_subtopics=ctx.taxonomy.slugs(), region=region, office=office,
            )  # fmt: skip
            sub.confirmed_at = ctx.clock() - timedelta(days=1)
        session.commit()
    change_id = add_change(ctx, "Vaksinering i Stavanger", ["vaksinasjon"])
    with Session(ctx.engine) as session:
        change = session.get(Change, change_id)
        assert change is not None
        change.regions = ["1103"]
        session.commit()
    assert compose_digests(ctx, "daily") == 3
    assert {a for a, _ in deliveries(ctx)} == {"stavanger@k.no", "sf@sf.no", "alle@k.no"}


def test_one_story_on_two_sources_reaches_a_recipient_once(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "a@k.no", ["vaksinasjon"], "daily")
    first = add_change(ctx, "Regjeringen: ny vaksinestrategi", ["vaksinasjon"], story="st1")
    clock.advance(minutes=30)
    add_change(ctx, "Helsedirektoratet: ny vaksinestrategi", ["vaksinasjon"], story="st1")
    add_change(ctx, "Vaksinasjon av helsepersonell", ["vaksinasjon"])
    shown = preview(ctx, "a@k.no", "daily")
    assert shown is not None
    assert sorted(c.id for c in shown.changes) == sorted([first, first + 2])


def test_a_story_already_alerted_is_not_repeated_in_a_digest(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "a@k.no", ["forskrifter_regelverk"], "daily")
    add_change(ctx, "Endring i forskriften", ["forskrifter_regelverk"], urgent=True, story="st2")
    assert dispatch(ctx) == 1
    clock.advance(hours=1)
    add_change(ctx, "Nyhet: endring i forskriften", ["forskrifter_regelverk"], story="st2")
    assert dispatch(ctx) == 0
    assert compose_digests(ctx, "daily") == 0


def _people(ctx: Context) -> None:
    """Fourteen subscribers: regional and nationwide, immediate and digest, one unconfirmed."""
    regions = ["1103", "1106", None, "11", "0301", None, "1103"]
    with Session(ctx.engine) as session:
        for i in range(14):
            sub = add_subscriber(
                session, f"p{i}@k.no", role="kommunelege",
                subtopics=["vaksinasjon", "testing"][: 1 + i % 2],
                cadence=("immediate", "daily")[i % 2], known_subtopics=ctx.taxonomy.slugs(),
                region=regions[i % len(regions)], confirmed=i != 5,
            )  # fmt: skip
            if sub.confirmed_at is not None:
                sub.confirmed_at = ctx.clock() - timedelta(days=1)
        session.commit()


def test_matching_in_id_ranges_plans_what_matching_everyone_at_once_plans(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    _people(ctx)
    regional = add_change(ctx, "Vaksinering i Stavanger", ["vaksinasjon"], urgent=True)
    add_change(ctx, "Nye råd om testing", ["testing"])
    with Session(ctx.engine) as session:
        change = session.get(Change, regional)
        assert change is not None
        change.regions = ["1103"]
        session.commit()

    def planned(cadence: str) -> list[Any]:
        with Session(ctx.engine) as session:
            changes = list(session.exec(select(Change).order_by(col(Change.id))).all())
            return plan(ctx, session, cadence, ctx.clock(), changes)

    whole = {cadence: planned(cadence) for cadence in ("immediate", "daily")}
    assert whole["immediate"] and whole["daily"]
    for size in (1, 3, 5):
        monkeypatch.setattr(match, "MATCH_RANGE", size)
        for cadence, digests in whole.items():
            assert planned(cadence) == digests, (size, cadence)


def test_a_dispatch_cut_short_in_a_later_range_resumes_without_loss_or_repeat(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    _people(ctx)
    add_change(ctx, "Endring i forskriften", ["vaksinasjon"], urgent=True)
    settings = ctx.settings.model_copy(update={"dispatch_batch": 2})
    ctx = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    monkeypatch.setattr(match, "MATCH_RANGE", 4)
    write, written = bulk.insert_rows, [0]

    def dies_after_three_batches(conn: Any, table: str, statement: Any, rows: Any) -> None:
        if table == "delivery":
            written[0] += 1
            if written[0] > 3:
                raise RuntimeError("the process dies here")
        write(conn, table, statement, rows)

    monkeypatch.setattr(bulk, "insert_rows", dies_after_three_batches)
    with pytest.raises(RuntimeError):
        dispatch(ctx)
    assert len(deliveries(ctx)) == 6
    monkeypatch.setattr(bulk, "insert_rows", write)
    assert dispatch(ctx) == 7
    assert dispatch(ctx) == 0
    sent = deliveries(ctx)
    assert sent == sorted({(f"p{i}@k.no", "alert") for i in range(14) if i != 5})
    with Session(ctx.engine) as session:
        items = session.exec(select(DeliveryItem.subscriber_id, DeliveryItem.change_id)).all()
    assert len(items) == len(set(items)) == 13


def test_on_postgresql_the_batches_are_written_beside_the_composing(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the outbox batches are committed by the writer threads, each on its own
    connection, while the next are composed (notifier.plan.batches.BatchWriter); SQLite: in
    the composing thread. The same messages either way (the other tests, on both engines)."""
    _people(ctx)
    add_change(ctx, "Endring i forskriften", ["vaksinasjon"], urgent=True)
    settings = ctx.settings.model_copy(update={"dispatch_batch": 2})
    ctx = Context(settings=settings, engine=ctx.engine, clock=ctx.clock)
    write, threads = bulk.insert_rows, []

    def noted(conn: Any, table: str, statement: Any, rows: Any) -> None:
        threads.append(threading.current_thread().name)
        write(conn, table, statement, rows)

    monkeypatch.setattr(bulk, "insert_rows", noted)
    assert dispatch(ctx) == 13
    if ctx.engine.dialect.name == "postgresql":  # the writers' threads, never the composer
        assert threads and all(name.startswith("outbox-writer-") for name in threads)
    else:
        assert threads and set(threads) == {"MainThread"}
    assert len(deliveries(ctx)) == 13


# --- a subscription's choice of channels ---------------------------------------------------------


def _with_push(ctx: Context, email: str) -> int:
    """The subscriber gets a push endpoint (planning only: nothing is pushed here)."""
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscriber).where(Subscriber.email == email)).one()
        assert sub.id is not None
        session.add(
            PushEndpoint(
                subscriber_id=sub.id, endpoint=f"https://push.example.no/{sub.id}",
                p256dh="p", auth="a",
            )
        )  # fmt: skip
        session.commit()
        return sub.id


def _email_off(ctx: Context, sid: int, *subtopics: str) -> None:
    with Session(ctx.engine) as session:
        for subtopic in subtopics:
            session.add(
                SubscriptionChannel(
                    subscriber_id=sid, subtopic=subtopic, channel="email", enabled=False
                )
            )
        session.commit()


def _outbox(ctx: Context) -> list[tuple[str, str, list[int]]]:
    """(channel, kind, change ids carried) of every row, in order."""
    with Session(ctx.engine) as session:
        out = []
        for row in session.exec(select(Delivery).order_by(col(Delivery.id))):
            items = session.exec(
                select(DeliveryItem.change_id).where(DeliveryItem.delivery_id == row.id)
            ).all()
            out.append((row.channel, row.kind, sorted(items)))
        return out


def test_a_subscription_can_turn_email_off_and_keep_push(ctx: Context, clock: Clock) -> None:
    subscribe(ctx, "a@k.no", ["vaksinasjon", "testing"], "immediate")
    sid = _with_push(ctx, "a@k.no")
    _email_off(ctx, sid, "vaksinasjon")
    # by default: both channels
    subscribe(ctx, "b@k.no", ["vaksinasjon"], "immediate")
    other = _with_push(ctx, "b@k.no")
    only_vaccines = add_change(ctx, "Vaksine", ["vaksinasjon"])
    assert dispatch(ctx) == 3  # a: push only; b: mail and push
    with Session(ctx.engine) as session:
        rows = session.exec(select(Delivery.subscriber_id, Delivery.channel)).all()
    assert sorted(rows) == sorted([(sid, "webpush"), (other, "email"), (other, "webpush")])
    # a change that also matches a subscription with e-mail on is mailed, under that section
    both = add_change(ctx, "Vaksine og testing", ["vaksinasjon", "testing"])
    assert dispatch(ctx) == 4
    with Session(ctx.engine) as session:
        mail = session.exec(
            select(Delivery).where(Delivery.subscriber_id == sid, Delivery.channel == "email")
        ).one()
        text = message_of(session, mail, attach(ctx).mail_links).text
    labels = ctx.labels()
    assert f"## {labels['testing']}" in text and f"## {labels['vaksinasjon']}" not in text
    carried = [c for ch, kind, c in _outbox(ctx) if ch == "email"]
    assert [only_vaccines] in carried and [both] in carried


def test_email_off_takes_the_cadence_of_the_subscriptions_still_mailed(
    ctx: Context, clock: Clock
) -> None:
    subscribe(ctx, "a@k.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "a@k.no", ["testing"], "daily")
    sid = _with_push(ctx, "a@k.no")
    _email_off(ctx, sid, "vaksinasjon")
    both = add_change(ctx, "Vaksine og testing", ["vaksinasjon", "testing"])
    assert dispatch(ctx) == 1  # the push alert; no e-mail alert
    assert _outbox(ctx) == [("webpush", "alert", [both])]
    # the e-mail comes in the daily digest of the subscription still mailed
    assert compose_digests(ctx, "daily") == 1
    assert _outbox(ctx)[-1] == ("email", "digest", [both])
    # a digest subscription with e-mail off gets no digest
    clock.advance(days=1)
    _email_off(ctx, sid, "testing")
    add_change(ctx, "Mer testing", ["testing"])
    assert compose_digests(ctx, "daily") == 0
    assert preview(ctx, "a@k.no", "daily") is None


def test_a_subscription_whose_channel_is_push_is_not_mailed(ctx: Context) -> None:
    subscribe(ctx, "a@k.no", ["vaksinasjon"], "immediate")
    sid = _with_push(ctx, "a@k.no")
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscription).where(Subscription.subscriber_id == sid)).one()
        sub.channel = "webpush"
        session.add(sub)
        session.commit()
    change = add_change(ctx, "Vaksine", ["vaksinasjon"])
    assert dispatch(ctx) == 1
    assert _outbox(ctx) == [("webpush", "alert", [change])]
    assert preview(ctx, "a@k.no", "immediate") is None


def test_a_large_write_leaves_a_start_up_freeze_in_place() -> None:
    """A worker freezes its start-up objects once (``pipeline.preload``); a dispatch's write
    must not release them (``gc.unfreeze`` releases every frozen object)."""
    import gc

    from notifier.plan import _gc_frozen

    already = gc.get_freeze_count()  # a test before may have preloaded in this process
    if not already:
        with _gc_frozen():  # no start-up freeze: the write freezes for itself, then releases
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0
        gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _gc_frozen():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        if not already:
            gc.unfreeze()
