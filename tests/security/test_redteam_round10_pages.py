"""Red team, round 10: poison content on the pages. One watched source's change carries
text built to break a page or fool a reader: a lone surrogate, NUL, U+2028/U+2029, a bidi
override (U+202E) that turns a title around, zero-width characters in a URL-looking title,
a word of 1 MB, 100,000 diff segments, a section 500 headings deep, markup and template
syntax, mail-header lines, and a ``javascript:``, ``data:`` or homograph link.

Stored as the pipeline stores a change (a row), it must not end any page in an error: the
public change log (``/endringer``, a change's page), the JSON API, the Atom feed and the
staff console's review queue, change page and preview all answer 200, in Norwegian, with the
text bounded (a page of the poison change stays far below its megabytes) and no bidi
control left to turn the text around (they are dropped from what we show, as in mails).
Through the real app over ASGI on SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import Session

from feeds.store.models import Change
from notifier.context import Context
from notifier.web import create_app
from tests.support.api import bearer, make_token
from tests.support.outbox import store_change
from tests.support.staff import fast_hasher, login, staff_client  # noqa: F401
from tests.test_plan import subscribe

pytestmark = [
    pytest.mark.usefixtures("fast_hasher"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

BIG = "Ord" * 350_000  # about 1 MB without a space
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: fields of a poison change, as a stored row could hold them
POISON: dict[str, dict[str, object]] = {
    "controls": {
        # a text column cannot hold a lone surrogate (the driver refuses it); the JSON
        # columns (section, diff) store it escaped and give it back
        "title": "Kontroll NUL\x00 linje\u2028skille\u2029 \ufffe\U0010ffff",
        "summary": "Sammendrag\x00\x85slutt",
        "section": ["Del \udcff\ud800", "x\x00"],
        "diff": [["=", "før \udfff "], ["-", "gam\x00mel"], ["+", "ny\ud800"]],
    },
    "bidi": {"title": "Faktura \u202efdp.exe\u202c https://fhi.no", "summary": "\u2067x\u2069"},
    "zero-width": {"title": "https://www.fhi\u200b.no\u200d/logg\u2060inn\ufeff"},
    "huge": {"title": BIG, "summary": BIG, "diff": [["=", BIG], ["-", BIG], ["+", BIG]]},
    "segments": {
        "diff": [[("=", "-", "+")[i % 3], f"o{i} "] for i in range(100_000)],
    },
    "deep": {"section": [f"Overskrift {i}" for i in range(500)]},
    "markup": {
        "title": "{{ 7*191 }} {% raw %} <mj-text>**fet**</mj-text> <style>*{}</style>",
        "summary": "Subject: hei\nBcc: x@evil.example\n\n# overskrift",
    },
    "javascript": {"url": "javascript:alert(1)"},
    "data": {"url": "data:text/html,<script>alert(1)</script>"},
    "homograph": {"url": "https://www.fh\u0456.no/"},
}
#: the most any page may weigh with the poison change on it (its fields are megabytes)
PAGE_LIMIT = 400_000


def poison_changes(ctx: Context, held: bool = False) -> dict[str, int]:
    """One change per poison, published (or held for review), as the pipeline stores one."""
    ids = {}
    for n, (name, fields) in enumerate(POISON.items(), start=1001 if held else 1):
        change_id = store_change(ctx, n, f"Tittel {name}", summary="s", source_key="s")
        with Session(ctx.engine) as session:
            change = session.get(Change, change_id)
            assert change is not None
            change.kind = "changed"
            change.diff = [["=", "før "], ["-", "gammel"], ["+", "ny"]]
            change.section = ["Del"]
            if held:
                change.status = "held"
            for key, value in fields.items():
                setattr(change, key, value)
            session.add(change)
            session.commit()
        ids[name] = change_id
    return ids


@pytest.fixture
async def admin(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx, create_app(ctx)) as client:
        await login(client, ctx, role="admin")
        yield client


def faults(answer: httpx.Response, url: str) -> list[str]:
    """What is wrong with the answer to ``url`` (nothing, for a page that held)."""
    if answer.status_code != 200:
        return [f"{url}: {answer.status_code}"]
    out = []
    if len(answer.content) > PAGE_LIMIT:
        out.append(f"{url}: {len(answer.content)} bytes")
    text = answer.text
    left = sorted({f"U+{ord(ch):04X}" for ch in text if ch in BIDI or ch == "\x00"})
    if left:
        out.append(f"{url}: {left}")
    if "html" in answer.headers.get("content-type", "") and '<html lang="n' not in text:
        out.append(f"{url}: not a Norwegian page")
    return out


async def test_public_pages_answer_the_poison_as_bounded_text(
    ctx: Context, admin: httpx.AsyncClient
) -> None:
    ids = poison_changes(ctx)
    urls = ["/", "/endringer", "/endringer.atom", "/api/v1/changes"]
    urls += [f"/endringer/{i}" for i in ids.values()]
    found = [fault for url in urls for fault in faults(await admin.get(url), url)]
    assert found == []


async def test_staff_pages_answer_the_poison_as_bounded_text(
    ctx: Context, admin: httpx.AsyncClient
) -> None:
    ids = poison_changes(ctx) | {f"held {k}": v for k, v in poison_changes(ctx, True).items()}
    subscribe(ctx, "lege@kommune.no", ["vaksinasjon"], "daily")
    segment = "role=kommunelege&subtopics=vaksinasjon&cadence=daily&language=nb"
    urls = ["/staff", "/staff/gjennomgang", f"/staff/forhandsvisning?{segment}"]
    urls += [f"/staff/forhandsvisning/ramme?{segment}"]
    urls += [f"/staff/endringer/{i}" for i in ids.values()]
    found = [fault for url in urls for fault in faults(await admin.get(url), url)]
    assert found == []


async def test_the_staff_api_queue_answers_the_poison_as_bounded_text(
    ctx: Context, admin: httpx.AsyncClient
) -> None:
    poison_changes(ctx, held=True)
    token = make_token(ctx)
    url = "/api/v1/staff/queue"
    answer = await admin.get(url, headers=bearer(token))
    assert faults(answer, url) == []
    assert len(answer.json()["items"]) == len(POISON)
