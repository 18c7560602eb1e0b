"""The subscriber pages in a real browser (Debian's Chromium driven by Playwright): an admin logs
in, searches, opens a subscriber, uploads a CSV, reads the preview and applies it, and erases a
subscriber with the confirmation box ticked. axe-core (WCAG 2.1 A/AA and best practice) finds no
violations on the list, a subscriber's page, the upload form and the import preview, in bokmål
and nynorsk, at 1280 and 360 px; at 360 px no page scrolls sideways. With
``NOTIFIER_SCREENSHOTS=<dir>`` each page is also saved as a PNG there. Skipped like
tests/test_browser.py when Chromium or Playwright is missing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.outbox import enqueue
from subscribers.service import add_subscriber, find_subscriber
from subscribers.suppression import ERASED, record_hard_bounce, suppress
from tests.conftest import Clock
from tests.support.browser import serving_app
from tests.support.staff import PASSWORD, fast_hasher, make_staff
from tests.test_browser import CHROMIUM, axe_violations

sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

__all__ = ["fast_hasher"]

CSV = (
    "email,name,role,region,subtopics,cadence,office\n"
    "ny@kommune.no,Nina Ny,kommunelege,4601,vaksinasjon;testing:weekly,daily,\n"
    "lege@bergen.kommune.no,,kommunelege,,vaksinasjon,immediate,\n"
    "feil-adresse,X,annen,,testing,daily,\n"
    "slettet@kommune.no,S,annen,,testing,daily,\n"
)


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """The login uses cheap argon2 parameters."""


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, Context]]:
    """The app on a free loopback port (tests.support.browser)."""
    with serving_app(tmp_path, clock) as pair:
        yield pair


def people(ctx: Context, clock: Clock) -> int:
    """A few subscribers with everything the pages show; returns the id of the first."""
    slugs = ctx.taxonomy.slugs()
    with Session(ctx.engine) as session:
        first = add_subscriber(
            session, "lege@bergen.kommune.no", role="kommunelege", name="Kari Lege",
            subtopics=["vaksinasjon", "testing"], cadence="daily", known_subtopics=slugs,
            region="4601",
        )  # fmt: skip
        add_subscriber(session, "fylke@vestland.no", role="kommunikasjon", region="46",
                       subtopics=["vaksinasjon"], cadence="weekly", known_subtopics=slugs)  # fmt: skip
        bounced = add_subscriber(session, "retur@kommune.no", role="annen",
                                 subtopics=["testing"], cadence="immediate",
                                 known_subtopics=slugs)  # fmt: skip
        session.flush()
        assert first.id is not None and bounced.id is not None
        for number, status in enumerate(("sent", "pending", "failed")):
            message = OutgoingMessage(
                "lege@bergen.kommune.no", f"Varsel nummer {number} om vaksinasjon", "t",
                "<p>t</p>", f"browser-subscribers:{number}", {},
            )  # fmt: skip
            row = enqueue(session, message, kind="alert", subscriber_id=first.id, now=clock())
            assert row is not None
            row.status = status
            row.sent_at = clock() if status == "sent" else None
        assert record_hard_bounce(session, bounced.id, clock(), threshold=1)
        suppress(session, "slettet@kommune.no", ERASED, clock())
        session.commit()
        return first.id


def test_subscriber_pages_in_a_browser(server: tuple[str, Context], clock: Clock) -> None:
    base, ctx = server
    sid = people(ctx, clock)
    user = make_staff(ctx, "admin@fhi.no", "admin")
    shots = os.environ.get("NOTIFIER_SCREENSHOTS")
    checked: dict[str, list[str]] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def check(name: str) -> None:
            """axe at 1280 px and at 360 px; no sideways scrolling at 360 px."""
            for width in (1280, 360):
                page.set_viewport_size({"width": width, "height": 900})
                checked[f"{name} {width}"] = axe_violations(page)
                wide = page.evaluate(
                    "document.documentElement.scrollWidth > document.documentElement.clientWidth"
                )
                assert not wide, f"{name} scrolls sideways at {width} px"
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{shots}/{name.replace(' ', '_')}_{width}.png",
                                    full_page=True)  # fmt: skip
            page.set_viewport_size({"width": 1280, "height": 900})

        page.goto(f"{base}/staff/abonnenter")
        assert "/staff/login" in page.url
        page.get_by_label("E-postadresse").fill(user.email)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{base}/staff/abonnenter")
        assert page.locator("h1").inner_text() == "Abonnenter"
        assert "ja (avvist)" in page.content()
        check("list nb")

        page.get_by_label("Kommune eller fylke").fill("Vestland")
        page.get_by_role("button", name="Søk").click()
        page.wait_for_url(f"{base}/staff/abonnenter?q=&sted=Vestland")
        rows = page.locator("table.list tbody tr")
        assert rows.count() == 2
        page.get_by_role("link", name="lege@bergen.kommune.no").click()
        page.wait_for_url(f"{base}/staff/abonnenter/{sid}")
        assert "Varsel nummer 0 om vaksinasjon" in page.content()
        check("subscriber nb")

        # erasing needs the box ticked (the browser's own check, then the server's)
        page.get_by_role("button", name="Slett abonnenten").click()
        assert page.url == f"{base}/staff/abonnenter/{sid}"

        page.goto(f"{base}/staff/abonnenter/import")
        check("import nb")
        page.get_by_label("CSV-fil").set_input_files(
            files=[{"name": "liste.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
        )
        page.get_by_role("button", name="Forhåndsvis").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Forhåndsvisning av import"
        text = page.content()
        assert "Ugyldig e-postadresse «feil-adresse»." in text
        assert "Personen har bedt om å bli slettet (slettet)." in text
        check("preview nb")
        with Session(ctx.engine) as session:
            assert find_subscriber(session, "ny@kommune.no") is None
        page.get_by_role("button", name="Bruk filen").click()
        page.wait_for_url(f"{base}/staff/abonnenter/import?ok=importert*")
        assert "1 nye, 1 endret, 0 uendret, 1 avvist, 1 hoppet over" in page.inner_text(".notice")
        with Session(ctx.engine) as session:
            assert find_subscriber(session, "ny@kommune.no") is not None

        # nynorsk
        page.goto(f"{base}/staff/abonnenter?lang=nn")
        assert page.locator("h1").inner_text() == "Abonnentar"
        check("list nn")
        page.goto(f"{base}/staff/abonnenter/{sid}")
        assert "Siste meldingar" in page.content()
        check("subscriber nn")
        page.goto(f"{base}/staff/abonnenter/import")
        check("import nn")
        page.get_by_label("CSV-fil").set_input_files(
            files=[{"name": "liste.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
        )
        page.get_by_role("button", name="Førehandsvis").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Førehandsvising av import"
        check("preview nn")

        # erasure, ticked
        page.goto(f"{base}/staff/abonnenter/{sid}?lang=nb")
        page.get_by_label("Jeg bekrefter at personen har bedt om å bli slettet").check()
        page.get_by_role("button", name="Slett abonnenten").click()
        page.wait_for_url(f"{base}/staff/abonnenter?ok=slettet")
        assert "Abonnenten er slettet." in page.inner_text(".notice")
        assert "lege@bergen.kommune.no" not in page.content()
        check("list after erasure nb")
        browser.close()
    bad: dict[str, Any] = {name: found for name, found in checked.items() if found}
    assert not bad, bad
    assert len(checked) == 18
