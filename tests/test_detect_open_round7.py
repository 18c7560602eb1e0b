"""Four open cases of tests/fixtures/detect_open/OPEN.md met (open-fix round): a link to a
document re-pointed to a file of another name, a feed item's enclosure re-issued under a new
file name, a full date written with its month's name or in numbers, and a numbered section
inserted (or removed) with the numbered sections after it renumbered by one; each rule with a
guard that a real change beside it is still reported."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.detect.diff import diff_feed, diff_pages
from feeds.detect.notation import fold_forms, same_notation
from feeds.read.feed import extract_feed
from feeds.read.html import attachment_name, extract_page
from feeds.store.snapshot import state_from_blob, state_from_json, state_to_blob, state_to_json
from feeds.types import (
    EXTRACTION_VERSION,
    FeedContent,
    FeedItem,
    FetchResult,
    PageContent,
    SeenItem,
    SnapshotState,
    fold,
)


def page(body: str, pdfs_followed: bool = False) -> PageContent:
    html = f"<html><head><title>Side</title></head><body>{body}</body></html>"
    return extract_page(html.encode(), selector="main", pdfs_followed=pdfs_followed)


def changed(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


def _detect(
    kind: str, before: bytes, after: bytes, previous: SnapshotState | None = None
) -> Detection:
    spec = SourceSpec(
        key="t", kind=kind, url="https://x.no/", authority="t", name="T", selector="main"
    )
    if previous is None:
        first = detect(spec, FetchResult(url=spec.url, status=200, body=before, headers={}), None)
        assert first.state is not None
        previous = state_from_blob(state_to_blob(first.state))
    return detect(spec, FetchResult(url=spec.url, status=200, body=after, headers={}), previous)


# ----------------------------------------------------------------------------- attachments

DOCUMENTS = (
    "<main><h1>Veileder</h1><h2>Om veilederen</h2><p>Veilederen omtaler planene.</p>"
    '<h2>Dokumenter</h2><ul><li><a href="{}">Veileder for smittevernplaner (PDF)</a></li>'
    '<li><a href="/contentassets/8f2a1c0d/mal.docx">Mal for plan (Word)</a></li></ul></main>'
)


def _documents(href: str, text: str = "") -> str:
    html = DOCUMENTS.format(href)
    return html.replace("Veilederen omtaler planene.", text) if text else html


def test_a_link_repointed_to_a_file_of_another_name_is_a_changed_section() -> None:
    before = _documents("/contentassets/8f2a1c0d/veileder-smittevernplan.pdf")
    after = _documents("/contentassets/b71e0942/veileder-smittevernplan-versjon-2.pdf")
    changes = diff_pages(page(before), page(after))
    assert [(c.kind, c.path) for c in changes] == [("changed", ("Veileder", "Dokumenter"))]
    # what the reader sees names the new file
    assert "veileder-smittevernplan-versjon-2.pdf" in changes[0].after
    assert "veileder-smittevernplan.pdf" in changes[0].before


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # the same file in another folder (a CMS's hash folder)
        ("/contentassets/8f2a1c0d/veileder.pdf", "/contentassets/b71e0942/veileder.pdf"),
        ("/a/veileder.pdf", "https://www.regjeringen.no/b/c/veileder.pdf"),
        # a query or a fragment
        ("/a/veileder.pdf", "/a/veileder.pdf?v=20261201#side=2"),
        # a cache-busting token in the name: a hash, a UUID, a Unix time
        ("/a/veileder-3f9a2b7c1d.pdf", "/a/veileder-8e1d0c4b77.pdf"),
        ("/a/veileder_3f9a2b7c.pdf", "/a/veileder.pdf"),
        (
            "/a/veileder-3f2504e0-4f89-11d3-9a0c-0305e82c3301.pdf",
            "/a/veileder-9b2e11aa-0c3d-4e5f-8a9b-112233445566.pdf",
        ),
        ("/a/veileder.1733412345.pdf", "/a/veileder.1733498765.pdf"),
        # a file named by such a token alone: its new name tells nothing
        ("/a/3f9a2b7c1d.pdf", "/a/8e1d0c4b77.pdf"),
        # a name written with escapes
        ("/a/Veileder%20for%20planer.pdf", "/b/Veileder for planer.pdf"),
    ],
)
def test_the_same_file_name_elsewhere_or_with_another_hash_is_no_change(
    before: str, after: str
) -> None:
    assert changed(_documents(before), _documents(after)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("/a/veileder.pdf", "/a/veileder-revidert.pdf"),
        ("/a/rapport-20261201.pdf", "/a/rapport-20261215.pdf"),  # 8 digits date a version
        ("/a/veileder.pdf", "/a/veileder.docx"),
        ("/a/veileder-v1.pdf", "/a/veileder-v2.pdf"),
    ],
)
def test_a_new_file_name_is_reported(before: str, after: str) -> None:
    assert changed(_documents(before), _documents(after)) == [
        ("changed", ("Veileder", "Dokumenter"))
    ]


def test_a_real_change_beside_a_moved_file_is_reported() -> None:
    # guard: the file's folder changed (no change), and the text of another section too
    before = _documents("/contentassets/8f2a1c0d/veileder.pdf")
    after = _documents("/contentassets/b71e0942/veileder.pdf", "Veilederen omtaler ikke planene.")
    assert changed(before, after) == [("changed", ("Veileder", "Om veilederen"))]


@pytest.mark.parametrize("kind", ["pdf", "docx", "doc", "xlsx", "xls", "odt", "pptx", "PDF"])
def test_attachment_name_reads_the_document_types(kind: str) -> None:
    assert attachment_name(f"https://x.no/a/b/plan.{kind}?x=1") == f"plan.{kind}"


@pytest.mark.parametrize(
    "url", ["/a/plan.html", "/a/plan", "/a/plan.pdf/", "/a/bilde.png", "/a/.pdf", "/a?f=plan.pdf"]
)
def test_attachment_name_of_a_link_to_no_document_is_empty(url: str) -> None:
    assert attachment_name(url) == ""


def test_a_document_link_is_read_with_its_file_name() -> None:
    text = page(_documents("/contentassets/8f2a1c0d/veileder.pdf")).sections[-1].text
    assert text.splitlines() == [
        "• Veileder for smittevernplaner (PDF) (veileder.pdf)",
        "• Mal for plan (Word) (mal.docx)",
    ]


@pytest.mark.parametrize(
    "link",
    [
        '<a href="/a/veileder.pdf">Last ned veileder.pdf</a>',  # its text names the file
        '<a href="/a/veileder.pdf"><img src="/pdf.svg" alt=""></a>',  # no text: an icon
        '<a href="/print/side.pdf">Last ned som PDF</a>',  # the page's own tool
        '<a href="/print/side.pdf">Skriv ut</a>',
        '<a href="/a/veileder.html">Veileder</a>',  # no document
    ],
)
def test_links_not_read_with_a_file_name(link: str) -> None:
    text = page(f"<main><h1>Side</h1><p>{link} Tekst.</p></main>").sections[0].text
    assert ".pdf)" not in text and ".html)" not in text


def test_a_document_link_in_a_heading_is_not_read_with_its_file_name() -> None:
    body = '<main><h1>Side</h1><h2><a href="/a/plan.pdf">Planen</a></h2><p>Tekst.</p></main>'
    assert page(body).sections[-1].path == ("Side", "Planen")


def test_a_pdf_a_page_follows_is_read_by_its_text_not_its_name() -> None:
    followed = page(_documents("/a/veileder.pdf"), pdfs_followed=True).sections[-1].text
    assert "veileder.pdf" not in followed
    assert "(mal.docx)" in followed  # a Word file is not followed: its name is read


def test_the_extraction_version_was_bumped_for_file_names() -> None:
    assert EXTRACTION_VERSION >= 9


def test_a_page_stored_by_the_last_extraction_version_is_re_baselined_silently() -> None:
    before = _documents("/a/veileder.pdf").encode()
    first = _detect("page", before, before.replace(b"<h1>", b"\n<h1>"))
    assert first.state is not None and first.state.page is not None
    # as the last version stored it: the sections without the file names
    sections = tuple(
        replace(s, text=re.sub(r" \([\w.-]+\.(?:pdf|docx)\)", "", s.text))
        for s in first.state.page.sections
    )
    old = replace(
        first.state,
        version=EXTRACTION_VERSION - 1,
        body_hash="old",
        page=replace(first.state.page, sections=sections),
    )
    detection = _detect("page", b"", before, old)
    assert detection.changes == () and "re-baselined" in detection.note


# ----------------------------------------------------------------------------- enclosures

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Nyheter</title><link>https://sf.no/</link>
<lastBuildDate>{built}</lastBuildDate>
<item><title>Brev til kommunene om vaksinasjon</title><link>https://sf.no/nyheter/brev/</link>
<description>{text}</description><guid>https://sf.no/nyheter/brev/</guid>
<pubDate>Fri, 27 Nov 2026 10:00:00 +0100</pubDate>{enclosures}</item>
</channel></rss>"""


