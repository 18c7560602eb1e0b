"""Rendering: a composed ``Digest`` to an ``OutgoingMessage`` (plain text and HTML, bokmål).

Pure apart from reading templates once. Everything that came from the web is text and is
escaped by Jinja2's autoescaping in HTML; no markup from a source ever reaches a mail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from feeds.detect.diff import render_segments_text
from notifier import textsafe
from notifier.digest import Digest, Recipient
from notifier.message import OutgoingMessage, unsubscribe_headers
from notifier.textsafe import shown

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MONTHS_NB = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
#: channels whose messages are the short push form (``Renderer.render_push``)
PUSH_FORM_CHANNELS = ("webpush", "apprise")
#: a push's summary at most (the payload limit cuts further if it must)
PUSH_SUMMARY_LIMIT = 300
#: the most characters one ``{{ }}`` of any template (page or mail) shows of a text: the
#: longest text we show on purpose is a section's before or after text on a change's page,
#: and a staff member's summary (the edit form takes 20,000)
SHOWN_LIMIT = 20_000
#: the most of a stored word diff a page shows (``page_diff``): segments, characters
PAGE_SEGMENTS = 2_000
PAGE_DIFF_CHARS = 100_000
KIND_NB = {
    "new": "Ny",
    "changed": "Endret",
    "added": "Nytt avsnitt",
    "removed": "Fjernet",
}
KIND_NN = {
    "new": "Ny",
    "changed": "Endra",
    "added": "Nytt avsnitt",
    "removed": "Fjerna",
}
#: every fixed text of alerts and digests, in bokmål and nynorsk (the recipient's language)
MAIL_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "hello": "Hei",
        "intro_immediate": "Dette er endret hos helsemyndighetene:",
        "intro_weekly": "Her er ukens endringer hos helsemyndighetene i temaene du følger:",
        "intro_daily": "Her er dagens endringer hos helsemyndighetene i temaene du følger:",
        "urgent": "HASTER",
        "diff": "Endring ([-fjernet-] {+nytt+}):",
        "diff_label": "Endring",
        "diff_removed": "fjernet",
        "diff_added": "nytt",
        "why": "Du får denne e-posten fordi du abonnerer på varsler fra",
        "preferences": "Endre innstillinger, last ned eller slett dataene dine",
        "unsubscribe": "Avslutt alle varsler",
        "prefix_urgent": "Haster: ",
        "prefix_alert": "Varsel: ",
        "more": "til",
        "change": "endring",
        "changes": "endringer",
        "week": "uke",
        "story_update": "Oppdatering i en sak du har fått varsel om",
        "late": "Dette sammendraget kommer for sent: det skulle vært sendt {when}, "
        "men tjenesten var nede da.",
    },
    "nn": {
        "hello": "Hei",
        "intro_immediate": "Dette er endra hos helsestyresmaktene:",
        "intro_weekly": "Her er endringane denne veka hos helsestyresmaktene i tema du følgjer:",
        "intro_daily": "Her er endringane i dag hos helsestyresmaktene i tema du følgjer:",
        "urgent": "HASTAR",
        "diff": "Endring ([-fjerna-] {+nytt+}):",
        "diff_label": "Endring",
        "diff_removed": "fjerna",
        "diff_added": "nytt",
        "why": "Du får denne e-posten fordi du abonnerer på varsel frå",
        "preferences": "Endre innstillingar, last ned eller slett dataa dine",
        "unsubscribe": "Avslutt alle varsel",
        "prefix_urgent": "Hastar: ",
        "prefix_alert": "Varsel: ",
        "more": "til",
        "change": "endring",
        "changes": "endringar",
        "week": "veke",
        "story_update": "Oppdatering i ei sak du har fått varsel om",
        "late": "Dette samandraget kjem for seint: det skulle vore sendt {when}, "
        "men tenesta var nede då.",
    },
}


def date_nb(value: datetime, timezone: str = "Europe/Oslo") -> str:
    local = value.astimezone(ZoneInfo(timezone))
    return f"{local.day}. {MONTHS_NB[local.month - 1]} {local.year}"


def datetime_nb(value: datetime, timezone: str = "Europe/Oslo") -> str:
    local = value.astimezone(ZoneInfo(timezone))
    return f"{date_nb(value, timezone)} kl. {local:%H.%M}"


def http_url(value: object) -> str:
    """``value`` if it is an absolute http(s) URL, else "": what a template puts in an href
    or a push uses as its link. Readers store only http(s) links, but a stored row is data
    (an old row, a bug): a ``javascript:`` or ``data:`` URL must never become a live link."""
    text = str(value or "").strip()
    scheme, sep, rest = text.partition(":")
    if sep and scheme.lower() in ("http", "https") and rest.startswith("//") and len(rest) > 2:
        # an internationalised host in its ASCII form: a homograph shows as what it is
        return textsafe.ascii_host(textsafe.clean(text))
    return ""


def elide(segments: Sequence[Sequence[str]], context: int = 80) -> list[tuple[str, str]]:
    """A word diff for reading: unchanged stretches cut to ``context`` characters around the
    edits ("…" where cut)."""
    out: list[tuple[str, str]] = []
    last = len(segments) - 1
    for i, (op, text) in enumerate(segments):
        if op == "=" and len(text) > 2 * context:
            head = "" if i == 0 else text[:context]
            tail = "" if i == last else text[-context:]
            text = f"{head}…{tail}"
        out.append((op, text))
    return out


def diff_text(segments: Sequence[Sequence[str]]) -> str:
    """The elided diff as plain text, [-removed-] {+added+}, a line of the text a line here
    (a list's items each on their own), its spaces collapsed and its blank lines left out;
    the white space at either end of an edit stands outside its marks."""
    pieces: list[tuple[str, str]] = []
    for op, text in elide(segments):
        core = text.strip()
        if op == "=" or not core:
            pieces.append(("=", text))
            continue
        head, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        pieces += [("=", head), (op, core), ("=", tail)]
    lines = render_segments_text(pieces).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if not line.isspace() and line)


def page_diff(segments: Sequence[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    """A stored word diff as a page shows it: cleaned, malformed segments skipped, at most
    ``PAGE_SEGMENTS`` segments and ``PAGE_DIFF_CHARS`` characters ("…" for the rest)."""
    return textsafe.segments(segments, PAGE_SEGMENTS, PAGE_DIFF_CHARS)


def cut_short(value: object) -> bool:
    """Whether a page shows ``value`` shortened: a text longer than ``SHOWN_LIMIT``, or a word
    diff ``page_diff`` ended with its "…" (the page then says so and sends the reader to the
    source)."""
    if isinstance(value, str):
        return len(value) > SHOWN_LIMIT
    if isinstance(value, tuple) and value:
        return bool(value[-1] == ("=", textsafe.ELLIPSIS))
    return False


def finalize(value: object) -> object:
    """What every ``{{ }}`` of a template shows of a value: a text cleaned and bounded
    (``textsafe.shown``: no lone surrogate to end the page in an encoding error, no control,
    bidi override or zero-width character, at most ``SHOWN_LIMIT`` characters), whatever a
    source put into it; our own markup (``Markup``, the icons) and other values as they are."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return shown(value, SHOWN_LIMIT)
    return value


def make_environment(templates: Path = TEMPLATES) -> Environment:
    env = Environment(
        finalize=finalize,
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_nb"] = date_nb
    env.filters["datetime_nb"] = datetime_nb
    env.filters["elide"] = elide
    env.filters["page_diff"] = page_diff
    env.tests["cut_short"] = cut_short
    env.filters["diff_text"] = diff_text
    env.filters["http_url"] = http_url
    env.globals["KIND_NB"] = KIND_NB
    return env


@dataclass(frozen=True)
class MailLinks:
    """The signed links a mail to one subscriber carries (built by ``notifier.web.links``)."""

    preferences: str
    unsubscribe: str

    def headers(self) -> dict[str, str]:
        """RFC 2369 and RFC 8058 one-click unsubscribe headers."""
        return unsubscribe_headers(self.unsubscribe)


LinkMaker = Callable[[Recipient, datetime], MailLinks]

CONFIRM_SUBJECT = {
    ("confirm", "nb"): "Bekreft abonnementet ditt på Helsevarsel",
    ("confirm", "nn"): "Stadfest abonnementet ditt på Helsevarsel",
    ("manage", "nb"): "Lenke til innstillingene dine i Helsevarsel",
    ("manage", "nn"): "Lenkje til innstillingane dine i Helsevarsel",
}


class Renderer:
    """Renders digests and alerts; the same object serves sending and preview.

    ``links`` (set by ``notifier.web.links.attach``) gives every mail its signed preferences
    and unsubscribe links and the List-Unsubscribe headers; without it mails carry neither."""

    def __init__(
        self, base_url: str, timezone: str = "Europe/Oslo", env: Environment | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self.timezone = timezone
        self.env = env or make_environment()
        self.links: LinkMaker | None = None

    def subject(self, digest: Digest, now: datetime) -> str:
        m = MAIL_TEXT[_lang(digest)]
        n = len(digest.changes)
        if digest.cadence == "immediate":
            first = digest.changes[0].title
            more = f" (+{n - 1} {m['more']})" if n > 1 else ""
            urgent = any(c.urgent for c in digest.changes)
            prefix = m["prefix_urgent"] if urgent else m["prefix_alert"]
            return _one_line(f"{prefix}{first}{more}")
        noun = m["change"] if n == 1 else m["changes"]
        if digest.cadence == "weekly":
            week = digest.period.split("-W")[-1]
            return f"Helsevarsel {m['week']} {int(week)}: {n} {noun}"
        return f"Helsevarsel {date_nb(digest.late_since or now, self.timezone)}: {n} {noun}"

    def late_line(self, digest: Digest) -> str:
        """The line a late digest opens with (empty when on time)."""
        if digest.late_since is None:
            return ""
        when = datetime_nb(digest.late_since, self.timezone)
        return MAIL_TEXT[_lang(digest)]["late"].format(when=when)

    def render(self, digest: Digest, now: datetime) -> OutgoingMessage:
        """The message of ``digest`` in its channel's form: a whole mail for e-mail, the short
        push form for the push channels (``render_push``)."""
        if digest.channel in PUSH_FORM_CHANNELS:
            return self.render_push(digest, now)
        subject = self.subject(digest, now)
        links = self.links(digest.recipient, now) if self.links else None
        context = {
            "digest": digest,
            "subject": subject,
            "now": now,
            "base_url": self.base_url,
            # the front page in the reader's language (a nynorsk mail opens nynorsk pages)
            "home_url": f"{self.base_url}/?lang=nn" if _lang(digest) == "nn" else self.base_url,
            "tz": self.timezone,
            "links": links,
            "lang": _lang(digest),
            "m": MAIL_TEXT[_lang(digest)],
            "kinds": KIND_NN if _lang(digest) == "nn" else KIND_NB,
            "late": self.late_line(digest),
        }
        text = self.env.get_template("mail/digest.txt.j2").render(context)
        html = self.env.get_template("mail/digest.html.j2").render(context)
        return OutgoingMessage(
            to=digest.recipient.email,
            subject=subject,
            text=text,
            html=html,
            idempotency_key=digest.idempotency_key,
            headers=links.headers() if links else {},
        )

    def render_push(self, digest: Digest, now: datetime) -> OutgoingMessage:
        """The short form for Web Push and Apprise targets: the alert's subject as title, a
        short summary (one change's summary, or the titles of several), the link to open
        (``Link``: the change's page) and ``Urgency`` (``high`` when a change is urgent). It is
        addressed to ``subscriber:<id>``: the channel finds the person's devices or targets."""
        m = MAIL_TEXT[_lang(digest)]
        changes = digest.changes
        if len(changes) == 1:
            one = changes[0]
            summary = one.summary or one.title
            if one.story_update:
                summary = f"{m['story_update']}. {summary}"
        else:
            summary = " · ".join(c.title for c in changes)
        urgent = any(c.urgent for c in changes)
        return OutgoingMessage(
            to=f"subscriber:{digest.recipient.subscriber_id}",
            subject=self.subject(digest, now),
            text=_short(summary, PUSH_SUMMARY_LIMIT),
            html="",
            idempotency_key=digest.idempotency_key,
            headers={
                "Link": (http_url(changes[0].url) if changes else "") or self.base_url,
                "Urgency": "high" if urgent else "normal",
            },
        )

    def render_link_mail(
        self, recipient: Recipient, kind: str, url: str, idempotency_key: str
    ) -> OutgoingMessage:
        """The confirmation mail (``kind`` "confirm") or the preferences-link mail ("manage"),
        in the recipient's language. The only mails an unconfirmed address ever gets.

        The confirmation greets nobody by name: the name of an unconfirmed sign-up was typed
        by whoever filled in the form, for any address, so greeting with it would carry a
        stranger's text (200 characters: "your account is locked, call ...") in a mail from
        us to that address. The preferences link goes to a confirmed address, whose stored
        name a stranger's sign-up never changes."""
        lang = "nn" if recipient.language == "nn" else "nb"
        if kind == "confirm":
            recipient = replace(recipient, name="")
        subject = CONFIRM_SUBJECT[(kind, lang)]
        context = {
            "kind": kind,
            "lang": lang,
            "url": url,
            "subject": subject,
            "recipient": recipient,
            "base_url": self.base_url,
        }
        return OutgoingMessage(
            to=recipient.email,
            subject=subject,
            text=self.env.get_template("mail/link.txt.j2").render(context),
            html=self.env.get_template("mail/link.html.j2").render(context),
            idempotency_key=idempotency_key,
        )


def _lang(digest: Digest) -> str:
    return "nn" if digest.recipient.language == "nn" else "nb"


def _short(text: str, limit: int) -> str:
    """Text on one line, cut at a word before ``limit`` characters ("…" where cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"


def _one_line(text: str, limit: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
