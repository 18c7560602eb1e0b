"""The console's source health (``/staff/kilder``) through the real app, SQLite and
PostgreSQL: every source with its state and last error in Norwegian words (read from the
errors the check really records), a disabled source shown with its reason and left out of
the due round, a 30-day activity chart as accessible inline SVG with a data table, and the
actions (check now for any staff user; disable with a required reason and enable for
administrators), each audited and refused without a valid csrf_token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
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
    PermanentFetchError,
    SourceProblem,
    TransientFetchError,
)
from feeds.fetch import HostPaused, PermanentStatusError, TransientStatusError
from feeds.models import Snapshot, Source
from feeds.robots import RobotsDisallowed, RobotsUnavailable
from feeds.store import select_sources
from notifier import source_admin as sa
from notifier.context import Context
from notifier.models import AuditEvent
from notifier.web.svg import Series, bar_chart
from notifier.web.texts_sources import NB, NN
from tests.conftest import Clock
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
    (SourceProblem("the content selector 'main' matched nothing: the page"), "err_selector"),
    (SourceProblem("the feed is not well-formed XML: junk"), "err_feed_xml"),
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


async def test_the_activity_chart_and_its_table(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    store_change(ctx, 1, "Første", source_key="fhi")
    store_change(ctx, 2, "Andre", source_key="fhi")
    clock.advance(days=-3)
    store_change(ctx, 3, "Eldre", source_key="fhi")
    clock.advance(days=-40)
    store_change(ctx, 4, "For gammel", source_key="fhi")
    clock.advance(days=43)
    with Session(ctx.engine) as session:
        source = session.exec(select(Source).where(Source.key == "fhi")).one()
        source.last_checked_at, source.last_outcome = clock(), "error"
        session.add(source)
        session.commit()
        assert len(session.exec(select(Snapshot)).all()) == 4
    await login(client, ctx)
    page = await client.get(f"{PAGE}/fhi")
    assert page.status_code == 200
    tree = parse(page.text)
    [svg] = tree.xpath("//svg")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "aktivitet-title aktivitet-desc"
    assert tree.xpath("//svg/title")[0].text_content() == NB["chart_title"].format(name="FHI")
    desc = str(tree.xpath("//svg/desc")[0].text_content())
    assert "3 endringer og 3 nye versjoner" in desc
    assert not tree.xpath(
        "//svg//*[@href or @xlink:href]", namespaces={"xlink": "http://www.w3.org/1999/xlink"}
    )
    rows = [
        [str(td.text_content()) for td in tr.xpath("td")]
        for tr in tree.xpath("//details//tbody/tr")
    ]
    assert len(rows) == 30
    assert rows[-1] == ["23.11.2026", "2", "2", NB["last_check_failed"]]
    assert rows[-4] == ["20.11.2026", "1", "1", ""]
    assert sum(int(r[1]) for r in rows) == 3
    missing = await client.get(f"{PAGE}/finnes-ikke")
    assert missing.status_code == 404 and NB["err_missing"] in missing.text


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
