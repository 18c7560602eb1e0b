"""Building the bytes of one e-mail, fast and strictly. Pure.

The email package's ``EmailMessage`` builds, folds and then (in ``mailsafe.verify_headers``)
re-parses every message: about 3 ms a message, more than an SMTP transaction to a local relay.
A digest run sends thousands of messages that differ only in their recipient, links and Date,
so this module writes the same MIME structure directly:

- every header value that can come from the web is first made one safe line
  (``mailsafe.header_text``); a value that is plain printable ASCII is written as it is (and a
  List-Unsubscribe folded after its commas); any other value (non-ASCII, encoded-word syntax
  broken up by ``header_text``) is folded and encoded by the email package, and that result is
  kept (``functools.lru_cache``), so a subject shared by a thousand digests is encoded once;
- the bodies get the encoding the email package's SMTP policy would choose: 7bit or 8bit when
  every line fits in 78 octets, quoted-printable (``binascii``, in C) otherwise;
- the header block is read again line by line as a mail reader would (``_verify``; the
  email package's parser cost more than building): exactly the headers we set, each once, in
  unambiguous CRLF lines of ASCII, or the message is refused. The MIME part headers are
  ours and fixed, and the boundary is checked to occur in no body.

The result is a multipart/alternative message with the same headers as before.
"""

from __future__ import annotations

import binascii
import email.policy
import random
import re
import sys
import time
from email.utils import formatdate, parseaddr
from functools import lru_cache

from notifier import mailsafe
from notifier.message import OutgoingMessage

#: the only extra headers a stored message may carry (the one-click unsubscribe pair)
EXTRA_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")
FIXED_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted")
MIME_HEADERS = ("MIME-Version", "Content-Type")
#: the longest line RFC 5322 allows (without CRLF); recommended: 78
_HARD_LIMIT = 998
_SOFT_LIMIT = 78
_POLICY = email.policy.SMTP
#: the start of a header line: a field name (printable ASCII but the colon) and a colon
_FIELD = re.compile(rb"([!-9;-~]+):")


def build_raw(message: OutgoingMessage, mail_from: str) -> tuple[str, bytes]:
    """The checked envelope recipient and the bytes of the message. Raises ``ValueError``
    (``mailsafe.UnsafeMessage``), ``TypeError``, ``UnicodeError`` or an email package error
    when the message cannot be built safely."""
    to = mailsafe.recipient(message.to)
    sender, domain = _sender(mail_from)
    parts = [
        sender,
        _plain("To", to),
        _subject(message.subject),
        _plain("Date", _date(int(time.time()))),
        _plain("Message-ID", message.message_id(domain)),
        b"Auto-Submitted: auto-generated\r\n",
    ]
    extra = []
    for name, value in dict(message.headers).items():
        if name not in EXTRA_HEADERS:
            raise mailsafe.UnsafeMessage(f"the header {name!r} may not be set by a message")
        parts.append(_extra(name, value))
        extra.append(name)
    text_cte, text = _encode(message.text)
    html_cte, html = _encode(message.html)
    boundary = _boundary(text, html)
    parts.append(b"MIME-Version: 1.0\r\n")
    parts.append(b'Content-Type: multipart/alternative;\r\n boundary="' + boundary + b'"\r\n')
    head = b"".join(parts)
    _verify(head, (*FIXED_HEADERS, *MIME_HEADERS, *extra))
    delimiter = b"--" + boundary
    raw = b"".join(
        (
            head, b"\r\n",
            delimiter, b'\r\nContent-Type: text/plain; charset="utf-8"\r\n',
            b"Content-Transfer-Encoding: ", text_cte, b"\r\n\r\n", text, b"\r\n",
            delimiter, b'\r\nContent-Type: text/html; charset="utf-8"\r\n',
            b"Content-Transfer-Encoding: ", html_cte, b"\r\n\r\n", html, b"\r\n",
            delimiter, b"--\r\n",
        )
    )  # fmt: skip
    return to, raw


