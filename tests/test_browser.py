"""A real browser (Debian's Chromium driven by Playwright) fills in the sign-up form, follows
the confirmation link, and checks every subscriber page with axe-core (WCAG 2.1 A/AA and
best practice): no violations allowed. Skipped with the reason when Chromium or Playwright is
missing (``.ci/run`` installs Chromium with apt when it can)."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.outbox import Delivery
from notifier.web import create_app
from tests.conftest import Clock, make_settings

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
    settings = make_settings(f"sqlite:///{tmp_path / 'web.db'}", tmp_path)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    ctx = Context(settings=settings, engine=engine, clock=clock)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(ctx), host="127.0.0.1", port=port, log_level="warning", ws="none",
        lifespan="off",
    )  # fmt: skip
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)  # waiting for a server thread to bind, not for work
    yield f"http://127.0.0.1:{port}", ctx
    srv.should_exit = True
    thread.join(5)
    engine.dispose()


def axe_violations(page: Any) -> list[str]:
    page.evaluate(axe_base.AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


def latest_link(ctx: Context, path: str) -> str:
    with Session(ctx.engine) as session:
        rows = session.exec(select(Delivery).order_by(Delivery.id.desc())).all()  # type: ignore[union-attr]
    for row in rows:
        found = re.search(re.escape(ctx.settings.base_url) + "(" + path + r"[^\s]+)", row.body_text)
        if found:
            return found.group(1)
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
        assert "Sjekk e-posten din" in page.content()
        check("check your mail")

        page.goto(base + latest_link(ctx, "/bekreft/"))
        check("confirm")
        page.get_by_role("button", name="Bekreft").click()
        assert "Abonnementet er bekreftet" in page.content()
        check("confirmed")
        page.get_by_role("link", name="Innstillingene dine").click()
        assert page.get_by_label("Vaksinasjon").input_value() == "daily"
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
