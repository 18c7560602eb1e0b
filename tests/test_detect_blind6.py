"""The sixth outside check's open cases (tests/fixtures/detect_open/OPEN.md): a single-byte
charset declared over UTF-8 bytes, feed items without GUIDs whose link gains a tracking
parameter, file-size notes in link texts, a numbered step inserted, a page served in the
other written standard, and equivalent notations; each rule with a guard that a real change
beside it is still read."""

from __future__ import annotations

from html import escape

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import LANGUAGE_VARIANT, Detection, detect, written_standard
from feeds.detect.diff import diff_pages
from feeds.detect.notation import variant_spelling
from feeds.read.feed import extract_feed
from feeds.read.feedxml import feed_text
from feeds.read.html import extract_page
from feeds.read.normalize import decode_body
from feeds.types import FetchResult, PageContent


def page(body: str, selector: str | None = "main", head: str = "") -> PageContent:
    html = f"<html><head>{head}<title>Side</title></head><body>{body}</body></html>"
    return extract_page(html.encode(), selector=selector)


def changed(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


# ----------------------------------------------------------------------------- encoding

NYNORSK = "<main><h1>Førebuing</h1><p>Kommunane må sørgje for vaksinar på sjukeheimane.</p></main>"


def _html(meta: str, body: str = NYNORSK) -> str:
    return f"<html><head>{meta}<title>Side</title></head><body>{body}</body></html>"


def test_a_single_byte_meta_charset_over_utf8_bytes_is_utf8() -> None:
    for meta in ('<meta charset="windows-1252">', '<meta charset="iso-8859-1">'):
        body = _html(meta).encode("utf-8")
        assert "Førebuing" in decode_body(body)
        assert extract_page(body, selector="main").sections[0].path == ("Førebuing",)


def test_a_single_byte_http_charset_over_utf8_bytes_is_utf8() -> None:
    body = _html("").encode("utf-8")
    headers = {"content-type": "text/html; charset=ISO-8859-1"}
    assert "sørgje" in decode_body(body, headers)


def test_real_windows_1252_bytes_stay_windows_1252() -> None:
    # guard: bytes that are not valid UTF-8 are read by their declaration
    body = _html('<meta charset="windows-1252">', NYNORSK + "<p>“Sitat” – €</p>")
    text = decode_body(body.encode("cp1252"))
    assert "Førebuing" in text and "“Sitat” – €" in text


def test_a_multi_byte_charset_declared_is_not_overruled() -> None:
    # guard: only a single-byte declaration gives way; pure ASCII keeps its declaration
    assert decode_body(_html('<meta charset="windows-1252">', "<p>abc</p>").encode()) == _html(
        '<meta charset="windows-1252">', "<p>abc</p>"
    )
    sjis = _html('<meta charset="shift_jis">', "<p>日本</p>").encode("shift_jis")
    assert "日本" in decode_body(sjis)


def test_a_feed_declared_windows_1252_over_utf8_bytes_is_utf8() -> None:
    xml = '<?xml version="1.0" encoding="windows-1252"?><rss><channel><title>Nyheiter – sjukeheim på Øvre</title></channel></rss>'
    assert "Nyheiter – sjukeheim på Øvre" in feed_text(xml.encode("utf-8"))
    # guard: the same declaration over real Windows-1252 bytes
    assert "Nyheiter – sjukeheim på Øvre" in feed_text(xml.encode("cp1252"))


def test_a_real_change_beside_a_mis_declared_charset_is_seen() -> None:
    before = extract_page(_html('<meta charset="utf-8">').encode(), selector="main")
    after_body = _html(
        '<meta charset="windows-1252">', NYNORSK.replace("vaksinar", "vaksinar og munnbind")
    )
    after = extract_page(after_body.encode(), selector="main")
    assert [(c.kind, c.path) for c in diff_pages(before, after)] == [("changed", ("Førebuing",))]


# ----------------------------------------------------------------------------- feed links

FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Nyheiter</title>'
    "<item><title>Tilsyn med legevakta</title><link>{}</link><description>{}</description>"
    "<pubDate>Tue, 01 Dec 2026 09:30:00 +0100</pubDate></item></channel></rss>"
)
LINK = "https://www.statsforvalteren.no/nn/nyheiter/tilsyn-legevakt/"


