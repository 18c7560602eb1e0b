"""The console's source health (``/staff/kilder``) through the real app, SQLite and
PostgreSQL: every source with its state and last error in Norwegian words (read from the
errors the check really records), a disabled source shown with its reason and left out of
the due round, a 30-day activity chart as accessible inline SVG with a data table, and the
actions (check now for any staff user; disable with a required reason and enable for
administrators), each audited and refused without a valid csrf_token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from lxml import etree
from lxml import html as lxml_html
from sqlmodel import Session, select

from feeds.errors import (
    BlockedAddressError,
    ContentCollapse,
    FeedEmptied,
    HostPaused,
    PermanentFetchError,
    PermanentStatusError,
    RobotsDisallowed,
    RobotsUnavailable,
    SourceProblem,
    TransientFetchError,
    TransientStatusError,
)
from feeds.store.models import Source, SourceCheckHour
from feeds.store.sources import count_checks, select_sources
from notifier import source_admin as sa
from notifier.context import Context
from notifier.models import AuditEvent
from notifier.pipeline import check
from notifier.web.svg import Series, bar_chart
from notifier.web.texts_sources import NB, NN
from notifier.worker import CHECK_HISTORY, housekeep_sources
from tests.conftest import Clock
from tests.support.httpserver import FixtureServer
from tests.support.outbox import store_change
from tests.support.staff import fast_hasher, login, staff_client

__all__ = ["fast_hasher"]

PAGE = "/staff/kilder"


def parse(page: str) -> Any:
    """The page as an lxml tree (typed loosely: lxml's xpath results are a wide union)."""
    return lxml_html.fromstring(page)


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """Logins in these tests use cheap argon2 parameters."""


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx) as c:
        yield c


def add_source(ctx: Context, key: str, **fields: object) -> None:
    with Session(ctx.engine) as session:
        source = Source(
            key=key, kind="page", url=f"https://{key}.no/side", authority="fhi", name=key.upper()
        )
        for name, value in fields.items():
            setattr(source, name, value)
        session.add(source)
        session.commit()


def source_of(ctx: Context, key: str) -> Source:
    with Session(ctx.engine) as session:
        return session.exec(select(Source).where(Source.key == key)).one()


