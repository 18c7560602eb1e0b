"""The whole chain against real servers: a feed and a page on a loopback HTTP server change
between two checks; the subscriber of the matching subtopic gets exactly one digest through a
real SMTP server, the subscriber of another subtopic gets none, and nothing is sent twice.
Runs on SQLite and on PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from feeds.store.models import Change, Source
from notifier.cli import app
from tests.support.httpserver import FixtureServer
from tests.support.smtpserver import Inbox

FEED_V1 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>FHI nyheter</title><link>https://www.fhi.no/</link>
<item><title>Ny rapport om antibiotikaresistens</title>
<link>https://www.fhi.no/nyheter/rapport-amr/?utm_source=rss</link><guid>1001</guid>
<description>&lt;p&gt;Rapporten viser utviklingen i 2025.&lt;/p&gt;</description>
<pubDate>Mon, 16 Nov 2026 10:00:00 +0100</pubDate></item>
</channel></rss>"""

FEED_V2 = FEED_V1.replace(
    "<item>",
    """<item><title>Oppfriskningsdose anbefales for alle over 65 år</title>
<link>https://www.fhi.no/nyheter/oppfriskningsdose/?utm_medium=feed</link><guid>1002</guid>
<description>FHI anbefaler en ny vaksinedose &lt;b&gt;før vinteren&lt;/b&gt;.</description>
<pubDate>Mon, 23 Nov 2026 09:00:00 +0100</pubDate></item>
<item>""",
    1,
)

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Smittevernveilederen</title></head>
<body><nav>Meny Hjem</nav><main>
<h1>Smittevernveilederen</h1>
<p>Sist oppdatert: {date}</p>
<h2>Vaksinasjon av helsepersonell</h2>
<p>{vaccine}</p>
<h2>Håndhygiene</h2>
<p>Håndhygiene er det viktigste tiltaket for å hindre smitte.</p>
</main><footer>Kontakt oss</footer></body></html>"""

PAGE_V1 = PAGE.format(
    date="01.11.2026", vaccine="Helsepersonell bør tilbys influensavaksine hver høst."
)
PAGE_V2 = PAGE.format(
    date="23.11.2026",
    vaccine="Helsepersonell bør tilbys influensavaksine og koronavaksine hver høst.",
)

CATALOGUE = """
[[source]]
key = "fhi-nyheter"
kind = "feed"
name = "FHI: nyheter"
authority = "fhi"
url = "{base}/rss/nyheter/"

[[source]]
key = "fhi-veileder"
kind = "page"
name = "FHI: Smittevernveilederen"
authority = "fhi"
url = "{base}/veileder/"
selector = "main"

[[source]]
key = "broken-feed"
kind = "feed"
name = "Broken"
authority = "test"
url = "{base}/broken.xml"

[[source]]
key = "server-error"
kind = "page"
name = "500"
authority = "test"
url = "{base}/error/"

