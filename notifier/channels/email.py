"""The e-mail channel: building a mail, DKIM, and the mail folder.

``build_email`` makes the exact bytes of a message (``notifier.channels.mime``), signed when a
DKIM key is configured. ``SmtpChannel`` (``notifier.channels.smtp``) hands mail to an SMTP
server over a pool of kept-open connections; ``MailFolderChannel`` writes each message as an
.eml file (the embedded default, when no SMTP server is configured). Both map their failures
onto Temporary/PermanentDeliveryError.

When a DKIM key is configured (``DkimKey``: selector, domain, private key) every message is
signed (dkimpy, relaxed/relaxed, rsa-sha256) over From, To, Subject, Date, Message-ID,
List-Unsubscribe and List-Unsubscribe-Post and the MIME headers, after it was built and checked:
the signature is the first header of the exact bytes sent.
"""

from __future__ import annotations

import email.errors
import os
from dataclasses import dataclass
from pathlib import Path

import dkim  # type: ignore[import-untyped]

from notifier.channels.mime import EXTRA_HEADERS, build_raw
from notifier.errors import InvalidMessage, TemporaryDeliveryError
from notifier.message import OutgoingMessage

__all__ = [
    "EXTRA_HEADERS", "BuiltMail", "DkimKey", "MailFolderChannel", "build_email",
]  # fmt: skip

#: the headers a DKIM signature covers (one that is absent is signed as absent, so it cannot
#: be added on the way)
DKIM_HEADERS = (
    b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe",
    b"list-unsubscribe-post", b"mime-version", b"content-type", b"auto-submitted",
)  # fmt: skip


@dataclass(frozen=True)
class DkimKey:
    """What signs outgoing mail: the selector and domain published in DNS
    (``<selector>._domainkey.<domain>``) and the PEM private key."""

    selector: str
    domain: str
    private_key: bytes

    def sign(self, raw: bytes) -> bytes:
        """The message with its DKIM-Signature header in front."""
        signature = dkim.sign(
            raw,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(DKIM_HEADERS),
        )
        return bytes(signature) + raw


@dataclass(frozen=True)
class BuiltMail:
    """A message ready for the wire: the envelope recipient and the exact bytes sent."""

    recipient: str
    raw: bytes


def build_email(
    message: OutgoingMessage, mail_from: str, dkim_key: DkimKey | None = None
) -> BuiltMail:
    """A multipart/alternative e-mail whose Message-ID derives from the idempotency key.

    Everything in it may come from the web, so it is built defensively (``notifier.mailsafe``,
    ``notifier.channels.mime``): one strictly checked recipient, header texts decoded and
    stripped of control characters, only known header names, and the produced header block
    parsed again to prove that it carries exactly those headers. Any problem raises
    ``PermanentDeliveryError``: this message fails alone, and sending it again would fail the
    same way."""
    try:
        recipient, raw = build_raw(message, mail_from)
    except (ValueError, TypeError, LookupError, UnicodeError, email.errors.MessageError) as exc:
        raise InvalidMessage(f"the message cannot be built: {exc}") from exc
    if dkim_key is None:
        return BuiltMail(recipient, raw)
    try:
        return BuiltMail(recipient, dkim_key.sign(raw))
    except dkim.DKIMException as exc:  # a broken key: ours to fix, nothing is lost meanwhile
        raise TemporaryDeliveryError(f"DKIM signing failed: {exc}") from exc


class MailFolderChannel:
    """Writes messages as .eml files; idempotent (the file is named by the message key)."""

    name = "email"

    def __init__(self, folder: Path, mail_from: str, dkim_key: DkimKey | None = None) -> None:
        self.folder = folder
        self.mail_from = mail_from
        self.dkim_key = dkim_key

    async def send(self, message: OutgoingMessage) -> None:
        mail = build_email(message, self.mail_from, self.dkim_key)
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = message.message_id("x")[1:41]
        target = self.folder / f"{stem}.eml"
        tmp = target.with_suffix(".tmp")
        try:
            tmp.write_bytes(mail.raw)
            os.replace(tmp, target)
        except OSError as exc:
            raise TemporaryDeliveryError(f"could not write {target}: {exc}") from exc

    async def close(self) -> None:
        return None
