"""The console's outbox with push rows in a real browser (Chromium via Playwright): a Web Push
and an Apprise row show the person's address, the channel in Norwegian and the target masked,
with no axe-core violations in bokmål and nynorsk and no sideways scrolling at 360 px.
Skipped like tests/test_browser.py when Chromium or Playwright is missing.

Set NOTIFIER_SCREENSHOTS=<dir> to keep a screenshot of the page (360 and 1280 px)."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.outbox import enqueue
from subscribers import push, targets
from subscribers.service import find_subscriber
from tests.conftest import Clock
from tests.support.browser import serving_app
from tests.support.staff import PASSWORD, fast_hasher, make_staff
from tests.test_browser import CHROMIUM, axe_violations
from tests.test_plan import subscribe

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn")

__all__ = ["fast_hasher"]
SHOTS = os.environ.get("NOTIFIER_SCREENSHOTS")


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """The login uses cheap argon2 parameters."""


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, Context]]:
    with serving_app(tmp_path, clock) as pair:
        yield pair


def seed(ctx: Context) -> None:
    subscribe(ctx, "statsforvalter.rogaland@statsforvalteren.no", ["vaksinasjon"], "immediate")
    with Session(ctx.engine) as session:
        person = find_subscriber(session, "statsforvalter.rogaland@statsforvalteren.no")
        assert person is not None and person.id is not None
        sid = person.id
        key = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode().rstrip("=")
        auth = base64.urlsafe_b64encode(b"\x02" * 16).decode().rstrip("=")
        push.add(session, sid, "https://push.example.no/e/1", key, auth, ctx.clock())
        for url in (
            "jsons://hook.statsforvalteren.no/hemmelig-token",
            "slack://T1JJ3T3L2/A1BRTD4JD/hemmeligOXrIdevi7FQ",
        ):
            targets.add(session, sid, targets.parse(url), b"k", ctx.clock())
        for channel, error in (
            ("webpush", "push service 410: subscription gone"),
            ("apprise", "jsons://hook.statsforvalteren.no/…: the target did not accept the message"),
        ):  # fmt: skip
            message = OutgoingMessage(
                f"subscriber:{sid}", f"Haster: endret smittevernforskrift ({channel})", "kort",
                "", f"k-{channel}",
            )  # fmt: skip
            row = enqueue(
                session, message, kind="alert", subscriber_id=sid, now=ctx.clock(),
                channel=channel,
            )  # fmt: skip
            assert row is not None
            row.status, row.failure, row.attempts, row.last_error = "failed", "refused", 1, error
            session.add(row)
        session.commit()


def test_push_rows_in_the_outbox(server: tuple[str, Context], clock: Clock) -> None:
    base, ctx = server
    seed(ctx)
    user = make_staff(ctx, "admin@fhi.no", "admin")
    found: dict[str, list[str]] = {}
    wide: dict[str, int] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/staff/utboks")
        page.get_by_label("E-postadresse").fill(user.email)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{base}/staff/utboks")
        for lang in ("nb", "nn"):
            page.goto(f"{base}/staff/utboks?lang={lang}")
            found[lang] = axe_violations(page)
            text = page.content()
            assert "hemmelig" not in text and "subscriber:" not in text
            for width in (1280, 360):
                page.set_viewport_size({"width": width, "height": 900})
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    wide[f"{lang} {width}"] = overflow
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(
                        path=str(Path(SHOTS) / f"outbox-push-{lang}-{width}.png"), full_page=True
                    )
            page.set_viewport_size({"width": 1280, "height": 900})
        row = page.locator("tr", has_text="(apprise)")
        assert "Varslingskanal (Apprise)" in row.inner_text()
        assert "jsons://hook.statsforvalteren.no/…" in row.inner_text()
        assert "slack://…" in row.inner_text()
        assert "statsforvalter.rogaland@statsforvalteren.no" in row.inner_text()
        browser.close()
    assert {lang: v for lang, v in found.items() if v} == {}
    assert wide == {}
