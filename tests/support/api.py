"""Changes, sources and staff API tokens for the API and feed tests, written straight to the
store, and an HTTP client for the app (httpx over ASGI, at https://testserver)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
from sqlmodel import Session, select

from feeds.store.models import Change, Snapshot, Source
from notifier import api_tokens, staff
from notifier.context import Context
from notifier.web import create_app

BASE = "https://varsel.example.no"  # the ctx fixture's NOTIFIER_BASE_URL


@asynccontextmanager
async def api_client(
    ctx: Context, client: tuple[str, int] = ("203.0.113.9", 40000)
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(ctx), client=client)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


def add_source(
    ctx: Context, key: str, authority: str, *, name: str = "", enabled: bool = True
) -> int:
    with Session(ctx.engine) as session:
        found = session.exec(select(Source).where(Source.key == key)).first()
        if found is None:
            found = Source(
                key=key, kind="feed", url=f"https://{key}.example.no/rss", authority=authority,
                name=name or key.replace("-", " ").title(), enabled=enabled,
            )  # fmt: skip
            session.add(found)
            session.commit()
        assert found.id is not None
        return found.id


def add_change(
    ctx: Context,
    title: str,
    *,
    source: str = "fhi-nyheter",
    authority: str = "fhi",
    kind: str = "changed",
    subtopics: Sequence[str] = ("vaksinasjon",),
    regions: Sequence[str] = (),
    urgent: bool = False,
    status: str = "published",
    held_reason: str | None = None,
    at: datetime | None = None,
    summary: str = "Et sammendrag.",
    url: str | None = None,
    diff: list[list[str]] | None = None,
) -> int:
    """One change of ``source`` (made with ``authority`` when missing); returns its id."""
    sid = add_source(ctx, source, authority)
    at = at or ctx.clock()
    with Session(ctx.engine) as session:
        n = len(session.exec(select(Change.id)).all())
        snap = Snapshot(source_id=sid, content_digest=f"d{n}", taken_at=at)
        session.add(snap)
        session.flush()
        assert snap.id is not None
        change = Change(
            source_id=sid, snapshot_id=snap.id, fingerprint=f"f{n}", kind=kind, title=title,
            url=url if url is not None else f"https://{source}.example.no/sak/{n}",
            summary=summary, before="gammel tekst", after="ny tekst",
            diff=diff if diff is not None else [["=", "Dosen er "], ["-", "to"], ["+", "tre"]],
            subtopics=list(subtopics), regions=list(regions), urgent=urgent, status=status,
            held_reason=held_reason, held_at=at if status == "held" else None, detected_at=at,
        )  # fmt: skip
        session.add(change)
        session.commit()
        assert change.id is not None
        return change.id


def make_token(
    ctx: Context, email: str = "redaktor@fhi.no", role: str = "redaktor", token_role: str = ""
) -> str:
    """A staff user (created when missing) with ``role`` and a new API token of theirs."""
    with Session(ctx.engine) as session:
        if staff.find_staff(session, email) is None:
            staff.create_staff(session, email, role, ctx.clock())
        _, token = api_tokens.create(
            session, email, f"skript {email}", ctx.clock(), role=token_role or None
        )
        session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
