"""The checks of single settings, and a failed validation as one line an operator can act on.

Pure: :mod:`notifier.settings` calls the ``check_*`` functions from its validators (each
returns the value or raises ValueError saying what to set); :func:`one_line` turns the
pydantic ``ValidationError`` of ``Settings()`` into ``NOTIFIER_<NAME>=<value>: <problem>;
<what to set>``, which the CLI prints before it exits with code 2. Values of secrets are never
shown, and passwords in URLs are masked.
"""

from __future__ import annotations

from email.utils import getaddresses, parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

#: the databases the service runs on, and the URL form to write for each
DATABASES = {
    "sqlite": "sqlite:///var/notifier.db",
    "postgresql": "postgresql+psycopg://user:password@host:5432/notifier",
}
DATABASE_HINT = f"set e.g. {DATABASES['sqlite']} or {DATABASES['postgresql']}"
#: settings whose values are never printed
SECRETS = frozenset({"secret_key", "hdir_api_key", "metrics_token"})
#: settings that are URLs: printed with the password masked
URLS = frozenset({"database_url", "smtp_url"})
#: what to set, by pydantic's error type (for the plain type and range errors)
HINTS = {
    "bool_parsing": "set true or false",
    "bool_type": "set true or false",
    "int_parsing": "set a whole number",
    "int_from_float": "set a whole number",
    "int_type": "set a whole number",
    "float_parsing": "set a number",
    "float_type": "set a number",
    "finite_number": "set a number",
    "greater_than": "set a larger number",
    "greater_than_equal": "set a larger number",
    "less_than": "set a smaller number",
    "less_than_equal": "set a smaller number",
    "path_type": "set a file path",
}


def check_database_url(url: str) -> str:
    """A SQLAlchemy URL of SQLite or PostgreSQL whose driver is installed."""
    try:
        parsed = make_url(url)
        urlsplit(url).hostname  # noqa: B018 (raises for a malformed IPv6 address)
    except (ArgumentError, ValueError) as exc:
        raise ValueError(f"cannot be read as a database URL; {DATABASE_HINT}") from exc
    backend = parsed.get_backend_name()
    if backend not in DATABASES:
        raise ValueError(f"the database {backend!r} is not supported; {DATABASE_HINT}")
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as exc:
        raise ValueError(
            f"the driver {parsed.drivername!r} is not installed; {DATABASE_HINT}"
        ) from exc
    if backend == "postgresql" and not parsed.database:
        raise ValueError(f"names no database; {DATABASE_HINT}")
    if backend == "sqlite" and not parsed.database:
        raise ValueError(f"names no database file; {DATABASE_HINT}")
    return url


def check_timezone(name: str) -> str:
    """An IANA time zone name known to this system."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("is not a known time zone; set an IANA name such as Europe/Oslo") from exc
    return name


def check_address(value: str, *, display_name: bool) -> str:
    """An e-mail address (``Name <addr>`` too if ``display_name``); ``localhost`` is allowed
    as the domain, for trying the service out."""
    name, addr = parseaddr(value)
    example = '"Helsevarsel <varsel@example.no>"' if display_name else "varsel@example.no"
    hint = f"set an address such as {example}"
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        # a line break would end the From header and start one of its own in every mail
        raise ValueError(
            f"is not an e-mail address (it holds a line break or control character); {hint}"
        )
    if len(getaddresses([value])) > 1:
        raise ValueError(f"names more than one address; set one address such as {example}")
    if "<" in value and not value.rstrip().endswith(">"):
        raise ValueError(
            f"is not an e-mail address (the <…> around the address is not closed); {hint}"
        )
    if not addr or (name and not display_name) or addr.count("@") != 1:
        raise ValueError(f"is not an e-mail address; {hint}")
    local, _, domain = addr.rpartition("@")
    if domain.lower() == "localhost" and local and " " not in local:
        return value
    try:
        validate_email(addr, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid e-mail address ({exc}); {hint}") from exc
    return value


def check_smtp_url(value: str) -> str:
    """Empty (mail goes to the mail folder), or smtp(s)://[user:password@]host[:port]."""
    if not value:
        return value
    hint = "set smtp://host:587 or smtps://host:465, or leave it empty to write mails to files"
    try:
        parts = urlsplit(value)
        parts.hostname  # noqa: B018 (raises for a malformed IPv6 address)
    except ValueError as exc:
        raise ValueError(f"cannot be read as a URL ({exc}); {hint}") from exc
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"must start with smtp:// or smtps://; {hint}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"has a port that is not a number from 1 to 65535; {hint}") from exc
    if port == 0:
        raise ValueError(f"has a port that is not a number from 1 to 65535; {hint}")
    if not parts.hostname:
        raise ValueError(f"names no host; {hint}")
    return value


def check_http_url(value: str, *, optional: bool = False) -> str:
    """An absolute http(s) URL with a host."""
    if optional and not value:
        return value
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 (raises for a bad port)
    except ValueError as exc:
        raise ValueError("has a port that is not a number from 1 to 65535") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute URL such as https://varsel.example.no")
    return value


def check_vapid_subject(value: str) -> str:
    """Empty, a mailto: URL or an https: URL (what push services accept as ``sub``)."""
    if not value:
        return value
    if value.startswith("mailto:"):
        check_address(value.removeprefix("mailto:"), display_name=False)
        return value
    if value.startswith("https://") and urlsplit(value).hostname:
        return value
    raise ValueError("set mailto:address or an https:// URL, or leave it empty")


def env_name(field: str) -> str:
    return f"NOTIFIER_{field.upper()}"


def shown(field: str, value: object) -> str:
    """A setting's value as it may be printed: secrets hidden, URL passwords masked."""
    if field in SECRETS:
        return "(hidden)"
    text = str(value)
    if field in URLS:
        try:
            parts = urlsplit(text)
            password = parts.password
        except ValueError:  # unreadable (an unclosed IPv6 bracket): mask whatever follows "//"
            return _masked_roughly(text)
        if password:
            user = parts.username or ""
            text = text.replace(f"{user}:{password}@", f"{user}:***@", 1)
    return repr(text) if text == "" or text != text.strip() or " " in text else text


def _masked_roughly(text: str) -> str:
    """A URL urlsplit cannot read, shown without anything that may be a password: the part
    between "//" and the last "@" is replaced."""
    head, sep, rest = text.partition("//")
    if sep and "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return head + sep + rest


def one_line(exc: ValidationError) -> str:
    """The first problem of a failed ``Settings()``, on one line: the variable, its value,
    what is wrong and what to set. Problems across several settings already name them."""
    error = exc.errors(include_url=False)[0]
    cause = (error.get("ctx") or {}).get("error")
    message = str(cause) if cause is not None else str(error["msg"])
    message = message.removeprefix("Value error, ")
    loc = [str(part) for part in error["loc"]]
    if not loc:
        return _flat(message)
    field = loc[0]
    hint = HINTS.get(error["type"])
    text = message[:1].lower() + message[1:]
    if hint:
        text = f"{text}; {hint}"
    value = error.get("input")
    return _flat(f"{env_name(field)}={shown(field, value)}: {text}")


def _flat(text: str) -> str:
    return " ".join(text.split())
