"""HTML: fetched bytes of a page to our own values (``PageContent`` of ``Section``s, ``Link``s).

Nothing past this module sees an lxml element. Pages are parsed with lxml (its HTML parser is
~20x cheaper than BeautifulSoup's on the same tree, perf-notes.md). The page, document and
change-log readers build on it; so does the feed reader, for the HTML inside feed items
(``html_to_text``) and the forms of an address (``canonical_url``, ``identity_url``).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import deepcopy
from datetime import date
from typing import Any, NamedTuple, cast
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from feeds.errors import SourceProblem
from feeds.read.normalize import (
    BUTTON_LABEL,
    CONTROL_LABEL,
    FEEDBACK_TALLY,
    NEW_BADGE,
    NOISE_HEADINGS,
    clean_joined,
    clean_text,
    compile_noise,
    decode_body_utf8,
    is_date_only,
    is_dated_field,
    is_print_field,
    is_relative_time_field,
    is_signal_label,
    is_signal_line,
    latin1,
    noise_phrases,
    parse_date,
    signal_dates,
    starts_with_date,
    strip_noise,
)
from feeds.read.selectors import compile_selector
from feeds.sites import SPAM_WORDS, host_of, site_of
from feeds.types import ITEM_MARKS, Link, PageContent, Section, depth_of

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
HEADING_SET = frozenset(HEADINGS)
#: elements that end a line of text
BLOCKS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "caption",
        "section", "article", "blockquote", "pre", "figure", "figcaption", "br", "hr",
        "details", "summary", "main", "header", "footer", "address",
    }
)  # fmt: skip
_ALWAYS_DROP = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "form", "select",
    "textarea", "dialog",
)  # fmt: skip
#: A <dialog> is an overlay (a cookie consent, a newsletter pop-up), dropped as a <form> is:
#: unless it wraps the content (``_FORM_WRAPS_CONTENT``)
_UNLESS_WRAPPING = frozenset({"form", "dialog"})
#: A <form> is a search box or a sign-up widget, dropped with its text, unless it wraps the
#: content: ASP.NET WebForms pages (EPiServer, older CMSs) put the whole body in one
#: <form id="aspnetForm">; such a form holds the page's main content, and stays (its
#: <select> lists and <textarea>s go, as everywhere). What marks the content:
_CONTENT_MARKS = "descendant::h1 | descendant::main | descendant::*[@role='main']"
_FORM_WRAPS_CONTENT = etree.XPath(f"boolean({_CONTENT_MARKS} | descendant::article)")
#: Page chrome dropped when a source names no content selector: navigation wherever it
#: stands, asides (``_chrome``), the landmarks of the site (banner, navigation, contentinfo),
#: and the site's own <header> and <footer>. A <header> or <footer> inside the content (an
#: <article>, a <section>, <main>: the element it belongs to, as HTML scopes it) is the
#: article's own: its title, a consultation notice ("Ekstern høring: Høringsfrist ..."),
#: "Utgått", "Under revisjon", a recommendation's strength. That is content, kept; only the
#: dates of labelled furniture in it ("Sist oppdatert", "Publisert", ...) are noise, as
#: anywhere else (``normalize.NOISE_LINES``).
_CONTENT_SCOPE = (
    "ancestor::article or ancestor::section or ancestor::main or ancestor::*[@role='main']"
)
FALLBACK_DROP_XPATH = etree.XPath(
    "descendant::nav | descendant::aside"
    " | descendant::*[@role='banner' or @role='navigation' or @role='contentinfo']"
    f" | descendant::header[not({_CONTENT_SCOPE})]"
    f" | descendant::footer[not({_CONTENT_SCOPE})]"
)


def _chrome(main: Any) -> list[Any]:
    """What ``FALLBACK_DROP_XPATH`` finds under ``main``, but for the asides inside an
    <article> that are part of it: an aside of the article's own text (a fact box of a
    vaccine's name, age group and dose between its sections, blind round 199) is content, as
    the article's own <header> is; one whose text stands in its links ("Les også", related
    pages; ``_is_link_box``) or that holds no text goes, as an aside outside any article. So
    does an aside in a column beside the article, but for a fact box of its own: named so
    (its class "factbox", "fakta"; its heading "Fakta …") and no box of links (blind round
    268: "Fakta om ordninga" beside a grant's article held its deadline)."""
    return [
        el
        for el in cast(list[Any], FALLBACK_DROP_XPATH(main))
        if el.tag != "aside"
        or (next(el.iterancestors("article"), None) is None and not _fact_box(el))
        or not clean_text(_text_of(el))
        or _is_link_box(el)
    ]


def _fact_box(aside: Any) -> bool:
    """Whether an aside is named a fact box, by its class or its first heading."""
    if any(word in (aside.get("class") or "").lower() for word in ("factbox", "fakta")):
        return True
    heading = next(aside.iter(*HEADINGS), None)
    return heading is not None and clean_text(_text_of(heading))[:5].lower() == "fakta"


#: Widgets that are noise on every site we watch: cookie and consent banners, surveys, share
#: bars, related-content cards, skip links and print buttons (sources.md): elements whose
#: attribute contains one of these words.
_NOISE_DROP = (
    ("class", "cookie"), ("id", "cookie"), ("class", "consent"), ("class", "survey"),
    ("class", "related"), ("class", "share-"), ("class", "skip-link"), ("class", "print-"),
    # breadcrumbs ("breadcrumbs", "Breadcrumb", aria-label "Brødsmulesti"): the site's
    # navigation, standing inside the content on some layouts (contains() is case sensitive)
    ("class", "readcrumb"), ("id", "readcrumb"), ("aria-label", "readcrumb"),
    ("aria-label", "rødsmule"),
    # a text-to-speech player ("Lytt": ReadSpeaker's rsbtn, rs_skip); a product's advert box
    # ("Få full tilgang med Lovdata Pro. Prøv gratis i 14 dager": "pro-promo")
    ("class", "rsbtn"), ("class", "readspeaker"), ("id", "readspeaker"), ("class", "promo"),
    # ... in camel case ("lovdataPromo"), or an advert labelled as one (aria-label "Annonse",
    # class "annonse", "advert": blind round 94)
    ("class", "Promo"), ("aria-label", "nnonse"), ("class", "annonse"), ("class", "advert"),
    # a press release's topic tags ("Emne: Helse Kommuner")
    ("class", "tags"),
    # a popularity list of other pages ("Mest lest", nynorsk "Mest lese"), carousels and
    # sliders of other articles ("Flere nyheter"): they change by the hour or rotate
    ("class", "most-read"), ("class", "mostread"), ("class", "most-popular"),
    ("class", "mest-lest"), ("class", "mest-lese"), ("id", "most-read"), ("id", "mest-lest"),
    ("class", "carousel"), ("class", "swiper"), ("class", "slider"), ("class", "slick"),
    # a live chat's widget ("Chatten er open no", "Chatten er stengd"): its status follows the
    # clock ("chat-widget", "livechat", "chat--floating"; the vendors' own: Intercom, Kindly,
    # Puzzel)
    ("class", "chat"), ("id", "chat"), ("class", "intercom"), ("id", "intercom"),
    ("class", "kindly"), ("id", "kindly"), ("class", "puzzel"), ("id", "puzzel"),
    # a site's campaign banner ("campaign-banner", "kampanje", aria-label "Kampanje"): only
    # as a box of links (``_LINK_BOX_WORDS``)
    ("class", "campaign"), ("id", "campaign"), ("class", "kampanje"), ("id", "kampanje"),
    ("aria-label", "ampanje"), ("aria-label", "ampaign"),
    # a box of recommended pages ("recommended-content"): only as a box of links too; a
    # "recommendation" (a guideline's "anbefaling") is no such word
    ("class", "recommended"),
    # a widget's live status region ("Lastar inn kart …", "Kartet er lasta. 14 legevakter
    # funne."): only when only screen readers get it (``_STATUS_WORDS``)
    ("aria-live", "polite"), ("aria-live", "assertive"), ("role", "status"),
    # a social media post embedded ("twitter-tweet", "instagram-media", "fb-post",
    # "fb-video", "tiktok-embed", a "twitter-timeline" link): its fallback text ("Les saken",
    # "View this post on Instagram") until the service's script replaces it; the iframes and
    # SDK scripts of those services go as every iframe and script. A plain <blockquote> is read
    ("class", "twitter-tweet"), ("class", "twitter-timeline"), ("class", "instagram-media"),
    ("class", "fb-post"), ("class", "fb-video"), ("class", "tiktok-embed"),
    # a weather box ("weather-widget", Yr's "yr-widget": "4 °C, lett regn"): it follows the sky
    ("class", "weather"), ("id", "weather"), ("class", "yr-widget"),
    # Google's translation widget ("Velg språk", "Powered by Google Translate"): a control
    ("id", "google_translate"), ("class", "goog-te-"),
    # found in the same scan, for rules of their own (``_rare_marks``): the ``hidden``
    # attribute, Cloudflare's protected address, a converted document's running head or foot
    # a live queue or waiting-time widget ("Forventet ventetid nå 2 t 40 min · 23 pasienter
    # venter", blind round 62): it refreshes itself ("data-refresh")
    ("class", "queue-widget"), ("class", "waiting-time"), ("class", "wait-time"),
    ("class", "ventetid"), ("data-refresh", ""),
    # ... or named for the queue it shows ("queue-status", "queue-time", blind round 258)
    ("class", "queue"),
    # an A/B test's banner, its variant by visit ("ab-banner", blind round 258); a campaign's
    # box that an experiment's attribute marks is one too (``_EXPERIMENT``)
    ("class", "ab-banner"),
    ("hidden", ""), ("data-cfemail", ""), ("class", "page-head"), ("class", "page-foot"),
    ("class", "page_head"), ("class", "page_foot"), ("class", "running"),
    # a box whose content rotates by visit ("rotator", "rotating-tips", data-rotate): it
    # shows another tip or teaser at every fetch
    ("class", "rotat"), ("data-rotate", ""),
    # a banner or hero image of a campaign ("hero-banner", "b-banner"): only as a box of
    # links (``_LINK_BOX_WORDS``): a banner of text ("Viktig: legevakta er stengd") is read,
    # and a hero that holds the <h1> holds the content
    ("class", "banner"), ("class", "hero"),
    # a box of the site's news inside the content column ("aktuelt-boks", aria-label
    # "Aktuelt frå heradet", blind round 151): it shows other news by the day; only as a box
    # of links (``_LINK_BOX_WORDS``): an article of class "aktuelt-artikkel" is read
    ("class", "aktuelt"), ("aria-label", "ktuelt"),
    # a column of the site's navigation inside the content ("section-nav", "sidenav",
    # "subnav": "Mest lese", "Siste saker" beside a press release, blind round 260): only as a
    # box of links (``_LINK_BOX_WORDS``)
    ("class", "nav"),
    # a map's credits, drawn by its library when it has loaded ("Kartverket, Esri, HERE":
    # ArcGIS, Leaflet, OpenLayers, Mapbox and MapLibre, Google Maps; blind round 152)
    ("class", "esri-attribution"), ("class", "leaflet-control-attribution"),
    ("class", "ol-attribution"), ("class", "ctrl-attrib"), ("class", "gm-style-cc"),
)  # fmt: skip
#: a campaign's or a banner's words, and the attributes of an A/B test's variant ("data-ab",
#: "data-experiment"): a campaign box of text so marked shows another offer at each visit
#: (blind round 258: "Nytt: bestill vaksinetime digitalt!" and "Slipp køen – bestill på
#: nett"); on an element of the content (an ingress rendered by the experiment) such an
#: attribute alone drops nothing
_CAMPAIGN_WORDS = frozenset({"campaign", "kampanje", "ampanje", "ampaign", "banner", "hero"})
_EXPERIMENT = ("data-ab", "data-ab-test", "data-experiment")
#: the ``_NOISE_DROP`` words that name a widget only when its text stands in links
#: (``_LINK_SHARE``): a campaign banner points to the campaign, a box of recommended pages to
#: them; a box of text under such a name (an urgent notice set as a "campaign") is read
_LINK_BOX_WORDS = _CAMPAIGN_WORDS | {"recommended", "aktuelt", "ktuelt", "nav"}
#: the ``_NOISE_DROP`` words of a live region: a widget's status only when only screen readers
#: get it (``_for_screen_readers``); a visible ``role="alert"`` or ``aria-live`` notice
#: ("Viktig: legevakta er stengd i dag") is read
_STATUS_WORDS = frozenset({"polite", "assertive", "status"})


#: ... in one scan of the tree (as CSS selectors, [class*=cookie], ..., cssselect scans the
#: tree once per selector: ~3x the cost; each attribute is tested for presence first, which
#: libxml2 does ~5x faster than a contains() on a missing attribute); and every [role=dialog]
def _contains_any_xpath(rules: Sequence[tuple[str, str]]) -> str:
    """An XPath predicate: some attribute contains one of its words ((attribute, word) rules)."""
    tests = []
    for attr in dict.fromkeys(a for a, _ in rules):
        words = " or ".join(f"contains(@{attr}, '{w}')" for a, w in rules if a == attr)
        tests.append(f"(@{attr} and ({words}))")
    return " or ".join(tests)


_NOISE_XPATH = etree.XPath(
    f"descendant-or-self::*[{_contains_any_xpath(_NOISE_DROP)} or @role = 'dialog'"
    " or @aria-hidden = 'true']"
)
#: When few elements have attributes (the body of an article often has none), the noise
#: test is made on those in Python (``_noise_of``); when many do, by ``_NOISE_XPATH``.
_NOISE_IN_PYTHON = 48
_NOISE_WORDS = {a: tuple(w for b, w in _NOISE_DROP if b == a) for a, _ in _NOISE_DROP}
#: where the main content is looked for when a source names no selector, in this order
FALLBACK_MAIN = ("main", "[role=main]", "article", "#content", "#main-content", "body")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: a tag this long is looked at closely (only inline data URIs and hostile pages have them)
_LONG_TAG_CHARS = 20000
_LONG_TAG = re.compile(f"<[^<>]{{{_LONG_TAG_CHARS},}}")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_ATTRIBUTE = re.compile(r"\s+[^\s=>/]")
#: libxml2 checks each attribute against the ones before it: 40,000 attributes on one element
#: take 10 s, a 10 MiB page of them hours. No real element has more than a few dozen.
MAX_ATTRIBUTES = 1000
#: A page with more elements than this is refused before it is parsed (``refuse_hostile_markup``).
#: The largest pages we watch (regjeringen.no, helsedirektoratet.no) have a few thousand
#: elements, the test corpus at most 3.4 a KB (a 10 MiB body, the fetch limit, of that
#: density: ~35,000), a 100 KB guidance page ~350. Reading a page costs ~4 µs of CPU an
#: element (parse, drop, walk, sections): the limit caps it near 0.85 s and 70 MiB, where a
#: 10 MiB page of 870,000 <p>s took 3.6 s and 300 MiB to be accepted.
MAX_ELEMENTS = 200_000
#: the element scan hands libxml2 the text this many characters at a time
SCAN_CHUNK = 1 << 16
#: a decoded page with more NUL characters than this share is not text in that encoding
_MAX_NUL_SHARE = 0.01
_PROBLEM_PAGES = tuple(
    re.compile(p, re.I)
    for p in (
        r"just a moment\.\.\.|checking your browser|cf-challenge|enable javascript and cookies",
        r"\bcaptcha\b|are you a robot|er du en robot",
        # a CDN's cached copy served while the site is down ("Du ser ein bufra versjon av
        # sida, levert av Cloudflare Always Online", blind round 234): an old version, whose
        # missing news would be told as removed
        r"always online™?|du ser (?:en|ein) (?:bufret|bufra|mellomlagret|mellomlagra) versjon"
        r"|you are viewing a cached (?:version|copy)",
        # a robot check in Norwegian ("Bekreft at du ikke er en robot", nynorsk "Stadfest at
        # du ikkje er ein robot") and the widgets' own words (reCAPTCHA, hCaptcha)
        r"\b(re|h)captcha\b|(bekreft|stadfest|vis) at du (ikke|ikkje) er (en|ein) robot"
        r"|\b(jeg|eg) er (ikke|ikkje) (en|ein) robot\b|verify (that )?you are (a )?human",
        # a bot check's own words (Cloudflare's in Norwegian: "Bekreft at du er et menneske",
        # nynorsk "Stadfest at du er eit menneske", "... må se gjennom sikkerheten til
        # tilkoblingen din", its "Ray ID"), sent with status 200
        r"(bekreft|stadfest|vis) at du er (et|eit) menneske|(se|sjå) gjennom (sikkerheten"
        r"|tryggleiken) til (tilkoblingen|tilkoplinga|tilkoblinga) di|\bray id\W{1,3}[0-9a-f]{8}"
        r"|checking (if )?(the site connection is secure|your browser)"
        r"|(sjekker|sjekkar|kontrollerer) (nettleseren|nettlesaren) din",
        r"under maintenance|temporarily unavailable|service unavailable|scheduled maintenance",
        r"(vi )?(utfører|gjer|gjør) vedlikehold|midlertidig utilgjengelig|mellombels utilgjengeleg",
        r"nettstedet er (nede|utilgjengelig)|siden er midlertidig nede",
        # ... planned, and in nynorsk ("Nettstaden er utilgjengeleg medan vi gjer planlagt
        # vedlikehald")
        r"\bvi (utfører|gjer|gjør) (planlagt |planlagd )?vedlikeh[oa]ld"
        r"|nettstaden er (nede|utilgjengeleg)|sida er mellombels nede",
        r"(siden|sida)( du (ba|bad) om)? (finnes|finst|eksisterer) (ikke|ikkje|ikje)"
        r"|page not found"
        r"|(siden|sida) (ble|vart) (ikke|ikkje|ikje) funne[tn]",
        # soft 404s and moved stubs: "Vi finner ikke siden du leter etter", "Vi fann ikkje
        # sida", "Denne sida er flytta ... Du blir send vidare"
        r"\b(finner|fant|finn|fann) (ikke|ikkje|ikje) (siden|sida)\b",
        r"(siden|sida) du (leter|leitar|leiter|søker|søkjer) etter\W+(finnes|finst|eksisterer)",
        r"(siden|sida) (er|har) (blitt |vorte )?(flyttet|flytta)\b"
        r"|du (blir|vil bli) ((sendt|send) (videre|vidare)|videresendt|vidaresend)",
        r"we can.t find (the|that) page|the page you (are looking for|requested)",
        # "Feil" or "Error" first in the title, but not a headline about an error in something
        # ("Feil i tal for vaksinasjonsdekning i vekerapporten", blind round 326)
        r"^(error|feil)\b(?!\s+(?:i|ved|på|om|under|rundt|med|frå|fra|som|og|knytt\w*|rett\w*)\b)"
        r"|internal server error|noe gikk galt|noko gjekk gale",
        r"access denied|tilgang nektet|attention required|403 forbidden|too many requests",
        r"(siden|sida) er under arbeid|prøv igjen (senere|seinare)|try again later",
        # a rate limit, a login wall, a consent wall or a refusal sent with status 200 in the
        # page's own frame: nothing of the content was delivered
        r"for mange (forespørsler|førespurnader|foresp\w+)|(feilkode|error code)\W{0,3}429"
        r"|rate limit(ed)?\b",
        r"du må (logge inn|logga inn|vere innlogga|være innlogget|logge på)\b"
        r"|logg inn med id-porten|innlogging (kreves|krevst|er påkrevd)"
        # ... its sentence when its button went with its form ("Denne siden er bare
        # tilgjengelig for innloggede brukere", blind round 161)
        r"|(bare|berre|kun) (tilgjengelig|tilgjengeleg) for innlogg(ede|a)\b"
        r"|(sign|log) in to (continue|view)",
        r"ta stilling til (informasjonskapsl|cookies)|(godta|aksepter|samtykk\w*) (til )?"
        r"(informasjonskapsl\w*|cookies) (før|for å) (du kan )?(se|sjå|lese|fortsette|halde fram)",
        r"ingen tilgang \(?403|du har (ikke|ikkje|ikkje lenger) tilgang til (denne )?"
        r"(siden|sida|innholdet|innhaldet|ressursen)",
        # the stock error pages of web servers and caches, in their own (English) words:
        # ASP.NET's "Server Error in '/' Application. Runtime Error", IIS's "HTTP Error
        # 500.19", nginx's "502 Bad Gateway", Apache's "The requested URL was not found on
        # this server", Varnish's "Error 503 Backend fetch failed ... Guru Meditation"
        r"server error in '[^']{0,80}' application|\bruntime error\b|\bhttp error [45]\d\d\b",
        r"\b50[0-4] (bad gateway|gateway time-?out|service (temporarily )?unavailable)\b"
        r"|\bbad gateway\b|\bgateway time-?out\b|guru meditation|backend fetch failed",
        r"the requested url .{0,200}?was not found on this server"
        r"|you don.t have permission to access|the server encountered an internal error",
        # F5's web application firewall (BIG-IP ASM): "The requested URL was rejected. Please
        # consult with your administrator. Your support ID is: 1429..."
        r"the requested url was rejected|your support id is\b",
    )
)
_PROBLEM_MAX_CHARS = 1500
#: A page split into more sections than this is no page a reader follows section by section
#: (the largest guides and regulations we watch have a few hundred headings); its snapshot
#: would only grow without bound. Refused as soon as the walk passes it (``_SectionBuilder``).
MAX_SECTIONS = 5000
#: A heading longer than this is text set as a heading (a CMS's misuse), read as a line: as a
#: heading it would stand in the path of every section under it, in every stored version and
#: every check of the page (a 100 KB "heading" over 2,000 sections: 400 MB)
MAX_HEADING_CHARS = 300
#: every header, footer, nav and aside (the change-log reader, ``feeds.read.changelog``, whose
#: rows never stand in an article's header)
FALLBACK_DROP_CSS = "nav, header, footer, aside"
_TRACKING_PARAMS = (
    "utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "_hs", "msclkid", "igshid", "mkt_tok",
)  # fmt: skip
#: parameters that name the channel a reader came by, tracking only with such a value
#: ("?ref=rss"): "ref", "source" or "kilde" with another value may pick the content
_CHANNEL_PARAMS = frozenset({"ref", "src", "source", "kilde", "from"})
_CHANNEL_VALUES = frozenset(
    {"rss", "rss2", "atom", "feed", "rssfeed", "newsfeed", "newsletter", "nyhetsbrev"}
)
#: session tokens and cache-busters: never part of an identity
_VOLATILE_PARAMS = frozenset(
    {"_", "cb", "cachebuster", "nocache", "jsessionid", "phpsessid", "sessionid", "sid", "ts"}
)
_PATH_SESSION = re.compile(r";jsessionid=[^/?#]*", re.I)


# ----------------------------------------------------------------------------- addresses


#: links and GUIDs remembered in their canonical and identity forms: a feed shows mostly the
#: same items check after check (the catalogue's feeds hold a few thousand links in all).
#: Full, each of the two caches holds ~1.4 MB (at 16,384 it was ~5.6 MB: ~11 MB of a
#: worker's RSS once enough feed items had passed)
_URL_CACHE = 4096


@functools.lru_cache(maxsize=_URL_CACHE)
def canonical_url(url: str) -> str:
    """Drop tracking parameters (a feed named as the channel too: "?ref=rss") and the
    fragment, so the same link has one identity; a non-HTTP link becomes ''."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return ""  # javascript:, data: and the like never reach a reader
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _kept(k, v)]
    path = _PATH_SESSION.sub("", parts.path)
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, urlencode(query), ""))


def _kept(key: str, value: str) -> bool:
    """Whether a query parameter is part of a link's identity: not a tracking parameter, a
    session token or cache-buster, nor a channel named for a feed ("ref=rss")."""
    key = key.lower()
    if key.startswith(_TRACKING_PARAMS) or key in _VOLATILE_PARAMS:
        return False
    return key not in _CHANNEL_PARAMS or value.strip().lower() not in _CHANNEL_VALUES


_IDENTITY_SAFE = "/:@!$&'()*+,;=-._~"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=_URL_CACHE)
def identity_url(url: str) -> str:
    """A link as an identity: what ``canonical_url`` keeps, without what a publisher changes
    when it moves its site without moving its content: the scheme (http and https), a "www."
    host prefix, a default port, the percent-encoding of the path (escaped or not, upper or
    lower case), a trailing slash, and the order of the query's parameters. Never shown to a
    reader (links keep their canonical form); '' for a non-HTTP link."""
    canonical = canonical_url(url)
    if not canonical:
        return ""
    parts = urlsplit(canonical)
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_IDENTITY_SAFE).rstrip("/")
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{host}{path}?{query}" if query else f"{host}{path}"


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment, block elements on lines of their own; '' for empty input."""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)
    refuse_hostile_markup(fragment, "the HTML of an entry")
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=_HTML)
    except (etree.ParserError, ValueError):
        return clean_text(fragment)
    _drop_found(_always_dropped(root))
    # a link's note for screen readers ("<span class="visually-hidden"> (ekstern lenke)</span>",
    # blind round 141), as a page's (``_labels_in``)
    _drop_found(
        [el for link in root.iter("a", "button") for el in link.iter() if _for_screen_readers(el)]
    )
    return "\n".join(_block_lines(root))


# ----------------------------------------------------------------------------- pages


def extract_page(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    selector: str | None = None,
    drop: Sequence[str] = (),
    noise: Sequence[str] = (),
    reuse: Sequence[Section] = (),
    pdfs_followed: bool = False,
) -> PageContent:
    """Main content of a page as sections; a page that is no real content is a problem.
    ``noise`` holds the source's own noise phrases (regexes, from the catalogue).
    ``pdfs_followed``: the page's PDF attachments are read as parts of it (``follow_pdfs``),
    so a link to a PDF is read without its file name (``_name_attachment``).

    ``reuse`` holds the sections of the page's last extraction (by this same code): a section
    whose path and raw text are unchanged is taken over as it is, so a check of a long page
    where one section changed normalises that one section only."""
    main, title = _main_of(body, headers, selector, drop, pdfs_followed)
    if _search_results(title, main):
        raise SourceProblem(
            "looks like the site's search results instead of the content (the address may "
            "now serve a search)"
        )
    builder = _SectionBuilder(compile_noise(tuple(noise)), reuse)
    builder.tables = _sortable_tables(main)
    # ``builder.feed``, its lines appended here (a call per line was ~5 % of a reused page)
    kinds, texts, skip = builder.kinds, builder.texts, 0
    for level, text in _walk(main):
        if level > 0:
            builder.feed(level, text)
            kinds, texts, skip = builder.kinds, builder.texts, builder.skip_level
        elif not skip:
            kinds.append(level)
            texts.append(text)
    sections = _one_rendering(tuple(builder.finish()))
    _refuse_problem_page(title, sections)
    updated = max(builder.signals) if builder.signals else None
    return PageContent(title=title, sections=sections, updated=updated)


