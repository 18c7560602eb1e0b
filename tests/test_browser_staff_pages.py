"""The console's preview, outbox and source pages in a real browser (Debian's Chromium driven by
Playwright): an administrator logs in, finds a subscriber and previews the daily digest (the
HTML in a sandboxed frame), describes a segment, sends a test to themselves (it arrives in
aiosmtpd marked [TEST]), cancels and retries messages, and checks and disables a source.
axe-core (WCAG 2.1 A/AA and best practice) finds no violations on every page, the frame's page
included, in bokmål and nynorsk, and no page scrolls sideways at 360 px. Skipped like
tests/test_browser.py when Chromium or Playwright is missing.

Set NOTIFIER_SCREENSHOTS=<dir> to keep a screenshot of every page (360 and 1280 px)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from feeds.store.models import Source
from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.outbox import Delivery, enqueue
from subscribers.models import Subscriber
from tests.conftest import Clock
from tests.support.browser import deliver_in_thread, serving_app
from tests.support.outbox import store_change
from tests.support.smtpserver import Inbox
from tests.support.staff import PASSWORD, fast_hasher, make_staff
from tests.test_browser import CHROMIUM, PAGE_ONLY_RULES, axe_violations
from tests.test_plan import subscribe

sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

__all__ = ["fast_hasher"]
SHOTS = os.environ.get("NOTIFIER_SCREENSHOTS")


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """The login uses cheap argon2 parameters."""


deliver = deliver_in_thread


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, Context]]:
    """The app on a free loopback port (tests.support.browser)."""
    with serving_app(tmp_path, clock) as pair:
        yield pair


def seed(ctx: Context, clock: Clock) -> None:
    """A subscriber with two changes due, sources in three states, messages in four."""
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "daily")
    with Session(ctx.engine) as session:
        sub = session.exec(select(Subscriber).where(Subscriber.email == "lege@kommune.no")).one()
        sub.name, sub.region = "Kari Nordmann", "1103"
        session.add(sub)
        session.commit()
    store_change(ctx, 1, "Ny veileder for vaksinasjon av eldre", summary="Gjelder fra 1. desember.")
    store_change(ctx, 2, "Endret råd om influensavaksine", source_key="fhi")
    with Session(ctx.engine) as session:
        fhi = session.exec(select(Source).where(Source.key == "fhi")).one()
        fhi.name, fhi.authority, fhi.kind = "FHI: Vaksinasjonsveilederen", "fhi", "page"
        fhi.last_checked_at, fhi.last_outcome, fhi.consecutive_errors = clock(), "error", 4
        fhi.last_error = "PermanentStatusError: https://fhi.no/vaksine answered HTTP 404"
        fhi.next_check_at = clock() + timedelta(minutes=30)
        session.add(fhi)
        session.add(
            Source(
                key="lovdata-forskrift", kind="feed", url="https://lovdata.no/rss",
                authority="lovdata", name="Lovdata: nye forskrifter", enabled=False,
                disabled_reason="Strømmen er lagt ned; venter på ny adresse",
            )
        )  # fmt: skip
        now = clock()
        for key, to, state in (
            ("a", "sendt@kommune.no", {"status": "sent", "attempts": 1, "sent_at": now}),
            ("b", "venter@kommune.no", {}),
            ("c", "feil@kommune.no", {"status": "failed", "failure": "gave_up", "attempts": 8,
                                      "last_error": "SMTP 421: 4.7.0 Try again later"}),
            ("d", "avvist@kommune.no", {"status": "failed", "failure": "bounce", "attempts": 1,
                                        "last_error": "SMTP 550: 5.1.1 <adresse> unknown"}),
        ):  # fmt: skip
            message = OutgoingMessage(to, f"Helsevarsel {key}", "tekst", "<p>html</p>", key)
            row = enqueue(session, message, kind="digest", subscriber_id=None, now=now)
            assert row is not None
            for name, value in state.items():
                setattr(row, name, value)
            session.add(row)
        session.commit()


def test_preview_outbox_and_sources_in_a_browser(
    server: tuple[str, Context], smtp: tuple[Inbox, int], clock: Clock
) -> None:
    base, ctx = server
    inbox, port = smtp
    seed(ctx, clock)
    user = make_staff(ctx, "admin@fhi.no", "admin")
    checked: dict[str, list[str]] = {}
    wide: dict[str, int] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def check(name: str, skip: tuple[str, ...] = (), follows_lang: bool = True) -> None:
            """axe in both languages, and the page at 360 px without sideways scrolling (a
            mail keeps its recipient's language whatever the page's)."""
            url = page.url
            for lang in ("nb", "nn"):
                page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
                if follows_lang:
                    assert page.locator("html").get_attribute("lang") == lang
                checked[f"{name} ({lang})"] = axe_violations(page, skip)
                for width in (1280, 360):
                    page.set_viewport_size({"width": width, "height": 900})
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                    )
                    if overflow > 0:
                        wide[f"{name} ({lang}, {width} px)"] = overflow
                    if SHOTS:
                        Path(SHOTS).mkdir(parents=True, exist_ok=True)
                        target = Path(SHOTS) / f"{name.replace(' ', '_')}-{lang}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(url + ("&" if "?" in url else "?") + "lang=nb")

        page.goto(f"{base}/staff/forhandsvisning")
        assert "/staff/login" in page.url
        page.get_by_label("E-postadresse").fill(user.email)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{base}/staff/forhandsvisning")
        assert page.locator("h1").inner_text() == "Forhåndsvisning"
        check("preview")

        # find the subscriber, preview the daily digest
        page.get_by_label("Søk etter e-postadresse, navn eller kommune").fill("stavanger")
        page.get_by_role("button", name="Søk").click()
        assert page.locator("table td").first.inner_text() == "lege@kommune.no"
        check("preview search")
        page.get_by_role("link", name="Daglig sammendrag – lege@kommune.no").click()
        frame = page.frame_locator("iframe.preview-frame")
        assert frame.get_by_role("link", name="Endret råd om influensavaksine").is_visible()
        assert "Hei Kari Nordmann" in page.locator("pre.mailtext").inner_text()
        check("preview subscriber")
        if SHOTS:  # the frame as the page shows it (a full-page shot may leave it unpainted)
            page.locator("iframe.preview-frame").scroll_into_view_if_needed()
            page.locator("iframe.preview-frame").screenshot(path=f"{SHOTS}/preview_in_frame.png")
        frame_url = page.locator("iframe.preview-frame").get_attribute("src")
        assert frame_url is not None

        # send a test to me
        page.get_by_role("button", name="Send en test til meg").click()
        assert "Testen er lagt i utboksen til admin@fhi.no" in page.locator(".notice").inner_text()
        check("preview test sent")

        # the frame's own page (the mail; a mail, not a page, so the page rules do not apply).
        # Its policy runs no script, axe's included: checked in a context that bypasses it.
        main_page = page
        bypass = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        bypass.add_cookies(page.context.cookies())
        page = bypass.new_page()
        page.goto(base + frame_url)
        assert page.get_by_role("link", name="Endret råd om influensavaksine").is_visible()
        check("preview frame", PAGE_ONLY_RULES, follows_lang=False)
        bypass.close()
        page = main_page

        # a segment
        page.goto(f"{base}/staff/forhandsvisning")
        page.get_by_label("Rolle").select_option("statsforvalter")
        page.get_by_label("Kommune eller fylke").select_option("11")
        page.get_by_label("Hyppighet").select_option("weekly")
        page.get_by_label("Språk i e-posten").select_option("nn")
        page.get_by_label("Vaksinasjon", exact=True).check()
        page.get_by_role("button", name="Vis forhåndsvisning").click()
        sync_api.expect(page.locator("body")).to_contain_text(
            "Neste melding til segmentet: Ukentlig sammendrag"
        )
        assert (
            page.frame_locator("iframe.preview-frame").locator("html").get_attribute("lang") == "nn"
        )
        check("preview segment")

        # the outbox: cancel the waiting message, retry the failed one
        page.goto(f"{base}/staff/utboks")
        assert "Vi ga opp etter 8 forsøk med midlertidige feil." in page.content()
        check("outbox")
        row = page.locator("tr", has_text="venter@kommune.no")
        row.get_by_role("button", name="Avbryt sending").click()
        assert "Meldingen er avbrutt" in page.locator(".notice").inner_text()
        row = page.locator("tr", has_text="feil@kommune.no")
        row.get_by_role("button", name="Prøv igjen").click()
        assert "lagt i kø igjen" in page.locator(".notice").inner_text()
        page.get_by_label("Status", exact=True).select_option("failed")
        page.get_by_role("button", name="Vis", exact=True).click()
        # a click does not wait for the page it opens (this raced once in CI: 0 rows)
        page.wait_for_url("**status=failed*")
        sync_api.expect(page.locator("tbody tr")).to_have_count(1)
        check("outbox failed")

        # sources
        page.goto(f"{base}/staff/kilder")
        assert "Nettstedet svarte med en feil (HTTP 404)" in page.content()
        assert "Strømmen er lagt ned" in page.content()
        check("sources")
        page.get_by_role("link", name="FHI: Vaksinasjonsveilederen").click()
        sync_api.expect(page.locator("svg[role=img] title")).to_have_count(2)  # checks, changes
        check("source")
        page.get_by_role("button", name="Sjekk nå").click()
        assert "sjekkes i neste runde" in page.locator(".notice").inner_text()
        page.get_by_label("Hvorfor slås kilden av?").fill("Siden er flyttet")
        page.get_by_role("button", name="Slå av").click()
        sync_api.expect(page.locator("body")).to_contain_text("Slått av: Siden er flyttet")
        check("source disabled")
        browser.close()

    assert {name: v for name, v in checked.items() if v} == {}
    assert wide == {}
    deliver(ctx, port)
    [test] = inbox.to("admin@fhi.no")
    assert test["Subject"].startswith("[TEST] Helsevarsel ")
    with Session(ctx.engine) as session:
        statuses = {d.to_address: d.status for d in session.exec(select(Delivery))}
        fhi = session.exec(select(Source).where(Source.key == "fhi")).one()
    assert statuses["venter@kommune.no"] == "cancelled"
    assert statuses["feil@kommune.no"] == "sent" and statuses["admin@fhi.no"] == "sent"
    assert "lege@kommune.no" not in statuses  # a preview and a test store nothing for them
    assert (fhi.enabled, fhi.disabled_reason) == (False, "Siden er flyttet")
