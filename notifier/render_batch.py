"""Rendering many messages at once: each distinct form is rendered by the templates once, and
each recipient's copy is made from it by putting in what is personal.

A mail of a planned digest differs between two recipients only in the greeting's name, the
signed preferences and unsubscribe links (and their List-Unsubscribe header), the address and
the idempotency key. Everything else (subject, changes, sections, language, late line) is the
*form*. ``FormRenderer`` renders a form once with stand-in markers for the personal parts and
replaces the markers for each recipient (escaped as Jinja2 would in HTML), so an urgent national
change to 100,000 subscribers costs a handful of template renderings, not 100,000. The result
is byte for byte what ``Renderer.render`` gives (``tests/test_render_batch.py``), already
cleaned for storage (``outbox.storable``: no NUL, no lone surrogate). Push forms are
short and rendered directly.
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from markupsafe import escape

from notifier.digest import Digest, Recipient
from notifier.message import OutgoingMessage
from notifier.outbox import storable
from notifier.render import MailLinks, Renderer

#: stand-ins for the personal parts: plain ASCII that escaping leaves alone and no text has
NAME = "QQ-NOTIFIER-NAME-9c1e-QQ"
PREFERENCES = "https://qq-notifier-preferences-9c1e.invalid/p"
UNSUBSCRIBE = "https://qq-notifier-unsubscribe-9c1e.invalid/u"
#: forms kept at once (a digest run has as many forms as there are section layouts)
KEPT = 512


_MARKERS = re.compile(f"({re.escape(NAME)}|{re.escape(PREFERENCES)}|{re.escape(UNSUBSCRIBE)})")


@dataclass(frozen=True)
class _Form:
    subject: str
    #: the text and HTML split at the markers: literal, marker, literal, ... (each copy is
    #: one join, not a scan of the whole text per marker)
    text: tuple[str, ...]
    html: tuple[str, ...]
    with_links: bool


def _fill(parts: tuple[str, ...], values: dict[str, str]) -> str:
    if len(parts) == 1:
        return parts[0]
    out = list(parts)
    for i in range(1, len(out), 2):
        out[i] = values.get(out[i], out[i])
    return "".join(out)


def form_key(digest: Digest) -> tuple[Any, ...]:
    """Everything a message's rendering depends on besides the recipient's identity."""
    return (
        digest.channel,
        digest.cadence,
        digest.period,
        digest.late_since,
        "nn" if digest.recipient.language == "nn" else "nb",
        bool(digest.recipient.name),
        tuple(
            (s.subtopic, s.label, tuple((c.id, c.story_update) for c in s.changes))
            for s in digest.sections
        ),
    )


class FormRenderer:
    """Renders digests for one planning run (one ``now``), each distinct form once."""

    def __init__(
        self,
        renderer: Renderer,
        now: datetime,
        links: Callable[[int, int, datetime, str], MailLinks] | None = None,
    ) -> None:
        self.renderer = renderer
        self.now = now
        #: (subscriber, token version, now, language) -> links, for subscribers whose token version
        #: ``versions`` holds (one query per batch instead of one per recipient)
        self.links = links
        self.versions: dict[int, int] = {}
        self._forms: OrderedDict[tuple[Any, ...], _Form] = OrderedDict()
        self._stand_in = copy.copy(renderer)
        if renderer.links is not None:
            self._stand_in.links = lambda recipient, now: MailLinks(PREFERENCES, UNSUBSCRIBE)
        self.rendered = 0

    def render(self, digest: Digest) -> OutgoingMessage:
        if digest.channel != "email":
            return self.renderer.render(digest, self.now)
        key = form_key(digest)
        form = self._forms.get(key)
        if form is None:
            form = self._make(digest)
            self._forms[key] = form
            if len(self._forms) > KEPT:
                self._forms.popitem(last=False)
        return self._personal(form, digest)

    def _make(self, digest: Digest) -> _Form:
        r = digest.recipient
        stand_in = replace(
            digest, recipient=Recipient(0, "x@example.invalid", NAME if r.name else "", r.language)
        )
        message = self._stand_in.render(stand_in, self.now)
        self.rendered += 1
        return _Form(
            storable(message.subject), tuple(_MARKERS.split(storable(message.text))),
            tuple(_MARKERS.split(storable(message.html))), bool(message.headers),
        )  # fmt: skip

    def _personal(self, form: _Form, digest: Digest) -> OutgoingMessage:
        r = digest.recipient
        plain: dict[str, str] = {}
        html: dict[str, str] = {}
        if r.name:
            name = storable(r.name)
            plain[NAME], html[NAME] = name, str(escape(name))
        headers: dict[str, str] = {}
        if form.with_links and self.renderer.links is not None:
            version = self.versions.get(r.subscriber_id)
            if self.links is not None and version is not None:
                links = self.links(r.subscriber_id, version, self.now, r.language)
            else:
                links = self.renderer.links(r, self.now)
            for marker, url in ((PREFERENCES, links.preferences), (UNSUBSCRIBE, links.unsubscribe)):
                plain[marker], html[marker] = url, str(escape(url))
            headers = links.headers()
        return OutgoingMessage(
            to=r.email,
            subject=form.subject,
            text=_fill(form.text, plain),
            html=_fill(form.html, html),
            idempotency_key=digest.idempotency_key,
            headers=headers,
        )
