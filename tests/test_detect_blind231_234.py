"""Blind rounds 231-234's rules, both ways, bokmål and nynorsk:

- a table of contents of two links to places on the page, in a box named so, is one;
- a listing's count ("Viser 6 av 318 nyheter") and a "Festet" badge are furniture;
- a span of two times written with colons ("15:30 – 08:00") is the span with points;
- a situation report's running number, alone or with the page's stamp on its line, and a
  countdown to an event in words ("startar om 3 timar og 12 minutt") are furniture;
- a CDN's cached copy ("Du ser ein bufra versjon av sida, levert av Cloudflare Always
  Online") is a source problem.
"""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.types import fold
from tests.support.pages import changed, text


def test_a_contents_list_of_two_links_in_a_box_named_so_is_one() -> None:
    toc = "<nav class='toc' aria-label='Innhold'><ul>{}</ul></nav>"
    items = "".join(f"<li><a href='#p{i}'>{h}</a></li>" for i, h in enumerate(["A", "B"]))
    page = f"<main><h1>Legevakt</h1><p>Kommentarar.</p>{toc.format(items)}<h2>A</h2><p>x</p><h2>B</h2><p>y</p></main>"
    assert "• A" not in text(page)
    # a list of two links elsewhere is read
    plain = (
        "<main><h1>L</h1><ul><li><a href='#p0'>A</a></li><li><a href='#p1'>B</a></li></ul></main>"
    )
    assert "A" in text(plain)


@pytest.mark.parametrize("counted", ["Viser 6 av {} nyheter", "Viser 6 av {} nyheiter"])
def test_a_listings_count_is_furniture(counted: str) -> None:
    page = "<main><h1>Nyheter</h1><h2>Ny veileder</h2><p>Teaser.</p><p>{}</p></main>"
    assert changed(page.format(counted.format(318)), page.format(counted.format(321))) == []


@pytest.mark.parametrize("badge", ["Festet", "Festa"])
def test_a_pinned_badge_is_furniture(badge: str) -> None:
    page = "<main><h1>Nyheter</h1><p>Om oss.</p>{}<h2>Utbrot</h2><p>Sju er sjuke.</p></main>"
    pinned = f"<span class='badge badge--pinned'>{badge}</span>"
    assert changed(page.format(pinned), page.format("")) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [("Mandag–fredag 15.30–08.00", "Mandag – fredag 15:30 – 08:00"),
     ("Måndag–fredag 08.00–15.30", "Måndag - fredag 08:00-15:30")],
)  # fmt: skip
def test_a_span_of_times_with_colons_is_the_span_with_points(before: str, after: str) -> None:
    assert fold(before) == fold(after)
    assert fold("15.30–08.00") != fold("15:30–09:00")


REPORT = {
    "nb": ("Situasjonsrapport nr. {}", "Pressekonferansen starter om {}."),
    "nn": ("Situasjonsrapport nr. {} · Sist oppdatert: 7. desember 2026 kl. 07.00",
           "Pressekonferansen startar om {}."),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_reports_number_and_a_countdown_in_words_are_furniture(lang: str) -> None:
    number, countdown = REPORT[lang]
    page = "<main><h1>Meslingutbrot</h1><p>{}</p><h2>Pressekonferanse</h2><p>{}</p><p>Kl. 14.00.</p></main>"
    before = page.format(number.format(12), countdown.format("3 timar og 12 minutt"))
    after = page.format(number.format(13), countdown.format("41 minutt"))
    assert changed(before, after) == []
    moved = after.replace("Kl. 14.00.", "Kl. 15.00.")
    assert changed(before, moved) != []


def test_a_cdns_cached_copy_is_a_source_problem() -> None:
    cached = (
        "<html><body><main><div class='cf-banner'>Denne nettsida er for tida fråkopla. Du ser "
        "ein bufra versjon av sida, levert av Cloudflare Always Online™.</div><h1>Meslingar</h1>"
        "<p>Situasjonsrapport nr. 9.</p></main></body></html>"
    )
    with pytest.raises(SourceProblem, match="error, maintenance or challenge"):
        extract_page(cached.encode(), {}, "main")
