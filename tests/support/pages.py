"""Small pages for the detection rule tests (tests/test_detect_blind*.py): a body read as a
page, the changes between two bodies, and a body's text; a body as a listing and the teasers
of its items (tests/test_detect_listing_teaser.py); bodies checked in turn (``detect_steps``)."""

from __future__ import annotations

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.detect.diff import diff_pages
from feeds.read.html import extract_listed, extract_page
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult, PageContent, SnapshotState


def page(body: str, selector: str | None = "main", title: str = "Side") -> PageContent:
    """``body`` (what goes inside ``<body>``) read as a page under ``title``."""
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return extract_page(html.encode(), selector=selector)


def article(title: str, body: str, top: str = "", site: str = "Forsida") -> PageContent:
    """``body`` as the article under an <h1> ``title``, on a page laid out as the sites lay
    theirs out (a header with ``site``'s navigation, <main> with ``top`` before the
    <article>, a footer), read without a selector: the product finds the content itself."""
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Side</title></head><body>"
        f"<header><nav><a href='/'>{site}</a></nav></header><main>{top}<article>"
        f"<h1>{title}</h1>{body}</article></main><footer><p>{site}</p></footer></body></html>"
    )
    return extract_page(html.encode(), selector=None)


def kinds(before: PageContent, after: PageContent) -> list[str]:
    """The kinds of the changes from ``before`` to ``after``."""
    return [c.kind for c in diff_pages(before, after)]


def changed(before: str, after: str) -> list[tuple[str, tuple[str, ...]]]:
    """The kinds and paths of the changes from the page of ``before`` to that of ``after``."""
    return [(c.kind, c.path) for c in diff_pages(page(before), page(after))]


def text(body: str) -> str:
    """The text of ``body``'s sections, one line a section."""
    return "\n".join(s.text for s in page(body).sections)


def listing(body: str) -> FetchResult:
    """``body`` (what goes inside ``<body>``) as a fetched listing page."""
    html = f"<html><head><title>Nyheter</title></head><body>{body}</body></html>"
    return FetchResult("https://www.example.no/nyheter", 200, html.encode())


def teasers(body: str, link_selector: str = "ul a") -> list[tuple[str, str | None]]:
    """Each link of the listing ``body`` with the teaser its item shows (None: not read)."""
    found = extract_listed(listing(body).body, "https://www.example.no/", selector=link_selector)
    return [(link.title, teaser) for link, _, teaser in found]


def detect_steps(
    url: str, *versions: bytes, kind: str = "page", name: str = "Legevakt"
) -> Detection:
    """Each body of ``versions`` checked in turn at ``url`` (a page watched with the selector
    "main", or a feed), the state kept through its stored form as a check keeps it; what the
    last check found."""
    spec = SourceSpec(key="t", name=name, url=url, kind=kind, authority="test",
                      selector="main" if kind == "page" else None)  # fmt: skip
    state: SnapshotState | None = None
    detection = None
    for body in versions:
        detection = detect(spec, FetchResult(url, 200, body), state)
        if detection.state is not None:
            state = state_from_blob(state_to_blob(detection.state))
    assert detection is not None
    return detection