def _rss(
    *urls: str,
    text: str = "Se vedlagt brev.",
    built: str = "Thu, 03 Dec 2026 09:00:00 +0100",
    kind: str = "application/pdf",
) -> bytes:
    enclosures = "".join(f'<enclosure url="{u}" length="1" type="{kind}"/>' for u in urls)
    return RSS.format(enclosures=enclosures, text=text, built=built).encode()


LETTER = "https://sf.no/contentassets/a81f22/brev-vaksinasjon.pdf"
REVISED = "https://sf.no/contentassets/c40b97/brev-vaksinasjon-revidert.pdf"


def test_an_items_enclosures_are_read_by_file_name() -> None:
    (item,) = extract_feed(_rss(REVISED, LETTER)).items
    assert item.enclosures == ("brev-vaksinasjon-revidert.pdf", "brev-vaksinasjon.pdf")
    (image,) = extract_feed(_rss("https://sf.no/a/bilde.jpg", kind="image/jpeg")).items
    assert image.enclosures == ()


def test_an_atom_enclosure_is_read_too() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>F</title><id>urn:f</id><updated>2026-12-03T09:00:00Z</updated><entry>"
        "<title>Brev</title><id>urn:brev</id><updated>2026-12-03T09:00:00Z</updated>"
        '<link rel="enclosure" type="application/pdf" href="https://sf.no/x/1a2b/brev.pdf"/>'
        "<summary>Brevet.</summary></entry></feed>"
    )
    assert extract_feed(atom.encode()).items[0].enclosures == ("brev.pdf",)


