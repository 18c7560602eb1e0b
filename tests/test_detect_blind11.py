"""The eleventh outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a share button's count ("Del på Facebook (187)", "Del (12)") and a "Tips oss" / "Gi
tilbakemelding" box of little text with a feedback link are furniture. Each rule with a guard
that a real change beside it, or a sentence or section of content, is still read."""

from __future__ import annotations

import pytest

from tests.support.pages import changed, text

# ----------------------------------------------------------------------------- share counts

ARTICLE = "<main><h1>RS-virus</h1><p>Anbefalingen gjelder fra 1. oktober.</p>{}</main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "<a>Del på Facebook (12)</a> <a>Del på X</a>",
            "<a>Del på Facebook (187)</a> <a>Del på X</a>",
        ),
        ("<a>Del (12)</a>", "<a>Del (1 204)</a>"),
        ("<a>Del på Facebook (3)</a>", "<a>Del på Facebook (40)</a>"),
        (
            "<a>Del på LinkedIn (3)</a> | <a>Del på e-post</a>",
            "<a>Del på LinkedIn (4)</a> | <a>Del på e-post</a>",
        ),
    ],
)
def test_a_share_buttons_count_is_noise(before: str, after: str) -> None:
    assert "Del" not in text(ARTICLE.format(f"<div>{after}</div>"))
    assert (
        changed(ARTICLE.format(f"<div>{before}</div>"), ARTICLE.format(f"<div>{after}</div>")) == []
    )


def test_a_real_change_beside_a_share_count_and_sentences_with_numbers_are_read() -> None:
    before = ARTICLE.format("<div><a>Del på Facebook (12)</a></div>")
    after = before.replace("(12)", "(187)").replace("1. oktober", "1. november")
    assert changed(before, after) == [("changed", ("RS-virus",))]
    # a part's number, and a sentence that tells a share, are content
    assert "Del 2" in text(ARTICLE.format("<p>Del 2</p>"))
    assert "(12)" in text(ARTICLE.format("<p>Del dosen i to (12).</p>"))


# ----------------------------------------------------------------------------- "Tips oss" box

REPORT = (
    "<main><h1>Meldingssystem</h1><h2>Hva skal meldes</h2>"
    "<p>Alle tilfeller i gruppe A skal meldes.</p>{}</main>"
)


@pytest.mark.parametrize(
    ("heading", "link"),
    [
        ("Tips oss", '<a href="/tips">Send tips</a>'),
        ("Tips oss om feil", '<a href="mailto:post@example.no">Send e-post</a>'),
        ("Gi tilbakemelding", '<a href="/skjema/feedback">Skjema</a>'),
        ("Gje tilbakemelding", '<a href="/kontakt">Skriv til oss (tilbakemelding)</a>'),
    ],
)
def test_a_tips_oss_box_is_a_widget(heading: str, link: str) -> None:
    box = '<div class="box"><h2>{}</h2><p>{}</p>{}</div>'
    before = REPORT.format(
        box.format(heading, "Har du sett en feil på siden? Gi oss beskjed.", link)
    )
    after = REPORT.format(
        box.format(heading, "Ser du noe som er feil eller mangler? Tips oss!", link)
    )
    assert heading not in text(after)
    assert changed(before, after) == []


def test_a_tips_oss_section_of_content_is_read() -> None:
    # instructions with a phone number under their own heading
    section = (
        '<div class="box"><h2>Tips oss om smittetilfelle</h2><p>Ring {}.</p>'
        '<a href="/tips">Send tips</a></div>'
    )
    before, after = (
        REPORT.format(section.format("22 00 00 00")),
        REPORT.format(section.format("22 11 11 11")),
    )
    assert changed(before, after) == [("changed", ("Meldingssystem", "Tips oss om smittetilfelle"))]
    # a "Tips oss" box of substantial text
    long = "Meld fra om alle tilfeller av legionella til kommuneoverlegen samme dag. " * 3
    box = '<div class="box"><h2>Tips oss</h2><p>{}</p><a href="/tips">Send tips</a></div>'
    assert "legionella" in text(REPORT.format(box.format(long)))
    # without a feedback link, a box headed "Tips oss" is read
    plain = '<div class="box"><h2>Tips oss</h2><p>Ring 22 00 00 00.</p></div>'
    assert "22 00 00 00" in text(REPORT.format(plain))
