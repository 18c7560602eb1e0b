"""Red team, round 8: a source's content in the console's review views, and text staff type
(a suppression reason, a source's disabling reason, an edited title and summary) in the
console, the audit log and the operator's mail about held changes.

``test_injection`` walks every page with published hostile changes; the review queue lists
only held ones, and its rows, the diff of a held change (before, after, the word diff, the
section path, the reasons) and what staff typed while reviewing it were not attacked. Here a
held change carries a payload in every text field a source fills and a ``javascript:`` URL;
a redaktor suppresses another with a hostile reason and edits a third; an admin disables the
source with a hostile reason. Every console page, the audit log and the operator's mail must
show all of it as text, and no page may link to the ``javascript:`` URL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from feeds.store.models import Change, Source
from notifier import operators, review
from notifier.context import Context
from tests.conftest import Clock
from tests.security.test_injection import PAYLOADS, raw_found
from tests.support.outbox import store_change
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hasher")

HOSTILE = " ".join(PAYLOADS[:7])


def held_changes(ctx: Context) -> list[int]:
    """Three held changes of source ``s``, every source-filled text hostile."""
    ids = []
    for n in range(3):
        change_id = store_change(ctx, n, f"{n} {HOSTILE}", summary=HOSTILE, source_key="s")
        with Session(ctx.engine) as session:
            change = session.get(Change, change_id)
            assert change is not None
            change.status = review.HELD
            change.held_reason = "most_replaced"
            change.held_at = ctx.clock()
            change.published_at = None
            change.url = "javascript:alert('X3')"
            change.section = [HOSTILE, PAYLOADS[1]]
            change.before, change.after = HOSTILE, f"{HOSTILE} {PAYLOADS[5]}"
            change.diff = [["=", PAYLOADS[0]], ["-", PAYLOADS[1]], ["+", PAYLOADS[4]]]
            change.reasons = [HOSTILE]
            session.add(change)
            session.commit()
        ids.append(change_id)
    with Session(ctx.engine) as session:
        source = session.exec(select(Source).where(Source.key == "s")).one()
        source.name = f"Kilde {PAYLOADS[1]}"
        session.add(source)
        session.commit()
    return ids


async def test_held_hostile_changes_and_staff_text_reach_the_console_as_text(
    ctx: Context, clock: Clock
) -> None:
    ids = held_changes(ctx)
    async with staff_client(ctx) as redaktor, staff_client(ctx) as admin:
        _, csrf = await login(redaktor, ctx)
        _, admin_csrf = await login(admin, ctx, role="admin")
        pages = ["/staff", "/staff/gjennomgang", "/staff/kilder", "/staff/kilder/s"]
        pages += [f"/staff/endringer/{i}" for i in ids]
        before_review = {p: (await redaktor.get(p)) for p in pages}
        stopped = await redaktor.post(
            f"/staff/endringer/{ids[1]}/stans", data={"csrf_token": csrf, "reason": HOSTILE}
        )
        edited = await redaktor.post(
            f"/staff/endringer/{ids[2]}/rediger",
            data={"csrf_token": csrf, "title": PAYLOADS[5], "summary": HOSTILE},
        )
        disabled = await admin.post(
            "/staff/kilder/s/slaa-av", data={"csrf_token": admin_csrf, "reason": HOSTILE}
        )
        assert {stopped.status_code, edited.status_code, disabled.status_code} == {303}
        pages += ["/staff/logg", "/staff/utboks"]
        after_review = {p: (await admin.get(p)) for p in pages}
    found = {}
    for when, answers in (("before", before_review), ("after", after_review)):
        for path, answer in answers.items():
            assert answer.status_code == 200, (when, path, answer.status_code)
            if hits := raw_found(answer.text):
                found[(when, path)] = hits
    assert found == {}
    assert "X1" in after_review["/staff/logg"].text  # what staff typed is shown, as text

    clock.advance(hours=200)  # the held ones left wait past the operator's limit
    with Session(ctx.engine) as session:
        late = review.overdue(session, clock(), timedelta(hours=1))
        assert late
        mail = operators.held_message(ctx, late, review.source_names(session, late))
    assert raw_found(mail.html) == []
    assert "\r" not in mail.subject and "\n" not in mail.subject
