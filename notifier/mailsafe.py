"""Making untrusted text safe for mail headers, and checking a recipient address. Pure.

Titles, source names and summaries come from the web. A header value is made safe in this
order: decode RFC 2047 encoded words (repeatedly: an encoded word may hide another), then drop
every control and line-break character (C0, C1, DEL, U+2028/U+2029), collapse whitespace, and
break any encoded-word syntax still left, so the email package's header parser cannot decode a
line break back into the value when the header is set. ``verify_headers`` then re-reads the
produced bytes: exactly the headers we set, each once, or the message is refused.

Exceptions: ``UnsafeMessage`` (a ``ValueError``): this message cannot be sent as it is;
retrying cannot help.
"""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from collections.abc import Iterable
from email.header import decode_header

from notifier.textsafe import clean

#: longest header text we produce (RFC 5322 allows 998 octets per line; folding handles length)
MAX_HEADER_CHARS = 500
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")
_LINE_BREAKS = {"\u2028", "\u2029", "\x85"}
_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


#: something like an address: a run of the characters of one, holding an "@", matched from
#: the run's start only (a lookbehind; the leftmost match starts there anyway): searched from
#: every position, a long run without "@" (a hostile mail server's answer) was read to its
#: end from each of them, quadratic (20 KB: 1.4 s)
_ADDRESS_LIKE = re.compile(r"(?<![^\s<>\"'(),;:\[\]])[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")


def redact(text: str) -> str:
    """``text`` with everything that looks like an e-mail address replaced: for the error
    texts we store and log (a mail server's 550 answer quotes the address)."""
    return _ADDRESS_LIKE.sub("<adresse>", text)


class UnsafeMessage(ValueError):
    """The message cannot be built safely; sending it again would fail the same way."""


def header_text(value: str, limit: int = MAX_HEADER_CHARS) -> str:
    """``value`` as one line of plain text, safe to set as a header value."""
    text = str(value)
    for _ in range(5):
        decoded = _decode_words(text)
        decoded = _strip_controls(decoded)
        if decoded == text:
            break
        text = decoded
    # what no reader should get (bidi overrides that turn a subject or a sender around,
    # zero-width characters, noncharacters): ``textsafe``
    text = _strip_controls(clean(text))
    # Encoded-word syntax that is still there (nested deeper than we decode, or malformed)
    # is broken up so that no header parser decodes it again.
    text = _ENCODED_WORD.sub(lambda m: m.group(0).replace("=?", "=\u200b?"), text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decode_words(text: str) -> str:
    if "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except (ValueError, LookupError, UnicodeError):
        return text
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            try:
                out.append(chunk.decode(charset or "ascii", errors="replace"))
            except LookupError:
                out.append(chunk.decode("ascii", errors="replace"))
        else:
            out.append(chunk)
    return "".join(out)


def _strip_controls(text: str) -> str:
    """Control characters become spaces (a line break between two words stays a gap);
    lone surrogates, which cannot be encoded, go."""
    return "".join(
        " " if (unicodedata.category(ch) == "Cc" or ch in _LINE_BREAKS) else ch
        for ch in text
        if unicodedata.category(ch) != "Cs"
    )


def recipient(address: str) -> str:
    """The one address of a recipient, checked strictly (addr-spec only: no display name, no
    list, no group, no comment, no quoted local part, no IP literal); the domain in its ASCII
    (IDNA) form. Raises ``UnsafeMessage``."""
    if not isinstance(address, str) or address != address.strip() or not address:
        raise UnsafeMessage("the recipient address is empty or has surrounding whitespace")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp") for ch in address):
        raise UnsafeMessage("the recipient address contains spaces or control characters")
    if len(address) > 254 or address.count("@") != 1:
        raise UnsafeMessage("the recipient address is not a single address")
    local, domain = address.split("@")
    if not local or len(local) > 64 or not (local.isascii() and _DOT_ATOM.match(local)):
        raise UnsafeMessage("the local part of the recipient address is not valid")
    return f"{local}@{ascii_domain(domain)}"


def ascii_domain(domain: str) -> str:
    """A domain name in its ASCII form, every label checked. Raises ``UnsafeMessage``."""
    try:
        ascii_form = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise UnsafeMessage("the recipient domain is not a valid domain name") from exc
    labels = ascii_form.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise UnsafeMessage("the recipient domain is not a valid domain name")
    if labels[-1].isdigit():
        raise UnsafeMessage("the recipient domain is an address, not a name")
    return ascii_form


def verify_headers(raw: bytes, expected: Iterable[str]) -> None:
    """Parse the produced message again: every header name in ``expected`` exactly once and
    no other header at the top level. Raises ``UnsafeMessage``."""
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    names = [name.lower() for name in parsed]
    wanted = {name.lower() for name in expected}
    extra = sorted(set(names) - wanted)
    if extra:
        raise UnsafeMessage(f"the built message has unexpected headers: {', '.join(extra)}")
    repeated = sorted(name for name in wanted if names.count(name) != 1)
    if repeated:
        raise UnsafeMessage(f"the built message lacks or repeats headers: {', '.join(repeated)}")
