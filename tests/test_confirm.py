"""Confirmation: a page change is told only when a re-check finds it again (feeds/confirm.py,
docs/detection.md, "Confirmation"). The pure verdicts first, then the real chain: pages and a
feed on a loopback HTTP server, the clock driven by hand, SQLite and PostgreSQL, the outbox
and a real SMTP server; crashes between the steps; the migration down and up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import feeds.store.versions
import notifier.pipeline
from feeds.catalogue import SourceSpec
from feeds.detect.detection import MASS_DELETION, MOST_REPLACED
from feeds.detect.history import (
    NO_VERDICT,
    PENDING,
    QUICK_RECHECKS,
    ConfirmRules,
    Pending,
    Verdict,
    early_check,
    judge,
    next_check,
)
from feeds.store.models import Change, Snapshot, Source
from feeds.store.sources import upsert_sources
from feeds.store.versions import latest_state
from notifier.cli import app
from notifier.context import Context
from notifier.db import MIGRATIONS
from notifier.deliver import deliver
from notifier.outbox import DeliveryItem
from notifier.pipeline import check
from notifier.plan import dispatch
from notifier.settings import Settings
from notifier.worker import build_scheduler, check_job, wake_for_rechecks
from subscribers.models import Subscriber
from subscribers.service import add_subscriber
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer
from tests.support.smtpserver import Inbox
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)
from tests.test_staff_review import add_change, titles

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
RULES = ConfirmRules(after=timedelta(seconds=60))


# ----------------------------------------------------------------------------- the verdicts


def pending(*items: tuple[int, str, int]) -> list[Pending]:
    """(id, fingerprint, seconds after T0 first seen)"""
    return [Pending(i, f, T0 + timedelta(seconds=s)) for i, f, s in items]


def test_a_change_found_again_after_the_wait_is_confirmed() -> None:
    v = judge(pending((1, "b", 0)), ["b"], [], T0 + timedelta(seconds=60), RULES, page=True)
    assert (v.confirmed, v.kept, v.dropped, v.candidate, v.pending_since) == (
        (1,),
        (),
        (),
        False,
        None,
    )
    # the same version answered again (a 304, the same body): found again
    v = judge(pending((1, "b", 0)), None, [], T0 + timedelta(seconds=61), RULES, page=True)
    assert v.confirmed == (1,) and not v.candidate


def test_a_change_found_again_too_soon_stays_pending() -> None:
    v = judge(pending((1, "b", 0)), ["b"], [], T0 + timedelta(seconds=59), RULES, page=True)
    assert (v.confirmed, v.kept, v.dropped) == ((), (1,), ())
    assert v.candidate and v.pending_since == T0
    assert early_check(T0, T0 + timedelta(seconds=59), RULES) == T0 + timedelta(seconds=60)
    assert early_check(T0, T0 + timedelta(seconds=60), RULES) is None
    assert early_check(None, T0, RULES) is None


def test_a_variant_that_went_back_is_dropped_and_one_that_moved_on_is_a_new_candidate() -> None:
    later = T0 + timedelta(seconds=90)
    back = judge(pending((1, "a>b", 0)), [], [], later, RULES, page=True)
    assert (back.confirmed, back.dropped, back.candidate) == ((), (1,), False)
    moved = judge(pending((1, "a>b", 0)), ["a>c"], ["a>c"], later, RULES, page=True)
    assert (moved.confirmed, moved.dropped, moved.wait) == ((), (1,), True)
    assert moved.candidate and moved.pending_since == later


def test_b_plus_more_confirms_b_and_the_rest_waits() -> None:
    later = T0 + timedelta(seconds=60)
    v = judge(pending((1, "s:a>b", 0)), ["s:a>b", "t:a>c"], ["t:a>c"], later, RULES, page=True)
    assert (v.confirmed, v.dropped, v.wait, v.pending_since) == ((1,), (), True, later)


def test_feed_items_and_switched_off_confirmation_never_wait() -> None:
    assert not judge([], ["item"], ["item"], T0, RULES, page=False).wait
    off = ConfirmRules(enabled=False)
    assert not judge([], ["s"], ["s"], T0, off, page=True).wait
    # what waited when it was switched off is confirmed by the next check that finds it
    v = judge(pending((1, "s", 0)), ["s"], [], T0, off, page=True)
    assert v.confirmed == (1,) and v.pending_since is None


def test_the_recheck_is_due_when_the_oldest_change_can_be_confirmed_and_quick_ones_are_few() -> (
    None
):
    normal = T0 + timedelta(hours=1)
    waiting = Verdict(wait=True, candidate=True, pending_since=T0)
    assert next_check(normal, waiting, RULES, 0) == (T0 + timedelta(seconds=60), 1)
    assert next_check(normal, waiting, ConfirmRules(after=timedelta(0)), 0) == (T0, 1)
    assert next_check(normal, waiting, RULES, QUICK_RECHECKS - 1)[0] < normal
    assert next_check(normal, waiting, RULES, QUICK_RECHECKS) == (normal, QUICK_RECHECKS + 1)
    assert next_check(normal, NO_VERDICT, RULES, 2) == (normal, 0)


def test_settings_carry_the_rules() -> None:
    assert Settings().confirm_rules() == ConfirmRules(True, timedelta(seconds=60))
    rules = Settings(confirm_page_changes=False, confirm_after_seconds=0).confirm_rules()
    assert rules == ConfirmRules(False, timedelta(0))
    with pytest.raises(ValueError):
        Settings(confirm_after_seconds=-1)


# ----------------------------------------------------------------------------- the chain

INTRO = (
    "Denne veilederen gir råd til kommunene om smittevern i helse- og omsorgstjenesten, og den "
    "oppdateres når kunnskapsgrunnlaget endrer seg."
)
VAKSINE = "Helsepersonell bør tilbys influensavaksine hver høst før sesongen starter."
VAKSINE_B = "Helsepersonell skal tilbys influensavaksine hver høst før sesongen starter."
VAKSINE_C = "Helsepersonell skal tilbys influensavaksine og koronavaksine hver høst."
HYGIENE = "God håndhygiene er det viktigste enkelttiltaket for å hindre smitte."
HYGIENE_B = "God håndhygiene og munnbind er de viktigste tiltakene for å hindre smitte."
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


def html(vaksine: str = VAKSINE, hygiene: str = HYGIENE) -> str:
    return (
        "<html><body><nav>Meny</nav><main><h1>Smittevernveileder</h1>"
        f"<p>{INTRO}</p><h2>Vaksinasjon</h2><p>{vaksine}</p>"
        f"<h2>Håndhygiene</h2><p>{hygiene}</p></main></body></html>"
    )


def rss(*ids: int) -> str:
    items = "".join(
        f"<item><guid>n{i}</guid><title>Nyhet {i} om vaksiner</title>"
        f"<description>Om vaksiner, nummer {i}.</description>"
        f"<link>https://x.no/nyheter/{i}</link></item>"
        for i in ids
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Nyheter'
        f"</title>{items}</channel></rss>"
    )


def setup(ctx: Context, http: FixtureServer, **settings: object) -> None:
    """A page (with an ETag: a re-check of the same version is a 304) and a feed, both tagged
    vaksinasjon, and a subscriber of immediate alerts on vaksinasjon."""
    ctx.settings = ctx.settings.model_copy(update={"obey_robots": False, **settings})
    serve(http, html())
    http.set("/rss", rss(1, 2), headers=RSS)
    specs = [
        SourceSpec(key="side", kind="page", url=http.url("/side"), authority="fhi", name="Side", selector="main",
                   subtopics=("vaksinasjon",)),
        SourceSpec(key="rss", kind="feed", url=http.url("/rss"), authority="fhi", name="Nyheter", subtopics=("vaksinasjon",),
                   interval_minutes=24 * 60),
    ]  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        add_subscriber(
            session, "lege@kommune.no", role="kommunelege", subtopics=["vaksinasjon"],
            cadence="immediate", known_subtopics=ctx.taxonomy.slugs(), confirmed=True,
        )  # fmt: skip
        sub = session.exec(select(Subscriber)).one()
        sub.confirmed_at = ctx.clock() - timedelta(days=1)
        session.commit()


def serve(http: FixtureServer, body: str, status: int = 200) -> None:
    http.set("/side", body, headers=HTML, status=status, etag=f'"{abs(hash(body))}"')


async def run(ctx: Context, *keys: str) -> dict[str, str]:
    """One round: these sources, or (none given) the due ones; key -> 'outcome (detail)'."""
    return {
        r.key: f"{r.outcome} ({r.detail})" if r.detail else r.outcome
        for r in await check(ctx, list(keys))
    }


def changes(ctx: Context, key: str = "side") -> list[Change]:
    with Session(ctx.engine) as session:
        source = session.exec(select(Source).where(Source.key == key)).one()
        query = select(Change).where(Change.source_id == source.id).order_by(col(Change.id))
        return list(session.exec(query))


def source(ctx: Context, key: str = "side") -> Source:
    with Session(ctx.engine) as session:
        return session.exec(select(Source).where(Source.key == key)).one()


def alerted(ctx: Context) -> list[int]:
    """The change ids in the outbox."""
    with Session(ctx.engine) as session:
        return [i.change_id for i in session.exec(select(DeliveryItem))]


def candidates(ctx: Context) -> list[Snapshot]:
    """The candidates kept whole (a candidate that changes point at stays, emptied)."""
    with Session(ctx.engine) as session:
        query = select(Snapshot).where(
            Snapshot.candidate == True,  # noqa: E712
            col(Snapshot.packed_state).is_not(None),
        )
        return list(session.exec(query))


async def baseline(ctx: Context, clock: Clock) -> None:
    assert await run(ctx, "side", "rss") == {
        "side": "new (baseline: 3 sections)",
        "rss": "new (baseline: 2 items)",
    }
    clock.advance(hours=1)


async def test_an_ab_variant_that_flips_back_is_never_sent(
    ctx: Context, http: FixtureServer, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    setup(ctx, http, smtp_url=f"smtp://127.0.0.1:{port}")
    await baseline(ctx, clock)
    for _ in range(3):  # the variant, then the page as it was, three times over
        serve(http, html(VAKSINE_B))
        report = await run(ctx, "side")
        assert report == {"side": "changed (1 section(s); pending confirmation)"}
        assert [c.status for c in changes(ctx)] == [PENDING]
        assert len(candidates(ctx)) == 1
        assert source(ctx).next_check_at == clock() + timedelta(seconds=60)
        clock.advance(seconds=60)
        serve(http, html())
        assert await run(ctx) == {  # the due round re-checks it
            "side": "unchanged (same body; 1 change(s) not confirmed (gone at the re-check))"
        }
        assert changes(ctx) == [] and candidates(ctx) == []
        assert source(ctx).pending_since is None
        clock.advance(hours=1)
    await deliver(ctx)
    assert alerted(ctx) == [] and inbox.messages == []


async def test_a_change_that_lasts_is_sent_once_after_its_confirmation(
    ctx: Context, http: FixtureServer, clock: Clock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    setup(ctx, http, smtp_url=f"smtp://127.0.0.1:{port}")
    await baseline(ctx, clock)
    seen = clock()
    serve(http, html(VAKSINE_B))
    assert "pending confirmation" in (await run(ctx))["side"]
    await deliver(ctx)
    assert alerted(ctx) == [] and inbox.messages == []
    clock.advance(seconds=30)
    assert await run(ctx) == {}  # not due yet: nobody asks
    clock.advance(seconds=30)
    assert await run(ctx) == {"side": "changed (not modified; 1 change(s) confirmed)"}
    assert http.requests[-1][1].get("If-None-Match")  # a 304 confirmed it
    (change,) = changes(ctx)
    assert (change.status, change.detected_at, change.confirmed_at) == (
        "published", seen, seen + timedelta(seconds=60)
    )  # fmt: skip
    assert alerted(ctx) == [change.id]
    await deliver(ctx)
    assert len(inbox.messages) == 1
    text = inbox.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "{+skal+}" in text and "Smittevernveileder › Vaksinasjon" in text
    # the candidate is the confirmed version now: checks after find nothing to tell
    assert candidates(ctx) == []
    assert source(ctx).next_check_at == clock() + timedelta(hours=1)
    with ctx.engine.connect() as conn:
        state = latest_state(conn, source(ctx).id or 0)
    assert state is not None and state.page is not None and VAKSINE_B in state.page.sections[1].text
    for _ in range(2):
        clock.advance(hours=1)
        serve(http, html(VAKSINE_B) + " ")  # another body, the same text
        assert (await run(ctx, "side"))["side"].startswith("unchanged")
    await deliver(ctx)
    assert len(changes(ctx)) == 1 and alerted(ctx) == [change.id] and len(inbox.messages) == 1


async def test_an_early_check_does_not_confirm_and_keeps_the_recheck_time(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    due = clock() + timedelta(seconds=60)
    clock.advance(seconds=59)
    assert await run(ctx, "side") == {"side": "changed (pending confirmation)"}  # by hand
    assert source(ctx).next_check_at == due
    assert [c.status for c in changes(ctx)] == [PENDING] and alerted(ctx) == []
    clock.advance(seconds=1)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    assert [c.status for c in changes(ctx)] == ["published"] and len(alerted(ctx)) == 1


async def test_zero_seconds_the_next_check_confirms(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http, confirm_after_seconds=0)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    assert "pending confirmation" in (await run(ctx))["side"]
    assert alerted(ctx) == [] and source(ctx).next_check_at == clock()
    assert "1 change(s) confirmed" in (await run(ctx))["side"]  # the next round, same second
    assert len(alerted(ctx)) == 1


async def test_switched_off_a_page_change_is_sent_at_once(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http, confirm_page_changes=False)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    assert await run(ctx, "side") == {"side": "changed (1 section(s))"}
    (change,) = changes(ctx)
    assert (change.status, change.confirmed_at) == ("published", None)
    assert alerted(ctx) == [change.id] and candidates(ctx) == []


async def test_switched_off_a_return_to_the_old_text_is_sent_too(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    """Told at once, the new text is what readers were last told: a return to the old one
    at the next check is news (a one-check variant is a flap only where changes wait for
    their re-check, and then nobody was told of it)."""
    setup(ctx, http, confirm_page_changes=False)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    assert await run(ctx, "side") == {"side": "changed (1 section(s))"}
    clock.advance(hours=1)
    serve(http, html())
    assert await run(ctx, "side") == {"side": "changed (1 section(s))"}
    assert [c.status for c in changes(ctx)] == ["published", "published"]
    assert len(alerted(ctx)) == 2


async def test_feed_items_are_never_delayed(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    http.set("/rss", rss(3, 1, 2), headers=RSS)
    assert await run(ctx, "rss") == {"rss": "new (1 item(s))"}
    (item,) = changes(ctx, "rss")
    assert (item.status, item.confirmed_at) == ("published", None)
    assert alerted(ctx) == [item.id] and candidates(ctx) == []
    assert source(ctx, "rss").next_check_at == clock() + timedelta(days=1)


async def test_a_failed_recheck_keeps_the_change_pending(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    clock.advance(seconds=60)
    serve(http, "Internal Server Error", status=500)
    assert (await run(ctx))["side"].startswith("error")
    assert [c.status for c in changes(ctx)] == [PENDING] and alerted(ctx) == []
    failed = source(ctx)
    assert failed.pending_since == clock() - timedelta(seconds=60)
    assert failed.next_check_at is not None and failed.next_check_at > clock()
    clock.advance(minutes=15)  # the error back-off
    serve(http, html(VAKSINE_B))
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    assert [c.status for c in changes(ctx)] == ["published"] and len(alerted(ctx)) == 1


async def test_a_then_b_then_c_tells_a_to_c_only(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    clock.advance(seconds=60)
    serve(http, html(VAKSINE_C))  # corrected a minute later
    report = (await run(ctx))["side"]
    assert "1 change(s) not confirmed" in report and "pending confirmation" in report
    (c,) = changes(ctx)
    assert c.status == PENDING and c.before == VAKSINE and c.after == VAKSINE_C  # from a
    assert len(candidates(ctx)) == 1
    clock.advance(seconds=60)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    (c,) = changes(ctx)
    assert c.status == "published" and alerted(ctx) == [c.id]
    assert VAKSINE_B not in json.dumps(c.diff)


async def test_b_plus_more_sends_b_then_the_rest_after_its_own_recheck(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    clock.advance(seconds=60)
    serve(http, html(VAKSINE_B, HYGIENE_B))
    report = (await run(ctx))["side"]
    assert "1 change(s) confirmed" in report and "pending confirmation" in report
    b, more = changes(ctx)
    assert (b.status, more.status) == ("published", PENDING) and alerted(ctx) == [b.id]
    assert more.before == HYGIENE  # the rest compares with the confirmed version
    clock.advance(seconds=60)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    assert [c.status for c in changes(ctx)] == ["published", "published"]
    assert sorted(alerted(ctx)) == [b.id, more.id]
    clock.advance(hours=1)
    serve(http, html(VAKSINE_B, HYGIENE_B) + "\n")
    assert (await run(ctx, "side"))["side"].startswith("unchanged")
    assert len(changes(ctx)) == 2 and candidates(ctx) == []


async def test_a_variant_that_did_not_last_does_not_hide_the_same_text_later(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    """The debounce history remembers confirmed versions only: b, seen once and gone, is told
    when it comes back and stays."""
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    clock.advance(seconds=60)
    serve(http, html())
    await run(ctx)
    assert changes(ctx) == []
    clock.advance(days=1)
    serve(http, html(VAKSINE_B))
    assert "pending confirmation" in (await run(ctx, "side"))["side"]
    clock.advance(seconds=60)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    assert len(alerted(ctx)) == 1


async def test_a_page_that_changes_at_every_check_is_rechecked_quickly_a_few_times_only(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    for n in range(QUICK_RECHECKS + 2):
        serve(http, html(f"{VAKSINE} Telleren står på {n}."))
        await run(ctx, "side")
        s = source(ctx)
        quick = clock() + timedelta(seconds=60)
        normal = clock() + timedelta(hours=1)
        assert s.next_check_at == (quick if n < QUICK_RECHECKS else normal), n
        clock.advance(seconds=60)
    assert [c.status for c in changes(ctx)] == [PENDING] and alerted(ctx) == []
    assert len(candidates(ctx)) == 1


async def test_a_change_held_by_a_review_rule_is_held_when_confirmed(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    long = html(" ".join([VAKSINE] * 8), " ".join([HYGIENE] * 8))
    serve(http, long)
    await run(ctx, "side")
    clock.advance(hours=1)
    other = " ".join(["Flått er små edderkoppdyr som lever i gress og lyng langs kysten."] * 9)
    serve(http, html(other, other))
    report = (await run(ctx, "side"))["side"]
    assert "held for review: most_replaced" in report and "pending confirmation" in report
    assert {(c.status, c.held_reason, c.held_at) for c in changes(ctx)} == {
        (PENDING, MOST_REPLACED, None)
    }
    clock.advance(seconds=60)
    await run(ctx)
    assert {(c.status, c.held_reason, c.held_at) for c in changes(ctx)} == {
        ("held", MOST_REPLACED, clock())
    }
    assert alerted(ctx) == []


async def test_a_collapse_accepted_once_is_confirmed_by_its_recheck(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    """A page that lost most of its text is refused once, stored held (pending) by the check
    that sees it again, and held for review by the re-check, even from another body."""
    setup(ctx, http)
    serve(http, html(" ".join([VAKSINE] * 8), " ".join([HYGIENE] * 8)))
    await run(ctx, "side")
    clock.advance(hours=1)
    serve(http, html("Kort.", "Kort."))
    assert (await run(ctx, "side"))["side"].startswith("error (ContentCollapse")
    clock.advance(minutes=15)
    assert "pending confirmation" in (await run(ctx))["side"]
    clock.advance(seconds=60)
    serve(http, html("Kort.", "Kort.") + " ")
    assert "confirmed" in (await run(ctx))["side"]
    held = changes(ctx)
    assert held and {(c.status, c.held_reason) for c in held} == {("held", MASS_DELETION)}


def _unclosed(*sections: str) -> str:
    """A page of a CMS that never closes its </main>, </body> and </html>."""
    parts = "".join(f"<h2>Del {i}</h2><p>{text}</p>" for i, text in enumerate(sections, 1))
    return f"<html><body><nav>Meny</nav><main><h1>Smittevernveileder</h1>{parts}"


async def test_a_page_that_looks_cut_off_is_refused_once_and_taken_when_it_comes_again(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    """A body without </html> that lost 12 % of its text looks like a transfer cut off: the
    check refuses it and keeps the last version. The same version found by the next check is
    an editor's cut on a site that never closes its pages: taken, confirmed by its re-check
    and told (not held: far from a collapse)."""
    setup(ctx, http)
    full = [f"{VAKSINE} {HYGIENE} Avsnitt {i} om smittevern i kommunene." for i in range(8)]
    serve(http, _unclosed(*full))
    await run(ctx, "side")
    clock.advance(hours=1)
    serve(http, _unclosed(*full[:7]))
    assert (await run(ctx, "side"))["side"].startswith("error (ContentCollapse: the page ends")
    with ctx.engine.connect() as conn:
        kept = latest_state(conn, source(ctx).id)
    assert kept is not None and kept.page is not None  # the last version, whole
    assert changes(ctx) == [] and kept.page.sections[-1].path[-1] == "Del 8"
    clock.advance(minutes=15)
    assert "pending confirmation" in (await run(ctx, "side"))["side"]
    clock.advance(seconds=60)
    assert "confirmed" in (await run(ctx, "side"))["side"]
    told = changes(ctx)
    assert [(c.kind, c.status, c.held_reason) for c in told] == [("removed", "published", None)]


async def test_a_page_cut_off_once_and_whole_again_tells_nothing(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    full = [f"{VAKSINE} {HYGIENE} Avsnitt {i} om smittevern i kommunene." for i in range(8)]
    serve(http, _unclosed(*full))
    await run(ctx, "side")
    clock.advance(hours=1)
    serve(http, _unclosed(*full[:7]))
    assert (await run(ctx, "side"))["side"].startswith("error (ContentCollapse")
    clock.advance(minutes=15)
    serve(http, _unclosed(*full))
    assert (await run(ctx, "side"))["side"].startswith("unchanged")
    assert changes(ctx) == [] and alerted(ctx) == []


async def test_the_service_round_picks_the_recheck_up(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await check_job(ctx)
    assert [c.status for c in changes(ctx)] == [PENDING]
    clock.advance(seconds=ctx.settings.check_tick_seconds)  # the next tick
    await check_job(ctx)
    assert [c.status for c in changes(ctx)] == ["published"]
    assert len(list((ctx.settings.mail_dir).glob("*.eml"))) == 1


async def test_the_service_wakes_its_round_for_a_recheck_between_two_ticks(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    """The change is found 5 s into the round at T; its re-check is due at T+65, between the
    ticks at T+60 and T+120: the round after the T+60 tick is moved to T+65, so the change is
    told 60 s after it was found, not 120."""
    setup(ctx, http)
    await baseline(ctx, clock)
    scheduler = build_scheduler(ctx)
    scheduler.start(paused=True)
    try:
        tick = clock()
        scheduler.modify_job("check", next_run_time=tick + timedelta(seconds=60))
        assert wake_for_rechecks(ctx, scheduler) is None  # nothing waits
        serve(http, html(VAKSINE_B))
        clock.advance(seconds=5)
        await check_job(ctx, scheduler=scheduler)
        assert [c.status for c in changes(ctx)] == [PENDING]
        job = scheduler.get_job("check")
        assert job.next_run_time == tick + timedelta(seconds=60)  # the tick comes first
        clock.now = tick + timedelta(seconds=60)
        scheduler.modify_job("check", next_run_time=tick + timedelta(seconds=120))
        await check_job(ctx, scheduler=scheduler)  # the tick: not due yet
        assert [c.status for c in changes(ctx)] == [PENDING]
        assert scheduler.get_job("check").next_run_time == tick + timedelta(seconds=65)
        clock.now = tick + timedelta(seconds=65)
        await check_job(ctx, scheduler=scheduler)
        assert [c.status for c in changes(ctx)] == ["published"]
        assert scheduler.get_job("check").next_run_time == tick + timedelta(seconds=65)
    finally:
        scheduler.shutdown(wait=False)


# ----------------------------------------------------------------------------- crashes


async def test_a_crash_while_confirming_loses_nothing_and_sends_nothing(
    ctx: Context, http: FixtureServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The confirmation and the source's health are one transaction: when storing it fails
    after the change was promoted, the promotion is rolled back too; the source counts an
    error, and the next check confirms it, once."""
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    clock.advance(seconds=60)
    real = feeds.store.versions.apply_fields

    def crash(*args: object, **kw: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(feeds.store.versions, "apply_fields", crash)
    assert (await run(ctx))["side"].startswith("error (RuntimeError")
    monkeypatch.setattr(feeds.store.versions, "apply_fields", real)
    assert [c.status for c in changes(ctx)] == [PENDING] and alerted(ctx) == []
    assert source(ctx).pending_since is not None and len(candidates(ctx)) == 1
    clock.advance(minutes=15)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    assert [c.status for c in changes(ctx)] == ["published"] and len(alerted(ctx)) == 1


async def test_a_crash_after_the_confirmation_before_the_dispatch_sends_it_once_later(
    ctx: Context, http: FixtureServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    clock.advance(seconds=60)

    def crash(ctx: Context) -> int:
        raise RuntimeError("killed")

    monkeypatch.setattr(notifier.pipeline, "dispatch", crash)
    with pytest.raises(RuntimeError):
        await run(ctx)
    (change,) = changes(ctx)
    assert (change.status, change.dispatched_at) == ("published", None)
    assert dispatch(ctx) == 1 and dispatch(ctx) == 0
    assert alerted(ctx) == [change.id]


def test_the_dispatch_leaves_a_pending_change_alone(ctx: Context) -> None:
    with Session(ctx.engine) as session:
        upsert_sources(
            session,
            [
                SourceSpec(
                    key="side", kind="page", url="https://x.no/", authority="fhi", name="Side"
                )
            ],
        )
        session.flush()
        source_id = session.exec(select(Source.id)).one()
        snapshot = Snapshot(source_id=source_id, content_digest="d", candidate=True)
        session.add(snapshot)
        session.flush()
        session.add(
            Change(
                source_id=source_id, snapshot_id=snapshot.id or 0, fingerprint="f",
                kind="changed", title="t", url="https://x.no/", status=PENDING,
                subtopics=["vaksinasjon"],
            )
        )  # fmt: skip
        session.commit()
    dispatch(ctx)
    (change,) = changes(ctx)
    assert (change.status, change.dispatched_at) == (PENDING, None)


# ----------------------------------------------------------------------------- the console


@pytest.mark.usefixtures("fast_hasher")
async def test_the_console_lists_a_pending_change_as_waiting(ctx: Context) -> None:
    add_change(ctx, "Venter", source="side", status=PENDING)
    add_change(ctx, "Ute", source="side")
    async with staff_client(ctx) as client:
        await login(client, ctx)
        every = (await client.get("/staff")).text
        assert set(titles(every)) == {"Venter", "Ute"} and "Venter på bekreftelse" in every
        waiting = await client.get("/staff", params={"status": PENDING})
        assert waiting.status_code == 200 and titles(waiting.text) == ["Venter"]
        nynorsk = await client.get("/staff", params={"status": PENDING, "lang": "nn"})
        assert "Ventar på stadfesting" in nynorsk.text
        public = (await client.get("/api/changes")).json()
        assert [c["title"] for c in public] == ["Ute"]


# ----------------------------------------------------------------------------- the CLI


def test_notifier_check_prints_pending_confirmation_until_the_recheck(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, http: FixtureServer
) -> None:
    for name, value in {
        "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "var"),
        "ALLOW_PRIVATE_SOURCES": "true", "PER_HOST_MIN_GAP": "0", "OBEY_ROBOTS": "false",
        "CONFIRM_AFTER_SECONDS": "3600",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"NOTIFIER_{name}", value)
    serve(http, html())
    catalogue = tmp_path / "sources.toml"
    catalogue.write_text(
        f'[[source]]\nkey = "side"\nkind = "page"\nname = "Side"\nauthority = "fhi"\n'
        f'url = "{http.url("/side")}"\nselector = "main"\n',
        encoding="utf-8",
    )

    def cli(*args: str) -> str:
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    cli("sources", "load", str(catalogue))
    assert cli("check", "side") == "side new (baseline: 3 sections)\n"
    serve(http, html(VAKSINE_B))
    assert cli("check", "side") == "side changed (1 section(s); pending confirmation)\n"
    assert cli("check", "side") == "side changed (pending confirmation)\n"
    monkeypatch.setenv("NOTIFIER_CONFIRM_AFTER_SECONDS", "0")
    assert cli("check", "side") == "side changed (not modified; 1 change(s) confirmed)\n"


# ----------------------------------------------------------------------------- the migration


async def test_the_migration_goes_down_and_up_with_changes_waiting(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    """Down: the pending change and the candidate go, the source forgets its validators, so
    the code before finds the change again; up again, confirmation starts afresh."""
    setup(ctx, http)
    await baseline(ctx, clock)
    serve(http, html(VAKSINE_B))
    await run(ctx, "side")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007_check_history")
    with ctx.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM change")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM snapshot")).scalar() == 2  # side, rss
        etag, body = conn.execute(
            sa.text("SELECT etag, body_hash FROM source WHERE key = 'side'")
        ).one()
        assert (etag, body) == (None, None)
        columns = {c["name"] for c in sa.inspect(conn).get_columns("snapshot")}
        assert "candidate" not in columns
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    clock.advance(seconds=60)
    assert "pending confirmation" in (await run(ctx, "side"))["side"]
    clock.advance(seconds=60)
    assert "1 change(s) confirmed" in (await run(ctx))["side"]
    assert len(alerted(ctx)) == 1
