"""The fourteenth outside check's cases met after the round (tests/fixtures/detect_open/OPEN.md):
a breadcrumb trail written as a line ("Du er her: Framsida / Tenester") as navigation, a
newsletter sign-up box as a widget (as a "Tips oss" box), a feed item without a GUID known
by the stable id token of its link when the slug around it follows an edited title (and
known under its former identity after the upgrade), and social media embeds as widgets.
Each rule with a guard that content of a similar form is still read."""

from __future__ import annotations

import hashlib

import pytest

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.detect.diff import diff_feed, match_items
from feeds.read.feed import extract_feed, former_identity, link_key
from feeds.read.html import identity_url
from feeds.read.listing import listing_feed
from feeds.types import FetchResult, SeenItem, SnapshotState
from tests.support.pages import changed, text

# ----------------------------------------------------------------------------- breadcrumbs

ARTICLE = "<main>{}<h1>Smittevern i barnehagen</h1><p>Born med feber skal vere heime.</p></main>"


@pytest.mark.parametrize(
    "trail",
    [
        "Du er her: <a href='/'>Framsida</a> / <a href='/tenester/'>Tenester</a> / Smittevern",
        "Du er her: Forside &gt; Helse og omsorg &gt; Smittevern i barnehagen",
        "Du er her: Heim › Helse › Smittevern",
        "Du er her Framsida » Tenester » Helse og omsorg",
        "Du er her: Framsida / Helse / Smittevern i barnehagen og skulen: råd til tilsette",
    ],
)
def test_a_breadcrumb_line_is_navigation(trail: str) -> None:
    plain = ARTICLE.format("")
    assert changed(plain, ARTICLE.format(f"<p class='x'>{trail}</p>")) == []
    assert text(ARTICLE.format(f"<div>{trail}</div>")) == "Born med feber skal vere heime."


def test_a_sentence_after_du_er_her_is_read() -> None:
    for line in (
        "Du er her: på legevakta. Ta kølapp og vent til du blir ropt opp.",
        "Du er her: i venterommet til fastlegen.",
        "Du er her fordi du har fått time / innkalling frå helsestasjonen og treng meir "
        "informasjon enn det som står i innkallinga om korleis du skal førebu deg / kva du tek med",
    ):
        assert line in text(ARTICLE.format(f"<p>{line}</p>"))
    before = ARTICLE.format("<p>Du er her: på legevakta.</p>")
    after = ARTICLE.format("<p>Du er her: på helsestasjonen.</p>")
    assert changed(before, after) == [("changed", ())]


# ----------------------------------------------------------------------------- newsletter boxes

GUIDE = (
    "<main><h1>Fastlegeordningen</h1><p>Alle har rett til ein fast allmennlege.</p>"
    "<h2>Bytte fastlege</h2><p>Du kan bytte to gonger i året.</p>{}</main>"
)


@pytest.mark.parametrize(
    ("heading", "prompt", "control"),
    [
        ("Abonner på nyhetsbrev", "Få nyheter fra kommunen på e-post.", "<form><input></form>"),
        ("Meld deg på nyhetsbrevet", "Kvar fredag.", "<input type='email'>"),
        ("Få nyhetsbrev", "Nyheter på e-post.", "<a href='/nyhetsbrev/'>Meld deg på</a>"),
        ("Nyhetsbrev", "Hold deg oppdatert.", "<a href='/x'>Abonner her</a>"),
        ("Meld deg på nyheitsbrev", "Nytt frå kommunen.", "<a href='/newsletter'>Her</a>"),
        ("Abonner på nyheitsbrevet vårt", "Kvar veke.", "<form><button>Send</button></form>"),
    ],
)
def test_a_newsletter_signup_box_is_a_widget(heading: str, prompt: str, control: str) -> None:
    box = f"<div class='box'><h2>{heading}</h2><p>{prompt}</p>{control}</div>"
    assert changed(GUIDE.format(""), GUIDE.format(box)) == []
    reworded = box.replace(prompt, "Dei viktigaste nyheitene kvar fredag.")
    assert changed(GUIDE.format(box), GUIDE.format(reworded)) == []


