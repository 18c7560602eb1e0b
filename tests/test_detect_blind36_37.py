"""Blind rounds 36 and 37's rules, both ways, bokmål and nynorsk: the live furniture of
booking, queue and duty widgets (today's duty doctor, an open/closed pill, a free-slot
counter, a waiting time and queue, a slot's places) and a table's empty cells written "–"
are no change; a block of spam links to many hosts of one domain is a source problem; the
sentences and cells that carry content in those words are read."""

from __future__ import annotations

import pytest

from feeds.errors import SourceProblem
from feeds.types import PageContent
from tests.support.pages import article, kinds

TITLE = {"nb": "Legevakt", "nn": "Legevakta i kommunen"}


def page(lang: str, body: str) -> PageContent:
    return article(TITLE[lang], f"<p>Ring 116 117 før du kjem.</p>{body}", site="Kommunen")


LIVE = {
    "nb": [
        ("Vakthavende lege i dag: dr. Aisha Rahman", "Vakthavende lege i dag: Morten Eliassen"),
        ("Åpent nå – ventetid ca. 40 min", "Stengt nå"),
        ("Ledige timer: 143", "Ledige timer: 37"),
        ("Du er nummer 3 i køen. Siden oppdateres automatisk.", "Du er nummer 12 i køen."),
        ("09:20 1 ledige", "09:20 Fullt"),
    ],
    "nn": [
        ("Vakthavande lege i dag: Kari Nordheim", "Vakthavande lege i dag: Olav Haugland"),
        ("Status: Ope no", "Status: Stengd no"),
        ("Forventa ventetid: 25 min", "Forventa ventetid: 5 min"),
        ("Det er 4 personar i kø", "Det er 1 person i kø"),
        ("10:00 4 ledige", "10:00 Fullt"),
    ],
}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_live_widget_furniture_is_no_change(lang: str) -> None:
    for old, new in LIVE[lang]:
        before, after = (
            page(lang, f"<h2>Status</h2><p>{old}</p>"),
            page(lang, f"<h2>Status</h2><p>{new}</p>"),
        )
        assert kinds(before, after) == [], old


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Vakthavende lege i dag har ansvar for hele Tromsø.", "Vakthavende lege i dag har ansvar for Tromsø og Karlsøy."),
        ("Det kan bli ventetid på drop-in.", "Det kan bli lang ventetid på drop-in i helgene."),
        ("Ledige timer blir lagt ut kvar måndag.", "Ledige timer blir lagt ut kvar fredag."),
        ("Legevakta er open nå i jula frå 08 til 22.", "Legevakta er open nå i jula frå 10 til 20."),
    ],
)  # fmt: skip
def test_sentences_about_the_widgets_are_read(old: str, new: str) -> None:
    before, after = (
        page("nb", f"<h2>Info</h2><p>{old}</p>"),
        page("nb", f"<h2>Info</h2><p>{new}</p>"),
    )
    assert kinds(before, after) == ["changed"]


def table(cells: list[tuple[str, str, str]]) -> str:
    rows = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in cells)
    return f"<h2>Opningstider</h2><table><tr><th>Dag</th><th>Dagtid</th><th>Kveld</th></tr>{rows}</table>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_empty_cells_written_as_a_dash_are_no_change(lang: str) -> None:
    blank = [("Måndag", "08–15", "16–20"), ("Tysdag", "08–15", ""), ("Fredag", "08–14", "")]
    dashed = [(a, b, c or "–") for a, b, c in blank]
    assert kinds(page(lang, table(blank)), page(lang, table(dashed))) == []
    assert kinds(page(lang, table(dashed)), page(lang, table(blank))) == []


def test_an_empty_cell_given_a_value_is_read() -> None:
    blank = [("Måndag", "08–15", "16–20"), ("Tysdag", "08–15", "–")]
    filled = [("Måndag", "08–15", "16–20"), ("Tysdag", "08–15", "16–20")]
    assert kinds(page("nn", table(blank)), page("nn", table(filled))) == ["changed"]


def spam_block(hosts: list[str]) -> str:
    links = "".join(
        f"<a href='https://{h}/'>Beste casino bonus {i}</a> " for i, h in enumerate(hosts)
    )
    return f"<div class='partners'>{links}</div>"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_spam_links_to_many_hosts_of_one_domain_are_a_problem(lang: str) -> None:
    hosts = [f"best-casino-{i}.example.ru" for i in range(12)]
    with pytest.raises(SourceProblem, match="spam links"):
        page(lang, spam_block(hosts))


def test_spam_words_on_two_hosts_are_read() -> None:
    read = page("nb", spam_block(["casino-a.example.ru", "casino-b.example.ru"]))
    assert "Beste casino bonus 1" in "\n".join(s.text for s in read.sections)