def _item_id(link: str, text: str = "Tilsyn gjennomført.") -> str:
    return extract_feed(FEED.format(escape(link), text).encode()).items[0].item_id


@pytest.mark.parametrize("query", ["?ref=rss", "?source=RSS", "?ref=nyhetsbrev", "?msclkid=4f2a"])
def test_a_link_gaining_a_feed_channel_parameter_is_the_same_item(query: str) -> None:
    assert _item_id(LINK + query) == _item_id(LINK)
    assert _item_id(LINK + query, "Tilsyn: to lovbrot.") == _item_id(LINK)


@pytest.mark.parametrize("query", ["?ref=2026-114", "?source=fhi", "?id=12", "?ref=rss&id=12"])
def test_a_link_gaining_another_parameter_is_another_item(query: str) -> None:
    # guard: "ref" or "source" naming something else picks the content
    assert _item_id(LINK + query) != _item_id(LINK)


# ----------------------------------------------------------------------------- file notes

ATTACHMENTS = "<main><h1>Høyring</h1><h2>Dokument</h2><ul>{}</ul><p>Frist 1. mars.</p></main>"


def _attachments(*titles: str) -> str:
    return ATTACHMENTS.format(
        "".join(f'<li><a href="/d{i}.pdf">{t}</a></li>' for i, t in enumerate(titles))
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Høringsnotat (PDF)", "Høringsnotat (PDF, 1,2 MB)"),
        ("Høringsnotat", "Høringsnotat (pdf 345 kB)"),
        ("Rettleiar (PDF, 12 sider)", "Rettleiar"),
        ("Rettleiar", "Rettleiar - PDF, 12 sider"),
        ("Skjema [DOCX, 48 KB]", "Skjema"),
        ("Vedlegg (230 kB)", "Vedlegg"),
    ],
)
def test_a_file_note_added_or_dropped_is_no_change(before: str, after: str) -> None:
    assert changed(_attachments(before, "Brev"), _attachments(after, "Brev")) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Høringsnotat (PDF, 1,2 MB)", "Høringsnotat (PDF, 2,4 MB)"),  # a new file
        ("Rettleiar (PDF, 12 sider)", "Rettleiar (PDF, 14 sider)"),
        ("Høringsnotat (PDF)", "Revidert høringsnotat (PDF, 1,2 MB)"),  # the words changed
        ("Tiltak (5 dager)", "Tiltak"),  # not a file note
        ("Dose (2 mg)", "Dose (2 mg, 1 pdf)"),
    ],
)
def test_a_real_change_beside_a_file_note_is_seen(before: str, after: str) -> None:
    assert changed(_attachments(before, "Brev"), _attachments(after, "Brev")) == [
        ("changed", ("Høyring", "Dokument"))
    ]


def test_a_listing_title_gaining_a_file_note_is_quiet() -> None:
    from feeds.detect.diff import quiet_reason
    from feeds.types import FeedItem, SeenItem

    seen = SeenItem("d", "Brev om legevakt i jula", "", published="2026-11-22T00:00")
    quiet = FeedItem("i", "Brev om legevakt i jula (PDF, 98 kB)", "/b.pdf", "")
    edited = FeedItem("i", "Brev om legevakt i påska (PDF, 98 kB)", "/b.pdf", "")
    assert quiet_reason(seen, quiet) == "notation"
    assert quiet_reason(seen, edited) == ""


# ----------------------------------------------------------------------------- language variant

