"""Rendering many messages at once: each distinct form is rendered by the templates once, and
each recipient's copy is that form plus what is personal.

A mail of a planned digest differs between two recipients only in the greeting's name, the
signed preferences and unsubscribe links (and their List-Unsubscribe header), the address and
the idempotency key. Everything else (subject, changes, sections, language, late line) is the
*form*. ``FormRenderer`` renders a form once for a stand-in recipient, with stand-in markers
for the personal parts, and splits its text and HTML at the markers into an ``outbox.Body``
(literal, slot, literal, ...): the body the outbox stores once and shares (``parts``). Each
recipient's ``Parted`` message carries that body and the values of its slots; joined
(``outbox.join``: escaped as Jinja2 would in HTML) it is byte for byte what
``Renderer.render`` gives (``tests/test_render_batch.py``), already cleaned for storage
(``outbox.storable``: no NUL, no lone surrogate). So an urgent national change to 100,000
subscribers costs a handful of template renderings, not 100,000.

Nothing personal reaches a form: the stand-in recipient has no address, id or name of anyone,
its links are markers, and the markers are random per renderer, so a text from a source
cannot carry one and be taken for a slot. Push forms are short and rendered whole.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from notifier.digest import Digest, DigestSection, Recipient
from notifier.message import OutgoingMessage
from notifier.outbox import (
    LINKS,
    NAME,
    PREFERENCES,
    UNSUBSCRIBE,
    Body,
    LinkMaker,
    join,
    links_value,
    signed,
    storable,
)
from notifier.render import MailLinks, Renderer

#: forms kept at once (a digest run has as many forms as there are section layouts)
KEPT = 512
#: the stand-in recipient of every form: nobody's address, id or name
STAND_IN_ADDRESS = "x@example.invalid"


@dataclass(frozen=True)
class Parted:
    """A mail as the outbox stores it: the shared ``body`` and this recipient's own parts
    (address, subject, key, the values of the body's slots; the unsubscribe link, whenever
    the mail carries links, gives its List-Unsubscribe headers: ``outbox.join``)."""

    to: str
    subject: str
    idempotency_key: str
    body: Body
    personal: Mapping[str, str] = field(default_factory=dict)
    #: for the links left to be signed when the mail is sent (``outbox.LINKS``): whose, when
    #: planned, and the maker that signs them
    subscriber_id: int | None = None
    planned_at: datetime | None = None
    links: LinkMaker | None = field(default=None, compare=False, repr=False)

    def message(self) -> OutgoingMessage:
        """The whole message, as ``outbox.Delivery.message`` builds it when sending."""
        personal = signed(self.personal, self.subscriber_id, self.planned_at, self.links)
        text, html, headers = join(self.body, personal)
        return OutgoingMessage(
            to=self.to,
            subject=self.subject,
            text=text,
            html=html,
            idempotency_key=self.idempotency_key,
            headers=headers,
        )


@dataclass(frozen=True)
class _Form:
    subject: str
    body: Body
    with_links: bool


def form_key(digest: Digest, sections: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
    """Everything a message's rendering depends on besides the recipient's identity
    (``sections``: ``sections_key(digest.sections)``, when the caller has it already)."""
    return (
        digest.channel,
        digest.cadence,
        digest.period,
        digest.late_since,
        "nn" if digest.recipient.language == "nn" else "nb",
        bool(digest.recipient.name),
        sections_key(digest.sections) if sections is None else sections,
    )


def sections_key(sections: tuple[DigestSection, ...]) -> tuple[Any, ...]:
    """What of a digest's sections its rendering depends on."""
    return tuple(
        (s.subtopic, s.label, tuple((c.id, c.story_update) for c in s.changes)) for s in sections
    )