def events(ctx: Context, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def recorded(error: Exception) -> str:
    """The text the check stores for an error (``feeds.store.error_fields``)."""
    return f"{type(error).__name__}: {error}"[:2000]


ERRORS: list[tuple[Exception, str]] = [
    (TransientFetchError("https://x.no/ did not answer within 30 s"), "err_timeout"),
    (TransientFetchError("could not connect to https://x.no/: refused"), "err_connect"),
    (TransientStatusError("https://x.no/ answered HTTP 503", 503), "err_http_transient"),
    (TransientStatusError("https://x.no/ answered with a bot challenge", 403), "err_bot_challenge"),
    (PermanentStatusError("https://x.no/ answered HTTP 404", 404), "err_http_permanent"),
    (PermanentStatusError("https://x.no/ answered HTTP 401: it needs", 401), "err_http_401"),
    (PermanentFetchError("https://x.no/ is 99 bytes; the limit is 9"), "err_too_big"),
    (BlockedAddressError("refusing to fetch x: it resolves to 10.0.0.1"), "err_blocked"),
    (HostPaused("https://x.no/: its host asked us to wait"), "err_host_paused"),
    (RobotsDisallowed("https://x.no/ is disallowed by robots.txt"), "err_robots_disallowed"),
    (RobotsUnavailable("https://x.no/: robots.txt could not be read"), "err_robots_unavailable"),
    (FeedEmptied("the feed had 12 item(s) and now has none", before=12), "err_feed_emptied"),
    (ContentCollapse("the main content fell from 9000 to 20", digest="d"), "err_content_collapse"),
    (
        ContentCollapse(
            "the page ends before </html> and its text fell from 900 to 780 characters: "
            "a truncated transfer; kept the last version",
            digest="d",
        ),
        "err_truncated",
    ),
    (SourceProblem("the content selector 'main' matched nothing: the page"), "err_selector"),
    (SourceProblem("the feed is not well-formed XML: junk"), "err_feed_xml"),
    (SourceProblem("the feed's only item is an error notice («Feil»)"), "err_feed_error_item"),
    (
        SourceProblem("the content holds a block of 5 spam links: the site looks hijacked"),
        "err_hijacked",
    ),
    (SourceProblem("looks like an error, maintenance or challenge page («x»)"), "err_maintenance"),
    (SourceProblem("something new"), "err_source_problem"),
    (KeyError("surprise"), "err_other"),
]


@pytest.mark.parametrize(("error", "key"), ERRORS, ids=[k for _, k in ERRORS])
def test_recorded_errors_read_as_norwegian_words(error: Exception, key: str) -> None:
    explained = sa.explain_error(recorded(error))
    assert explained is not None
    assert explained[0] == key
    for texts in (NB, NN):
        words = texts[key].format(**explained[1])
        assert "{" not in words and "Error" not in words


def test_error_values_and_part_problems() -> None:
    assert sa.explain_error(None) is None
    assert sa.explain_error("kapittel 3: the PDF has no text (a scan?)") == ("err_parts", {})
    timeout = sa.explain_error("TransientFetchError: https://x.no/ did not answer within 30 s")
    assert timeout == ("err_timeout", {"seconds": "30"})
    status = sa.explain_error("PermanentStatusError: https://x.no/ answered HTTP 410")
    assert status == ("err_http_permanent", {"status": "410"})
    assert NB.keys() == NN.keys()


async def test_the_list_shows_health_and_reasons(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    add_source(
        ctx, "fhi-side", last_checked_at=clock(), last_outcome="error", consecutive_errors=3,
        last_error=recorded(TransientFetchError("https://fhi-side.no/ did not answer within 30 s")),
        next_check_at=clock() + timedelta(minutes=20),
    )  # fmt: skip
    add_source(ctx, "lovdata-av", enabled=False, disabled_reason="Flyttet til ny adresse")
    await login(client, ctx)
    page = await client.get(PAGE)
    assert page.status_code == 200
    tree = parse(page.text)
    rows = {
        str(tr.xpath("td[1]//a")[0].text_content()): [
            str(td.text_content()) for td in tr.xpath("td")
        ]
        for tr in tree.xpath("//table/tbody/tr")
    }
    failing = rows["FHI-SIDE"]
    assert failing[1] == NB["kind_page"] and failing[2] == "Folkehelseinstituttet"
    assert failing[5] == NB["outcome_error"] and failing[6] == "3"
    assert failing[7].startswith(NB["err_timeout"].format(seconds="30"))
    assert NB["raw_label"] + ": TransientFetchError" in failing[7]
    assert failing[8] == "23. november 2026 kl. 09.20"
    off = rows["LOVDATA-AV"]
    assert NB["disabled"] in off[3] and "Flyttet til ny adresse" in off[3]
    assert off[8] == NB["not_checked_disabled"] and off[4] == NB["never"]
    nynorsk = await client.get(PAGE, params={"lang": "nn"})
    assert NN["err_timeout"].format(seconds="30") in nynorsk.text


def article(text: str) -> str:
    return (
        "<html><head><title>Side</title></head><body><main><h1>Testing</h1>"
        f"<h2>Råd</h2><p>{text}</p></main></body></html>"
    )


async def test_the_activity_chart_counts_real_checks_errors_and_changes_per_local_day(
    ctx: Context, client: httpx.AsyncClient, clock: Clock, http: FixtureServer
) -> None:
    """Four real check rounds against a local server: a baseline, an unchanged check just
    after midnight Oslo time (23.30 UTC: the next local day), a failure and a change today.
    The chart and its table count checks, failed checks and changes per local day."""
    http.set("/side", article("Første versjon av rådene om testing."))
    add_source(ctx, "side", url=http.url("/side"), name="Testside")
    clock.advance(days=-3)  # 20 November, 09.00 Oslo
    assert [r.outcome for r in await check(ctx, ["side"])] == ["new"]
    clock.now = clock.now.replace(hour=23, minute=30)  # 00.30 on 21 November in Oslo
    assert [r.outcome for r in await check(ctx, ["side"])] == ["unchanged"]
    clock.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    http.set("/side", b"", status=500)
    assert [r.outcome for r in await check(ctx, ["side"])] == ["error"]
    clock.advance(minutes=30)
    http.set("/side", article("Andre versjon av rådene om testing, med nye frister."))
    assert [r.outcome for r in await check(ctx, ["side"])] == ["changed"]
    store_change(ctx, 1, "Annen kilde", source_key="annen")  # another source: not counted

    await login(client, ctx)
    page = await client.get(f"{PAGE}/side")
    assert page.status_code == 200
    tree = parse(page.text)
    checks_svg, changes_svg = tree.xpath("//svg")
    assert checks_svg.get("role") == "img" == changes_svg.get("role")
    assert checks_svg.get("aria-labelledby") == "sjekker-title sjekker-desc"
    assert str(tree.xpath("//svg/title")[0].text_content()) == NB["checks_chart_title"].format(
        name="Testside"
    )
    descs = [str(d.text_content()) for d in tree.xpath("//svg/desc")]
    assert "Til sammen 4 sjekker, 1 av dem feilet" in descs[0]
    assert "Til sammen 1 endringer" in descs[1]
    assert not tree.xpath(
        "//svg//*[@href or @xlink:href]", namespaces={"xlink": "http://www.w3.org/1999/xlink"}
    )
    rows = [
        [str(td.text_content()) for td in tr.xpath("td")]
        for tr in tree.xpath("//details//tbody/tr")
    ]
    assert len(rows) == 30
    assert rows[-1] == ["23.11.2026", "2", "1", "1"]
    assert rows[-3] == ["21.11.2026", "1", "0", "0"]
    assert rows[-4] == ["20.11.2026", "1", "0", "0"]
    assert sum(int(r[1]) for r in rows) == 4
    nynorsk = await client.get(f"{PAGE}/side", params={"lang": "nn"})
    assert "Til saman 4 sjekkar, 1 av dei feila" in nynorsk.text
    missing = await client.get(f"{PAGE}/finnes-ikke")
    assert missing.status_code == 404 and NN["err_missing"] in missing.text  # language kept


def test_check_history_adds_up_across_rounds_and_is_pruned(ctx: Context, clock: Clock) -> None:
    """Two rounds in one hour add to the same row (the upsert several workers may run at
    once); housekeeping deletes hours past the retention and keeps the rest."""
    add_source(ctx, "a")
    a = source_of(ctx, "a").id
    assert a is not None
    with Session(ctx.engine) as session:
        count_checks(session, [(a, False), (a, True)], clock())
        session.commit()
        count_checks(session, [(a, True)], clock() + timedelta(minutes=20))
        session.commit()
        count_checks(session, [(a, False)], clock() - CHECK_HISTORY - timedelta(hours=1))
        session.commit()
        rows = sorted(session.exec(select(SourceCheckHour)).all(), key=lambda r: r.hour)
        assert [(r.checks, r.errors) for r in rows] == [(1, 0), (3, 2)]
    assert housekeep_sources(ctx).startswith("1 hour(s)")
    with Session(ctx.engine) as session:
        [kept] = session.exec(select(SourceCheckHour)).all()
        assert (kept.checks, kept.errors, kept.hour) == (3, 2, clock().replace(minute=0))


def test_the_chart_is_well_formed_and_escapes_its_texts() -> None:
    chart = bar_chart(
        "c", 'Tittel <script>&"', "Beskrivelse", ["1.", "2.", "3."],
        [Series("A<b>", (0, 3, 7), "#0b57a4"), Series("B", (1, 0, 0), "#b35900")],
    )  # fmt: skip
    root = etree.fromstring(str(chart).encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script>" not in str(chart) and "A&lt;b&gt;" in str(chart)
    bars = root.findall("{http://www.w3.org/2000/svg}rect")
    assert len(bars) == 1 + 3 + 2  # background, three bars, two legend keys
    assert "10" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]  # axis top


async def test_check_now(ctx: Context, client: httpx.AsyncClient, clock: Clock) -> None:
    later = clock() + timedelta(hours=1)
    add_source(ctx, "fhi", next_check_at=later)
    user, csrf = await login(client, ctx, role="redaktor")
    with Session(ctx.engine) as session:
        assert [s.key for s in select_sources(session, clock())] == []
    for form in ({}, {"csrf_token": "feil"}):
        refused = await client.post(f"{PAGE}/fhi/sjekk", data=form)
        assert refused.status_code == 403 and source_of(ctx, "fhi").next_check_at == later
    done = await client.post(f"{PAGE}/fhi/sjekk", data={"csrf_token": csrf})
    assert done.headers["location"] == f"{PAGE}/fhi?ok=checked"
    assert source_of(ctx, "fhi").next_check_at == clock()
    with Session(ctx.engine) as session:
        assert [s.key for s in select_sources(session, clock())] == ["fhi"]
    [event] = events(ctx, "source_check_now")
    assert (event.actor, event.target_kind, event.target_id) == (user.email, "source", "fhi")
    shown = await client.get(done.headers["location"])
    assert NB["ok_checked"] in shown.text and NB["admin_only"] in shown.text
    assert "slaa-av" not in shown.text  # a redaktor is not offered disable


async def test_disable_and_enable(ctx: Context, client: httpx.AsyncClient, clock: Clock) -> None:
    add_source(ctx, "fhi")
    user, csrf = await login(client, ctx, role="admin")
    for form in ({"reason": "Nede"}, {"csrf_token": "feil", "reason": "Nede"}):
        refused = await client.post(f"{PAGE}/fhi/slaa-av", data=form)
        assert refused.status_code == 403 and source_of(ctx, "fhi").enabled
    blank = await client.post(f"{PAGE}/fhi/slaa-av", data={"csrf_token": csrf, "reason": "  "})
    assert blank.headers["location"].endswith("error=reason") and source_of(ctx, "fhi").enabled
    shown = await client.get(blank.headers["location"] + "&lang=nn")
    assert NN["err_reason"] in shown.text

    done = await client.post(
        f"{PAGE}/fhi/slaa-av", data={"csrf_token": csrf, "reason": "Siden er  lagt ned"}
    )
    assert done.headers["location"] == f"{PAGE}/fhi?ok=disabled"
    source = source_of(ctx, "fhi")
    assert (source.enabled, source.disabled_reason) == (False, "Siden er lagt ned")
    with Session(ctx.engine) as session:  # not in the due round, nor in --all
        assert select_sources(session, clock() + timedelta(days=1)) == []
        assert select_sources(session, clock(), everything=True) == []
    [event] = events(ctx, "source_disable")
    assert (event.actor, event.detail) == (user.email, "Siden er lagt ned")
    assert event.before["enabled"] is True and event.after["enabled"] is False
    page = await client.get(done.headers["location"])
    assert NB["disabled_because"].format(reason="Siden er lagt ned") in page.text
    assert "/sjekk" not in page.text
    check = await client.post(f"{PAGE}/fhi/sjekk", data={"csrf_token": csrf})
    assert check.headers["location"].endswith("error=disabled")
    twice = await client.post(f"{PAGE}/fhi/slaa-av", data={"csrf_token": csrf, "reason": "x"})
    assert twice.headers["location"].endswith("error=already_disabled")

    for form in ({}, {"csrf_token": "feil"}):
        refused = await client.post(f"{PAGE}/fhi/slaa-paa", data=form)
        assert refused.status_code == 403 and not source_of(ctx, "fhi").enabled
    back = await client.post(f"{PAGE}/fhi/slaa-paa", data={"csrf_token": csrf})
    assert back.headers["location"] == f"{PAGE}/fhi?ok=enabled"
    source = source_of(ctx, "fhi")
    assert (source.enabled, source.disabled_reason, source.next_check_at) == (True, None, clock())
    assert len(events(ctx, "source_enable")) == 1


async def test_a_redaktor_cannot_disable_or_enable(ctx: Context, client: httpx.AsyncClient) -> None:
    add_source(ctx, "fhi")
    add_source(ctx, "av", enabled=False, disabled_reason="Test")
    _, csrf = await login(client, ctx, role="redaktor")
    off = await client.post(f"{PAGE}/fhi/slaa-av", data={"csrf_token": csrf, "reason": "x"})
    on = await client.post(f"{PAGE}/av/slaa-paa", data={"csrf_token": csrf})
    assert off.status_code == on.status_code == 403
    assert source_of(ctx, "fhi").enabled and not source_of(ctx, "av").enabled
    assert events(ctx, "source_disable") == events(ctx, "source_enable") == []


async def test_the_source_pages_need_a_session(ctx: Context, client: httpx.AsyncClient) -> None:
    add_source(ctx, "fhi")
    for path in (PAGE, f"{PAGE}/fhi"):
        assert (await client.get(path)).status_code == 303
    answer = await client.post(f"{PAGE}/fhi/slaa-av", data={"reason": "x"})
    assert answer.status_code == 303 and source_of(ctx, "fhi").enabled
