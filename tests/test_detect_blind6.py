"""The sixth outside check's open cases (tests/fixtures/detect_open/OPEN.md): a single-byte
charset declared over UTF-8 bytes, feed items without GUIDs whose link gains a tracking
parameter, file-size notes in link texts, a numbered step inserted, a page served in the
other written standard, and equivalent notations; each rule with a guard that a real change
beside it is still read."""

from __future__ import annotations

from feeds.detect.diff import diff_pages
from feeds.read.feedxml import feed_text
from feeds.read.html import extract_page
from feeds.read.normalize import decode_body
from feeds.types import PageContent


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
