"""The e-mail channel: SMTP and the mail folder.

``SmtpChannel`` hands mail to an SMTP server with aiosmtplib over one kept-open connection;
``MailFolderChannel`` writes each message as an .eml file (the embedded default, when no SMTP
server is configured). Both map their failures onto Temporary/PermanentDeliveryError.
"""

from __future__ import annotations

import email.errors
import email.policy
import os
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

import aiosmtplib

from notifier import mailsafe
from notifier.errors import (
    AddressRefused,
    InvalidMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from notifier.message import OutgoingMessage

#: the only extra headers a stored message may carry (the one-click unsubscribe pair)
EXTRA_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")
_FIXED_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted")
_MIME_HEADERS = ("MIME-Version", "Content-Type")


@dataclass(frozen=True)
class BuiltMail:
    """A message ready for the wire: the envelope recipient and the exact bytes sent."""

    recipient: str
    raw: bytes


def build_email(message: OutgoingMessage, mail_from: str) -> BuiltMail:
    """A multipart/alternative e-mail whose Message-ID derives from the idempotency key.

    Everything in it may come from the web, so it is built defensively (``notifier.mailsafe``):
    one strictly checked recipient, header texts decoded and stripped of control characters,
    only known header names, and the produced bytes parsed again to prove that they carry
    exactly those headers. Any problem raises ``PermanentDeliveryError``: this message fails
    alone, and sending it again would fail the same way."""
    try:
        return _build(message, mail_from)
    except (ValueError, TypeError, LookupError, UnicodeError, email.errors.MessageError) as exc:
        raise InvalidMessage(f"the message cannot be built: {exc}") from exc


def _build(message: OutgoingMessage, mail_from: str) -> BuiltMail:
    to = mailsafe.recipient(message.to)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    mail = EmailMessage(policy=email.policy.SMTP)
    mail["From"] = mail_from
    mail["To"] = to
    mail["Subject"] = mailsafe.header_text(message.subject)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = message.message_id(domain)
    mail["Auto-Submitted"] = "auto-generated"
    extra = []
    for name, value in dict(message.headers).items():
        if name not in EXTRA_HEADERS:
            raise mailsafe.UnsafeMessage(f"the header {name!r} may not be set by a message")
        mail[name] = mailsafe.header_text(value, limit=2000)
        extra.append(name)
    mail.set_content(_body(message.text))
    mail.add_alternative(_body(message.html), subtype="html")
    raw = mail.as_bytes()
    mailsafe.verify_headers(raw, (*_FIXED_HEADERS, *_MIME_HEADERS, *extra))
    return BuiltMail(to, raw)


def _body(text: str) -> str:
    """Body text that can be encoded: lone surrogates and NULs dropped."""
    if not isinstance(text, str):
        raise TypeError("a message body must be text")
    return text.encode("utf-8", errors="ignore").decode("utf-8").replace("\x00", "")


class MailFolderChannel:
    """Writes messages as .eml files; idempotent (the file is named by the message key)."""

    name = "email"

    def __init__(self, folder: Path, mail_from: str) -> None:
        self.folder = folder
        self.mail_from = mail_from

    async def send(self, message: OutgoingMessage) -> None:
        mail = build_email(message, self.mail_from)
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


class SmtpChannel:
    """Sends through one SMTP connection, opened on first use and reopened when lost."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        mail_from: str,
        *,
        username: str | None = None,
        password: str | None = None,
        implicit_tls: bool = False,
        starttls: bool | None = None,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.mail_from = mail_from
        self._envelope_from = parseaddr(mail_from)[1]
        self._username, self._password = username, password
        self._client = aiosmtplib.SMTP(
            hostname=host,
            port=port,
            use_tls=implicit_tls,
            start_tls=starttls,
            timeout=timeout,
            tls_context=tls_context,
        )

    async def _connected(self) -> aiosmtplib.SMTP:
        if not self._client.is_connected:
            await self._client.connect()
            if self._username and self._password:
                await self._client.login(self._username, self._password)
        return self._client

    async def send(self, message: OutgoingMessage) -> None:
        """Connection, login and sender problems are ours (configuration, outage): temporary,
        so nothing is lost while they are fixed. Only a 5xx for this recipient or this message
        is permanent."""
        mail = build_email(message, self.mail_from)
        try:
            client = await self._connected()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._reset()
            raise TemporaryDeliveryError(f"SMTP server unavailable: {exc}") from exc
        try:
            errors, _ = await client.sendmail(self._envelope_from, [mail.recipient], mail.raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise _classify(refused.code, refused.message, recipient=True) from exc
        except aiosmtplib.SMTPSenderRefused as exc:
            # our sender address: a configuration problem, never the subscriber's fault
            raise TemporaryDeliveryError(f"SMTP {exc.code}: sender refused") from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx/5xx to DATA or the end of data: about this message, not the address
            if 400 <= exc.code < 600:
                await self._reset_if_broken()
                raise _classify(exc.code, f"message refused: {exc.message}") from exc
            await self._reset()
            raise TemporaryDeliveryError(f"SMTP: unexpected reply {exc.code}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._reset()
            raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from exc
        for _address, (code, text) in errors.items():
            raise _classify(code, text, recipient=True)

    async def _reset(self) -> None:
        if self._client.is_connected:
            try:
                await self._client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                self._client.close()

    async def _reset_if_broken(self) -> None:
        """After a refusal the session must be usable for the next message: RSET, or a new
        connection when even that fails."""
        try:
            await self._client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await self._reset()

    async def close(self) -> None:
        await self._reset()


def _classify(
    code: int, text: str, *, recipient: bool = False
) -> TemporaryDeliveryError | PermanentDeliveryError:
    """5xx is permanent: for the address (a hard bounce) when the server refused the
    recipient, else for this message. Everything else is temporary. The server's text is
    kept short and stored; it may quote the address (erasure blanks it)."""
    detail = f"SMTP {code}: {' '.join(str(text).split())[:300]}"
    if 500 <= code < 600:
        return AddressRefused(detail) if recipient else PermanentDeliveryError(detail)
    return TemporaryDeliveryError(detail)
