"""Issue 8, class 10: no feed gets an XML entity expanded, in any encoding.

Every hostile document (nested entities, a quadratic blow-up, parameter entities, external
entities and DTDs pointing at a file or at our own HTTP server) is built in RSS and in Atom and
served in every encoding a parser accepts: UTF-8 with and without a byte order mark, UTF-16
and UTF-32 in both byte orders with and without a mark, UTF-7 (the declaration hidden as
``+ADw-``), a charset given only by HTTP, and with the DTD after more than 64 KiB of comment,
white space or processing instruction. Each must be refused with a SourceProblem that says so,
before feedparser is called at all: the refusal costs one decode and one regex pass over the
prolog, never an expansion (asserted by replacing feedparser with a function that fails the
test, not by timing). Legitimate feeds in the same encodings, with a bare DOCTYPE or a long
comment, still parse. Through the chain, a hostile feed is a failed check that stores nothing,
our HTTP server never sees a request for an external entity, and detection runs in a worker
thread, off the event loop.
"""

from __future__ import annotations

import codecs
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import feedparser
import pytest
from sqlmodel import Session, select

from feeds.catalogue import SourceSpec
from feeds.check import INLINE_DETECT_BYTES
from feeds.detect import detect
from feeds.errors import SourceProblem
from feeds.extract import extract_feed, feed_document, feed_text, html_to_text
from feeds.fetch import FetchResult
from feeds.models import Snapshot, Source
from feeds.store import upsert_sources
from notifier.context import Context
from notifier.pipeline import check
from tests.support.httpserver import FixtureServer

REFUSED = "XML entities are never expanded"
PREFIX = 70 * 1024  # past the old 64 KiB scan

# ----------------------------------------------------------------------------- documents

RSS_BODY = (
    '<rss version="2.0"><channel><title>Blåbær-nytt</title><link>https://x.no/</link>'
    "<item><guid>g1</guid><title>{title}</title><link>https://x.no/1</link>"
    "<description>Råd om smittevern</description></item></channel></rss>"
)
ATOM_BODY = (
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>Blåbær-nytt</title><id>urn:x</id>'
    "<updated>2026-11-23T08:00:00Z</updated><entry><id>urn:x:1</id><title>{title}</title>"
    '<link href="https://x.no/1"/><updated>2026-11-23T08:00:00Z</updated>'
    "<summary>Råd om smittevern</summary></entry></feed>"
)
FORMATS = {"rss": ("rss", RSS_BODY), "atom": ("feed", ATOM_BODY)}


def _laughs(depth: int = 6, width: int = 10) -> str:
    """Nested entities: ``&e5;`` is 10^5 copies of 'lol' (a 1 KB 'billion laughs')."""
    decls = ['<!ENTITY e0 "lol">']
    decls += [f'<!ENTITY e{i} "{f"&e{i - 1};" * width}">' for i in range(1, depth)]
    return "".join(decls)


