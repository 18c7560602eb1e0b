"""The one address validator: the sign-up form, ``notifier subscribers add`` and CSV import all
call ``validate_address`` before anything is stored.

Syntax is judged by the maintained ``email-validator`` library, offline
(``check_deliverability=False``), with everything that is not a plain mailbox refused: display
names (``Ola <ola@x.no>``), groups, comments, lists, quoted local parts, domain literals
(``a@[127.0.0.1]``), empty labels (``a@k..no``), special-use domains (``.invalid``,
``.localhost``, ``.test``, ...), domains without a dot, over-long local parts (64) and addresses
(254). On top of the library, this module refuses any control or format character anywhere
(CR/LF, NUL, TAB, zero-width and bidi marks) before parsing, ``%`` and ``!`` in the local
part (percent-hack and bang-path relaying) and encoded words (``=?...?=``) in it.

Internationalised domains are accepted and stored in their IDNA (ASCII, ``xn--``) form, which
every SMTP server accepts: ``ola@ærø.no`` is stored as ``ola@xn--r-3fa9c.no``. Non-ASCII local
parts (``ærlig@x.no``) are refused: they need SMTPUTF8 end to end, which neither our relay
nor many receivers offer, and they open homoglyph look-alikes (a Cyrillic ``а``).

The stored address keeps the local part as typed (``Offer@x.no``); its comparison key is the
whole address in lower case (``offer@x.no``), and every look-up, uniqueness check, rate limit
and suppression compares keys.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from subscribers.tokens import email_hash

#: longest input looked at (RFC 5321 allows 254 for a usable address; more is refused early)
MAX_INPUT = 320
#: local-part characters that ask a relay to forward (``a%b@x.no``, ``b!a@x.no``)
ROUTING = frozenset("%!")


class AddressError(ValueError):
    """An address refused; ``str()`` says why (English, for operators) and ``code`` names the
    form error shown to the public (``email_invalid`` or ``email_local_unicode``)."""

    def __init__(self, message: str, code: str = "email_invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Address:
    """A validated address: ``email`` (stored and mailed: local part as typed, domain in
    lower-case IDNA/ASCII form), ``key`` (comparison key) and ``unicode_email`` (the domain
    in Unicode, the form earlier versions stored)."""

    email: str
    key: str
    unicode_email: str

    def suppression_hashes(self) -> frozenset[str]:
        """Every suppression hash this address may be stored under: that of the key, and the
        one of the form stored before this validator (domain in Unicode)."""
        return frozenset({email_hash(self.key), email_hash(self.unicode_email)})


def digits(text: str | None, most: int = 18) -> int | None:
    """``text`` as a non-negative integer when it is 1 to ``most`` ASCII digits, else None:
    the one rule for a whole number from outside (``notifier.numbers`` re-exports it for the
    shell). ``"²".isdigit()`` and ``"٣".isdigit()`` are true, but ``int("²")`` fails and
    ``int("٣")`` reads 3; 18 digits always fit a signed 64-bit integer."""
    if not text or len(text) > most or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def region_number(text: str) -> str:
    """A municipality or county number as the register writes it: spreadsheets drop the
    leading zero of 0301 and 03, so 1 or 3 ASCII digits get it back; anything else as given."""
    if digits(text, 3) is not None and len(text) in (1, 3):
        return text.zfill(len(text) + 1)
    return text


def _shown(raw: str) -> str:
    """The input quoted for a message: escaped (no control character reaches a terminal or
    a log) and shortened."""
    return repr(raw if len(raw) <= 80 else raw[:80] + "…")


def validate_address(raw: str) -> Address:
    """The address in ``raw`` (surrounding spaces ignored), or ``AddressError``."""
    if not isinstance(raw, str):
        raise AddressError("an e-mail address must be text")
    text = raw.strip(" ")
    if not text:
        raise AddressError("give an e-mail address")
    if len(text) > MAX_INPUT:
        raise AddressError(f"{_shown(text)} is not a valid e-mail address: too long")
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp"):
            raise AddressError(
                f"{_shown(text)} is not a valid e-mail address: it contains the control or "
                f"format character U+{ord(char):04X}"
            )
    try:
        found = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            allow_empty_local=False,
            globally_deliverable=True,
            strict=True,
        )
    except EmailNotValidError as exc:
        reason = str(exc)
        code = "email_local_unicode" if "Internationalized characters before" in reason else ""
        raise AddressError(
            f"{_shown(text)} is not a valid e-mail address: {reason}", code or "email_invalid"
        ) from None
    local = found.local_part
    if ROUTING & set(local):
        raise AddressError(
            f"{_shown(text)} is not a valid e-mail address: '%' and '!' in the part before "
            "the @-sign are refused (they ask mail servers to forward)"
        )
    if "=?" in local:
        raise AddressError(
            f"{_shown(text)} is not a valid e-mail address: an RFC 2047 encoded word ('=?') "
            "before the @-sign is refused (mail programs may decode it into something else)"
        )
    ascii_domain = found.ascii_domain.lower()
    email = f"{local}@{ascii_domain}"
    if not email.isascii():  # allow_smtputf8=False guarantees it; keep the promise visible
        raise AddressError(f"{_shown(text)} is not a valid e-mail address")
    return Address(email=email, key=email.lower(), unicode_email=f"{local}@{found.domain}")


#: longest name kept (the sign-up form says so)
MAX_NAME = 200


class NameRefused(ValueError):
    """A name refused; ``str()`` says why (English, for operators) and ``code`` names the form
    error (``name_too_long`` or ``name_invalid``)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_name(raw: str) -> str:
    """A subscriber's name as stored (surrounding spaces dropped), or ``NameRefused``: the one
    rule of the sign-up and preferences forms, CSV import and ``notifier subscribers add``. A
    name is one line of visible text: no control or format character (CR/LF, NUL, TAB, the
    zero-width and bidi marks that make the console show it other than it is) and no line or
    paragraph separator; at most ``MAX_NAME`` characters."""
    name = raw.strip()
    for char in name:
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp"):
            raise NameRefused(
                f"the name {_shown(name)} contains the control or format character "
                f"U+{ord(char):04X}",
                "name_invalid",
            )
    if len(name) > MAX_NAME:
        raise NameRefused(f"a name can have at most {MAX_NAME} characters", "name_too_long")
    return name