def test_an_enclosure_under_a_new_file_name_is_a_changed_item() -> None:
    detection = _detect("feed", _rss(LETTER), _rss(REVISED))
    assert [c.kind for c in detection.changes] == ["changed"]
    change = detection.changes[0]
    assert "Vedlegg: brev-vaksinasjon-revidert.pdf" in change.after
    assert "Vedlegg: brev-vaksinasjon.pdf" in change.before
    assert ("+", "brev-vaksinasjon-revidert.pdf") in change.segments


def test_an_enclosure_in_another_folder_is_no_change() -> None:
    moved = "https://sf.no/contentassets/ffee01/brev-vaksinasjon.pdf"
    detection = _detect("feed", _rss(LETTER), _rss(moved, built="Fri, 04 Dec 2026 09:00:00 +0100"))
    assert detection.changes == ()


def test_an_enclosure_added_or_removed_is_a_changed_item() -> None:
    assert [c.kind for c in _detect("feed", _rss(LETTER), _rss(LETTER, REVISED)).changes] == [
        "changed"
    ]
    assert [c.kind for c in _detect("feed", _rss(LETTER), _rss()).changes] == ["changed"]


def test_an_edit_beside_the_same_enclosure_is_reported() -> None:
    # guard: the text changed, the file stayed
    detection = _detect("feed", _rss(LETTER), _rss(LETTER, text="Se vedlagt brev om frister."))
    assert [c.kind for c in detection.changes] == ["changed"]
    assert "Vedlegg" not in detection.changes[0].after