[[source]]
key = "slow-page"
kind = "page"
name = "Slow"
authority = "test"
url = "{base}/slow/"
"""


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def outcomes(output: str) -> dict[str, str]:
    return {line.split()[0]: line.split()[1] for line in output.splitlines() if line.strip()}


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
    http: FixtureServer,
    smtp: tuple[Inbox, int],
) -> Path:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_SMTP_URL", f"smtp://127.0.0.1:{smtp[1]}")
    monkeypatch.setenv("NOTIFIER_ALLOW_PRIVATE_SOURCES", "true")
    monkeypatch.setenv("NOTIFIER_PER_HOST_MIN_GAP", "0")
    monkeypatch.setenv("NOTIFIER_HTTP_TIMEOUT", "1.5")
    monkeypatch.setenv("NOTIFIER_MAIL_FROM", "Helsevarsel <varsel@varsel.example.no>")
    # a page change waits for a re-check (docs/detection.md, "Confirmation"); with 0 seconds
    # the next check confirms it, so the chain runs the default path without waiting
    monkeypatch.setenv("NOTIFIER_CONFIRM_AFTER_SECONDS", "0")
    http.set("/rss/nyheter/", FEED_V1, headers={"Content-Type": "application/rss+xml"})
    http.set("/veileder/", PAGE_V1, headers={"Content-Type": "text/html; charset=utf-8"})
    http.set(
        "/broken.xml",
        "<rss><channel><item><title>unterminated",
        headers={"Content-Type": "application/rss+xml"},
    )
    http.set("/error/", "Internal Server Error", status=500)
    http.set("/slow/", "<html><main><p>late</p></main></html>", delay=3.0)
    catalogue = tmp_path / "sources.toml"
    catalogue.write_text(CATALOGUE.format(base=http.base), encoding="utf-8")
    return catalogue


def test_one_change_reaches_exactly_the_right_inbox_once(
    env: Path, http: FixtureServer, smtp: tuple[Inbox, int], database_url: str
) -> None:
    inbox, _port = smtp
    cli("db", "upgrade")
    assert "5 source(s) added" in cli("sources", "load", str(env))
    cli("subscribers", "add", "lege@kommune.no", "--role", "kommunelege",
        "--subtopic", "vaksinasjon", "--cadence", "daily", "--name", "Kari Lege")  # fmt: skip
    cli("subscribers", "add", "annen@kommune.no", "--role", "kommunelege",
        "--subtopic", "smittevernutstyr", "--cadence", "daily")  # fmt: skip

    first = outcomes(cli("check", "--all"))
    assert first == {
        "broken-feed": "error",
        "fhi-nyheter": "new",
        "fhi-veileder": "new",
        "server-error": "error",
        "slow-page": "error",
    }
    # The first check is a baseline: nothing to tell anybody yet.
    assert "0 daily digest(s)" in cli("digest", "--cadence", "daily")

    http.set("/rss/nyheter/", FEED_V2, headers={"Content-Type": "application/rss+xml"})
    http.set("/veileder/", PAGE_V2, headers={"Content-Type": "text/html; charset=utf-8"})
    output = cli("check", "fhi-nyheter", "fhi-veileder")
    assert outcomes(output) == {"fhi-nyheter": "new", "fhi-veileder": "changed"}
    assert "fhi-veileder changed (1 section(s); pending confirmation)" in output
    # the feed item is not delayed; the page change is told once the re-check confirms it
    assert "fhi-veileder changed (not modified; 1 change(s) confirmed)" in cli(
        "check", "fhi-veileder"
    )

    assert "1 daily digest(s)" in cli("digest", "--cadence", "daily")
    assert "sent 1," in cli("deliver")
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "lege@kommune.no"
    assert mail["Message-ID"].endswith("@varsel.example.no>")
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Oppfriskningsdose anbefales for alle over 65 år" in text
    assert "Vaksinasjon av helsepersonell" in text
    assert "https://www.fhi.no/nyheter/oppfriskningsdose/" in text
    assert "utm_" not in text
    assert "<ins" in html and "koronavaksine" in html  # the word diff of the page section
    assert "Ny rapport om antibiotikaresistens" not in text  # baseline items are not news
    assert inbox.to("annen@kommune.no") == []

    # Again: nothing new to compose, nothing left to send.
    assert "0 daily digest(s)" in cli("digest", "--cadence", "daily")
    assert "sent 0," in cli("deliver")
    assert len(inbox.messages) == 1


def test_failed_sources_are_recorded_and_keep_their_baseline(
    env: Path, http: FixtureServer, database_url: str
) -> None:
    cli("sources", "load", str(env))
    cli("check", "--all")
    http.set("/veileder/", "<html><body><h1>Vi utfører vedlikehold</h1></body></html>")
    cli("check", "--all")
    from notifier.db import make_engine

    engine = make_engine(database_url)
    with Session(engine) as session:
        sources = {s.key: s for s in session.exec(select(Source))}
        assert "SourceProblem" in (sources["broken-feed"].last_error or "")
        assert "HTTP 500" in (sources["server-error"].last_error or "")
        assert "did not answer" in (sources["slow-page"].last_error or "")
        assert sources["slow-page"].consecutive_errors == 2
        veileder = sources["fhi-veileder"]
        assert veileder.last_outcome == "error"
        assert "selector" in (veileder.last_error or "") or "vedlikehold" in (
            veileder.last_error or ""
        )
        assert sources["fhi-nyheter"].last_outcome == "unchanged"
        assert session.exec(select(Change)).all() == []
    engine.dispose()


def test_preview_shows_the_digest_without_sending(
    env: Path, http: FixtureServer, smtp: tuple[Inbox, int]
) -> None:
    inbox, _port = smtp
    cli("sources", "load", str(env))
    cli("subscribers", "add", "lege@kommune.no", "--subtopic", "vaksinasjon", "--cadence", "daily")
    cli("check", "fhi-nyheter")
    http.set("/rss/nyheter/", FEED_V2)
    cli("check", "fhi-nyheter")
    shown = cli("preview", "--subscriber", "lege@kommune.no", "--cadence", "daily")
    assert "Oppfriskningsdose anbefales" in shown
    assert shown == cli("preview", "--subscriber", "lege@kommune.no", "--cadence", "daily")
    assert "sent 0," in cli("deliver")
    assert "1 daily digest(s)" in cli("digest", "--cadence", "daily")
    cli("deliver")
    sent = inbox.messages[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert sent.replace("\r\n", "\n").strip() in shown
