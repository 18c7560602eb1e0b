"""The one settings object: every knob is an environment variable ``NOTIFIER_<NAME>``.

Built once (``Settings()``) by the CLI and passed down; nothing else reads the environment.
"""

from __future__ import annotations

import math
import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from feeds.detect.detection import HoldRules
from feeds.detect.history import ConfirmRules
from feeds.fetch.client import HAPI_KEY_HEADER, FetchPolicy, user_agent_with_contact
from notifier import settings_checks as checks
from subscribers.tokens import CONFIRM, longest_validity

#: detection processes by default where the process may run on this many CPUs or more
DETECT_PROCESSES_FROM_CPUS = 2
#: ... and how many
DETECT_PROCESSES_DEFAULT = 2


def default_detect_processes() -> int:
    """``NOTIFIER_DETECT_PROCESSES`` unset: 2 detection processes where this process may run
    on 2 CPUs or more (its CPU affinity, else the machine's count), else none. Measured on 2
    cores with nothing else running (docs/benchmarks.md, 2026-12-07): a first round of 1,000
    pages took 3.4-3.7 s against 6.1-6.4 s read in the checking process, a changed round
    0.56 s against 0.81-0.86 s; each process costs ~55 MB PSS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return DETECT_PROCESSES_DEFAULT if cpus >= DETECT_PROCESSES_FROM_CPUS else 0


class Settings(BaseSettings):
    #: no setting is infinite or NaN ("inf" as a timeout is no limit, "nan" no number)
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore", allow_inf_nan=False)

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
    smtp_timeout: float = Field(default=30.0, gt=0)
    mail_from: str = "Helsevarsel <varsel@localhost>"
    #: DKIM signing of every outgoing mail: selector and domain as published in DNS
    #: (<selector>._domainkey.<domain>) and the PEM private key; all three or none
    dkim_selector: str = ""
    dkim_domain: str = ""
    dkim_key_file: Path | None = None
    #: at most this many mails a second through SMTP (0: as fast as the server takes them)
    smtp_rate_per_second: float = Field(default=0.0, ge=0)
    #: SMTP connections kept open and sending at once (a pool reused for a whole run), and at
    #: most this many messages to one recipient domain in flight at once (docs/delivery.md)
    smtp_connections: int = Field(default=4, ge=1, le=64)
    smtp_per_domain: int = Field(default=2, ge=1, le=64)
    #: the public address of the web app; links in mails are built from it
    base_url: str = "http://127.0.0.1:8000"

    allow_private_sources: bool = False
    user_agent: str = "notifier/0.1 (helsevarsel; +https://github.com/notifier/notifier)"
    http_timeout: float = Field(default=30.0, gt=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    per_host_concurrency: int = Field(default=2, ge=1)
    per_host_min_gap: float = Field(default=1.0, ge=0)
    #: an address site owners can reach us at, added to the User-Agent;
    #: empty: the address of NOTIFIER_MAIL_FROM
    contact: str = ""
    #: Helsedirektoratet's content API key (header Ocp-Apim-Subscription-Key; a free key from
    #: Helsedirektoratet's developer portal); empty: HAPI sources answer 401, reported as such
    hdir_api_key: SecretStr = SecretStr("")
    hdir_api_host: str = "api.helsedirektoratet.no"
    #: honour robots.txt (never switch off for public sites; tests and mirrors only)
    obey_robots: bool = True
    robots_ttl_hours: float = Field(default=24.0, gt=0)
    #: a source is fetched without validators at least this often, to catch a wrong 304
    full_fetch_hours: float = Field(default=24.0, gt=0)
    #: review rules (docs/detection.md): a page change that replaces more than this share of
    #: the page's words, a feed version that replaces more than this share of the last
    #: version's items, is held for staff review; 0 or 1 switches the rule off
    hold_replaced_share: float = Field(default=0.7, ge=0, le=1)
    hold_feed_replaced_share: float = Field(default=0.7, ge=0, le=1)
    #: the first changes after a source failed for at least this many hours are held; 0: off
    hold_after_outage_hours: float = Field(default=24.0, ge=0)
    #: confirmation (docs/detection.md, "Confirmation"): a page change is told only when the
    #: first check at least this many seconds later finds it again (0: the next check); off:
    #: page changes are told as they are found, as feed items always are
    confirm_page_changes: bool = True
    confirm_after_seconds: int = Field(default=60, ge=0, le=86400)
    #: processes that read fetched pages and feeds beside the checking process
    #: (feeds/detect/processes.py; each ~55 MB PSS, ~108 MB RSS); 0: read in the checking
    #: process itself. By default 2 where the process may run on 2 CPUs or more, else 0
    #: (``default_detect_processes``; docs/benchmarks.md)
    detect_processes: int = Field(default_factory=default_detect_processes, ge=0, le=64)

    timezone: str = "Europe/Oslo"
    daily_digest_hour: int = Field(default=7, ge=0, le=23)
    weekly_digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    check_tick_seconds: int = Field(default=60, ge=1)
    deliver_tick_seconds: int = Field(default=30, ge=1)
    deliver_max_attempts: int = Field(default=8, ge=1)
    #: messages one sender claims at a time, and for how long (a dead sender's claim expires)
    deliver_batch: int = Field(default=50, ge=1, le=1000)
    deliver_lease_seconds: int = Field(default=600, ge=10)
    #: scale-out (docs/scaling.md): a worker claims the due sources of a round for this long
    #: (renewed while the round runs; a dead worker's claim expires and is taken again), at
    #: most ``check_claim_limit`` per round; a digest or housekeeping run is held this long
    check_lease_seconds: int = Field(default=900, ge=10)
    check_claim_limit: int = Field(default=2000, ge=1)
    run_lease_seconds: int = Field(default=1800, ge=10)
    #: after a temporary failure for a recipient domain (4xx), the rest of a run leaves that
    #: domain alone for this long, so one slow or greylisting domain holds back nobody else
    domain_pause_seconds: int = Field(default=300, ge=0)
    #: hard bounces (5xx for the address) in a row before an address is suppressed
    bounce_suppress_after: int = Field(default=3, ge=1)
    #: recipients whose messages are written per transaction when changes are dispatched, so
    #: a large dispatch never holds the database's write lock for long
    dispatch_batch: int = Field(default=500, ge=1)
    #: who hears about failing sources (never subscribers); empty: nobody is mailed
    operator_email: str = ""
    #: consecutive failed checks of a source before operators are told
    source_error_threshold: int = Field(default=3, ge=1)
    #: a change held for review longer than this is mailed to the operators (once)
    hold_report_after_hours: float = Field(default=24.0, gt=0)
    #: every immediate alert of an urgent change must be accepted within this many minutes
    #: of being queued; if not, operators are told once (notifier/assurance.py)
    urgent_deadline_minutes: float = Field(default=5.0, gt=0)
    #: the delivery audit (events and carried change versions per message) is kept this long
    delivery_audit_days: int = Field(default=400, ge=1)

    #: the key that signs subscriber links and CSRF tokens; empty: generated on first run and
    #: kept in the database (table app_secret). Changing it invalidates every link sent.
    secret_key: str = ""
    #: sign-ups allowed per address and per client IP within ``signup_window_minutes``
    signup_limit_per_address: int = Field(default=3, ge=1)
    signup_limit_per_ip: int = Field(default=20, ge=1)
    signup_window_minutes: int = Field(default=60, ge=1)
    #: sign-ups never confirmed are deleted this many days after the (last) sign-up; at least
    #: as long as a confirmation link stays valid (7 days, rounded up to midnight UTC: 8)
    unconfirmed_retention_days: int = Field(default=8, ge=1)
    #: rate-limit events (hashed address, client IP) are deleted after this many hours; at
    #: least the sign-up window
    rate_event_retention_hours: float = Field(default=2.0, gt=0)

    #: staff console sessions: ended after this long without a request, and at the latest
    #: this many hours after login
    staff_session_idle_minutes: int = Field(default=60, ge=1)
    staff_session_hours: float = Field(default=12.0, gt=0)
    #: failed staff logins allowed per account and per client IP within the window
    staff_login_limit_per_account: int = Field(default=5, ge=1)
    staff_login_limit_per_ip: int = Field(default=20, ge=1)
    staff_login_window_minutes: int = Field(default=15, ge=1)
    #: how long a link to set a staff password (``notifier staff add``) stays valid
    staff_setup_link_hours: float = Field(default=48.0, gt=0)
    #: audit events (staff actions) are deleted after this many days
    audit_retention_days: int = Field(default=730, ge=1)
    #: API and Atom feeds: how many seconds clients and caches may reuse an answer
    api_cache_seconds: int = Field(default=60, ge=0)
    #: public reads per client (address; IPv6 by /64) and minute: the JSON API, the Atom feeds,
    #: and full-text searches anywhere (a search counts in both); 0 turns a limit off
    api_limit_per_minute: int = Field(default=120, ge=0)
    feed_limit_per_minute: int = Field(default=60, ge=0)
    search_limit_per_minute: int = Field(default=30, ge=0)
    #: refused API tokens allowed per client IP within NOTIFIER_STAFF_LOGIN_WINDOW_MINUTES
    api_token_limit_per_ip: int = Field(default=20, ge=1)
    #: staff API tokens expire this many days after creation unless another lifetime is
    #: chosen then (at most 365 days, however it is set)
    api_token_days: int = Field(default=90, ge=1, le=365)

    #: Web Push: how long a push service keeps an alert for a device that is offline (TTL)
    push_ttl_seconds: int = Field(default=86400, ge=0, le=28 * 86400)
    #: Web Push: the contact push services see in our VAPID signature (``sub``), a mailto: or
    #: https: URL; empty: mailto: with NOTIFIER_CONTACT or the address of NOTIFIER_MAIL_FROM
    vapid_subject: str = ""
    #: adding push endpoints and Apprise targets on the preferences page: attempts allowed per
    #: subscriber and per client IP within ``push_add_window_minutes`` (subscribers.push and
    #: subscribers.targets also cap what one subscriber holds)
    push_add_limit_per_subscriber: int = Field(default=10, ge=1)
    push_add_limit_per_ip: int = Field(default=30, ge=1)
    push_add_window_minutes: int = Field(default=60, ge=1)

    #: log lines: "text" (for people) or "json" (one JSON object a line, for a log collector)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: /metrics (Prometheus) answers requests that carry "Authorization: Bearer <token>";
    #: empty: /metrics is off (404)
    metrics_token: SecretStr = SecretStr("")

    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str) -> str:
        return checks.check_smtp_url(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        return checks.check_database_url(value)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        return checks.check_timezone(value)

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str) -> str:
        return checks.check_address(value, display_name=True)

    @field_validator("operator_email")
    @classmethod
    def _check_operator_email(cls, value: str) -> str:
        return value and checks.check_address(value, display_name=False)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        return checks.check_http_url(value)

    @field_validator("vapid_subject")
    @classmethod
    def _check_vapid_subject(cls, value: str) -> str:
        return checks.check_vapid_subject(value)

    @field_validator("catalogue", "dkim_key_file")
    @classmethod
    def _check_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError("is not a file that exists; set the path of an existing file")
        return value

    @field_validator("data_dir")
    @classmethod
    def _check_data_dir(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError("is a file, not a folder; set a folder (it is created if missing)")
        return value

    @model_validator(mode="after")
    def _check_dkim(self) -> Settings:
        given = [bool(self.dkim_selector), bool(self.dkim_domain), self.dkim_key_file is not None]
        if any(given) and not all(given):
            raise ValueError(
                "DKIM needs NOTIFIER_DKIM_SELECTOR, NOTIFIER_DKIM_DOMAIN and "
                "NOTIFIER_DKIM_KEY_FILE together; set all three, or none"
            )
        return self

    @model_validator(mode="after")
    def _check_retention(self) -> Settings:
        link = longest_validity(CONFIRM)
        if self.unconfirmed_retention < link:
            raise ValueError(
                f"NOTIFIER_UNCONFIRMED_RETENTION_DAYS={self.unconfirmed_retention_days} would "
                f"delete sign-ups whose confirmation link still works (links stay valid up to "
                f"{link.days} days); set it to {link.days} or more"
            )
        window = timedelta(minutes=self.signup_window_minutes)
        if self.rate_event_retention < window:
            hours = math.ceil(window / timedelta(hours=1))
            raise ValueError(
                f"NOTIFIER_RATE_EVENT_RETENTION_HOURS={self.rate_event_retention_hours:g} is "
                f"shorter than the sign-up rate-limit window (NOTIFIER_SIGNUP_WINDOW_MINUTES="
                f"{self.signup_window_minutes}); set it to {hours} or more, or shorten the window"
            )
        if self.rate_event_retention < self.staff_login_window:
            hours = math.ceil(self.staff_login_window / timedelta(hours=1))
            raise ValueError(
                f"NOTIFIER_RATE_EVENT_RETENTION_HOURS={self.rate_event_retention_hours:g} is "
                f"shorter than the staff login window (NOTIFIER_STAFF_LOGIN_WINDOW_MINUTES="
                f"{self.staff_login_window_minutes}); set it to {hours} or more, or shorten "
                "the window"
            )
        return self

    @model_validator(mode="after")
    def _check_push_window(self) -> Settings:
        window = timedelta(minutes=self.push_add_window_minutes)
        if self.rate_event_retention < window:
            hours = math.ceil(window / timedelta(hours=1))
            raise ValueError(
                f"NOTIFIER_RATE_EVENT_RETENTION_HOURS={self.rate_event_retention_hours:g} is "
                f"shorter than the push rate-limit window (NOTIFIER_PUSH_ADD_WINDOW_MINUTES="
                f"{self.push_add_window_minutes}); set it to {hours} or more, or shorten the window"
            )
        return self

    @property
    def staff_session_idle(self) -> timedelta:
        return timedelta(minutes=self.staff_session_idle_minutes)

    @property
    def staff_session_absolute(self) -> timedelta:
        return timedelta(hours=self.staff_session_hours)

    @property
    def staff_login_window(self) -> timedelta:
        return timedelta(minutes=self.staff_login_window_minutes)

    @property
    def staff_setup_link_lifetime(self) -> timedelta:
        return timedelta(hours=self.staff_setup_link_hours)

    @property
    def api_token_lifetime(self) -> timedelta:
        return timedelta(days=self.api_token_days)

    @property
    def delivery_audit_retention(self) -> timedelta:
        return timedelta(days=self.delivery_audit_days)

    @property
    def urgent_deadline(self) -> timedelta:
        return timedelta(minutes=self.urgent_deadline_minutes)

    @property
    def audit_retention(self) -> timedelta:
        return timedelta(days=self.audit_retention_days)

    @property
    def unconfirmed_retention(self) -> timedelta:
        return timedelta(days=self.unconfirmed_retention_days)

    @property
    def rate_event_retention(self) -> timedelta:
        return timedelta(hours=self.rate_event_retention_hours)

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def fetch_policy(self) -> FetchPolicy:
        key = self.hdir_api_key.get_secret_value().strip()
        contact = self.contact or parseaddr(self.mail_from)[1]
        return FetchPolicy(
            user_agent=user_agent_with_contact(self.user_agent, contact),
            timeout_seconds=self.http_timeout,
            max_body_bytes=self.max_body_bytes,
            per_host_concurrency=self.per_host_concurrency,
            per_host_min_gap=self.per_host_min_gap,
            allow_private=self.allow_private_sources,
            host_headers={self.hdir_api_host: {HAPI_KEY_HEADER: key}} if key else {},
            obey_robots=self.obey_robots,
            robots_ttl=self.robots_ttl_hours * 3600,
            full_fetch_every=timedelta(hours=self.full_fetch_hours),
        )

    def vapid_contact(self) -> str:
        """The VAPID ``sub`` claim: NOTIFIER_VAPID_SUBJECT, or mailto: the contact address."""
        if self.vapid_subject:
            return self.vapid_subject
        return "mailto:" + (self.contact or parseaddr(self.mail_from)[1] or "varsel@localhost")

    def hold_rules(self) -> HoldRules:
        """The review rules' thresholds, as the check round takes them (feeds.detect)."""
        return HoldRules(
            replaced_share=self.hold_replaced_share,
            feed_replaced_share=self.hold_feed_replaced_share,
            after_outage=timedelta(hours=self.hold_after_outage_hours),
        )

    def confirm_rules(self) -> ConfirmRules:
        """Whether page changes wait for a re-check, and how long at least (feeds.confirm)."""
        return ConfirmRules(
            enabled=self.confirm_page_changes,
            after=timedelta(seconds=self.confirm_after_seconds),
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