def _verify(head: bytes, expected: tuple[str, ...]) -> None:
    """Read the header block as a mail reader would and check that it carries exactly the
    headers in ``expected``, each once. The block must be unambiguous for every reader: ASCII,
    no NUL, every line ended by CRLF (no bare CR or LF), no empty line; a line is either a
    continuation (it starts with a space or tab) or ``name:`` (printable ASCII, no colon in the
    name). Raises ``UnsafeMessage``."""
    if not head.isascii() or b"\x00" in head or not head.endswith(b"\r\n"):
        raise mailsafe.UnsafeMessage("the built header block is not plain ASCII lines")
    if head.count(b"\r") != head.count(b"\r\n") or head.count(b"\n") != head.count(b"\r\n"):
        raise mailsafe.UnsafeMessage("the built header block has a bare line break")
    names: list[str] = []
    for line in head[:-2].split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not names or not line.strip():
                raise mailsafe.UnsafeMessage("the built header block has a misplaced line")
            continue
        match = _FIELD.match(line)
        if match is None:
            raise mailsafe.UnsafeMessage("the built header block has a line that is no header")
        names.append(match.group(1).decode("ascii").lower())
    wanted = {name.lower() for name in expected}
    extra = sorted(set(names) - wanted)
    if extra:
        raise mailsafe.UnsafeMessage(
            f"the built message has unexpected headers: {', '.join(extra)}"
        )
    repeated = sorted(name for name in wanted if names.count(name) != 1)
    if repeated:
        raise mailsafe.UnsafeMessage(
            f"the built message lacks or repeats headers: {', '.join(repeated)}"
        )


@lru_cache(maxsize=16)
def _sender(mail_from: str) -> tuple[bytes, str]:
    """The From header (folded by the email package once) and the domain of Message-IDs."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return _folded("From", mail_from), domain


@lru_cache(maxsize=4)
def _date(second: int) -> str:
    return formatdate(second, localtime=False, usegmt=True)


@lru_cache(maxsize=2048)
def _subject(subject: str) -> bytes:
    """A digest's subject is shared by many recipients: cleaned and encoded once."""
    return _header("Subject", mailsafe.header_text(subject))


@lru_cache(maxsize=256)
def _extra(name: str, value: str) -> bytes:
    return _header(name, mailsafe.header_text(value, limit=2000))


def _header(name: str, value: str) -> bytes:
    """``value`` (one safe line) as a header: written as it is when plain ASCII, otherwise
    folded and encoded by the email package."""
    if _is_plain(value) and len(name) + 2 + len(value) <= _HARD_LIMIT:
        if name == "List-Unsubscribe" and len(name) + 2 + len(value) > _SOFT_LIMIT:
            return f"{name}: {value.replace(', ', ',' + chr(13) + chr(10) + ' ')}\r\n".encode()
        return _plain(name, value)
    return _folded(name, value)


def _is_plain(value: str) -> bool:
    return value.isascii() and value.isprintable() and "=?" not in value


def _plain(name: str, value: str) -> bytes:
    """A header whose value was checked to be one line of printable ASCII."""
    if not _is_plain(value) or len(value) > _HARD_LIMIT:
        raise mailsafe.UnsafeMessage(f"the {name} header is not one line of plain text")
    return f"{name}: {value}\r\n".encode("ascii")


@lru_cache(maxsize=2048)
def _folded(name: str, value: str) -> bytes:
    header = _POLICY.header_factory(name, value)
    folded: str = header.fold(policy=_POLICY)
    return folded.encode("ascii")


def _encode(body: str) -> tuple[bytes, bytes]:
    """(Content-Transfer-Encoding, the encoded body with CRLF line ends and no final CRLF
    but the one of its last line), as the email package's SMTP policy chooses."""
    if not isinstance(body, str):
        raise TypeError("a message body must be text")
    data = body.encode("utf-8", errors="ignore").replace(b"\x00", b"")
    lines = data.splitlines()
    if max((len(line) for line in lines), default=0) <= _SOFT_LIMIT:
        cte = b"7bit" if data.isascii() else b"8bit"
        return cte, b"\r\n".join(lines) + b"\r\n"
    encoded = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True)
    return b"quoted-printable", encoded.replace(b"\n", b"\r\n")


def _boundary(*bodies: bytes) -> bytes:
    while True:
        token = f"==============={random.randrange(sys.maxsize)}==".encode("ascii")
        if not any(token in body for body in bodies):
            return token
