"""Blind round 18's cases met (tests/fixtures/detect_open/OPEN.md): a new feed item linking to
a lookalike of the source's site or without title and text is held; a link re-pointed to a
lookalike host changes its section; a spam link block and a meta refresh to another site at
once are source problems; invisible format characters and fullwidth digits are no change;
text an inline style hides (and no control opens) is no content. Each rule in bokmål and
nynorsk, with a guard that what it must not catch is read as before."""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import EMPTY_ITEM, FOREIGN_LINK, Detection, detect
from feeds.detect.diff import diff_pages
from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.sites import lookalike, site_of
from feeds.types import FetchResult, PageContent, SnapshotState
from notifier.review import HELD_REASONS

FEED = SourceSpec(key="f", kind="feed", url="https://www.fhi.no/rss", authority="t", name="F")
PAGE = SourceSpec(key="p", kind="page", url="https://www.fhi.no/side", authority="t", name="P")


def _item(n: int, link: str, title: str = "", text: str = "") -> str:
    title = title or f"Sak nummer {n}"
    text = text or f"Tekst om sak {n}."
    return (
        f"<item><title>{title}</title><link>{link}</link><guid isPermaLink='false'>g{n}</guid>"
        f"<description>{text}</description></item>"
    )


def _rss(*items: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>F</title>"
        f"<link>https://www.fhi.no/</link>{''.join(items)}</channel></rss>"
    ).encode()


OLD = [_item(n, f"https://www.fhi.no/nyheter/{n}/") for n in range(1, 4)]


def _feed_check(new: str, old: list[str] = OLD, spec: SourceSpec = FEED) -> Detection:
    first = detect(spec, FetchResult(spec.url, 200, _rss(*old)), None)
    assert first.state is not None
    return detect(spec, FetchResult(spec.url, 200, _rss(new, *old)), first.state)


# ----------------------------------------------------------------- A: lookalike item links


@pytest.mark.parametrize(
    "link",
    [
        "https://www.fhi-no.info/nyheter/ny/",  # the site's name as a word of another's
        "https://fhi.no.example.com/ny/",
        "https://www.xn--fh-0ka.no/ny/",  # punycode
    ],
)
def test_a_new_item_linking_to_a_lookalike_host_is_held(link: str) -> None:
    detection = _feed_check(_item(9, link, "Registrer deg for vaksine", "Meld deg på her."))
    assert detection.held_reason == FOREIGN_LINK
    assert [c.kind for c in detection.changes] == ["new"]


@pytest.mark.parametrize(
    "link",
    [
        "https://www.fhi.no/nyheter/ny/",
        "https://www.regjeringen.no/no/dokument/rundskriv/id1/",  # another authority's site
        "https://www.helsenorge.no/vaksiner/",
    ],
)
def test_a_new_item_linking_to_its_site_or_another_authority_is_not_held(link: str) -> None:
    detection = _feed_check(_item(9, link, "Nytt rundskriv", "Departementet har sendt ut."))
    assert detection.held_reason is None and len(detection.changes) == 1


def test_a_feed_whose_items_link_to_several_sites_is_not_held_for_them() -> None:
    """Nynorsk: a county governor's feed of items on two sites; a new one on either is news."""
    spec = SourceSpec(
        key="sf", kind="feed", url="https://www.statsforvalteren.no/rss", authority="t", name="S"
    )
    old = [
        _item(1, "https://www.statsforvalteren.no/vestland/a/"),
        _item(2, "https://lovdata.no/x"),
    ]
    new = _item(9, "https://lovdata.no/dokument/ny", "Ny forskrift", "Forskrifta gjeld frå i dag.")
    assert _feed_check(new, old, spec).held_reason is None


def test_lookalike_and_site() -> None:
    assert site_of("www.fhi.no") == "fhi.no" and site_of("voss.kommune.no") == "voss.kommune.no"
    assert lookalike("www.fhi-no.info", ["www.fhi.no"])
    assert lookalike("www.helsenrge.no", ["www.helsenorge.no"])  # one letter dropped
    assert not lookalike("www.regjeringen.no", ["www.statsforvalteren.no"])
    assert not lookalike("nyheter.fhi.no", ["www.fhi.no"])  # a known subdomain


# ------------------------------------------------------------------- F: an empty new item


@pytest.mark.parametrize(
    "title", ["&lt;script src='https://x.example.com/a.js'&gt;&lt;/script&gt;", ""]
)
def test_a_new_item_without_title_or_text_is_held(title: str) -> None:
    item = (
        f"<item><title>{title}</title><link>https://www.fhi.no/nyheter/x/</link>"
        "<guid isPermaLink='false'>g9</guid></item>"
    )
    detection = _feed_check(item)
    assert detection.held_reason == EMPTY_ITEM and len(detection.changes) == 1


