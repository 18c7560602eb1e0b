"""A real browser (Debian's Chromium driven by Playwright) fills in the sign-up form, follows
the confirmation link, and checks every subscriber page with axe-core (WCAG 2.1 A/AA and
best practice): no violations allowed. Every kind of HTML mail, rendered by the code that sends
it, is loaded into a page and checked with the same rules. Skipped with the reason when Chromium or Playwright is
missing (``.ci/run`` installs Chromium with apt when it can)."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from feeds.detect.diff import word_diff
from feeds.store.models import Change, Source
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.digest import ChangeView, Recipient, compose
from notifier.operators import failures_message, held_message, operator_message
from notifier.outbox import Delivery
from notifier.web.links import attach, load_secret
from subscribers.tokens import CONFIRM, MANAGE, sign
from tests.conftest import Clock, make_settings
from tests.support.browser import serving_app

CHROMIUM = "/usr/bin/chromium"

if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
    pytest.skip(
        "Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
axe_base = pytest.importorskip(
    "axe_playwright_python.base", reason="axe-playwright-python (axe.min.js) is not installed"
)
uvicorn = pytest.importorskip("uvicorn")

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[tuple[str, Context]]:
    """The app on a free loopback port (tests.support.browser)."""
    with serving_app(tmp_path, clock, http_base=False) as pair:
        yield pair


#: Rules about a whole page's landmarks: a mail is shown inside the mail program's own page,
#: which has its main landmark already, so a mail is one ``role="article"`` instead (the Email
#: Markup Consortium's advice) and these rules do not apply to it.
PAGE_ONLY_RULES = ("landmark-one-main", "region", "page-has-heading-one")


def axe_violations(page: Any, skip: tuple[str, ...] = ()) -> list[str]:
    page.evaluate(axe_base.AXE_SCRIPT)
    result = page.evaluate(
        """([tags, skip]) => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            rules: Object.fromEntries(skip.map(id => [id, {enabled: false}])),
        })""",
        [AXE_TAGS, list(skip)],
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


def latest_link(ctx: Context, path: str) -> str:
    """The ``path`` link of the newest mail holding one; waits a little, because a sign-up's
    mail is queued after its answer has been sent (``notifier.web.routes.selfservice``)."""
    for _ in range(50):
        with Session(ctx.engine) as session:
            rows = session.exec(select(Delivery).order_by(Delivery.id.desc())).all()  # type: ignore[union-attr]
        for row in rows:
            found = re.search(
                re.escape(ctx.settings.base_url) + "(" + path + r"[^\s]+)", row.body_text
            )
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail with a {path} link")


def test_sign_up_in_a_browser_and_every_page_passes_axe(server: tuple[str, Context]) -> None:
    base, ctx = server
    checked: dict[str, list[str]] = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()

        def check(name: str) -> None:
            checked[name] = axe_violations(page)

        page.goto(f"{base}/abonner")
        check("subscribe")
        page.goto(f"{base}/abonner?lang=nn")
        assert page.locator("html").get_attribute("lang") == "nn"
        check("subscribe (nn)")
        page.goto(f"{base}/abonner?lang=nb")
        page.get_by_label("E-postadresse").fill("ikke-en-adresse")
        page.get_by_role("button", name="Abonner").click()
        assert page.locator(".error-summary").is_visible()
        check("errors")
        page.get_by_label("E-postadresse").fill("lege@kommune.no")
        page.get_by_label("Navn (valgfritt)").fill("Kari Nordmann")
        page.get_by_label("Kommune eller fylke").select_option("1103")
        page.get_by_label("Vaksinasjon").select_option("daily")
        page.get_by_role("button", name="Abonner").click()
        sync_api.expect(page.locator("body")).to_contain_text("Sjekk e-posten din")
        check("check your mail")

        page.goto(base + latest_link(ctx, "/bekreft/"))
        check("confirm")
        page.get_by_role("button", name="Bekreft").click()
        sync_api.expect(page.locator("body")).to_contain_text("Abonnementet er bekreftet")
        check("confirmed")
        page.get_by_role("link", name="Innstillingene dine").click()
        assert page.get_by_role("combobox", name="Vaksinasjon").input_value() == "daily"
        check("preferences")
        prefs = page.url
        page.goto(prefs + "/slett")
        check("erase")
        unsub = prefs.replace("/innstillinger/", "/u/")
        page.goto(unsub)
        check("bad link")
        page.goto(f"{base}/")
        check("index")
        browser.close()
    assert len(checked) == 10
    assert {name: v for name, v in checked.items() if v} == {}


# The HTML mails: rendered by the very code sending uses, loaded into a page, checked by axe.

MAIL_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
BEFORE = (
    "Personer over 65 år og personer i risikogrupper anbefales en oppfriskningsdose av "
    "koronavaksine før vinteren. Vaksinen kan settes samtidig med influensavaksinen. "
    "Kommunene organiserer vaksinasjonen og gir informasjon om tid og sted på sine nettsider. "
    "Helsepersonell med pasientnær kontakt bør også vaksineres."
)
AFTER = (
    "Personer over 75 år, beboere i sykehjem og personer i risikogrupper anbefales en "
    "oppfriskningsdose av koronavaksine før vinteren. Vaksinen kan settes samtidig med "
    "influensavaksinen. Kommunene organiserer vaksinasjonen og gir informasjon om tid og sted "
    "på sine nettsider."
)


def change_view(
    id: int,
    title: str,
    kind: str,
    subtopics: tuple[str, ...],
    urgent: bool = False,
    story_update: bool = False,
) -> ChangeView:
    segments = word_diff(BEFORE, AFTER) if kind == "changed" else ()
    return ChangeView(
        id=id, source_name="FHI: Koronavaksinasjonsprogrammet", authority="fhi", title=title,
        url=f"https://www.fhi.no/va/koronavaksinasjonsprogrammet/{id}", kind=kind,
        section=("Hvem anbefales vaksine",) if kind != "new" else (),
        summary="" if kind == "changed" else f"{title}. {BEFORE}", segments=segments,
        detected_at=MAIL_NOW, subtopics=subtopics, urgent=urgent, story_update=story_update,
    )  # fmt: skip


def digest_mail(ctx: Context, cadence: str, language: str) -> str:
    changes = [
        change_view(1, "Hvem anbefales vaksine", "changed", ("vaksinasjon",)),
        change_view(
            2,
            "Ny veileder for testing i kommunene",
            "new",
            ("testing", "vaksinasjon"),
            story_update=True,
        ),
        change_view(3, "Smittesporing: nytt avsnitt om utbrudd", "added", ("smittesporing",)),
        change_view(4, "Karantene for reisende", "removed", ("karantene",), urgent=True),
    ]
    if cadence == "immediate":
        changes = changes[3:] + changes[:1]
    digest = compose(
        Recipient(7, "lege@kommune.no", "Kari Nordmann", language), cadence,
        {"daily": "2026-11-23", "weekly": "2026-W48"}.get(cadence, "s42"), changes,
        ["vaksinasjon", "testing", "smittesporing", "karantene"], ctx.labels(),
    )  # fmt: skip
    assert digest is not None
    attach(ctx)
    message = ctx.renderer.render(digest, MAIL_NOW)
    assert message.html is not None and "<del" in message.html and "<ins" in message.html
    return message.html


def link_mail(ctx: Context, kind: str, language: str) -> str:
    secret = load_secret(ctx)
    purpose, path = (CONFIRM, "bekreft") if kind == "confirm" else (MANAGE, "innstillinger")
    url = f"{ctx.settings.base_url}/{path}/{sign(secret, purpose, 7, 0, MAIL_NOW)}"
    recipient = Recipient(7, "lege@kommune.no", "Kari Nordmann", language)
    message = ctx.renderer.render_link_mail(recipient, kind, url, f"{kind}:7:1")
    assert message.html is not None
    return message.html


def operator_mail(ctx: Context) -> str:
    source = Source(
        key="fhi-nyheter", kind="feed", url="https://www.fhi.no/rss/", authority="fhi",
        name="FHI: nyheter", consecutive_errors=5, last_success_at=MAIL_NOW,
        last_error="TransientFetchError: https://www.fhi.no/rss/ answered HTTP 503",
    )  # fmt: skip
    message = operator_message(ctx, source)
    assert message.html is not None
    return message.html


def failures_mail(ctx: Context) -> str:
    rows = [
        Delivery(
            id=n, idempotency_key=f"k{n}", kind="digest", to_address="lege@kommune.no",
            subject="", body_text="", body_html="", status="failed", attempts=8,
            failure=failure, last_error="SMTP 451: 4.3.0 Try again later <adresse>",
        )
        for n, failure in ((11, "gave_up"), (12, "gave_up"), (13, "invalid"))
    ]  # fmt: skip
    return failures_message(ctx, rows).html


def held_mail(ctx: Context) -> str:
    changes = [
        Change(
            id=n, source_id=1, snapshot_id=1, fingerprint=f"f{n}", kind="changed", title=title,
            url="https://www.fhi.no/x", detected_at=MAIL_NOW, held_at=MAIL_NOW,
            held_reason=reason, status="held",
        )
        for n, title, reason in (
            (21, "Smittevernveilederen: kapittel om testing skrevet om", "most_replaced"),
            (22, "FHI: nyheter", "feed_replaced"),
        )
    ]  # fmt: skip
    return held_message(ctx, changes, {1: "FHI: Smittevernveilederen"}).html


MAILS: dict[str, Callable[[Context], str]] = {
    "daily digest": lambda ctx: digest_mail(ctx, "daily", "nb"),
    "daily digest (nn)": lambda ctx: digest_mail(ctx, "daily", "nn"),
    "weekly digest": lambda ctx: digest_mail(ctx, "weekly", "nb"),
    "immediate alert": lambda ctx: digest_mail(ctx, "immediate", "nb"),
    "immediate alert (nn)": lambda ctx: digest_mail(ctx, "immediate", "nn"),
    "confirmation": lambda ctx: link_mail(ctx, "confirm", "nb"),
    "confirmation (nn)": lambda ctx: link_mail(ctx, "confirm", "nn"),
    "preferences link": lambda ctx: link_mail(ctx, "manage", "nb"),
    "preferences link (nn)": lambda ctx: link_mail(ctx, "manage", "nn"),
    "operator": operator_mail,
    "operator: failed deliveries": failures_mail,
    "operator: held changes": held_mail,
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.mark.parametrize("name", list(MAILS))
def test_every_html_mail_passes_axe(name: str, browser: Any, tmp_path: Path, clock: Clock) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'mail.db'}", tmp_path)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    ctx = Context(settings=settings, engine=engine, clock=clock)
    html = MAILS[name](ctx)
    engine.dispose()
    page = browser.new_page()
    page.set_content(html)
    assert page.title()
    expected = "nn" if name.endswith("(nn)") else "nb"
    assert page.locator("html").get_attribute("lang") == expected
    if page.locator("ins").count():  # a word diff: not told by colour alone (WCAG 1.4.1)
        style = "e => getComputedStyle(e).textDecorationLine"
        assert page.locator("del").first.evaluate(style) == "line-through"
        assert page.locator("ins").first.evaluate(style) == "underline"
    assert page.locator("[role=article][aria-roledescription]").count() == 1
    violations = axe_violations(page, skip=PAGE_ONLY_RULES)
    page.close()
    assert not violations, "\n".join(violations)


# The public site: the change log, a change page and the front page, in both languages, on a
# phone (360 px) and a desktop (1280 px): axe-clean, no sideways scrolling, print style.

SCREENSHOTS = "NOTIFIER_TEST_SCREENSHOTS"  # a directory to keep the screenshots in (optional)


def seed_public(ctx: Context) -> dict[str, int]:
    from tests.support.changelog import add

    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    long_word = "Folkehelseinstituttets-smittevernveileder-for-kommunehelsetjenesten-kapittel-14"
    before = "Kommunelegen skal melde utbrudd til FHI innen en uke. " * 3
    after = "Kommunelegen skal melde utbrudd til FHI straks, og senest innen ett døgn. " * 3
    e = ctx.engine
    for i in range(30, 0, -1):  # older first: ids follow the time of detection
        add(e, f"Oppdatert råd nummer {i}", t0 - timedelta(days=i), subtopics=["testing"])
    ids = {
        "vaksine": add(e, "Nye råd om influensavaksine for eldre og risikogrupper", t0,
                       subtopics=["vaksinasjon", "sykehjem_hjemmetjenester"], regions=["46", "4601"],
                       summary="Alle over 65 år og personer i risikogrupper bør ta vaksinen. " * 4,
                       story_key="s1"),
        "fjernet": add(e, "Veileder for smittesporing trukket tilbake", t0 + timedelta(hours=5),
                       kind="removed", authority="helsedirektoratet", before=before),
    }  # fmt: skip
    ids["lov"] = add(
        e, f"Endring i smittevernloven § 2-1 om meldeplikt ({long_word})", t0 + timedelta(days=1),
        authority="regjeringen", subtopics=["forskrifter_regelverk", "overvaking_utbrudd"],
        urgent=True, kind="changed", section=["Kapittel 2", "§ 2-1 Meldeplikt", long_word],
        before=before, after=after, diff=[list(s) for s in word_diff(before, after)],
        story_key="s1", url=f"https://regjeringen.example.no/{long_word}/{long_word}",
    )  # fmt: skip
    return ids


# one test per language: two halves of ~30 s that two test processes can share
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_public_pages_in_both_languages_on_phone_and_desktop(
    server: tuple[str, Context], browser: Any, tmp_path: Path, lang: str
) -> None:
    import os

    base, ctx = server
    ids = seed_public(ctx)
    shots = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    pages = {
        "front": "/",
        "log": "/endringer",
        "log-filtered": "/endringer?q=r%C3%A5d&subtopic=testing&since=2026-11-01&until=2026-13-01",
        "change": f"/endringer/{ids['lov']}",
        "removed": f"/endringer/{ids['fjernet']}",
        "signup": "/abonner",
        "api-docs": "/api/v1/docs",
        "missing": "/finnes-ikke",  # an unknown address: the Norwegian 404 page
    }
    violations: dict[str, list[str]] = {}
    wide: dict[str, int] = {}
    page = browser.new_page(locale="nb-NO")
    for name, path in pages.items():
        sep = "&" if "?" in path else "?"
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}{path}{sep}lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                wide[f"{name} {lang} {width}"] = overflow
            found = axe_violations(page)
            if found:
                violations[f"{name} {lang} {width}"] = found
            shot = shots / f"{name}-{lang}-{width}"
            page.screenshot(path=f"{shot}.png", full_page=True)
            page.screenshot(path=f"{shot}-top.png")
    if lang == "nb":
        page.close()
        assert wide == {}
        assert violations == {}
        return  # the filters and print below are checked once, in nynorsk
    # the filters work in the browser, and the language stays with the links
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto(f"{base}/endringer?lang=nn")
    page.get_by_label("Søk i titlar og tekst").fill("meldeplikt")
    page.get_by_role("button", name="Vis endringar").click()
    # a click does not wait for the page it opens: wait for the answer before counting
    page.wait_for_url("**/endringer?*q=meldeplikt*")
    sync_api.expect(page.locator("li.change")).to_have_count(1)
    page.locator("li.change a").first.click()
    page.wait_for_url(f"**/endringer/{ids['lov']}?lang=nn")
    assert page.locator("h1").inner_text().startswith("Endring i smittevernloven")
    assert page.locator("html").get_attribute("lang") == "nn"
    # print: the menus and the search form are not printed; the source link is spelled out
    page.emulate_media(media="print")
    assert not page.locator("header.site nav").first.is_visible()
    spelled = page.evaluate(
        "getComputedStyle(document.querySelector('.facts a[href^=\"http\"]'), '::after').content"
    )
    assert "regjeringen.example.no" in spelled
    page.emulate_media(media="screen")
    page.close()
    assert wide == {}
    assert violations == {}
