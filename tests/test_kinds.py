"""Source kinds end to end (documents, listings, PDF attachments), the held large deletion and
stories across sources: a real loopback HTTP server, the CLI, SQLite and PostgreSQL. Also the
catalogue fields these kinds use, and the pure story matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select
from typer.testing import CliRunner

from feeds.catalogue import parse_catalogue
from feeds.errors import CatalogueError
from feeds.models import Change, Source
from feeds.story import StoryRef, similarity, story_key
from notifier.cli import app
from tests.support.corpus import CORPUS
from tests.support.httpserver import FixtureServer

HTML = {"Content-Type": "text/html; charset=utf-8"}


def toc(*chapters: str) -> str:
    links = "".join(f'<li><a href="/veileder/{c.lower()}">{c}</a></li>' for c in chapters)
    return f"<html><body><main><h1>Veileder</h1><nav class='toc'><ol>{links}</ol></nav></main></body></html>"


def chapter(title: str, text: str) -> str:
    return f"<html><body><main><h1>{title}</h1><h2>Råd</h2><p>{text}</p></main></body></html>"


def letters(*names: str) -> str:
    rows = "".join(f'<li><a href="/brev/{n}?utm_source=x">Brev om {n}</a></li>' for n in names)
    return f"<html><body><main><h1>Brev</h1><ul class='brev'>{rows}</ul></main></body></html>"


LONG = "Legevakten skal vurdere hastegrad og gi råd om videre oppfølging etter faste rutiner. "
BIG = "".join(f"<h2>Del {i}</h2><p>{LONG * 3}</p>" for i in range(1, 8))

CATALOGUE = """
[[source]]
key = "legevakt"
kind = "document"
name = "Veileder for legevakt"
authority = "helsedirektoratet"
url = "{base}/veileder/"
selector = "main"
link_selector = "nav.toc a"

[[source]]
key = "brev"
kind = "listing"
name = "Brev og beslutninger"
authority = "helsedirektoratet"
url = "{base}/brev/"
link_selector = "ul.brev a"

[[source]]
key = "rundskriv"
kind = "page"
name = "Rundskriv"
authority = "regjeringen"
url = "{base}/rundskriv/"
selector = "main"
follow_pdfs = true