def _one_rendering(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """The sections of a page whose whole content is rendered twice or more (a CMS's template
    loop: every heading and paragraph again, in the same order) once: a reader sees the same
    page twice, not new advice. Only a page that is nothing but such copies, but for the lead
    under its title standing once before them (blind round 102: the loop around the
    article's sections only): a section repeated among others is read as it stands
    (``diff.keyed_sections`` counts it)."""
    for lead in (0, 1):
        body = sections[lead:]
        total = len(body)
        first = body[0] if body else None
        for n in range(1, total // 2 + 1):
            if total % n or body[n] != first:
                continue
            if all(body[i] == body[i % n] for i in range(n, total)):
                return sections[: lead + n]
    return sections


def parse_page(body: bytes, headers: Mapping[str, str] | None = None, plain: bool = False) -> Any:
    """The lxml tree of a page (lxml.html's; ``plain``: lxml.etree's, see ``_parse_html``);
    a page that cannot be read is a problem."""
    text, utf8 = decode_body_utf8(body, headers)
    if not text.strip():
        raise SourceProblem("the page is empty")
    refuse_hostile_markup(text)
    # a UTF-8 page is parsed from its bytes (libxml2's own input: ~35 % cheaper than from the
    # decoded text, which lxml hands over re-encoded), when those bytes are exactly the text:
    # decoded without error, no NUL (kept as text, a NUL byte ends libxml2's input), and no
    # XML declaration (its encoding would compete; ``_parse_html`` drops it from the text)
    raw = body if utf8 and b"\x00" not in body and not _XML_DECLARATION.match(text) else None
    return _parse_html(text, plain, raw)


def refuse_hostile_markup(text: str, what: str = "the page") -> None:
    """Raise SourceProblem for text no HTML parser should be given: an element with more than
    ``MAX_ATTRIBUTES`` attributes (quadratic in libxml2), more than ``MAX_ELEMENTS`` elements
    (``refuse_countless_elements``), or bytes that were not text in the encoding they were
    decoded with (NUL characters: UTF-16 read as UTF-8). ``what`` names the text in the
    element problem."""
    nuls = text.count("\x00") if "\x00" in text else 0  # a look for one first: memchr
    if nuls > 64 and nuls > len(text) * _MAX_NUL_SHARE:
        raise SourceProblem(
            "the page is not text in its declared encoding (it is full of NUL characters); "
            "the site may be sending a broken or wrong charset"
        )
    for match in _LONG_TAG.finditer(text) if _may_hold_long_tag(text) else ():
        attributes = len(_ATTRIBUTE.findall(_QUOTED.sub('""', match.group(0))))
        if attributes > MAX_ATTRIBUTES:
            raise SourceProblem(
                f"an element of the page has {attributes} attributes (the limit is "
                f"{MAX_ATTRIBUTES}); the page is not read"
            )
    refuse_countless_elements(text, what)


def _may_hold_long_tag(text: str) -> bool:
    """Whether ``_LONG_TAG`` may match in ``text``: a long tag's characters after its '<' (at
    least ``_LONG_TAG_CHARS``, none of them '<' or '>') cover a whole block of half as many
    that starts at a multiple of its length, so a text where every such block holds a '<'
    or a '>' has none. Each block is looked at up to its first '<' (or '>'): a few
    microseconds for a page where the regex takes ~0.07 ms a 100 KB page."""
    step = _LONG_TAG_CHARS // 2
    for start in range(0, len(text) - step + 1, step):
        end = start + step
        if text.find("<", start, end) < 0 and text.find(">", start, end) < 0:
            return True
    return False


class _Countless(Exception):
    """The element scan passed ``MAX_ELEMENTS`` (never leaves this module)."""


class _ElementCounter:
    """A parser target of libxml2's HTML parser: counts the elements it starts, builds no
    tree, and stops the parse (``_Countless``) at the first one past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.elements = 0

    def start(self, tag: str, attributes: object) -> None:
        self.elements += 1
        if self.elements > self.limit:
            raise _Countless

    def close(self) -> int:
        return self.elements


def _counting_parser(target: _ElementCounter) -> Any:
    """libxml2's HTML parser feeding ``target`` (a function: tests count what it is fed)."""
    # counts starts only: the stubs' ParserTarget wants every callback, lxml calls those defined
    return etree.HTMLParser(target=cast(Any, target))


def refuse_countless_elements(text: str, what: str = "the page") -> None:
    """Raise SourceProblem when ``text`` holds more than ``MAX_ELEMENTS`` elements, before any
    tree is built: libxml2's HTML parser, the one that parses pages, is fed the text
    ``SCAN_CHUNK`` characters at a time into a target that only counts, and stops at the
    chunk where the count passes the limit; the rest is never read. Every element of the
    markup (but the html, head, body or p libxml2 implies) is a tag of at least three
    characters beginning with '<' ('<p>', '</p>'), so text no longer than three times the limit
    is not scanned at all (nor counted: every page we watch), nor text with no more '<' than
    the limit (one count of one character, ~0.3 ms for 1 MB)."""
    if len(text) <= 3 * MAX_ELEMENTS or text.count("<") <= MAX_ELEMENTS:
        return
    counter = _ElementCounter(MAX_ELEMENTS)
    parser = _counting_parser(counter)
    read = 0
    try:
        while read < len(text):
            chunk = text[read : read + SCAN_CHUNK]
            read += len(chunk)
            parser.feed(chunk)
        parser.close()
    except _Countless:
        raise SourceProblem(
            f"{what} has more than {MAX_ELEMENTS} elements (within its first {read} "
            "characters; the largest pages we watch have a few thousand); it is not read"
        ) from None
    except etree.Error as exc:
        raise SourceProblem(f"{what} cannot be parsed as HTML: {exc}") from None


def _main_of(
    body: bytes,
    headers: Mapping[str, str] | None,
    selector: str | None,
    drop: Sequence[str],
    pdfs_followed: bool = False,
) -> tuple[Any, str]:
    # a plain lxml tree: every element the walk visits is a C-level proxy (lxml.html looks
    # each one's class up in Python, a fifth of the walk's cost); the walk uses only the
    # generic element API
    root = parse_page(body, headers, plain=True)
    title = clean_text(root.findtext(".//title") or "")
    _read_embedded_documents(root, pdfs_followed)
    # one scan of the tree in lxml (``iter`` of the tags), where their selector group
    # (descendant-or-self::script | ...) made libxml2 scan it once per tag: ~40 -> ~1.5 us
    always = _always_dropped(root)
    # where a <form> stood: a sign-up box's control (``_newsletter_box``) after it is gone
    forms = [parent for el in always if el.tag == "form" if (parent := el.getparent()) is not None]
    _drop_found(always)
    main = _main_element(root, selector)
    if main is None:
        raise SourceProblem(
            f"the content selector {selector!r} matched nothing: the page layout may have changed"
        )
    if not selector:
        _drop_found(_chrome(main))
    # the noise scan also finds the few elements of rare attributes the next rules read (a
    # search of the page's bytes for each took ~0.3 ms a page of 100 KB, an XPath ~0.2 ms)
    # spam links are looked for before hidden content goes: a hidden block of casino links
    # is a hijacked page all the same (blind round 65)
    _refuse_spam_links(main)
    noise, rare = _rare_marks(_noise_of(main))
    _drop_found(_hidden(main, [el for el in rare if el.get("hidden") is not None]))
    _decode_protected_addresses([el for el in rare if el.get("data-cfemail") is not None])
    _drop_found(_running_heads([el for el in rare if el.get("class")]))
    hidden = [el for el in noise if el.get("aria-hidden") == "true"]
    _drop_found(_widgets(main, noise))
    _drop_found(_furniture_boxes(main, forms))
    _drop_found(
        [
            *_control_labels(main, pdfs_followed),
            *_ornaments(main),
            *_stamp_fields(main),
            *_permalinks(main),
            *_copies(main),
            *_hidden_copies(hidden),
            *_step_numbers(hidden),
            *_language_pickers(main),
            *_tab_lists(main),
            *_contents_lists(main),
            *_pagers(main),
            *_counter_columns(main),
            *_last_change_rows(main),
            *_hidden_captions(main),
            *_type_labels(main),
        ]
    )
    if drop:
        drop_elements(main, (", ".join(drop),))
    _unfold_row_spans(main)
    _mark_struck(main)
    _read_figure_numbers(main)  # after the source's drops: a figure it drops stays unread
    return main, title


#: cells that span rows (``_unfold_row_spans``): one scan of the tree in libxml2
_ROW_SPANNING = etree.XPath(".//*[@rowspan][self::td or self::th]")
#: at most this many copies of spanning cells a page, and this much of their text: a hostile
#: table's rowspan="65534" over thousands of rows is read as it stands beyond them
UNFOLD_CELLS = 5_000
UNFOLD_CHARS = 200_000
#: spans beyond these are hostile or broken markup (``table_grid``)
MAX_COLSPAN = 20
MAX_ROWSPAN = 1000
MAX_COLUMNS = 20
#: a table's own rows, not those of tables nested in it, in document order
_OWN_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def table_grid(table: Any) -> Iterator[tuple[Any, list[Any]]]:
    """The rows of a table (not of tables nested in it), each with its cells repeated over
    their spans, column by column (None where no cell stands): a cell that spans rows stands
    in each row it spans, one that spans columns in each column. At most ``MAX_COLUMNS``
    columns; a ``rowspan`` of 0 reaches the table's end (``cell_span``)."""
    pending: dict[int, tuple[int, Any]] = {}  # column -> (rows still covered, cell)
    for tr in cast(list[Any], _OWN_ROWS(table)):
        cells = [c for c in tr if c.tag in ("td", "th")]
        out: list[Any] = []
        while len(out) < MAX_COLUMNS and (cells or any(col >= len(out) for col in pending)):
            col = len(out)
            if col in pending:
                left, cell = pending.pop(col)
                if left > 1:
                    pending[col] = (left - 1, cell)
                out.append(cell)
                continue
            if not cells:
                out.append(None)
                continue
            cell = cells.pop(0)
            rowspan = cell_span(cell.get("rowspan"), MAX_ROWSPAN, zero=MAX_ROWSPAN)
            for _ in range(cell_span(cell.get("colspan"), MAX_COLSPAN)):
                if rowspan > 1:
                    pending[len(out)] = (rowspan - 1, cell)
                out.append(cell)
        # spans reaching past the column limit are forgotten with it
        pending = {col: p for col, p in pending.items() if col < MAX_COLUMNS}
        yield tr, out


def cell_span(value: str | None, limit: int, zero: int = 1) -> int:
    """A cell's ``rowspan`` or ``colspan`` as a count, at most ``limit``: 1 when missing or
    unreadable, ``zero`` for "0" (a rowspan of 0 reaches the end of its table)."""
    try:
        count = int((value or "1").strip())
    except ValueError:
        return 1
    return min(zero if count == 0 else max(count, 1), limit)


def _unfold_row_spans(main: Any) -> None:
    """A cell that spans rows is read in each row it spans, as a reader reads the table: the
    hours of "Tirsdag" are those of the cell spanning Monday to Thursday (blind rounds 164,
    216, 220: a table re-made without its merged cells, every day's hours the same, was told
    as changed). Each row it reaches gets a copy of it where the table's grid
    (``table_grid``) places it; a span past the table's last row ends there. Within the
    page's ``UNFOLD_CELLS`` and ``UNFOLD_CHARS``."""
    spanning = cast(list[Any], _ROW_SPANNING(main))
    if not spanning:
        return
    tables: dict[Any, list[Any]] = {}  # table -> its spanning cells
    for cell in spanning:
        row = cell.getparent()
        table = row.getparent() if row is not None else None
        if table is not None and table.tag in ("thead", "tbody", "tfoot"):
            table = table.getparent()
        if table is not None and table.tag == "table":
            tables.setdefault(table, []).append(cell)
    budget = [UNFOLD_CELLS, UNFOLD_CHARS]
    for table, cells in tables.items():
        if not _unfold_table(table, budget):
            break  # this table and the rest are read as they stand
        for cell in cells:  # read out in every row it spans
            del cell.attrib["rowspan"]


def _unfold_table(table: Any, budget: list[int]) -> bool:
    """Copies of the cells that reach each row of ``table`` from a row above it, where the
    grid places them: before the row's next own cell, or at its end; whether the whole
    table was within the budget."""
    for tr, cells in table_grid(table):
        waiting: list[Any] = []
        previous = None
        for cell in cells:
            if cell is None or cell is previous:  # a gap, or a cell's next column
                previous = cell
                continue
            previous = cell
            if cell.getparent() is not tr:
                waiting.append(cell)
            elif waiting:
                for source in waiting:
                    _place_copy(source, tr, cell, budget)
                waiting = []
        for source in waiting:
            _place_copy(source, tr, None, budget)
        if budget[0] <= 0 or budget[1] <= 0:
            return False
    return True


def _place_copy(source: Any, row: Any, before: Any, budget: list[int]) -> None:
    """A copy of the spanning cell ``source`` in ``row``, before the cell ``before`` (None:
    at the row's end), counted against the page's ``budget`` (copies, characters)."""
    copy = deepcopy(source)
    copy.tail = None
    copy.attrib.pop("rowspan", None)
    if before is None:
        row.append(copy)
    else:
        before.addprevious(copy)
    budget[0] -= 1
    budget[1] -= len(_text_of(source))


#: a page's type shown over its title ("Artikkel", "Nyhet", "Pressemelding", blind round 215):
#: the template's label, set anew with a template
_TYPE_LABEL = re.compile(
    r"(?:artikkel|nyhet|nyheit|nyhetsartikkel|nyheitsartikkel|nyhetssak|nyheitssak|pressemelding"
    r"|aktuelt|aktuell sak|temaside|kunngjøring|kunngjering|veileder|rettleiar|rettleiing"
    r"|faktaark|faktaside)",
    re.I,
)
#: how many elements before the page's first <h1> are looked at (``_type_labels``)
_TYPE_LABEL_REACH = 8


def _type_labels(main: Any) -> list[Any]:
    """The label of the page's type over its title: a leaf element whose text is a
    ``_TYPE_LABEL`` alone, among the few elements right before the first <h1> (its preceding
    siblings, or its parent's in a header of the article). A new template adds or drops it
    with the text the same; the same word in the text, a table or a list is read."""
    h1 = next(main.iter("h1"), None)
    if h1 is None:
        return []
    found = []
    for anchor in (h1, h1.getparent()):
        if anchor is None or anchor is main:
            break
        for n, el in enumerate(anchor.itersiblings(preceding=True)):
            if n == _TYPE_LABEL_REACH:
                break
            if (
                isinstance(el.tag, str)
                and not len(el)
                and el.tag in ("p", "span", "div", "strong", "small")
                and _TYPE_LABEL.fullmatch(clean_text(el.text or ""))
            ):
                found.append(el)
    return found


#: an inline style that keeps an element from every reader: display:none, visibility:hidden,
#: or a place far off the screen (left/top of -999px or less; text-indent of -999px or less)
_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden"
    r"|(?:left|top|text-indent)\s*:\s*-\s*(?:999|[1-9]\d{3,})(?:\.\d+)?px",
    re.I,
)
#: the classes of content a reader opens (an accordion's panel, a tab, collapsed text)
_OPENABLE_CLASS = re.compile(r"collaps|accordion|panel|tab|toggle|expand|drawer|fold", re.I)
#: an inline style's parts that can hide text with others (``_hides``): a font of no size, no
#: opacity, no height or width, a colour and a background
_ZERO_FONT = re.compile(
    r"(?:^|;)\s*font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:!important\s*)?(?:;|$)", re.I
)
_NO_OPACITY = re.compile(r"(?:^|;)\s*opacity\s*:\s*0(?:\.0+)?\s*(?:!important\s*)?(?:;|$)", re.I)
_NO_SIZE = re.compile(
    r"(?:^|;)\s*(?:max-)?(?:height|width)\s*:\s*[01](?:px)?\s*(?:!important\s*)?(?:;|$)", re.I
)
_COLOUR = re.compile(r"(?:^|;)\s*(color|background(?:-color)?)\s*:\s*([^;!]+)", re.I)
_COLOUR_NAMES = {"white": "#ffffff", "#fff": "#ffffff", "black": "#000000", "#000": "#000000"}


def _hides(style: str, el: Any) -> bool:
    """Whether an inline style keeps ``el``'s text from every reader's eye: ``_HIDING_STYLE``,
    or, blind round 162, a font of no size on an element of text alone (a wrapper's
    "font-size:0" that closes the gaps between its boxes leaves their own text as it is),
    no opacity on a box of no height or width (no opacity alone: a page's script fades such
    content in), or text in the colour of its background ("color:#fff; background:#fff")."""
    if _HIDING_STYLE.search(style):
        return True
    if not len(el) and _ZERO_FONT.search(style):
        return True
    if _NO_OPACITY.search(style) and _NO_SIZE.search(style):
        return True
    colours: dict[str, str] = {}
    for name, value in _COLOUR.findall(style):
        value = value.strip().lower()
        colours["color" if name.lower() == "color" else "background"] = _COLOUR_NAMES.get(
            value, value
        )
    return len(colours) == 2 and colours["color"] == colours["background"]


def _rare_marks(found: list[Any]) -> tuple[list[Any], list[Any]]:
    """``_noise_of``'s finds apart: the widgets, and the elements of rare attributes (the
    ``hidden`` attribute, a ``data-cfemail`` address, a running head's class) that
    ``_hidden``, ``_decode_protected_addresses`` and ``_running_heads`` read."""
    noise, rare = [], []
    for el in found:
        if (
            el.get("hidden") is not None
            or el.get("data-cfemail") is not None
            or _RUNNING_CLASS.search(el.get("class") or "")
        ):
            rare.append(el)
        else:
            noise.append(el)
    return noise, rare


def _hidden(main: Any, flagged: Sequence[Any] = ()) -> list[Any]:
    """The elements under ``main`` an inline style (``_HIDING_STYLE``: an old SEO block of
    keywords, cloaked spam links, a paragraph a CMS withdrew) or the ``hidden`` attribute (a
    description only ``aria-describedby`` reads out, "opnar i nytt vindauge", blind round
    52; not ``hidden="until-found"``, which the browser's search opens; ``flagged``: the
    elements that carry it) hides from every reader and that no control opens: not an
    accordion's or a tab's panel, collapsed text (a class of ``_OPENABLE_CLASS`` on it or
    above it, a <details>), nor an element
    some control names (``aria-controls``, a link to it) or that follows a toggle
    (``aria-expanded``). Such content is read as any (it is shown at a click)."""
    styled = [el for el in main.iterfind(".//*[@style]") if _hides(el.get("style"), el)]
    if flagged:
        styled.extend(
            el
            for el in flagged
            if el.get("hidden").lower() != "until-found"
            and not _hides(el.get("style") or "", el)  # found above
        )
    if not styled:
        return []
    named = _controlled_ids(main.getroottree().getroot())
    return [el for el in styled if el.get("id") not in named and not _openable(el, main)]


def _controlled_ids(root: Any) -> set[str]:
    """The ids some control of the page names: ``aria-controls``, ``data-target``, a link to
    a place on the page."""
    named: set[str] = set()
    for el in root.iterfind(".//*[@aria-controls]"):
        named.update(el.get("aria-controls").split())
    for el in root.iterfind(".//*[@data-target]"):
        named.add(el.get("data-target").lstrip("#"))
    for el in root.iterfind(".//a[@href]"):
        if (href := el.get("href")).startswith("#"):
            named.add(href[1:])
    return named


def _openable(el: Any, main: Any) -> bool:
    """Whether a hidden ``el`` is content a reader opens: it follows a toggle (an element
    with ``aria-expanded``, or one holding it), or it or an element above it up to ``main``
    is a <details> or of an ``_OPENABLE_CLASS``."""
    previous = el.getprevious()
    if previous is not None and any(e.get("aria-expanded") is not None for e in previous.iter()):
        return True
    for up in itertools.chain((el,), el.iterancestors()):
        if up.tag == "details" or _OPENABLE_CLASS.search(up.get("class") or ""):
            return True
        if up is main:
            break
    return False


#: the class of a converted document's running header or footer ("page-header",
#: "page_footer", "running-head"): a page's, when it stands twice or more
_RUNNING_CLASS = re.compile(
    r"(?:^|[\s_-])(?:page|running)[-_]?(?:header|footer|head|foot)(?:$|[\s_-])"
)


def _running_heads(candidates: Sequence[Any]) -> list[Any]:
    """A document converted from PDF or Word to a page repeats its running header and footer
    on every page it had ("FHI · Ukerapport uke 6 · Side 2 av 4", blind round 58): elements
    (of ``candidates``) of a running header's or footer's class that stand twice or more are no
    content (a re-conversion moves them with the page breaks). One such element (a theme's
    "page-header" around the article's title) is read."""
    found: dict[str, list[Any]] = {}
    for el in candidates:
        m = _RUNNING_CLASS.search(el.get("class") or "")
        if m is not None:
            found.setdefault(m.group(0).strip(" _-"), []).append(el)
    return [el for els in found.values() if len(els) >= 2 for el in els]


#: where Cloudflare's e-mail protection puts an address: a link's fragment
_PROTECTED_LINK = "/cdn-cgi/l/email-protection#"


def _decode_protected_addresses(elements: Sequence[Any]) -> None:
    """E-mail addresses behind Cloudflare's e-mail protection read as the browser shows them
    (blind round 52): a ``data-cfemail`` element ("[email protected]") as its address (a
    link to ``/cdn-cgi/l/email-protection#<hex>`` is read as a ``mailto:`` link by
    ``_decode_protected_link``). The encoding changes at every page view while the address
    stays; a new address for reporting diseases is news. An encoding that does not decode
    to an address is left as it stands."""
    for el in elements:
        address = _cf_decode(el.get("data-cfemail") or "")
        if address:
            for child in list(el):
                el.remove(child)
            el.text = address


def _decode_protected_link(link: Any) -> None:
    """A link to Cloudflare's ``/cdn-cgi/l/email-protection#<hex>`` as the ``mailto:`` link the
    browser makes of it (``_name_contact`` reads its address where its words do not show
    it)."""
    href = link.get("href") or ""
    at = href.find(_PROTECTED_LINK)
    if at >= 0 and (address := _cf_decode(href[at + len(_PROTECTED_LINK) :])):
        link.set("href", f"mailto:{address}")


def _cf_decode(encoded: str) -> str:
    """The address a Cloudflare ``data-cfemail`` hex string holds (each byte XOR the first),
    '' when it holds none."""
    if not 4 <= len(encoded) <= 512 or len(encoded) % 2:
        return ""
    try:
        data = bytes.fromhex(encoded)
    except ValueError:
        return ""
    try:
        address = bytes(b ^ data[0] for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return address if _ADDRESS.fullmatch(address) else ""


#: what a decoded address must look like
_ADDRESS = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")


#: the blocks a spam link is counted in (``_refuse_spam_links``)
_LINK_BLOCKS = frozenset({"ul", "ol", "div", "section", "aside", "p", "table", "nav", "dl"})


def _refuse_spam_links(main: Any) -> None:
    """Raise SourceProblem when a block of ``main`` (a list, a box, a paragraph) is link spam
    (``feeds.sites.SPAM_WORDS``: casino, viagra, quick loans), a hacked CMS's injected block,
    which no reader must be mailed:

    - links to at least three other hosts whose text or address is spam, most of its links
      (a box of links);
    - or at least two such links in a block whose own words, outside its links, advertise
      the same ("Beste nettcasino 2026 – få 200 gratisspinn! Spill nå ..."): a paragraph of
      the article overwritten. A page on gambling addiction that names a casino in its text
      links to helpers, not to two casinos; a box of two casino links without words of its
      own is read (blind round 37)."""
    links = []  # (link, its host when it is spam, else "") of every link to a host
    for link in main.iter("a"):
        host = host_of(link.get("href") or "")
        if host:
            spammy = SPAM_WORDS.search(f"{_text_of(link)} {host}") is not None
            # each spam host counts, not each site: an injected block links as readily to
            # thirty hosts of one domain ("best-casino-1.example.ru", ...) as to thirty domains
            links.append((link, host.lower() if spammy else ""))
    # a page with fewer than two spam links (every page but a hacked one) ends here, without
    # looking for each link's block
    if sum(1 for _, site in links if site) < 2:
        return
    blocks: dict[Any, list[str]] = {}
    for link, site in links:
        blocks.setdefault(next(link.iterancestors(*_LINK_BLOCKS), main), []).append(site)
    for block, sites in blocks.items():
        spam = [s for s in sites if s]
        if len(set(spam)) >= 3 and 2 * len(spam) >= len(sites):
            raise SourceProblem(
                f"the content holds a block of {len(spam)} spam links (casino, pills, loans) "
                "to other sites: the site looks hijacked"
            )
        if len(spam) >= 2 and SPAM_WORDS.search(_own_words(block)) is not None:
            raise SourceProblem(
                f"the content holds a passage that advertises casino, pills or loans with "
                f"{len(spam)} links to other sites: the site looks hijacked"
            )


def _own_words(block: Any) -> str:
    """The text of ``block`` outside its links (the links' tails count: they are its words)."""
    words = [block.text or ""]
    for el in block.iterdescendants():
        in_link = el.tag == "a" or next(el.iterancestors("a"), None) is not None
        if not in_link:
            words.append(el.text or "")
        if el.tag == "a" or not in_link:  # a link's tail is the block's text again
            words.append(el.tail or "")
    return " ".join(words)


def _read_embedded_documents(root: Any, pdfs_followed: bool = False) -> None:
    """A document shown in the page by an <iframe>, <embed> or <object> (its ``src`` or
    ``data`` names a file of ``_DOCUMENT_TYPES``: a municipality's infection control plan as
    a PDF in a frame) is read as a line where it stands: its title and its file name, as a
    link to a document is (``_name_attachment``): "Smittevernplan 2026–2029
    (smittevernplan-2026-2029.pdf)". Replaced by a new version, the page's own words may
    stay as they were. Every other frame (a video, a map, a form) is dropped as before
    (``_ALWAYS_DROP``); so is a PDF where a page's PDFs are read as its parts
    (``pdfs_followed``: its text decides)."""
    for el in root.iter("iframe", "embed", "object"):
        if el.tag == "iframe" and el.get("srcdoc"):
            _inline_srcdoc(el)
            continue
        name = attachment_name((el.get("src") or el.get("data") or "").strip())
        if not name or (pdfs_followed and name.lower().endswith(".pdf")):
            continue
        label = clean_text(el.get("title") or el.get("aria-label") or "")
        line = f"{label} ({name})" if label and name.lower() not in label.lower() else label
        tail = el.tail
        el.clear()  # its attributes, its fallback text and its tail go: a line of its own
        el.tag, el.text, el.tail = "p", line or name, tail


#: the longest frame document read in place (``_inline_srcdoc``): a frame of a page's text
_SRCDOC_MAX = 200_000


def _inline_srcdoc(frame: Any) -> None:
    """A frame whose document stands in its ``srcdoc`` attribute shows that document where
    it stands (blind round 79: a prescribing table in an <iframe srcdoc>): read as a <div>
    of its body, parsed as the page is. Frames inside it are dropped as every frame is (no
    frame opens another here), and a document over ``_SRCDOC_MAX`` characters is not read."""
    srcdoc = frame.get("srcdoc") or ""
    tail = frame.tail
    frame.clear()
    frame.tag, frame.tail = "div", tail
    if len(srcdoc) > _SRCDOC_MAX:
        return
    refuse_hostile_markup(srcdoc, "a frame's document in the page")
    try:
        doc = etree.fromstring(srcdoc, _PLAIN_HTML)
    except (etree.ParserError, ValueError):
        return
    body = doc.find("body") if doc is not None else None
    if body is None:
        return
    frame.text = body.text
    frame.extend(list(body))


#: the words of an overlay's name that make a <dialog> shown open still an overlay: a consent
#: box, a newsletter or survey pop-up
_OVERLAY = re.compile(
    r"cookie|consent|samtykke|informasjonskaps|newsletter|nyhetsbrev|survey|unders[øo]k|popup"
    r"|modal-?ad",
    re.I,
)
#: a <noscript> fallback with this many words or more, or a table or list, is content the
#: page builds by script for other readers (blind round 79); a shorter one is a notice to turn
#: script on, or a tracking pixel
_FALLBACK_WORDS = 40
#: the most <noscript> fallbacks looked for in a page's text: a page has one or two; a
#: hostile page of thousands has these looked at and the rest dropped
_FALLBACK_MAX = 16
#: the most words of an icon's label read, and the most parts of its drawing (``_image_name``)
_ICON_NAME_WORDS = 3
_ICON_PARTS = 4


def _always_dropped(root: Any) -> list[Any]:
    """The elements under ``root`` whose text is never content (``_ALWAYS_DROP``), but a
    <form> or <dialog> that wraps the content (``_FORM_WRAPS_CONTENT``), and what a reader
    sees though it stands in such an element (blind round 79): a <dialog> shown open that is
    no overlay (an important notice, not a consent box), a declarative shadow root (a
    <template shadowrootmode>: rendered, unlike a template), and a <noscript> fallback that
    holds the content (a table, a list, or a passage of ``_FALLBACK_WORDS`` words) where the
    script-built copy is empty in the page as fetched."""
    found = []
    page: list[str] = []  # the page's text, read once if a <noscript> may be content
    looks = [_FALLBACK_MAX]  # how many more <noscript>s may be looked for in it
    named: list[tuple[Any, str]] = []  # drawings read as their names (``_image_name``)
    streamed: list[Any] = []  # the places of React's streamed segments (``_unstream``)
    for el in root.iter(*_ALWAYS_DROP):
        tag = el.tag
        if tag in _UNLESS_WRAPPING and _FORM_WRAPS_CONTENT(el):
            continue
        if tag == "dialog" and el.get("open") is not None and not _is_overlay(el):
            continue
        if tag == "template" and (el.get("shadowrootmode") or el.get("shadowroot")):
            continue
        if tag == "template" and (el.get("id") or "").startswith("B:"):
            streamed.append(el)
        if tag == "noscript" and _is_fallback_content(el, root, page, looks):
            continue
        if tag == "svg" and (name := _image_name(el)):
            named.append((el, name))
            continue
        found.append(el)
    for svg, name in named:
        tail = svg.tail
        svg.clear()  # its drawing, attributes and tail go: its name where it stood
        svg.tag, svg.text, svg.tail = "span", f" {name} ", tail
    if streamed:
        _unstream(root, streamed)
    return found


def _unstream(root: Any, places: list[Any]) -> None:
    """React's streamed rendering (a Next.js app router page, blind round 106): where the
    content is not ready when the page starts, the page holds a placeholder
    (``<template id="B:0">`` before a "Laster…" fallback), and the content follows at the
    end of the same response in ``<div hidden id="S:0">``, which a script moves into place.
    The content is moved to its place here as the browser shows it (the fallback stays, read
    as the placeholder it is); at most ``_STREAMED_MAX`` segments."""
    segments = {
        el.get("id"): el
        for el in root.iter("div")
        if el.get("hidden") is not None and (el.get("id") or "").startswith("S:")
    }
    for place in places[:_STREAMED_MAX]:
        segment = segments.get(f"S:{place.get('id')[2:]}")
        parent = place.getparent()
        if segment is None or parent is None or any(a is segment for a in place.iterancestors()):
            continue
        at = parent.index(place) + 1
        for child in list(segment):
            parent.insert(at, child)
            at += 1
        if (holder := segment.getparent()) is not None:
            holder.remove(segment)


#: the most streamed segments a page is read with (a page streams a handful)
_STREAMED_MAX = 64


def _image_name(svg: Any) -> str:
    """The label an icon drawn as an inline SVG gives itself (``role="img"`` and its own
    <title> of one to ``_ICON_NAME_WORDS`` words, drawn of a few parts: an alert box's
    "Advarsel", "Informasjon"; an open case of blind round 43), read where it stands as a
    screen reader announces it, so
    a label moved from the drawing's title to text for screen readers ("<span
    class="visually-hidden">Advarsel</span>") reads the same, and a box turned from
    "Informasjon" to "Advarsel" is told. '' for a drawing hidden from screen readers, one
    without a title, a chart's longer description (not read, as an image's alt text outside a
    figure is not) and an icon in a link or a button (its decoration: "Ekstern lenkje")."""
    if svg.get("role") != "img" or svg.get("aria-hidden") == "true":
        return ""
    if next(svg.iterancestors("figure"), None) is not None:
        return _chart_name(svg)
    if len(svg) > _ICON_PARTS:
        return ""  # (a chart is drawn of many parts; an icon of a title and a shape or two)
    for child in svg:
        if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == "title":
            words = "".join(child.itertext()).split()
            if not 0 < len(words) <= _ICON_NAME_WORDS:
                return ""
            if next(svg.iterancestors("a", "button"), None) is not None:
                return ""
            return " ".join(words)
    return ""


def _chart_name(svg: Any) -> str:
    """A chart drawn as an inline SVG in a figure: its <desc>, as a screen reader announces it
    ("Stolpediagram. I 2023 ble det meldt 3 015 MRSA-tilfeller til MSIS.", blind round 314),
    as an image's alt text in a figure is read: new figures in its description are told.
    Its <title> is a label (a label shortened to "Diagram" is no news, round 64), its drawn
    labels are not read, and a description that names the tool it was drawn with ("Created
    with Highcharts 11.4.3") is none. At most ``_CHART_WORDS`` words."""
    parts = []
    for child in svg:
        described = isinstance(child.tag, str) and child.tag.rpartition("}")[2] == "desc"
        text = " ".join("".join(child.itertext()).split()) if described else ""
        if text and not _DRAWN_WITH.match(text):
            parts.append(text)
    words = " ".join(parts).split()
    return " ".join(words[:_CHART_WORDS]) + (" …" if len(words) > _CHART_WORDS else "")


#: the most words of a chart's description read (``_chart_name``)
_CHART_WORDS = 80
#: a chart's description that names the tool it was drawn with
_DRAWN_WITH = re.compile(r"(?i)(?:created|made|generated|drawn) (?:with|by)\b|laget (?:med|i)\b")


def _is_overlay(dialog: Any) -> bool:
    names = " ".join(dialog.get(a) or "" for a in ("class", "id", "aria-label", "aria-labelledby"))
    return bool(_OVERLAY.search(names))


def _is_fallback_content(noscript: Any, root: Any, page: list[str], looks: list[int]) -> bool:
    """A <noscript> that holds content (``_FALLBACK_WORDS``) found nowhere else in the page:
    a copy of a table the page also shows (a site's fallback beside its script-built table)
    is dropped as before, so the text is read once. ``looks``: how many more may be looked
    for in the page's text (``_FALLBACK_MAX``); past them, dropped."""
    words = "".join(noscript.itertext()).split()
    if (
        len(words) < _FALLBACK_WORDS
        and next(noscript.iter("table", "ul", "ol", "dl"), None) is None
    ):
        return False
    if looks[0] <= 0:
        return False
    looks[0] -= 1
    if not page:
        page.append(" ".join("".join(root.itertext()).split()))
    # a copy: a run of six of the fallback's words, a quarter, half or three quarters in,
    # stands twice in the page's text (its caption may be worded otherwise)
    n = len(words)
    runs = (" ".join(words[i : i + 6]) for i in {n // 4, n // 2, 3 * n // 4})
    return not any(page[0].count(run) >= 2 for run in runs)


#: an element that holds one of these holds the page's content, not a widget (an <article>
#: alone does not say so here: a related-content widget holds article cards)
_CONTENT_MARKS_UNDER = etree.XPath(_CONTENT_MARKS)
#: class names that say what an element has or is near, not what it is ("has-related",
#: "with-survey"; BEM modifiers, "article-layout--with-related", are read as their block)
_FLAG_CLASS = ("has-", "with-", "is-")


def _widgets(main: Any, found: list[Any]) -> list[Any]:
    """Of the elements ``_noise_of`` found, those that are widgets: not one that holds the
    content (``_content_holders``), nor one whose class names a widget only beside it: a
    layout's wrapper ("article-layout article-layout--with-related", "page has-survey")
    whose widget word is in a modifier or a flag (``_widget_class``). Dropped, such a
    wrapper took the whole article with it."""
    widgets = []
    holders = _content_holders(main) if found else set()
    for el in found:
        if el is main or el in holders:
            continue
        if el.get("role") == "dialog":
            widgets.append(el)
            continue
        named = {
            w
            for attribute, words in _NOISE_WORDS.items()
            if (value := el.get(attribute)) is not None
            for w in words
            if ((w in value) if attribute != "class" else _widget_class(value, w))
        }
        # a live region's words say how it speaks, not what it is: a "banner" that is a
        # live region is judged as a banner
        kinds = named - _STATUS_WORDS
        if named and not kinds:
            if _for_screen_readers(el):  # a widget's status for screen readers (_STATUS_WORDS)
                widgets.append(el)
            continue
        if kinds and (
            not kinds <= _LINK_BOX_WORDS
            or _is_link_box(el)
            or ("nav" in kinds and _nav_box(el))
            or (kinds & _CAMPAIGN_WORDS and any(el.get(a) is not None for a in _EXPERIMENT))
        ):
            widgets.extend(_held_back(el))
    return widgets


def _held_back(widget: Any) -> list[Any]:
    """What goes of a widget: all of it, but for a figure's caption, which says what the
    figure shows whether its embed is shown or held back for consent (blind round 185: a
    "consent-placeholder" figure whose caption names the video)."""
    caption = widget.find("figcaption") if widget.tag == "figure" else None
    if caption is None:
        return [widget]
    return [child for child in widget if child is not caption]


def _nav_box(box: Any) -> bool:
    """Whether a box named for navigation ("section-nav") holds links and, outside them,
    only the short titles of their groups ("Helse- og omsorgsdepartementet", "Mest lese",
    "Siste saker": blind round 260), each under ``_NAV_TITLE_MAX`` characters and no
    sentence. A notice in such a box ("Legevakta er stengd i dag.") is read."""
    linked = False
    stack = [(box, False)]  # each element, and whether it stands in a link
    while stack:
        el, inside = stack.pop()
        if el.tag == "a":
            inside = linked = True
        for child in el:
            if not isinstance(child.tag, str):
                continue
            stack.append((child, inside))
            if not inside and _sentence_or_long(child.tail):
                return False
        if not inside and _sentence_or_long(el.text):
            return False
    return linked


def _sentence_or_long(piece: str | None) -> bool:
    """Whether a text outside a navigation box's links is more than a group's title."""
    said = clean_text(piece or "")
    return bool(said) and (len(said) > _NAV_TITLE_MAX or said[-1] in ".!?")


#: the longest title of a group of links in a navigation box (``_nav_box``)
_NAV_TITLE_MAX = 40


def _is_link_box(box: Any, heading: Any = None, teasers: bool = False) -> bool:
    """Whether the text of ``box`` (``heading``'s aside) stands in its links, at least
    ``_LINK_SHARE`` of it. A teaser's date beside its link ("02.12.2026", an element of
    nothing but a date) belongs to the link: it is no text of the box's own. ``teasers``: a
    list of teasers (``_teaser_list``: an event's date and place beside each link) is one too,
    for a box under a furniture heading only (a list of footnotes has a link in each item)."""
    rest = len(clean_text(_text_of(box)))
    if heading is not None:
        rest -= len(clean_text(_text_of(heading)))
    linked = sum(len(clean_text(_text_of(a))) for a in box.iter("a"))
    if not linked:
        return False
    if linked < _LINK_SHARE * rest:
        rest -= sum(len(date) for date in _teaser_dates(box))
    return linked >= _LINK_SHARE * rest or (teasers and _teaser_list(box, rest - linked))


#: the most text of a teaser list's item outside its link (an event's date and place:
#: "09.12. Beredskapsøving helse Molde"), and of the box outside its items and links
_TEASER_REST_MAX = 40


def _teaser_list(box: Any, unlinked: int) -> bool:
    """Whether ``box`` is a list of teasers (``unlinked``: the length of its text outside
    links, its heading's aside): two items at least, each with a link and little text
    beside it (``_TEASER_REST_MAX``: a date, a place), and little text outside the items.
    An events calendar's items carry their date and place beside the link."""
    items = list(box.iter("li"))
    if len(items) < 2:
        return False
    beside = 0
    for li in items:
        links = sum(len(clean_text(_text_of(a))) for a in li.iter("a"))
        rest = len(clean_text(_text_of(li))) - links
        if not links or rest > _TEASER_REST_MAX:
            return False
        beside += rest
    return unlinked - beside <= _TEASER_REST_MAX


def _teaser_dates(box: Any) -> Iterator[str]:
    """The texts of the elements under ``box`` outside its links that hold nothing but a date
    (a news teaser's "02.12.2026", a <time>)."""
    for el in box.iter():
        if el.tag == "a" or len(el) or not isinstance(el.tag, str):
            continue
        text = clean_text(el.text or "")
        if text and is_date_only(text) and next(el.iterancestors("a"), None) is None:
            yield text


def _content_holders(main: Any) -> set[Any]:
    """The elements under ``main`` (itself included) that hold content: an <h1>, <main> or
    role=main below them (``_CONTENT_MARKS``). Found once from the marks up: asking each
    widget candidate would scan its subtree once per candidate, the square of a page of
    nested candidates (a 900 KB page of 250 nested ones: 1.24 s, now 0.11 s)."""
    holders: set[Any] = set()
    for mark in cast(list[Any], _CONTENT_MARKS_UNDER(main)):
        for ancestor in mark.iterancestors():
            if ancestor in holders:
                break
            holders.add(ancestor)
            if ancestor is main:
                break
    return holders


def _widget_class(value: str, word: str) -> bool:
    """Whether a class attribute names a widget by ``word``: in a class name's block part
    (before a BEM modifier's "--"), a name that is no flag (``_FLAG_CLASS``)."""
    for name in value.split():
        if word in name and not name.startswith(_FLAG_CLASS) and word in name.split("--")[0]:
            return True
    return False


#: The heading of a box of links to other pages: a popularity list ("Mest lest", nynorsk
#: "Mest lese", "Mest populære"), more news ("Flere nyheter fra FHI", "Fleire nyhende",
#: "Andre saker"), the site's news ("Aktuelt", "Nyheter", nynorsk "Nyheiter", "Nyhende",
#: "Siste nytt", "Siste nyheter fra kommunen"), recommendations and related pages ("Anbefalt
#: for deg", nynorsk "Tilrådd for deg", "Relatert innhold", "Les også", "Andre leste også").
#: Such a box is dropped where it stands apart from the text (``_furniture_boxes``); a heading
#: of these words over text of the article is read, and so is a plain "Anbefalt" or
#: "Anbefalinger", or a box of links under a heading that names what they are ("Forskrifter",
#: "Vedlegg", "Aktuelle forskrifter").
_FURNITURE_HEADING = re.compile(
    r"^(?:mest (?:lest|lese|lesne|populære?|populært|delt|sett)"
    r"|(?:flere|fleire|andre|mer|meir|siste) (?:nyheter|nyheiter|nyhende|saker|artikler"
    r"|artiklar)(?: (?:fra|frå) .{1,60})?|aktuelle (?:saker|nyheter|nyheiter)"
    r"|(?:nyheter|nyheiter|nyhende|aktuelt|siste nytt)(?: (?:fra|frå) .{1,60})?"
    r"|nytt (?:fra|frå) .{1,60}"
    r"|populære? (?:saker|artikler|artiklar|dokumenter|dokument|nå|no)"
    r"|(?:anbefalt|tilrådd|tilrådde) for deg|relatert(?:e)? (?:innhold|innhald)"
    r"|les (?:også|òg)|andre (?:leste|har lest|har lese|las)(?: (?:også|òg))?"
    # a section menu ("I denne delen", "I denne seksjonen", "Meir om helsestasjon"): the
    # site's navigation among the pages of a part, in <main> on some layouts, printed twice
    # (a toggle's list for phones, a sidebar for desktops: ``_furniture_boxes``)
    r"|(?:innhold |innhald )?i denne (?:delen|seksjonen|bolken|kategorien)"
    r"|(?:mer|meir) om .{1,60}"
    # an events calendar's teasers ("Arrangement", "Kommande arrangement", "Kalender", "Kva
    # skjer?"): past events drop off and new ones appear by the date, each its own page
    r"|(?:kommende |kommande |neste |aktuelle )?(?:arrangement|arrangementer|hendelser"
    r"|kurs og (?:arrangement|arrangementer|konferanser|konferansar))|kalender|(?:hva|kva) skjer\??"
    r")$",
    re.I,
)
#: the first four letters of every ``_FURNITURE_HEADING``
_FURNITURE_STARTS = frozenset(
    {"mest", "fler", "flei", "andr", "mer ", "meir", "popu", "anbe", "tilr", "rela", "les "}
    | {"sist", "nyhe", "aktu", "nytt", "i de", "innh"}
    | {"komm", "nest", "arra", "hend", "kurs", "kale", "hva ", "kva "}
)
#: The heading of a live chat's box ("Chat med oss", "Chatt med ein rettleiar", "Nettprat"):
#: a widget, whatever its class says (``_NOISE_DROP`` finds those named "chat"), whose status
#: follows the clock ("Chatten er open. Ventetid: 2 minutt", "Chatten er stengd no"). Dropped
#: where it is a box of little text with a control or a link to the chat (``_chat_box``); a
#: section about the chat service of more text, or without a way to start it, is read.
_CHAT_HEADING = re.compile(
    r"^(?:chat|chatt|live ?chat|nettprat|chat ?bot)(?: med (?:oss|[a-zæøå]+ [a-zæøå]+))?"
    r"\s*[.!?]?$",
    re.I,
)
#: the first four letters of every ``_CHAT_HEADING``
_CHAT_STARTS = frozenset({"chat", "live", "nett"})
#: a chat box's text besides its heading is at most this long
_CHAT_TEXT_MAX = 200
#: a link that starts a chat: its address or text says so
_CHAT_LINK = re.compile(r"chat|nettprat", re.I)
#: The heading of a box of today's opening hours or status ("Opningstider i dag", "Åpningstid
#: i dag", "Ope i dag", "I dag"): what it says follows the day of the week and the clock
#: ("I dag, laurdag: stengt", "Forventa ventetid no: ca. 40 minutt"), where the page's own
#: table of opening hours stays. Dropped where it is a box of little text apart from the
#: article (``_today_box``); a section under such a heading in the article is read.
_TODAY_HEADING = re.compile(
    r"^(?:(?:åpningstid(?:er)?|opningstid(?:er)?|åpent|åpen|ope|open|opent)(?: i dag| no| nå)"
    # ... also with the day it is ("I dag, mandag 7. desember:", blind round 265)
    r"|i dag(?:,? (?:mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|lørdag|laurdag"
    r"|søndag|sundag)(?: \d{1,2}\. ?[a-zæøå]{3,9})?)?)\s*:?$",
    re.I,
)
#: the first four letters of every ``_TODAY_HEADING``
_TODAY_STARTS = frozenset({"åpni", "opni", "åpen", "ope ", "open", "i da"})
#: a today box's text besides its heading is at most this long
_TODAY_TEXT_MAX = 250
#: the least share of a box's text (its heading's aside) that stands in its links
_LINK_SHARE = 0.8


def _furniture_boxes(main: Any, forms: Sequence[Any] = ()) -> list[Any]:
    """The boxes of links to other pages under ``main`` (``_FURNITURE_HEADING``): a heading's
    parent element, when it is no element that holds the content (``main`` itself, an
    <article>, <main>, an element around an <h1>), and its text besides the heading stands
    in links (``_LINK_SHARE``). A "Mest lest" heading over paragraphs, or one straight in
    the article, is content. Feedback boxes (``_feedback_box``), live chats' boxes
    (``_chat_box``) and newsletter sign-up boxes (``_newsletter_box``; ``forms``: the parents
    of the <form>s dropped) go too."""
    found: list[Any] = []
    seen: set[Any] = set()
    # what a box was found to be, by the buttons that look up from inside it (``_toggle_bar``,
    # ``_answered_box``): each box is looked at once, not once a button (5,000 toggle buttons
    # in one box took 104 s)
    looked: dict[tuple[str, Any], str] = {}
    for heading in main.iter("button", *HEADINGS):
        # every such heading starts with one of a few words: the others skip the regex, most
        # of them by their first text alone (their whole text costs ~1.5 us a heading)
        start = (heading.text or "").lstrip()
        if len(start) < 4:
            start = _text_of(heading).lstrip()
        box = _headed_box(main, heading, start[:4].lower(), forms, looked)
        if box is not None and box not in seen:
            seen.add(box)
            found.append(box)
    found.extend(
        aside for aside in main.iter("aside") if aside not in seen and _furniture_aside(aside)
    )
    # a box of today's hours whose label is in bold at its start ("<div><strong>I dag,
    # mandag 7. desember:</strong> åpent kl. 08.00–15.30.</div>", blind round 265)
    for label in main.iter("strong", "b"):
        box = label.getparent()
        if (
            (label.text or "").lstrip()[:4].lower() == "i da"
            and box is not None
            and box not in seen
            and box[0] is label
            and not (box.text or "").strip()
            and _TODAY_HEADING.match(clean_text(_text_of(label)))
            and (box := _small_box(main, label, _TODAY_TEXT_MAX)) is not None
        ):
            seen.add(box)
            found.append(box)
    return found


#: the most text an <aside> of furniture holds (``_furniture_aside``), and the most of it
#: outside its links and headings (a teaser line of the site's own news)
_ASIDE_TEXT_MAX = 1_500
_ASIDE_TEASER_MAX = 80


def _furniture_aside(aside: Any) -> bool:
    """Whether an <aside> under ``main`` is a box of the site's furniture headed in bold
    (blind round 171: "<p><b>Populære dokumenter</b></p>" over links, "<b>Nyheter fra
    Lovdata</b>" over a teaser line): no heading element in it (``_headed_box`` judges
    those), every paragraph all in bold a furniture heading (``_FURNITURE_HEADING``), one at
    least, and besides its links and headings a teaser line at most. An aside of facts or
    advice ("Fakta", "Husk"), or of news written out (blind round 15's "Aktuelt"), is read."""
    if next(aside.iterdescendants("h1", "aside"), None) is not None:
        return False  # holds the page's title, or asides of its own (each judged apart)
    text = _text_of(aside)
    if len(text) > _ASIDE_TEXT_MAX:
        return False
    if next(aside.iter(*HEADINGS), None) is not None:
        return False  # headed by heading elements: ``_headed_box`` judges each
    heads = [clean_text(_text_of(el)) for el in aside.iter("p", "div") if _all_bold(el)]
    if not heads or not all(_FURNITURE_HEADING.match(head) for head in heads):
        return False
    linked = sum(len(_text_of(a)) for a in aside.iter("a"))
    return len(text) - linked - sum(map(len, heads)) <= _ASIDE_TEASER_MAX


def _all_bold(el: Any) -> bool:
    """Whether ``el``'s text stands in one <b> or <strong> alone (a heading set in bold)."""
    if len(el) != 1 or (el.text or "").strip() or (el[0].tail or "").strip():
        return False
    return el[0].tag in ("b", "strong") and bool(_text_of(el[0]).strip())


def _headed_box(
    main: Any,
    heading: Any,
    start: str,
    forms: Sequence[Any],
    looked: dict[tuple[str, Any], str],
) -> Any | None:
    """The box of furniture ``heading`` heads (``_furniture_boxes``), by the first four
    letters of its text (``start``, lower case); None: none. A <button> heads a box of
    links only (a toggle over a section menu's copy for phones)."""
    if heading.tag == "button":
        if start in _ANSWERS or _SYMBOLS_AROUND.sub("", start).lower() in _ANSWERS:
            return _answered_box(main, heading, looked)
        if heading.get("aria-pressed") is not None or heading.get("aria-checked") is not None:
            return _toggle_bar(main, heading, looked)
        return _link_box(main, heading) if start in _FURNITURE_STARTS else None
    if start in _CHAT_STARTS:
        box = _chat_box(main, heading, forms)
        if box is not None:
            return box
    if start in _TODAY_STARTS:
        if _TODAY_HEADING.match(clean_text(_text_of(heading))):
            return _small_box(main, heading, _TODAY_TEXT_MAX)
        return None
    if start in _FEEDBACK_STARTS:
        return _feedback_box(main, heading, forms)
    if start in _NEWSLETTER_STARTS:
        box = _newsletter_box(main, heading, forms)
        if box is not None:
            return box
        # "Nyheter" is no newsletter's heading, but may head a box of the site's news
    if start not in _FURNITURE_STARTS:
        return None
    return _link_box(main, heading)


def _link_box(main: Any, heading: Any) -> Any | None:
    """The box of links to other pages a ``_FURNITURE_HEADING`` heads: its parent element,
    when that is no element that holds the content and its text stands in links."""
    if not _FURNITURE_HEADING.match(clean_text(_text_of(heading))):
        return None
    box = heading.getparent()
    if box is None or box is main or box.tag in ("article", "main", "body"):
        return None
    if next(box.iter("h1", "main"), None) is not None or box.get("role") == "main":
        return None
    return box if _is_link_box(box, heading, teasers=True) else None


#: The heading of a feedback box ("Tips oss", "Tips oss om feil", "Gi tilbakemelding", nynorsk
#: "Gje tilbakemelding"): a widget like "Fant du det du lette etter?" (``normalize``), dropped
#: with its prompt where it is a box of little text with a feedback link (``_feedback_box``)
_FEEDBACK_HEADING = re.compile(
    r"^(?:tips oss(?: om (?:feil|feil eller mangler|feil på (?:denne )?sid(?:en|a)))?"
    r"|(?:gi|gje) (?:oss )?(?:en |ei )?tilbakemelding(?: (?:på|om) (?:denne )?sid(?:en|a))?)"
    r"\s*[.!?]?$",
    re.I,
)
#: The question of a feedback widget ("Fant du det du lette etter?", nynorsk "Fann du det du
#: leita etter?", "Var denne siden nyttig?", "Hjalp denne informasjonen deg?", "Hjalp innholdet
#: deg?", blind round 244): its box is a
#: widget where its text besides the question is short and it holds a control to answer
#: (a button, an input, a form dropped) or a feedback link (``_feedback_box``); its tally of
#: votes ("124 av 142 svarte ja") follows the readers. A section of text under such a heading
#: is read.
_FEEDBACK_QUESTION = re.compile(
    r"^(?:(?:fant|fann) du (?:det|informasjonen|innhaldet|innholdet) du (?:lette|leita|leitte"
    r"|leter|leitar|søkte|søkje|søkte) etter|var (?:denne )?(?:sid(?:en|a)|artikkelen"
    r"|informasjonen|innhaldet|innholdet) (?:nyttig|til hjelp)(?: for (?:deg|dykk|meg))?"
    r"|(?:hjalp|hjelpte) (?:denne )?"
    r"(?:sid(?:en|a)|informasjonen|artikkelen|innholdet|innhaldet|teksten|svaret) (?:deg|dykk)"
    r"|was this (?:page|article) helpful"
    r"|did you find what you were looking for)\s*[.!?]?$",
    re.I,
)
#: the first four letters of every ``_FEEDBACK_HEADING`` and ``_FEEDBACK_QUESTION``
_FEEDBACK_STARTS = frozenset(
    {"tips", "gi t", "gi o", "gi e", "gje ", "fant", "fann", "var ", "hjal", "hjel", "was ", "did "}
    | {"tilb"}
)
#: A feedback box's plain title ("Tilbakemelding", nynorsk "Tilbakemeldingar"): a widget only
#: where the box under it asks a ``_FEEDBACK_QUESTION`` with a control to answer it
#: (``_feedback_box``), its text at most ``_FEEDBACK_ASKED_MAX``; a section "Tilbakemelding"
#: of text (how to complain, whom to write to) is read.
_FEEDBACK_TITLE = re.compile(r"^tilbakemelding(?:er|ar)?\s*:?$", re.I)
_FEEDBACK_ASKED_MAX = 320
#: a feedback box's text besides its heading is at most this long: a "Tips oss" section of
#: real instructions (a phone number, what to report) is read
_FEEDBACK_TEXT_MAX = 160
#: a link to a feedback form or address: mailto:, or one whose address or text says so
_FEEDBACK_LINK = re.compile(r"mailto:|tips|tilbakemelding|feedback|kontaktskjema", re.I)


def _feedback_box(main: Any, heading: Any, forms: Sequence[Any] = ()) -> Any | None:
    """The feedback box a ``_FEEDBACK_HEADING`` heads: its parent element, when that is no
    element that holds the content, its text besides the heading is short
    (``_FEEDBACK_TEXT_MAX``) and it holds a link to a feedback form or address
    (``_FEEDBACK_LINK``), or, headed by a widget's question (``_FEEDBACK_QUESTION``), a
    control to answer it. A heading "Tips oss om smittetilfelle", or a "Tips oss" box of
    substantial text, is read."""
    text = clean_text(_text_of(heading))
    if _FEEDBACK_TITLE.match(text):
        box = _small_box(main, heading, _FEEDBACK_ASKED_MAX)
        if box is None or not (_has_control(box) or _held_form(box, forms)):
            return None
        asks = (
            _FEEDBACK_QUESTION.match(clean_text(_text_of(el)))
            for el in box.iter("p", "legend", "span", "div", "label", *HEADINGS)
            if el is not heading
        )
        return box if any(asks) else None
    question = _FEEDBACK_QUESTION.match(text)
    if not question and not _FEEDBACK_HEADING.match(text):
        return None
    box = _small_box(main, heading, _FEEDBACK_TEXT_MAX)
    if box is None:
        return None
    if _has_link(box, _FEEDBACK_LINK):
        return box
    if question and (_has_control(box) or _held_form(box, forms)):
        return box
    return None


#: a bar of toggle buttons has at least this many, and at most this much text besides them
#: (its label, "Tema: Alle")
_TOGGLES_MIN = 3
_TOGGLE_LABEL_MAX = 40


#: what a box is to a button that looks up from inside it (``_toggle_bar``, ``_answered_box``,
#: ``_share_boxes``): not the box (look further up), the box, or no box (stop looking)
_FURTHER, _THE_BOX, _NONE = "further", "box", "none"


def _toggle_bar(main: Any, button: Any, looked: dict[tuple[str, Any], str]) -> Any | None:
    """The bar of toggle buttons (``aria-pressed``, ``aria-checked``) ``button`` stands in: a
    list's filter as chips ("Tema: Alle" over "Alle", "Beredskap", "Smittevern", blind round
    138), a form's control as a <select> is (forms are dropped). The nearest of its three
    closest ancestors that holds at least ``_TOGGLES_MIN`` buttons, the farthest of them
    (with the bar's label) that holds no heading or link and whose text besides its buttons
    is at most ``_TOGGLE_LABEL_MAX``."""
    return _box_above(main, button, "toggles", _toggles_in, looked)


def _box_above(
    main: Any,
    el: Any,
    kind: str,
    verdict: Callable[[Any], str],
    looked: dict[tuple[str, Any], str],
    nearest: bool = False,
) -> Any | None:
    """The box of ``kind`` that ``el`` (a button, a link) stands in: of its three closest
    ancestors that hold no content (not ``main``, an <article>, <main>, <body>), the farthest
    up to a ``_NONE`` (``nearest``: the first) that ``verdict`` finds ``_THE_BOX``; None if
    none. Each ancestor is judged once for all the buttons or links inside it (``looked``):
    thousands of buttons in one box cost a look at the box, not one each (5,000 toggle
    buttons took 104 s, 5,000 share links 113 s)."""
    found = None
    for box in itertools.islice(el.iterancestors(), 3):
        if box is main or box.tag in ("article", "main", "body") or box.get("role") == "main":
            break
        said = looked.get((kind, box))
        if said is None:
            said = looked[kind, box] = verdict(box)
        if said == _NONE:
            break
        if said == _THE_BOX:
            found = box
            if nearest:
                break
    return found


def _toggles_in(box: Any) -> str:
    """What ``box`` is to a toggle button inside it (``_toggle_bar``)."""
    buttons = list(box.iter("button"))
    if len(buttons) < _TOGGLES_MIN:
        return _FURTHER
    if next(box.iter("a", *HEADINGS), None) is not None:
        return _NONE
    said = sum(len(clean_text(_text_of(b))) for b in buttons)
    return _NONE if len(clean_text(_text_of(box))) - said > _TOGGLE_LABEL_MAX else _THE_BOX


#: the answers of a feedback widget's buttons ("Ja", "Nei")
_ANSWERS = frozenset({"ja", "nei", "yes", "no"})


def _answered_box(main: Any, button: Any, looked: dict[tuple[str, Any], str]) -> Any | None:
    """The feedback widget an answer's button stands in, when its question is no heading
    ("<p><strong>Var denne siden nyttig?</strong></p> <button>Ja</button> <button>Nei</button>
    <p>Svarene brukes bare til å forbedre fhi.no.</p>", blind round 140): the nearest of the
    button's three closest ancestors that asks a ``_FEEDBACK_QUESTION`` in an element of its
    own, when it is no element that holds the content and its text besides the question is
    at most ``_FEEDBACK_TEXT_MAX``. A "Ja" of a form in the text, with no such question, and
    a box of more text (what to do, whom to call) are read."""
    # ... also beside an icon ("👍 Ja", blind round 163)
    if _SYMBOLS_AROUND.sub("", clean_text(_text_of(button))).lower().rstrip(".!") not in _ANSWERS:
        return None
    return _box_above(main, button, "asked", _asked_in, looked, nearest=True)


def _asked_in(box: Any) -> str:
    """What ``box`` is to an answer's button inside it (``_answered_box``)."""
    size = len(clean_text(_text_of(box)))
    if size > _FEEDBACK_ASKED_MAX or next(box.iter("h1", "main"), None) is not None:
        return _NONE
    # its tally of answers is the widget's own ("412 personar har svart på dette.", blind
    # round 195): not counted as text besides the question
    size -= sum(
        len(said)
        for el in box.iter("p", "span", "div")
        if el is not box and FEEDBACK_TALLY.match(said := clean_text(_text_of(el)))
    )
    for el in box.iter("p", "legend", "span", "div", "label", "strong", *HEADINGS):
        asked = clean_text(_text_of(el)) if el is not box else ""
        if _FEEDBACK_QUESTION.match(asked):
            return _THE_BOX if size - len(asked) <= _FEEDBACK_TEXT_MAX else _NONE
    return _FURTHER


def _has_control(box: Any) -> bool:
    """Whether ``box`` holds a control: a <button>, an <input> or an element of role="button"."""
    return next(box.iter("button", "input"), None) is not None or any(
        el.get("role") == "button" for el in box.iter(etree.Element)
    )


def _held_form(box: Any, forms: Sequence[Any]) -> bool:
    """Whether a <form> stood in ``box`` (``forms``: the parents of the forms dropped)."""
    return any(p is box or any(a is box for a in p.iterancestors()) for p in forms)


def _chat_box(main: Any, heading: Any, forms: Sequence[Any]) -> Any | None:
    """The live chat's box a ``_CHAT_HEADING`` heads: its parent element, when that is no
    element that holds the content, its text besides the heading is short
    (``_CHAT_TEXT_MAX``) and it holds a control (a button, an input, a form dropped) or a
    link to the chat (``_CHAT_LINK``)."""
    if not _CHAT_HEADING.match(clean_text(_text_of(heading))):
        return None
    box = _small_box(main, heading, _CHAT_TEXT_MAX)
    if box is None:
        return None
    if _has_control(box) or _held_form(box, forms) or _has_link(box, _CHAT_LINK):
        return box
    return None


def _small_box(main: Any, heading: Any, most: int) -> Any | None:
    """``heading``'s parent element, when it is no element that holds the content and its
    text besides the heading is at most ``most`` characters long."""
    box = heading.getparent()
    if box is None or box is main or box.tag in ("article", "main", "body"):
        return None
    if next(box.iter("h1", "main"), None) is not None or box.get("role") == "main":
        return None
    if len(clean_text(_text_of(box))) - len(clean_text(_text_of(heading))) > most:
        return None
    return box


def _has_link(box: Any, words: re.Pattern[str]) -> bool:
    """Whether ``box`` holds a link whose address or text says one of ``words``."""
    return any(
        words.search(link.get("href") or "") or words.search(_text_of(link))
        for link in box.iter("a")
    )


#: The heading of a newsletter sign-up box ("Abonner på nyhetsbrev", "Meld deg på
#: nyhetsbrevet", "Få nyhetsbrev", "Nyhetsbrev", nynorsk "Meld deg på nyheitsbrev",
#: "Abonner på nyheitsbrevet vårt"): a widget as a feedback box is, dropped where it is a box
#: of little text with a sign-up link or control (``_newsletter_box``)
_NEWSLETTER_HEADING = re.compile(
    r"^(?:(?:abonner på|meld deg på|få|motta) )?nyhe(?:i)?tsbrev(?:et)?"
    r"(?: (?:vårt|fr[aå] [^.!?]{1,60}))?\s*[.!?:]?$",
    re.I,
)
#: the first four letters of every ``_NEWSLETTER_HEADING``
_NEWSLETTER_STARTS = frozenset({"abon", "meld", "få n", "mott", "nyhe"})
#: a newsletter box's text besides its heading is at most this long: a section about a
#: newsletter that says more (what it brings, who sends it, how often) is read
_NEWSLETTER_TEXT_MAX = 200
#: a link to a newsletter's sign-up: its address or text says so
_NEWSLETTER_LINK = re.compile(r"nyhe(?:i)?tsbrev|abonner|newsletter|subscribe", re.I)


def _newsletter_box(main: Any, heading: Any, forms: Sequence[Any]) -> Any | None:
    """The newsletter sign-up box a ``_NEWSLETTER_HEADING`` heads: its parent element, when
    that is no element that holds the content, its text besides the heading is short
    (``_NEWSLETTER_TEXT_MAX``), and it holds a sign-up link (``_NEWSLETTER_LINK``) or a form
    control (an <input>, or a <form> dropped: ``forms`` are their parents). A section about a
    newsletter of substantial text, or one without a way to sign up, is read."""
    if not _NEWSLETTER_HEADING.match(clean_text(_text_of(heading))):
        return None
    box = _small_box(main, heading, _NEWSLETTER_TEXT_MAX)
    if box is None:
        return None
    if _has_link(box, _NEWSLETTER_LINK) or next(box.iter("input"), None) is not None:
        return box
    if _held_form(box, forms):
        return box
    return None


#: a number in a text: a digit that begins a run of digits and is not part of a name
#: ("covid-19", "SARS-CoV-2", "H5N1": a digit after a letter, or after a letter and a hyphen)
_NUMBER = re.compile(r"(?<![^\W\d_])(?<![^\W\d_]-)(?<!\d)\d")


def _read_figure_numbers(main: Any) -> None:
    """The alt text of an image in a <figure> that states numbers ("Figur 1: 412
    laboratoriepåviste tilfeller av influensa i uke 48") is read as a line where the image
    stands: a chart replaced by a corrected one may say its new figures nowhere else. An alt
    text without a number (``_NUMBER``: "Flytskjema", "Grafen viser andelen positive prøver
    for covid-19 og RS-virus", one rewritten for accessibility) describes what the page says
    already, and is not read. An icon alone in a table's cell is read by its alt text
    (``_cell_icon``)."""
    for img in main.iter("img"):
        alt = img.get("alt")
        if not alt:
            continue
        if _NUMBER.search(alt) is not None and next(img.iterancestors("figure"), None) is not None:
            tail = img.tail
            img.clear()  # its attributes and tail go: a line of its own, its tail after it
            img.tag, img.text, img.tail = "p", alt, tail
        elif _cell_icon(img, alt):
            # a status told by an icon alone in a table's cell ("Ope", "Lukka", blind round
            # 225): the cell's word
            tail = img.tail
            img.clear()
            img.tag, img.text, img.tail = "span", alt, tail


#: the longest alt text read as a table cell's word (``_cell_icon``)
_CELL_ICON_ALT = 40


def _cell_icon(img: Any, alt: str) -> bool:
    """Whether ``img`` is the only thing in its table cell, with a short alt text: an icon
    that says the cell's value (a status, "Ja")."""
    cell = img.getparent()
    return (
        cell is not None
        and cell.tag in ("td", "th")
        and len(alt) <= _CELL_ICON_ALT
        and len(cell) == 1
        and not (cell.text or "").strip()
        and not (img.tail or "").strip()
    )


def _control_labels(main: Any, pdfs_followed: bool = False) -> list[Any]:
    """The labels of controls and "new" badges inside the headings, buttons and links under
    ``main``: an element with no element in it whose text is a ``CONTROL_LABEL`` ("Vis mer",
    "Åpne" by an accordion's heading) or a ``NEW_BADGE`` ("Ny"); and in links and buttons,
    the text only screen readers get ("(åpnes i nytt vindu)", ``_SCREEN_READER``). Left in, a
    heading would read "BildediagnostikkVis mer", and a toggle's new wording, a badge that
    expired or a site adding such notes to its links would change their sections. A line
    break in a heading is a space in its text ("Forslag om<br>testplikt"). A link to a law or
    regulation at Lovdata is cited after its text (``_cite_regulation``), a link to a
    document with its file name (``_name_attachment``)."""
    found: list[Any] = []
    shares: list[Any] = []  # links that share the page (``_share_boxes``)
    # hosts inside a host whose look covered theirs (``_labels_in``): looked at once, so a page
    # of 250 nested buttons costs one look, not 250 of its whole depth (15 s for 900 KB)
    covered: set[Any] = set()
    for el in main.iter("button", "a", "summary", *HEADINGS):
        if el.tag == "summary":
            if _is_toggle_summary(el):
                found.append(el)
            continue
        if el not in covered:
            found.extend(_labels_in(el, covered))
        if el.tag == "button":
            if _is_control_button(el, main):
                found.append(el)
            else:
                # a button is a box of its own: tabs side by side read "Praktisk Begrunnelse",
                # not "PraktiskBegrunnelse" (blind round 80)
                el.tail = f" {el.tail}" if el.tail else " "
        if el.tag in HEADING_SET:
            for br in el.iter("br"):
                br.tail = f" {br.tail or ''}"
        elif el.tag == "a":
            _read_link(el, main, pdfs_followed, found, shares)
    # an element that acts as a button (a text-size control as a <span role="button">)
    found.extend(
        el
        for el in main.iterfind(".//*[@role='button']")
        if el.tag not in ("a", "button") and _is_control_button(el, main)
    )
    if shares:
        found.extend(_share_boxes(main, shares))
    return found


def _read_link(
    link: Any, main: Any, pdfs_followed: bool, found: list[Any], shares: list[Any]
) -> None:
    """A link as ``_control_labels`` reads it: a link to the page's own file goes (into
    ``found``), a link that shares the page is kept for ``_share_boxes`` (in ``shares``), and
    another is read with what its address says (a regulation cited, a file or a form named, the
    other host, a protected address decoded, a contact's number)."""
    if _is_page_file_link(link, main) or _is_back_link(link):
        found.append(link)
        return
    if _SHARE_LINK.search(link.get("href") or ""):
        shares.append(link)
        return
    _cite_regulation(link)
    if not _name_attachment(link, pdfs_followed):
        _name_form(link)
    _name_other_host(link)
    _decode_protected_link(link)
    _name_contact(link)


def _is_back_link(link: Any) -> bool:
    """A link back to a place on the page drawn as a glyph alone ("↩" after a footnote, "↑"
    to the top, blind round 220): a control, not the note's words."""
    text = link.text or ""
    return (
        not len(link)
        and 0 < len(text.strip()) <= _GLYPH_CHARS
        and (link.get("href") or "").startswith("#")
        and not any(c.isalnum() for c in text)
    )


#: the most characters a back link's glyph has
_GLYPH_CHARS = 3


#: a link that shares the page ("facebook.com/sharer", "twitter.com/intent", LinkedIn's, an
#: e-mail with the page's subject and no address: "mailto:?subject=")
_SHARE_LINK = re.compile(
    r"facebook\.com/sharer|(?:twitter|x)\.com/intent/|linkedin\.com/(?:sharing|shareArticle)"
    r"|^mailto:\?|wa\.me/\?text=|api\.whatsapp\.com/send"
    # ... the older forms ("twitter.com/share", "linkedin.com/share") and a bare "mailto:"
    # that the page's script fills in (blind round 292)
    r"|(?:twitter|x|linkedin)\.com/share(?![\w-])|^mailto:$"
    # ... Bluesky's, Threads' and Mastodon's sharers (blind round 264: a Bluesky button added
    # to the bar was told)
    r"|bsky\.app/intent/|threads\.net/intent/|mastodonshare\.com/\?|/share\?text=",
    re.I,
)
#: a share box's text besides its links and buttons is at most this long ("Del siden:")
_SHARE_LABEL_MAX = 30


def _share_boxes(main: Any, shares: Sequence[Any]) -> list[Any]:
    """The page's share tools (blind round 159: "Del siden:" over "Facebook", "E-post", "Skriv
    ut", added by a new template inside the content): each link that shares the page
    (``_SHARE_LINK``) with the box it stands in: of its three closest ancestors, the farthest
    (with the box's label) up to which each holds no other link and no heading, where it holds
    two or more links and text besides its links and buttons of at most
    ``_SHARE_LABEL_MAX``. A share link's own text ("Facebook")
    is never content; the text around a box of more is read."""
    sharing = set(shares)
    found: list[Any] = []
    seen: set[Any] = set()
    looked: dict[tuple[str, Any], str] = {}
    for link in shares:
        box = _box_above(main, link, "shares", lambda b: _shares_in(b, sharing), looked)
        if box is None:
            box = link
        if box is link and (count := _SHARE_COUNT.match(link.tail or "")):
            link.tail = link.tail[count.end() :]  # its count goes with it ("Facebook (341)")
        if box not in seen:
            seen.add(box)
            found.append(box)
    return found


def _shares_in(box: Any, sharing: set[Any]) -> str:
    """What ``box`` is to a share link inside it (``_share_boxes``)."""
    links = list(box.iter("a"))
    if any(a not in sharing for a in links) or next(box.iter(*HEADINGS), None) is not None:
        return _NONE
    said = sum(len(clean_text(_text_of(x))) for x in (*links, *box.iter("button")))
    if len(links) >= 2 and len(clean_text(_text_of(box))) - said <= _SHARE_LABEL_MAX:
        return _THE_BOX
    return _FURTHER


#: a share link's count after it ("Del på Facebook (341)")
_SHARE_COUNT = re.compile(r"\s*\(\d{1,3}(?:[ \u202f\u2009\xa0]?\d{3})*\)")


#: a disclosure's label that tells the reader to open it ("Vis tidligere sesonger", "Sjå
#: heile tabellen", "Les meir om dosering"): the toggle's wording, not the content it shows
_TOGGLE_WORDING = re.compile(
    r"(?:vis|skjul|se|sjå|les|åpne|opne|lukk|utvid|ekspander|klikk for å (?:se|sjå|lese|vise))"
    r"\s[^.!?:]{1,60}",
    re.I,
)


def _is_toggle_summary(summary: Any) -> bool:
    """Whether a <details>' <summary> only tells the reader to open it (blind round 72: an
    archive of earlier seasons put in an accordion labelled "Vis tidligere sesonger"): its
    text is such a wording and it holds no heading. A question or a title as the summary
    ("Hvem bør vaksineres?", "Dosering") is read, as it stands."""
    words = _text_within(summary, _TOGGLE_CHARS)
    return (
        words is not None
        and _TOGGLE_WORDING.fullmatch(" ".join(words.split())) is not None
        and next(summary.iter(*HEADINGS), None) is None
    )


#: the most characters a toggle's wording has, spaces included (``_is_toggle_summary``)
_TOGGLE_CHARS = 160


def _text_within(el: Any, limit: int) -> str | None:
    """The text of ``el`` when it holds at most ``limit`` characters, else None, read no
    further than that: a short label looked for in nested boxes costs its label, not the
    text of all the boxes inside it (a summary holding a <details> holding a summary ...)."""
    parts, size = [], 0
    for part in el.itertext():
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
    return "".join(parts)


#: the class of a toolbar of the reader's tools: text size and contrast ("font-size-controls",
#: "text-size", "tekststorleik", "a11y-toolbar"); or its role="toolbar"
_TOOLBAR_CLASS = re.compile(
    r"toolbar|font-?size|text-?size|tekst-?st(?:ørrelse|orrelse|orleik)|contrast|kontrast"
    # ... a page's tools under its title ("article__tools", "page-tools": blind round 100)
    r"|__tools\b|page-?tools|article-?tools",
    re.I,
)
#: symbols (an emoji, an arrow) at either end of a button's label
_SYMBOLS_AROUND = re.compile(r"^[^\w(]+|[^\w)]+$")
#: how far above a button its toolbar is looked for
_TOOLBAR_DEPTH = 3
#: a toolbar's button with a longer text than this is read (a button that holds content)
_TOOLBAR_LABEL_CHARS = 30


def _is_control_button(el: Any, main: Any) -> bool:
    """Whether a button (or an element of role="button") is a control whose label is no
    content: a ``BUTTON_LABEL`` ("Godta alle", "A+", "Tekststørrelse"), or a short label of a
    button in a toolbar (``_TOOLBAR_CLASS``: "A", "Kontrast"). A link or text in a toolbar,
    and an accordion's button that holds a heading, are read."""
    label = clean_text(_text_of(el))
    if BUTTON_LABEL.match(label) or BUTTON_LABEL.match(_SYMBOLS_AROUND.sub("", label)):
        return True  # ... also beside an icon ("👍 Ja", blind round 95)
    if next(el.iter(*HEADINGS), None) is not None:
        return False
    if el.get("aria-expanded") is not None and _is_toggle_wording(el, label):
        return True
    return len(label) <= _TOOLBAR_LABEL_CHARS and _in_toolbar(el, main)


def _is_toggle_wording(button: Any, label: str) -> bool:
    """Whether a toggle's button (``aria-expanded``) outside a heading only tells the reader to
    open or close what it controls ("Les meir om dosering til barn og eldre", "Vis mindre",
    blind round 165): its wording follows the fold's state, and the text it shows is read
    where it stands. An accordion's button in a heading is the heading."""
    if any(a.tag in HEADING_SET for a in itertools.islice(button.iterancestors(), 3)):
        return False
    return bool(CONTROL_LABEL.match(label) or _TOGGLE_WORDING.fullmatch(label))


def _in_toolbar(el: Any, main: Any) -> bool:
    """Whether ``el`` stands in a toolbar (``role="toolbar"``, ``_TOOLBAR_CLASS``) at most
    ``_TOOLBAR_DEPTH`` levels up."""
    for depth, box in enumerate(el.iterancestors()):
        if box is main or depth == _TOOLBAR_DEPTH:
            return False
        if box.get("role") == "toolbar" or _TOOLBAR_CLASS.search(box.get("class") or ""):
            return True
    return False


#: the letters a page tool's label starts with (``_PAGE_FILE_LINK``)
_PAGE_TOOL_STARTS = frozenset("LlSsUuDdPpKk")
#: a link to the page's own versions ("Vis endringer", "Sammenlign versjoner", "Vis alle
#: versjonar", "Versjonshistorikk"): a tool of the page (``_is_page_file_link``)
_VERSION_TOOL = re.compile(
    r"(?:vis|sjå|se) (?:alle |tidligere |tidlegare )?(?:endringer|endringar|versjoner|versjonar)"
    r"|(?:sammenlign|samanlikn) (?:versjoner|versjonar)|(?:versjonshistorikk|endringshistorikk)"
    r"|(?:tidligere|tidlegare|historiske) (?:versjoner|versjonar)",
    re.I,
)


def _is_page_file_link(link: Any, main: Any) -> bool:
    """A toolbar's link to a file of the page itself (``_PAGE_FILE_LINK``), by its own text
    (looked at only where it starts as such a label does: a call per link of every page), or
    to a place on the page."""
    own = (link.text or "").lstrip()
    href = (link.get("href") or "").lstrip()
    if (href.startswith("#") or href[:11].lower() == "javascript:") and not len(link):
        # a toolbar's link to a place on the page or to a script ("Vis versjoner (4)",
        # "Innholdsfortegnelse", "Sammenlign versjoner" in Lovdata's, blind round 214; "Print"
        # as javascript:window.print()): it works the page; and such a link to the page's
        # versions wherever it stands (beside Lovdata's "Gjeldende versjon" badge, 239)
        return _in_toolbar(link, main) or _VERSION_TOOL.fullmatch(clean_text(own)) is not None
    return (
        own[:1] in _PAGE_TOOL_STARTS
        and _PAGE_FILE_LINK.match(clean_text(_text_of(link))) is not None
        and _in_toolbar(link, main)
    )


#: a toolbar's link that makes a file of the page itself ("Last ned PDF", "Last ned som
#: PDF", "Lagre som PDF", blind round 95): a page tool, whose address changes with the
#: request; other links in a toolbar are read
_PAGE_FILE_LINK = re.compile(
    r"^(?:(?:last ned|lagre|skriv ut)(?: som)? (?:pdf|word|docx)"
    # ... with the file's size ("Last ned PDF (1,4 MB)", blind round 211), which changes with
    # every edit of the page
    r"(?: ?\((?:(?:pdf|word|docx),? )?\d{1,4}(?:[.,]\d{1,2})? ?(?:kb|mb)\))?"
    # ... and the toolbar's other links to the page itself: its print version, sharing it
    # ("Utskriftsvennlig versjon", "Del på e-post", blind round 100)
    r"|utskriftsvennl[ie]g(?: versjon| utgåve| utgave)?|skriv ut"
    r"|del(?: på| via)? (?:e-post|epost|facebook|linkedin|x|twitter)|send (?:på|som) e-post"
    # ... and its permanent address ("Permalenke", "Kopier permanent lenke", "Kopier lenke
    # til sida", blind round 239): the same page
    r"|permalenke|permanent lenke|(?:kopier|kopiér) (?:permanent |perma)?lenke(?:n)?"
    r"(?: til (?:siden|sida|dokumentet))?)$",
    re.I,
)


#: a link to a law or a regulation at Lovdata: its address names the act by its date and number
#: (lovdata.no/dokument/SF/forskrift/2009-02-13-205, lovdata.no/lov/1994-08-05-55; on
#: Lovdata's own pages the address is relative: /dokument/NL/lov/..., or in its short form
#: /forskrift/2003-06-20-740, blind round 60)
_LOVDATA_ACT = re.compile(
    r"^(?:(?:https?:)?//(?:www\.)?lovdata\.no/|/)"
    # ... the document's base before it, with or without "dokument/" ("/dokument/LTI/",
    # "/LTI/", blind round 229: Lovdata's newer short form of the same address)
    r"(?:(?:dokument/)?[A-Za-z]{2,4}/)?"
    r"(lov|forskrift)/(\d{4}-\d{2}-\d{2}-\d+)",
    re.I,
)


def _cite_regulation(link: Any) -> None:
    """A link to a law or regulation at Lovdata is read with the act it points to, as Lovdata
    cites it ("forskrift om smittsomme sykdommer (FOR-2009-02-13-205)"), unless its text names
    it already: a link re-pointed to another regulation under the same words changes the
    text, where the words alone would hide it."""
    href = link.get("href")
    if not href or ("lovdata" not in href and not href.startswith("/")):
        return
    found = _LOVDATA_ACT.match(href.strip())
    if found is None:
        return
    kind, number = found.groups()
    if number in _text_of(link) or _in_heading(link):
        return  # named already; or in a heading, whose words are the section's name
    link.tail = f" ({'LOV' if kind.lower() == 'lov' else 'FOR'}-{number}){link.tail or ''}"


#: the file types of a document a link may point to, by the end of its file name
_DOCUMENT_TYPES = frozenset({"pdf", "docx", "doc", "xlsx", "xls", "odt", "pptx"})
#: a token of a file name that only makes it unique (a cache-buster, an upload's hash): a UUID,
#: a run of 8 or more hexadecimal digits with a letter and a digit in it, or of 10 or more
#: digits (a Unix time); not 8 digits alone ("20261201" may date the version)
_HASH_TOKEN = re.compile(
    r"[-_.~ ]?(?<![0-9a-z])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}|\d{10,})(?![0-9a-z])",
    re.I,
)


#: a link of the page's own tools that gives the page as a file ("Last ned som PDF", "Lag
#: PDF", "Skriv ut sida", nynorsk "Last ned sida som PDF")
_PAGE_AS_FILE = re.compile(
    r"^(?:skriv ut|last ned|lagre|lag|eksporter)(?: (?:som|til|denne|heile|hele|sid(?:en|a)"
    r"|artikkelen))* (?:pdf|word)$|^skriv ut(?: (?:denne )?(?:sid(?:en|a)|artikkelen))?$"
)


def attachment_name(url: str) -> str:
    """The file name of a document ``url`` points to (``_DOCUMENT_TYPES``, by its last path
    segment; query and fragment ignored), without the tokens that only make it unique
    (``_HASH_TOKEN``): "veileder-smittevernplan.pdf" of ".../8f2a1c0d/veileder-smittevernplan.pdf"
    and of ".../veileder-smittevernplan-3f9a2b7c1d.pdf?v=2"; '' for a link to anything else,
    and for a file named by such tokens alone (a new upload's name tells nothing). Its folder
    never counts: CMSs rewrite folders and hashes in them without a new file."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    name = unquote(path[path.rfind("/") + 1 :]).strip()
    dot = name.rfind(".")
    if dot <= 0 or name[dot + 1 :].lower() not in _DOCUMENT_TYPES:
        return ""
    stem = _HASH_TOKEN.sub("", name[:dot]).strip("-_.~ ")
    return f"{stem}{name[dot:]}" if stem else ""


def _name_attachment(link: Any, pdfs_followed: bool = False) -> bool:
    """A link to a document (``attachment_name``) is read with its file name, as a link to an
    act at Lovdata with the act (``_cite_regulation``): "Veileder (PDF) (veileder-v2.pdf)". A
    link re-pointed to a new file under the same words (a new version put up without a word
    on the page) changes the text; the same file in a new folder does not. Not in a heading
    (its words are the section's name), nor where the link's text names the file already or
    the link has no text (an icon beside the link that names it), nor a link of the page's
    own tools ("Last ned som PDF": the page as a file, ``_PAGE_AS_FILE``), nor, where a page's
    PDFs are read as its parts (``pdfs_followed``), a PDF: its text decides. True when the
    link points to a document, named here or not (then it names no form, ``_name_form``)."""
    href = link.get("href")
    if not href or "." not in href:
        return False
    name = attachment_name(href.strip())
    if not name or (pdfs_followed and name.lower().endswith(".pdf")):
        return bool(name)
    text = _text_of(link)
    if not text.strip() or name.lower() in text.lower():
        return True
    if _PAGE_AS_FILE.match(clean_text(text).lower()):
        return True
    if _in_heading(link):
        return True
    link.tail = f" ({name}){link.tail or ''}"
    return True


#: a link's text that names a form ("skjema", "meldeskjemaet", "søknadsskjema", "e-skjema",
#: "Fyll ut skjemaet", nynorsk alike)
_FORM_WORD = re.compile(r"(?<![\w-])[\w-]*skjema(?:et|er|ene|a|ane)?(?![\w-])", re.I)
#: the query parameters that name a form where its path does not ("?id=1234", "?skjema=…")
_FORM_ID_PARAMS = ("id", "skjema", "skjemaid", "formid", "form", "form_id", "skjemanr")
#: a last path segment that names no form (a page's default document)
_DEFAULT_DOCUMENT = re.compile(r"(?:index|default)(?:\.\w+)?", re.I)


def form_name(url: str) -> str:
    """What names the form a link ``url`` points to: its last path segment (a trailing slash
    aside; "msis-melding-om-smittsam-sjukdom" of "https://www.fhi.no/skjema/msis-melding-om-
    smittsam-sjukdom/") unless it is a page's default or a folder of forms ("index.html",
    "skjema"), else the form's id among its query parameters (``_FORM_ID_PARAMS``),
    without the tokens that only make it unique (``_HASH_TOKEN``); '' when neither names it.
    Its folders never count: the same form in a new folder is the same form."""
    parts = urlsplit(url)
    path = unquote(parts.path).rstrip("/")
    name = _HASH_TOKEN.sub("", path[path.rfind("/") + 1 :].strip()).strip("-_.~ ")
    if name and not (_DEFAULT_DOCUMENT.fullmatch(name) or _FORM_WORD.fullmatch(name)):
        return name
    for key, value in parse_qsl(parts.query):
        if key.lower() in _FORM_ID_PARAMS and (value := _HASH_TOKEN.sub("", value).strip()):
            return value
    return name


def _name_form(link: Any) -> None:
    """A link whose text names a form (``_FORM_WORD``: "meldeskjemaet") is read with the form
    it points to (``form_name``), as a link to a document is with its file name
    (``_name_attachment``): "meldeskjemaet (msis-melding-om-smittsam-sjukdom)". A link
    re-pointed to another form under the same words tells the reader to send another form;
    the same form at a new folder is no change. Other links are read by their text only; not
    in a heading, nor a link to a place on the page, nor one whose text names the form
    already."""
    href = (link.get("href") or "").strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return
    text = _text_of(link)
    if not _FORM_WORD.search(text):
        return
    name = form_name(href)
    if not name or name.lower() in text.lower():
        return
    if _in_heading(link):
        return
    link.tail = f" ({name}){link.tail or ''}"


#: a site's address named in a link's text ("på helsenorge.no", "www.fhi.no/skjema")
_NAMED_SITE = re.compile(r"(?<![\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,}(?![\w-])", re.I)


def _name_other_host(link: Any) -> None:
    """A link whose address is not the site it shows is read with its host, as a link to a
    form with the form (``_name_form``): an internationalised host (punycode, "xn--": a
    lookalike of a Norwegian name, "helsenørge.no"), or a host of another registrable domain
    (``feeds.sites.site_of``) than the one its text names ("Bestill time på helsenorge.no"
    to another site). Re-pointed from the site it names to a lookalike, the link changes
    its section's text though its words stay; a link to the site it names, or that names
    none, is read by its words (a path or query changed on the same site is no change)."""
    host = host_of(link.get("href") or "")
    if not host or _in_heading(link):
        return
    text = _text_of(link)
    if "xn--" not in host and host.isascii():
        named = {site_of(m.group(0).lower()) for m in _NAMED_SITE.finditer(text)}
        named.discard("")
        if not named or site_of(host) in named:
            return
    if host in text.lower():
        return
    link.tail = f" ({host}){link.tail or ''}"


def _in_heading(el: Any) -> bool:
    """Whether ``el`` stands inside a heading (its words are the section's name there)."""
    return next(el.iterancestors(*HEADINGS), None) is not None


def _name_contact(link: Any) -> None:
    """A link to a phone number or an e-mail address whose words do not show it ("Ring
    legevakta" to "tel:116117", "Send oss e-post" to "mailto:post@kommune.no") is read with
    it: "Ring legevakta (116117)". The number patients are told to call may stand nowhere but
    in the link (blind round 43); a link that shows its number or address, or one in a
    heading, is read by its words."""
    href = (link.get("href") or "").strip()
    scheme = href[:7].lower()
    if not (scheme.startswith("tel:") or scheme == "mailto:"):
        return
    target = unquote(href[href.index(":") + 1 :].split("?", 1)[0]).strip()
    if not target or len(target) > 80 or _in_heading(link):
        return
    text = _text_of(link)
    if scheme.startswith("tel:"):
        digits = "".join(c for c in target if c.isdigit())
        if not digits or any(c.isdigit() for c in text):
            return
        target = ("+" if target.startswith("+") else "") + digits
    elif "@" not in target or "@" in text or target.lower() in text.lower():
        return
    link.tail = f" ({target}){link.tail or ''}"


#: the classes of text only screen readers get: a link's "(åpnes i nytt vindu)", "PDF"
_SCREEN_READER = (
    "sr-only", "visually-hidden", "visuallyhidden", "screen-reader", "screenreader",
    # ... in Norwegian ("visuelt-skjult", "skjermleser", blind round 314)
    "visuelt-skjult", "visueltskjult", "skjermleser",
)  # fmt: skip


#: the elements whose control labels, badges and screen-reader notes are looked for
_HOSTS = frozenset({"button", "a", *HEADINGS})


def _labels_in(el: Any, covered: set[Any] | None = None) -> Iterator[Any]:
    """The control labels and "new" badges inside ``el``, and in a link or button the text
    for screen readers (``_control_labels``). The hosts inside it whose own look this one
    covers (any, in a link or button; headings, in a heading) are added to ``covered``."""
    hidden = el.tag in ("a", "button")
    heading = el.tag in HEADING_SET
    for inner in el.iterdescendants(etree.Element):
        if covered is not None and inner.tag in _HOSTS and (hidden or inner.tag in HEADING_SET):
            covered.add(inner)
        for_screen_readers = hidden and any(w in (inner.get("class") or "") for w in _SCREEN_READER)
        if for_screen_readers or (
            len(inner) == 0
            and inner.text
            and (_is_label(text := clean_text(inner.text)) or (heading and _is_badge(inner, text)))
        ):
            yield inner


#: an "updated" badge's word ("Oppdatert", "Oppdatert!", nynorsk "Endra"): in a heading, in an
#: element of a badge's class (``_BADGE_CLASS``), it says the section changed lately, as a
#: "Ny" badge (``NEW_BADGE``) says it is new; the change itself was read when it was made
_UPDATE_BADGE = re.compile(r"(?:oppdatert|endret|endra|revidert|updated)!?", re.I)
_BADGE_CLASS = re.compile(r"badge|tag|label|pill|chip|flag|marker|status", re.I)


#: a badge that says a text is new or updated ("Ny", "Ny anbefaling", nynorsk "Ny tilråding",
#: "Oppdatert", "Endra"): set when the text changed and taken down later; never what changed
_STATUS_BADGE = re.compile(
    # ... or pinned to the top of a listing ("Festet", nynorsk "Festa", blind round 232)
    r"(?:ny|nytt|nyhet|nyheit|new|oppdatert|endret|endra|revidert|updated|festet|festa|pinned)"
    r"(?: (?:anbefaling|tilråding|tilrådning|retningslinje|rettleiar|veileder|innhold|innhald"
    r"|tekst|råd))?!?",
    re.I,
)


def _is_status_badge(el: Any, text: str) -> bool:
    """A leaf <span> or <i> of a badge's class whose text only says new or updated (blind round
    80: "Ny tilråding" taken down, "Oppdatert" put up over a recommendation whose text is the
    same). What the text says is read where it stands: a changed text is told by its words,
    and "Utgått", "Trukket", "Under revisjon" are content. Inside a link the link's rules
    decide (a "new" badge goes, "Oppdatert" on a chapter's link in a contents list is read)."""
    return bool(
        _STATUS_BADGE.fullmatch(text)
        and _BADGE_CLASS.search(el.get("class") or "")
        and next(el.iterancestors("a"), None) is None
        and not _labels_a_date(el)
    )


def _labels_a_date(el: Any) -> bool:
    """Whether a status word is a date's label: FHI's "<span class="meta__label">Oppdatert
    </span> <time>01.12.2026</time>" (blind round 212) is the field of a stamp, read with its
    date as the page's stamp, not a badge (taken alone, it left the date read as text)."""
    after = (el.tail or "").strip().removeprefix(":").strip()
    if after:
        return starts_with_date(after)
    following = el.getnext()
    if following is None or not isinstance(following.tag, str):
        return False
    return following.tag == "time" or starts_with_date(
        clean_text(_text_of(following)).removeprefix(":").strip()
    )


def _is_badge(el: Any, text: str) -> bool:
    """Whether a leaf element in a heading is an "updated" badge: its text an
    ``_UPDATE_BADGE`` word alone and its class a badge's."""
    return bool(_UPDATE_BADGE.fullmatch(text) and _BADGE_CLASS.search(el.get("class") or ""))


def _text_of(el: Any) -> str:
    return "".join(el.itertext())


#: the class names of icon fonts (Material Icons and Symbols, Font Awesome, Glyphicons, a
#: site's own "icon"): a leaf <span> or <i> of such a class shows its text as one glyph
_ICON_CLASS = re.compile(
    r"(?:^|[\s_-])(?:material-(?:icons|symbols)|fa|fas|far|glyphicon|icons?)(?:$|[\s_-])"
)
#: an icon font's ligature: the glyph's name, in lower case ASCII ("download", "open_in_new")
_LIGATURE = re.compile(r"[a-z][a-z0-9_]*")


def _ornaments(main: Any) -> list[Any]:
    """The icons and footnote marks under ``main``, in one pass over its <span>, <i> and
    <sup> elements.

    An icon is a leaf <span> or <i> that shows a glyph only: an icon font's ligature
    ("download", "open_in_new" in a ``material-icons`` span) or characters without a letter
    or digit hidden from screen readers ("→", "›" with ``aria-hidden``); an arrow added to
    every link, or a site changing its icon font, changes no content. A footnote mark is a
    <sup> that holds only a link to a place on the page ("5,3 mmol/L<sup><a
    href="#fn1">1</a></sup>"): its number or letter is the note's place in the list, not what
    it says; the notes are read where they stand, and one added is seen there. A mark whose
    note is on the page is read as the note it points to (``_read_footnote_mark``): marks
    renumbered together because a note was put in or taken out read the same, a mark
    re-pointed to another note does not."""
    found = []
    notes: _Targets | None = None
    bare: list[Any] = []
    marks = _bracket_marks(main)
    if marks:
        notes = _link_targets(main)
        for link in marks:
            _read_bracket_mark(link, notes)
    expanded: set[tuple[str, str]] = set()  # abbreviations read with their expansion
    for el in main.iter("span", "i", "sup", "abbr", "time", "small", "figcaption"):
        if el.tag in ("abbr", "time") and _read_as_written(el, expanded):
            continue
        if el.tag == "sup":
            if _is_footnote_mark(el):
                if notes is None:
                    notes = _link_targets(main)
                if not _read_footnote_mark(el, notes):
                    found.append(el)
            elif not len(el) and _is_mark_text(el.text):
                bare.append(el)
            continue
        if (
            _is_relative_age(el)
            or (el.tag in ("span", "i") and _is_ornament(el))
            or (el.tag == "figcaption" and _ILLUSTRATION.search(_text_of(el)))
        ):
            found.append(el)
    if bare:
        found.extend(_read_bare_marks(bare, main))
    return found


def _stamp_fields(main: Any) -> list[Any]:
    """The stamps among the fields of a line under ``main`` (``_is_stamp_field``), with the
    marks before them (``_unmark_field``)."""
    found: list[Any] = []
    rows: dict[Any, bool] = {}  # each box judged once as a line of fields, not once a field
    for el in main.iter("span", "time", "small"):
        if _is_stamp_field(el, rows):
            found.extend(_unmark_field(el))
    return found


#: a stamp's label: when the page last changed or was published
_STAMP_LABEL = re.compile(r"\b(?:oppdatert|endret|endra|endring|revidert|publisert)\b", re.I)
#: a box of more fields than this is no line of fields (and its fields are not looked at)
_ROW_FIELDS_MAX = 12
_HAS_DIGIT = re.compile(r"\d")


def _is_stamp_field(el: Any, rows: dict[Any, bool]) -> bool:
    """Whether ``el`` is the stamp of the page's last change among the fields of a line
    (blind rounds 167 to 169): a <span>, <time> or <small> of a few words whose text alone
    is a line of noise (``strip_noise``) and names a change or a publication ("Sist
    oppdatert: 19.08.2026 kl. 09:14", "Siste faglige endring: 2. desember 2026",
    "Oppdatert kl. 04:11"), in a box of fields (``_is_field_row``: "Brev · Dato: 12. august
    2026 · Sist oppdatert: ...", a live banner's "Direkte" beside its time, the page's tools
    beside it). Alone on its line the stamp goes as noise already; beside other fields it
    kept the whole line apart from every rule. Not in a list item or a table's cell, whose
    fields are an entry's own; "Dato: 12. august 2026" (a letter's date) is no stamp here.
    ``rows``: each box's judgement, made once."""
    if not _is_shallow(el):
        return False
    text = "".join(el.itertext())
    if len(text) > 120 or not _HAS_DIGIT.search(text) or not _STAMP_LABEL.search(text):
        return False
    parent = el.getparent()
    if parent is None or parent.tag in ("li", "td", "th"):
        return False
    row = rows.get(parent)
    if row is None:
        row = rows[parent] = _is_field_row(parent)
    return row and not strip_noise(clean_text(text))


def _is_shallow(el: Any) -> bool:
    """Whether ``el`` may be a field of a line: at most three leaves in it."""
    return len(el) <= 3 and not any(len(child) for child in el)


#: what may stand between the fields of a line of fields
_BETWEEN_FIELDS = " \t\n\r\xa0·•|–—-,/:;"


def _is_field_row(box: Any) -> bool:
    """Whether ``box`` is a line of fields: two to ``_ROW_FIELDS_MAX`` elements, and no text
    of its own but marks between them (a sentence around a stamp is read); and not a line of
    noise as a whole (an owner's name and a stamp, a stamp and a share counter: the line
    rules take it whole, and its fields are left to them)."""
    if not 2 <= len(box) <= _ROW_FIELDS_MAX or not all(map(_is_shallow, box)):
        return False  # fields are a few words each: its text is read at a bounded cost
    own = (box.text or "") + "".join(child.tail or "" for child in box)
    return not own.strip(_BETWEEN_FIELDS) and bool(strip_noise(clean_text(_text_of(box))))


def _unmark_field(field: Any) -> list[Any]:
    """A field of a line of fields that goes, with the mark between it and the field before
    it ("Nr: 191/2026 | Dato: 05.12.2026 | Sist oppdatert: ..." does not end in "|"): a mark
    in the text between them, or an element of a mark alone (``<span class="sep">|</span>``)."""
    before = field.getprevious()
    if before is None:
        if field.tail and not field.tail.strip(_BETWEEN_FIELDS):
            field.tail = " "
        return [field]
    if before.tail and not before.tail.strip(_BETWEEN_FIELDS):
        before.tail = " "
    if not len(before) and before.text and not before.text.strip(_BETWEEN_FIELDS):
        return [before, field]
    return [field]


def _read_as_written(el: Any, expanded: set[tuple[str, str]]) -> bool:
    """An <abbr> read with its explanation (``_expand_abbreviation``; True: nothing more to
    look for in it), a <time> with its year in full (``_read_short_year``)."""
    if el.tag == "abbr":
        _expand_abbreviation(el, expanded)
        return True
    if len(el) or not el.text:
        return False
    if len(el.text) <= _SHORT_DATE_CHARS:
        _read_short_year(el)
    elif len(el.text) <= _AGE_CHARS and not _is_relative_age(el):
        _read_age_as_date(el)
    return False


def _read_age_as_date(el: Any) -> None:
    """A <time> that tells its date relative to now inside a line ("Publisert <time
    datetime="2026-11-09">for 4 dagar sidan</time> av Mattilsynet", blind round 156) is read
    as the date its ``datetime`` gives ("09.11.2026", with "kl. 10.42" where it gives a time):
    the words tick over every day while the date stays. One at the end of its line goes as an
    age (``_is_relative_age``); one without a date in the attribute reads as it stands."""
    machine = _MACHINE_DATE.match(el.get("datetime") or "")
    if machine is None or not is_relative_time_field(clean_text(el.text)):
        return
    clock = _MACHINE_CLOCK.match(el.get("datetime") or "", machine.end())
    day = f"{machine[3]}.{machine[2]}.{machine[1]}"
    el.text = f"{day} kl. {clock[1]}.{clock[2]}" if clock else day


#: a date with a year of two digits ("11.03.26"), and the longest text of a <time> read so
_SHORT_DATE = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{2})\s*")
_SHORT_DATE_CHARS = 12
#: the date a ``datetime`` attribute begins with, and the time of day after it
_MACHINE_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_MACHINE_CLOCK = re.compile(r"[T ](\d{2}):(\d{2})")


def _read_short_year(el: Any) -> None:
    """A <time>'s date written with a year of two digits ("<time datetime="2026-03-11">11.03.26
    </time>", blind round 138) is read with the year its ``datetime`` gives, "11.03.2026": the
    same day as the site's other rendering. Only where the day, month and the year's last two
    digits are the attribute's; another date, or one without the attribute, reads as it
    stands."""
    short = _SHORT_DATE.fullmatch(el.text)
    machine = _MACHINE_DATE.match(el.get("datetime") or "") if short else None
    if short is None or machine is None:
        return
    day, month, year = short.groups()
    if (int(day), int(month)) == (int(machine[3]), int(machine[2])) and machine[1][2:] == year:
        el.text = f"{day}.{month}.{machine[1]}"


#: a figure's caption that calls its picture an illustration ("Barn får MMR-vaksine.
#: Illustrasjonsfoto.", blind round 101): it describes a stock photo, not the news, and is
#: replaced with the photo
_ILLUSTRATION = re.compile(r"\billustrasjons(?:foto|bilde|bilete)\b", re.I)


#: the header of a table's column that counts what changes by the day: a GP's free places
#: and list length ("Ledige plasser", "Listelengde", nynorsk "Ledige plassar", "Listelengd")
_COUNTER_WORDS = r"ledige? (?:plasser|plassar|plass)|listelengde|listelengd"
_COUNTER_HEADER = re.compile(rf"^(?:{_COUNTER_WORDS}|antall på lista?|tal på lista)$", re.I)


def _counter_columns(main: Any) -> list[Any]:
    """The cells of a table's columns that count by the day (``_COUNTER_HEADER``: a GP list's
    free places and length, blind round 121), their header and their caption's day ("Ledige
    plasser per 6. desember 2026") with them: they tick while the doctors, offices and phone
    numbers around them, which are read, stay. Only a table without a spanning cell; a
    doctor who comes or goes is a row that comes or goes. The cells are emptied where they
    stand, not dropped, so the table keeps its columns (rows re-sorted say the same,
    ``_sortable_tables``); the caption is returned, to be dropped."""
    found: list[Any] = []
    for table in main.iter("table"):
        rows = list(table.iter("tr"))
        if len(rows) < 2:
            continue
        header = list(rows[0].iterchildren("th", "td"))
        columns = {
            i for i, cell in enumerate(header) if _COUNTER_HEADER.match(clean_text(_text_of(cell)))
        }
        # ... and a column of the day each row was last checked ("Sist kontrollert", blind
        # round 273: the same weekly date set on every row), where every cell is a date
        stamps = {
            i for i, cell in enumerate(header) if _STAMP_HEADER.match(clean_text(_text_of(cell)))
        }
        if stamps:
            cells_of = [list(row.iterchildren("th", "td")) for row in rows[1:]]
            columns |= {
                i for i in stamps
                if all(len(c) != len(header) or _date_or_empty(c[i]) for c in cells_of)
            }  # fmt: skip
        if not columns or _SPANNING(table):  # the XPath only for a table with such a column
            continue
        for row in rows:
            cells = list(row.iterchildren("th", "td"))
            if len(cells) == len(header):
                for i in columns:
                    tag = cells[i].tag
                    cells[i].clear()
                    cells[i].tag = tag
        caption = table.find("caption")
        if caption is not None and _COUNTER_CAPTION.match(clean_text(_text_of(caption))):
            found.append(caption)
    return found


#: the header of a table's column of the day each row was last checked (not changed: a
#: change log's "Sist endra" per chapter is what it tells)
_STAMP_HEADER = re.compile(
    r"^(?:sist (?:kontrollert|sjekket|sjekka|gjennomgått)|kontrollert|sjekket)$",
    re.I,
)


def _date_or_empty(cell: Any) -> bool:
    said = clean_text(_text_of(cell))
    return not said or is_date_only(said)


#: a row header that names the document's last change ("Sist endret", nynorsk "Sist endra")
_LAST_CHANGE_HEADER = re.compile(r"^(?:sist endret|sist endra|sist oppdatert)$", re.I)
#: the ids of the acts or regulations that made it ("FOR-2026-11-20-2001", several by commas)
_ACT_IDS = re.compile(
    r"^(?:(?:FOR|LOV)-\d{4}-\d{2}-\d{2}-\d+)(?:\s*[,;]\s*(?:FOR|LOV)-\d{4}-\d{2}-\d{2}-\d+)*$"
)


def _last_change_rows(main: Any) -> list[Any]:
    """A document's header field of its last change, in a table of fields or a definition
    list ("Sist endret | FOR-2026-11-20-2001" in Lovdata's header, blind round 171), and a
    field that counts free places (``_COUNTER_HEADER`` over a count): the
    regulation that last changed it, which each amendment sets anew beside the paragraphs it
    changed, where the change is told. Only a row of the header and a value of act ids;
    "Ikrafttredelse", "Gjelder for" and the rest are read."""
    found: list[Any] = []
    for label in main.iter("th", "dt"):
        said = clean_text(_text_of(label))
        if _LAST_CHANGE_HEADER.match(said):
            fits = _is_stamp_value
        elif _COUNTER_HEADER.match(said):
            # a course's free places ("Ledige plasser" / "6", blind round 215): they tick as
            # people sign up; "Fullt" or "Avlyst" in their place is read
            fits = _is_count_value
        else:
            continue
        if label.tag == "th":
            row = label.getparent()
            cells = list(row.iterchildren("th", "td")) if row is not None else []
            if row is not None and len(cells) == 2 and cells[0] is label and fits(cells[1]):
                found.append(row)
        else:
            value = label.getnext()
            if value is not None and value.tag == "dd" and fits(value):
                found.extend((label, value))
    return found


def _is_count_value(cell: Any) -> bool:
    """A count alone ("6", "ca. 20")."""
    return bool(_COUNT_VALUE.fullmatch(clean_text(_text_of(cell))))


_COUNT_VALUE = re.compile(r"(?:ca\.? )?\d{1,4}")


def _is_stamp_value(cell: Any) -> bool:
    """Act ids alone: a date there is the page's date, read as its signal and its noise by the
    date lines' rules (``signal_dates``)."""
    return bool(_ACT_IDS.match(clean_text(_text_of(cell))))


def _hidden_captions(main: Any) -> list[Any]:
    """The captions of tables that only screen readers get (of a visually hidden class,
    ``_SCREEN_READER``): a name for the table its heading gives the eye already (blind round
    141); a caption shown is read."""
    return [
        caption
        for table in main.iter("table")
        if (caption := table.find("caption")) is not None and _for_screen_readers(caption)
    ]


def _for_screen_readers(el: Any) -> bool:
    """Whether ``el`` is of a visually hidden class (``_SCREEN_READER``)."""
    classes = el.get("class") or ""
    # Tailwind's "not-sr-only" ("md:not-sr-only") shows what "sr-only" hid
    return "not-sr-only" not in classes and any(w in classes for w in _SCREEN_READER)


#: a caption that dates such a count ("Ledige plasser per 6. desember 2026")
_COUNTER_CAPTION = re.compile(
    rf"^(?:{_COUNTER_WORDS})(?: per| pr\.?| oppdatert)?"
    r"\s*:?\s*\d{1,2}\.\s*(?:\d{1,2}\.|[a-zæøå]+)\s*\d{4}\.?$",
    re.I,
)


def _is_relative_age(el: Any) -> bool:
    """A listing's age of an item in an element of its own at the end of its line ("<span
    class="news-item__age">for 3 dagar sidan</span>", "i dag", blind round 96): it ticks
    over every day while the item stays. Only a <time>, or a <span> or <small> of a class,
    holding nothing but the time, with nothing after it on its line (but right after a
    <time>, ``_beside_time``): "Legevakta er stengd <strong>i dag</strong>." is read."""
    if el.tag not in _AGE_TAGS or len(el) or not el.text:
        return False
    if not _beside_time(el):
        if (el.tail or "").strip():
            return False
        if (after := el.getnext()) is not None and after.tag not in BLOCKS:
            return False  # more of its line follows
        if _text_before(el).rstrip().endswith(_FIELD_MARKS):
            return False  # a field of a line of fields, which goes with its separator
    if el.tag != "time" and not el.get("class"):
        return False
    return len(el.text) <= _AGE_CHARS and is_relative_time_field(clean_text(el.text))


def _beside_time(el: Any) -> bool:
    """Whether ``el`` follows a <time> with nothing between them: a live log's entry "<time>kl.
    10.42</time> <span class="ago">for 5 minutt sidan</span> Mannskap ..." (blind round 142)
    tells its age beside the time it states, and its text after them is read."""
    before = el.getprevious()
    return before is not None and before.tag == "time" and not (before.tail or "").strip()


def _text_before(el: Any) -> str:
    """The text that stands right before ``el`` in its parent: the tail of the element before
    it, else the parent's own text."""
    before = el.getprevious()
    parent = el.getparent()
    if before is not None:
        return before.tail or ""
    return (parent.text if parent is not None else "") or ""


#: the longest text of an element that says an item's age ("for 11 månader sidan"), and the
#: elements that may
_AGE_CHARS = 40
_AGE_TAGS = frozenset({"span", "time", "small"})
#: the separators of a line of fields (``_FIELD_SEPARATOR``)
_FIELD_MARKS = ("·", "•", "|")


def _is_ornament(el: Any) -> bool:
    """A leaf <span> or <i> that is an icon's glyph or ligature, or a badge that only says new
    or updated (``_ornaments``)."""
    if len(el) or not el.text:
        return False
    text = el.text.strip()
    return bool(text) and (
        _is_glyph(el, text)
        or _is_ligature(el, text)
        or _is_status_badge(el, text)
        or _is_hidden_label(el, text)
    )


#: a label for screen readers before a note ("Merk:", "Info:", "Obs!", "Tips:")
_HIDDEN_LABEL = re.compile(r"[^\W\d]{1,15}(?: [^\W\d]{1,15})?[:!]")


def _is_hidden_label(el: Any, text: str) -> bool:
    """A visually hidden label that tells screen readers what kind of note follows ("<span
    class="visually-hidden">Merk:</span>", blind round 226): the site's wording of its
    note's kind, not the note."""
    return _HIDDEN_LABEL.fullmatch(text) is not None and _for_screen_readers(el)


#: the longest expansion of an abbreviation read, and the most abbreviations a page has read
#: with theirs (``_expand_abbreviation``): a page explains a handful; a hostile page of 12,000
#: in one paragraph took 52 s when each looked for its explanation in the paragraph's text
_EXPANSION_MAX = 120
_EXPANSIONS_MAX = 64


def _expand_abbreviation(abbr: Any, expanded: set[tuple[str, str]]) -> None:
    """An abbreviation the page explains in its ``title`` ("<abbr title="lavmolekylært
    heparin">LMWH</abbr>") is read with the explanation after it, "LMWH (lavmolekylært
    heparin)", the first time the page uses it (an open case of blind round 43: the
    explanation changed to another drug class under the same letters). Later uses read as
    they stand, and so does one whose explanation its sentence gives already; past
    ``_EXPANSIONS_MAX`` abbreviations the rest read as they stand."""
    title = " ".join((abbr.get("title") or "").split())[:_EXPANSION_MAX]
    text = (abbr.text or "").strip()
    if not title or not text or len(abbr) or title.casefold() == text.casefold():
        return
    key = (text.casefold(), title.casefold())
    if key in expanded or len(expanded) >= _EXPANSIONS_MAX:
        return
    expanded.add(key)
    parent = abbr.getparent()
    around = "".join(parent.itertext()) if parent is not None else ""
    # the sentence's words as they read (``clean_text``): a soft hyphen ("glukose&shy;måling")
    # or a line break in the markup does not hide the explanation (blind round 211)
    if clean_text(title).casefold() in clean_text(around).casefold():
        return
    tail = abbr.tail or ""
    if compound := _COMPOUND_TAIL.match(tail):
        # the first part of a word ("<abbr>IGRA</abbr>-test"): after the word, "IGRA-test
        # (Interferon gamma release assay)", as the abbreviation alone (blind round 141)
        abbr.tail = f"{tail[: compound.end()]} ({title}){tail[compound.end() :]}"
        return
    abbr.text = f"{abbr.text} ({title})"


#: the rest of a word an abbreviation begins ("-test", "-vaksine", "-19-vaksine")
_COMPOUND_TAIL = re.compile(r"-\w+(?:-\w+)*")


#: a footnote's mark written in brackets ("[1]", "[a]")
_BRACKET_MARK = re.compile(r"\[\w{1,3}\]")


def _is_bracket_mark(link: Any) -> bool:
    """A link to a place on the page whose text is a mark in brackets ("...gis.<a
    href="#fn1">[1]</a>"), not inside a <sup> (that one is ``_is_footnote_mark``'s)."""
    return (
        not len(link)
        and (link.get("href") or "").startswith("#")
        and _BRACKET_MARK.fullmatch((link.text or "").strip()) is not None
        and (parent := link.getparent()) is not None
        and parent.tag != "sup"
    )


def _read_bracket_mark(link: Any, notes: _Targets) -> None:
    """A bracketed mark read as its note, as a superscript one is (blind round 58: a
    re-conversion wrote "<sup>1</sup>" and a note "<sup>1</sup> CRP under ..." as
    "<a href="#fn1">[1]</a>" and a note "[1] CRP under ..."): the mark becomes the note's
    first words, and the note's own "[1]" before its words goes. Left as it stands when the
    note is not on the page."""
    note = notes.after(unquote((link.get("href") or "")[1:]), link)
    if note is None or any(a is note for a in link.iterancestors()):
        return
    mark = (link.text or "").strip()
    lead = (note.text or "").lstrip()
    if lead.startswith(mark):
        note.text = lead[len(mark) :].lstrip()
    words = _note_words(note)
    if words:
        _read_as_note(link, words)


def _is_mark_text(text: str | None) -> bool:
    """A footnote's mark: a number, a letter or two, or stars ("1", "a", "**")."""
    mark = (text or "").strip()
    return 0 < len(mark) <= _FOOTNOTE_MARK_CHARS and (mark.isalnum() or set(mark) == {"*"})


def _read_bare_marks(marks: list[Any], main: Any) -> list[Any]:
    """Footnote marks without a link ("forekomst<sup>1</sup>"), whose note stands on the page
    as a paragraph or item that begins with the same mark ("<p><sup>1</sup> Land med forekomst
    over 40 …</p>"): each mark in the text is read as its note's first words, as a linked mark
    is (``_read_footnote_mark``), and the note's own mark goes. Marks renamed together ("1" ->
    "a") read the same; a mark pointed at another note does not. A superscript with no such
    note (m<sup>2</sup>, 10<sup>9</sup>/L) is read as it stands. Returns the notes' marks."""
    notes: dict[str, tuple[Any, list[str]]] = {}
    listed = _listed_notes(marks, main)
    for sup in marks:
        parent = sup.getparent()
        if (
            parent is not None
            and parent.tag in _NOTE_HOLDERS
            and parent[0] is sup
            and not (parent.text or "").strip()
        ):
            words = _note_words(parent)
            mark = sup.text.strip()
            if words and words[0] == mark:
                words = words[1:]
            if words:
                notes.setdefault(mark, (sup, words))
    if not notes and not listed:
        return []
    leaders = {sup for sup, _ in notes.values()}
    for sup in marks:
        if sup in leaders:
            continue
        if (note := notes.get(sup.text.strip())) is not None:
            _read_as_note(sup, note[1])
        elif (listed_words := listed.get(sup)) is not None:
            _read_as_note(sup, listed_words)
    return list(leaders)


#: a list of footnotes by its class or id ("fotnotar", "footnotes", "noter", "endnotes")
_NOTES_LIST = re.compile(r"fotno|footno|endno|\bnot(?:e|er|ar)\b", re.I)
#: a superscript number after these is a power, not a footnote's mark (m<sup>2</sup>)
_POWER_BEFORE = re.compile(r"(?:\d|\b[a-zA-Zµ]{1,2}|/)\s*$")


def _listed_notes(marks: list[Any], main: Any) -> dict[Any, list[str]]:
    """Marks in numbers without a link ("Rotavirus<sup>2</sup>") whose notes stand as the
    items of one numbered list of footnotes under the page's content (an <ol> of a footnote
    class, "fotnotar", "footnotes"): mark n reads as the list's n-th item, and the list reads
    as a list of notes in any order (its numbers are only the marks'): notes renumbered with
    their marks read the same (blind round 92). A superscript after a digit or a unit
    (10<sup>9</sup>, m<sup>2</sup>) is a power, and a number past the list's end is left."""
    # digits 0-9 only: "²" is a digit to ``str.isdigit`` and no number to ``int``
    numbered = [sup for sup in marks if (m := sup.text.strip()).isascii() and m.isdigit()]
    if not numbered:
        return {}
    lists = [
        ol
        for ol in main.iter("ol")
        if _NOTES_LIST.search(f"{ol.get('class') or ''} {ol.get('id') or ''}")
    ]
    if len(lists) != 1:
        return {}
    items = [li for li in lists[0].iterchildren("li")]
    found: dict[Any, list[str]] = {}
    for sup in numbered:
        n = int(sup.text.strip())
        text = _text_before(sup)
        if not 1 <= n <= len(items) or not text.strip() or _POWER_BEFORE.search(text):
            continue
        if note := _note_words(items[n - 1]):
            found[sup] = note
    if found:
        lists[0].tag = "ul"  # the notes' order is their marks'
    return found


#: the class of a heading's permalink ("heading-anchor", "anchorjs-link", "headerlink")
_PERMALINK_CLASS = re.compile(r"anchor|permalink|headerlink|deep-?link", re.I)


def _permalinks(main: Any) -> list[Any]:
    """The permalinks in the headings under ``main``: a link whose text is a symbol or two
    or nothing ("#", "¶", "§", "🔗") that points to its heading ("#id" of the heading, of
    the link itself or of the heading's parent), carries an anchor or permalink class, or is
    hidden from screen readers. A theme that adds one to every heading renames none; a "§"
    that links elsewhere (to Lovdata) is read."""
    found = []
    for heading in main.iter(*HEADINGS):
        if not len(heading):
            continue
        for link in heading.iter("a"):
            text = _text_of(link).strip()
            if len(text) > _PERMALINK_CHARS or any(c.isalnum() for c in text):
                continue
            fragment = (link.get("href") or "").partition("#")[2]
            parent = heading.getparent()
            own = bool(fragment) and fragment in (
                heading.get("id"),
                link.get("id"),
                link.get("name"),
                parent.get("id") if parent is not None else None,
            )
            if (
                own
                or _PERMALINK_CLASS.search(link.get("class") or "")
                or link.get("aria-hidden") == "true"
            ):
                found.append(link)
    return found


#: a permalink shows a symbol or two at most
_PERMALINK_CHARS = 2

#: a class that shows an element at some screen sizes only: Bootstrap's display utilities
#: with a breakpoint ("d-md-none", "d-lg-block") and its older "visible-xs", "hidden-sm",
#: Foundation's "show-for-small-only", "hide-for-large", Tailwind's "md:hidden", and a
#: site's own "mobile-only", "desktop-only", "hidden-mobile", "is-hidden-touch"
_RESPONSIVE_CLASS = re.compile(
    r"(?:^|\s)(?:d-(?:sm|md|lg|xl|xxl)-[a-z-]+|(?:visible|hidden)-(?:xs|sm|md|lg|xl)(?:-[a-z]+)?"
    r"|(?:show|hide)-for-[a-z-]+|(?:is-)?(?:hidden|visible|show|hide)-(?:mobile|tablet|desktop"
    r"|touch|phone)(?:-only)?|(?:only-)?(?:mobile|tablet|desktop|phone)-(?:only|hidden|visible"
    r"|hide|show)|(?:sm|md|lg|xl):(?:hidden|block|flex|inline))(?=\s|$)"
)
#: the words one of those classes holds: looked for in the classes of ``main`` joined (~60 us
#: for 270 classes), before any element is looked at (~0.4 ms by an XPath of contains())
_RESPONSIVE_WORDS = (
    "d-sm-", "d-md-", "d-lg-", "d-xl-", "d-xxl-", "visible-", "hidden", "-for-", "mobile",
    "tablet", "desktop", "phone", ":",
)  # fmt: skip
_CLASSES = etree.XPath("descendant::*/@class", smart_strings=False)
_CELLS = frozenset({"td", "th"})
_CLASSED = etree.XPath("descendant::*[@class]")


def _copies(main: Any) -> list[Any]:
    """The copies of content for another screen size under ``main``: an element of a
    responsive class (``_RESPONSIVE_CLASS``) beside a sibling of the same text (the desktop
    and the mobile copy of a line), the later of two such, else the responsive one. Read
    once: a theme that adds the copy for phones adds nothing; so is one hidden from screen
    readers too (``aria-hidden``), whatever its form. A copy whose text differs from
    its sibling's is read, and so is a table's cell (a column hidden on phones holds the
    same value as the next one as often as not: "Ja", "Ja")."""
    classes = " ".join(cast(list[str], _CLASSES(main)))
    if not any(word in classes for word in _RESPONSIVE_WORDS):
        return []
    marked = cast(list[Any], _CLASSED(main))
    found = [
        el for el in marked if el.tag not in _CELLS and _RESPONSIVE_CLASS.search(el.get("class"))
    ]
    if not found:
        return []
    responsive = set(found)
    copies = []
    for el in found:
        # hidden from screen readers as well: a copy for another screen whose content the
        # page gives elsewhere (a table's cards for phones, "d-md-none" aria-hidden="true")
        if el.get("aria-hidden") == "true":
            copies.append(el)
            continue
        text = None
        after = el.getnext()
        for sibling in (el.getprevious(), after):
            # a responsive one after it is the later copy: that one is dropped
            if sibling is None or not isinstance(sibling.tag, str):
                continue
            if sibling is after and sibling in responsive:
                continue
            if text is None:
                text = clean_text(_text_of(el))
                if not text:
                    break
            if clean_text(_text_of(sibling)) == text:
                copies.append(el)
                break
    return copies


#: an element hidden from screen readers is a copy of its neighbour's content only with at
#: least this many pieces of text (a table's header row, a card of fields), and at most so
#: many such elements are compared on a page
_COPY_MIN_PIECES = 2
_HIDDEN_COPIES_MAX = 64


def _pieces(el: Any) -> set[str]:
    """The pieces of text under ``el``, each cleaned (a cell, a label, a value)."""
    return {t for chunk in el.itertext() if (t := clean_text(chunk))}


def _step_numbers(hidden: Sequence[Any]) -> list[Any]:
    """The numbers of an ordered list's items printed for the eye and hidden from screen
    readers ("<li><span aria-hidden="true">2</span> Påfør ...</li>", blind round 221): the
    list's order says them already. Only a number that is its item's place, first in it."""
    found = []
    for el in hidden[:_HIDDEN_COPIES_MAX]:
        item = el.getparent()
        if (
            item is None
            or item.tag != "li"
            or len(el)
            or item[0] is not el
            or (item.text or "").strip()
            or (lst := item.getparent()) is None
            or lst.tag != "ol"
        ):
            continue
        number = _STEP_NUMBER.fullmatch((el.text or "").strip())
        if number and int(number[1]) == lst.index(item) + 1:
            found.append(el)
    return found


#: an item's number as a step prints it ("2", "2.", "2)")
_STEP_NUMBER = re.compile(r"(\d{1,3})[.)]?")


def _hidden_copies(hidden: Sequence[Any]) -> list[Any]:
    """The copies of a neighbour's content hidden from screen readers under ``main``: an
    element of ``aria-hidden="true"`` beside a sibling that holds every piece of its text (a
    table's header row cloned to stay on screen while the table scrolls, the table again as
    cards for phones; blind round 193), whatever its classes (``_copies`` reads those of a
    responsive class). Read once: the copy adds nothing, and a stale copy is not the page's
    word. A hidden element with a piece of its own is read (``_is_glyph`` drops an icon's
    glyph without letters). ``hidden``: the elements of ``aria-hidden="true"`` the noise scan
    found (``_noise_of``), those a widget took along gone since."""
    hidden = [el for el in hidden if el.getparent() is not None]
    if not hidden:
        return []
    copies: list[Any] = []
    known: dict[Any, set[str]] = {}
    for el in hidden[:_HIDDEN_COPIES_MAX]:
        if any(c in el.iterancestors() for c in copies):
            continue
        mine = _pieces(el)
        if len(mine) < _COPY_MIN_PIECES:
            continue
        for sibling in (el.getprevious(), el.getnext()):
            if sibling is None or not isinstance(sibling.tag, str):
                continue
            if sibling.get("aria-hidden") == "true":
                continue
            theirs = known.get(sibling)
            if theirs is None:
                theirs = known[sibling] = _pieces(sibling)
            if mine <= theirs:
                copies.append(el)
                break
    return copies


#: the names of languages as a language picker shows them, each in its own language and in
#: Norwegian (folded to lower case)
_LANGUAGES = frozenset({
    "english", "engelsk", "norsk", "bokmål", "nynorsk", "norsk bokmål", "norsk nynorsk",
    "samisk", "sámegiella", "davvisámegiella", "nordsamisk", "julevsámegiella", "lulesamisk",
    # ... the Sami languages' names as a link says "in North Sami" (blind round 216)
    "sámegillii", "davvisámegillii", "julevsámegillii", "åarjelsaemiengïelese",
    "åarjelsaemien", "åarjelsaemien gïele", "sørsamisk", "kvensk", "kainun kieli", "polski",
    "polsk", "українська", "ukrainsk", "русский", "russisk", "العربية", "arabisk", "soomaali",
    "somali", "af-soomaali", "ትግርኛ", "tigrinja", "tigrinya", "دری", "dari", "فارسی", "farsi",
    "persisk", "kurdî", "kurdisk", "türkçe", "tyrkisk", "español", "spansk", "français",
    "fransk", "deutsch", "tysk", "lietuvių", "litauisk", "latviešu", "eesti", "suomi",
    "finsk", "svenska", "svensk", "dansk", "română", "rumensk", "tiếng việt", "vietnamesisk",
    "ไทย", "thai", "中文", "kinesisk", "اردو", "urdu", "پښتو", "pashto", "বাংলা", "bengali",
})  # fmt: skip
#: a link that offers the page in a language ("Les på bokmål her", "Les denne sida på
#: nynorsk", "Read in English"): the language's name (``_language_pickers``)
_READ_IN = re.compile(
    r"(?:les|lese|sjå|se|vis|read)(?: (?:denne )?(?:sida|siden|artikkelen|this page))?"
    r" (?:på|in) (.{2,24}?)(?: her| here)?"
)
#: a box's class, id or label that names it a language picker
_LANGUAGE_BOX = re.compile(r"lang|språk|sprak|translat|oversett", re.I)
#: a link to the same page in another language: a language parameter, or a language's path
_LANGUAGE_HREF = re.compile(
    r"[?&](?:lang|language|locale|sprak|språk)=|^/?(?:en|nn|nb|no|se|sma|smj|pl|uk|ru|ar|so"
    r"|ti|fa|tr|es|fr|de|lt|lv|et|fi|sv|da|ro|vi|th|zh|ur|ps|bn)(?:[/?#]|$)",
    re.I,
)


def _language_pickers(main: Any) -> list[Any]:
    """The language pickers under ``main``: a link whose text is a language's name
    (``_LANGUAGES``) with a ``hreflang`` or ``lang`` attribute, and a box (a list) whose text
    is all in two or more such links, named a language picker (``_LANGUAGE_BOX``) or whose
    links all lead to the page in another language (``_LANGUAGE_HREF``). A language added
    to the picker adds nothing to the page; a list of a leaflet's translations (links to
    its files) is read."""
    found: list[Any] = []
    boxes: set[Any] = set()
    for a in main.iter("a"):
        text = a.text
        if len(a):
            # ... beside its flag (an image without alternative text, blind round 247)
            if not all(c.tag == "img" and not (c.get("alt") or "").strip() for c in a):
                continue
            text = (a.text or "") + "".join(c.tail or "" for c in a)
        if not text or len(text) > _LANGUAGE_CHARS:
            continue
        name = clean_text(text).lower()
        if name not in _LANGUAGES:
            # "Les på bokmål (her)" with the language it links to (blind round 247)
            said = _READ_IN.fullmatch(name)
            if said is None or said[1] not in _LANGUAGES or a.get("hreflang") is None:
                continue
        if a.get("hreflang") is not None or a.get("lang") is not None:
            found.append(a)
            continue
        box = a.getparent()
        if box is not None and box.tag == "li":
            box = box.getparent()
        if box is None or box is main or box in boxes:
            continue
        boxes.add(box)
        if _is_language_box(box):
            found.append(box)
    return found


#: a table of contents has at least this many links, and this share of them point to places
#: on the page ("#kapittel-3")
_CONTENTS_MIN_LINKS = 3
_CONTENTS_ANCHOR_SHARE = 0.8
#: what a table of contents' box may hold besides its list: its title ("Innhold",
#: "Innholdsfortegnelse (55 kapitler)", "På denne sida")
_CONTENTS_TITLE_MAX = 60


#: the class or attribute of the item of a contents list that is the page shown
_CURRENT_ITEM = re.compile(r"(?:^|[\s_-])(?:active|current|selected|is-active|aktiv)(?:$|[\s_-])")


def _marks_this_page(lst: Any, headings: set[str]) -> bool:
    """Whether a list of links marks one of its items as the page shown (``aria-current``, a
    class "active" or "current") and that item's link is named as one of the page's
    headings: a document's table of contents across its pages, this chapter among them."""
    for item in lst.iter("li", "a"):
        if item.get("aria-current") or _CURRENT_ITEM.search(item.get("class") or ""):
            link = item if item.tag == "a" else item.find(".//a")
            if link is not None and clean_text(_text_of(link)).casefold() in headings:
                return True
    return False


def _box_names(box: Any) -> str:
    """What a box is named by its markup: its class, id and aria-label, joined."""
    return " ".join(box.get(k) or "" for k in ("class", "id", "aria-label"))


#: a box's class, id or label that names it a table of contents
_CONTENTS_BOX = re.compile(r"\btoc\b|table-of-contents|innhold|innhald|contents", re.I)


def _named_contents(lst: Any, links: Sequence[Any]) -> bool:
    """A list of fewer links than ``_CONTENTS_MIN_LINKS`` that is a table of contents all the
    same (blind round 231: a page's "Innhold" down to two sections after one was removed): two
    links or more, every one to a place on the page, in a box named so (``_CONTENTS_BOX``)."""
    if len(links) < 2 or not all(a.get("href", "").startswith("#") for a in links):
        return False
    box = lst.getparent()
    return box is not None and _CONTENTS_BOX.search(_box_names(box)) is not None


def _contents_lists(main: Any) -> list[Any]:
    """The tables of contents under ``main``: a list (<ul>, <ol>) of at least
    ``_CONTENTS_MIN_LINKS`` links, most of them (``_CONTENTS_ANCHOR_SHARE``) to places on the
    page, whose text stands in its links (``_is_link_box``); with their box (a <nav>, a
    <details>, a <div>) where that holds nothing else but a short title; or most of its links
    to pages named as the page's own headings (its chapters, published apart too). It
    repeats the page's headings: read, every section added, removed or renamed was reported
    twice (once more as the "Innhald" list), and a list made collapsible was a change.
    Footnotes (text beside their back-links) and lists of links to other pages are read."""
    lists: list[Any] = []
    taken: set[Any] = set()  # the lists found, to skip the lists inside them
    headings: set[str] | None = None  # the page's headings, read for the first list that wants them
    for lst in main.iter("ul", "ol"):
        if any(a in taken for a in lst.iterancestors("ul", "ol")):
            continue  # a list inside one found (a chapter's subchapters)
        if _is_letter_index(lst):
            lists.append(lst)
            taken.add(lst)
            continue
        links = [a for a in lst.iter("a") if a.get("href")]
        if len(links) < _CONTENTS_MIN_LINKS and not _named_contents(lst, links):
            continue
        least = _CONTENTS_ANCHOR_SHARE * len(links)
        anchors = sum(1 for a in links if a.get("href", "").startswith("#"))
        if anchors < least and _is_link_box(lst):
            # ... or to pages named as the page's own headings: its chapters, published as
            # pages of their own too (blind round 148, "Kapitler i veilederen")
            if headings is None:
                headings = {clean_text(_text_of(h)).casefold() for h in main.iter(*HEADINGS)}
            anchors = sum(1 for a in links if clean_text(_text_of(a)).casefold() in headings)
            if anchors < least and _marks_this_page(lst, headings):
                # ... or to the document's other chapters, with this page's marked as the
                # current one (blind round 196: "Innhald" beside a proposition's chapter)
                anchors = len(links)
        if anchors >= least and (_is_link_box(lst) or _is_toggled_contents(lst)):
            lists.append(lst)
            taken.add(lst)
    by_box: dict[Any, list[Any]] = {}
    for lst in lists:
        by_box.setdefault(lst.getparent(), []).append(lst)
    found: list[Any] = []
    for box, inside in by_box.items():
        rest = len(clean_text(_text_of(box))) - sum(len(clean_text(_text_of(x))) for x in inside)
        if (
            box is not None
            and box is not main
            and box.tag not in ("article", "main", "body")
            and next(box.iter("h1"), None) is None
            and rest <= _CONTENTS_TITLE_MAX
        ):
            found.append(box)
        else:
            found.extend(inside)
    return found


def _is_toggled_contents(lst: Any) -> bool:
    """A table of contents whose chapters are buttons that open their lists of links
    (Lovdata's "Kapittel 3. Sluttbestemmelser" over "§ 8", "§ 9": blind round 94): its text
    stands in its links and in buttons that control a list in it (``aria-controls``)."""
    toggles = [b for b in lst.iter("button") if b.get("aria-controls")]
    if not toggles:
        return False
    rest = len(clean_text(_text_of(lst)))
    linked = sum(len(clean_text(_text_of(a))) for a in lst.iter("a"))
    linked += sum(len(clean_text(_text_of(b))) for b in toggles)
    return linked >= _LINK_SHARE * rest


#: an item of an index of initial letters: a letter, "0-9" or "#"
_INDEX_LETTER = re.compile(r"[A-ZÆØÅ]|0[-–]9|#", re.I)
#: the fewest items such an index has, and the most characters of one, spaces included
_INDEX_MIN = 8
_INDEX_CHARS = 24


def _is_letter_index(lst: Any) -> bool:
    """A list of initial letters that leads to places on the page ("A B C ... Å" over an A-Z
    table of countries, blind round 86), the letters without entries shown but not linked: a
    control, whose letters say which entries there are, which the entries say themselves."""
    items = [li for li in lst if li.tag == "li"]
    if len(items) < _INDEX_MIN or len(items) != len(lst):
        return False
    for li in items:
        letter = _text_within(li, _INDEX_CHARS)
        if letter is None or not _INDEX_LETTER.fullmatch(clean_text(letter)):
            return False
    return any((a.get("href") or "").startswith("#") for a in lst.iter("a"))


def _tab_lists(main: Any) -> list[Any]:
    """The tab lists under ``main`` (``role="tablist"``) whose tabs (``role="tab"``) each
    repeat a heading of the panel they open (``aria-controls``, or a link's "#id"; where no
    panel is found, a heading of ``main``): controls, whose labels the page says again where
    the panels begin. Read, a tab list made a line ("Symptomer Vaksine") where sections were
    moved into tab panels with their headings. Tabs that are their panels' only titles (panels
    without headings: "Praktisk", "Begrunnelse") are read."""
    found: list[Any] = []
    ids: dict[str, Any] | None = None
    headings_of_main: set[str] | None = None
    # ``iterfind`` with an attribute's value: lxml's own path walk, no XPath predicate
    # evaluated by libxml2 at every element (as ``_control_labels`` finds role="button")
    for tablist in main.iterfind(".//*[@role='tablist']"):
        tabs = list(tablist.iterfind(".//*[@role='tab']"))
        if not tabs:
            continue
        for tab in tabs:
            label = clean_text(_text_of(tab)).casefold()
            if not label:
                continue
            target, href = tab.get("aria-controls") or "", tab.get("href") or ""
            if not target and href.startswith("#"):
                target = href[1:]
            if ids is None:
                ids = {el.get("id"): el for el in main.iter() if el.get("id")}
            panel = ids.get(target.split()[0]) if target.strip() else None
            if panel is not None:
                if label not in (titles := _heading_texts(panel)) and not _names_less(
                    label, titles
                ):
                    break
                continue
            if headings_of_main is None:
                headings_of_main = _heading_texts(main)
            if label not in headings_of_main:
                break
        else:
            found.append(tablist)
            lead = tablist.getprevious()
            if lead is not None and _is_tabs_lead(lead):
                found.append(lead)
    return found


#: a word of letters only (``_names_less``)
_WORDS = re.compile(r"[^\W\d_]+")


def _names_less(label: str, titles: set[str]) -> bool:
    """Whether a tab's label names nothing its panel's headings do not: each of its words of
    three letters or more begins as a word of a heading does (its first five letters; the tab
    "Kommuner" over a panel headed "For kommunen", blind round 77). A label with a word of
    its own ("Vaksine for barn" over "Vaksine", blind round 15) says more, and is read."""
    stems = {w[:5] for title in titles for w in _WORDS.findall(title)}
    words = [w for w in _WORDS.findall(label) if len(w) >= 3]
    return bool(words) and all(w[:5] in stems for w in words)


#: the words that lead in to a tab list ("Velg målgruppe:", nynorsk "Vel målgruppe:", "Vis
#: for:"): a label of the control
_TABS_LEAD = re.compile(r"(?:velg|vel|vis for|vis|bytt|choose|select)\b[^.!?]{0,30}:", re.I)


def _is_tabs_lead(el: Any) -> bool:
    """A short label ending in a colon just before a tab list, and nothing else in it."""
    if el.tag in HEADING_SET or len(el) or (el.tail and el.tail.strip()):
        return False
    return bool(_TABS_LEAD.fullmatch(" ".join((el.text or "").split())))


#: A pager's link ("‹ Forrige", "Neste ›", "Neste side", nynorsk "Førre kapittel: Kikhoste –
#: symptom", "Next page"): the word alone, or with what it leads to (a chapter, a page) and
#: that one's title
_PAGER_LABEL = re.compile(
    r"^[‹«<←]?\s*(?:forrige|førre|neste|previous|next)(?:\s+(?:kapittel|side|sida|del"
    r"|artikkel|sak|chapter|page)(?:\s*:?\s+\S.{0,150})?|\s*:\s*\S.{0,150})?\s*[›»>→]?$",
    re.I,
)
#: a pager's link to a page by its number
_PAGE_NUMBER = re.compile(r"\d{1,4}")
#: what a pager holds besides its links: the current page's number, arrows and separators,
#: "Side 2 av 5"
_PAGER_REST = re.compile(r"[\W\d_]*(?:(?:side|sida|page)\s*\d+\s*(?:av|of)\s*\d+)?[\W\d_]*", re.I)


def _pagers(main: Any) -> list[Any]:
    """The pagers under ``main``: the box (a link's parent; a list, for a link in an <li>) of
    a link to the previous or next page or chapter (``_PAGER_LABEL``) whose text is all in
    such links and links to pages by number, but for the current page's number, arrows and
    separators (``_PAGER_REST``): navigation between a guide's chapters or a list's pages,
    whose numbers and the titles it names change as chapters are added. A box with any
    other text or link (a sentence "Neste kapittel handlar om tiltak", a table of contents)
    is read."""
    found: list[Any] = []
    for a in main.iter("a"):
        if not _PAGER_LABEL.match(clean_text(_text_of(a))):
            continue
        box = a.getparent()
        if box is not None and box.tag == "li":
            box = box.getparent()
        if box is None or box is main or box in found or box.tag in ("article", "main", "body"):
            continue
        if next(box.iter("main", *HEADINGS), None) is not None:
            continue
        rest = clean_text(_text_of(box))
        for link in box.iter("a"):
            text = clean_text(_text_of(link))
            if not (_PAGER_LABEL.match(text) or _PAGE_NUMBER.fullmatch(text)):
                break
            rest = rest.replace(text, " ", 1)
        else:
            if _PAGER_REST.fullmatch(rest):
                found.append(box)
    return found


def _heading_texts(el: Any) -> set[str]:
    """The texts of the headings under ``el``, case folded."""
    return {clean_text(_text_of(h)).casefold() for h in el.iter(*HEADINGS)}


#: no language's name in a picker is longer than this
_LANGUAGE_CHARS = 40


def _is_language_box(box: Any) -> bool:
    links = list(box.iter("a"))
    if len(links) < 2:
        return False
    names = [clean_text(_text_of(a)) for a in links]
    if not all(n.lower() in _LANGUAGES for n in names):
        return False
    if len(clean_text(_text_of(box)).replace(" ", "")) != len("".join(names).replace(" ", "")):
        return False
    return bool(_LANGUAGE_BOX.search(_box_names(box))) or all(
        _LANGUAGE_HREF.search(a.get("href") or "") for a in links
    )


#: the mark around struck text (<s>, <strike>, <del>): a measure struck through no longer
#: applies, and one whose strike is removed applies again
STRUCK_MARK = "~~"


def _mark_struck(main: Any) -> None:
    """Struck text under ``main`` is read between ``STRUCK_MARK``s: a strike added or
    removed changes its line, as it changes what the reader is told."""
    for el in main.iter("s", "strike", "del"):
        if not clean_text(_text_of(el)):
            continue
        el.text = f"{STRUCK_MARK}{el.text or ''}"
        if len(el):
            last = el[-1]
            last.tail = f"{last.tail or ''}{STRUCK_MARK}"
        else:
            el.text = f"{el.text}{STRUCK_MARK}"


def _bracket_marks(main: Any) -> list[Any]:
    """The footnote marks in brackets under ``main`` (``_is_bracket_mark``); on the way, the
    marks written as a link around a <sup> are turned the way ``_is_footnote_mark`` reads
    (``_sup_outside``)."""
    marks = []
    for a in main.iterfind(".//a[@href]"):
        if _is_bracket_mark(a):
            marks.append(a)
        elif len(a) == 1 and a[0].tag == "sup":
            _sup_outside(a)
    return marks


def _sup_outside(link: Any) -> None:
    """A footnote's mark written as a link around a <sup> ("<a href="#note-3"><sup>3</sup>
    </a>", blind round 196) written as the <sup> around the link, the form
    ``_is_footnote_mark`` reads: the same mark, whichever the theme writes. Only a link to a
    place on the page with no text of its own around a bare <sup> of a short mark."""
    sup = link[0]
    if (
        not (link.get("href") or "").startswith("#")
        or (link.text or "").strip()
        or (sup.tail or "").strip()
        or len(sup)
        or len((sup.text or "").strip()) > _FOOTNOTE_MARK_CHARS
    ):
        return
    parent = link.getparent()
    if parent is None:
        return
    outer = etree.Element("sup")
    inner = etree.SubElement(outer, "a", href=link.get("href"))
    inner.text = sup.text
    outer.tail = link.tail
    parent.replace(link, outer)


def _is_footnote_mark(sup: Any) -> bool:
    if len(sup) != 1 or (sup.text or "").strip():
        return False
    link = sup[0]
    return (
        link.tag == "a"
        and (link.get("href") or "").startswith("#")
        and not (link.tail or "").strip()
        and len(_text_of(link).strip()) <= _FOOTNOTE_MARK_CHARS
    )


#: a footnote reference's mark is a number or letter or two ("12", "a", "*")
_FOOTNOTE_MARK_CHARS = 3
#: the elements a footnote without a link stands in, its mark first (``_read_bare_marks``)
_NOTE_HOLDERS = frozenset({"p", "li", "dd", "div", "small", "span"})
#: a footnote mark is read as this many words of its note at most (``_read_footnote_mark``)
_FOOTNOTE_WORDS = 6
#: how far up from an empty anchor its note is looked for
_NOTE_DEPTH = 2


class _Targets(dict[str, Any]):
    """The places a link on the page may point to, by id or name: the first of each. A page
    that numbers its notes anew under each table gives several notes one id ("fn1" under the
    first table and under the second, blind round 304): a mark points to the first of them
    after it (``after``), as a reader looks below the table."""

    def __init__(self, main: Any) -> None:
        super().__init__()
        self.main = main
        self.more: dict[str, list[Any]] = {}  # every element of an id given twice or more
        self.order: dict[Any, int] | None = None  # each element's place, made when needed
        #: ``more``'s elements still on the page, by id: their places and themselves, in order
        self.placed: dict[str, tuple[list[int], list[Any]]] = {}

    def after(self, key: str, mark: Any) -> Any:
        """The element ``key`` names that ``mark`` points to: the first of that id after the
        mark, or the first of all (found by bisection: a hostile page of thousands of marks
        to one id thousands of times costs a search each, not a walk)."""
        many = self.more.get(key)
        if many is None:
            return self.get(key)
        if self.order is None:
            self.order = {el: i for i, el in enumerate(self.main.iter(etree.Element))}
        placed = self.placed.get(key)
        if placed is None:
            found = sorted((self.order[el], i) for i, el in enumerate(many) if el in self.order)
            placed = self.placed[key] = ([p for p, _ in found], [many[i] for _, i in found])
        places, elements = placed
        at = bisect.bisect_right(places, self.order.get(mark, -1))
        return elements[at] if at < len(elements) else self.get(key)


def _link_targets(main: Any) -> _Targets:
    """The places a link on the page may point to under ``main``: each element by its id, and
    an old-style anchor, <a name="fn1">, by its name."""
    found = _Targets(main)
    for el in main.iter(etree.Element):
        key = el.get("id") or (el.get("name") if el.tag == "a" else None)
        if key:
            first = found.setdefault(key, el)
            if first is not el:
                found.more.setdefault(key, [first]).append(el)
    return found


def _read_footnote_mark(sup: Any, notes: _Targets) -> bool:
    """Read a footnote mark (``_is_footnote_mark``) as the note it points to, by its first
    ``_FOOTNOTE_WORDS`` words: "Ja<sup><a href="#fn4">4</a></sup>" reads "Ja [fotnote: Gjelder
    bare personer som har avsluttet …]". Notes renumbered (one put in or taken out, the marks
    shifted together) leave every mark reading the same; a mark re-pointed to another note
    changes its line. False, and the mark is left as it is, when its note is not on the page
    (or holds the mark, or has no text)."""
    note = notes.after(unquote(sup[0].get("href", "")[1:]), sup)
    words: list[str] = []
    # an empty anchor that marks the note ("<li><a id="fn1"></a>Gjeld ikkje gravide.</li>"):
    # the element around it holds the note
    for _ in range(_NOTE_DEPTH):
        if note is None or any(a is note for a in sup.iterancestors()):
            return False
        words = _note_words(note)
        if words:
            break
        note = note.getparent()
    if not words:
        return False
    if _drop_own_mark(note, clean_text(_text_of(sup))):
        words = _note_words(note)  # "a Gjeld pasientar ..." read without its "a"
    _read_as_note(sup, words)
    return True


def _drop_own_mark(note: Any, mark: str) -> bool:
    """A note that starts with its own mark in an element of its own ("<li id="fn1"><span
    class="fn-mark">a</span> Gjeld ...", blind round 111) without it: marks renamed together
    ("1" -> "a") leave the note as it was; also set in its text ("<li id="fn2">* Beregnet
    ...", blind round 304: a note marked "2" in the list's numbers marked "*"). True when one
    was dropped."""
    # (a sign only, "*" or "†": a note "2 prosent av ..." under the mark "2" keeps its "2")
    text = note.text or ""
    if (
        mark
        and len(mark) <= _FOOTNOTE_MARK_CHARS
        and not any(c.isalnum() for c in mark)
        and text.lstrip().startswith(f"{mark} ")
    ):
        note.text = text.lstrip()[len(mark) + 1 :]
        return True
    lead = note[0] if len(note) else None
    if (
        lead is None
        or len(lead)
        or (note.text or "").strip()
        or not mark
        or clean_text(lead.text or "") != mark
    ):
        return False
    tail = lead.tail or ""
    note.remove(lead)
    note.text = f"{note.text or ''}{tail}"
    return True


def _note_words(note: Any) -> list[str]:
    """A footnote's words, as its mark is read (``_read_as_note``): those with a letter or a
    digit."""
    return [w for w in clean_text(_text_of(note)).split() if any(c.isalnum() for c in w)]


def _read_as_note(sup: Any, words: Sequence[str]) -> None:
    """``sup`` (a footnote's mark) replaced by its note's first ``_FOOTNOTE_WORDS`` words:
    its link, attributes and text go, its tail stays."""
    gist = " ".join(words[:_FOOTNOTE_WORDS]) + (" …" if len(words) > _FOOTNOTE_WORDS else "")
    tail = sup.tail
    sup.clear()
    sup.text, sup.tail = f" [fotnote: {gist}]", tail


def _is_glyph(el: Any, text: str) -> bool:
    """Characters without a letter or digit, hidden from screen readers ("→", "›")."""
    return el.get("aria-hidden") == "true" and not any(c.isalnum() for c in text)


def _is_ligature(el: Any, text: str) -> bool:
    """An icon font's glyph name in an element of an icon class ("download")."""
    return bool(_LIGATURE.fullmatch(text) and _ICON_CLASS.search(el.get("class") or ""))


def _is_label(text: str) -> bool:
    return bool(CONTROL_LABEL.match(text) or NEW_BADGE.match(text))


def _noise_of(main: Any) -> list[Any]:
    """What ``_NOISE_XPATH`` finds under ``main`` (in document order): elements whose
    attribute contains one of the ``_NOISE_DROP`` words (as XPath's contains(): case
    sensitive), with the role "dialog", or hidden from screen readers (``aria-hidden``, for
    ``_hidden_copies``; ``_widgets`` reads their words again)."""
    # the elements with any attribute (``el.keys()``; an XPath of them, *[@*], cost ~1.5x)
    candidates = [el for el in main.iter(etree.Element) if el.keys()]
    if len(candidates) > _NOISE_IN_PYTHON:
        return cast(list[Any], _NOISE_XPATH(main))
    found = []
    for el in candidates:
        if el.get("role") == "dialog" or el.get("aria-hidden") == "true":
            found.append(el)
            continue
        for attribute, words in _NOISE_WORDS.items():
            value = el.get(attribute)
            if value is not None and any(w in value for w in words):
                found.append(el)
                break
    return found


#: libxml2's HTML parsers: comments and processing instructions are left out as the page is
#: read, their tail text joined to the text before them (``<p>Frist <!-- cms --> 4. april</p>``
#: is "Frist 4. april"; kept as nodes, a walk over elements loses the text after them)
_HTML = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
#: ... and one without lxml.html's element classes (``_parse_html(plain=True)``)
_PLAIN_HTML = etree.HTMLParser(remove_comments=True, remove_pis=True)
#: ... the same for UTF-8 bytes (the encoding given: a <meta> charset does not override it)
_PLAIN_UTF8 = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")


def _parse_html(text: str, plain: bool = False, utf8: bytes | None = None) -> Any:
    """lxml's parser first (fast); BeautifulSoup, through lxml's soupparser, for markup that
    libxml2 refuses. An XML declaration (XHTML) is dropped: the text is decoded already.
    ``plain``: an lxml.etree tree (no lxml.html methods), cheaper to walk. ``utf8``: the
    text's own UTF-8 bytes, given to libxml2 as they are (``parse_page``)."""
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        if not plain:
            return lxml.html.document_fromstring(text, parser=_HTML)
        if utf8 is not None:
            root = etree.fromstring(utf8, _PLAIN_UTF8)
        else:
            root = etree.fromstring(text, _PLAIN_HTML)
        if root is None:
            raise etree.ParserError("Document is empty")
        return root
    except (etree.ParserError, ValueError):
        pass
    # imported here: BeautifulSoup and soupsieve cost ~9 MB in every process that parses
    # pages, and libxml2 refuses almost nothing
    from lxml.html import soupparser

    try:
        root = soupparser.fromstring(text)
    except Exception as exc:
        raise SourceProblem(f"the page cannot be parsed as HTML: {exc}") from exc
    return without_comments(root)


def without_comments(root: Any) -> Any:
    """``root`` with its comments and processing instructions taken out, their tail text
    joined to the text before them (what the libxml2 parsers above do as they read)."""
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    return root


def _main_element(root: Any, selector: str | None) -> Any:
    for css in (selector,) if selector else FALLBACK_MAIN:
        found = select(root, css)
        if found:
            if len(found) == 1:
                return found[0]
            wrapper = etree.Element("div")
            wrapper.extend(found)
            return wrapper
    return None


@functools.lru_cache(maxsize=512)
def _compiled(selector: str) -> etree.XPath:
    """A catalogue selector (CSS, or a plain XPath as ``feeds.read.selectors`` admits), compiled."""
    return compile_selector(selector)


def select(root: Any, css: str) -> list[Any]:
    """Elements under ``root`` matching a selector (CSS or plain XPath; compiled once)."""
    found: Any = _compiled(css)(root)
    return list(found)


def drop_elements(root: Any, selectors: Sequence[str]) -> None:
    """Remove the elements matching each CSS selector, keeping their tail text."""
    for css in selectors:
        _drop_found(select(root, css))


def _drop_found(elements: Any) -> None:
    """Remove elements with their content; each one's tail text stays where it was (as
    lxml.html's ``drop_tree``, for any lxml tree): after the nearest sibling before it that
    stays, else at the start of its parent's text.

    The tails are joined once for each element that receives them, parent by parent: given
    one by one, each copied the text gathered so far again (2 MB of ``<script></script>x``
    took 13 s)."""
    gone = set(elements)
    parents: dict[Any, None] = {}
    for el in gone:
        parent = el.getparent()
        if parent is not None:
            parents[parent] = None
    for parent in parents:
        receiver: Any = None  # None: the parent's text
        tails: list[str] = []
        leaving = []
        for child in parent:
            if child in gone:
                leaving.append(child)
                if child.tail:
                    tails.append(child.tail)
                continue
            if tails:
                _receive(parent, receiver, tails)
                tails = []
            receiver = child
        if tails:
            _receive(parent, receiver, tails)
        for child in leaving:
            parent.remove(child)


def _receive(parent: Any, receiver: Any, tails: list[str]) -> None:
    """The tails of dropped elements after ``receiver`` (None: at the start of ``parent``)."""
    if receiver is None:
        parent.text = (parent.text or "") + "".join(tails)
    else:
        receiver.tail = (receiver.tail or "") + "".join(tails)


#: UTF-8 read as Latin-1 or Windows-1252: "ø" as "Ã¸", "Å" as "Ã…", "–" as "â€“", "é" as "Ã©"
_ENCODED_TWICE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€"
)
#: the letters such text stands for, written as they are
_NORWEGIAN_LETTERS = re.compile("[æøåÆØÅ]")
#: a page of at least this many such pairs, more than its letters written as they are, is
#: encoded twice
_ENCODED_TWICE_MIN = 5


def _refuse_encoded_twice(title: str, sections: Sequence[Section]) -> None:
    """A page whose text was encoded as UTF-8 twice ("Meldingspliktige sykdommer" with "Ã¸"
    for "ø" and "â€“" for "–" in every sentence, blind round 145) is a source problem: every
    section would read as changed while no word was, and the site mends it in time. A page
    that quotes such a pair or two among its letters written as they are is read."""
    # "â" alone: a search for "â€" in text of Latin-1 letters took ~170 µs a page of 100 KB
    texts = [title, *(s.text for s in sections)]
    if not any("Ã" in t for t in texts) and not any("â" in t for t in texts):
        return
    text = "\n".join(texts)
    pairs = len(_ENCODED_TWICE.findall(text))
    if pairs >= _ENCODED_TWICE_MIN and pairs > len(_NORWEGIAN_LETTERS.findall(text)):
        raise SourceProblem(
            "the page's text is encoded twice («Ã¸» for «ø», «â€“» for «–»): the site's "
            "character encoding is broken; the last good version is kept until it is mended"
        )


def _refuse_problem_page(title: str, sections: Sequence[Section]) -> None:
    _refuse_encoded_twice(title, sections)
    length = sum(s.length for s in sections)
    if length == 0 and not any(s.path for s in sections):
        raise SourceProblem("the main content is empty")
    if length > _PROBLEM_MAX_CHARS:
        return
    # each heading once, where it first stands: the path of every section repeats its
    # parents' headings (a page of many sections under one long heading made the sample the
    # product of the two)
    seen: set[str] = set()
    parts = [title]
    for section in sections:
        for heading in section.path:
            if heading not in seen:
                seen.add(heading)
                parts.append(heading)
        parts.append(section.text)
    sample = " ".join(parts)
    for pattern in _PROBLEM_PAGES:
        m = pattern.search(sample)
        if m:
            raise SourceProblem(
                f"looks like an error, maintenance or challenge page («{m.group(0)}»)"
            )
    problem = _short_page_problem(parts, sample)
    if not problem and _maintenance_page(title, sections, sample):
        problem = "looks like the site's page of maintenance (the site is down for a time)"
    if problem:
        raise SourceProblem(problem)


def _short_page_problem(parts: Sequence[str], sample: str) -> str:
    """What a short page is in place of the content (its title, headings and texts ``parts``,
    joined in ``sample``): a login page, a consent wall, the site's page of technical
    problems, a notice that the page moved; '' when none of these."""
    if _login_page(parts, sample):
        return "looks like a login page (ID-porten) instead of the content"
    if _consent_wall(parts, sample):
        return "looks like a consent wall instead of the content"
    if _technical_problem_page(sample):
        return "looks like the site's own page of technical problems"
    if _moved_notice(parts):
        return "looks like a notice that the page has moved to a new address"
    if _PARKED_DOMAIN.search(sample):
        return (
            "looks like a parked domain's page (the domain is for sale or has lapsed) instead "
            "of the content; check the source's address"
        )
    if _script_notice(parts):
        return "looks like a notice that the page needs JavaScript instead of the content"
    return ""


#: a registrar's page for a domain that is for sale or has lapsed ("Dette domenet er til
#: salgs!", "Parkert gratis hos …", "Buy this domain", blind round 237: a municipality's old
#: domain let go): the address no longer leads to the source
_PARKED_DOMAIN = re.compile(
    r"\b(?:dette|this) (?:domenet|domain(?: name)?) (?:er|is|kan være|kan vere|may be) "
    r"(?:til sals|til salgs|for sale|parkert|parked)\b|\b(?:kjøp|buy) (?:dette|this) "
    r"(?:domenet|domain)\b|\bparkert (?:gratis )?hos\b|\bdomain (?:is )?parked\b"
    r"|\b(?:this|the) domain (?:has )?expired\b|\bdomenet (?:har )?(?:utløpt|gått ut)\b",
    re.I,
)
#: a notice that the page needs a script to show ("Du må skru på JavaScript for å sjå
#: innhaldet", "Aktiver JavaScript i nettleseren din", "Denne sida krev JavaScript",
#: "JavaScript er slått av", "Please enable JavaScript"): said of the page or the browser
_NEEDS_SCRIPT = re.compile(
    r"\b(?:aktiver|aktivér|aktivere|aktivera|skru på|slå på|tillat|tillate|enable) javascript\b"
    r"|\b(?:sid(?:en|a)|nettsid(?:en|a)|tenesta|tjenesten|applikasjonen) (?:krev(?:er)?"
    r"|trenger|treng) javascript\b|\bjavascript (?:er|is) (?:slått av|skrudd av|deaktivert"
    r"|disabled|required|påkrevd|nødvendig|naudsynt)\b",
    re.I,
)
#: the text of a page besides its script notice's sentences is at most this long (a link to
#: help for the browser): a page of its content with such a notice beside it is read
_SCRIPT_REST = 120


def _script_notice(parts: Sequence[str]) -> bool:
    """Whether a short page is a notice that it needs JavaScript in place of its content:
    it says so (``_NEEDS_SCRIPT``), and its text besides that notice's sentences is short
    (``_SCRIPT_REST``; the page's title is not counted). A page
    whose <noscript> says so is read as ever: <noscript> is never read."""
    said = rest = 0
    for part in parts[1:]:
        for sentence in _SENTENCE_END.split(part):
            if _NEEDS_SCRIPT.search(sentence):
                said += 1
            else:
                rest += len(sentence)
    return said > 0 and rest <= _SCRIPT_REST


#: what a notice that the page moved says of it ("Denne siden har fått ny adresse", "Siden er
#: flyttet", nynorsk "Sida er flytta", "Husk å oppdatere bokmerkene dine"): the page's own
#: move, not a service's ("Legevakta har fått ny adresse" is news)
_MOVED = re.compile(
    r"\b(?:siden|sida|nettsiden|nettsida|artikkelen|innholdet|innhaldet|veilederen"
    r"|rettleiaren|rettleiinga|retningslinjen|retningslinja|rundskrivet|nettstedet|nettstaden)"
    r" (?:har (?:nå |no )?fått (?:ei |en )?ny (?:nett)?adresse|(?:er|har) (?:nå |no )?"
    r"(?:blitt |vorte )?(?:flyttet|flytta))\b|\boppdater[ea]? (?:bokmerkene|bokmerka"
    r"|bokmerket|bokmerke|lenkene|lenkjene) (?:dine|ditt)\b",
    re.I,
)
#: ... where it sends the reader: "Innholdet finner du nå på …", a link's address, "Gå til …",
#: a heading "Ny adresse"
_NEW_PLACE = re.compile(
    r"\b(?:finner du (?:nå|no|her)|finn du (?:no|her|nå)|(?:du )?(?:blir|vert|vil bli) "
    r"(?:sendt|send|videresendt|vidaresend)|gå til|klikk her)\b|https?://|\b[\w-]+\.no/"
    r"|^ny (?:nett)?adresse\W*$",
    re.I,
)
#: a moved notice's own words besides these are no longer than this: anything more is content
_MOVED_OTHER_CHARS = 60
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _moved_notice(parts: Sequence[str]) -> bool:
    """Whether a short page (title, headings and text, ``parts``) is a notice that the page
    has moved, with or without a refresh to the new address: it says so (``_MOVED``), and
    what it says besides, the sentences that say where the content is now (``_NEW_PLACE``)
    aside, is a few words at most. An article that says in a sentence among others that a
    service or a page has a new address is content."""
    sentences = [
        t for part in parts for line in part.splitlines() for t in _SENTENCE_END.split(line)
    ]
    if not any(_MOVED.search(t) for t in sentences):
        return False
    other = sum(
        len(t.strip()) for t in sentences[1:] if not (_MOVED.search(t) or _NEW_PLACE.search(t))
    )  # the title (sentences[0]) is the site's: "Ny adresse", "Helsedirektoratet"
    return other <= _MOVED_OTHER_CHARS


#: the title or the first heading of a site search's results ("Søk", "Søkeresultater",
#: nynorsk "Søkjeresultat", "Resultat for «smittevern»", "Søk etter smittevern"); the title
#: with the site's name after it ("Søk - regjeringen.no")
_SEARCH_HEADING = re.compile(
    r"(?:søk|søkeresultat(?:er)?|søkjeresultat(?:a|ar)?|search(?: results?)?"
    r"|(?:søk|søkje) etter .{1,80}|resultat(?:er|a)? (?:for|på) .{1,80})"
    r"(?:\s*[-–|:]\s*[\w.-]+(?:\.no)?)?",
    re.I,
)
#: ... and a hit count in a line of text ("Viser 1–10 av 1 245 treff", "1 245 treff", "Ingen
#: treff")
_HIT_COUNT = re.compile(
    r"(?:^|\bviser |\bav )\d[\d\s.]*\s?treff\b|^\d{1,3}(?:[ \u00a0.]\d{3})*\s?treff\b"
    r"|\bingen treff\b|\bfant (?:ingen|\d[\d\s.]*) treff\b|\bfann (?:ingen|\d[\d\s.]*) treff\b",
    re.I | re.M,
)
#: the characters of text at the start of the content looked at for a hit count: it stands
#: under the search's heading
_SEARCH_TEXT_CHARS = 3000


def _search_results(title: str, main: Any) -> bool:
    """Whether a page is a site search's results page: its title or its first heading is a
    search page's (``_SEARCH_HEADING``) and the start of its content gives a hit count
    (``_HIT_COUNT``, looked for before noise lines go: "12 treff" alone is one). A page that
    links to the search, or says in a sentence how many hits a search gave, is content.
    Looked at on a page of any length (ten hits with teasers are long)."""
    heading = next(main.iter(*HEADINGS), None)
    first = clean_text(_text_of(heading)) if heading is not None else ""
    if not any(_SEARCH_HEADING.fullmatch(t) for t in (title.strip(), first) if t):
        return False
    texts, size = [], 0
    for chunk in main.itertext():
        texts.append(chunk)
        size += len(chunk)
        if size > _SEARCH_TEXT_CHARS:
            break
    return bool(_HIT_COUNT.search("\n".join(t.strip() for t in texts)))


#: the title or a heading of a login page, as a whole ("Logg inn", "ID-porten", "Innlogging
#: - ID-porten"): an article about logging in names more ("Logg inn på helsenorge.no")
_LOGIN_HEADING = re.compile(
    r"(?:logg inn|logg på|innlogging|log in|sign in|id-porten)(?:\s*[-–|:]\s*"
    r"(?:id-porten|logg inn|innlogging|log in))?",
    re.I,
)
#: a login page's choice of electronic ID ("Vel innloggingsmetode", "Velg elektronisk ID")
_LOGIN_CHOICE = re.compile(
    r"\b(?:velg|vel) (?:innloggingsmetode|innloggingsmåte|elektronisk id|e-id|eid)\b", re.I
)
_EIDS = re.compile(r"\b(minid|bankid|buypass|commfides)\b", re.I)


def _login_page(parts: Sequence[str], sample: str) -> bool:
    """Whether a short page is a login page (ID-porten's, a redirect followed to it): its
    title or a heading is a login heading alone (``_LOGIN_HEADING``), and it offers a choice
    of electronic ID (``_LOGIN_CHOICE``, or two of MinID, BankID, Buypass and Commfides) or
    says the content is for those who log in (``_LOGIN_ONLY``).
    An article that mentions ID-porten, or says "Logg inn på helsenorge.no", is content."""
    short = [part.strip() for part in parts if len(part) <= 40]
    if not any(_LOGIN_HEADING.fullmatch(part) for part in short):
        # "Logg inn på Helsenorge" is a login page only where it says the page is behind it
        return any(_LOGIN_NAMED.fullmatch(part) for part in short) and bool(
            _LOGIN_TO_SEE.search(sample)
        )
    if _LOGIN_CHOICE.search(sample) or _LOGIN_ONLY.search(sample) or _LOGIN_TO_SEE.search(sample):
        return True
    return len({m.lower() for m in _EIDS.findall(sample)}) >= 2


#: a login heading that names the site ("Logg inn på Helsenorge"), and a page's word that it
#: is behind the login ("For å sjå denne sida må du logge inn med ID-porten", blind round 302)
_LOGIN_NAMED = re.compile(r"(?:logg inn|logg på) på [\w.-]{2,30}", re.I)
_LOGIN_TO_SEE = re.compile(
    r"\bfor å (?:se|sjå|lese|lesa|få tilgang til) (?:denne sid(?:en|a)|sid(?:en|a)|innholdet"
    r"|innhaldet|dette innholdet|dette innhaldet)[^.]{0,20}? må du (?:logge|logga) (?:inn|på)\b",
    re.I,
)


#: under a login heading, what says the content is kept for those who log in ("Denne siden er
#: bare tilgjengelig for ansatte", "Glemt passord?", blind rounds 161 and 163): its form went
#: with the page's forms
_LOGIN_ONLY = re.compile(
    r"\b(?:bare|berre|kun) (?:tilgjengelig|tilgjengeleg) for (?:innlogg\w*|ansatte|tilsette"
    r"|medlemmer|medlemer|brukere|brukarar|registrerte)\b|\b(?:glemt|gløymt) passord(?:et)?\b",
    re.I,
)


#: the title or a heading of a consent wall, as a whole: it asks to decide before reading on
#: ("Før du fortsetter", nynorsk "Før du held fram", "Vi trenger ditt samtykke")
_CONSENT_HEADING = re.compile(
    r"(?:før du (?:fortsetter|fortset|held fram|går videre|går vidare|leser videre"
    r"|les vidare)|(?:vi )?(?:trenger|treng) (?:ditt samtykke|samtykket ditt|samtykke)"
    r"|(?:ditt )?samtykke til (?:bruk av )?(?:informasjonskapsler|informasjonskapslar|cookies))"
    r"\s*[.!?:]?",
    re.I,
)
#: ... and its request: consent asked for cookies or personal data ("Vi og våre partnere
#: trenger ditt samtykke til bruk av informasjonskapsler", nynorsk "treng samtykket ditt")
_CONSENT_ASK = re.compile(
    r"\b(?:trenger|treng|trengs|behøver|ber om|spør om|må ha)\s(?:ditt |di |eit |et )?"
    r"samtykke(?:t ditt|t)?\b[^.]{0,120}?(?:informasjonskapsl|cookies|persondata"
    r"|personopplysning|sporing)",
    re.I,
)


def _consent_wall(parts: Sequence[str], sample: str) -> bool:
    """Whether a short page is a consent wall in place of the content: its title or a heading
    is a consent wall's alone (``_CONSENT_HEADING``), and it asks consent to cookies or
    personal data (``_CONSENT_ASK``); its buttons ("Godta alle", "Avvis alle") are no text.
    An article that says a patient's consent is needed, or a page about the site's cookies,
    is content."""
    if not any(_CONSENT_HEADING.fullmatch(part.strip()) for part in parts if len(part) <= 60):
        return False
    return bool(_CONSENT_ASK.search(sample) or _CONSENT_DECIDE.search(sample))


#: ... or its word that the reader must decide before reading on ("Du må ta stilling til
#: bruken før du kan lese innholdet", blind round 302; the sentence on the cookies before it
#: is dropped as a cookie banner's)
_CONSENT_DECIDE = re.compile(r"\bmå (?:du )?ta stilling til\b[^.]{0,60}?\bfør du\b", re.I)


#: the site's own word of its technical problems ("Akkurat nå har vi tekniske problemer",
#: nynorsk "Vi har tekniske problem"), said of nothing in particular: "Vi har tekniske
#: problemer med telefonen" names what fails, and is a notice of content
_TECHNICAL_PROBLEM = re.compile(
    r"\b(?:vi har|har vi) (?:dessverre |for (?:tiden|tida|øyeblikket|augneblinken) "
    r"|akkurat (?:nå|no) )?tekniske? (?:problem(?:er)?|feil)\b(?!\s*(?:med|på|i|hos|ved)\b)",
    re.I,
)
#: ... and what such a page asks or says of itself: try again, the page is not available
_TRY_AGAIN = re.compile(
    r"\bprøv (?:igjen|på nytt)\b|\b(?:siden|sida)\b[^.]{0,80}?\b(?:er )?(?:ikke|ikkje) "
    r"(?:tilgjengelig|tilgjengeleg)\b",
    re.I,
)


#: an error notice's own words ("Feil ved henting av innhold", "Det oppstod en feil", "Noe gikk
#: galt", "Error"): what a generator writes in place of its items (``error_notice``)
_ERROR_WORDS = re.compile(
    r"^(?:error|feil)\b|\b(?:det (?:oppstod|oppsto|skjedde) (?:en|ein) feil|noe gikk galt"
    r"|noko gjekk gale|internal server error|an error occurred)\b",
    re.I,
)


def error_notice(text: str) -> bool:
    """Whether a short text (a feed item's title and text) is an error notice in place of the
    content: it says an error happened and asks to try again (a feed generator's "Feil ved
    henting av innhold. Det oppstod en feil ... Prøv igjen senere.", blind round 213). News of
    an error that asks nothing of the reader is content."""
    return bool(_ERROR_WORDS.search(text) and (_TRY_AGAIN.search(text) or _LATER.search(text)))


#: "try again later" however it is said
_LATER = re.compile(r"prøv igjen (?:senere|seinare)|try again later", re.I)


def _technical_problem_page(sample: str) -> bool:
    """Whether a short page is the site's own page of technical problems, in its normal
    layout: it says "we have technical problems" of nothing in particular
    (``_TECHNICAL_PROBLEM``) and asks to try again or says the page is not available
    (``_TRY_AGAIN``). An article about a municipality's technical problems with its journal
    system, or a notice that the phone has problems, is content."""
    return bool(_TECHNICAL_PROBLEM.search(sample) and _TRY_AGAIN.search(sample))


#: the site or its pages said to be down, now or for a time ("Nettstedet er midlertidig
#: utilgjengelig", "Nettsidene våre vil være utilgjengelige", nynorsk "Statsforvaltaren sine
#: nettsider er utilgjengelege", "Sida er mellombels stengd"): said of the site, not of what
#: it tells of ("Journalsystemet er nede", "Heisen er stengt under vedlikehold")
_SITE_DOWN = re.compile(
    r"\b(?:nettsted(?:et)?|nettstad(?:en)?|nettsid(?:e|a|en|er|ene)|heimesid(?:e|a|ene)"
    r"|hjemmesid(?:e|en|er|ene)|sid(?:en|a|ene)"
    # ... or the site by its address ("fhi.no er utilgjengelig", blind round 160)
    r"|[a-z0-9][a-z0-9-]{0,40}(?:\.[a-z0-9-]{1,40}){0,3}\.(?:no|com|org|net))"
    r"(?: (?:våre|vår|vårt))?"
    r" (?:er|vil (?:være|vere)|blir|vert|kan (?:være|vere)) (?:(?:dessverre|midlertidig"
    r"|mellombels|nå|no|heilt|helt) )*(?:utilgjengelig(?:e)?|utilgjengeleg(?:e)?|nede"
    r"|stengt|stengd|(?:ikke|ikkje) tilgjengelig(?:e)?|(?:ikke|ikkje) tilgjengeleg(?:e)?)\b",
    re.I,
)
#: maintenance (bokmål "vedlikehold", nynorsk "vedlikehald", "oppgradering") of nothing named:
#: "vedlikehold av ventilasjonsanlegget" is a guide's subject, "Vedlikeholdsbehandling" a
#: treatment
_MAINTENANCE = re.compile(
    r"\b(?:vedlikehold|vedlikehald|oppgradering|systemoppgradering)\b(?!\s+av\b)",
    re.I,
)
#: the title of a maintenance page, alone or with the site's name ("Planlagt vedlikehald",
#: "Vedlikehold pågår - FHI", "Nettstedet er nede for vedlikehold", "Midlertidig
#: utilgjengelig | Helsedirektoratet")
_MAINTENANCE_TITLE = re.compile(
    r"(?:(?:(?:planlagt|planlagd) )?(?:vedlikehold|vedlikehald|oppgradering)"
    r"(?: (?:pågår|held på|på nettstedet|på nettstaden))?"
    r"|(?:midlertidig|mellombels) (?:utilgjengelig|utilgjengeleg|nede|stengt|stengd)"
    r"|.{0,40}\b(?:nede|utilgjengelig|utilgjengeleg|stengt|stengd) (?:for|grunna"
    r"|på grunn av) (?:planlagt |planlagd )?(?:vedlikehold|vedlikehald))"
    r"(?: ?[-–|:] ?[^.!?]{1,60})?",
    re.I,
)
#: a maintenance page's text besides its notice (an apology, a phone number for what is
#: urgent) is at most this long: a page of its content with a notice of maintenance is read
_MAINTENANCE_REST = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _maintenance_page(title: str, sections: Sequence[Section], sample: str) -> bool:
    """Whether a short page is the site's page of maintenance in place of the content: it
    says the site is down (``_SITE_DOWN``) and speaks of maintenance (``_MAINTENANCE``), and
    the notice is the page: its title is a maintenance page's (``_MAINTENANCE_TITLE``; a
    heading is not enough: a notice box has its own), or its text besides the notice's
    sentences is short (``_MAINTENANCE_REST``). A page of its content that announces
    maintenance in a box, "Planlagt vedlikehold: Nettsidene er utilgjengelige lørdag kl.
    22-06", or a guide to the maintenance of a ventilation system, is content."""
    if not _SITE_DOWN.search(sample) or not _MAINTENANCE.search(sample):
        return False
    if _MAINTENANCE_TITLE.fullmatch(clean_text(title)):
        return True
    rest = 0
    for section in sections:
        for sentence in _SENTENCE_END.split(section.text):
            if not _SITE_DOWN.search(sentence) and not _MAINTENANCE.search(sentence):
                rest += len(sentence)
    return rest <= _MAINTENANCE_REST


#: no publisher date line is longer than this
_SIGNAL_MAX = 240
#: a photo credit alone on a line is no longer than this
_CREDIT_MAX = 80
#: a photo's or an illustration's credit ("Foto: NTB", "Illustrasjon: Colourbox", nynorsk
#: "Bilete: Ole Hansen / NTB", "Foto/ill.: iStock"): its label, and names after it
_CREDIT = re.compile(
    r"(?:foto|fotograf|bilde|bilete|illustrasjon|illustrasjonsfoto|ill\."
    r"|foto ?/ ?ill(?:\.|ustrasjon)|foto og illustrasjon)\s?:\s?(.{2,60})",
    re.I,
)
_WEB_NAME = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|no|net|org)")
#: the small words between the names of a credit ("Ole Hansen for NTB", "Kari Nordmann og NTB")
_CREDIT_JOINS = frozenset({"og", "for", "via", "/", "&", "-", "–", ",", "i", "fra", "frå", "ved"})
#: the common nouns of an owner's name after a name ("Gjøvik kommune", "Kvam herad", "Helse
#: Bergen helseforetak"), and "privat" ("Foto: privat": the person's own photo)
_CREDIT_NOUNS = frozenset({
    "kommune", "herad", "fylkeskommune", "sykehus", "sjukehus", "universitetssykehus",
    "helseforetak", "legevakt", "privat",
})  # fmt: skip


def _is_credit(line: str) -> bool:
    """Whether a line is a photo or illustration credit alone (``_CREDIT``): each word after
    its label a name (a capital letter in it, or a web address: "NTB", "iStock",
    "colourbox.com") or a small word between names. Where the credit changes, the photo
    did, which is decoration; a caption that says something ("Foto: Utslett ved
    meslinger"), or a sentence that names a photographer, is read."""
    if line[:1] not in "FfBbIi":
        return False
    m = _CREDIT.fullmatch(line)
    if m is None:
        return False
    words = m.group(1).replace("/", " / ").replace(",", " , ").split()
    return all(
        w.lower() in _CREDIT_JOINS
        or any(c.isupper() for c in w)
        or _WEB_NAME.fullmatch(w)
        or (w.lower() in _CREDIT_NOUNS and (i > 0 or w.lower() == "privat"))
        for i, w in enumerate(words)
    )


#: a credit after a caption's last sentence ("Helseministeren i samtale med legevaktlegen.
#: Foto: Torbjørn Tandberg / HOD"), looked for in the line's last ``_CREDIT_MAX`` characters
_CREDIT_TAIL = re.compile(
    r"(?<=[.!?])\s+((?:foto|fotograf|bilde|bilete|illustrasjon|illustrasjonsfoto|ill\.)\s?:.*)$",
    re.I,
)


def _without_credit(line: str) -> str:
    """A caption's line without the photo credit after its last sentence (blind round 50):
    the credit changes with the photo, which is decoration; the caption is read. Only a
    credit alone after the sentence (``_is_credit``): "Foto: Utslett ved meslinger" stays."""
    tail = line[-_CREDIT_MAX - 2 :]
    if ":" not in tail:
        return line
    m = _CREDIT_TAIL.search(tail)
    if m is None or not _is_credit(m.group(1)):
        return line
    return line[: len(line) - len(tail) + m.start()]


#: what separates the labelled fields of an article's line of facts ("Rundskriv | Dato:
#: 12.11.2026 | Sist oppdatert: 01.12.2026")
_FIELD_SPLIT = re.compile(r"\s+[|·–]\s+")
#: a field of such a line that is no date: "Label: value" (a label of up to three words) or a
#: word or two ("Rundskriv", "Pressemelding")
_FIELD = re.compile(
    # a label of up to six words ("Basert på SPC godkjent av DMP/EMA: 20.11.2025", blind round
    # 165) and its value
    r"[^\W\d][\w.-]*(?: [\w./-]+){0,5}\s?:\s?[^:]{1,60}|[^\W\d][\w-]*(?: [\w-]+)?"
    # ... a link to an act at Lovdata with the act cited after it ("Tidligere versjoner
    # (FOR-2005-06-17-610)", ``_cite_regulation``, blind round 190)
    r"(?: \((?:FOR|LOV)-\d{4}-\d{2}-\d{2}-\d+\))?"
    # ... or a name joined by a suspended hyphen ("Helse- og omsorgsdepartementet", blind
    # round 128)
    r"|[^\W\d]\w*- (?:og|eller) \w+"
    # ... or an e-mail address ("postmottak@kommune.no", blind round 120)
    r"|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}"
)


#: the first day of a span of days ("1.–2. desember 2026" is a date once "1.–" goes)
_DAY_SPAN = re.compile(r"^\d{1,2}\.?\s?[–-]\s?(?=\d)")

#: a byline's field beside a relative time: names, a role, no sentence ("Kari Nordmann,
#: kommuneoverlege")
_BYLINE_FIELD = re.compile(r"[^\W\d][^.!?:]{0,79}")


def _without_change_dates(line: str, found: list[date]) -> str:
    """A line of labelled fields without its change dates: where a line split at " | ", " · "
    or " – " is fields only (``_FIELD``, or a date line of its own, ``is_signal_line``) and
    one of them announces a change date ("Sist oppdatert: 01.12.2026", ``signal_dates``),
    those go (their dates into ``found``), as a date line of its own goes: "Rundskriv |
    Dato: 12.11.2026 | Sist oppdatert: 01.12.2026" reads "Rundskriv | Dato: 12.11.2026". A
    print or export time goes the same way, without a date for ``found`` (``is_print_field``:
    "Kunngjort 01.03.2026 · Utskrift 05.12.2026 kl. 14.22" reads "Kunngjort 01.03.2026"); a
    field may also be a short label and its date (``is_dated_field``), or a date alone. A time
    relative to now goes too (``is_relative_time_field``), ahead of now as well, beside fields
    of a byline's names or a place (``_BYLINE_FIELD``): "Kommuneoverlegen · for 3 timar
    sidan" reads "Kommuneoverlegen", "16. mars 2027 · Bergen · om 130 dagar" reads "16. mars
    2027 · Bergen". A
    sentence that says when it was last updated, or how long ago, is read as it is."""
    parts = _FIELD_SPLIT.split(line)
    if len(parts) < 2:
        return line
    dates: list[date] = []
    kept: list[int] = []
    printed = relative = bylines = False
    for i, part in enumerate(parts):
        if is_signal_line(part) and (said := signal_dates(part)):
            dates.extend(said)
        elif is_print_field(part):
            printed = True
        elif is_relative_time_field(part):
            relative = True
        elif (
            _FIELD.fullmatch(part)
            or is_signal_line(part)
            or is_dated_field(part)
            or is_date_only(_DAY_SPAN.sub("", part, count=1))
        ):
            kept.append(i)
        elif _BYLINE_FIELD.fullmatch(part):
            bylines = True
            kept.append(i)
        else:
            return line
    if (bylines and not relative) or not (dates or printed or relative):
        return line
    found.extend(dates)
    # the kept fields as they stood, each after the separator before it
    separators = _FIELD_SPLIT.findall(line)
    return "".join(f"{separators[i - 1] if n else ''}{parts[i]}" for n, i in enumerate(kept))


#: a line this long printed twice in a row is printed twice (FHI's lead), not said twice; the
#: same line elsewhere in its section is said again (a warning under each of two drugs), and
#: kept: dropped, its removal from one place would go unseen
_REPEAT_MIN = 40
#: a line of ``_REPEAT_MIN`` or more characters printed this many times in a row is a page
#: whose template loops (a page padded to 5 MB with one paragraph), not one an author wrote:
#: a source problem, the last good version kept. On the pages we watch such a line stands
#: at most twice in a row (every fixture, sample and bench page, 2026-12-06).
MAX_REPEATS = 1000


#: sections built at once (``_SectionBuilder``): their noise phrases are looked for once
_CLEAN_CHUNK = 64


class _Unbuilt(NamedTuple):
    """A section ended and cleaned, not yet built (``_SectionBuilder``)."""

    path: tuple[str, ...]
    source: str  # the raw digest (``Section.source``)
    kinds: list[int]
    lines: list[str]  # cleaned


class _SectionBuilder:
    """Collects the walk's headings and lines into sections: noise out, publisher dates kept
    apart, a line printed twice in a row (a lead) once, noise sections (press contacts,
    related links) skipped to the next heading of their level.

    A section's raw lines are collected first and digested (``Section.source``); a section of
    ``reuse`` with the same path and digest is taken over instead of cleaning every line
    again. Sections are independent of each other (the repeat check, a pending date label
    and the signals are per section), which is what makes the reuse exact.

    The other sections' lines are cleaned as each one ends, and built up to ``_CLEAN_CHUNK``
    at a time: the noise phrases that may occur in them are looked for once in all their
    lines (``noise_phrases``; a phrase that may occur in any of them is looked for in each of
    their lines, which ``strip_noise`` does line by line anyway: the same lines), ~30 % of
    that look where each section was looked at alone (a fifth of a first read of a page)."""

    def __init__(self, noise: re.Pattern[str] | None, reuse: Sequence[Section] = ()) -> None:
        self.noise = noise
        self.salt = noise.pattern if noise is not None else ""
        self.reuse = {(s.path, s.source): s for s in reuse if s.source}
        self.path: list[tuple[int, str]] = []
        # the current section's raw lines: their kinds (0 a line, -1 a <ul> item) and texts
        self.kinds: list[int] = []
        self.texts: list[str] = []
        # the sections ended and not yet built, in page order: a section taken over, or the
        # path, digest, kinds and cleaned lines of one to build (``_build``)
        self.ended: list[Section | _Unbuilt] = []
        self.unbuilt = 0  # of them, those to build
        self.lines: list[str] = []
        #: the open items of the list being read: (depth in the markup, depth read at)
        self.depths: list[tuple[int, int]] = []
        self.last = ""  # the line added last to the section being built
        self.repeats = 0  # how many times in a row it came again
        self.skip_level = 0  # inside a noise section of this heading level (0: no)
        self.signals: list[str] = []  # ISO dates, page-wide
        self.out: list[Section] = []
        #: the tables whose rows may come in any order, not yet found in a section's lines
        #: (``_sortable_tables``)
        self.tables: list[_Sortable] = []

    def feed(self, level: int, text: str) -> None:
        if level > 0:
            heading = clean_text(text)
            if len(heading) <= MAX_HEADING_CHARS:
                self._heading(level, heading)
                return
            level = 0  # longer than any heading: text set as one (``MAX_HEADING_CHARS``)
        if not self.skip_level:
            self.kinds.append(level)
            self.texts.append(text)

    def _heading(self, level: int, heading: str) -> None:
        if not heading:
            return
        if self.skip_level and level > self.skip_level:
            return
        self._close()
        self.path = [(lvl, h) for lvl, h in self.path if lvl < level]
        # a page's own title (h1) names what the page is, never furniture: a department's
        # news page headed "Nyheiter frå Helse- og omsorgsdepartementet" is read
        self.skip_level = level if level > 1 and NOISE_HEADINGS.match(heading) else 0
        if not self.skip_level:
            self.path.append((level, heading))

    def _close(self) -> None:
        kinds, texts = self.kinds, self.texts
        if not texts:
            return
        self.kinds, self.texts = [], []
        path = tuple(h for _, h in self.path)
        joined = "\x00".join(texts)  # lxml text never holds NUL: an exact separator
        latin = latin1(joined)  # the digest's bytes and ``clean_joined``'s, when it fits
        source = _raw_digest(kinds, joined, self.salt, latin)
        known = self.reuse.get((path, source))
        if known is not None:
            self.ended.append(known)
        else:
            self.ended.append(_Unbuilt(path, source, kinds, clean_joined(texts, joined, latin)))
            self.unbuilt += 1
        if self.unbuilt >= _CLEAN_CHUNK or len(self.out) + len(self.ended) > MAX_SECTIONS:
            # (near the limit each section is built as it ends: the page is refused at the
            # section that passes it, as the walk reaches it)
            self._build_ended()

    def _build_ended(self) -> None:
        """Build the sections ended so far, in page order (``_CLEAN_CHUNK``)."""
        ended, unbuilt = self.ended, self.unbuilt
        self.ended, self.unbuilt = [], 0
        # the noise phrases looked for in the lines of them all, only where those lines hold
        # their guard (``noise_phrases``); none when every section was taken over
        phrases = noise_phrases(
            "\x00".join("\x00".join(e.lines) for e in ended if isinstance(e, _Unbuilt))
        ) if unbuilt else ()  # fmt: skip
        for entry in ended:
            if isinstance(entry, _Unbuilt):
                self._build(entry, phrases)
            else:
                self._append(entry)
                self.signals.extend(entry.signals)

    def _build(self, unbuilt: _Unbuilt, phrases: Sequence[tuple[str, re.Pattern[str]]]) -> None:
        """A section from its cleaned lines: publisher dates apart, noise out."""
        path, source, kinds, lines = unbuilt
        found: list[date] = []
        label = ""  # a date label waiting for its date on the next line (<dt>/<dd>)
        for level, line in zip(kinds, lines, strict=True):
            if not line:
                continue
            if label:
                labelled = f"{label} {line}"
                if is_signal_line(labelled):
                    found.extend(signal_dates(labelled))
                    label = ""
                    continue
                self._add(0, label, phrases)
                label = ""
            if len(line) <= _SIGNAL_MAX:  # date lines are short: long paragraphs skip the regexes
                if is_signal_label(line):
                    label = line
                    continue
                if is_signal_line(line):
                    found.extend(signal_dates(line))
                    continue
                if "|" in line or "·" in line or "–" in line:
                    line = _without_change_dates(line, found)
                if len(line) <= _CREDIT_MAX and _is_credit(line):
                    continue
            self._add(level, _without_credit(line), phrases)
        if label:
            self._add(0, label, phrases)
        signals = tuple(sorted({d.isoformat() for d in found}))
        self.signals.extend(signals)
        if self.lines:
            tables, ragged = self._tables_in(self.lines) if self.tables else ((), ())
            self._append(Section(path, "\n".join(self.lines), source, signals, tables, ragged))
        self.lines = []
        self.last, self.repeats = "", 0

    def _tables_in(
        self, lines: list[str]
    ) -> tuple[tuple[tuple[int, int, int], ...], tuple[tuple[int, tuple[int, ...]], ...]]:
        """Where the sortable tables not yet found stand in a section's ``lines``
        (``Section.tables``, and those with empty cells ``Section.ragged``); those found are
        found."""
        found: list[tuple[int, int, int]] = []
        ragged: list[tuple[int, tuple[int, ...]]] = []
        left: list[_Sortable] = []
        start = 0
        for table in self.tables:
            at = _run_at(lines, table.lines, start)
            if at is None:
                left.append(table)
            else:
                if table.counts:
                    ragged.append((at, table.counts))
                else:
                    found.append((at, table.width, len(table.lines) // table.width))
                start = at + len(table.lines)
        self.tables = left
        return tuple(found), tuple(ragged)

    def _append(self, section: Section) -> None:
        """Add a finished section; past ``MAX_SECTIONS`` the page is refused at once, in the
        walk (``_walk`` is a generator: the rest of the page is never walked nor cleaned)."""
        self.out.append(section)
        if len(self.out) > MAX_SECTIONS:
            raise SourceProblem(
                f"the main content has more than {MAX_SECTIONS} sections: set a narrower "
                "content selector for this source in the catalogue"
            )

    def _add(self, level: int, line: str, phrases: Sequence[tuple[str, re.Pattern[str]]]) -> None:
        line = strip_noise(line, self.noise, phrases)
        if not line:
            return
        # short lines (table cells, "Ja") repeat legitimately, even in a row
        if len(line) >= _REPEAT_MIN and line == self.last:
            self.repeats += 1
            if self.repeats >= MAX_REPEATS:
                raise SourceProblem(
                    f"the page prints one paragraph more than {MAX_REPEATS} times in a row (its "
                    "template seems to loop); it is not read, the last good version is kept"
                )
            return
        self.last, self.repeats = line, 0
        if level >= 0:
            self.lines.append(line)
            return
        self.lines.append(ITEM_MARKS[self._depth(-level) - 1] + line)

    def _depth(self, raw: int) -> int:
        """The depth an item is read at: one below the item above it that is less deep in
        the page, so a list wrapped in an item of its own with no words (a CMS's
        indentation) reads as the list it holds, whatever its depth in the markup."""
        open_ = self.depths
        if not self.lines or not depth_of(self.lines[-1]):
            open_.clear()  # a line of text (or none) before it: a new list
        while open_ and open_[-1][0] > raw:
            open_.pop()
        if open_ and open_[-1][0] == raw:
            return open_[-1][1]
        depth = min(open_[-1][1] + 1, len(ITEM_MARKS)) if open_ else 1
        open_.append((raw, depth))
        return depth

    def finish(self) -> list[Section]:
        self._close()
        self._build_ended()
        return self.out


def _run_at(lines: Sequence[str], run: Sequence[str], start: int) -> int | None:
    """Where ``run`` stands in ``lines``, from ``start`` on; None where it does not."""
    first, n = run[0], len(run)
    for at in range(start, len(lines) - n + 1):
        if lines[at] == first and lines[at : at + n] == run:
            return at
    return None


class _Sortable(NamedTuple):
    """A table whose rows may come in any order (``_sortable_tables``)."""

    width: int  # cells a row
    lines: list[str]  # the rows' cells as the section's lines read them, row after row
    #: where some cells are empty (read as no line): each row's lines; () when none is
    counts: tuple[int, ...] = ()


#: the header of a first column that orders the rows: a rank, a step, a priority
_ORDER_HEADER = re.compile(
    r"^(?:#|nr\.?|n[or]\.|rang\w*|rank\w*|plass\w*|rekkefølg\w*|prioritet\w*|trinn|steg"
    r"|order|step)$",
    re.I,
)
#: a cell that holds one of these is read line by line, as the walk reads it
_CELL_BLOCKS = BLOCKS | HEADING_SET
#: ... of which these stand in a table's cells only (a table with none has one line a cell)
_IN_CELLS = tuple(_CELL_BLOCKS - {"table", "caption", "tr", "td", "th"})


def _sortable_tables(main: Any) -> list[_Sortable]:
    """The tables under ``main`` whose rows may come in any order: a header row (in <thead>,
    or a first row of <th> cells) over at least two rows of as many cells, each cell one line
    of text, none spanning rows or columns, no table in a table, and no first column that
    orders the rows (``_ORDER_HEADER``, or numbers counting up one by one: steps). The rows'
    order is then the CMS's or the sort the reader chose, and a re-sort says nothing
    (``Section.tables``). A table is looked for in the sections' lines as the builder reads
    them; one that does not read there as its cells (noise in a cell) is not found."""
    found = []
    for table in main.iter("table"):
        sortable = _sortable(table)
        if sortable is not None:
            found.append(sortable)
    return found


def _sortable(table: Any) -> _Sortable | None:
    if (
        next(table.iterdescendants("table"), None) is not None
        or next(table.iterancestors("table"), None) is not None
    ):
        return None
    rows = list(table.iter("tr"))
    if len(rows) < 3:
        return None
    header = list(rows[0].iterchildren("th", "td"))
    in_head = rows[0].getparent().tag == "thead"
    if len(header) < 2 or not (in_head or all(c.tag == "th" for c in header)):
        return None
    if _ORDER_HEADER.match(clean_text(_text_of(header[0]))):
        return None
    body = [r for r in rows[1:] if r.getparent().tag not in ("thead", "tfoot")]
    if len(body) < 2 or _SPANNING(table):
        return None
    # a cell's text in one call, but in a table whose cells hold blocks (read line by line)
    blocks = next(table.iter(*_IN_CELLS), None) is not None
    read = _cell_line if blocks else _cell_text
    rows_read: list[list[str]] = []
    for row in body:
        cells = list(row.iterchildren("td", "th"))
        if len(cells) != len(header):
            return None
        rows_read.append([read(cell) for cell in cells])
    firsts = [row[0] for row in rows_read]
    if all(f.isdigit() for f in firsts) and all(
        int(b) == int(a) + 1 for a, b in itertools.pairwise(firsts)
    ):
        return None  # numbered steps
    lines = [cell for row in rows_read for cell in row if cell]
    if len(lines) == len(header) * len(rows_read):
        return _Sortable(len(header), lines)
    # empty cells, or cells of several lines (read as '' by ``_cell_line``: blind round 92's
    # schedule, "Difteri ...<br>Pneumokokksykdom"): its rows are found by their first cells,
    # which must be one line each, all different, and stand nowhere else in it
    if blocks:
        return _sortable_by_lines(body, len(header))
    if not all(firsts):
        return None
    return _by_first_lines([[cell for cell in row if cell] for row in rows_read], len(header))


def _sortable_by_lines(body: list[Any], width: int) -> _Sortable | None:
    """A sortable table (``_sortable``) whose cells hold blocks, read line by line as the walk
    reads them: each row its lines, its first cell one line."""
    rows: list[list[str]] = []
    for row in body:
        cells = [_block_lines(cell) for cell in row.iterchildren("td", "th")]
        if len(cells[0]) != 1:
            return None
        rows.append([line for cell in cells for line in cell])
    return _by_first_lines(rows, width)


def _by_first_lines(rows: list[list[str]], width: int) -> _Sortable | None:
    """A sortable table whose rows hold other numbers of lines (``_Sortable.counts``), each
    row found by its first line: all different, and standing nowhere else in the table."""
    firsts = [row[0] for row in rows]
    if len(set(firsts)) != len(firsts) or set(firsts) & {x for row in rows for x in row[1:]}:
        return None
    return _Sortable(width, [line for row in rows for line in row], tuple(map(len, rows)))


#: a cell that spans rows or columns (its row's cells depend on the rows around it)
_SPANNING = etree.XPath(
    "boolean(descendant::*[(@rowspan and normalize-space(@rowspan) != '1')"
    " or (@colspan and normalize-space(@colspan) != '1')])"
)


def _cell_text(cell: Any) -> str:
    """The text of a cell that holds no block (most hold no element at all)."""
    return clean_text(cell.text or "" if len(cell) == 0 else _text_of(cell))


def _cell_line(cell: Any) -> str:
    """A cell's text as the one line the walk reads of it; '' when it reads as none or more."""
    if any(el.tag in _CELL_BLOCKS for el in cell.iterdescendants(etree.Element)):
        lines = _block_lines(cell)
        return lines[0] if len(lines) == 1 else ""
    return clean_text(_text_of(cell))


def _raw_digest(kinds: list[int], joined: str, salt: str, latin: bytes | None) -> str:
    """What a section is built from: its raw lines with their kinds, and the noise rules
    (``joined``: the lines joined by NUL; ``latin``: its Latin-1 bytes, None when it holds
    another character). SHA-256: with the CPU's SHA instructions ~1.7x faster here than
    BLAKE2b, which it replaced; a text that fits in Latin-1 is hashed as its Latin-1 bytes
    (a copy, where UTF-8 must encode each character: ~3x cheaper), marked apart from UTF-8.
    (A digest made another way only means that the first check after an upgrade builds
    each section again.)"""
    h = hashlib.sha256(salt.encode())
    h.update(b"\x00L" if latin is not None else b"\x00U")
    h.update(repr(kinds).encode())
    h.update(latin if latin is not None else joined.encode())
    return h.hexdigest()[:32]


#: walk events: level > 0 a heading of that level, 0 a line, -1 an unordered-list item
Event = tuple[int, str]


#: what the walk does at an element, by tag (``_walk``): an inline element adds its text to
#: the line; a block ends the line before it and its own; a heading is an event of its own; a
#: list item is a block that sets the kind of its lines
_INLINE, _BLOCK, _HEADING, _ITEM = 0, 1, 2, 3
#: ... and an element inside a heading does nothing (the heading's text is taken whole)
_INSIDE = 4
_ROLES: dict[str, int] = {
    **dict.fromkeys(BLOCKS, _BLOCK),
    **dict.fromkeys(HEADINGS, _HEADING),
    "li": _ITEM,
}
#: stands for the parent of the end of the walk: every element still open is closed
_END = object()


def _ul_item(items: list[int]) -> int:
    """The kind of an item of a <ul>: -1, -2 inside another list item (a sub-item), -3 inside
    two, and so on (read at depths 1-3: ``_SectionBuilder._depth``)."""
    return -1 - len(items)


def _walk(main: Any) -> Iterator[Event]:  # noqa: C901 - one loop: a call per element costs
    """Headings and block lines in document order. One pass over the elements (``iter``,
    ~25x cheaper than lxml's ``iterwalk`` of start and end events, which cost half the walk):
    the open elements are kept on a stack, and an element's end is the point where the next
    element is no descendant of it (the stack is popped down to that element's parent).
    Comments and processing instructions are not walked: the parsers leave them out and join
    their tails to the text before them (``_parse_html``). The enclosing list items are kept
    on a stack too; an element inside a heading does nothing (the heading's text is taken
    whole). The buffer is flushed inline: a call per flush (~900 per 100 KB page) cost ~10 %
    of the walk, a generator per flush ~8 % (hence one function, more complex than the
    linter likes)."""
    buffer: list[str] = []
    items: list[int] = []  # per open <li>: -1 inside <ul>, 0 inside <ol> or elsewhere
    stack: list[tuple[Any, int]] = []  # the open elements and their roles, ``main`` first
    inside = False  # in a heading
    roles = _ROLES
    for el in itertools.chain(main.iter(etree.Element), (None,)):
        parent: Any = el.getparent() if el is not None else _END
        while stack and stack[-1][0] is not parent:
            closed, role = stack.pop()  # the end of an element
            if role == _INSIDE:
                continue
            if role == _HEADING:
                inside = False
            elif role != _INLINE:
                if buffer:
                    text = "".join(buffer)
                    buffer.clear()
                    if not text.isspace():  # '' counts: an empty block (the raw digest)
                        yield (items[-1] if items else 0), text
                if role == _ITEM and items:
                    items.pop()
            if closed is not main and (tail := closed.tail):
                buffer.append(tail)
        if el is None:
            break
        leaf = not len(el) and el is not main
        if inside:
            if not leaf:  # a leaf inside a heading is no one's parent: nothing to keep
                stack.append((el, _INSIDE))
            continue
        tag = el.tag
        role = roles.get(tag, _INLINE)
        if leaf:
            # An element without children ends before the next one starts: read whole here,
            # without a place on the stack (most elements of a page: its <p>, <li>, <a>).
            # The same events as its start and end below would give, in one step.
            if role != _INLINE:
                if buffer:
                    text = "".join(buffer)
                    buffer.clear()
                    if not text.isspace():
                        yield (items[-1] if items else 0), text
                text = el.text or ""
                if role == _HEADING:
                    yield int(tag[1]), text
                elif not text.isspace():  # '' counts: an empty block (the raw digest)
                    if role == _ITEM:
                        yield (
                            (_ul_item(items) if parent is not None and parent.tag == "ul" else 0),
                            text,
                        )
                    else:
                        yield (items[-1] if items else 0), text
            else:
                buffer.append(el.text or "")
            if tail := el.tail:
                buffer.append(tail)
            continue
        if el is main and role == _INLINE:
            role = _BLOCK  # its end flushes the last line (its tail is not walked)
        stack.append((el, role))
        if role != _INLINE:
            # a block or a heading ends the line before it
            if buffer:
                text = "".join(buffer)
                buffer.clear()
                if not text.isspace():
                    yield (items[-1] if items else 0), text
            if role == _HEADING:
                yield int(tag[1]), "".join(el.itertext())
                inside = True
                continue
            if role == _ITEM:  # its kind: -1 in a <ul> (-2, -3 … inside other items), 0 elsewhere
                items.append(_ul_item(items) if parent is not None and parent.tag == "ul" else 0)
        buffer.append(el.text or "")


def _block_lines(root: Any) -> list[str]:
    out = []
    for _level, text in _walk(root):
        line = clean_text(text)
        if line:
            out.append(line)
    return out


# ----------------------------------------------------------------------------- links


def extract_links(
    body: bytes,
    base_url: str,
    headers: Mapping[str, str] | None = None,
    selector: str | None = None,
    pattern: str | None = None,
) -> tuple[Link, ...]:
    """The links of a page that match ``selector`` (CSS of the <a>s; every <a> by default)
    and ``pattern`` (a regex the absolute URL must match), canonical, first occurrence only."""
    root = parse_page(body, headers)
    return links_of(root, base_url, selector, pattern)


def _link_title(a: Any) -> str:
    """A link's text, without the control labels and "new" badges inside it (a letter's
    title is the same letter's when its "Ny" badge expires); of a link around a whole card
    (its date, heading and teaser: blind round 197), the card's heading."""
    heading = next(a.iter(*HEADINGS), None)
    if heading is not None:
        a = heading
    if not any(True for _ in _labels_in(a)):
        return clean_text(a.text_content())
    copy = deepcopy(a)
    copy.tail = None
    _drop_found(list(_labels_in(copy)))
    return clean_text(copy.text_content())


def links_of(
    root: Any, base_url: str, selector: str | None = None, pattern: str | None = None
) -> tuple[Link, ...]:
    return tuple(
        Link(url, _link_title(a[0]))
        for url, a in _anchors(root, base_url, selector, pattern).items()
    )


def _anchors(
    root: Any, base_url: str, selector: str | None, pattern: str | None
) -> dict[str, list[Any]]:
    """The <a>s of the links that match (``extract_links``) by canonical URL, in the order
    each URL first occurs."""
    wanted = re.compile(pattern) if pattern else None
    found: dict[str, list[Any]] = {}
    for a in select(root, selector or "a[href]"):
        href = a.get("href")
        if not href:
            continue
        url = canonical_url(urljoin(base_url, href.strip()))
        if not url or (wanted is not None and not wanted.search(url)):
            continue
        found.setdefault(url, []).append(a)
    return found


def extract_dated_links(
    body: bytes,
    base_url: str,
    headers: Mapping[str, str] | None = None,
    selector: str | None = None,
    pattern: str | None = None,
) -> tuple[tuple[Link, date | None], ...]:
    """``extract_links``, each link with the date its item in the list shows (``_item_date``);
    None where it shows none."""
    return tuple(
        (link, day) for link, day, _ in extract_listed(body, base_url, headers, selector, pattern)
    )


class Listed(NamedTuple):
    """A link of a list (``extract_listed``): the date its item shows (None: none), and its
    teaser (``_item_teaser``; None where it cannot be read: the item has no element of its
    own)."""

    link: Link
    day: date | None
    teaser: str | None


def extract_listed(
    body: bytes,
    base_url: str,
    headers: Mapping[str, str] | None = None,
    selector: str | None = None,
    pattern: str | None = None,
) -> tuple[Listed, ...]:
    """``extract_dated_links``, each link with its item's teaser as well."""
    root = parse_page(body, headers)
    anchors = _anchors(root, base_url, selector, pattern)
    items = _items_of(anchors)
    own = _own_items(items)
    out = []
    for url, found in anchors.items():
        link = Link(url, _link_title(found[0]))
        day = _item_date(items[url], found) if url in items else None
        teaser = _item_teaser(items[url], found, link.title) if url in own else None
        out.append(Listed(link, day, teaser))
    return tuple(out)


def _items_of(anchors: Mapping[str, list[Any]]) -> dict[str, Any]:
    """The element each link's item in a list is: the outermost element around the link's
    <a>s that holds no other link of the list (a <li>, a <tr>, an <article>); none for a
    link whose <a>s stand apart (no element holds them all and no other link)."""
    urls: dict[Any, set[str]] = {}  # element -> the links under it, up to two
    for url, found in anchors.items():
        for a in found:
            for el in a.iterancestors():
                under = urls.setdefault(el, set())
                if len(under) > 1:
                    break  # so are all above it (the link that made it so went up them)
                under.add(url)
    items: dict[str, Any] = {}
    for url, found in anchors.items():
        item = found[0]
        for el in found[0].iterancestors():
            if urls.get(el) != {url}:
                break
            item = el
        if all(a is item or item in a.iterancestors() for a in found):
            items[url] = item
    return items


def _own_items(items: Mapping[str, Any]) -> set[str]:
    """The links whose item element (``_items_of``) is an element of the item's own, one of
    a run of like elements: a sibling of the same tag is another item's element (the <li>s
    of a list, the <tr>s of a table, the cards of a grid). Not a link that is its own item
    (links in one paragraph), nor an element that stands apart (the only item of a group,
    whose element is the group with its heading; a list of one item, whose element is the
    page); nor a list or a table (``_GROUPS``): the group of a date or a topic that holds one
    item today, whose element would be the item's <li> or <tr> once it holds two."""
    runs = Counter(
        (el.getparent(), el.tag)
        for el in items.values()
        if el.tag not in _GROUPS and el.getparent() is not None
    )
    return {
        url
        for url, el in items.items()
        if el.tag not in _GROUPS and runs[(el.getparent(), el.tag)] > 1
    }


#: elements that are never one item's own (``_own_items``): a link, the page, lists and tables
_GROUPS = frozenset(
    {"a", "html", "body", "main", "ul", "ol", "dl", "menu", "table", "thead", "tbody", "tfoot"}
)


#: the longest teaser read of an item (``_item_teaser``): a layout whose item elements are
#: really large blocks gives a teaser cut here, not the block
TEASER_MAX = 600

#: the elements of an item that are never its teaser: its date (``_item_date``), pictures,
#: controls and scripts
_NOT_TEASER = frozenset(
    {
        "time", "img", "picture", "svg", "figure", "button", "select", "input", "label",
        "script", "style", "template", "noscript", "nav", "iframe", "video", "audio",
    }
)  # fmt: skip
#: the classes of an item's furniture: its category, type and tags, badges, counters, reading
#: time, file size, date; matched on each word of an element's class
_FURNITURE_CLASS = re.compile(
    r"(?:^|[-_])(?:categor(?:y|ies)|kategori(?:er)?|tags?|labels?|badges?|pills?|chips?|type"
    r"|views?|visninger|counts?|counters?|reading-?time|lesetid|file-?size|filesize"
    r"|dates?|dato|published|publisert|sr-only|visually-?hidden|screen-?reader)(?:$|[-_])",
    re.I,
)
#: a file's format and size alone ("PDF, 245 kB", "(pdf 1,2 MB)", "12 sider")
_FILE_SIZE = re.compile(
    r"[(\[]?\s*(?:(?:pdf|docx?|xlsx?|pptx?|odt|rtf|csv|zip)\b[\s,;/-]*)?"
    r"(?:\d+(?:[.,]\d+)?\s?(?:[kmg]i?b|bytes?|sider|side|s\.)[\s,;/]*)*\s*[)\]]?",
    re.I,
)
#: what parts a line of an item's fields ("12.03.2026 · Nyhet · 3 min lesetid")
_FIELD_SEPARATOR = re.compile(rf"\s+[{''.join(_FIELD_MARKS)}]\s+")
#: what a line of an item may start or end with once its furniture is out
_LOOSE_ENDS = " ·•|–—-,/:;"


def _item_teaser(item: Any, anchors: Sequence[Any], title: str) -> str | None:
    """A list item's teaser: the text of its element but its link, its date and its
    furniture (category and type labels, "Ny" and "Oppdatert" badges, counters, relative
    times, "Les mer" links, file sizes: ``_is_furniture``), its lines joined by line breaks,
    cut at ``TEASER_MAX``; '' when it shows nothing else. None (not read) for an element
    that holds a heading of its own (not the link's): a group's heading, or a card whose
    title is not its link's text."""
    for heading in item.iter(*HEADINGS):
        if not any(heading in a.iterancestors() or a in heading.iterancestors() for a in anchors):
            return None
    # a link around a whole card is read as its heading (``_link_title``): the rest of the
    # card is its teaser
    skip = {next(a.iter(*HEADINGS), a) for a in anchors}
    lines = (_teaser_line(clean_text(line), title) for line in _item_lines(item, skip))
    teaser = "\n".join(line for line in lines if line)
    if len(teaser) > TEASER_MAX:
        cut = teaser.rfind(" ", 0, TEASER_MAX)
        teaser = teaser[: cut if cut > 0 else TEASER_MAX].rstrip() + " …"
    return teaser


def _item_lines(item: Any, skip: set[Any]) -> list[str]:
    """The lines of an item element's text (a block or a heading ends one), without the
    elements ``skip`` names (its links) and its furniture (``_is_furniture``); read up to
    twice ``TEASER_MAX`` characters."""
    lines: list[list[str]] = [[item.text or ""]]
    size = 0
    walk = etree.iterwalk(item, events=("start", "end"))
    for event, el in walk:
        if el is item:
            continue
        if event == "start":
            if not isinstance(el.tag, str) or el in skip or _is_furniture(el):
                skip.add(el)
                walk.skip_subtree()  # its "end" still comes: its tail is read then
                continue
            text = el.text or ""
        else:
            text = el.tail or ""
        if el.tag in BLOCKS or el.tag in HEADING_SET:
            lines.append([])
        lines[-1].append(text)
        size += len(text)
        if size > 2 * TEASER_MAX:
            break
    return ["".join(parts) for parts in lines]


def _is_furniture(el: Any) -> bool:
    """Whether an element of a list item is furniture, not its teaser: a picture, control or
    date element (``_NOT_TEASER``); an element of a furniture class (``_FURNITURE_CLASS``);
    or one whose text alone is furniture (``_is_furniture_text``)."""
    if el.tag in _NOT_TEASER:
        return True
    if any(_FURNITURE_CLASS.search(word) for word in (el.get("class") or "").split()):
        return True
    return _is_furniture_text(clean_text(_text_of(el)))


def _is_furniture_text(text: str) -> bool:
    """Whether a text of a list item says nothing of it: a date alone, a "Ny" badge, an
    "Oppdatert" badge word, a control's label ("Les mer", "Les meir"), a file's size, or a
    line of noise (``strip_noise``: a counter, a relative time, a date line)."""
    return bool(
        not text
        or is_date_only(text)
        or _is_label(text)
        or _UPDATE_BADGE.fullmatch(text)
        or _FILE_SIZE.fullmatch(text)
        or not strip_noise(text)
    )


def _teaser_line(line: str, title: str) -> str:
    """A line of an item's text with its furniture out: each field of a line of fields
    that is furniture (``_is_furniture_text``), and the loose separators left; '' for a
    line that is furniture, or the item's title again."""
    parts = [p.strip(_LOOSE_ENDS) for p in _FIELD_SEPARATOR.split(line)]
    line = " · ".join(p for p in parts if not _is_furniture_text(p)).strip(_LOOSE_ENDS)
    if not line or line == title or _is_furniture_text(line):
        return ""
    return strip_noise(line)


#: an element that holds a list item's date, by its class ("date", "dato", "published")
_DATE_CLASS = etree.XPath(
    "descendant::*[contains(@class, 'date') or contains(@class, 'dato')"
    " or contains(@class, 'published')]"
)


def _item_date(item: Any, anchors: Sequence[Any]) -> date | None:
    """The date a list's item shows: a <time>'s machine-readable date, else the text of an
    element whose class says it holds the date, else the first date in the item's text but its
    link's (``parse_date``)."""
    for time in item.iter("time"):
        value = (time.get("datetime") or "").strip()
        when = _iso_date(value) if value else parse_date(_text_of(time))
        if when is not None:
            return when
    for el in cast(list[Any], _DATE_CLASS(item)):
        when = parse_date(_text_of(el))
        if when is not None:
            return when
    text = _text_of(item)
    for a in anchors:
        text = text.replace(_text_of(a), " ", 1)
    return parse_date(text)


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _iso_date(value: str) -> date | None:
    found = _ISO_DAY.match(value)
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None
