"""Blind rounds 50 and 51's rules, both ways, bokmål and nynorsk:

- round 50 (news corrected after publication): a photo credit after a caption's sentence, a
  byline ("Skrevet av: ..."), a recording's link named for what it records and its length
  are furniture; the caption, a sentence naming the authors, and the announcement are read;
- round 51 (pages of numbers): a number with zero decimals is the whole number ("12,0 %" is
  "12 %"), a figures' update stamp ("Tall oppdatert ...", "Tala vart sist oppdaterte ..."), a
  file's download counter, a page-view counter over a period and a table's sort label are
  furniture; another figure, a sentence about the update or about downloads is read.
"""

from __future__ import annotations

import pytest

from feeds.types import PageContent
from tests.support.pages import article, kinds

LANGS = ["nb", "nn"]


def news(lang: str, extra: str) -> PageContent:
    lead = {
        "nb": "Helseministeren besøkte legevakten i Bodø for å lære om samarbeid.",
        "nn": "Helseministeren besøkte legevakta i Bodø for å lære om samarbeid.",
    }[lang]
    return article("Besøk på legevakten", f"<p>{lead}</p>{extra}")


CAPTION = {
    "nb": "Helseministeren i samtale med legevaktlegen.",
    "nn": "Helseministeren i samtale med legevaktlegen.",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Foto: Torbjørn Tandberg / HOD", "Foto: Ilja C. Hendel / Regjeringen"),
        ("Foto: NTB", "Bilete: Gjøvik kommune"),
    ],
)
def test_a_credit_after_a_caption_follows_the_photo(lang: str, old: str, new: str) -> None:
    def page(credit: str) -> PageContent:
        return news(lang, f"<figure><figcaption>{CAPTION[lang]} {credit}</figcaption></figure>")

    assert kinds(page(old), page(new)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_caption_or_a_credit_that_says_something_is_read(lang: str) -> None:
    def page(caption: str) -> PageContent:
        return news(lang, f"<figure><figcaption>{caption}</figcaption></figure>")

    credit = " Foto: NTB"
    assert kinds(page(CAPTION[lang] + credit), page("Ministeren på legevakta." + credit)) == [
        "changed"
    ]
    assert kinds(
        page("Bilde av huden. Foto: Utslett ved meslinger"),
        page("Bilde av huden. Foto: Utslett ved vannkopper"),
    ) == ["changed"]


BYLINE = {"nb": "Skrevet av", "nn": "Skrive av"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_byline_is_who_wrote_not_what(lang: str) -> None:
    def page(names: str) -> PageContent:
        return news(lang, f"<p class='byline'>{BYLINE[lang]}: {names}</p>")

    before = page("Kari Holm, seniorrådgiver, og Nils Aasen, kommunikasjonsrådgiver")
    after = page("Kari Holm, seniorrådgiver, og Marte Sunde, kommunikasjonsrådgiver")
    assert kinds(before, after) == []


def test_a_sentence_naming_the_authors_is_read() -> None:
    before = news("nb", "<p>Rapporten er skrevet av Kari Holm og Nils Aasen.</p>")
    after = news("nb", "<p>Rapporten er skrevet av Kari Holm og Marte Sunde.</p>")
    assert kinds(before, after) == ["changed"]


RECORDING = {
    "nb": ("Se opptak av pressekonferansen her", "Varighet: 38:12"),
    "nn": ("Sjå opptak av pressekonferansen her", "Varigheit 38:12"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_recording_link_and_its_length_are_the_players(lang: str) -> None:
    link, length = RECORDING[lang]
    announcement = "<p>Pressekonferanse tysdag 11. mars kl. 13.00 med helseministeren.</p>"
    before = article("Pressekonferanse", f"<h2>Nett-tv</h2>{announcement}")
    after = article(
        "Pressekonferanse",
        f"<h2>Nett-tv</h2><p><a href='/v'>{link}</a></p><p>{length}</p>{announcement}",
    )
    assert kinds(before, after) == []
    moved = announcement.replace("kl. 13.00", "kl. 14.00")
    assert kinds(before, article("Pressekonferanse", f"<h2>Nett-tv</h2>{moved}")) == ["changed"]


FIGURES = {
    "nb": ("Andelen positive prøver steg til {} i uke 48.", "Tall oppdatert {} kl. 13.00"),
    "nn": (
        "Delen positive prøver steig til {} i veke 48.",
        "Tala vart sist oppdaterte {} kl. 13.00",
    ),
}


def figures(lang: str, share: str, stamp: str = "4. desember 2026", extra: str = "") -> PageContent:
    sentence, label = FIGURES[lang]
    body = f"<p>{label.format(stamp)}</p><h2>Influensa</h2><p>{sentence.format(share)}</p>{extra}"
    return article("Luftveisinfeksjoner – ukerapport", body)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("old", "new"), [("12,0 %", "12 %"), ("4 %", "4,00 %"), ("8,0 prosent", "8 %")]
)
def test_a_number_with_zero_decimals_is_the_whole_number(lang: str, old: str, new: str) -> None:
    assert kinds(figures(lang, old), figures(lang, new)) == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("old", "new"), [("12,0 %", "12,5 %"), ("12,05 %", "12 %"), ("120 %", "12 %")]
)
def test_another_figure_is_read(lang: str, old: str, new: str) -> None:
    assert kinds(figures(lang, old), figures(lang, new)) == ["changed"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_figures_update_stamp_follows_the_clock(lang: str) -> None:
    before = figures(lang, "12 %", "4. desember 2026")
    assert kinds(before, figures(lang, "12 %", "5. desember 2026")) == []


def test_a_sentence_about_the_update_is_read() -> None:
    before = figures("nb", "12 %", extra="<p>Tallene oppdateres hver mandag.</p>")
    after = figures("nb", "12 %", extra="<p>Tallene oppdateres hver fredag.</p>")
    assert kinds(before, after) == ["changed"]


COUNTERS = {
    "nb": ("Lastet ned {} ganger", "Sidevisninger siste 30 dager: {}"),
    "nn": ("Lasta ned {} gonger", "Sidevisningar siste 30 dagar: {}"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_download_and_view_counters_follow_the_readers(lang: str) -> None:
    downloads, views = COUNTERS[lang]

    def page(n: str, m: str) -> PageContent:
        body = (
            f"<h2>Datasett</h2><ul><li><a href='/a.csv'>Influensavaksine per kommune (CSV)</a> "
            f"<span>{downloads.format(n)}</span></li></ul>"
            f"<h2>Vilkår for bruk</h2><p>Dataene kan brukes fritt.</p><p>{views.format(m)}</p>"
        )
        return article("Statistikkbank", body)

    assert kinds(page("1 482", "12 804"), page("1 507", "13 116")) == []


def test_a_sentence_counting_downloads_is_read() -> None:
    before = article("Rapport", "<p>Rapporten er lastet ned 1 482 ganger.</p>")
    after = article("Rapport", "<p>Rapporten er lastet ned 2 482 ganger.</p>")
    assert kinds(before, after) == ["changed"]


SORT = {"nb": ("Sortert etter: Fylke (A–Å)", "Sortert etter: Antall tilfeller"),
        "nn": ("Sortert etter: Fylke (A–Å)", "Sortert etter: Tal tilfelle")}  # fmt: skip


def counties(label: str, rows: list[tuple[str, str]]) -> PageContent:
    cells = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
    body = (
        f"<h2>Meldte tilfeller</h2><p>{label}</p>"
        f"<table><thead><tr><th>Fylke</th><th>Tilfeller</th></tr></thead><tbody>{cells}</tbody></table>"
    )
    return article("Kikhoste per fylke", body)


ROWS = [("Agder", "41"), ("Oslo", "131"), ("Vestland", "71")]


@pytest.mark.parametrize("lang", LANGS)
def test_a_table_sorted_otherwise_with_its_sort_label_is_the_same(lang: str) -> None:
    by_name, by_count = SORT[lang]
    before = counties(by_name, ROWS)
    after = counties(by_count, sorted(ROWS, key=lambda r: -int(r[1])))
    assert kinds(before, after) == []
    assert kinds(
        before, counties(by_count, [("Agder", "41"), ("Oslo", "131"), ("Vestland", "83")])
    ) == ["changed"]


def test_a_line_about_sorting_is_read() -> None:
    before = article("Avfall", "<p>Sortering av avfall fra pasienter med ebola</p>")
    after = article("Avfall", "<p>Sortering av avfall fra pasienter med mpox</p>")
    assert kinds(before, after) == ["changed"]
