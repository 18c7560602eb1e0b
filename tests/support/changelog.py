"""Published (and unpublished) changes for the change-log tests: sources of three authorities
and changes with the given fields, written straight to the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from feeds.store.models import Change, Snapshot, Source

AUTHORITIES = {"fhi": "FHI", "helsedirektoratet": "Helsedirektoratet", "regjeringen": "Regjeringen"}


def source_id(session: Session, authority: str) -> int:
    source = session.exec(select(Source).where(Source.authority == authority)).first()
    if source is None:
        source = Source(
            key=f"{authority}-nyheter", kind="feed", url=f"https://{authority}.example.no/rss",
            authority=authority, name=f"{AUTHORITIES.get(authority, authority)} nyheter",
        )  # fmt: skip
        session.add(source)
        session.flush()
    assert source.id is not None
    return source.id


def add(engine: Engine, title: str, at: datetime, **fields: Any) -> int:
    """One change (status published unless given), detected at ``at``; returns its id."""
    authority = fields.pop("authority", "fhi")
    with Session(engine) as session:
        sid = source_id(session, authority)
        snap = Snapshot(source_id=sid, content_digest="d", taken_at=at)
        session.add(snap)
        session.flush()
        assert snap.id is not None
        values: dict[str, Any] = {
            "kind": "new", "url": f"https://{authority}.example.no/{len(title)}",
            "published_at": at, "status": "published",
        }  # fmt: skip
        values.update(fields)
        change = Change(
            source_id=sid, snapshot_id=snap.id, fingerprint=f"{title}-{at.isoformat()}",
            title=title, detected_at=at, **values,
        )  # fmt: skip
        session.add(change)
        session.commit()
        assert change.id is not None
        return change.id
