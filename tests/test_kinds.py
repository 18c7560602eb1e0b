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
from feeds.detect.story import StoryRef, similarity, story_key
from feeds.errors import CatalogueError
from feeds.fetch.client import Fetcher, FetchPolicy
from feeds.fetch.parts import fetch_linked
from feeds.read.document import linked_page
from feeds.store.models import Change, Source
from feeds.types import FetchResult, Link, Linked, PartState
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
    # these tests are about the kinds; a page change waiting for its re-check is
    # tests/test_confirm.py's business
    monkeypatch.setenv("NOTIFIER_CONFIRM_PAGE_CHANGES", "false")
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


def test_a_document_asks_for_its_chapters_conditionally_and_reads_only_what_changed(
    env: FixtureServer, database_url: str
) -> None:
    """Chapters with validators cost a 304 when unchanged; the table of contents too, and
    its chapters are still checked; a changed chapter is the only one read again."""
    env.set("/veileder/", toc("Organisering", "Utstyr"), headers=HTML, etag='"t1"')
    org = chapter("Organisering", "Kommunen har ansvaret.")
    env.set("/veileder/organisering", org, headers=HTML, etag='"o1"')
    env.set("/veileder/utstyr", chapter("Utstyr", "Hjertestarter."), headers=HTML, etag='"u1"')
    cli("check", "legevakt")  # learns the validators (the chapters' bodies changed: reported)
    baseline = len(changes(database_url, "legevakt"))

    def answers() -> dict[str, str | None]:
        got = {path: h.get("If-None-Match") for path, h in env.requests if "veileder" in path}
        env.requests.clear()
        return got

    answers()
    cli("check", "legevakt")
    assert answers() == {
        "/veileder/": '"t1"', "/veileder/organisering": '"o1"', "/veileder/utstyr": '"u1"'
    }  # fmt: skip
    assert len(changes(database_url, "legevakt")) == baseline
    # the table of contents is unchanged (304), one chapter changed behind it
    env.set("/veileder/utstyr", chapter("Utstyr", "Hjertestarter og sug."), headers=HTML,
            etag='"u2"')  # fmt: skip
    cli("check", "legevakt")
    (change,) = changes(database_url, "legevakt")[baseline:]
    assert (change.kind, change.section) == ("changed", ["Utstyr", "Råd"])
    assert "sug" in change.after
    answers()
    cli("check", "legevakt")  # and the new validator is the one sent next
    assert answers()["/veileder/utstyr"] == '"u2"'
    assert len(changes(database_url, "legevakt")) == baseline + 1


def test_listing_reports_each_new_link_once_as_an_item(
    env: FixtureServer, database_url: str
) -> None:
    env.set("/brev/", letters("skole", "vaksine", "testing"), headers=HTML)
    cli("check", "brev")
    cli("check", "brev")
    (change,) = changes(database_url, "brev")
    assert change.kind == "new" and change.title == "Brev om skole"
    assert change.url.endswith("/brev/skole") and change.story_key


def test_a_listing_whose_links_all_move_reports_nothing_then_new_letters_as_ever(
    env: FixtureServer, database_url: str
) -> None:
    """Issue 10: every link re-keyed at once (trailing slash, percent-encoding, other tracking
    parameters) is the same letters; the new identities are stored, so a real new letter after
    it is one new item."""
    moved = letters("testing", "vaksine").replace(
        "?utm_source=x", "/?utm_medium=rss&amp;utm_campaign=b"
    )
    moved = moved.replace("/brev/vaksine/", "/brev/%76aksine/")
    env.set("/brev/", moved, headers=HTML)
    assert "brev unchanged" in cli("check", "brev")
    assert changes(database_url, "brev") == []
    env.set(
        "/brev/",
        moved.replace(
            "<ul class='brev'>",
            "<ul class='brev'><li><a href='/brev/skole/'>Brev om skole</a></li>",
        ),
        headers=HTML,
    )
    cli("check", "brev")
    (change,) = changes(database_url, "brev")
    assert change.kind == "new" and change.title == "Brev om skole"


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


_V = {"key": "v", "kind": "document", "url": "https://x.no/v/", "authority": "a"}
SPEC = parse_catalogue([{**_V, "name": "Veileder", "selector": "main", "link_selector": "nav a"}])[
    0
]