[[source]]
key = "stor"
kind = "page"
name = "Stor side"
authority = "fhi"
url = "{base}/stor/"
selector = "main"
"""


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, http: FixtureServer
) -> FixtureServer:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_ALLOW_PRIVATE_SOURCES", "true")
    monkeypatch.setenv("NOTIFIER_PER_HOST_MIN_GAP", "0")
    monkeypatch.setenv("NOTIFIER_HTTP_TIMEOUT", "2")
    http.set("/veileder/", toc("Organisering", "Utstyr"), headers=HTML)
    http.set(
        "/veileder/organisering", chapter("Organisering", "Kommunen har ansvaret."), headers=HTML
    )
    http.set("/veileder/utstyr", chapter("Utstyr", "Hjertestarter og oksygen."), headers=HTML)
    http.set("/brev/", letters("testing", "vaksine"), headers=HTML)
    pdf = (CORPUS / "pdf_attachment_changed" / "a1.pdf").read_bytes()
    http.set("/rundskriv/", "<html><main><h1>Rundskriv I-6</h1><p>Se vedlegget.</p>"
             "<a href='/rundskriv/i-6.pdf'>Rundskriv (PDF)</a></main></html>", headers=HTML)  # fmt: skip
    http.set("/rundskriv/i-6.pdf", pdf, headers={"Content-Type": "application/pdf"})
    http.set("/stor/", f"<html><main><h1>Stor</h1>{BIG}</main></html>", headers=HTML)
    catalogue = tmp_path / "sources.toml"
    catalogue.write_text(CATALOGUE.format(base=http.base), encoding="utf-8")
    cli("db", "upgrade")
    cli("sources", "load", str(catalogue))
    cli("check", "--all")  # baselines
    return http


def changes(database_url: str, key: str) -> list[Change]:
    engine = create_engine(database_url)
    with Session(engine) as session:
        source = session.exec(select(Source).where(Source.key == key)).one()
        rows = session.exec(select(Change).where(Change.source_id == source.id)).all()
        out = list(rows)
    engine.dispose()
    return out


def source(database_url: str, key: str) -> Source:
    engine = create_engine(database_url)
    with Session(engine) as session:
        row = session.exec(select(Source).where(Source.key == key)).one()
    engine.dispose()
    return row


def test_document_reports_per_chapter_and_a_failing_chapter_is_no_removal(
    env: FixtureServer, database_url: str
) -> None:
    env.set("/veileder/utstyr", chapter("Utstyr", "Hjertestarter, oksygen og sug."), headers=HTML)
    cli("check", "legevakt")
    (change,) = changes(database_url, "legevakt")
    assert (change.kind, change.section) == ("changed", ["Utstyr", "Råd"])
    env.set("/veileder/organisering", "feil", status=500)
    cli("check", "legevakt")
    assert len(changes(database_url, "legevakt")) == 1  # nothing 'removed'
    assert "Organisering" in (source(database_url, "legevakt").last_error or "")


def test_listing_reports_each_new_link_once_as_an_item(
    env: FixtureServer, database_url: str
) -> None:
    env.set("/brev/", letters("skole", "vaksine", "testing"), headers=HTML)
    cli("check", "brev")
    cli("check", "brev")
    (change,) = changes(database_url, "brev")
    assert change.kind == "new" and change.title == "Brev om skole"
    assert change.url.endswith("/brev/skole") and change.story_key


def test_pdf_attachment_changes_are_reported_like_a_page(
    env: FixtureServer, database_url: str
) -> None:
    pdf = (CORPUS / "pdf_attachment_changed" / "a2.pdf").read_bytes()
    env.set("/rundskriv/i-6.pdf", pdf, headers={"Content-Type": "application/pdf"})
    cli("check", "rundskriv")
    (change,) = changes(database_url, "rundskriv")
    assert change.section == ["Vedlegg: Rundskriv (PDF)"]
    assert "torsdag" in change.after


def test_a_large_deletion_is_a_problem_then_held_for_review_when_it_persists(
    env: FixtureServer, database_url: str
) -> None:
    env.set("/stor/", f"<html><main><h1>Stor</h1><h2>Del 1</h2><p>{LONG}</p></main></html>")
    cli("check", "stor")
    assert changes(database_url, "stor") == []
    assert source(database_url, "stor").pending_digest
    cli("check", "stor")
    stored = changes(database_url, "stor")
    assert stored and {c.status for c in stored} == {"held"}


# ----------------------------------------------------------------------------- pure parts


def test_catalogue_accepts_the_link_fields_and_refuses_bad_ones() -> None:
    base = {"key": "k", "url": "https://x.no/", "authority": "a"}
    (spec,) = parse_catalogue([{**base, "kind": "document", "link_selector": "nav a",
                                "link_pattern": "^https://x", "noise": ["^Vakt: .*$"]}])  # fmt: skip
    assert (spec.kind, spec.link_selector, spec.noise) == ("document", "nav a", ("^Vakt: .*$",))
    with pytest.raises(CatalogueError, match="link_selector"):
        parse_catalogue([{**base, "kind": "listing"}])
    with pytest.raises(CatalogueError, match="not a valid regex"):
        parse_catalogue([{**base, "kind": "page", "noise": ["("]}])
    with pytest.raises(CatalogueError, match="follow_pdfs"):
        parse_catalogue([{**base, "kind": "feed", "follow_pdfs": True}])


NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_the_same_story_on_two_sources_shares_a_key() -> None:
    press = StoryRef("k1", "Regjeringen innfører nye smitteverntiltak i kommunene", NOW, "1")
    news = "Helsedirektoratet: nye smitteverntiltak innført i kommunene fra mandag"
    assert story_key(news, NOW + timedelta(hours=3), "2", [press]) == "k1"
    # the same source, another story, or outside the window: a key of its own
    assert story_key(news, NOW, "1", [press]) != "k1"
    assert story_key("Økt forekomst av kikhoste i høst", NOW, "2", [press]) != "k1"
    assert story_key(news, NOW + timedelta(days=5), "2", [press]) != "k1"


def test_similar_but_different_regulation_titles_are_not_one_story() -> None:
    a = "Endringer i covid-19-forskriften om karantene"
    b = "Endringer i covid-19-forskriften om innreise"
    assert similarity(a, b) < 0.7
    assert similarity("Ny veileder", "Ny veileder") == 0.0  # too short to tell
