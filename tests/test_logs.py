"""Logs: one JSON object a line with NOTIFIER_LOG_FORMAT=json, human text by default, and no
e-mail address in either."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifier import logs


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    """A logger of its own with a handler in the given format (the root is left alone)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("notifier.test_logs")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    yield log, stream, handler
    log.removeHandler(handler)


def test_json_lines_carry_time_level_logger_message_and_fields(
    logger: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    log, stream, handler = logger
    handler.setFormatter(logs.formatter("json"))
    log.info("checked %s", "fhi-nyheter", extra={"source": "fhi-nyheter", "outcome": "changed"})
    log.warning("two\nlines")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "INFO" and first["logger"] == "notifier.test_logs"
    assert first["message"] == "checked fhi-nyheter"
    assert first["fields"] == {"source": "fhi-nyheter", "outcome": "changed"}
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert second["message"] == "two\nlines" and second["fields"] == {}


def test_no_address_in_message_fields_or_traceback(
    logger: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    log, stream, handler = logger
    handler.setFormatter(logs.formatter("json"))
    try:
        raise ValueError("550 <kari.nordmann@kommune.no> unknown")
    except ValueError:
        log.exception(
            "delivery to Kari <kari.nordmann@kommune.no> failed",
            extra={"to": "ola+varsel@helse.example.no", "list": ["a@b.no"], "n": 3},
        )
    text = stream.getvalue()
    assert "kari.nordmann" not in text and "ola+varsel" not in text and "a@b.no" not in text
    line = json.loads(text)
    assert line["message"] == "delivery to Kari <***@kommune.no> failed"
    assert line["fields"] == {"to": "***@helse.example.no", "list": ["***@b.no"], "n": 3}
    assert "ValueError: 550 <***@kommune.no> unknown" in line["exception"]


def test_text_is_the_default_and_masks_too(
    logger: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    log, stream, handler = logger
    handler.setFormatter(logs.formatter("text"))
    log.info("sent to %s", "lege@kommune.no", extra={"channel": "email"})
    line = stream.getvalue().strip()
    assert line.endswith("INFO notifier.test_logs: sent to ***@kommune.no channel=email")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_mask_leaves_other_text_alone() -> None:
    assert logs.mask("fhi.no/rss 200 OK (1.2 s)") == "fhi.no/rss 200 OK (1.2 s)"
    assert logs.mask("mailto:drift@varsel.example.no") == "mailto:***@varsel.example.no"


def test_the_command_line_logs_json_when_asked(tmp_path: Path) -> None:
    """A real command with NOTIFIER_LOG_FORMAT=json: every line on stderr is a JSON object."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env |= {
        "NOTIFIER_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}",
        "NOTIFIER_DATA_DIR": str(tmp_path / "var"),
        "NOTIFIER_LOG_FORMAT": "json",
        "NOTIFIER_LOG_LEVEL": "info",
    }
    ran = subprocess.run(
        [sys.executable, "-c", "import logging; from notifier.cli import app; "
         "app(['sources', 'list'], prog_name='notifier', standalone_mode=False); "
         "logging.getLogger('notifier.x').info('to %s', 'a.b@kommune.no')"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    lines = [json.loads(line) for line in ran.stderr.splitlines()]
    assert lines[-1]["message"] == "to ***@kommune.no" and lines[-1]["level"] == "INFO"
    assert all({"time", "level", "logger", "message", "fields"} <= set(x) for x in lines)
    assert "a.b@" not in ran.stderr


def test_access_lines_carry_no_client_address_query_or_token(
    logger: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    _, stream, handler = logger
    handler.setFormatter(logs.formatter("json"))
    handler.addFilter(logs.AccessFilter())
    token = "eyJzdWIiOjQyfQ.Zm9vYmFyYmF6cXV4"
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:51234", "GET", f"/innstillinger/{token}?e=kari@kommune.no", "1.1", 200),
        None,
    )  # fmt: skip
    handler.handle(record)
    line = json.loads(stream.getvalue())
    assert line["message"] == '- - "GET /innstillinger/*** HTTP/1.1" 200'
    assert "203.0.113.7" not in stream.getvalue() and token not in stream.getvalue()
    assert logs.private_path("/endringer/123?side=2") == "/endringer/123"


def test_uvicorns_coloured_copy_of_a_message_is_left_out(
    logger: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    """uvicorn passes ``color_message`` (the message with terminal colour codes): not a field."""
    log, stream, handler = logger
    handler.setFormatter(logs.formatter("text"))
    log.info("Started server process [%d]", 7, extra={"color_message": "\x1b[36m%d\x1b[0m"})
    line = stream.getvalue()
    assert line.rstrip().endswith("Started server process [7]")
    assert "color_message" not in line and "\x1b" not in line


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # a mail server's refusal may echo an address in any form; nothing of its local part
        ("550 5.1.1 <Åse.Ørn@kommune.no>: unknown", "550 5.1.1 <***@kommune.no>: unknown"),
        ("kåre@kommune.no", "***@kommune.no"),
        ("to x@bø.kommune.no failed", "to ***@bø.kommune.no failed"),
        ('"ola nordmann"@k.no', "***@k.no"),
        ("ole@[192.0.2.1] refused", "***@[192.0.2.1] refused"),
    ],
)
def test_addresses_in_any_form_are_masked(text: str, masked: str) -> None:
    assert logs.mask(text) == masked


def test_urls_with_a_user_are_not_addresses() -> None:
    line = "postgresql+psycopg://u:***@127.0.0.1:5432/db and smtp://mailpit:1025"
    assert logs.mask(line) == line
