"""Issue 8, class 10, and issue 10: no feed gets an XML entity expanded by a parser, in any
encoding, and no feed goes dark because it has a DOCTYPE.

Every hostile document (nested entities, a quadratic blow-up, parameter entities, external
entities and DTDs pointing at a file or at our own HTTP server) is built in RSS and in Atom and
served in every encoding a parser accepts: UTF-8 with and without a byte order mark, UTF-16
and UTF-32 in both byte orders with and without a mark, UTF-7 (the declaration hidden as
``+ADw-``), a charset given only by HTTP, and with the DTD after more than 64 KiB of comment,
white space or processing instruction. The parser never sees a DOCTYPE (asserted on the bytes
feedparser is handed, by wrapping it): the DTD is read by ``feeds.feedxml``, which expands only
simple internal entities (plain text and character references), bounded, and the HTML entities
of an external DTD it never reads. So each attack either reads the feed's items without the
attack (an external DTD nobody refers to, a parameter entity) or is a SourceProblem that says
why, in bounded time and memory; never a file's content, never a request, never a blow-up.
Legitimate feeds in the same encodings, with a bare DOCTYPE, a DOCTYPE declaring ``&nbsp;``
as CMSs emit, the Netscape RSS 0.91 DOCTYPE or a long comment, parse and yield their items.
Through the chain, a hostile feed is a failed check that stores nothing, a feed with an
external DTD is read, our HTTP server never sees a request for an external entity or DTD, and
detection runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import codecs
import io
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import feedparser
import pytest
from sqlmodel import Session, select

from feeds.catalogue import SourceSpec
from feeds.check import INLINE_DETECT_BYTES
from feeds.detect.detection import detect
from feeds.errors import SourceProblem
from feeds.read.feed import extract_feed
from feeds.read.feedxml import MAX_ENTITY_VALUE, MAX_EXPANSION, MAX_SUBSET, feed_document, feed_text
from feeds.read.html import html_to_text
from feeds.store.models import Snapshot, Source
from feeds.store.sources import upsert_sources
from feeds.types import FetchResult
from notifier.context import Context
from notifier.pipeline import check
from tests.support.cpu import within
from tests.support.httpserver import FixtureServer

UNSAFE = "cannot be read safely"
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


#: name -> (DOCTYPE with ROOT for the root element name, the title, the title read or None:
#: a SourceProblem)
ATTACKS: dict[str, tuple[str, str, str | None]] = {
    "billion-laughs": (f"<!DOCTYPE ROOT [{_laughs()}]>", "&e5;", None),
    "quadratic-blowup": (f'<!DOCTYPE ROOT [<!ENTITY a "{"x" * 20000}">]>', "&a;" * 500, None),
    "parameter-entity": (
        "<!DOCTYPE ROOT [<!ENTITY % p \"<!ENTITY e 'EXPANDED'>\"> %p;]>",
        "&e;",
        None,
    ),
    "parameter-entity-unused": (
        "<!DOCTYPE ROOT [<!ENTITY % p \"<!ENTITY e 'EXPANDED'>\"> %p;]>",
        "Trygt",
        "Trygt",
    ),
    "external-entity-file": (
        '<!DOCTYPE ROOT [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        "&e;",
        None,
    ),
    "external-parameter-entity-file": (
        '<!DOCTYPE ROOT [<!ENTITY % e SYSTEM "file:///etc/passwd"> %e;]>',
        "x",
        "x",
    ),
    "external-dtd-file": ('<!DOCTYPE ROOT SYSTEM "file:///etc/passwd">', "&e;", None),
    "external-dtd-file-unused": ('<!DOCTYPE ROOT SYSTEM "file:///etc/passwd">', "Trygt", "Trygt"),
    "public-dtd": ('<!DOCTYPE ROOT PUBLIC "-//X//DTD X//EN" "file:///etc/passwd">', "&e;", None),
    "entity-without-doctype": ('<!ENTITY e "EXPANDED">', "&e;", None),
    "second-doctype": ('<!DOCTYPE ROOT><!DOCTYPE ROOT [<!ENTITY e "EXPANDED">]>', "&e;", None),
    "entity-with-markup": ('<!DOCTYPE ROOT [<!ENTITY e "<b>EXPANDED</b>">]>', "&e;", None),
}
#: what must never be in what a feed yields
LEAKS = ("EXPANDED", "root:", "lollollol", "xxxxxxxxxx")


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


def record_feedparser(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """feedparser as it is, recording the bytes it is handed."""
    seen: list[bytes] = []
    real = feedparser.parse

    def recording(stream: io.BytesIO, **kw: object) -> object:
        data = stream.read()
        seen.append(data)
        return real(io.BytesIO(data), **kw)

    monkeypatch.setattr(feedparser, "parse", recording)
    return seen


@pytest.fixture
def no_feedparser(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    return refuse_feedparser(monkeypatch)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    return record_feedparser(monkeypatch)


def assert_no_dtd_reached_the_parser(seen: list[bytes]) -> None:
    for data in seen:
        text = data.decode("utf-8")
        assert "<!DOCTYPE" not in text and "<!ENTITY" not in text
        assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<')


# ----------------------------------------------------------------------------- attacks


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_every_attack_is_read_safely_or_refused_in_every_encoding(
    attack: str, variant: str, fmt: str, parsed: list[bytes]
) -> None:
    """Either the feed's items without the attack, or a SourceProblem saying why; the
    parser is never handed a DTD, and nothing grows: the titles stay as short as written."""
    doctype, title, read = ATTACKS[attack]
    v = VARIANTS[variant]
    body = document(v, fmt, doctype, title)
    started = time.process_time()
    if read is None:
        with pytest.raises(SourceProblem, match=UNSAFE):
            extract_feed(body, headers(v))
        assert parsed == []  # refused before any parser ran
    else:
        feed = extract_feed(body, headers(v))
        assert [i.title for i in feed.items] == [read]
        assert not any(leak in str(feed) for leak in LEAKS)
    assert within(time.process_time() - started, 1.0)
    assert_no_dtd_reached_the_parser(parsed)


@pytest.mark.parametrize("depth", [6, 10])
def test_billion_laughs_is_bounded_in_time_and_memory(depth: int) -> None:
    """&e9; would be 10^9 copies of 'lol' (3 GB): refused at once, in a few kilobytes."""
    doctype = f"<!DOCTYPE rss [{_laughs(depth)}]>"
    body = document(VARIANTS["utf-8"], "rss", doctype, f"&e{depth - 1};" * 100)
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(SourceProblem, match=UNSAFE):
            extract_feed(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert within(time.process_time() - started, 0.5)
    assert peak < 2 * 1024 * 1024


def test_many_references_to_simple_entities_are_bounded() -> None:
    """Simple entities are expanded, but a document may not grow past MAX_EXPANSION: 256
    characters 8,000 times over (2 MB from 32 KB of references) is refused, in bounded time."""
    value = "y" * MAX_ENTITY_VALUE
    doctype = f'<!DOCTYPE rss [<!ENTITY a "{value}">]>'
    body = document(VARIANTS["utf-8"], "rss", doctype, "&a;" * 8000)
    started = time.process_time()
    with pytest.raises(SourceProblem, match="more than"):
        extract_feed(body)
    assert within(time.process_time() - started, 0.5)
    # the same entity a few times is read
    few = document(VARIANTS["utf-8"], "rss", doctype, "&a;&a;")
    assert [i.title for i in extract_feed(few).items] == [value * 2]
    assert MAX_EXPANSION < 8000 * MAX_ENTITY_VALUE


def test_a_huge_internal_subset_is_refused() -> None:
    doctype = "<!DOCTYPE rss [" + '<!ENTITY n "&#160;">' * (MAX_SUBSET // 10) + "]>"
    body = document(VARIANTS["utf-8"], "rss", doctype, "Nytt")
    with pytest.raises(SourceProblem, match="internal subset"):
        extract_feed(body)


@pytest.mark.parametrize(
    "variant", ["utf-16-le-bom", "utf-32-be", "comment-prefix", "utf-7-declared"]
)
def test_a_hostile_feed_is_refused_by_detection_with_the_last_version_at_hand(
    variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The way a check reaches it: detect() with a stored version raises, so the check
    records an error and keeps that version (nothing stored, nothing announced)."""
    spec = SourceSpec(key="n", kind="feed", url="https://x.no/rss", authority="fhi", name="Nyheter")
    good = FetchResult(spec.url, 200, document(VARIANTS["utf-8"], "rss", "", "Vanlig"))
    previous = detect(spec, good, None).state
    calls = refuse_feedparser(monkeypatch)
    v = VARIANTS[variant]
    doctype, title, _ = ATTACKS["billion-laughs"]
    hostile = FetchResult(spec.url, 200, document(v, "rss", doctype, title), headers(v))
    with pytest.raises(SourceProblem, match=UNSAFE):
        detect(spec, hostile, previous)
    assert calls == []