NB = (
    "<main><h1>Smittevernplan i kommunene</h1><p>Kommunene må ha en oppdatert plan, og den skal"
    " være en del av beredskapen.</p><h2>Frist</h2><p>Planen sendes inn innen 1. mars 2027."
    " Det er ikke lenge til.</p></main>"
)
NN = (
    "<main><h1>Smittevernplan i kommunane</h1><p>Kommunane må ha ein oppdatert plan, og han skal"
    " vere ein del av beredskapen.</p><h2>Frist</h2><p>Planen blir send inn innan 1. mars 2027."
    " Det er ikkje lenge til.</p></main>"
)


def _detect(before: str, after: str) -> Detection:
    spec = SourceSpec(
        key="t", kind="page", url="https://x.no/", authority="t", name="T", selector="main"
    )
    first = detect(
        spec, FetchResult(url=spec.url, status=200, body=before.encode(), headers={}), None
    )
    return detect(
        spec, FetchResult(url=spec.url, status=200, body=after.encode(), headers={}), first.state
    )


def test_written_standard_is_told_by_its_own_words() -> None:
    assert written_standard(page(NB)) == "nb"
    assert written_standard(page(NN)) == "nn"
    assert written_standard(page("<main><h1>Plan</h1><p>Planen 2027.</p></main>")) == ""


def test_a_page_served_in_the_other_written_standard_is_held() -> None:
    for before, after in ((NB, NN), (NN, NB)):
        detection = _detect(before, after)
        assert detection.changes and detection.held_reason == LANGUAGE_VARIANT


def test_a_rewrite_in_the_same_standard_is_not_held_as_a_language_variant() -> None:
    rewritten = (
        NB.replace("kommunene", "fylkene").replace("Kommunene", "Fylkene").replace("mars", "april")
    )
    assert _detect(NB, rewritten).held_reason != LANGUAGE_VARIANT


def test_a_flip_that_keeps_a_section_is_sent() -> None:
    # guard: one section unchanged (the same heading path and text): not every section replaced
    same_h1 = NN.replace("kommunane</h1>", "kommunene</h1>").replace(
        "<p>Kommunane må ha ein oppdatert plan, og han skal vere ein del av beredskapen.</p>",
        "<p>Kommunene må ha en oppdatert plan, og den skal være en del av beredskapen.</p>",
    )
    detection = _detect(NB, same_h1)
    assert detection.changes and not detection.held


# ----------------------------------------------------------------------------- notation

SECTION = "<main><h1>Rutiner</h1><h2>Melding</h2><p>{}</p><p>Spørsmål tas med fastlegen.</p></main>"


