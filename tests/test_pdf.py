"""PDF attachments' text (``feeds.read.pdf``): the same words give the same lines, however the
PDF broke them."""

from __future__ import annotations

from feeds.catalogue import SourceSpec
from feeds.detect.diff import diff_pages
from feeds.read.document import linked_page
from feeds.read.pdf import pdf_text
from feeds.read.reader import PageRead
from feeds.types import FetchResult, Link, Linked, PageContent, Section


def pdf(*pages: list[str]) -> bytes:
    """A minimal PDF, one content stream per page, one text line per string."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    n = len(pages)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{4 + 2 * i} 0 R".encode() for i in range(n))
        + f"] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        text = " ".join(f"({esc(line)}) Tj T*" for line in lines)
        stream = f"BT /F1 11 Tf 72 760 Td 14 TL {text} ET".encode("cp1252")
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1"
            + f" 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objs.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


SENTENCES = [
    "Rundskriv I-3/2026 Kommunene skal ha oppdatert smittevernplan innen 1. mars 2027.",
    "Planen skal omfatte vaksinasjon, testing og isolering.",
    "Statsforvalteren følger opp:",
    "Planene skal være på plass.",
]


def test_one_line_per_sentence_whatever_the_line_breaks() -> None:
    one = pdf(
        [
            "Rundskriv I-3/2026",
            "Kommunene skal ha oppdatert smittevernplan innen 1. mars 2027.",
            "Planen skal omfatte vaksinasjon, testing og isolering.",
            "Statsforvalteren følger opp: Planene skal være på plass.",
        ]
    )
    reflowed = pdf(
        ["Rundskriv I-3/2026 Kommunene skal ha oppdatert", "smittevernplan innen 1."],
        [
            "mars 2027. Planen skal omfatte vaksinasjon,",
            "testing og isolering. Statsforvalteren",
            "2",
        ],
        ["følger opp: Planene skal være på plass.", "Side 3 av 3"],
    )
    assert pdf_text(one).split("\n") == SENTENCES
    assert pdf_text(reflowed) == pdf_text(one)


def test_a_changed_word_is_a_changed_line() -> None:
    before = pdf(["Tilsette med lette symptom kan gå på jobb med munnbind."])
    after = pdf(["Tilsette med lette symptom kan ikkje gå på jobb med munnbind."])
    assert pdf_text(before) != pdf_text(after)
    assert pdf_text(after) == "Tilsette med lette symptom kan ikkje gå på jobb med munnbind."


def test_an_attachment_keeps_its_title_while_its_address_stays() -> None:
    """The link text on the page is the page's content; the attachment's section keeps the
    title it was first seen under, so a new link text with the same file changes nothing."""
    spec = SourceSpec(key="r", kind="page", url="https://x.no/r", authority="hod", name="R")
    url = "https://x.no/rundskriv.pdf"
    one = pdf(["Kommunene skal ha oppdatert smittevernplan innen 1. mars 2027."])
    two = pdf(["Kommunene skal ha oppdatert smittevernplan innen 1. april 2027."])
    base = PageContent("Rundskriv", (Section(("Rundskriv",), "Se vedlegget."),), None)

    def read(href: str, title: str, body: bytes, last: PageRead | None = None) -> PageRead:
        linked = [Linked(Link(href, title), FetchResult(href, 200, body))]
        if last is None:
            return linked_page(spec, base, linked, None)
        return linked_page(spec, base, linked, last.page, last.parts)

    first = read(url, "Rundskriv (PDF)", one)
    relabelled = read(url, "Rundskriv (PDF, 212 kB)", one, first)
    assert relabelled.page.sections == first.page.sections
    assert diff_pages(first.page, relabelled.page) == []
    edited = read(url, "Rundskriv (PDF, 212 kB)", two, relabelled)
    (change,) = diff_pages(relabelled.page, edited.page)
    assert (change.kind, change.path) == ("changed", ("Vedlegg: Rundskriv (PDF)",))
    # another address is another attachment: its link text names it
    moved = read(url + "?v=2", "Ny", one, first)
    assert moved.page.sections[1].path == ("Vedlegg: Ny",)


def test_a_word_hyphenated_at_a_line_end_is_joined_again() -> None:
    whole = pdf(
        ["Kommunens smittevernplan gjelder for covid-19 og 2-3 dager.",
         "Helse- og omsorgstjenesten skal varsle e-post."]
    )  # fmt: skip
    hyphenated = pdf(
        ["Kommunens smitte-", "vernplan gjelder for covid-", "19 og 2-", "3 dager. Helse-",
         "og omsorgstjenesten skal varsle e-post."]
    )  # fmt: skip
    soft = pdf(["Kommunens smitte\xad", "vernplan gjelder for covid-19 og 2-3 dager.",
                "Helse- og omsorgstjenesten skal varsle e-post."])  # fmt: skip
    assert pdf_text(hyphenated) == pdf_text(whole) == pdf_text(soft)
    assert pdf_text(whole).split("\n")[0] == (
        "Kommunens smittevernplan gjelder for covid-19 og 2-3 dager."
    )