def _stored_before_enclosures(body: bytes) -> SnapshotState:
    """A feed's state as a notifier stored it before enclosures were remembered: each item a
    list of its seven texts at most, without the enclosures' list."""
    first = _detect("feed", body, body.replace(b"09:00:00", b"09:30:00"))
    assert first.state is not None
    data = state_to_json(first.state)
    data["seen"] = {k: v[:7] for k, v in data["seen"].items()}
    assert all(len(v) <= 7 for v in data["seen"].values())
    return state_from_json(json.loads(json.dumps(data)))


def test_an_item_stored_without_its_enclosures_is_not_compared_by_them() -> None:
    old = _stored_before_enclosures(_rss())
    assert all(s.enclosures is None for s in old.seen.values())
    # the same item with an enclosure (an upgrade: every stored item with one): no change
    detection = _detect("feed", b"", _rss(LETTER), old)
    assert detection.changes == ()
    # stored again (a refresh), now knowing its enclosures, so the next new file is seen
    assert detection.refresh and detection.state is not None
    stored = state_from_blob(state_to_blob(detection.state))
    assert [s.enclosures for s in stored.seen.values()] == [("brev-vaksinasjon.pdf",)]
    later = _detect("feed", b"", _rss(REVISED), stored)
    assert [c.kind for c in later.changes] == ["changed"]


def test_an_item_stored_without_its_enclosures_is_still_compared_by_its_text() -> None:
    # guard: the upgrade leaves an edit of the text reported
    old = _stored_before_enclosures(_rss())
    detection = _detect("feed", b"", _rss(LETTER, text="Se vedlagt brev om frister."), old)
    assert [c.kind for c in detection.changes] == ["changed"]


def test_known_and_unknown_enclosures_are_told_apart_when_stored() -> None:
    seen = {
        "a": SeenItem("d", "T", enclosures=("x.pdf",)),
        "b": SeenItem("d", "T", enclosures=()),  # known: none
        "c": SeenItem("d", "T"),  # not known
        "d": SeenItem("d", published="2026-12-01T10:00"),  # a tombstone
    }
    state = SnapshotState("feed", "b", "c", seen=seen)
    assert state_from_blob(state_to_blob(state)).seen == seen
    assert state_to_json(state)["seen"]["c"] == ["d", "T", ""]  # as stored before


def test_diff_feed_compares_enclosures_only_where_known() -> None:
    item = FeedItem("i", "Brev", "https://sf.no/b", "Brevet.", enclosures=("brev-2.pdf",))
    known = SeenItem(item.digest, "Brev", "Brevet.", enclosures=("brev.pdf",))
    unknown = SeenItem(item.digest, "Brev", "Brevet.")
    feed = FeedContent("F", (item,))
    assert [c.kind for c in diff_feed({"i": known}, feed)] == ["changed"]
    assert diff_feed({"i": unknown}, feed) == []


# ----------------------------------------------------------------------------- dates

DEADLINE = (
    "<main><h1>Tilskot</h1><h2>Frist</h2><p>Fristen for å søkje er {}.</p>"
    "<p>Søknader som kjem inn etter fristen, vert ikkje handsama.</p></main>"
)


