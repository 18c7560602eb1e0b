"""The SMTP channel: a small pool of kept-open connections sending concurrently.

``SmtpChannel`` hands mail to an SMTP server with aiosmtplib. It keeps up to ``connections``
connections open and reuses each for message after message of a delivery run; a message takes a
free connection, or opens one while fewer than ``connections`` exist, or waits. At most
``per_domain`` messages to one recipient domain are in an SMTP transaction at once (0: only the
pool limits), so one large domain cannot take every connection and a receiving domain sees a
bounded number of parallel sessions. A global send rate (messages per second, over all
connections) holds it back when configured.

Each connection runs one transaction at a time. A connection the server dropped between two
messages (an idle timeout, a per-connection message limit) is reopened and the message sent on
it (MAIL FROM on the new connection: nothing of the message was sent yet), so nobody is skipped
or sent twice; a connection lost during a transaction reports a temporary failure for that
message alone, which is retried later with the same Message-ID. Failures map onto
Temporary/PermanentDeliveryError: only a 5xx for the recipient (a hard bounce,
``AddressRefused``) or for the message is permanent.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from email.utils import parseaddr

import aiosmtplib

from notifier.channels.email import BuiltMail, DkimKey, build_email
from notifier.errors import AddressRefused, PermanentDeliveryError, TemporaryDeliveryError
from notifier.message import OutgoingMessage

_NETWORK = (aiosmtplib.SMTPException, OSError, TimeoutError)


class SmtpChannel:
    """Sends through a pool of SMTP connections, each opened on first use and reopened when
    lost; ``connections=1`` (the default) is one connection reused for everything."""

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
        connections: int = 1,
        per_domain: int = 0,
    ) -> None:
        self.mail_from = mail_from
        self.dkim_key = dkim_key
        #: at most this many messages per second over all connections (0: no limit)
        self._rate = _Rate(rate_per_second)
        self.pool_size = max(1, connections)
        self.per_domain = max(0, per_domain)
        #: connections opened (each new one of the pool, and each reopened after a drop)
        self.connections = 0
        self._slots = asyncio.Semaphore(self.pool_size)
        self._domains: dict[str, asyncio.Semaphore] = {}
        self._idle: list[_Connection] = []
        self._every: list[_Connection] = []
        envelope_from = parseaddr(mail_from)[1]

        def client() -> aiosmtplib.SMTP:
            return aiosmtplib.SMTP(
                hostname=host, port=port, use_tls=implicit_tls, start_tls=starttls,
                timeout=timeout, tls_context=tls_context,
            )  # fmt: skip

        def opened() -> None:
            self.connections += 1

        def new() -> _Connection:
            return _Connection(client, envelope_from, username, password, opened)

        self._new = new

    async def send(self, message: OutgoingMessage) -> None:
        """Connection, login and sender problems are ours (configuration, outage): temporary,
        so nothing is lost while they are fixed. Only a 5xx for this recipient or this message
        is permanent."""
        mail = build_email(message, self.mail_from, self.dkim_key)
        await self.send_built(mail)

    async def send_built(self, mail: BuiltMail) -> None:
        """Send a message already built (waits for its domain's turn and a connection)."""
        domain = mail.recipient.rpartition("@")[2].lower()
        async with self._domain(domain), self._slots:
            connection = self._idle.pop() if self._idle else self._add()
            try:
                await self._rate.wait()
                await connection.send(mail)
            except asyncio.CancelledError:
                connection.abort()  # cut off mid-transaction: its state is unknown
                raise
            finally:
                self._idle.append(connection)

    def _add(self) -> _Connection:
        connection = self._new()
        self._every.append(connection)
        return connection

    def _domain(self, domain: str) -> asyncio.Semaphore | _NoLimit:
        if not self.per_domain:
            return _NO_LIMIT
        gate = self._domains.get(domain)
        if gate is None:
            gate = self._domains[domain] = asyncio.Semaphore(self.per_domain)
        return gate

    async def close(self) -> None:
        for connection in self._every:
            await connection.reset()


class _NoLimit:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


_NO_LIMIT = _NoLimit()


class _Connection:
    """One SMTP connection of the pool: one transaction at a time."""

    def __init__(
        self,
        client: Callable[[], aiosmtplib.SMTP],
        envelope_from: str,
        username: str | None,
        password: str | None,
        opened: Callable[[], None],
    ) -> None:
        self._client = client()
        self._envelope_from = envelope_from
        self._username, self._password = username, password
        self._opened = opened

    async def _connected(self) -> aiosmtplib.SMTP:
        if not self._client.is_connected:
            await self._client.connect()
            self._opened()
            if self._username and self._password:
                await self._client.login(self._username, self._password)
        return self._client

    async def _open(self) -> aiosmtplib.SMTP:
        try:
            return await self._connected()
        except _NETWORK as exc:
            await self.reset()
            raise TemporaryDeliveryError(f"SMTP server unavailable: {exc}") from exc

    async def send(self, mail: BuiltMail) -> None:
        client = await self._begin()
        try:
            await client.rcpt(mail.recipient)
        except aiosmtplib.SMTPResponseException as exc:  # SMTPRecipientRefused among them
            await self._reset_if_broken()
            raise _classify(exc.code, exc.message, recipient=True) from exc
        except _NETWORK as exc:
            await self.reset()
            raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from exc
        try:
            await client.data(mail.raw)
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx/5xx to DATA or the end of data: about this message, not the address
            if 400 <= exc.code < 600:
                await self._reset_if_broken()
                raise _classify(exc.code, f"message refused: {exc.message}") from exc
            await self.reset()
            raise TemporaryDeliveryError(f"SMTP: unexpected reply {exc.code}") from exc
        except _NETWORK as exc:
            await self.reset()
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
                await self.reset()
                raise TemporaryDeliveryError(f"SMTP {exc.code}: {exc.message}") from exc
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError) as exc:
                self._client.close()
                if attempt == 2:
                    raise TemporaryDeliveryError(f"SMTP: connection lost: {exc}") from exc
            except _NETWORK as exc:
                await self.reset()
                raise TemporaryDeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")

    async def reset(self) -> None:
        if self._client.is_connected:
            try:
                await self._client.quit()
            except _NETWORK:
                self._client.close()

    def abort(self) -> None:
        self._client.close()

    async def _reset_if_broken(self) -> None:
        """After a refusal the session must be usable for the next message: RSET, or a new
        connection when even that fails."""
        try:
            await self._client.rset()
        except _NETWORK:
            await self.reset()


class _Rate:
    """At most ``per_second`` messages a second, evenly spaced, over every connection (0: no
    limit). Each caller reserves the next free instant before it waits, so concurrent senders
    never share one."""

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
