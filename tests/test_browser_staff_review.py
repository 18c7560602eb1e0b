"""The review queue in a real browser (Debian's Chromium driven by Playwright): a redaktor logs
in, finds a held change in the queue and approves it, and after dispatch and delivery the
subscriber's inbox (aiosmtpd) has it; retags a third, and the daily digests' recipients and
grouping follow the new subtopics; suppresses another, and nothing more is sent. axe-core
(WCAG 2.1 A/AA and best practice) finds no violations on /staff, a change's page and the
queue, in bokmål and nynorsk. Skipped like tests/test_browser.py when Chromium or Playwright
is missing."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from notifier.context import Context
from notifier.plan import compose_digests, dispatch
from tests.conftest import Clock
from tests.support.browser import deliver_in_thread, serving_app
from tests.support.smtpserver import Inbox
from tests.support.staff import PASSWORD, fast_hasher, make_staff
from tests.test_browser import CHROMIUM, axe_violations
from tests.test_plan import subscribe
from tests.test_staff_review import DIFF, add_change

sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

__all__ = ["fast_hasher"]


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """The login uses cheap argon2 parameters."""


deliver = deliver_in_thread


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, Context]]:
    """The app on a free loopback port (tests.support.browser)."""
    with serving_app(tmp_path, clock) as pair:
        yield pair


def plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def test_review_in_a_browser(
    server: tuple[str, Context], smtp: tuple[Inbox, int], clock: Clock
) -> None:
    base, ctx = server
    inbox, port = smtp
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate")
    subscribe(ctx, "daglig@kommune.no", ["vaksinasjon"], "daily")
    subscribe(ctx, "karantene@kommune.no", ["karantene", "smittesporing"], "daily")
    approved = "Vaksinasjonsveilederen er skrevet om"
    approve_id = add_change(
        ctx, approved, kind="changed", diff=DIFF, status="held", held_reason="most_replaced",
        regions=["4601"], reasons=["vaksinasjon: tittel: «vaksinasjonsveilederen»"],
    )  # fmt: skip
    add_change(ctx, "Feil side publisert", status="held", held_reason="after_outage",
               summary="En side som kom ut ved en feil.")  # fmt: skip
    sent_id = add_change(ctx, "Ny vaksine for eldre", summary="Om vaksine.", urgent=True)
    dispatch(ctx)
    compose_digests(ctx, "daily")
    deliver(ctx, port)
    assert len(inbox.messages) == 2
    clock.advance(days=2)
    user = make_staff(ctx, "redaktor@fhi.no", "redaktor")
    checked: dict[str, list[str]] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()

        def check(name: str) -> None:
            checked[name] = axe_violations(page)

        page.goto(f"{base}/staff/gjennomgang")
        assert "/staff/login" in page.url
        page.get_by_label("E-postadresse").fill(user.email)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{base}/staff/gjennomgang")
        assert page.locator("h1").inner_text() == "Gjennomgang"
        check("queue")

        held = page.locator("article", has=page.get_by_role("heading", name=approved))
        assert "Venter i 2 dager" in held.inner_text()
        assert held.locator(".diff del").inner_text() == "én dose"
        held.get_by_role("button", name="Godkjenn").click()
        page.wait_for_url(f"{base}/staff/gjennomgang?ok=approved")
        assert "Endringen er godkjent" in page.locator(".notice").inner_text()
        check("queue after approving")
        dispatch(ctx)  # the approval dispatched it already (after its response); harmless again
        deliver(ctx, port)
        mails = [m for m in inbox.to("lege@kommune.no") if approved in str(m["Subject"])]
        assert len(mails) == 1

        # a change filed under the wrong subtopic, not sent yet: retagged before the digest
        wrong = "Nærkontakter skal holde seg hjemme i fem dager"
        wrong_id = add_change(
            ctx, wrong, summary="Husstandsmedlemmer og nærkontakter skal holde seg hjemme.",
            reasons=["vaksinasjon: tekst: «vaksinerte»"],
        )  # fmt: skip
        page.goto(f"{base}/staff/endringer/{wrong_id}")
        page.locator("#st-vaksinasjon").uncheck()
        page.locator("#st-karantene").check()
        page.locator("#st-smittesporing").check()
        page.get_by_role("button", name="Lagre merkingen").click()
        page.wait_for_url(f"{base}/staff/endringer/{wrong_id}?ok=retagged")
        assert page.locator("#st-karantene").is_checked()
        assert not page.locator("#st-vaksinasjon").is_checked()
        check("change after retagging")

        page.goto(f"{base}/staff/gjennomgang?ok=approved")
        other = page.locator("article", has=page.get_by_role("heading", name="Feil side publisert"))
        other.get_by_role("button", name="Stans").click()  # the reason is required: not sent
        assert page.url.endswith("?ok=approved")
        other.get_by_label("Grunn (må fylles ut)").fill("Siden kom ut ved en feil")
        other.get_by_role("button", name="Stans").click()
        page.wait_for_url(f"{base}/staff/gjennomgang?ok=suppressed")
        assert "Ingen endringer venter" in page.content()
        before = len(inbox.messages)
        dispatch(ctx)
        compose_digests(ctx, "daily")
        deliver(ctx, port)
        # today's digests: the approved change for the vaccination reader; the retagged one
        # for the quarantine reader only, filed under quarantine; the suppressed one for no one
        assert len(inbox.messages) == before + 2
        assert not [m for m in inbox.messages[before:] if wrong in str(m["Subject"])]
        (vaccination,) = inbox.to("daglig@kommune.no")[-1:]
        text = plain(vaccination)
        assert approved in text and wrong not in text and "Feil side" not in text
        (quarantine,) = inbox.to("karantene@kommune.no")
        text = plain(quarantine)
        assert wrong in text and approved not in text and "Feil side" not in text
        # filed under the first of its new subtopics the reader follows (staff ticked both;
        # the form lists smittesporing before karantene)
        assert text.index("Smittesporing") < text.index(wrong)
        assert "Vaksinasjon" not in text
        assert not [m for m in inbox.to("lege@kommune.no") if wrong in str(m["Subject"])]

        page.goto(f"{base}/staff/gjennomgang?lang=nn")
        assert page.locator("html").get_attribute("lang") == "nn"
        check("queue (nn, empty)")
        page.goto(f"{base}/staff?lang=nb")
        assert page.locator("tbody tr").count() == 4
        check("changes")
        page.get_by_label("Status").select_option("suppressed")
        page.get_by_role("button", name="Vis endringer").click()
        page.wait_for_url("**status=suppressed*")
        sync_api.expect(page.locator("tbody tr")).to_have_count(1)
        check("changes filtered")
        page.goto(f"{base}/staff?lang=nn")
        check("changes (nn)")
        for lang in ("nb", "nn"):
            page.goto(f"{base}/staff/endringer/{approve_id}?lang={lang}")
            check(f"change with diff ({lang})")
            page.goto(f"{base}/staff/endringer/{sent_id}?lang={lang}")
            assert "lege@kommune.no" in page.content()
            check(f"change sent ({lang})")
        page.goto(f"{base}/staff/endringer/{approve_id}?lang=nb")
        page.locator("#title").fill(" ")
        page.locator("#title").evaluate("e => e.removeAttribute('required')")
        page.get_by_role("button", name="Lagre tittel og sammendrag").click()
        assert "Endringen må ha en tittel" in page.content()
        check("change with an error")
        browser.close()
    assert {name: v for name, v in checked.items() if v} == {}
