"""A GUID that is an address is known as a link is: the slug around a stable id token set
aside (regjeringen.no's permalink GUIDs follow the title: a press release corrected as
"Rettelse: ..." keeps its id token, blind round 33's open case), both ways, bokmål and
nynorsk; and a snapshot stored under the GUID taken whole still knows its items."""

from __future__ import annotations

import hashlib

import pytest

from feeds.detect.diff import diff_feed, match_items
from feeds.read.feed import extract_feed, former_guid_identity, identity_guid
from feeds.read.html import identity_url
from feeds.types import SeenItem

BASE = {
    "nb": "https://www.regjeringen.no/no/aktuelt/",
    "nn": "https://www.regjeringen.no/nn/aktuelt/",
}
TITLES = {
    "nb": ("Styrker allmennlegetjenesten", "Rettelse: Styrker allmennlegetjenesten"),
    "nn": ("Styrkjer allmennlegetenesta", "Rettelse: Styrkjer allmennlegetenesta"),
}


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{guid}</link><description>{text}</description>"
        f'<guid isPermaLink="true">{guid}</guid>'
        "<pubDate>Fri, 04 Dec 2026 08:00:00 +0100</pubDate></item>"
        for title, guid, text in items
    )
    return f'<rss version="2.0"><channel><title>HOD</title>{body}</channel></rss>'.encode()


def kinds(before: bytes, after: bytes) -> list[str]:
    old = extract_feed(before)
    seen = {i.item_id: SeenItem(i.digest, i.title, i.summary) for i in old.items}
    feed = extract_feed(after)
    return [c.kind for c in diff_feed(seen, feed, match_items(seen, feed))]


def corrected(lang: str) -> tuple[bytes, bytes]:
    base, (title, fixed) = BASE[lang], TITLES[lang]
    other = ("Nytt tilskot", f"{base}nytt-tilskot/id3101100/", "Om tilskotet.")
    before = rss((title, f"{base}styrkjer/id3101105/", "550 millionar kroner."), other)
    after = rss((fixed, f"{base}rettelse-styrkjer/id3101105/", "505 millionar kroner."), other)
    return before, after


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_an_item_corrected_under_a_guid_whose_slug_follows_the_title_is_changed(lang: str) -> None:
    before, after = corrected(lang)
    assert kinds(before, after) == ["changed"]
    assert kinds(after, before) == ["changed"]


def test_guids_that_differ_in_the_token_are_different_items() -> None:
    base = BASE["nn"]
    before = rss(("Tilskot", f"{base}a/id3101105/", "Søk innan 1. mars."))
    after = rss(("Nytt tilskot", f"{base}a/id3101106/", "Søk innan 1. april."))
    assert identity_guid(f"{base}a/id3101105/") != identity_guid(f"{base}a/id3101106/")
    assert "new" in kinds(before, after)
    # a GUID that is no address, or an address without a token, is taken as it stands
    assert former_guid_identity("1240388") == ""
    assert former_guid_identity("https://www.fhi.no/nyheiter/a/") == ""


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_snapshot_stored_under_the_whole_guid_reports_nothing_after_the_upgrade(
    lang: str,
) -> None:
    before, _ = corrected(lang)
    feed = extract_feed(before)

    def whole(link: str) -> str:  # the identity stored before the slug was set aside
        return hashlib.sha256(f"guid:{identity_url(link)}".encode()).hexdigest()[:32]

    seen = {whole(i.link): SeenItem(i.digest, i.title, i.summary) for i in feed.items}
    assert not set(seen) & {i.item_id for i in feed.items}
    known = match_items(seen, feed)
    assert known == {i.item_id: whole(i.link) for i in feed.items}
    assert diff_feed(seen, feed, known) == []
