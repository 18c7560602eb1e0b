"""What the API and the Atom feeds share: the change filters read from the query string,
errors as JSON with a Norwegian message and a stable code, opaque cursors, and conditional
GET (ETag, Last-Modified, 304).

Query parameters are taken as plain strings and checked here, so a wrong value is answered
by ``ApiProblem`` (400, ``{"error": {"code", "parameter", "message", "message_nn"}}``), never
by FastAPI's English validation error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, select

from feeds.store.models import Source
from notifier.context import Context
from notifier.numbers import digits
from notifier.public_changes import ChangeQuery, change_id
from notifier.web.deps import Refused

#: bokmål, nynorsk per error code; ``{value}`` is the refused value (cut, never markup)
MESSAGES: dict[str, tuple[str, str]] = {
    "subtopic_unknown": (
        "Ukjent undertema. Se /api/v1/subtopics for gyldige verdier.",
        "Ukjent undertema. Sjå /api/v1/subtopics for gyldige verdiar.",
    ),
    "authority_unknown": (
        "Ukjent myndighet. Se /api/v1/sources for gyldige verdier.",
        "Ukjend styresmakt. Sjå /api/v1/sources for gyldige verdiar.",
    ),
    "region_unknown": (
        "Ukjent region. Bruk et fylkesnummer (to sifre) eller kommunenummer (fire sifre) "
        "fra /api/v1/regions.",
        "Ukjend region. Bruk eit fylkesnummer (to siffer) eller kommunenummer (fire siffer) "
        "frå /api/v1/regions.",
    ),
    "kind_invalid": (
        "Ugyldig type endring. Bruk for eksempel new, changed, added eller removed.",
        "Ugyldig type endring. Bruk til dømes new, changed, added eller removed.",
    ),
    "urgent_invalid": (
        "urgent må være 1 (bare det som haster) eller 0.",
        "urgent må vere 1 (berre det som hastar) eller 0.",
    ),
    "date_invalid": (
        "Ugyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD.",
        "Ugyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD.",
    ),
    "date_range_invalid": (
        "Fra-datoen er etter til-datoen.",
        "Frå-datoen er etter til-datoen.",
    ),
    "text_too_long": (
        "Søketeksten kan ha høyst 200 tegn.",
        "Søkjeteksten kan ha høgst 200 teikn.",
    ),
    "limit_invalid": (
        "limit må være et heltall fra 1 til 200.",
        "limit må vere eit heiltal frå 1 til 200.",
    ),
    "cursor_invalid": (
        "Ugyldig markør. Bruk lenken i «next» fra forrige svar, med de samme filtrene.",
        "Ugyldig markør. Bruk lenkja i «next» frå førre svar, med dei same filtera.",
    ),
    "not_found": ("Fant ikke endringen.", "Fann ikkje endringa."),
    "path_unknown": (
        "Denne adressen finnes ikke i API-et. Se /api/v1/docs for det som finnes.",
        "Denne adressa finst ikkje i API-et. Sjå /api/v1/docs for det som finst.",
    ),
    "method_not_allowed": (
        "Denne metoden går ikke an her. Allow sier hvilke som gjør det.",
        "Denne metoden går ikkje an her. Allow seier kva for nokre som gjer det.",
    ),
    "request_invalid": (
        "Forespørselen kunne ikke leses.",
        "Førespurnaden kunne ikkje lesast.",
    ),
    "body_too_large": (
        "Forespørselen er for stor.",
        "Førespurnaden er for stor.",
    ),
    "server_error": (
        "Det oppsto en feil hos oss. Prøv igjen om litt.",
        "Det oppstod ein feil hos oss. Prøv igjen om litt.",
    ),
    "lang_invalid": ("lang må være nb eller nn.", "lang må vere nb eller nn."),
    "token_missing": (
        "Mangler API-nøkkel. Send «Authorization: Bearer <nøkkel>» "
        "(lag en med «notifier api token-create»).",
        "Manglar API-nøkkel. Send «Authorization: Bearer <nøkkel>» "
        "(lag ein med «notifier api token-create»).",
    ),
    "token_invalid": (
        "API-nøkkelen er ukjent, trukket tilbake eller hører til en deaktivert bruker.",
        "API-nøkkelen er ukjend, trekt tilbake eller høyrer til ein deaktivert brukar.",
    ),
    # every 429: too many reads from one client (notifier.web.ratelimit), or too many wrong
    # API keys (api_staff)
    "rate_limited": (
        "For mange forespørsler på kort tid. Vent så mange sekunder som Retry-After sier, "
        "og prøv igjen.",
        "For mange førespurnader på kort tid. Vent så mange sekund som Retry-After seier, "
        "og prøv igjen.",
    ),
    "role_insufficient": (
        "API-nøkkelen har ikke rettigheter til dette. Lag en nøkkel med rollen redaktor.",
        "API-nøkkelen har ikkje rettar til dette. Lag ein nøkkel med rolla redaktor.",
    ),
    "change_not_found": ("Fant ikke endringen.", "Fann ikkje endringa."),
    "not_held": (
        "Endringen venter ikke på godkjenning.",
        "Endringa ventar ikkje på godkjenning.",
    ),
    "already_suppressed": ("Endringen er allerede stanset.", "Endringa er allereie stansa."),
    "reason_missing": (
        "Skriv en grunn (reason) for å stanse endringen.",
        "Skriv ein grunn (reason) for å stanse endringa.",
    ),
    "body_invalid": (
        'Ugyldig innhold. Send JSON som {"reason": "…"}.',
        'Ugyldig innhald. Send JSON som {"reason": "…"}.',
    ),
}
MAX_TEXT = 200
MAX_LIMIT = 200
_KIND = re.compile(r"[a-z_]{1,20}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ApiProblem(Refused):
    """A refused request, answered as JSON: ``{"error": {...}}`` with ``status``."""

    def __init__(
        self,
        code: str,
        parameter: str = "",
        status: int = 400,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        nb, nn = MESSAGES[code]
        body = {"error": {"code": code, "parameter": parameter, "message": nb, "message_nn": nn}}
        super().__init__(
            JSONResponse(
                body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})}
            )
        )
        self.code = code


@dataclass(frozen=True)
class Filters:
    """The filters of a request, checked; ``key`` identifies them (cursors, ETags)."""

    subtopic: str | None = None
    authority: str | None = None
    region: str | None = None
    kind: str | None = None
    urgent: bool | None = None
    since: date | None = None
    until: date | None = None
    q: str | None = None

    def query(self) -> ChangeQuery:
        return ChangeQuery(
            subtopic=self.subtopic, authority=self.authority, region=self.region,
            kind=self.kind, urgent=self.urgent, since=self.since, until=self.until, text=self.q,
        )  # fmt: skip

    @property
    def key(self) -> str:
        return json.dumps(asdict(self), default=str, sort_keys=True)

    def params(self) -> dict[str, str]:
        """The filters as query parameters (for ``next`` links and feed ids)."""
        out: dict[str, str] = {}
        for name, value in asdict(self).items():
            if value is None:
                continue
            out[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out


def _blank(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


def _date(value: str | None, parameter: str) -> date | None:
    value = _blank(value)
    if value is None:
        return None
    if not _DATE.fullmatch(value):
        raise ApiProblem("date_invalid", parameter)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiProblem("date_invalid", parameter) from None


def authorities(session: Session) -> frozenset[str]:
    return frozenset(session.exec(select(Source.authority).distinct()))


def read_filters(
    ctx: Context,
    session: Session,
    raw: Mapping[str, str | None],
) -> Filters:
    """The checked filters of ``raw`` (query parameters); ``ApiProblem`` for a wrong one."""
    subtopic = _blank(raw.get("subtopic"))
    if subtopic is not None and subtopic not in ctx.taxonomy.slugs():
        raise ApiProblem("subtopic_unknown", "subtopic")
    authority = _blank(raw.get("authority"))
    if authority is not None and authority not in authorities(session):
        raise ApiProblem("authority_unknown", "authority")
    region = _blank(raw.get("region"))
    if region is not None and not (
        ctx.gazetteer.county_name(region) or ctx.gazetteer.municipality_name(region)
    ):
        raise ApiProblem("region_unknown", "region")
    kind = _blank(raw.get("kind"))
    if kind is not None and not _KIND.fullmatch(kind):
        raise ApiProblem("kind_invalid", "kind")
    urgent_raw = _blank(raw.get("urgent"))
    urgent: bool | None = None
    if urgent_raw is not None:
        if urgent_raw not in ("0", "1", "true", "false"):
            raise ApiProblem("urgent_invalid", "urgent")
        urgent = urgent_raw in ("1", "true")
    since, until = _date(raw.get("since"), "since"), _date(raw.get("until"), "until")
    if since is not None and until is not None and since > until:
        raise ApiProblem("date_range_invalid", "since")
    q = _blank(raw.get("q"))
    if q is not None and len(q) > MAX_TEXT:
        raise ApiProblem("text_too_long", "q")
    return Filters(subtopic, authority, region, kind, urgent, since, until, q)


def read_limit(value: str | None, default: int = 50) -> int:
    value = _blank(value)
    if value is None:
        return default
    number = digits(value, 3)
    if number is None or not 1 <= number <= MAX_LIMIT:
        raise ApiProblem("limit_invalid", "limit")
    return number


def read_lang(value: str | None) -> str:
    value = _blank(value)
    if value not in (None, "nb", "nn"):
        raise ApiProblem("lang_invalid", "lang")
    return value or "nb"


# --- cursors ------------------------------------------------------------------------------


def _filter_tag(filters: Filters) -> str:
    return hashlib.sha256(filters.key.encode()).hexdigest()[:12]


def make_cursor(before_id: int, filters: Filters) -> str:
    """An opaque cursor: the id to continue below, bound to the filters it was made for."""
    raw = f"1:{before_id}:{_filter_tag(filters)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(value: str | None, filters: Filters) -> int | None:
    """The id a cursor continues below; ``ApiProblem`` for a forged, broken or other filters'
    cursor."""
    value = _blank(value)
    if value is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiProblem("cursor_invalid", "cursor") from None
    version, _, rest = raw.partition(":")
    number, _, tag = rest.partition(":")
    before = change_id(number)
    if version != "1" or before is None or tag != _filter_tag(filters):
        raise ApiProblem("cursor_invalid", "cursor")
    return before


# --- conditional GET ----------------------------------------------------------------------


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    since = request.headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= when


def conditional(
    request: Request,
    etag: str,
    body: Callable[[], bytes],
    media_type: str,
    cache_control: str,
    last_modified: datetime | None = None,
) -> Response:
    """200 with ``body()`` or 304 (without making the body) when the client's copy is
    current; both with ETag, Cache-Control and (when known) Last-Modified."""
    headers = {"ETag": etag, "Cache-Control": cache_control, "X-Content-Type-Options": "nosniff"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body(), media_type=media_type, headers=headers)


def json_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def public_cache(ctx: Context) -> str:
    return f"public, max-age={ctx.settings.api_cache_seconds}"


def base_url(ctx: Context) -> str:
    return ctx.settings.base_url.rstrip("/")