def address_key(email: str) -> str:
    """The comparison key of an address: that of the validated form when it is valid (so
    ``Ola@ÆRØ.NO`` and ``ola@xn--r-3fa9c.no`` are one key), else the text in lower case (it
    then matches nothing a validated write stored)."""
    try:
        return validate_address(email).key
    except AddressError:
        return email.strip().lower()


def lookup_keys(email: str) -> tuple[str, ...]:
    """The keys a subscriber with this address may be stored under: the key, then the key
    that revision 0005 derived for rows stored before this validator (domain in Unicode)."""
    try:
        found = validate_address(email)
    except AddressError:
        return (email.strip().lower(),)
    legacy = found.unicode_email.lower()
    return (found.key,) if legacy == found.key else (found.key, legacy)


def suppression_hashes(email: str) -> frozenset[str]:
    """The suppression hashes to look for or lift for ``email`` (see ``Address``); for an
    invalid text, the hash of the text as earlier versions computed it."""
    legacy = email_hash(email)
    try:
        return validate_address(email).suppression_hashes() | {legacy}
    except AddressError:
        return frozenset({legacy})


# --- Digest hours, weekday and quiet hours ---------------------------------------------------
#
# One rule for every way in (CSV import, ``notifier subscribers schedule``, the forms' codes):
# an hour is a whole local hour 0-23 (``8``, ``08``, ``08:00``, ``08.00``); a weekday is a name
# in bokmål, nynorsk or English, its first three letters, or its ISO number (1 = Monday ...
# 7 = Sunday), stored 0 = Monday; quiet hours are a start and an end hour, both or neither,
# not equal (``22-7`` wraps past midnight). ``standard``/``default`` asks for the service's
# default hour or weekday, ``ingen``/``none`` for no quiet hours.