def _said(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return changed(SECTION.format(before), SECTION.format(after))


SAME = [
    ("Meld innen kl. 12 hver mandag.", "Meld innen kl. 12.00 hver mandag."),
    ("Meld innen klokka 9.", "Meld innen klokka 09.00."),
    ("Vakten nås på telefon 21 07 63 48.", "Vakten nås på telefon +47 21 07 63 48."),
    ("Vakten nås på telefon 21076348.", "Vakten nås på telefon 0047 21076348."),
    ("Send til sfinpost (at) statsforvalteren.no.", "Send til sfinpost@statsforvalteren.no."),
    ("Send til post [at] fhi.no i dag.", "Send til post@fhi.no i dag."),
    ("Oppdatert råd om selvtest", "Oppdatert råd om selvtest."),
    ("Fristen er fredag 15. januar 2027.", "Fristen er 15. januar 2027."),
    ("Fristen er fredag 15.01.2027.", "Fristen er 15.01.2027."),
    ("Målet er minst 95 % dekning.", "Målet er minst 95 prosent dekning."),
    ("Isolasjon i fem dager, ved svikt ti dager.", "Isolasjon i 5 dager, ved svikt 10 dager."),
    ("Alle får ein tredje dose.", "Alle får ein 3. dose."),
]
REAL = [
    ("Meld innen kl. 12 hver mandag.", "Meld innen kl. 13.00 hver mandag."),
    ("Meld innen kl. 12 hver mandag.", "Meld innen kl. 12.30 hver mandag."),
    ("Vakten nås på telefon 21 07 63 48.", "Vakten nås på telefon +47 21 07 63 49."),
    ("Vakten nås på telefon 21 07 63 48.", "Vakten nås på telefon +46 21 07 63 48."),
    ("Send til sfinpost (at) statsforvalteren.no.", "Send til post@statsforvalteren.no."),
    ("Oppdatert råd om selvtest", "Oppdatert råd om selvtest og PCR."),
    ("Gjelder fra dose 3", "Gjelder fra dose 3."),  # "3." is an ordinal
    ("Fristen er fredag 15. januar 2027.", "Fristen er 15. januar 2028."),
    ("Fristen er torsdag 15. januar 2027.", "Fristen er 15. januar 2027."),  # a wrong weekday
    ("Målet er minst 95 % dekning.", "Målet er minst 90 prosent dekning."),
    ("Isolasjon i fem dager.", "Isolasjon i 6 dager."),
    ("Isolasjon i fem dager.", "Isolasjon i 5 uker."),
    ("Alle får ein tredje dose.", "Alle får ein 4. dose."),
    ("Alle over to år.", "Alle over 2."),  # a number word with no word after it
]


@pytest.mark.parametrize(("before", "after"), SAME)
def test_the_same_words_in_another_notation_are_no_change(before: str, after: str) -> None:
    assert _said(before, after) == []
    assert _said(after, before) == []


@pytest.mark.parametrize(("before", "after"), REAL)
def test_a_real_change_near_another_notation_is_seen(before: str, after: str) -> None:
    assert _said(before, after) == [("changed", ("Rutiner", "Melding"))]


def test_a_change_log_row_gaining_a_full_stop_is_quiet() -> None:
    from feeds.detect.diff import quiet_reason
    from feeds.types import FeedItem, SeenItem

    seen = SeenItem("d", "Testing", "Oppdatert råd om selvtest", published="2026-12-02T00:00")
    assert (
        quiet_reason(seen, FeedItem("i", "Testing", "/t", "Oppdatert råd om selvtest."))
        == "notation"
    )
    assert quiet_reason(seen, FeedItem("i", "Testing", "/t", "Oppdatert råd om PCR.")) == ""


DOSES = "<main><h1>Dosar</h1><h2>Kven skal ha ein {} dose</h2><p>Alle over 75 år får ein {} dose.</p></main>"


def test_a_heading_and_its_text_in_another_notation_are_the_same_section() -> None:
    assert changed(DOSES.format("tredje", "tredje"), DOSES.format("3.", "3.")) == []


def test_a_heading_in_another_notation_over_a_changed_text_is_reported() -> None:
    # reported as one section changed under its new heading (blind10: a renamed section
    # keeps its identity, tests/test_detect_blind10.py)
    found = changed(DOSES.format("tredje", "tredje"), DOSES.format("3.", "4."))
    assert found == [("changed", ("Dosar", "Kven skal ha ein 3. dose"))]
    found = changed(DOSES.format("tredje", "tredje"), DOSES.format("4.", "3."))
    assert found == [("changed", ("Dosar", "Kven skal ha ein 4. dose"))]


# ----------------------------------------------------------------------------- demoted headings

GUIDE = (
    "<main><h1>Behandling</h1><p>Gjeld for kommunane.</p><h2>Førsteval</h2><p>Pivmecillinam.</p>"
    "{}<h2>Andreval</h2><p>Nitrofurantoin.</p></main>"
)
AS_HEADING = "<h3>Dosering</h3><p>200 mg tre gonger dagleg.</p>"
AS_BOLD = "<p><strong>Dosering</strong></p><p>200 mg tre gonger dagleg.</p>"


def test_a_heading_demoted_to_bold_text_or_promoted_back_is_no_change() -> None:
    assert changed(GUIDE.format(AS_HEADING), GUIDE.format(AS_BOLD)) == []
    assert changed(GUIDE.format(AS_BOLD), GUIDE.format(AS_HEADING)) == []
    bare = GUIDE.replace("<p>Pivmecillinam.</p>", "")  # a section with no text of its own
    assert changed(bare.format(AS_HEADING), bare.format(AS_BOLD)) == []


def test_a_demoted_heading_whose_text_changed_is_reported() -> None:
    found = changed(
        GUIDE.format(AS_HEADING), GUIDE.format(AS_BOLD.replace("tre gonger", "to gonger"))
    )
    assert ("removed", ("Behandling", "Førsteval", "Dosering")) in found
    assert ("changed", ("Behandling", "Førsteval")) in found


def test_a_heading_removed_with_its_text_is_reported() -> None:
    assert changed(GUIDE.format(AS_HEADING), GUIDE.format("")) == [
        ("removed", ("Behandling", "Førsteval", "Dosering"))
    ]


# ----------------------------------------------------------------------------- table columns


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f"<main><h1>Vaksine</h1><h2>Dosering</h2><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table><p>Gjeld frå 1. desember.</p></main>"
    )


