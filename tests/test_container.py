"""The Dockerfile, compose.yaml and docs/operations.md, checked statically: a non-root user, a
health check on /healthz, a plain install, the try-out's services wired to each other with
settings the service itself accepts, and every setting and metric documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from notifier.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def instructions(name: str) -> list[str]:
    """The arguments of every ``name`` instruction (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", text, re.M)]


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    users = instructions("USER")
    assert users, "no USER: the service would run as root"
    assert users[-1] not in ("root", "0", "0:0")
    assert DOCKERFILE.index("USER") < DOCKERFILE.index("CMD")
    assert re.search(rf"useradd .*--uid {users[-1]}\b", DOCKERFILE)


def test_the_image_has_a_health_check_on_healthz_at_its_port() -> None:
    (check,) = instructions("HEALTHCHECK")
    assert "/healthz" in check and "--interval=" in check and "--timeout=" in check
    env = " ".join(instructions("ENV"))
    port = re.search(r"NOTIFIER_WEB_PORT=(\d+)", env)
    assert port and instructions("EXPOSE") == [port.group(1)]
    assert "NOTIFIER_WEB_HOST=0.0.0.0" in env  # reachable from outside the container


def test_the_image_installs_the_package_not_the_sources() -> None:
    (install,) = [r for r in instructions("RUN") if "pip install" in r]
    assert " -e " not in install and "--editable" not in install
    assert "-c constraints.txt ." in install
    assert instructions("CMD") == ['["notifier", "run"]']


def test_compose_starts_notifier_with_postgres_and_mailpit() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"notifier", "postgres", "mailpit", "web", "worker"}
    assert all("profiles" not in services[n] for n in ("notifier", "postgres", "mailpit"))
    app, db, mail = services["notifier"], services["postgres"], services["mailpit"]
    assert app["build"] == "."
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert mail["image"].startswith("axllent/mailpit")
    env: dict[str, str] = app["environment"]
    database = urlsplit(env["NOTIFIER_DATABASE_URL"])
    pg = db["environment"]
    assert (database.hostname, database.username, database.password) == (
        "postgres", pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"],
    )  # fmt: skip
    assert database.path == f"/{pg['POSTGRES_DB']}"
    smtp = urlsplit(env["NOTIFIER_SMTP_URL"])
    assert (smtp.hostname, smtp.port) == ("mailpit", 1025)  # Mailpit's SMTP port
    published = {p.rsplit(":", 1)[1] for p in app["ports"]}
    assert env["NOTIFIER_WEB_PORT"] in published
    assert any(p.endswith(":8025") for p in mail["ports"])  # Mailpit's inbox


def test_compose_scale_profile_runs_web_and_two_workers_on_the_same_settings() -> None:
    services = COMPOSE["services"]
    web, worker = services["web"], services["worker"]
    assert web["profiles"] == worker["profiles"] == ["scale"]
    assert web["command"] == ["notifier", "web"] and worker["command"] == ["notifier", "worker"]
    assert worker["deploy"]["replicas"] == 2
    env = services["notifier"]["environment"]
    assert web["environment"] == worker["environment"] == env  # one database, one mail server
    assert env["NOTIFIER_DATABASE_URL"].startswith("postgresql")  # workers share PostgreSQL
    assert "ports" not in worker  # only the web app listens
    for service in (web, worker):
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_settings_pass_the_services_own_checks() -> None:
    env: dict[str, str] = COMPOSE["services"]["notifier"]["environment"]
    fields = set(Settings.model_fields)
    names = {k.removeprefix("NOTIFIER_").lower(): v for k, v in env.items()}
    assert set(names) <= fields, set(names) - fields
    settings = Settings(**names)  # type: ignore[arg-type]
    assert settings.smtp_parts()[:2] == ("mailpit", 1025)
    assert settings.log_format == "json" and settings.metrics_token.get_secret_value()


def test_every_setting_is_in_the_settings_table() -> None:
    table = OPERATIONS.split("## Settings", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `NOTIFIER_([A-Z0-9_]+)` \|", table, re.M))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_every_metric_is_documented() -> None:
    source = (ROOT / "notifier" / "metrics.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"(notifier_[a-z_]+)"', source))
    counters = set(re.findall(r'CounterMetricFamily\(\s*"(notifier_[a-z_]+)"', source))
    assert names and counters
    section = OPERATIONS.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(notifier_[a-z_]+)` \|", section, re.M))
    assert documented == {n + "_total" if n in counters else n for n in names}
