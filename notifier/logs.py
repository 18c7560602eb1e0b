"""Logging set-up: human text by default, one JSON object a line with
``NOTIFIER_LOG_FORMAT=json``; in both, e-mail addresses are masked.

A JSON line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and ``fields``:
whatever the caller passed as ``extra={...}`` (``log.info("checked", extra={"source": key,
"outcome": "changed"})``), plus ``exception`` with the traceback when there is one. No
personal data: every e-mail address in the message, the fields and the traceback is written as
``***@domain`` (the domain stays: it is what an operator needs, e.g. for a greylisting
receiver). Configured once per process by the CLI (:func:`configure`).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

#: an e-mail address (also inside <...> and after "mailto:"); the local part is masked
#: (any script: a mail server may echo an address in its Unicode form; a quoted local part;
#: a domain literal). A URL's ``user:password@host`` is not an address (no ``:`` or ``/``).
#: The local part starts only where a run of its characters starts, so a long line costs
#: linear time, not quadratic.
EMAIL_RE = re.compile(
    r"""(?:"[^"\r\n]*"|(?<![^\s<>()\[\],;:@"/\\])[^\s<>()\[\],;:@"/\\]+)"""
    r"@((?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}|localhost|\[[0-9A-Fa-f.:]+\])(?![\w-])"
)
#: attributes every LogRecord has; anything else on a record came from ``extra``
RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of the message with terminal colour codes
}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask(text: str) -> str:
    """``text`` with each e-mail address's local part replaced by ``***``."""
    return EMAIL_RE.sub(r"***@\1", text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(v) for v in value]
    return mask(str(value))


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """What the caller passed with ``extra``, masked."""
    return {k: _masked(v) for k, v in vars(record).items() if k not in RECORD_FIELDS}


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
            "fields": fields_of(record),
        }
        if record.exc_info:
            out["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The human format, with the fields after the message (``key=value``), masked."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = mask(super().format(record))
        extra = fields_of(record)
        if extra:
            line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return line


#: a path segment that looks like a token (signed links of the self-service pages, API keys)
TOKEN_SEGMENT_RE = re.compile(r"(?<=/)[A-Za-z0-9_.~=-]{20,}")


def private_path(path: str) -> str:
    """A request path without its query and with token-like segments replaced by ``***``."""
    return TOKEN_SEGMENT_RE.sub("***", path.split("?", 1)[0])


class AccessFilter(logging.Filter):
    """uvicorn's access lines without the client's address, the query string or tokens in
    the path (links in mails carry signed tokens): who asked is personal data, what they
    asked for with a token is a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            args = list(record.args)
            if len(args) == 5:
                args[0] = "-"
                args[2] = private_path(str(args[2]))
                record.args = tuple(args)
        return True


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure(kind: str = "text", level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every logger's records to ``stream`` (standard error) in the chosen format; the
    loggers of uvicorn too, so a process writes one format only."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(kind))
    handler.addFilter(AccessFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # noise at INFO: every command migrates first (Alembic says so), and the scheduler tells
    # of every job it adds and runs; their warnings and errors still show
    for name in ("alembic", "apscheduler"):
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
