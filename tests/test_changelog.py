"""The ``changelog`` kind: a publisher's change log read as feed items.

Fixture pages in tests/fixtures/changelog/ are written in the structure of FHI's nettpub pages;
each ``<name>.html`` has its expected items beside it in ``<name>.expected.json``."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from feeds.catalogue import (
    DEFAULT_CATALOGUE,
    KINDS,
    SourceSpec,
    load_catalogue,
    parse_catalogue,
)
from feeds.detect.diff import diff_feed
from feeds.errors import SourceProblem
from feeds.read.changelog import MAX_CHAPTER_CHARS, MAX_ITEMS, MAX_SUMMARY_CHARS, changelog_feed
from feeds.types import FeedContent, FetchResult, SeenItem

FIXTURES = Path(__file__).parent / "fixtures" / "changelog"
EXPECTED = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))
KORONA = (
    "https://www.fhi.no/nettpub/coronavirus/om-koronaveilederen/oppdateringer-i-koronaveilederen/"
)


def spec(url: str = KORONA, selector: str | None = "main", **extra: Any) -> SourceSpec:
    return SourceSpec(
        key="endringer",
        kind="changelog",
        url=url,
        authority="fhi",
        name="FHI: endringer",
        selector=selector,
        **extra,
    )


def read(name: str, source: SourceSpec | None = None) -> FeedContent:
    source = source or spec()
    return changelog_feed(source, FetchResult(source.url, 200, (FIXTURES / name).read_bytes()))


def parse(html: str, source: SourceSpec | None = None) -> FeedContent:
    source = source or spec()
    page = f"<html><body><main>{html}</main></body></html>"
    return changelog_feed(source, FetchResult(source.url, 200, page.encode()))


def seen(feed: FeedContent) -> dict[str, SeenItem]:
    """What a snapshot remembers of a feed (as feeds.detect stores it)."""
    return {i.item_id: SeenItem(i.digest, i.title, i.summary) for i in feed.items}


# ----------------------------------------------------------------------------- fixtures


def test_every_fixture_page_has_its_expectation() -> None:
    assert len(EXPECTED) >= 4


@pytest.mark.parametrize("name", EXPECTED)
def test_fixture_rows_become_items(name: str) -> None:
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    feed = read(f"{name}.html", spec(expected["url"], expected["selector"]))
    got = [
        {"date": i.published.date().isoformat() if i.published else None, "title": i.title}
        | {"link": i.link, "summary": i.summary}
        for i in feed.items
    ]
    assert got == expected["items"]
    for item in feed.items:
        assert item.published == item.updated
        assert item.published is not None and item.published.tzinfo is UTC
        assert (item.published.hour, item.published.minute) == (0, 0)
    assert len({i.item_id for i in feed.items}) == len(feed.items)


def test_table_per_date_heading_reads_dates_links_and_titles() -> None:
    feed = read("fhi_table_per_date.html")
    first, *_rest, last = feed.items
    assert first.published == datetime(2021, 3, 17, tzinfo=UTC)
    assert first.title == "Endret: Overvåking av luftveissymptomer i befolkningen"
    # resolved against the page, tracking parameters dropped
    assert first.link == "https://www.fhi.no/nettpub/coronavirus/fakta/overvaking-av-symptomer/"
    # a chapter without a link points at the changelog page itself
    assert (last.title, last.link) == ("Endret: Smittesporing", KORONA)
    assert "Nytt: Besøk i sykehjem" in [i.title for i in feed.items]
    # the table of contents, the 'Om denne siden' links and the related articles are no rows
    assert not any("arkiv" in i.link or "Om koronaveilederen" in i.title for i in feed.items)


def test_the_fallback_main_content_gives_the_same_rows() -> None:
    assert read("fhi_table_per_date.html", spec(selector=None)) == read("fhi_table_per_date.html")


# ----------------------------------------------------------------------------- diffing


def test_a_new_row_is_new_and_an_edited_description_is_changed() -> None:
    before = read("fhi_table_per_date.html")
    after = read("fhi_table_per_date_v2.html")
    changes = diff_feed(seen(before), after)
    assert sorted((c.kind, c.item.title) for c in changes) == [
        ("changed", "Endret: Koronavaksine"),
        ("new", "Endret: Smittekarantene"),
    ]
    changed = next(c for c in changes if c.kind == "changed")
    assert changed.before_summary.startswith("Oppdatert etter at anbefalt intervall")
    assert "tolv uker" in changed.item.summary
    new = next(c for c in changes if c.kind == "new")
    assert new.item.published == datetime(2021, 3, 18, tzinfo=UTC)


def test_the_same_page_fetched_again_gives_no_change() -> None:
    assert diff_feed(seen(read("fhi_table_per_date.html")), read("fhi_table_per_date.html")) == []
    v2 = read("fhi_table_per_date_v2.html")
    assert diff_feed(seen(v2), read("fhi_table_per_date_v2.html")) == []


def test_identity_is_date_chapter_and_link_not_the_description() -> None:
    row = '<h2>12. mars 2021</h2><table><tr><th>Kapittel</th><th>Endret/nytt</th></tr><tr><td><a href="/k/">{c}</a></td><td>{d}</td></tr></table>'
    (base,) = parse(row.format(c="Koronavaksine", d="Oppdatert.")).items
    (edited,) = parse(row.format(c="Koronavaksine", d="Oppdatert igjen.")).items
    (renamed,) = parse(row.format(c="Vaksine mot covid-19", d="Oppdatert.")).items
    (marked_new,) = parse(row.format(c="Koronavaksine", d="Nytt kapittel.")).items
    assert edited.item_id == base.item_id != renamed.item_id
    assert marked_new.item_id == base.item_id and marked_new.title == "Nytt: Koronavaksine"
    assert [
        c.kind
        for c in diff_feed({base.item_id: SeenItem(base.digest)}, FeedContent("x", (edited,)))
    ] == ["changed"]


def test_the_same_chapter_twice_on_one_date_gives_two_items() -> None:
    items = [
        i for i in read("fhi_table_per_date.html").items if i.title == "Endret: Innreisekarantene"
    ]
    assert len(items) == 2 and items[0].item_id != items[1].item_id
    assert items[0].summary == (
        "Kl. 23.59: Kart og tabell over områder med krav om innreisekarantene er oppdatert.\n"
        "Gjelder fra 15.03.2021."
    )


ROWS = (
    "<h2>12. mars 2021</h2><table><tr><th>Kapittel</th><th>Endret/nytt</th></tr>{rows}</table>"
    "<h2>Om siden</h2><p>Eldre endringer i arkivet.</p>"
)


def rows(*cells: tuple[str, str, str]) -> FeedContent:
    tr = "".join(f'<tr><td><a href="{h}">{c}</a></td><td>{d}</td></tr>' for h, c, d in cells)
    return parse(ROWS.format(rows=tr))


VAKSINE = ("/k/vaksine/", "Koronavaksine", "Nytt intervall mellom dosene.")
VAKSINE_2 = ("/k/vaksine/", "Koronavaksine", "Rettet tabellen for barn.")
KARANTENE = ("/k/karantene/", "Karantene", "Presisert unntakene.")


def kinds(before: FeedContent, after: FeedContent) -> list[str]:
    return sorted(c.kind for c in diff_feed(seen(before), after))


def test_a_row_printed_twice_is_one_row() -> None:
    once, twice = rows(VAKSINE, KARANTENE), rows(VAKSINE, KARANTENE, VAKSINE)
    assert len(twice.items) == 2
    assert kinds(once, twice) == []
    assert kinds(once, rows(VAKSINE, KARANTENE, VAKSINE_2)) == ["new"]  # another text: a row


def test_links_moved_to_another_scheme_host_or_slash_re_key_no_row() -> None:
    moved = [("http://fhi.no" + h.rstrip("/"), c, d) for h, c, d in (VAKSINE, KARANTENE)]
    before, after = rows(VAKSINE, KARANTENE), rows(*moved)
    assert [i.item_id for i in after.items] == [i.item_id for i in before.items]
    assert kinds(before, after) == []


def test_a_snapshot_keyed_by_the_canonical_link_still_knows_its_rows() -> None:
    """Stored before the identity form: the row's legacy_id is the old identity."""
    import hashlib

    (item,) = rows(VAKSINE).items
    old_key = f"changelog:2021-03-12\x1fkoronavaksine\x1f{KORONA.split('/nettpub')[0]}/k/vaksine/"
    old_id = hashlib.sha256(old_key.encode()).hexdigest()[:32]
    assert item.legacy_id == old_id != item.item_id
    stored = {old_id: SeenItem(item.digest, item.title, item.summary)}
    assert diff_feed(stored, FeedContent("x", (item,))) == []


