"""One log line per check, and the fetch time kept in the check history (issue 12:
"one line per check"; /metrics's notifier_source_fetch_seconds)."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select

from feeds.store.models import Source, SourceCheckHour
from notifier.context import Context
from notifier.pipeline import check
from tests.support.httpserver import FixtureServer


def page(text: str) -> bytes:
    return f"<html><body><main><h1>Råd</h1><p>{text}</p></main></body></html>".encode()


def add(ctx: Context, key: str, url: str) -> None:
    with Session(ctx.engine) as session:
        session.add(Source(key=key, kind="page", url=url, authority="fhi", name=key))
        session.commit()


async def test_each_check_logs_one_line_and_its_fetch_time_is_summed(
    ctx: Context, http: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    http.set("/a", page("Første versjon."))
    http.set("/b", b"", status=500)
    add(ctx, "a", http.url("/a"))
    add(ctx, "b", http.url("/b"))
    with caplog.at_level(logging.INFO, logger="feeds.check"):
        reports = await check(ctx, ["a", "b"])
    assert sorted((r.key, r.outcome) for r in reports) == [("a", "new"), ("b", "error")]
    lines = [r for r in caplog.records if r.name == "feeds.check"]
    by_source = {r.__dict__.get("source"): r for r in lines}
    assert len(lines) == 2 and set(by_source) == {"a", "b"}  # one line each, no more
    ok, failed = by_source["a"], by_source["b"]
    assert ok.levelno == logging.INFO and ok.getMessage() == "checked"
    assert ok.__dict__["outcome"] == "new" and ok.__dict__["changes"] == 0  # the baseline
    assert failed.levelno == logging.WARNING and "500" in failed.getMessage()
    assert failed.__dict__["outcome"] == "error"
    with Session(ctx.engine) as session:
        history = {row.source_id: row for row in session.exec(select(SourceCheckHour))}
        ids = {s.key: s.id or 0 for s in session.exec(select(Source))}
    assert history[ids["a"]].checks == 1 and history[ids["a"]].fetch_seconds > 0
    assert ok.__dict__["fetch_seconds"] == pytest.approx(history[ids["a"]].fetch_seconds, abs=1e-3)
    # a second round adds to the same hour
    await check(ctx, ["a"])
    with Session(ctx.engine) as session:
        again = session.exec(
            select(SourceCheckHour).where(SourceCheckHour.source_id == ids["a"])
        ).one()
    assert again.checks == 2 and again.fetch_seconds > history[ids["a"]].fetch_seconds
