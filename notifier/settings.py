"""The one settings object: every knob is an environment variable ``NOTIFIER_<NAME>``.

Built once (``Settings()``) by the CLI and passed down; nothing else reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from feeds.fetch import FetchPolicy


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore")

    #: SQLAlchemy URL; SQLite file by default, e.g. postgresql+psycopg://user@host/db
    database_url: str = "sqlite:///var/notifier.db"
    #: where state that is not in the database lives (mail folder, generated secrets)
    data_dir: Path = Path("var")
    #: the source catalogue loaded at start; empty: the bundled real catalogue
    catalogue: Path | None = None

    #: smtp://[user:password@]host:port (STARTTLS when offered) or smtps://... (implicit TLS);
    #: empty: mails are written as .eml files into <data_dir>/mail
    smtp_url: str = ""
    smtp_starttls: bool | None = None
    smtp_timeout: float = 30.0
    mail_from: str = "Helsevarsel <varsel@localhost>"
    #: the public address of the web app; links in mails are built from it
    base_url: str = "http://127.0.0.1:8000"

    allow_private_sources: bool = False
    user_agent: str = "notifier/0.1 (helsevarsel; +https://github.com/notifier/notifier)"
    http_timeout: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    per_host_concurrency: int = 2
    per_host_min_gap: float = 1.0

    timezone: str = "Europe/Oslo"
    daily_digest_hour: int = Field(default=7, ge=0, le=23)
    weekly_digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    check_tick_seconds: int = Field(default=60, ge=1)
    deliver_tick_seconds: int = Field(default=30, ge=1)
    deliver_max_attempts: int = Field(default=8, ge=1)
    #: who hears about failing sources (never subscribers); empty: nobody is mailed
    operator_email: str = ""
    #: consecutive failed checks of a source before operators are told
    source_error_threshold: int = Field(default=3, ge=1)

    web_host: str = "127.0.0.1"
    web_port: int = 8000

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("smtp", "smtps"):
            raise ValueError(
                "NOTIFIER_SMTP_URL must look like smtp://host:port or smtps://host:port"
            )
        return value

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def fetch_policy(self) -> FetchPolicy:
        return FetchPolicy(
            user_agent=self.user_agent,
            timeout_seconds=self.http_timeout,
            max_body_bytes=self.max_body_bytes,
            per_host_concurrency=self.per_host_concurrency,
            per_host_min_gap=self.per_host_min_gap,
            allow_private=self.allow_private_sources,
        )

    def smtp_parts(self) -> tuple[str, int, str | None, str | None, bool]:
        """(host, port, username, password, implicit_tls) of NOTIFIER_SMTP_URL."""
        parts = urlsplit(self.smtp_url)
        tls = parts.scheme == "smtps"
        return (
            parts.hostname or "localhost",
            parts.port or (465 if tls else 25),
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
            tls,
        )