#: words that ask for the service's default digest hour or weekday
DEFAULT_WORDS = frozenset({"standard", "default"})
#: words that ask for no quiet hours
NO_QUIET_WORDS = frozenset({"ingen", "none", "nei", "no", "off", "av"})

#: the weekdays' bokmål names, 0 = Monday (what the export writes)
WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

_WEEKDAY_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("mandag", "måndag", "monday"),
            ("tirsdag", "tysdag", "tuesday"),
            ("onsdag", "wednesday"),
            ("torsdag", "thursday"),
            ("fredag", "friday"),
            ("lørdag", "laurdag", "saturday"),
            ("søndag", "sundag", "sunday"),
        )
    )
    for full in names
    for name in (full, full[:3])
}


class ScheduleError(ValueError):
    """An hour, weekday or quiet period refused; ``str()`` says why (English, for operators)
    and ``code`` names the form error (``hour_invalid``, ``weekday_invalid``,
    ``quiet_invalid``), the codes ``subscribers.selfservice.check_hours`` uses."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def parse_hour(raw: str) -> int | None:
    """A digest hour: 0-23 (``8``, ``08``, ``08:00``, ``08.00``), or None for a default word."""
    text = raw.strip().lower()
    if text in DEFAULT_WORDS:
        return None
    return _hour(text, "hour_invalid", "a digest hour")


def _hour(text: str, code: str, what: str) -> int:
    head, sep, minutes = text.replace(".", ":").partition(":")
    hour = digits(head, 2)
    if hour is None or (sep and minutes != "00") or not 0 <= hour <= 23:
        raise ScheduleError(
            f"{_shown(text)} is not {what}: give a whole hour from 0 to 23 (for example 8 or "
            "08:00)",
            code,
        )
    return hour


def parse_weekday(raw: str) -> int | None:
    """A weekday, 0 = Monday (``fredag``, ``fre``, ``friday``, ``fri``, ``5``), or None for a
    default word."""
    text = raw.strip().lower().rstrip(".")
    if text in DEFAULT_WORDS:
        return None
    number = digits(text, 1)
    if number is not None and 1 <= number <= 7:
        return number - 1
    if text in _WEEKDAY_NAMES:
        return _WEEKDAY_NAMES[text]
    raise ScheduleError(
        f"{_shown(text)} is not a weekday: give a name (mandag ... søndag, mon ... sun) or a "
        "number from 1 (Monday) to 7 (Sunday)",
        "weekday_invalid",
    )


def check_quiet(start: int | None, end: int | None) -> tuple[int, int] | None:
    """Quiet hours as (start, end), or None for none; both or neither, each 0-23, unequal."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise ScheduleError(
            "quiet hours need both a start and an end hour (for example 22-7), or neither",
            "quiet_invalid",
        )
    if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
        raise ScheduleError(
            f"quiet hours {start}-{end} are not valid: give two different whole hours from 0 "
            "to 23 (22-7 is quiet from 22:00 to 07:00)",
            "quiet_invalid",
        )
    return start, end


def parse_quiet_hour(raw: str) -> int:
    """One end of a quiet period (``22``, ``22:00``)."""
    return _hour(raw.strip().lower(), "quiet_invalid", "a quiet hour")


def parse_quiet(raw: str) -> tuple[int, int] | None:
    """Quiet hours written as one value: ``22-7`` (also ``22:00-07:00``, an en dash), or None
    for ``ingen``/``none``."""
    text = raw.strip().lower()
    if text in NO_QUIET_WORDS:
        return None
    start, sep, end = text.replace("–", "-").partition("-")
    if not sep:
        raise ScheduleError(
            f"{_shown(text)} is not a quiet period: write it as START-END (for example 22-7), "
            "or 'ingen' for none",
            "quiet_invalid",
        )
    return check_quiet(parse_quiet_hour(start), parse_quiet_hour(end))
