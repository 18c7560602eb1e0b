"""Delivery channels: one protocol for every way out (e-mail now; Web Push and others later).

``SmtpChannel`` hands mail to an SMTP server with aiosmtplib over one kept-open connection;
``MailFolderChannel`` writes each message as an .eml file (the embedded default, when no SMTP
server is configured). Both map their failures onto Temporary/PermanentDeliveryError.
"""

from __future__ import annotations

import os
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib

from notifier.errors import PermanentDeliveryError, TemporaryDeliveryError
from notifier.message import OutgoingMessage


class Channel(Protocol):
    name: str

    async def send(self, message: OutgoingMessage) -> None: ...

    async def close(self) -> None: ...


def build_email(message: OutgoingMessage, mail_from: str) -> EmailMessage:
    """A multipart/alternative e-mail; its Message-ID is derived from the idempotency key."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = message.message_id(domain)
    mail["Auto-Submitted"] = "auto-generated"
    for name, value in message.headers.items():
        mail[name] = value
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


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
            tmp.write_bytes(mail.as_bytes())
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
            errors, _ = await client.send_message(mail, sender=self._envelope_from)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _classify(exc.recipients[0].code, str(exc)) from exc
        except aiosmtplib.SMTPDataError as exc:
            raise _classify(exc.code, f"message refused: {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._reset()
            raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from exc
        for address, (code, text) in errors.items():
            raise _classify(code, f"{address}: {text}")

    async def _reset(self) -> None:
        if self._client.is_connected:
            try:
                await self._client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                self._client.close()

    async def close(self) -> None:
        await self._reset()


def _classify(code: int, text: str) -> TemporaryDeliveryError | PermanentDeliveryError:
    if 500 <= code < 600:
        return PermanentDeliveryError(f"SMTP {code}: {text}")
    return TemporaryDeliveryError(f"SMTP {code}: {text}")