@pytest.mark.parametrize("text", ["Kort melding utan tittel.", "Kort melding uten tittel."])
def test_a_new_item_without_title_but_with_text_is_told(text: str) -> None:
    item = (
        "<item><link>https://www.fhi.no/nyheter/x/</link><guid isPermaLink='false'>g9</guid>"
        f"<description>{text}</description></item>"
    )
    assert _feed_check(item).held_reason is None


def test_the_new_reasons_have_texts_in_both_standards() -> None:
    for reason in (FOREIGN_LINK, EMPTY_ITEM):
        bokmal, nynorsk = HELD_REASONS[reason]
        assert bokmal and nynorsk and bokmal != nynorsk


# ------------------------------------------------------------------ pages: helpers


def page(body: str, head: str = "") -> PageContent:
    html = f"<html><head><title>Side</title>{head}</head><body>{body}</body></html>"
    return extract_page(html.encode(), selector="main")


def changed(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


def _main(inner: str, lead: str = "Alle innbyggjarar har rett til fastlege.") -> str:
    return f"<main><h1>Fastlege</h1><p>{lead}</p><h2>Bestill time</h2>{inner}</main>"


# --------------------------------------------------------- B: a link re-pointed to a lookalike


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("Bestill time på helsenorge.no", "https://www.helsenorge.no/time/",
         "https://www.xn--helsenrge-i8a.no/time/"),
        ("Bestill time hos fastlegen på helsenorge.no", "https://www.helsenorge.no/time/",
         "https://helsenorge.no-time.example.com/time/"),
        ("Bestill time", "https://www.helsenorge.no/time/", "https://xn--helsenrge-i8a.no/"),
    ],
)  # fmt: skip
def test_a_link_re_pointed_to_a_lookalike_host_changes_its_section(
    text: str, before: str, after: str
) -> None:
    old = _main(f"<p><a href='{before}'>{text}</a></p>")
    new = _main(f"<p><a href='{after}'>{text}</a></p>")
    assert changed(old, new) == [("changed", ("Fastlege", "Bestill time"))]


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ("Bestill time på helsenorge.no", "https://www.helsenorge.no/time/",
         "https://helsenorge.no/time/ny?ref=kommune"),  # the same site, another path and query
        ("Bestill time", "https://www.helsenorge.no/time/", "https://time.example.com/bestill"),
    ],
)  # fmt: skip
def test_a_link_re_pointed_on_its_site_or_under_neutral_words_stays_quiet(
    text: str, before: str, after: str
) -> None:
    old = _main(f"<p><a href='{before}'>{text}</a></p>")
    new = _main(f"<p><a href='{after}'>{text}</a></p>")
    assert changed(old, new) == []


# --------------------------------------------------------------------- C: hijacked site

SPAM = (
    "<div><h3>{heading}</h3><ul>"
    "<li><a href='https://casino-bonus.example.com/'>Beste casino bonus</a></li>"
    "<li><a href='https://billig-piller.example.net/'>Kjøp viagra {without} resept</a></li>"
    "<li><a href='https://lan-na.example.org/'>Forbrukslån på 5 minutt</a></li></ul></div>"
)


@pytest.mark.parametrize(
    ("heading", "without"), [("Nyttige lenker", "uten"), ("Nyttige lenkjer", "utan")]
)
def test_a_block_of_spam_links_in_the_content_is_a_problem(heading: str, without: str) -> None:
    with pytest.raises(SourceProblem, match="hijacked"):
        page(_main("<p>Ring 116 117.</p>" + SPAM.format(heading=heading, without=without)))


def test_links_on_gambling_addiction_to_helpers_are_content() -> None:
    links = (
        "<ul><li><a href='https://www.hjelpelinjen.no/'>Hjelpelinjen for spelavhengige</a></li>"
        "<li><a href='https://www.lotteritilsynet.no/'>Lotteritilsynet om pengespel</a></li>"
        "<li><a href='https://www.casino-bonus.example.com/'>Eit døme på casino-reklame</a></li>"
        "</ul>"
    )
    assert page(_main(links)).sections  # one spam-worded link among helpers: read


def _refresh_check(meta: str) -> Detection:
    body = "<main><h1>Hjertestans</h1><p>Ring 113.</p></main>"
    old = f"<html><head><title>S</title></head><body>{body}</body></html>".encode()
    new = f"<html><head><title>S</title>{meta}</head><body>{body}</body></html>".encode()
    first = detect(PAGE, FetchResult(PAGE.url, 200, old), None)
    assert isinstance(first.state, SnapshotState)
    return detect(PAGE, FetchResult(PAGE.url, 200, new), first.state)


@pytest.mark.parametrize(
    "meta",
    [
        "<meta http-equiv='refresh' content='0;url=https://www.casino.example.com/?a=1'>",
        '<meta http-equiv="Refresh" content="0; URL=https://fhi-no.info/">',
    ],
)
def test_a_meta_refresh_at_once_to_another_site_is_a_problem(meta: str) -> None:
    with pytest.raises(SourceProblem, match="hijacked"):
        _refresh_check(meta)