def test_a_section_about_a_newsletter_is_read() -> None:
    long = (
        "Nyhetsbrevet for fastleger kommer ut hver måned. Det omtaler endringer i "
        "takstene, nye krav til journalføring, frister for rapportering til kommunen og "
        "kurs i akuttmedisin. Tidligere utgaver ligger i arkivet, sortert etter år og tema."
    )
    with_text = f"<div><h2>Nyhetsbrev</h2><p>{long}</p><a href='/nyhetsbrev'>Abonner</a></div>"
    assert long in text(GUIDE.format(with_text))
    # a short box without a way to sign up
    plain = "<div><h2>Nyhetsbrev</h2><p>Nyhetsbrevet er lagt ned frå 1. januar.</p></div>"
    assert "Nyhetsbrevet er lagt ned frå 1. januar." in text(GUIDE.format(plain))
    # a heading straight in the article, and a heading that is not a sign-up's
    assert "Hold deg oppdatert." in text(
        GUIDE.format("<h2>Nyhetsbrev</h2><p>Hold deg oppdatert.</p><input>")
    )
    other = "<div><h2>Nyhetsbrev om vaksiner</h2><p>Nytt.</p><a href='/nyhetsbrev'>Her</a></div>"
    assert "Nytt." in text(GUIDE.format(other))


# ----------------------------------------------------------------------------- id tokens

BASE = "https://www.regjeringen.no/nn/aktuelt/"


def _rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>Tekst om {t}.</description>"
        "<pubDate>Thu, 03 Dec 2026 09:00:00 +0100</pubDate></item>"
        for t, link in items
    )
    return f'<rss version="2.0"><channel><title>HOD</title>{body}</channel></rss>'.encode()


def _changes(before: bytes, after: bytes) -> list[str]:
    old = extract_feed(before)
    seen = {i.item_id: SeenItem(i.digest, i.title, i.summary) for i in old.items}
    feed = extract_feed(after)
    return [c.kind for c in diff_feed(seen, feed, match_items(seen, feed))]


def test_an_item_whose_slug_follows_its_title_keeps_its_identity() -> None:
    before = _rss(
        ("Nye krav", f"{BASE}nye-krav/id3101122/"), ("Auka tilskot", f"{BASE}auka/id3100871/")
    )
    after = _rss(("Nye krav til heimetenester", f"{BASE}nye-krav-til-heimetenester/id3101122/"),
                 ("Auka tilskot", f"{BASE}auka/id3100871/"))  # fmt: skip
    assert _changes(before, after) == ["changed"]
    # the token as a segment's end
    assert link_key("https://x.no/sak/nye-krav-id3101122") == link_key(
        "https://x.no/sak/krav-id3101122"
    )
    assert link_key(f"{BASE}a/id3101122/?x=1") == "regjeringen.no/nn/aktuelt/id3101122?x=1"


def test_items_whose_links_differ_in_the_token_are_different_items() -> None:
    before = _rss(("Nye krav", f"{BASE}nye-krav/id3101122/"))
    after = _rss(("Nye krav no", f"{BASE}nye-krav-no/id3101123/"))
    assert _changes(before, after) == ["new"]
    assert link_key(f"{BASE}a/id3101122") != link_key(f"{BASE}a/id3101123")
    # no token (four digits, a word that ends in "id" and digits): the link as it stands
    for link in ("https://x.no/sak/id1234/", "https://x.no/covid19999/a", "https://x.no/a/b"):
        assert link_key(link) == identity_url(link)
        assert former_identity(link) == ""
    short = _rss(("A", "https://x.no/sak/a/id1234")), _rss(("B", "https://x.no/sak/b/id1234"))
    assert _changes(*short) == ["new"]
    # two items of one feed under one token share it: known by their text, both kept
    shared = extract_feed(_rss(("A", f"{BASE}a/id3101122"), ("B", f"{BASE}b/id3101122")))
    assert len({i.item_id for i in shared.items}) == 2


