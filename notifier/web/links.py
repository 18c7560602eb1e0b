"""Signed links to the self-service pages, built from NOTIFIER_BASE_URL.

``attach(ctx)`` gives the context's renderer a link maker, so every alert and digest carries
its preferences and one-click unsubscribe links (and List-Unsubscribe headers); planning calls
it before rendering, so preview and sending render the very same message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from notifier.context import Context
from notifier.digest import Recipient
from notifier.render import MailLinks
from subscribers.models import Subscriber
from subscribers.selfservice import signing_secret
from subscribers.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, sign, signer


def load_secret(ctx: Context) -> bytes:
    """NOTIFIER_SECRET_KEY, or the key generated on first run (stored in the database)."""
    with Session(ctx.engine) as session:
        secret = signing_secret(session, ctx.settings.secret_key)
        session.commit()
    return secret


class Links:
    def __init__(self, base_url: str, secret: bytes) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        #: (purpose, now) -> its signer (``tokens.signer``): a dispatch signs at one ``now``
        self._signers: dict[tuple[str, datetime], Callable[[int, int], str]] = {}

    def _signer(self, purpose: str, now: datetime) -> Callable[[int, int], str]:
        found = self._signers.get((purpose, now))
        if found is None:
            if len(self._signers) > 8:
                self._signers.clear()
            found = self._signers[(purpose, now)] = signer(self.secret, purpose, now)
        return found

    def token(self, purpose: str, subscriber: Subscriber, now: datetime) -> str:
        assert subscriber.id is not None
        return sign(self.secret, purpose, subscriber.id, subscriber.token_version, now)

    def confirm(self, subscriber: Subscriber, now: datetime) -> str:
        """The confirmation link of a sign-up; it opens in the subscriber's language (a mail
        is often opened in another browser than the one that signed up)."""
        token = self.token(CONFIRM, subscriber, now)
        return f"{self.base_url}/bekreft/{token}{lang_suffix(subscriber.language)}"

    def preferences(self, subscriber: Subscriber, now: datetime, lang: str | None = None) -> str:
        """The preferences link, in ``lang`` (default: the subscriber's language)."""
        token = self.token(MANAGE, subscriber, now)
        return f"{self.base_url}/innstillinger/{token}{lang_suffix(lang or subscriber.language)}"

    def mail_links(self, sid: int, version: int, now: datetime, lang: str = "nb") -> MailLinks:
        """The signed links of one subscriber's mail; for a nynorsk reader (``lang="nn"``) the
        pages they open are in nynorsk (``?lang=nn``, which the page also remembers)."""
        manage = self._signer(MANAGE, now)(sid, version)
        unsub = self._signer(UNSUBSCRIBE, now)(sid, version)
        suffix = lang_suffix(lang)
        return MailLinks(
            preferences=f"{self.base_url}/innstillinger/{manage}{suffix}",
            unsubscribe=f"{self.base_url}/u/{unsub}{suffix}",
        )

    def change(self, change_id: int, lang: str = "nb") -> str:
        """The public page of a change, in the reader's language (for mails and feeds)."""
        return f"{self.base_url}/endringer/{change_id}{lang_suffix(lang)}"


def lang_suffix(lang: str) -> str:
    """The query string that opens a page in ``lang``: nothing for bokmål (the default)."""
    return "?lang=nn" if lang == "nn" else ""


def attach(ctx: Context) -> Links:
    """Give ``ctx.renderer`` its link maker (once) and return the link builder."""
    links = Links(ctx.settings.base_url, load_secret(ctx))
    if ctx.renderer.links is None:
        versions: dict[int, int] = {}

        def make(recipient: Recipient, now: datetime) -> MailLinks:
            sid = recipient.subscriber_id
            if sid not in versions:
                with Session(ctx.engine) as session:
                    row = session.get(Subscriber, sid)
                    versions[sid] = row.token_version if row else 0
            return links.mail_links(sid, versions[sid], now, recipient.language)

        ctx.renderer.links = make
    return links