def test_rows_of_one_chapter_and_date_are_told_apart_by_their_text() -> None:
    """Such rows are keyed by their place among them: swapped, one put on top or one gone is
    no edit; an edited one is."""
    base = rows(VAKSINE, VAKSINE_2, KARANTENE)
    assert kinds(base, rows(VAKSINE_2, VAKSINE, KARANTENE)) == []
    new_on_top = rows(("/k/vaksine/", "Koronavaksine", "Ny doseringstabell."), VAKSINE, VAKSINE_2)
    assert kinds(base, new_on_top) == ["new"]
    assert kinds(base, rows(VAKSINE_2, KARANTENE)) == []
    edited = rows(VAKSINE, ("/k/vaksine/", "Koronavaksine", "Rettet tabellen for voksne."))
    (change,) = diff_feed(seen(base), edited)
    assert change.kind == "changed" and change.before_summary == VAKSINE_2[2]


# ----------------------------------------------------------------------------- layouts


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            "<table><tr><th>Kapittel</th><th>Endret/nytt</th><th>Dato</th></tr>"
            "<tr><td>Testing</td><td>Oppdatert.</td><td>1. februar 2022</td></tr></table>",
            [("2022-02-01", "Endret: Testing", "Oppdatert.")],
            id="date-column-last",
        ),
        pytest.param(
            "<table><tr><td>01.02.2022</td><td>Testing</td><td>Oppdatert.</td></tr>"
            "<tr><td>31.01.2022</td><td>Isolasjon</td><td>Ny side.</td></tr></table>",
            [
                ("2022-02-01", "Endret: Testing", "Oppdatert."),
                ("2022-01-31", "Nytt: Isolasjon", "Ny side."),
            ],
            id="no-header-date-first",
        ),
        pytest.param(
            "<table><caption>Endringar 3. mars 2022</caption><tr><th>Artikkel</th><th>Kva er endra?</th></tr>"
            "<tr><td>Karantene</td><td>Nytt avsnitt om unntak.</td></tr></table>",
            [("2022-03-03", "Endret: Karantene", "Nytt avsnitt om unntak.")],
            id="caption-date-nynorsk-header",
        ),
        pytest.param(
            "<h2>Mars 2022</h2><p><strong>2022-03-04</strong></p>"
            "<ul><li><a href='/testing/'>Testing</a>: Ny artikkel.</li></ul>",
            [("2022-03-04", "Nytt: Testing", "Ny artikkel.")],
            id="paragraph-marker-list",
        ),
        pytest.param(
            "<table><tr><th>Dato</th><th>Kapittel</th><th>Type</th><th>Beskrivelse</th></tr>"
            "<tr><td>4.3.2022</td><td>Testing</td><td>Ny</td><td>Om testing av barn.</td></tr>"
            "<tr><td></td><td>Isolasjon</td><td>Endret</td><td>Kortere isolasjon.</td></tr></table>",
            [
                ("2022-03-04", "Nytt: Testing", "Om testing av barn."),
                ("2022-03-04", "Endret: Isolasjon", "Kortere isolasjon."),
            ],
            id="kind-column-and-inherited-date",
        ),
    ],
)
def test_layouts(html: str, expected: list[tuple[str, str, str]]) -> None:
    feed = parse(html)
    assert [
        (i.published.date().isoformat() if i.published else "", i.title, i.summary)
        for i in feed.items
    ] == expected