def test_a_snapshot_stored_under_the_former_identity_reports_nothing_after_the_upgrade() -> None:
    links = [("Nye krav", f"{BASE}nye-krav/id3101122/"), ("Auka tilskot", f"{BASE}auka/id3100871/")]
    feed = extract_feed(_rss(*links))

    def former(link: str) -> str:  # the identity stored before the slug was set aside
        return hashlib.sha256(f"link:{identity_url(link)}".encode()).hexdigest()[:32]

    seen = {former(i.link): SeenItem(i.digest, i.title, i.summary) for i in feed.items}
    assert not set(seen) & {i.item_id for i in feed.items}
    known = match_items(seen, feed)
    assert known == {i.item_id: former(i.link) for i in feed.items}
    assert diff_feed(seen, feed, known) == []
    # an edit made at the upgrade (the link as stored) is an edit, not a new item
    edited = extract_feed(_rss(("Nye krav no", links[0][1]), links[1]))
    old = {former(links[0][1]): SeenItem(feed.items[0].digest, "Nye krav", feed.items[0].summary)}
    assert [c.kind for c in diff_feed(old, edited, match_items(old, edited))][:1] == ["changed"]


def test_a_listing_stored_under_the_former_identities_reports_nothing_after_the_upgrade() -> None:
    spec = SourceSpec(
        key="l", kind="listing", url=BASE, authority="hod", name="Aktuelt", link_selector="a"
    )
    html = "".join(f"<a href='{BASE}sak-{n}/id310000{n}/'>Sak {n}</a>" for n in range(6))
    result = FetchResult(spec.url, 200, f"<html><main>{html}</main></html>".encode())
    feed = listing_feed(spec, result)
    seen = {former_identity(i.link): SeenItem(i.digest, i.title) for i in feed.items}
    assert not set(seen) & {i.item_id for i in feed.items}
    current = extract_feed(_rss(("A", f"{BASE}a/id3100001")))  # a check with the new code
    assert current.items[0].item_id != former_identity(f"{BASE}a/id3100001")
    d = detect(spec, result, SnapshotState("listing", "old", "x", seen=seen))
    assert d.changes == ()
    # a slug changed since is the same letter; another token is a new one
    renamed = FetchResult(spec.url, 200, result.body.replace(b"sak-1/", b"sak-1-retta/"))
    assert detect(spec, renamed, d.state).changes == ()
    other = FetchResult(spec.url, 200, result.body.replace(b"id3100001", b"id3100009"))
    assert [c.kind for c in detect(spec, other, d.state).changes] == ["new"]


# ----------------------------------------------------------------------------- social embeds

NEWS = "<main><h1>Ny vaksinekampanje</h1><p>Alle over 65 år får tilbod.</p>{}</main>"


@pytest.mark.parametrize(
    "embed",
    [
        '<blockquote class="twitter-tweet"><p>Vaksina er her!</p><a href="https://twitter.com/'
        'x/status/1">Les saken</a></blockquote><script src="https://platform.twitter.com/'
        'widgets.js"></script>',
        '<blockquote class="instagram-media" data-instgrm-permalink="x"><a href="https://www.'
        'instagram.com/p/1/">View this post on Instagram</a></blockquote>',
        '<div class="fb-post" data-href="x"><blockquote>Sjå innlegget</blockquote></div>',
        '<div class="fb-video" data-href="x"><a href="https://facebook.com/v/1">Video</a></div>',
        '<blockquote class="tiktok-embed" cite="x"><section>@fhi Vaksine</section></blockquote>',
        '<iframe src="https://www.facebook.com/plugins/post.php?href=x"></iframe><script '
        'src="https://connect.facebook.net/nb_NO/sdk.js"></script>',
    ],
)
def test_a_social_media_embed_is_a_widget(embed: str) -> None:
    assert changed(NEWS.format(""), NEWS.format(f"<div>{embed}</div>")) == []
    assert text(NEWS.format(embed)) == "Alle over 65 år får tilbod."


def test_a_quoted_blockquote_is_read() -> None:
    quote = "<blockquote><p>Vi tilrår alle over 65 år å ta vaksina.</p></blockquote>"
    assert "Vi tilrår alle over 65 år å ta vaksina." in text(NEWS.format(quote))
    edited = quote.replace("tilrår", "krev at")
    assert changed(NEWS.format(quote), NEWS.format(edited)) == [
        ("changed", ("Ny vaksinekampanje",))
    ]
    cited = '<blockquote class="quote"><p>Vaksina verkar.</p></blockquote>'
    assert "Vaksina verkar." in text(NEWS.format(cited))