class FormRenderer:
    """Renders digests for one planning run (one ``now``), each distinct form once."""

    def __init__(
        self,
        renderer: Renderer,
        now: datetime,
        links: LinkMaker | None = None,
    ) -> None:
        self.renderer = renderer
        self.now = now
        #: (subscriber, token version, now, language) -> links, for subscribers whose token
        #: version ``versions`` holds (one query per batch instead of one per recipient); their
        #: mails store the version and language (``outbox.LINKS``) and are signed when sent
        self.links = links
        self.versions: dict[int, int] = {}
        self._forms: OrderedDict[tuple[Any, ...], _Form] = OrderedDict()
        #: id of a sections tuple -> (that tuple, its ``sections_key``); the tuple is held so
        #: that its id is not reused while it is here
        self._section_keys: dict[int, tuple[tuple[DigestSection, ...], tuple[Any, ...]]] = {}
        # stand-ins for the personal parts: plain ASCII that escaping leaves alone, random per
        # renderer so that no text from a source can hold one
        nonce = secrets.token_hex(8)
        self._markers = {
            f"QQ-{nonce}-NAME-QQ": NAME,
            f"https://qq-{nonce}-p.invalid/p": PREFERENCES,
            f"https://qq-{nonce}-u.invalid/u": UNSUBSCRIBE,
        }
        self._split = re.compile("(" + "|".join(map(re.escape, self._markers)) + ")")
        marker = {slot: m for m, slot in self._markers.items()}
        self._name = marker[NAME]
        self._stand_in = copy.copy(renderer)
        if renderer.links is not None:
            markers = MailLinks(marker[PREFERENCES], marker[UNSUBSCRIBE])
            self._stand_in.links = lambda recipient, now: markers
        self.rendered = 0

    def render(self, digest: Digest) -> OutgoingMessage:
        """The whole message of ``digest`` (as ``Renderer.render`` gives it)."""
        found = self.parts(digest)
        return found.message() if isinstance(found, Parted) else found

    def parts(self, digest: Digest) -> Parted | OutgoingMessage:
        """A mail as its shared body and personal parts; a push message whole."""
        if digest.channel != "email":
            return self.renderer.render(digest, self.now)
        # the planner gives the recipients of one layout the same sections (one tuple): their
        # part of the key is made once per tuple, not once per recipient
        known = self._section_keys.get(id(digest.sections))
        if known is None or known[0] is not digest.sections:
            if len(self._section_keys) > KEPT:
                self._section_keys.clear()
            known = self._section_keys[id(digest.sections)] = (
                digest.sections, sections_key(digest.sections),
            )  # fmt: skip
        key = form_key(digest, known[1])
        form = self._forms.get(key)
        if form is None:
            form = self._make(digest)
            self._forms[key] = form
            if len(self._forms) > KEPT:
                self._forms.popitem(last=False)
        return self._personal(form, digest)

    def _make(self, digest: Digest) -> _Form:
        r = digest.recipient
        name = self._name if r.name else ""
        stand_in = replace(digest, recipient=Recipient(0, STAND_IN_ADDRESS, name, r.language))
        message = self._stand_in.render(stand_in, self.now)
        self.rendered += 1
        body = Body(self._slots(message.text), self._slots(message.html))
        return _Form(storable(message.subject), body, bool(message.headers))

    def _slots(self, rendered: str) -> tuple[str, ...]:
        parts = self._split.split(storable(rendered))
        for i in range(1, len(parts), 2):
            parts[i] = self._markers[parts[i]]
        return tuple(parts)

    def _personal(self, form: _Form, digest: Digest) -> Parted:
        r = digest.recipient
        personal: dict[str, str] = {}
        slots = form.body.slots
        if r.name and NAME in slots:
            personal[NAME] = storable(r.name)
        if form.with_links and self.renderer.links is not None:
            version = self.versions.get(r.subscriber_id)
            if self.links is not None and version is not None:
                # signed when sent: the row holds what signing needs, not two signed links
                personal[LINKS] = links_value(version, r.language)
            else:
                links = self.renderer.links(r, self.now)
                if PREFERENCES in slots:
                    personal[PREFERENCES] = links.preferences
                # kept even where the text has no slot for it: the List-Unsubscribe headers
                personal[UNSUBSCRIBE] = links.unsubscribe
        return Parted(
            to=r.email, subject=form.subject, idempotency_key=digest.idempotency_key,
            body=form.body, personal=personal, subscriber_id=r.subscriber_id,
            planned_at=self.now, links=self.links,
        )  # fmt: skip
