"""Blind rounds 263-266's rules, both ways, bokmål and nynorsk:

- a feed's full text cut to a teaser that starts it ("… fra …"), its paragraphs joined, is
  the same text (263);
- a copy of an item that stays (the same title and text under another GUID) taken out of
  the feed is a duplicate cleaned away, not a withdrawal (263);
- advice moved word for word into a chapter of what no longer applies ("Historikk",
  "Tidlegare råd") is told; a report filed in the archive is not (264, as round 72);
- a Bluesky share button is a share link (264);
- "kr 185" and "185,-", "kl. 09.00–15.00" and "frå klokka 9 til 15" are the same (265);
- a box of today's hours labelled in bold ("I dag, mandag 7. desember:") is furniture (265).
"""

from __future__ import annotations

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult, SnapshotState
from tests.support.pages import changed

URL = "https://www.example.no/rss"
SPEC = SourceSpec(key="t", name="Nyheter", url=URL, kind="feed", authority="test")


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (guid, title, description) items, dated a day apart, newest first."""
    body = "".join(
        f"<item><title>{title}</title><link>https://www.example.no/sak/{guid}</link>"
        f"<guid>https://www.example.no/sak/{guid}</guid>"
        f"<pubDate>{'Fri Thu Wed Tue Mon Sun Sat'.split()[n]}, 0{4 - n if n < 4 else 1} Dec "
        f"2026 10:00:00 +0100</pubDate><description>{text}</description></item>"
        for n, (guid, title, text) in enumerate(items)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Nyheter"
        f"</title><link>https://www.example.no/</link>{body}</channel></rss>"
    ).encode()


def run(*versions: bytes) -> Detection:
    state: SnapshotState | None = None
    detection = None
    for body in versions:
        detection = detect(SPEC, FetchResult(URL, 200, body), state)
        if detection.state is not None:
            state = state_from_blob(state_to_blob(detection.state))
    assert detection is not None
    return detection


LONG = {
    "nb": "&lt;p&gt;Folkehelseinstituttet anbefaler at alle spedbarn får tilbud om antistoffet "
    "før utskrivning fra fødeavdelingen.&lt;/p&gt;&lt;p&gt;Dosen er 50 mg for barn under 5 "
    "kg.&lt;/p&gt;",
    "nn": "&lt;p&gt;Folkehelseinstituttet tilrår at alle spedbarn får tilbod om antistoffet "
    "før utskriving frå fødeavdelinga.&lt;/p&gt;&lt;p&gt;Dosen er 50 mg for born under 5 "
    "kg.&lt;/p&gt;",
}
CUT = {
    "nb": "Folkehelseinstituttet anbefaler at alle spedbarn får tilbud om antistoffet før "
    "utskrivning fra fødeavdelingen. Dosen er 50 …",
    "nn": "Folkehelseinstituttet tilrår at alle spedbarn får tilbod om antistoffet før "
    "utskriving frå fødeavdelinga. Dosen er 50 …",
}
OTHERS = [("a1", "Ukerapport uke 48", "Lav aktivitet."), ("a2", "Nytt rundskriv", "Sendt ut.")]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_full_text_cut_to_a_teaser_across_paragraphs_is_no_edit(lang: str) -> None:
    before = rss([OTHERS[0], ("rsv", "RSV-forebygging", LONG[lang]), OTHERS[1]])
    after = rss([OTHERS[0], ("rsv", "RSV-forebygging", CUT[lang]), OTHERS[1]])
    assert run(before, after).changes == ()
    edited = rss([OTHERS[0], ("rsv", "RSV-forebygging", CUT[lang].replace("50", "100")), OTHERS[1]])
    assert [c.kind for c in run(before, edited).changes] == ["changed"]


def test_a_duplicate_taken_out_is_no_withdrawal_but_another_item_is() -> None:
    item = ("flu", "Influensasesongen er i gang", "Andelen positive prøver økte til 8,4 prosent.")
    copy = ("flu-2", *item[1:])
    other = ("rsv", "RSV øker blant barn", "Flere innleggelser siste uke.")
    with_copy = rss([OTHERS[0], item, copy, OTHERS[1]])
    assert (
        run(with_copy, rss([OTHERS[0], item, OTHERS[1]]), rss([OTHERS[0], item, OTHERS[1]])).changes
        == ()
    )
    with_other = rss([OTHERS[0], item, other, OTHERS[1]])
    gone = run(with_other, rss([OTHERS[0], item, OTHERS[1]]), rss([OTHERS[0], item, OTHERS[1]]))
    assert [c.kind for c in gone.changes] == ["removed"]


def chapter(current: str, history: str, title: str = "Historikk") -> str:
    return (
        f"<main><h1>Meslinger – veileder</h1><h2>Tiltak ved utbrudd</h2><p>Meld til FHI.</p>"
        f"{current}<h2>{title}</h2><p>Endringer i veilederen.</p>{history}</main>"
    )


@pytest.mark.parametrize(
    ("title", "advice"),
    [
        ("Historikk", "Uvaksinerte søsken bør holdes hjemme i inkubasjonstiden."),
        ("Tidlegare råd", "Uvaksinerte sysken bør haldast heime i inkubasjonstida."),
    ],
)
def test_advice_moved_under_history_is_told(title: str, advice: str) -> None:
    section = f"<h3>Eksklusjon fra barnehage</h3><p>{advice}</p>"
    assert changed(chapter(section, "", title), chapter("", section, title)) != []


def test_a_report_filed_in_the_archive_is_not_told() -> None:
    section = "<h3>Sesongen 2026/2027</h3><p>Om lag 41 000 spedbarn fikk tilbud om antistoff.</p>"
    assert changed(chapter(section, "", "Arkiv"), chapter("", section, "Arkiv")) == []
    assert changed(chapter(section, "", "Om siden"), chapter("", section, "Om siden")) == []


def share_bar(extra: str) -> str:
    return (
        "<main><h1>Kikhoste</h1><div><span>Del:</span>"
        "<a href='https://www.facebook.com/sharer/sharer.php?u=x'>Facebook</a>"
        f"{extra}</div><h2>Råd</h2><p>Vaksiner gravide.</p></main>"
    )


def test_a_bluesky_share_button_is_a_share_link() -> None:
    added = "<a href='https://bsky.app/intent/compose?text=Kikhoste'>Bluesky</a>"
    assert changed(share_bar(""), share_bar(added)) == []


def page(text: str) -> str:
    return f"<main><h1>Legevakt</h1><h2>Opningstider</h2><p>{text}</p></main>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Egenandel: kr 185 for konsultasjon.", "Egenandel: 185,- for konsultasjon."),
        ("Legekontoret held ope kl. 09.00–15.00 i romjula.",
         "Legekontoret held ope frå klokka 9 til 15 i romjula."),
        ("Telefonen er åpen kl. 08.00–16.00.", "Telefonen er åpen fra kl. 8 til kl. 16."),
    ],
)  # fmt: skip
def test_amounts_and_hours_written_otherwise_are_the_same(before: str, after: str) -> None:
    assert changed(page(before), page(after)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Egenandel: kr 185 for konsultasjon.", "Egenandel: 195,- for konsultasjon."),
        ("Legekontoret held ope kl. 09.00–15.00 i romjula.",
         "Legekontoret held ope frå klokka 9 til 14 i romjula."),
    ],
)  # fmt: skip
def test_another_amount_or_hour_is_told(before: str, after: str) -> None:
    assert changed(page(before), page(after)) != []


def office(today: str, hours: str = "Bestill time via Helsenorge.") -> str:
    return (
        "<main><article><h1>Sentrum legekontor</h1>"
        f"<div class='opening'><strong>{today}</strong> åpent kl. 08.00–15.30.</div>"
        f"<p>Fire fastleger.</p><h2>Timebestilling</h2><p>{hours}</p></article></main>"
    )


def test_a_box_of_todays_hours_labelled_in_bold_is_furniture() -> None:
    before, after = office("I dag, mandag 7. desember:"), office("I dag, tirsdag 8. desember:")
    assert changed(before, after) == []
    assert changed(before, office("I dag, tirsdag 8. desember:", "Ring 57 00 10 00.")) != []
    # a bold label of other words is read
    assert changed(office("Merk:"), office("Merk deg:")) != []