def part(url: str, title: str, body: str | None, status: int = 200, etag: str = "") -> Linked:
    headers = {"etag": etag} if etag else {}
    data = body.encode() if body is not None else b""
    return Linked(Link(url, title), FetchResult(url, status, data, headers))


def test_a_part_not_modified_or_with_the_same_body_keeps_its_sections_unread() -> None:
    a, b = "https://x.no/v/a", "https://x.no/v/b"
    first = linked_page(SPEC, None, [part(a, "A", chapter("A", "en"), etag='"a1"'),
                                      part(b, "B", chapter("B", "to"), etag='"b1"')], None)  # fmt: skip
    assert first.parts[a] == PartState("A", '"a1"', None, first.parts[a].body_hash)
    # A: 304; B: the same bytes again under a new ETag
    again = [part(a, "A", None, 304), part(b, "B", chapter("B", "to"), etag='"b2"')]
    second = linked_page(SPEC, None, again, first.page, first.parts)
    assert all(x is y for x, y in zip(second.page.sections, first.page.sections, strict=True))
    assert second.parts[a] == first.parts[a] and second.parts[b].etag == '"b2"'
    # B changed: read again; a chapter renamed in the contents is read again too
    changed = [part(a, "A2", chapter("A", "en")), part(b, "B", chapter("B", "tre"))]
    third = linked_page(SPEC, None, changed, second.page, second.parts)
    assert [s.path for s in third.page.sections] == [("A2", "A", "Råd"), ("B", "Råd")]
    assert "tre" in third.page.sections[1].text


def test_a_304_to_a_part_we_never_had_is_a_problem_of_that_part() -> None:
    a, b = "https://x.no/v/a", "https://x.no/v/b"
    built = linked_page(
        SPEC, None, [part(a, "A", None, 304), part(b, "B", chapter("B", "x"))], None
    )
    assert len(built.problems) == 1 and "304" in built.problems[0]
    assert a not in built.parts and b in built.parts


async def test_parts_are_asked_for_conditionally_unless_renamed_or_due_for_a_full_fetch(
    http: FixtureServer,
) -> None:
    for name in ("a", "b", "c"):
        http.set(f"/v/{name}", chapter(name, "x"), headers=HTML, etag=f'"{name}1"')
    http.set("/v/", toc("A", "B", "C").replace("/veileder/", "/v/"), headers=HTML)
    known = {
        http.url("/v/a"): PartState("A", '"a1"'),
        http.url("/v/b"): PartState("Gammel tittel", '"b1"'),
    }
    policy = FetchPolicy(allow_private=True, per_host_min_gap=0, obey_robots=False)
    async with Fetcher(policy) as fetcher:
        toc_result = await fetcher.fetch(http.url("/v/"))
        http.requests.clear()
        got = await fetch_linked(fetcher, SPEC, toc_result, known)
        sent = {p: h.get("If-None-Match") for p, h in http.requests}
        assert sent == {"/v/a": '"a1"', "/v/b": None, "/v/c": None}
        assert [g.result.status for g in got if g.result] == [304, 200, 200]
        http.requests.clear()
        await fetch_linked(fetcher, SPEC, toc_result, known, force_full=True)
        assert {h.get("If-None-Match") for _, h in http.requests} == {None}
        # a table of contents answering 304 links to the parts on record
        http.requests.clear()
        not_modified = FetchResult(http.url("/v/"), 304)
        await fetch_linked(fetcher, SPEC, not_modified, known)
        assert sorted(p for p, _ in http.requests) == ["/v/a", "/v/b"]


def test_after_an_extraction_upgrade_every_part_is_read_again() -> None:
    from dataclasses import replace

    from feeds.detect.detection import detect, known_parts
    from feeds.types import EXTRACTION_VERSION

    a = "https://x.no/v/a"
    toc_result = FetchResult(SPEC.url, 200, toc("A").encode())
    state = detect(
        SPEC, toc_result, None, linked=[part(a, "A", chapter("A", "en"), etag='"1"')]
    ).state
    assert state is not None and set(known_parts(state)) == {a}
    assert known_parts(replace(state, version=EXTRACTION_VERSION - 1)) == {}
    assert known_parts(None) == {}