def test_a_heading_without_a_date_ends_the_date() -> None:
    feed = parse(
        "<h2>12. mars 2021</h2><ul><li><a href='/a/'>Kapittel A</a> Oppdatert.</li></ul>"
        "<h2>Les også</h2><ul><li><a href='/b/'>Kapittel B</a></li></ul>"
    )
    assert [i.title for i in feed.items] == ["Endret: Kapittel A"]


def test_the_selector_is_honoured() -> None:
    table = "<h2>{d}</h2><table><tr><th>Kapittel</th><th>Endret/nytt</th></tr><tr><td>{c}</td><td>x</td></tr></table>"
    html = (
        f"<div class='changelog'>{table.format(d='2. mars 2022', c='Innenfor')}</div>"
        f"<div class='annet'>{table.format(d='1. mars 2022', c='Utenfor')}</div>"
    )
    assert [i.title for i in parse(html, spec(selector="div.changelog")).items] == [
        "Endret: Innenfor"
    ]
    assert len(parse(html, spec(selector=None)).items) == 2


def test_drop_and_noise_of_the_source_apply() -> None:
    html = (
        "<h2>2. mars 2022</h2><table><tr><th>Kapittel</th><th>Endret/nytt</th></tr>"
        "<tr><td>A</td><td>Oppdatert. (Intern ref. 123)</td></tr>"
        "<tr class='intern'><td>B</td><td>Intern rad.</td></tr></table>"
    )
    feed = parse(html, spec(drop=(".intern",), noise=(r"\(Intern ref\. \d+\)",)))
    assert [(i.title, i.summary) for i in feed.items] == [("Endret: A", "Oppdatert.")]


# ----------------------------------------------------------------------------- untrusted


