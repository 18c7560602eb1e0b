"""The console's door in a real browser (Chromium via Playwright): set a password from the
setup link, log in, read the audit log, change the password, log out; axe-core finds no
violation on any of these pages, in bokmål and nynorsk, at 360 and 1280 px, and no page
scrolls sideways at 360 px. Skipped like tests/test_browser.py when Chromium is missing.

Screenshots go to ``$NOTIFIER_SCREENSHOTS`` when it is set (for looking at the pages)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from notifier import staff
from notifier.context import Context
from tests.conftest import Clock
from tests.support.browser import serving_app
from tests.support.staff import make_staff
from tests.test_browser import CHROMIUM, axe_violations, sync_api

PASSWORD = "korrekt hest batteri stift"
NEW = "nytt og langt passord 2026"
WIDTHS = (360, 1280)


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, Context]]:
    """The app on a free loopback port (tests.support.browser)."""
    with serving_app(tmp_path, clock) as pair:
        yield pair


def test_the_door_in_a_browser(server: tuple[str, Context]) -> None:
    base, ctx = server
    make_staff(ctx, "admin@fhi.no", "admin", PASSWORD)
    user = make_staff(ctx, "ny@fhi.no", "redaktor", None)
    with Session(ctx.engine, expire_on_commit=False) as session:
        token = staff.issue_setup_token(session, user, ctx.clock(), timedelta(hours=1))
        session.commit()
    shots = os.environ.get("NOTIFIER_SCREENSHOTS")
    checked: dict[str, list[str]] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()

        def check(name: str) -> None:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                key = f"{name} @{width}"
                checked[key] = axe_violations(page)
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > width:
                    checked[key].append(f"scrolls sideways: {wide} px wide")
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    file = f"{name}-{width}.png".replace(" ", "_").replace("(", "").replace(")", "")
                    page.screenshot(path=str(Path(shots) / file), full_page=True)

        def both(name: str) -> None:
            """Check the page in bokmål and nynorsk (the switch in the header)."""
            check(name)
            page.get_by_role("link", name="Nynorsk").click()
            assert page.locator("html").get_attribute("lang") == "nn"
            check(f"{name} (nn)")
            page.get_by_role("link", name="Bokmål").click()
            assert page.locator("html").get_attribute("lang") == "nb"

        # the setup link: a short password first, then a good one
        page.goto(f"{base}/staff/passord/{token}")
        both("setup")
        page.get_by_label("Nytt passord", exact=True).fill("kort")
        page.get_by_label("Gjenta nytt passord").fill("kort")
        page.evaluate("document.querySelectorAll('[minlength]').forEach(e => e.minLength = 0)")
        page.get_by_role("button", name="Lagre passord").click()
        sync_api.expect(page.locator("body")).to_contain_text("Passordet må ha minst 12 tegn.")
        check("setup error")
        page.get_by_label("Nytt passord", exact=True).fill(PASSWORD)
        page.get_by_label("Gjenta nytt passord").fill(PASSWORD)
        page.get_by_role("button", name="Lagre passord").click()
        sync_api.expect(page.locator("body")).to_contain_text("Passordet er satt")
        check("login after setup")

        # a wrong password, then the right one; back where we asked to go
        page.goto(f"{base}/staff/logg")
        assert "/staff/login?neste=/staff/logg" in page.url
        both("login")
        page.get_by_label("E-postadresse").fill("ny@fhi.no")
        page.get_by_label("Passord", exact=True).fill("feil passord 1234")
        page.get_by_role("button", name="Logg inn").click()
        sync_api.expect(page.locator("body")).to_contain_text("Feil e-postadresse eller passord.")
        check("login refused")
        page.get_by_label("Passord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        assert page.url.endswith("/staff/logg")
        assert page.get_by_role("heading", level=1).inner_text() == "Logg over handlinger"
        both("audit")
        page.get_by_label("Vis handling").select_option("login_failed")
        page.get_by_role("button", name="Vis").click()
        assert "Mislykket innlogging" in page.locator("table").inner_text()

        # own password
        page.get_by_role("link", name="Endre passord").click()
        both("password")
        page.get_by_label("Nåværende passord").fill(PASSWORD)
        page.get_by_label("Nytt passord", exact=True).fill(NEW)
        page.get_by_label("Gjenta nytt passord").fill(NEW)
        page.get_by_role("button", name="Lagre passord").click()
        sync_api.expect(page.locator("body")).to_contain_text("Passordet er endret")
        check("password changed")

        # a redaktor on the landing page, then out
        page.goto(f"{base}/staff")
        check("landing")
        page.get_by_role("button", name="Logg ut").click()
        sync_api.expect(page.locator("body")).to_contain_text("Du er logget ut.")
        check("logged out")
        page.goto(f"{base}/staff/passord/{token}")
        assert "ugyldig eller allerede brukt" in page.content()
        check("used link")
        browser.close()
    assert len(checked) >= 30
    assert {name: v for name, v in checked.items() if v} == {}
