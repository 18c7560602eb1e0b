"""Rendering: a composed ``Digest`` to an ``OutgoingMessage`` (plain text and HTML, bokmål).

Pure apart from reading templates once. Everything that came from the web is text and is
escaped by Jinja2's autoescaping in HTML; no markup from a source ever reaches a mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifier.digest import Digest
from notifier.message import OutgoingMessage

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MONTHS_NB = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip
KIND_NB = {
    "new": "Ny",
    "changed": "Endret",
    "added": "Nytt avsnitt",
    "removed": "Fjernet",
}


def date_nb(value: datetime, timezone: str = "Europe/Oslo") -> str:
    local = value.astimezone(ZoneInfo(timezone))
    return f"{local.day}. {MONTHS_NB[local.month - 1]} {local.year}"


def datetime_nb(value: datetime, timezone: str = "Europe/Oslo") -> str:
    local = value.astimezone(ZoneInfo(timezone))
    return f"{date_nb(value, timezone)} kl. {local:%H.%M}"


def elide(segments: Sequence[Sequence[str]], context: int = 80) -> list[tuple[str, str]]:
    """A word diff for reading: unchanged stretches cut to ``context`` characters around the
    edits ("…" where cut)."""
    out: list[tuple[str, str]] = []
    last = len(segments) - 1
    for i, (op, text) in enumerate(segments):
        if op == "=" and len(text) > 2 * context:
            head = "" if i == 0 else text[:context]
            tail = "" if i == last else text[-context:]
            text = f"{head}…{tail}"
        out.append((op, text))
    return out


def diff_text(segments: Sequence[Sequence[str]]) -> str:
    """The elided diff as plain text: [-removed-] {+added+}."""
    parts = []
    for op, text in elide(segments):
        parts.append(text if op == "=" else f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
    return " ".join("".join(parts).split())


def make_environment(templates: Path = TEMPLATES) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_nb"] = date_nb
    env.filters["datetime_nb"] = datetime_nb
    env.filters["elide"] = elide
    env.filters["diff_text"] = diff_text
    env.globals["KIND_NB"] = KIND_NB
    return env


class Renderer:
    """Renders digests and alerts; the same object serves sending and preview."""

    def __init__(
        self, base_url: str, timezone: str = "Europe/Oslo", env: Environment | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self.timezone = timezone
        self.env = env or make_environment()

    def subject(self, digest: Digest, now: datetime) -> str:
        n = len(digest.changes)
        if digest.cadence == "immediate":
            first = digest.changes[0].title
            more = f" (+{n - 1} til)" if n > 1 else ""
            prefix = "Haster: " if any(c.urgent for c in digest.changes) else "Varsel: "
            return _one_line(f"{prefix}{first}{more}")
        noun = "endring" if n == 1 else "endringer"
        if digest.cadence == "weekly":
            week = digest.period.split("-W")[-1]
            return f"Helsevarsel uke {int(week)}: {n} {noun}"
        return f"Helsevarsel {date_nb(now, self.timezone)}: {n} {noun}"

    def render(self, digest: Digest, now: datetime) -> OutgoingMessage:
        subject = self.subject(digest, now)
        context = {
            "digest": digest,
            "subject": subject,
            "now": now,
            "base_url": self.base_url,
            "tz": self.timezone,
        }
        text = self.env.get_template("mail/digest.txt.j2").render(context)
        html = self.env.get_template("mail/digest.html.j2").render(context)
        return OutgoingMessage(
            to=digest.recipient.email,
            subject=subject,
            text=text,
            html=html,
            idempotency_key=digest.idempotency_key,
        )


def _one_line(text: str, limit: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
