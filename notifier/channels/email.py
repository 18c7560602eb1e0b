"""The e-mail channel: SMTP and the mail folder.

``SmtpChannel`` hands mail to an SMTP server with aiosmtplib over one kept-open connection,
reused for every message of a delivery run; a connection the server dropped between two
messages (an idle timeout, a per-connection message limit) is reopened and the message sent on
it, so nobody is skipped or sent twice. A global send rate (messages per second) holds it back
when configured. ``MailFolderChannel`` writes
each message as an .eml file (the embedded default, when no SMTP server is configured). Both map
their failures onto Temporary/PermanentDeliveryError.

When a DKIM key is configured (``DkimKey``: selector, domain, private key) every message is
signed (dkimpy, relaxed/relaxed, rsa-sha256) over From, To, Subject, Date, Message-ID,
List-Unsubscribe and List-Unsubscribe-Post and the MIME headers, after it was built and checked:
the signature is the first header of the exact bytes sent.
"""

from __future__ import annotations

import asyncio
import email.errors
import email.policy
import os
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

import aiosmtplib
import dkim  # type: ignore[import-untyped]

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

    Everything in it may come from the web, so it is built defensively (``notifier.mailsafe``):
    one strictly checked recipient, header texts decoded and stripped of control characters,
    only known header names, and the produced bytes parsed again to prove that they carry
    exactly those headers. Any problem raises ``PermanentDeliveryError``: this message fails
    alone, and sending it again would fail the same way."""
    try:
        built = _build(message, mail_from)
    except (ValueError, TypeError, LookupError, UnicodeError, email.errors.MessageError) as exc:
        raise InvalidMessage(f"the message cannot be built: {exc}") from exc
    if dkim_key is None:
        return built
    try:
        return BuiltMail(built.recipient, dkim_key.sign(built.raw))
    except dkim.DKIMException as exc:  # a broken key: ours to fix, nothing is lost meanwhile
        raise TemporaryDeliveryError(f"DKIM signing failed: {exc}") from exc


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
        dkim_key: DkimKey | None = None,
        rate_per_second: float = 0.0,
    ) -> None:
        self.mail_from = mail_from
        self.dkim_key = dkim_key
        #: at most this many messages per second over all domains (0: no limit)
        self._rate = _Rate(rate_per_second)
        #: one SMTP transaction at a time on the one connection
        self._lock = asyncio.Lock()
        #: connections opened (the first, and each reopened after a drop)
        self.connections = 0
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
            self.connections += 1
            if self._username and self._password:
                await self._client.login(self._username, self._password)
        return self._client

    async def send(self, message: OutgoingMessage) -> None:
        """Connection, login and sender problems are ours (configuration, outage): temporary,
        so nothing is lost while they are fixed. Only a 5xx for this recipient or this message
        is permanent."""
        mail = build_email(message, self.mail_from, self.dkim_key)
        async with self._lock:
            await self._rate.wait()
            await self._send(mail)

    async def _open(self) -> aiosmtplib.SMTP:
        try:
            return await self._connected()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._reset()
            raise TemporaryDeliveryError(f"SMTP server unavailable: {exc}") from exc

    async def _send(self, mail: BuiltMail) -> None:
        client = await self._begin()
        try:
            await client.rcpt(mail.recipient)
        except aiosmtplib.SMTPRecipientRefused as exc:
            await self._reset_if_broken()
            raise _classify(exc.code, exc.message, recipient=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset_if_broken()
            raise _classify(exc.code, exc.message, recipient=True) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._reset()
            raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from exc
        try:
            await client.data(mail.raw)
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

    async def _begin(self) -> aiosmtplib.SMTP:
        """MAIL FROM on the kept connection. If the server dropped it between two messages (an
        idle timeout, a limit of messages per connection), nothing of this message was sent
        yet: it starts again on a new connection, so nobody is skipped or sent twice."""
        for attempt in (1, 2):
            client = await self._open()
            try:
                await client.mail(self._envelope_from)
                return client
            except aiosmtplib.SMTPSenderRefused as exc:
                # our sender address: a configuration problem, never the subscriber's fault
                await self._reset_if_broken()
                raise TemporaryDeliveryError(f"SMTP {exc.code}: sender refused") from exc
            except aiosmtplib.SMTPResponseException as exc:
                await self._reset()
                raise TemporaryDeliveryError(f"SMTP {exc.code}: {exc.message}") from exc
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError) as exc:
                self._client.close()
                if attempt == 2:
                    raise TemporaryDeliveryError(f"SMTP: connection lost: {exc}") from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._reset()
                raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")

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


class _Rate:
    """At most ``per_second`` messages a second, evenly spaced (0: no limit)."""

    def __init__(self, per_second: float) -> None:
        self.gap = 1.0 / per_second if per_second > 0 else 0.0
        self.next = 0.0

    async def wait(self) -> None:
        if not self.gap:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = max(now, self.next)
        self.next = at + self.gap
        if at > now:
            await asyncio.sleep(at - now)


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
