"""Red team, round 9: the audit log is a page staff read, so it must be Norwegian.

The page names each action by ``texts_staff.ACTIONS`` and shows an unknown code as it is. The
routes record other codes than the table holds: ``source_disable``, ``source_enable``,
``source_check_now`` (the table had ``source.disable`` ...), ``outbox_retry`` and
``outbox_cancel`` (``delivery.retry`` ...), ``test_send`` (``preview.test_send``),
``subscriber.target_add``/``_remove`` and the API token actions were missing: each showed as
a raw English code, in the rows and in the filter's list. The same for the target ``segment``
(a test send to a selection), for field names (``next_check_at`` became "next check at",
``delivery_id``, ``failure``, ``attempts``) and for coded values (a change "held" →
"published", a message "pending" → "failed"), and the disabling of an account said
"2 token(s) revoked".

Every code the source records is now named in bokmål and nynorsk; the test finds the codes
in the source itself, so a new action without a name fails here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from notifier import audit
from notifier.context import Context
from notifier.web.texts_staff import ACTIONS
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_hasher")
ROOT = Path(__file__).resolve().parents[2] / "notifier"
_CALLS = (
    r'audit\.record\(\s*\w+,\s*[\w.()]+,\s*\w+,\s*"([a-z_.]+)"',
    r'_record\([^)]*?"([a-z_.]+)"',
    r'_act\(\s*[^)]*?"([a-z_]+_[a-z_]+)",',
)


def recorded_codes() -> set[str]:
    """Every action code the app records: the audit module's and the literals routes pass."""
    codes = {
        value
        for name, value in vars(audit).items()
        if name.isupper() and isinstance(value, str) and name not in ("CLI", "REDACTED")
    }
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in _CALLS:
            codes |= set(re.findall(pattern, text, re.S))
    return codes


def test_the_codes_are_found() -> None:
    codes = recorded_codes()
    assert {"source_disable", "outbox_cancel", "test_send", "change.approve"} <= codes
    assert {"api_token_create", "password_change_failed", "subscriber.erase"} <= codes


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_recorded_action_has_a_norwegian_name(lang: str) -> None:
    assert sorted(recorded_codes() - set(ACTIONS[lang])) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_audit_page_shows_no_raw_code(ctx: Context) -> None:
    now = ctx.clock()
    rows = [
        (
            "source_disable",
            "source",
            "fhi-nyheter",
            {"enabled": True, "next_check_at": now},
            {"enabled": False, "disabled_reason": "Lagt ned"},
            "",
        ),
        (
            "outbox_retry",
            "delivery",
            "7",
            {"status": "failed", "failure": "gave_up", "attempts": 8, "kind": "alert"},
            {"status": "pending", "next_attempt_at": now},
            "",
        ),
        ("test_send", "segment", "", {}, {"to": "a@fhi.no", "delivery_id": 3}, "Emne"),
        ("change.approve", "change", "4", {"status": "held"}, {"status": "published"}, ""),
        ("api_token_revoke", "api_token", "2", {"role": "redaktor"}, {"revoked_at": now}, ""),
        ("staff_disable", "staff_user", "9", {}, {}, "1 session(s) ended, 2 token(s) revoked"),
    ]
    with Session(ctx.engine) as session:
        for i, (action, kind, target, before, after, detail) in enumerate(rows):
            audit.record(
                session, now - timedelta(minutes=i), None, action, kind, target, before,
                after, detail,
            )  # fmt: skip
        session.commit()
    async with staff_client(ctx) as browser:
        await login(browser, ctx, "admin")
        pages = [await browser.get(f"/staff/logg?lang={lang}") for lang in ("nb", "nn")]
    raw = re.compile(
        r"\b(source_disable|outbox_retry|test_send|api_token_revoke|segment|next check at|"
        r"delivery id|next attempt at|failure|attempts|failed|pending|gave_up|held|published|"
        r"redaktor|revoked at|token\(s\) revoked|api_token)\b"
    )
    for page in pages:
        assert page.status_code == 200
        table = page.text.split("<table", 1)[1]  # the rows, not the filter's option values
        shown = re.sub(r"<[^>]+>", " ", table)
        assert raw.findall(shown) == []
    assert "Kilde slått av" in pages[0].text and "Kjelde slått av" in pages[1].text
    assert "feilet → venter" in pages[0].text.replace("&#8594;", "→")
    for page in pages:
        options = re.findall(r"<option value=\"[^\"]*\">([^<]*)</option>", page.text)
        assert not any(re.fullmatch(r"[a-z_.]+", o) for o in options), options