def test_the_comment_prefix_attack_is_real_for_feedparser_alone() -> None:
    """The control: without our reading, the same bytes do expand in feedparser (its own
    doctype filter looks at the head of the document only). If this ever fails, feedparser
    got safer; our reading does not depend on it."""
    doctype = (
        '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    body = document(VARIANTS["comment-prefix"], "rss", doctype, "&b;&b;&b;")
    parsed = feedparser.parse(io.BytesIO(body))
    assert len(parsed.entries[0].title) == 300
    with pytest.raises(SourceProblem, match=UNSAFE):
        extract_feed(body)


def test_references_in_cdata_comments_and_attributes() -> None:
    """A declared entity is expanded in text and in attribute values (its quotes escaped),
    never inside a CDATA section or a comment; the predefined entities stay as they are."""
    doctype = '<!DOCTYPE rss [<!ENTITY q \'sa "hei" &amp; &#229;\'><!ENTITY e "&#160;">]>'
    body = (
        '<?xml version="1.0"?>' + doctype + '<rss version="2.0"><channel><title>N</title>'
        "<item><guid>g</guid><title>&q;<![CDATA[ &q; ]]><!-- &nope; --></title>"
        "<link>https://x.no/a?x=&amp;q;&amp;y=1</link>"
        "<description>&lt;p&gt;A&e;B&lt;/p&gt;</description></item></channel></rss>"
    ).encode()
    (item,) = extract_feed(body).items
    assert item.title == 'sa "hei" & å &q;'
    assert item.summary == "A B"


def test_a_declared_entity_in_an_attribute_value() -> None:
    doctype = "<!DOCTYPE feed [<!ENTITY host 'www.x.no'><!ENTITY q '\"'>]>"
    body = (
        '<?xml version="1.0"?>' + doctype + '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>N</title><id>urn:n</id><entry><id>urn:n:1</id><title>&q;Sitat&q;</title>"
        '<link href="https://&host;/a?t=&q;"/><summary>S</summary></entry></feed>'
    ).encode()
    (item,) = extract_feed(body).items
    assert item.title == '"Sitat"'
    assert item.link.startswith("https://www.x.no/a?t=")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        b"<?xml version='1.0'?><!-- never closed <rss/>",
        b"text before <rss version='2.0'/>",
        b"\n<?xml version='1.0'?><rss version='2.0'/>",  # a declaration not at the start
        b"<?xml version='1.0'?><?xml version='1.0'?><rss version='2.0'/>",
        b"<!doctype rss [<!ENTITY e 'x'>]><rss version='2.0'/>",  # XML is case-sensitive
        b"<!DOCTYPE rss [<!ENTITY e 'x'> garbage]><rss version='2.0'/>",
        b"<!DOCTYPE rss [<!ENTITY e 'x'><rss version='2.0'/>",  # the subset never ends
        b"<!DOCTYPE rss []><rss version='2.0'><channel><title>&e;</title></channel></rss>",
        b"<!DOCTYPE rss []><rss version='2.0'><channel><![CDATA[ never closed</channel></rss>",
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
def test_a_long_prolog_never_reaches_feedparser(variant: str, parsed: list[bytes]) -> None:
    """feedparser's own DOCTYPE filter runs line-anchored regexes over everything before the
    root element, in time that grows with the square of its lines (seconds for 140 KB of blank
    lines, holding the GIL). The prolog is read by us and left out of what it parses."""
    v = VARIANTS[variant]
    feed = extract_feed(document(v, "rss", "<!DOCTYPE ROOT>", "Nytt"), headers(v))
    assert [i.title for i in feed.items] == ["Nytt"]
    (data,) = parsed
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


#: DOCTYPEs of ordinary feeds: bare, a CMS's character entities, the Netscape RSS 0.91 DTD
#: (an external DTD that is never read; its HTML entities are known), an XHTML one
ORDINARY_DOCTYPES = {
    "none": ("", "Blåbær &amp; tran &#8211; råd"),
    "bare": ("<!DOCTYPE ROOT>", "Blåbær &amp; tran &#8211; råd"),
    "cms-entities": (
        '<!DOCTYPE ROOT [\n  <!ENTITY nbsp "&#160;">\n  <!ENTITY ndash "&#8211;">\n'
        "  <!-- Latin-1 -->\n  <!ENTITY aring '&#229;'>\n  <!ENTITY aelig \"&#xE6;\">\n"
        "  <!ELEMENT ROOT ANY>\n  <!ATTLIST ROOT version CDATA #IMPLIED>\n]>",
        "Bl&aring;b&aelig;r &amp; tran&nbsp;&ndash; r&aring;d",
    ),
    "rss-0.91": (
        '<!DOCTYPE ROOT PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n'
        ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
        "Bl&aring;b&aelig;r &amp; tran &ndash; r&aring;d",
    ),
    "xhtml": (
        '<!DOCTYPE ROOT PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
        "Blåbær &amp; tran &ndash; råd",
    ),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doctype", ORDINARY_DOCTYPES)
@pytest.mark.parametrize("variant", LEGITIMATE)
def test_legitimate_feeds_in_any_encoding_still_parse(
    variant: str, doctype: str, fmt: str, parsed: list[bytes]
) -> None:
    v = VARIANTS.get(variant) or EXTRA[variant]
    dtd, title = ORDINARY_DOCTYPES[doctype]
    feed = extract_feed(document(v, fmt, dtd, title), headers(v))
    assert feed.title == "Blåbær-nytt"
    (item,) = feed.items
    assert item.title == "Blåbær & tran – råd"
    assert item.summary == "Råd om smittevern"
    assert_no_dtd_reached_the_parser(parsed)


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
    spec = SourceSpec(
        key=path.strip("/"), kind="feed", url=http.url(path), authority="fhi", name=f"Feed {path}"
    )
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
    """Served by our own HTTP server, pointing at that server, and referred to: the check
    fails saying why, stores no version, and the server is asked for the feed only."""
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
    assert UNSAFE in report.detail
    assert [path for path, _ in http.requests] == ["/feed"]
    failing = source(ctx, "feed")
    assert failing.consecutive_errors == 1
    assert UNSAFE in (failing.last_error or "")
    assert snapshots(ctx) == []


@pytest.mark.parametrize(
    "attack", ["external-entity-http", "external-dtd-http", "external-parameter-entity-http"]
)
async def test_a_feed_naming_an_external_dtd_is_read_without_fetching_it(
    ctx: Context, http: FixtureServer, attack: str
) -> None:
    """The same DOCTYPEs in a feed that refers to no entity of theirs: the feed's items are
    read (the source does not go dark) and the DTD is never asked for."""
    secret = http.url("/secret.dtd")
    doctype = {
        "external-entity-http": f'<!DOCTYPE ROOT [<!ENTITY e SYSTEM "{secret}">]>',
        "external-dtd-http": f'<!DOCTYPE ROOT SYSTEM "{secret}">',
        "external-parameter-entity-http": f'<!DOCTYPE ROOT [<!ENTITY % p SYSTEM "{secret}"> %p;]>',
    }[attack]
    http.set("/secret.dtd", '<!ENTITY e "STOLEN">', headers={"Content-Type": "application/xml-dtd"})
    http.set("/feed", document(VARIANTS["utf-8"], "atom", doctype, "Tiltak"))
    add_feed(ctx, http, "/feed")
    (report,) = await check(ctx, everything=True)
    assert report.outcome == "new"
    assert [path for path, _ in http.requests] == ["/feed"]
    (stored,) = snapshots(ctx)
    assert stored.id is not None


async def test_a_bomb_after_a_good_version_keeps_that_version(
    ctx: Context, http: FixtureServer
) -> None:
    http.set("/feed", document(VARIANTS["utf-8"], "atom", "", "Vanlig"))
    add_feed(ctx, http, "/feed")
    assert [r.outcome for r in await check(ctx, everything=True)] == ["new"]
    (kept,) = snapshots(ctx)
    doctype, title, _ = ATTACKS["billion-laughs"]
    http.set("/feed", document(VARIANTS["utf-16-be"], "atom", doctype, title))
    (report,) = await check(ctx, everything=True)
    assert report.outcome == "error"
    assert [s.id for s in snapshots(ctx)] == [kept.id]


async def test_a_large_body_is_parsed_off_the_event_loop(
    ctx: Context, http: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing more than ``INLINE_DETECT_BYTES`` (a feed or a page) happens in a worker
    thread: a long parse never holds up the event loop that every other fetch and the service
    share. A small body is parsed on the loop, where it costs milliseconds. (This is the
    path without detection processes, ``NOTIFIER_DETECT_PROCESSES=0``; with them every body
    is read in one of those, tests/test_detect_processes.py.)"""
    ctx.settings = ctx.settings.model_copy(update={"detect_processes": 0})
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