#: name -> (DOCTYPE with ROOT for the root element name, the title's reference)
ATTACKS: dict[str, tuple[str, str]] = {
    "billion-laughs": (f"<!DOCTYPE ROOT [{_laughs()}]>", "&e5;"),
    "quadratic-blowup": (f'<!DOCTYPE ROOT [<!ENTITY a "{"x" * 20000}">]>', "&a;" * 500),
    "parameter-entity": ("<!DOCTYPE ROOT [<!ENTITY % p \"<!ENTITY e 'EXPANDED'>\"> %p;]>", "&e;"),
    "external-entity-file": ('<!DOCTYPE ROOT [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"),
    "external-parameter-entity-file": (
        '<!DOCTYPE ROOT [<!ENTITY % e SYSTEM "file:///etc/passwd"> %e;]>',
        "x",
    ),
    "external-dtd-file": ('<!DOCTYPE ROOT SYSTEM "file:///etc/passwd">', "&e;"),
    "public-dtd": ('<!DOCTYPE ROOT PUBLIC "-//X//DTD X//EN" "file:///etc/passwd">', "&e;"),
    "entity-without-doctype": ('<!ENTITY e "EXPANDED">', "&e;"),
    "second-doctype": ('<!DOCTYPE ROOT><!DOCTYPE ROOT [<!ENTITY e "EXPANDED">]>', "&e;"),
}


@dataclass(frozen=True)
class Variant:
    """One way to put a document on the wire."""

    label: str  # the encoding named in the XML declaration ('' for none)
    encode: Callable[[str], bytes]
    prefix: str = ""  # between the XML declaration and the DOCTYPE
    content_type: str = "application/rss+xml"


def _with_bom(bom: bytes, codec: str) -> Callable[[str], bytes]:
    return lambda text: bom + text.encode(codec)


def _utf7_hiding_markup(text: str) -> bytes:
    """UTF-7 with every '<' and '>' of the prolog as a base64 run, so no '<!ENTITY' is in the
    bytes at all; the declaration stays readable ASCII, as a parser needs it."""
    prolog, _, root = text.rpartition("\n")
    declaration, _, rest = prolog.partition("?>")
    hidden = rest.replace("<", "+ADw-").replace(">", "+AD4-")
    return f"{declaration}?>{hidden}\n".encode("ascii") + root.encode("utf-7")


def _utf8(text: str) -> bytes:
    return text.encode()


VARIANTS: dict[str, Variant] = {
    "utf-8": Variant("UTF-8", _utf8),
    "utf-8-bom": Variant("UTF-8", _with_bom(codecs.BOM_UTF8, "utf-8")),
    "utf-16-le-bom": Variant("UTF-16", _with_bom(codecs.BOM_UTF16_LE, "utf-16-le")),
    "utf-16-be-bom": Variant("UTF-16", _with_bom(codecs.BOM_UTF16_BE, "utf-16-be")),
    "utf-16-le": Variant("UTF-16LE", lambda t: t.encode("utf-16-le")),
    "utf-16-be": Variant("UTF-16BE", lambda t: t.encode("utf-16-be")),
    "utf-16-le-undeclared": Variant("", lambda t: t.encode("utf-16-le")),
    "utf-32-le-bom": Variant("UTF-32", _with_bom(codecs.BOM_UTF32_LE, "utf-32-le")),
    "utf-32-be-bom": Variant("UTF-32", _with_bom(codecs.BOM_UTF32_BE, "utf-32-be")),
    "utf-32-le": Variant("UTF-32LE", lambda t: t.encode("utf-32-le")),
    "utf-32-be": Variant("UTF-32BE", lambda t: t.encode("utf-32-be")),
    "utf-7-declared": Variant("UTF-7", _utf7_hiding_markup),
    "utf-7-http-charset-only": Variant(
        "", _utf7_hiding_markup, content_type="application/rss+xml; charset=utf-7"
    ),
    "utf-16-http-charset-only": Variant(
        "", lambda t: t.encode("utf-16-le"), content_type="text/xml; charset=utf-16le"
    ),
    "comment-prefix": Variant("UTF-8", _utf8, prefix=f"<!--{'x' * PREFIX}-->"),
    "whitespace-prefix": Variant("UTF-8", _utf8, prefix=" \n" * (PREFIX // 2)),
    "pi-prefix": Variant("UTF-8", _utf8, prefix=f"<?pad {'x' * PREFIX}?>"),
    "comment-prefix-utf-16": Variant(
        "UTF-16", _with_bom(codecs.BOM_UTF16_LE, "utf-16-le"), prefix=f"<!--{'x' * PREFIX}-->"
    ),
    "many-comments-prefix": Variant("UTF-8", _utf8, prefix="<!-- -->" * (PREFIX // 8)),
}


def document(variant: Variant, fmt: str, doctype: str, title: str) -> bytes:
    root, body = FORMATS[fmt]
    declaration = (
        f'<?xml version="1.0" encoding="{variant.label}"?>'
        if variant.label
        else '<?xml version="1.0"?>'
    )
    dtd = doctype.replace("ROOT", root)
    return variant.encode(f"{declaration}\n{variant.prefix}{dtd}\n{body.format(title=title)}")


def headers(variant: Variant) -> dict[str, str]:
    return {"Content-Type": variant.content_type}


def refuse_feedparser(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """feedparser replaced by a function that fails the test: a refusal must come first.
    The list holds what reached it (nothing, when the test passes)."""
    calls: list[bytes] = []

    def refuse(stream: io.BytesIO, **_: object) -> object:
        calls.append(stream.read())
        raise AssertionError("feedparser was reached with a hostile feed")

    monkeypatch.setattr(feedparser, "parse", refuse)
    return calls


@pytest.fixture
def no_feedparser(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    return refuse_feedparser(monkeypatch)


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_every_dtd_is_refused_before_parsing_in_every_encoding(
    attack: str, variant: str, fmt: str, no_feedparser: list[bytes]
) -> None:
    doctype, title = ATTACKS[attack]
    v = VARIANTS[variant]
    body = document(v, fmt, doctype, title)
    with pytest.raises(SourceProblem, match=REFUSED):
        extract_feed(body, headers(v))
    assert no_feedparser == []


@pytest.mark.parametrize(
    "variant", ["utf-16-le-bom", "utf-32-be", "comment-prefix", "utf-7-declared"]
)
def test_a_hostile_feed_is_refused_by_detection_with_the_last_version_at_hand(
    variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The way a check reaches it: detect() with a stored version raises, so the check
    records an error and keeps that version (nothing stored, nothing announced)."""
    spec = SourceSpec("n", "feed", "https://x.no/rss", "fhi", "Nyheter")
    good = FetchResult(spec.url, 200, document(VARIANTS["utf-8"], "rss", "", "Vanlig"))
    previous = detect(spec, good, None).state
    calls = refuse_feedparser(monkeypatch)
    v = VARIANTS[variant]
    doctype, title = ATTACKS["billion-laughs"]
    hostile = FetchResult(spec.url, 200, document(v, "rss", doctype, title), headers(v))
    with pytest.raises(SourceProblem, match=REFUSED):
        detect(spec, hostile, previous)
    assert calls == []


def test_the_comment_prefix_attack_is_real_for_feedparser_alone() -> None:
    """The control: without our check, the same bytes do expand in feedparser (its own
    doctype filter looks at the head of the document only). If this ever fails, feedparser
    got safer; the refusal above does not depend on it."""
    doctype = (
        '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    body = document(VARIANTS["comment-prefix"], "rss", doctype, "&b;&b;&b;")
    parsed = feedparser.parse(io.BytesIO(body))
    assert len(parsed.entries[0].title) == 300
    with pytest.raises(SourceProblem, match=REFUSED):
        extract_feed(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        b"<?xml version='1.0'?><!-- never closed <rss/>",
        b"text before <rss version='2.0'/>",
        b"\n<?xml version='1.0'?><rss version='2.0'/>",  # a declaration not at the start
        b"<?xml version='1.0'?><?xml version='1.0'?><rss version='2.0'/>",
        b"<!doctype rss [<!ENTITY e 'x'>]><rss version='2.0'/>",
    ],
)
def test_documents_that_are_no_xml_are_refused_before_parsing(
    body: bytes, no_feedparser: list[bytes]
) -> None:
    with pytest.raises(SourceProblem):
        extract_feed(body)
    assert no_feedparser == []


def test_the_parser_gets_exactly_the_checked_text_as_utf_8() -> None:
    """No second decoding: whatever the wire encoding, the parser reads UTF-8 under a
    declaration saying so, with the characters the check saw from the root element on."""
    v = VARIANTS["utf-16-be-bom"]
    body = document(v, "rss", "", "Ærlig talt")
    checked = feed_text(body, headers(v))
    out = feed_document(body, headers(v))
    root = checked.index("<rss")
    assert out.decode("utf-8") == '<?xml version="1.0" encoding="utf-8"?>\n' + checked[root:]


@pytest.mark.parametrize("variant", ["whitespace-prefix", "comment-prefix", "many-comments-prefix"])
def test_a_long_prolog_never_reaches_feedparser(
    variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """feedparser's own DOCTYPE filter runs line-anchored regexes over everything before the
    root element, in time that grows with the square of its lines (seconds for 140 KB of blank
    lines, holding the GIL). The prolog is checked by us and left out of what it parses."""
    seen: list[bytes] = []
    real = feedparser.parse

    def recording(stream: io.BytesIO, **kw: object) -> object:
        data = stream.read()
        seen.append(data)
        return real(io.BytesIO(data), **kw)

    monkeypatch.setattr(feedparser, "parse", recording)
    v = VARIANTS[variant]
    feed = extract_feed(document(v, "rss", "<!DOCTYPE ROOT>", "Nytt"), headers(v))
    assert [i.title for i in feed.items] == ["Nytt"]
    (data,) = seen
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">')


def test_entities_in_escaped_html_of_an_item_are_not_expanded() -> None:
    """A summary is HTML read by lxml's HTML parser, which never expands a DTD's entities."""
    text = html_to_text('<!DOCTYPE x [<!ENTITY a "zzzzzzzzzz"><!ENTITY b "&a;&a;&a;">]><p>&b;</p>')
    assert "zzzzzzzzzz" not in text


# ----------------------------------------------------------------------------- legitimate


LEGITIMATE = [
    *(v for v in VARIANTS if not v.startswith("utf-7")),
    "latin-1-declared",
    "windows-1252-http",
]
EXTRA = {
    "latin-1-declared": Variant("ISO-8859-1", lambda t: t.encode("latin-1")),
    "windows-1252-http": Variant(
        "", lambda t: t.encode("cp1252"), content_type="text/xml; charset=windows-1252"
    ),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doctype", ["", "<!DOCTYPE ROOT>"])
@pytest.mark.parametrize("variant", LEGITIMATE)
def test_legitimate_feeds_in_any_encoding_still_parse(variant: str, doctype: str, fmt: str) -> None:
    v = VARIANTS.get(variant) or EXTRA[variant]
    body = document(v, fmt, doctype, "Blåbær &amp; tran &#8211; råd")
    feed = extract_feed(body, headers(v))
    assert feed.title == "Blåbær-nytt"
    (item,) = feed.items
    assert item.title == "Blåbær & tran – råd"
    assert item.summary == "Råd om smittevern"


def test_a_utf_7_feed_without_markup_declarations_parses() -> None:
    v = VARIANTS["utf-7-declared"]
    feed = extract_feed(document(v, "rss", "", "Tiltak"), headers(v))
    assert [i.title for i in feed.items] == ["Tiltak"]


def test_a_stylesheet_instruction_and_comments_before_the_root_are_fine() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>'
        "<!-- generert -->\n" + RSS_BODY.format(title="Nytt")
    ).encode()
    assert [i.title for i in extract_feed(body).items] == ["Nytt"]


# ----------------------------------------------------------------------------- the chain


def add_feed(ctx: Context, http: FixtureServer, path: str) -> None:
    ctx.settings = ctx.settings.model_copy(update={"obey_robots": False})
    spec = SourceSpec(path.strip("/"), "feed", http.url(path), "fhi", f"Feed {path}")
    with Session(ctx.engine) as session:
        upsert_sources(session, [spec])
        session.commit()


def snapshots(ctx: Context) -> list[Snapshot]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Snapshot)))


def source(ctx: Context, key: str) -> Source:
    with Session(ctx.engine) as session:
        return session.exec(select(Source).where(Source.key == key)).one()


@pytest.mark.parametrize("variant", ["utf-16-le-bom", "utf-32-le", "comment-prefix-utf-16"])
@pytest.mark.parametrize(
    "attack", ["external-entity-http", "external-dtd-http", "external-parameter-entity-http"]
)
async def test_external_entities_fetch_nothing_and_fail_the_check(
    ctx: Context, http: FixtureServer, attack: str, variant: str
) -> None:
    """Served by our own HTTP server, pointing at that server: the check fails with the
    refusal, stores no version, and the server is asked for the feed only."""
    secret = http.url("/secret.dtd")
    doctype = {
        "external-entity-http": f'<!DOCTYPE ROOT [<!ENTITY e SYSTEM "{secret}">]>',
        "external-dtd-http": f'<!DOCTYPE ROOT SYSTEM "{secret}">',
        "external-parameter-entity-http": f'<!DOCTYPE ROOT [<!ENTITY % p SYSTEM "{secret}"> %p;]>',
    }[attack]
    v = VARIANTS[variant]
    http.set("/secret.dtd", '<!ENTITY e "STOLEN">', headers={"Content-Type": "application/xml-dtd"})
    http.set("/feed", document(v, "rss", doctype, "&e;"), headers=headers(v))
    add_feed(ctx, http, "/feed")
    (report,) = await check(ctx, everything=True)
    assert report.outcome == "error"
    assert REFUSED in report.detail
    assert [path for path, _ in http.requests] == ["/feed"]
    failing = source(ctx, "feed")
    assert failing.consecutive_errors == 1
    assert REFUSED in (failing.last_error or "")
    assert snapshots(ctx) == []


async def test_a_bomb_after_a_good_version_keeps_that_version(
    ctx: Context, http: FixtureServer
) -> None:
    http.set("/feed", document(VARIANTS["utf-8"], "atom", "", "Vanlig"))
    add_feed(ctx, http, "/feed")
    assert [r.outcome for r in await check(ctx, everything=True)] == ["new"]
    (kept,) = snapshots(ctx)
    doctype, title = ATTACKS["billion-laughs"]
    http.set("/feed", document(VARIANTS["utf-16-be"], "atom", doctype, title))
    (report,) = await check(ctx, everything=True)
    assert report.outcome == "error"
    assert [s.id for s in snapshots(ctx)] == [kept.id]


async def test_a_large_body_is_parsed_off_the_event_loop(
    ctx: Context, http: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing more than ``INLINE_DETECT_BYTES`` (a feed or a page) happens in a worker
    thread: a long parse never holds up the event loop that every other fetch and the service
    share. A small body is parsed on the loop, where it costs milliseconds."""
    threads: dict[str, int] = {}
    real = detect

    def recording(spec: SourceSpec, *args: Any) -> Any:
        threads[spec.key] = threading.get_ident()
        return real(spec, *args)

    monkeypatch.setattr("feeds.check.detect", recording)
    padding = "Råd om smittevern. " * (INLINE_DETECT_BYTES // 10)
    http.set(
        "/large",
        document(VARIANTS["utf-16-le-bom"], "rss", "", "Stor").replace(
            "Råd om smittevern".encode("utf-16-le"), padding.encode("utf-16-le")
        ),
    )
    http.set("/small", document(VARIANTS["utf-8"], "rss", "", "Liten"))
    add_feed(ctx, http, "/large")
    add_feed(ctx, http, "/small")
    assert [r.outcome for r in await check(ctx, everything=True)] == ["new", "new"]
    assert threads["large"] != threading.get_ident()
    assert threads["small"] == threading.get_ident()