@pytest.mark.parametrize(
    "meta",
    [
        "<meta http-equiv='refresh' content='300'>",
        "<meta http-equiv='refresh' content='0;url=https://www.fhi.no/ny-side'>",
        "<meta http-equiv='refresh' content='0;url=/ny-side'>",
        "<meta http-equiv='refresh' content='30;url=https://www.example.com/'>",
    ],
)
def test_a_meta_refresh_on_the_site_or_after_a_delay_is_no_problem(meta: str) -> None:
    assert not _refresh_check(meta).changes


# ------------------------------------------------- D: invisible characters, fullwidth digits


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Meld smittsame sjukdomar til MSIS.", "Meld\u200c smitt\u2063same sjuk\ufeffdomar til MSIS."),
        ("Meld smittsomme sykdommer til MSIS.", "Meld\u034f smitt\u2061somme syk\u2064dommer til MSIS."),
        ("Gi 400 mg inntil 3 ganger.", "Gi ４００ mg inntil ３ ganger."),
        ("Gje 400 mg inntil 3 gonger.", "Gje ４００ ｍｇ inntil ３ gonger."),
    ],
)  # fmt: skip
def test_invisible_characters_and_fullwidth_digits_are_no_change(before: str, after: str) -> None:
    assert changed(_main(f"<p>{before}</p>"), _main(f"<p>{after}</p>")) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [("Gi 400 mg inntil 3 ganger.", "Gi ４００ mg inntil ４ ganger."),
     ("Gje 400 mg inntil 3 gonger.", "Gje 4\u200b00 mg inntil 4 gonger.")],
)  # fmt: skip
def test_a_digit_changed_beside_them_is_read(before: str, after: str) -> None:
    assert changed(_main(f"<p>{before}</p>"), _main(f"<p>{after}</p>")) != []


def test_other_compatibility_characters_stay() -> None:
    assert "m²" in page(_main("<p>Rom på 20 m² og ½ dose.</p>")).sections[-1].text


# ---------------------------------------------------------------------- E: hidden text


@pytest.mark.parametrize(
    "style",
    ["display:none", "visibility: hidden", "position:absolute;left:-9999px", "text-indent:-9999px"],
)
@pytest.mark.parametrize(
    ("old", "new"),
    [("reisevaksine gul feber billig", "reisevaksine rabies gratis"),
     ("reisevaksine gul feber billeg", "reisevaksine tyfoid gratis")],
)  # fmt: skip
def test_text_an_inline_style_hides_is_no_content(style: str, old: str, new: str) -> None:
    before = _main(f"<p>Sjekk vaksinane.</p><div style='{style}'>{old}</div>")
    after = _main(f"<p>Sjekk vaksinane.</p><div style='{style}'>{new}</div>")
    assert changed(before, after) == []


@pytest.mark.parametrize(
    "duty", ["Alle ansatte skal bruke munnbind.", "Alle tilsette skal bruke munnbind."]
)
def test_a_visible_duty_hidden_by_a_style_is_removed(duty: str) -> None:
    before = _main(f"<p>Vask hendene.</p><p>{duty}</p>")
    after = _main(f"<p>Vask hendene.</p><p style='display: none'>{duty}</p>")
    assert changed(before, after) == [("changed", ("Fastlege", "Bestill time"))]


@pytest.mark.parametrize(
    "panel",
    [
        "<button aria-expanded='false' aria-controls='p1'>Vis</button>"
        "<div id='p1' style='display:none'>{text}</div>",
        "<button aria-expanded='false'>Vis meir</button><div style='display:none'>{text}</div>",
        "<div class='accordion__content' style='display:none'>{text}</div>",
        "<div class='c-tabs'><div style='display: none'>{text}</div></div>",
        "<details><summary>Meir</summary><div style='display:none'>{text}</div></details>",
    ],
)
@pytest.mark.parametrize(
    ("old", "new"),
    [("Dosen er 2 tablettar.", "Dosen er 3 tablettar."),
     ("Dosen er 2 tabletter.", "Dosen er 3 tabletter.")],
)  # fmt: skip
def test_accordion_and_tab_content_stays_content(panel: str, old: str, new: str) -> None:
    before = _main(panel.format(text=old))
    after = _main(panel.format(text=new))
    assert changed(before, after) != []


def test_a_new_bare_link_in_a_feed_of_bare_links_is_told() -> None:
    old = [f"<item><link>https://www.fhi.no/nyheiter/{n}/</link></item>" for n in range(1, 4)]
    new = "<item><link>https://www.fhi.no/nyheiter/9/</link></item>"
    detection = _feed_check(new, old)
    assert detection.held_reason is None and len(detection.changes) == 1