ROWS = [
    ["6 mnd–4 år", "0,25 ml", "2 doser"],
    ["5–11 år", "0,5 ml", "1 dose"],
    ["12 år", "0,5 ml", "1 dose"],
]


def test_a_tables_columns_swapped_under_their_headers_is_no_change() -> None:
    before = _table(["Alder", "Dose", "Antall"], ROWS)
    after = _table(["Alder", "Antall", "Dose"], [[a, c, b] for a, b, c in ROWS])
    assert changed(before, after) == []
    resorted = _table(["Antall", "Alder", "Dose"], [[c, a, b] for a, b, c in reversed(ROWS)])
    assert changed(before, resorted) == []


def test_values_that_change_columns_under_fixed_headers_are_reported() -> None:
    before = _table(["Alder", "Dose", "Antall"], ROWS)
    # guard: the headers swapped, the values not (each value now under the other header)
    after = _table(["Alder", "Antall", "Dose"], ROWS)
    assert changed(before, after) == [("changed", ("Vaksine", "Dosering"))]
    # guard: the columns swapped and one value changed
    edited = _table(["Alder", "Antall", "Dose"], [[a, c, b] for a, b, c in ROWS])
    assert changed(before, edited.replace("0,25 ml", "0,3 ml")) == [
        ("changed", ("Vaksine", "Dosering"))
    ]


# ----------------------------------------------------------------------------- variant spellings

SCHOOL = (
    "<main><h1>Smittevern</h1><h2>{}</h2><p>{}</p><h2>Barnehagen</h2><p>Vask leiker.</p></main>"
)
TEXT = "Elevar med feber skal vere heime."


@pytest.mark.parametrize(
    ("before", "after"),
    [("Smittevern i skulen", "Smittevern i skolen"), ("Tre veker før start", "Tre uker før start")],
)
def test_a_heading_spelt_in_another_accepted_form_is_no_change(before: str, after: str) -> None:
    assert changed(SCHOOL.format(before, TEXT), SCHOOL.format(after, TEXT)) == []
    assert changed(SCHOOL.format(after, TEXT), SCHOOL.format(before, TEXT)) == []


def test_a_heading_renamed_otherwise_or_with_its_text_is_reported() -> None:
    assert variant_spelling("Smittevern i skulen", "Smittevern i skolen")
    assert not variant_spelling("Skulen", "Skolane")  # another ending: another form
    renamed = changed(
        SCHOOL.format("Smittevern i skulen", TEXT), SCHOOL.format("Smittevern i SFO", TEXT)
    )
    assert renamed == [("changed", ("Smittevern", "Smittevern i SFO"))]
    edited = changed(
        SCHOOL.format("Smittevern i skulen", TEXT),
        SCHOOL.format("Smittevern i skolen", TEXT + " Ring fastlegen."),
    )
    assert sorted(kind for kind, _ in edited) == ["added", "removed"]
