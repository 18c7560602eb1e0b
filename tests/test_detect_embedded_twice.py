"""Three open cases of blind round 18, met: a document shown in a frame is read by its title
and file name (a new plan in the frame is a change), a page whose whole content a CMS renders
twice is read once (no alert for a duplicated page), and a page whose template prints one
paragraph in a loop is a source problem. Tested both ways, bokmål and nynorsk."""

from __future__ import annotations

import pytest

from feeds.detect.diff import diff_pages
from feeds.errors import SourceProblem
from feeds.read.html import MAX_REPEATS, extract_page
from feeds.types import PageContent


def page(inner: str, pdfs_followed: bool = False) -> PageContent:
    html = (
        "<!DOCTYPE html><html lang='nn'><head><meta charset='utf-8'><title>Side</title></head>"
        "<body><header><nav><a href='/'>Forside</a></nav></header>"
        f"<main id='main'><article>{inner}</article></main>"
        "<footer>Kontakt oss</footer></body></html>"
    )
    return extract_page(html.encode(), selector="main", pdfs_followed=pdfs_followed)


def changes(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


PLAN = {
    "nynorsk": ("Smittevernplan for Kvam herad", "Planen er vedteken av kommunestyret."),
    "bokmål": ("Smittevernplan for Voss kommune", "Planen er vedtatt av kommunestyret."),
}


def framed(lang: str, element: str) -> str:
    heading, lead = PLAN[lang]
    return f"<h1>{heading}</h1><p>{lead}</p>{element}"


# ------------------------------------------------------------ a document in a frame


@pytest.mark.parametrize("lang", sorted(PLAN))
@pytest.mark.parametrize(
    "old, new",
    [
        (
            "<iframe src='/dokument/smittevernplan-2023-2026.pdf' title='Smittevernplan 2023–2026'></iframe>",
            "<iframe src='/dokument/smittevernplan-2026-2029.pdf' title='Smittevernplan 2026–2029'></iframe>",
        ),
        # the same title, a new file: the frame's file name tells
        (
            "<iframe src='/dokument/plan-v1.pdf' title='Smittevernplan'></iframe>",
            "<iframe src='/dokument/plan-v2.pdf' title='Smittevernplan'></iframe>",
        ),
        (
            "<embed src='/dokument/plan-2023.pdf' type='application/pdf'>",
            "<embed src='/dokument/plan-2026.pdf' type='application/pdf'>",
        ),
        (
            "<object data='/dokument/plan-2023.pdf' type='application/pdf'>Last ned planen</object>",
            "<object data='/dokument/plan-2026.pdf' type='application/pdf'>Last ned planen</object>",
        ),
    ],
)
def test_a_new_document_in_a_frame_is_a_change(lang: str, old: str, new: str) -> None:
    heading = PLAN[lang][0]
    assert changes(framed(lang, old), framed(lang, new)) == [("changed", (heading,))]


def test_a_framed_document_is_read_as_a_line_with_its_title_and_file() -> None:
    read = page(framed("nynorsk", "<iframe src='/d/plan.pdf' title='Smittevernplan'></iframe>"))
    assert read.sections[0].text.splitlines()[-1] == "Smittevernplan (plan.pdf)"
    # a title that names the file already is read alone; no title: the file name
    read = page(framed("bokmål", "<iframe src='/d/plan.pdf' title='Plan (plan.pdf)'></iframe>"))
    assert read.sections[0].text.splitlines()[-1] == "Plan (plan.pdf)"
    read = page(framed("bokmål", "<iframe src='/d/plan.pdf'></iframe>"))
    assert read.sections[0].text.splitlines()[-1] == "plan.pdf"


@pytest.mark.parametrize("lang", sorted(PLAN))
@pytest.mark.parametrize(
    "old, new",
    [
        # a video or a map in a frame is no document: dropped, whatever it shows
        (
            "<iframe src='https://www.youtube.com/embed/abc' title='Film om vaksine'></iframe>",
            "<iframe src='https://www.youtube.com/embed/xyz' title='Ny film om vaksine'></iframe>",
        ),
        # the same file in a new folder, or with a new cache-busting token
        (
            "<iframe src='/a1/smittevernplan.pdf' title='Smittevernplan'></iframe>",
            "<iframe src='/b2/smittevernplan-3f9a2b7c1d.pdf?v=2' title='Smittevernplan'></iframe>",
        ),
    ],
)
def test_a_frame_of_no_new_document_stays_quiet(lang: str, old: str, new: str) -> None:
    assert changes(framed(lang, old), framed(lang, new)) == []


def test_a_framed_pdf_is_not_read_where_the_pages_pdfs_are_its_parts() -> None:
    inner = framed("bokmål", "<iframe src='/d/plan.pdf' title='Smittevernplan'></iframe>")
    assert "plan.pdf" not in page(inner, pdfs_followed=True).sections[0].text
    assert "plan.pdf" in page(inner).sections[0].text


# ------------------------------------------------------------ a page rendered twice

ARTICLE = {
    "nynorsk": (
        "<h1>Vaksinering mot influensa</h1><p>Kvam herad tilbyr influensavaksine.</p>"
        "<h2>Kven bør ta vaksinen</h2><p>Alle som er 65 år eller eldre.</p>"
        "<h2>Timebestilling</h2><p>Ring helsestasjonen måndag til fredag.</p>"
    ),
    "bokmål": (
        "<h1>Vaksinering mot influensa</h1><p>Voss kommune tilbyr influensavaksine.</p>"
        "<h2>Hvem bør ta vaksinen</h2><p>Alle som er 65 år eller eldre.</p>"
        "<h2>Timebestilling</h2><p>Ring helsestasjonen mandag til fredag.</p>"
    ),
}


@pytest.mark.parametrize("lang", sorted(ARTICLE))
@pytest.mark.parametrize("copies", [2, 3])
def test_a_page_rendered_twice_is_read_once(lang: str, copies: int) -> None:
    article = ARTICLE[lang]
    assert changes(article, article * copies) == []
    assert changes(article * copies, article) == []
    assert page(article * copies).sections == page(article).sections


@pytest.mark.parametrize("lang", sorted(ARTICLE))
def test_a_change_in_a_copy_or_a_copy_among_other_content_is_reported(lang: str) -> None:
    article = ARTICLE[lang]
    # the second copy differs: not a rendering loop, both copies are read
    edited = article.replace("65 år", "60 år")
    assert changes(article, article + edited) == [
        ("added", ("Vaksinering mot influensa", "#2")),
        (
            "added",
            (
                "Vaksinering mot influensa",
                "Kven bør ta vaksinen" if lang == "nynorsk" else "Hvem bør ta vaksinen",
                "#2",
            ),
        ),
        ("added", ("Vaksinering mot influensa", "Timebestilling", "#2")),
    ]
    # a section repeated on a page with other sections stays counted
    extra = article[article.index("<h2>Timebestilling") :]
    assert [s.path for s in page(article + extra).sections][-2:] == [
        ("Vaksinering mot influensa", "Timebestilling"),
        ("Vaksinering mot influensa", "Timebestilling"),
    ]


# ------------------------------------------------------------ a paragraph printed in a loop

LINE = {
    "bokmål": "Vaksinen skal oppbevares i kjøleskap ved 2–8 °C.",
    "nynorsk": "Vaksinen skal lagrast i kjøleskap ved 2–8 °C heile tida.",
}


@pytest.mark.parametrize("lang", sorted(LINE))
def test_a_paragraph_printed_in_a_loop_is_a_source_problem(lang: str) -> None:
    loop = f"<p>{LINE[lang]}</p>" * (MAX_REPEATS + 1)
    with pytest.raises(SourceProblem, match="in a row"):
        page(f"<h1>Oppbevaring</h1>{loop}<h2>Transport</h2><p>Bruk kjølebag.</p>")


@pytest.mark.parametrize("lang", sorted(LINE))
def test_repeats_short_of_a_loop_are_read_once_or_as_they_stand(lang: str) -> None:
    # a long line printed twice in a row is read once; up to the limit, still a page
    twice = page(f"<h1>Oppbevaring</h1>{f'<p>{LINE[lang]}</p>' * 2}")
    assert twice.sections[0].text == LINE[lang]
    near = page(f"<h1>Oppbevaring</h1>{f'<p>{LINE[lang]}</p>' * MAX_REPEATS}")
    assert near.sections[0].text == LINE[lang]
    # short lines (table cells, "Ja") repeat legitimately, however often
    cells = page(f"<h1>Tabell</h1>{'<p>Ja</p>' * (MAX_REPEATS + 5)}")
    assert cells.sections[0].text.count("Ja") == MAX_REPEATS + 5
    # the same long line apart (a warning under each of two drugs) is read each time
    apart = page(f"<h1>Råd</h1>{f'<p>{LINE[lang]}</p><p>Neste punkt.</p>' * 3}")
    assert apart.sections[0].text.count(LINE[lang]) == 3