def test_hostile_page_gives_text_only_and_capped_items() -> None:
    feed = read("hostile.html")
    assert len(feed.items) == 4
    text = "\n".join(f"{i.title}\n{i.summary}\n{i.link}" for i in feed.items).lower()
    for bad in (
        "alert",
        "cookie",
        "steal",
        "evil",
        "javascript",
        "data:",
        "svg-tekst",
        "JavaScript",
        "Skjult",
        "display",
    ):
        assert bad not in text
    by_title = {i.title: i for i in feed.items}
    assert by_title["Endret: Falsk lenke"].link == KORONA  # javascript: never reaches a reader
    assert by_title["Endret: Falsk lenke"].summary == "Oppdatert tekst."
    assert by_title["Endret: Datalenke"].link == KORONA
    # escaped markup stays the text it is; a comment is not text
    assert by_title["Endret: Datalenke"].summary == "Teksten <b>ser ut som</b> markup men er tekst."
    assert (
        by_title["Endret: Protokollrelativ lenke"].link
        == "https://www.fhi.no/nettpub/coronavirus/protokollrelativ/"
    )
    huge = next(i for i in feed.items if i.link.endswith("/stor-rad/"))
    assert len(huge.title) <= len("Endret: ") + MAX_CHAPTER_CHARS and huge.title.endswith("…")
    assert len(huge.summary) == MAX_SUMMARY_CHARS and huge.summary.startswith("Setning 0 ")


def test_only_the_newest_rows_are_kept() -> None:
    days = [date(2020, 1, 1) + timedelta(days=n) for n in range(MAX_ITEMS + 100)]
    rows = "".join(
        f"<tr><td>{day:%d.%m.%Y}</td><td>Kapittel {n}</td><td>Oppdatert.</td></tr>"
        for n, day in enumerate(days)
    )
    feed = parse(
        f"<table><tr><th>Dato</th><th>Kapittel</th><th>Endret/nytt</th></tr>{rows}</table>"
    )
    assert len(feed.items) == MAX_ITEMS
    assert feed.items[0].title == f"Endret: Kapittel {len(days) - 1}"  # newest first
    assert feed.items[-1].title == "Endret: Kapittel 100"  # the 100 oldest are left out


def test_huge_spans_are_clamped() -> None:
    feed = parse(
        "<h2>2. mars 2022</h2><table><tr><th>Kapittel</th><th>Endret/nytt</th></tr>"
        '<tr><td rowspan="2147483647">A</td><td colspan="99999999">Oppdatert.</td></tr>'
        '<tr><td colspan="x">Også oppdatert.</td></tr></table>'
    )
    assert [(i.title, i.summary) for i in feed.items] == [
        ("Endret: A", "Oppdatert."),
        ("Endret: A", "Også oppdatert."),
    ]


# ----------------------------------------------------------------------------- problems


def test_a_changed_layout_is_a_source_problem() -> None:
    with pytest.raises(SourceProblem, match="layout may have changed"):
        read("layout_changed.html")


def test_a_selector_matching_nothing_is_a_source_problem() -> None:
    with pytest.raises(SourceProblem, match="matched nothing: the page layout may have changed"):
        read("fhi_table_per_date.html", spec(selector="div.endringslogg"))


@pytest.mark.parametrize(
    "html",
    [
        "<p>Siden er flyttet.</p>",
        "<table><tr><th>Kapittel</th><th>Endret/nytt</th></tr><tr><td>A</td><td>Uten dato.</td></tr></table>",
        "<ul><li><a href='/a/'>Lenke uten dato</a></li></ul>",
    ],
)
def test_pages_without_dated_change_rows_are_problems(html: str) -> None:
    with pytest.raises(SourceProblem, match="no change rows found"):
        parse(html)


def test_an_empty_body_is_a_source_problem() -> None:
    with pytest.raises(SourceProblem):
        changelog_feed(spec(), FetchResult(KORONA, 200, b""))


# ----------------------------------------------------------------------------- catalogue


def test_the_catalogue_accepts_the_kind_without_link_fields() -> None:
    assert "changelog" in KINDS
    entry = {"key": "k", "kind": "changelog", "url": KORONA, "authority": "fhi", "name": "E"}
    (parsed,) = parse_catalogue([entry])
    assert parsed.kind == "changelog"


def test_the_fhi_changelog_source_waits_disabled_with_a_note() -> None:
    (source,) = [s for s in load_catalogue() if s.kind == "changelog"]
    assert source.authority == "fhi" and not source.enabled
    assert source.url == KORONA
    raw = tomllib.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))["source"]
    (entry,) = [e for e in raw if e["key"] == source.key]
    assert "unverified" in entry["notes"]


def test_the_example_in_the_docs_gives_what_the_docs_say() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "sources.md").read_text(encoding="utf-8")
    section = docs[docs.index("### `changelog`") :]
    example = section[section.index("```html\n") + 8 : section.index("```\n\ngives")]
    (item,) = parse(example).items
    assert (item.title, item.published) == (
        "Endret: Koronavaksine",
        datetime(2021, 3, 16, tzinfo=UTC),
    )
    assert item.link == "https://www.fhi.no/nettpub/coronavirus/vaksine/koronavaksine/"