def _deadline(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    return changed(DEADLINE.format(before), DEADLINE.format(after))


SAME_DATE = [
    ("15. januar 2027", "15.01.2027"),
    ("15. januar 2027", "15.1.2027"),
    ("15.01.2027", "15.1.2027"),
    ("15. jan. 2027", "15. januar 2027"),
    ("15. jan 2027", "15.01.2027"),
    ("1. mars 2027", "01.03.2027"),
    ("3. desember 2026", "3.12.2026"),
    ("30. september 2027", "30. sept. 2027"),
    ("1. mai 2027", "01.05.2027"),
    ("15. januar", "15. jan."),  # both without the year
    ("fredag 15. januar 2027", "15.01.2027"),  # a weekday that agrees (fold_forms)
]
OTHER_DATE = [
    ("15. januar 2027", "16.01.2027"),
    ("15. januar 2027", "15.02.2027"),
    ("15. januar 2027", "15.01.2028"),
    ("15. januar 2027", "15. februar 2027"),
    ("15. januar 2027", "15.01."),  # the year dropped
    ("15. januar", "15.01.2027"),  # the year added
    ("15. januar", "15.01."),  # no year: "15.01." is also a number or a time
    ("31.01.2027", "31. mars 2027"),
]


@pytest.mark.parametrize(("before", "after"), SAME_DATE)
def test_a_date_in_another_notation_is_no_change(before: str, after: str) -> None:
    assert _deadline(before, after) == []
    assert _deadline(after, before) == []


@pytest.mark.parametrize(("before", "after"), OTHER_DATE)
def test_another_date_is_reported(before: str, after: str) -> None:
    assert _deadline(before, after) == [("changed", ("Tilskot", "Frist"))]
    assert _deadline(after, before) == [("changed", ("Tilskot", "Frist"))]


@pytest.mark.parametrize(
    "line",
    [
        "dosen er 1.2 mg",  # a decimal number (``fold``: "1,2")
        "meld innen kl. 12.00",
        "meld innen kl. 15.01 i dag",  # a time, not the 15th of January
        "se punkt 3.1.2 i veilederen",
        "se punkt 2.1.2027.1",
        "dosen er 1,2, 3 eller 4 mg",
        "31.02.2027",  # no such date
        "15. mai",
        "fristen var 3. dose",
    ],
)
def test_numbers_times_and_section_numbers_stay_as_they_are(line: str) -> None:
    assert fold_forms(fold(line)) == fold(line)


def test_a_decimal_or_a_time_is_not_taken_for_a_date() -> None:
    assert not same_notation("Dosen er 1.2 mg.", "Dosen er 1. februar mg.")
    assert not same_notation("Møtet er kl. 15.01.", "Møtet er 15. januar.")
    assert not same_notation("Se punkt 15.1.2027.", "Se punkt 15. januar 2027.1")


def test_the_full_date_forms_fold_to_one() -> None:
    forms = ["15. januar 2027", "15.01.2027", "15.1.2027", "15. jan. 2027", "15. JANUAR 2027"]
    assert {fold_forms(fold(f"frist {f}")) for f in forms} == {"frist 15.1.2027"}


# ----------------------------------------------------------------------------- renumbering

STEPS = {
    "Kartlegg nærkontaktar": "Lag ei liste over nærkontaktane.",
    "Varsle kommuneoverlegen": "Kommuneoverlegen skal ha melding same dag.",
    "Gi informasjon": "Gi nærkontaktane skriftleg informasjon.",
    "Følg opp": "Ring nærkontaktane etter sju dagar.",
    "Avslutt": "Skriv ein rapport.",
}


def _steps(*steps: tuple[str | int, str], text: dict[str, str] | None = None) -> str:
    said = {**STEPS, **(text or {})}
    body = "".join(f"<h2>{n} {t}</h2><p>{said[t]}</p>" for n, t in steps)
    return f"<main><h1>Smittesporing</h1>{body}</main>"


BEFORE = _steps((1, "Kartlegg nærkontaktar"), (2, "Gi informasjon"), (3, "Følg opp"))
INSERTED = _steps(
    (1, "Kartlegg nærkontaktar"),
    (2, "Varsle kommuneoverlegen"),
    (3, "Gi informasjon"),
    (4, "Følg opp"),
)
ROOT = "Smittesporing"


def test_a_step_inserted_with_the_later_ones_renumbered_reports_the_insertion_only() -> None:
    assert changed(BEFORE, INSERTED) == [("added", (ROOT, "2 Varsle kommuneoverlegen"))]


def test_a_step_removed_with_the_later_ones_renumbered_reports_the_removal_only() -> None:
    assert changed(INSERTED, BEFORE) == [("removed", (ROOT, "2 Varsle kommuneoverlegen"))]


def test_a_renumbering_without_an_insertion_stays_moved() -> None:
    after = _steps((1, "Kartlegg nærkontaktar"), (3, "Gi informasjon"), (4, "Følg opp"))
    assert changed(BEFORE, after) == [
        ("moved", (ROOT, "3 Gi informasjon")),
        ("moved", (ROOT, "4 Følg opp")),
    ]


def test_a_renumbered_step_whose_text_changed_is_reported() -> None:
    # guard: "Følg opp" says more; it is no quiet renumbering, and neither is the rest
    after = _steps(
        (1, "Kartlegg nærkontaktar"),
        (2, "Varsle kommuneoverlegen"),
        (3, "Gi informasjon"),
        (4, "Følg opp"),
        text={"Følg opp": "Ring nærkontaktane etter fem dagar."},
    )
    got = changed(BEFORE, after)
    # told as what it is since blind round 327 (round 219's open case): the step renumbered
    # in the run and edited at once is "changed" at its new number, not removed and added;
    # its edit is never quiet
    assert got == [
        ("added", (ROOT, "2 Varsle kommuneoverlegen")),
        ("changed", (ROOT, "4 Følg opp")),
    ]


def test_steps_shifted_by_two_after_one_insertion_stay_moved() -> None:
    after = _steps(
        (1, "Kartlegg nærkontaktar"),
        (2, "Varsle kommuneoverlegen"),
        (4, "Gi informasjon"),
        (5, "Følg opp"),
    )
    assert changed(BEFORE, after) == [
        ("added", (ROOT, "2 Varsle kommuneoverlegen")),
        ("moved", (ROOT, "4 Gi informasjon")),
        ("moved", (ROOT, "5 Følg opp")),
    ]


def test_an_insertion_that_does_not_take_the_next_number_leaves_the_moves() -> None:
    # a step added at the end while the others were renumbered: no insertion before them
    before = _steps((1, "Kartlegg nærkontaktar"), (2, "Gi informasjon"))
    after = _steps((1, "Kartlegg nærkontaktar"), (3, "Gi informasjon"), (4, "Avslutt"))
    assert changed(before, after) == [
        ("moved", (ROOT, "3 Gi informasjon")),
        ("added", (ROOT, "4 Avslutt")),
    ]


def test_dotted_numbers_shift_by_their_last_number() -> None:
    before = _steps(
        ("2.1", "Kartlegg nærkontaktar"), ("2.2", "Gi informasjon"), ("2.3", "Følg opp")
    )
    after = _steps(
        ("2.1", "Kartlegg nærkontaktar"),
        ("2.2", "Varsle kommuneoverlegen"),
        ("2.3", "Gi informasjon"),
        ("2.4", "Følg opp"),
    )
    assert changed(before, after) == [("added", (ROOT, "2.2 Varsle kommuneoverlegen"))]


def test_an_insertion_in_one_chapter_leaves_a_renumbering_in_another_reported() -> None:
    def doc(first: str, second: str) -> str:
        return f"<main><h1>{ROOT}</h1><h2>A</h2>{first}<h2>B</h2>{second}</main>"

    def h3(*steps: tuple[int, str]) -> str:
        return "".join(f"<h3>{n} {t}</h3><p>{STEPS[t]}</p>" for n, t in steps)

    before = doc(h3((1, "Gi informasjon"), (2, "Følg opp")), h3((1, "Avslutt")))
    after = doc(
        h3((1, "Varsle kommuneoverlegen"), (2, "Gi informasjon"), (3, "Følg opp")),
        h3((2, "Avslutt")),
    )
    assert changed(before, after) == [
        ("added", (ROOT, "A", "1 Varsle kommuneoverlegen")),
        ("moved", (ROOT, "B", "2 Avslutt")),
    ]


def test_the_renumbered_steps_are_stored_with_their_new_numbers() -> None:
    detection = _detect("page", BEFORE.encode(), INSERTED.encode())
    assert [c.kind for c in detection.changes] == ["added"]
    assert detection.state is not None and detection.state.page is not None
    assert [s.path[-1] for s in detection.state.page.sections][-3:] == [
        "2 Varsle kommuneoverlegen",
        "3 Gi informasjon",
        "4 Følg opp",
    ]
