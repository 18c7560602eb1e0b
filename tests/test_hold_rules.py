"""The review rules: which new versions of a source are stored held for staff review
(docs/detection.md, "Review rules"). Pure rules first (feeds.detect), then the real chain on a
loopback HTTP server, SQLite and PostgreSQL: what is held is stored with its reason and time
and reaches no outbox; an ordinary edit and new items on top go out as ever."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from feeds.catalogue import SourceSpec
from feeds.detect.detection import (
    AFTER_OUTAGE,
    FEED_REPLACED,
    MASS_DELETION,
    MOST_REPLACED,
    Detection,
    HoldRules,
    detect,
    feed_replaced,
    hold_after_outage,
    most_replaced,
    outage,
)
from feeds.detect.diff import diff_pages
from feeds.errors import ContentCollapse
from feeds.store.models import Change, Source
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.store.sources import upsert_sources
from feeds.types import FetchResult, PageContent, Section, SnapshotState
from notifier.context import Context
from notifier.outbox import DeliveryItem
from notifier.pipeline import check
from notifier.settings import Settings
from subscribers.models import Subscriber
from subscribers.service import add_subscriber
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer

PAGE_SPEC = SourceSpec(
    key="veileder",
    kind="page",
    url="https://x.no/v",
    authority="fhi",
    name="Veileder",
    selector="main",
)
FEED_SPEC = SourceSpec(
    key="nyheter", kind="feed", url="https://x.no/rss", authority="fhi", name="Nyheter"
)

# Three sections of a guidance page, ~40 words each, and unrelated texts of the same size.
VAKSINE = (
    "Helsepersonell i kommunen bør tilbys influensavaksine hver høst før sesongen starter. "
    "Vaksinen gir god beskyttelse mot alvorlig sykdom hos eldre og personer i risikogrupper. "
    "Arbeidsgiver har ansvar for å legge til rette for vaksinasjon i arbeidstiden og for å "
    "registrere dosene i vaksinasjonsregisteret."
)
HYGIENE = (
    "God håndhygiene er det viktigste enkelttiltaket for å hindre smitte i helsetjenesten. "
    "Hender vaskes med såpe og vann når de er synlig skitne, ellers brukes hånddesinfeksjon "
    "før og etter pasientkontakt, etter bruk av hansker og etter kontakt med pasientens "
    "omgivelser."
)
TESTING = (
    "Personer med luftveissymptomer som jobber i helse- og omsorgstjenesten bør teste seg "
    "dersom de har symptomer. Testen tas så raskt som mulig etter symptomstart, og resultatet "
    "meldes til nærmeste leder. Ved positiv test bør man holde seg hjemme til man er i bedre "
    "form."
)
FLATT = (
    "Flått er små edderkoppdyr som lever i gress og lyng langs kysten av Sør-Norge. Et "
    "flåttbitt kan overføre borreliabakterien eller viruset som gir skogflåttencefalitt. Sjekk "
    "kroppen etter tur i skog og mark, og fjern flåtten med en pinsett så tidlig som mulig."
)
DRIKKEVANN = (
    "Vannverkseieren skal sørge for at drikkevannet er helsemessig trygt og leveres i "
    "tilstrekkelig mengde. Ved mistanke om forurensning varsles Mattilsynet straks, og "
    "abonnentene får beskjed om å koke vannet. Kokeanbefalingen oppheves først når nye prøver "
    "viser rent vann."
)
STRÅLING = (
    "Radon er en usynlig radioaktiv gass som siver opp fra grunnen og samles i boliger. Høy "
    "radonkonsentrasjon øker risikoen for lungekreft, særlig hos røykere. Alle som bor i "
    "kommuner med kjente forekomster bør måle radonnivået i vinterhalvåret og sette inn tiltak "
    "ved behov."
)

GUIDE = (("Vaksinasjon", VAKSINE), ("Håndhygiene", HYGIENE), ("Testing", TESTING))
OTHER = (("Vaksinasjon", FLATT), ("Håndhygiene", DRIKKEVANN), ("Testing", STRÅLING))


def page(sections: Sequence[tuple[str, str]]) -> FetchResult:
    body = "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in sections)
    html = f"<html><body><main><h1>Veileder</h1>{body}</main></body></html>"
    return FetchResult("https://x.no/v", 200, html.encode())


def rss(items: Sequence[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><description>Om {t.lower()}.</description>"
        f"<link>https://x.no/nyheter/{g}</link></item>"
        for g, t in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Nyheter'
        f"</title>{body}</channel></rss>"
    )


def feed(items: Sequence[tuple[str, str]]) -> FetchResult:
    return FetchResult("https://x.no/rss", 200, rss(items).encode())


def items(*ids: int) -> list[tuple[str, str]]:
    return [(f"n{i}", f"Nyhet nummer {i} om vaksiner") for i in ids]


def baseline(spec: SourceSpec, result: FetchResult) -> SnapshotState:
    """The state as a check reads it back from the database."""
    state = detect(spec, result, None).state
    assert state is not None
    return state_from_blob(state_to_blob(state))


# ----------------------------------------------------------------------------- most_replaced


def test_a_page_whose_text_is_mostly_replaced_is_held_with_the_numbers_in_the_note() -> None:
    d = detect(PAGE_SPEC, page(OTHER), baseline(PAGE_SPEC, page(GUIDE)))
    assert d.outcome == "changed" and len(d.changes) == 3
    assert d.held_reason == MOST_REPLACED and d.held
    assert "held for review: most_replaced (" in d.note and "% of" in d.note


def test_a_page_replaced_by_another_page_with_other_headings_is_held() -> None:
    other = (("Flått", FLATT), ("Drikkevann", DRIKKEVANN), ("Radon", STRÅLING))
    d = detect(PAGE_SPEC, page(other), baseline(PAGE_SPEC, page(GUIDE)))
    assert sorted(c.kind for c in d.changes) == ["added"] * 3 + ["removed"] * 3
    assert d.held_reason == MOST_REPLACED


def test_ordinary_edits_are_never_held() -> None:
    base = baseline(PAGE_SPEC, page(GUIDE))
    # one sentence of one section
    edited = VAKSINE.replace("hver høst", "og koronavaksine hver høst")
    one = detect(PAGE_SPEC, page((("Vaksinasjon", edited), *GUIDE[1:])), base)
    assert one.changes and one.held_reason is None
    # a whole section rewritten (a third of the page)
    rewritten = detect(PAGE_SPEC, page((("Vaksinasjon", FLATT), *GUIDE[1:])), base)
    assert rewritten.changes and rewritten.held_reason is None
    # two of three sections rewritten: still less than 70 % of the words
    two = detect(
        PAGE_SPEC, page((("Vaksinasjon", FLATT), ("Håndhygiene", DRIKKEVANN), GUIDE[2])), base
    )
    assert two.changes and two.held_reason is None
    # a new section, however long, replaces nothing
    added = detect(PAGE_SPEC, page((*GUIDE, *(("Ny " + h, t) for h, t in OTHER))), base)
    assert added.changes and added.held_reason is None
    # a section removed (no collapse) replaces nothing either
    removed = detect(PAGE_SPEC, page(GUIDE[:2]), base)
    assert removed.changes and removed.held_reason is None


def test_the_rule_can_be_switched_off_and_tuned() -> None:
    base = baseline(PAGE_SPEC, page(GUIDE))
    for share in (0.0, 1.0):
        d = detect(PAGE_SPEC, page(OTHER), base, rules=HoldRules(replaced_share=share))
        assert d.changes and d.held_reason is None
    # a lower threshold holds the rewrite of two sections of three
    two = page((("Vaksinasjon", FLATT), ("Håndhygiene", DRIKKEVANN), GUIDE[2]))
    d = detect(PAGE_SPEC, two, base, rules=HoldRules(replaced_share=0.5))
    assert d.held_reason == MOST_REPLACED


def words(prefix: str, n: int) -> str:
    return " ".join(f"{prefix}{i}" for i in range(n))


def measure(before: str, after: str, share: float = 0.7) -> tuple[int, int] | None:
    a = PageContent("Side", (Section(("A",), before), Section(("B",), "x")))
    b = PageContent("Side", (Section(("A",), after), Section(("B",), "x")))
    return most_replaced(a, b, diff_pages(a, b), share)


def test_most_replaced_counts_the_words_replaced_against_the_last_version() -> None:
    # 99 words + the one of section B = 100 words; replacing 71 of them holds, 70 does not
    old = words("a", 99)
    assert measure(old, f"{words('b', 71)} {' '.join(old.split()[71:])}") == (71, 100)
    assert measure(old, f"{words('b', 70)} {' '.join(old.split()[70:])}") is None
    # replaced = min(removed, added): 80 words out and 10 in replace 10
    assert measure(old, f"{words('b', 10)} {' '.join(old.split()[80:])}") is None
    # a page of fewer than REPLACED_MIN_WORDS words is rewritten whole as a matter of course
    assert measure(words("a", 40), words("b", 40)) is None
    assert measure(words("a", 99), words("b", 99)) == (99, 100)


# ----------------------------------------------------------------------------- feed_replaced


def test_a_feed_whose_items_are_all_replaced_is_held() -> None:
    base = baseline(FEED_SPEC, feed(items(1, 2, 3, 4, 5, 6)))
    d = detect(FEED_SPEC, feed(items(11, 12, 13, 14, 15, 16)), base)
    assert d.outcome == "new" and len(d.changes) == 6
    assert d.held_reason == FEED_REPLACED
    assert "held for review: feed_replaced (6 of 6 items replaced)" in d.note


def test_new_items_on_top_are_never_held() -> None:
    base = baseline(FEED_SPEC, feed(items(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)))
    two = detect(FEED_SPEC, feed(items(12, 11, 1, 2, 3, 4, 5, 6, 7, 8)), base)
    assert len(two.changes) == 2 and two.held_reason is None
    # a busy day: eight new items push eight old ones out of a feed of the newest ten
    busy = detect(FEED_SPEC, feed(items(*range(18, 10, -1), 1, 2)), base)
    assert len(busy.changes) == 8 and busy.held_reason is None
    # the same eight new ones below the two old ones left: the feed was replaced
    below = detect(FEED_SPEC, feed(items(1, 2, *range(18, 10, -1))), base)
    assert below.held_reason == FEED_REPLACED
    # items that leave without new ones replace nothing
    fewer = detect(FEED_SPEC, feed(items(1, 2)), base)
    assert fewer.changes == () and fewer.held_reason is None


def test_feed_rule_settings_and_small_feeds() -> None:
    base = baseline(FEED_SPEC, feed(items(1, 2, 3, 4, 5, 6)))
    for share in (0.0, 1.0):
        off = HoldRules(feed_replaced_share=share)
        d = detect(FEED_SPEC, feed(items(11, 12, 13, 14, 15, 16)), base, rules=off)
        assert len(d.changes) == 6 and d.held_reason is None
    small = baseline(FEED_SPEC, feed(items(1, 2, 3)))
    d = detect(FEED_SPEC, feed(items(11, 12, 13)), small)
    assert len(d.changes) == 3 and d.held_reason is None  # fewer than FEED_REPLACED_MIN_ITEMS
    # four items replaced at once are held (blind round 35: a feed turned into another one)
    four = baseline(FEED_SPEC, feed(items(1, 2, 3, 4)))
    d = detect(FEED_SPEC, feed(items(11, 12, 13, 14)), four)
    assert len(d.changes) == 4 and d.held_reason == "feed_replaced"


def test_feed_replaced_counts_items_gone_while_new_ones_appear() -> None:
    last = [f"o{i}" for i in range(10)]
    new8 = [f"n{i}" for i in range(8)]
    # 8 of 10 gone and 8 new, interleaved with the two kept: held with 8
    assert feed_replaced(last, ["o0", *new8[:4], "o1", *new8[4:]], new8, 0.7) == 8
    # 7 of 10 is not more than 70 %
    assert feed_replaced(last, ["o0", "o1", "o2", *new8[:7]], new8[:7], 0.7) is None
    # 9 gone but one new: one replaced
    assert feed_replaced(last, ["o0", "n0"], ["n0"], 0.7) is None
    # every item gone and replaced: held, whatever the order
    every = [*new8, "n8", "n9"]
    assert feed_replaced(last, every, every, 0.7) == 10


# ----------------------------------------------------------------------------- after_outage

T0 = datetime(2026, 11, 23, 8, tzinfo=UTC)
RULES = HoldRules()


def changed() -> Detection:
    d = detect(
        PAGE_SPEC, page((("Vaksinasjon", FLATT), *GUIDE[1:])), baseline(PAGE_SPEC, page(GUIDE))
    )
    assert d.changes and not d.held
    return d


def test_the_first_changes_after_a_long_outage_are_held() -> None:
    d = hold_after_outage(changed(), T0, T0 + timedelta(hours=30), 12, RULES)
    assert d.held_reason == AFTER_OUTAGE
    assert d.note.endswith("; held for review: after_outage (failed for 30 h)")
    # exactly the threshold holds; less does not
    assert hold_after_outage(changed(), T0, T0 + timedelta(hours=24), 8, RULES).held
    assert not hold_after_outage(changed(), T0, T0 + timedelta(hours=2), 2, RULES).held


def test_what_the_outage_rule_never_holds() -> None:
    long = (T0, T0 + timedelta(hours=30))
    # switched off
    off = HoldRules(after_outage=timedelta(0))
    assert not hold_after_outage(changed(), *long, 12, off).held
    # the last check succeeded (no errors in a row): no outage
    assert not hold_after_outage(changed(), *long, 0, RULES).held
    assert outage(*long, 0) is None and outage(None, T0, 3) is None
    # no changes (a baseline, an unchanged page): nothing to hold
    quiet = Detection("unchanged", None)
    assert hold_after_outage(quiet, *long, 12, RULES) is quiet
    # another rule's reason stays
    deleted = Detection("changed", None, changed().changes, held_reason=MASS_DELETION)
    assert hold_after_outage(deleted, *long, 12, RULES).held_reason == MASS_DELETION


def test_a_confirmed_collapse_is_held_as_a_mass_deletion() -> None:
    base = baseline(PAGE_SPEC, page(GUIDE))
    short = page((("Vaksinasjon", "Se egen side."),))
    with pytest.raises(ContentCollapse) as info:
        detect(PAGE_SPEC, short, base)
    d = detect(PAGE_SPEC, short, base, accept_collapse=info.value.digest)
    assert d.held_reason == MASS_DELETION


def test_settings_carry_the_thresholds_and_refuse_nonsense() -> None:
    rules = Settings(
        hold_replaced_share=0.8, hold_feed_replaced_share=0, hold_after_outage_hours=6
    ).hold_rules()
    assert rules == HoldRules(0.8, 0.0, timedelta(hours=6))
    assert Settings().hold_rules() == HoldRules()
    for bad in ({"hold_replaced_share": 1.5}, {"hold_feed_replaced_share": -0.1},
                {"hold_after_outage_hours": -1}):  # fmt: skip
        with pytest.raises(ValueError, match="hold_"):
            Settings(**bad)


# ----------------------------------------------------------------------------- the chain


def html(sections: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in sections)
    return f"<html><body><main><h1>Smittevernveileder</h1>{body}</main></body></html>"


HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


def setup(ctx: Context, http: FixtureServer, **settings: object) -> None:
    """A page and a feed on the fixture server, both tagged vaksinasjon, and a subscriber of
    immediate alerts on vaksinasjon (so a published change reaches the outbox)."""
    ctx.settings = ctx.settings.model_copy(update={"obey_robots": False, **settings})
    http.set("/side", html(GUIDE), headers=HTML)
    http.set("/rss", rss(items(*range(1, 9))), headers=RSS)
    specs = [
        SourceSpec(key="side", kind="page", url=http.url("/side"), authority="fhi", name="Side", selector="main",
                   subtopics=("vaksinasjon",)),
        SourceSpec(key="rss", kind="feed", url=http.url("/rss"), authority="fhi", name="Nyheter", subtopics=("vaksinasjon",)),
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


async def run(ctx: Context, clock: Clock, *keys: str, hours: float = 1) -> dict[str, str]:
    clock.advance(hours=hours)
    return {r.key: r.outcome for r in await check(ctx, list(keys))}


async def recheck(ctx: Context, clock: Clock) -> dict[str, str]:
    """The round that re-checks a page whose changes wait for confirmation: when it is due
    (docs/detection.md, "Confirmation"); only then is the change published or held."""
    clock.advance(seconds=ctx.settings.confirm_after_seconds)
    reports = await check(ctx)
    assert all("confirmed" in r.detail for r in reports if r.key == "side"), reports
    return {r.key: r.outcome for r in reports}


def stored(ctx: Context, key: str) -> list[Change]:
    with Session(ctx.engine) as session:
        source = session.exec(select(Source).where(Source.key == key)).one()
        query = select(Change).where(Change.source_id == source.id).order_by(col(Change.id))
        return list(session.exec(query))


def alerted(ctx: Context, changes: Sequence[Change]) -> int:
    """Outbox items for these changes."""
    ids = [c.id for c in changes]
    with Session(ctx.engine) as session:
        return len(
            list(session.exec(select(DeliveryItem).where(col(DeliveryItem.change_id).in_(ids))))
        )


async def test_chain_a_page_mostly_replaced_is_held_and_an_edit_is_published(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    assert await run(ctx, clock, "side") == {"side": "new"}
    edited = VAKSINE.replace("hver høst", "og koronavaksine hver høst")
    http.set("/side", html((("Vaksinasjon", edited), *GUIDE[1:])), headers=HTML)
    assert await run(ctx, clock, "side") == {"side": "changed"}
    assert (await recheck(ctx, clock))["side"] == "changed"
    (edit,) = stored(ctx, "side")
    assert (edit.status, edit.held_reason, edit.held_at) == ("published", None, None)
    assert alerted(ctx, [edit]) == 1
    http.set("/side", html(OTHER), headers=HTML)
    reports = await check(ctx, ["side"])
    assert "held for review: most_replaced" in reports[0].detail
    await recheck(ctx, clock)  # held_at is the time of the check that confirmed it
    held = stored(ctx, "side")[1:]
    assert len(held) == 3
    assert {(c.status, c.held_reason, c.held_at) for c in held} == {
        ("held", MOST_REPLACED, clock())
    }
    assert alerted(ctx, held) == 0


async def test_chain_a_feed_replaced_is_held_and_new_items_on_top_are_published(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    assert await run(ctx, clock, "rss") == {"rss": "new"}
    http.set("/rss", rss(items(10, 9, *range(1, 9))), headers=RSS)
    assert await run(ctx, clock, "rss") == {"rss": "new"}
    on_top = stored(ctx, "rss")
    assert len(on_top) == 2 and {(c.status, c.held_reason) for c in on_top} == {("published", None)}
    assert alerted(ctx, on_top) == 2
    http.set("/rss", rss(items(*range(21, 31))), headers=RSS)
    await run(ctx, clock, "rss")
    replaced = stored(ctx, "rss")[2:]
    assert len(replaced) == 10
    assert {(c.status, c.held_reason, c.held_at) for c in replaced} == {
        ("held", FEED_REPLACED, clock())
    }
    assert alerted(ctx, replaced) == 0


async def fail_then_recover(
    ctx: Context, http: FixtureServer, clock: Clock, failing_hours: int
) -> list[Change]:
    """The page is checked, fails every hour for ``failing_hours`` and comes back edited."""
    assert await run(ctx, clock, "side") == {"side": "new"}
    http.set("/side", "Internal Server Error", status=500)
    for _ in range(failing_hours):
        assert await run(ctx, clock, "side") == {"side": "error"}
    edited = VAKSINE.replace("hver høst", "og koronavaksine hver høst")
    http.set("/side", html((("Vaksinasjon", edited), *GUIDE[1:])), headers=HTML)
    assert await run(ctx, clock, "side", hours=0.5) == {"side": "changed"}
    await recheck(ctx, clock)
    return stored(ctx, "side")


async def test_chain_the_first_change_after_30_hours_down_is_held(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    (change,) = await fail_then_recover(ctx, http, clock, 30)
    assert (change.status, change.held_reason, change.held_at) == ("held", AFTER_OUTAGE, clock())
    assert alerted(ctx, [change]) == 0
    # recovered: the next change goes out as ever
    again = VAKSINE.replace("hver høst", "hver høst og vinter")
    http.set("/side", html((("Vaksinasjon", again), *GUIDE[1:])), headers=HTML)
    await run(ctx, clock, "side")
    await recheck(ctx, clock)
    later = stored(ctx, "side")[1]
    assert (later.status, later.held_reason) == ("published", None)


async def test_chain_a_change_after_2_hours_down_is_published(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(ctx, http)
    (change,) = await fail_then_recover(ctx, http, clock, 2)
    assert (change.status, change.held_reason) == ("published", None)
    assert alerted(ctx, [change]) == 1


async def test_chain_each_rule_switched_off_publishes(
    ctx: Context, http: FixtureServer, clock: Clock
) -> None:
    setup(
        ctx, http,
        hold_replaced_share=0.0, hold_feed_replaced_share=1.0, hold_after_outage_hours=0.0,
    )  # fmt: skip
    assert await run(ctx, clock, "side", "rss") == {"side": "new", "rss": "new"}
    http.set("/side", html(OTHER), headers=HTML)
    http.set("/rss", rss(items(*range(21, 31))), headers=RSS)
    assert await run(ctx, clock, "side", "rss") == {"side": "changed", "rss": "new"}
    assert {c.status for c in stored(ctx, "rss")} == {"published"}  # items are not delayed
    await recheck(ctx, clock)
    page_changes, feed_changes = stored(ctx, "side"), stored(ctx, "rss")
    assert len(page_changes) == 3 and len(feed_changes) == 10
    assert {c.status for c in page_changes + feed_changes} == {"published"}
    # a 30-hour outage with the rule off
    http.set("/side", "Internal Server Error", status=500)
    for _ in range(30):
        await run(ctx, clock, "side")
    edited = VAKSINE.replace("hver høst", "og koronavaksine hver høst")
    http.set("/side", html((("Vaksinasjon", edited), *GUIDE[1:])), headers=HTML)
    await run(ctx, clock, "side")
    await recheck(ctx, clock)
    after = stored(ctx, "side")[3:]
    assert after and {c.status for c in after} == {"published"}
