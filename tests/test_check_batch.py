"""A round's changes are classified in batches just before they are stored (feeds/check.py):
every change is tagged as the classifier says, and a classifier that fails is a failure of
that source's check only."""

from __future__ import annotations

from sqlmodel import Session, select

from feeds.catalogue import SourceSpec
from feeds.check import check_sources
from feeds.classify import Classification
from feeds.detect.detection import DetectedChange
from feeds.store.models import Change, Source
from notifier.context import Context
from notifier.pipeline import classifier_for, make_fetcher
from tests.support.httpserver import FixtureServer


def page(text: str) -> bytes:
    return f"<html><body><main><h1>Råd</h1><p>{text}</p></main></body></html>".encode()


async def test_changes_are_tagged_and_a_failing_classifier_fails_only_its_source(
    ctx: Context, http: FixtureServer
) -> None:
    with Session(ctx.engine) as session:
        for key in ("a", "b"):
            http.set(f"/{key}", page("Alle nærkontakter skal holde seg hjemme i fem dager."))
            session.add(
                Source(key=key, kind="page", url=http.url(f"/{key}"), authority="fhi", name=key)
            )
        session.commit()
        ids = [s.id or 0 for s in session.exec(select(Source).order_by(Source.key))]
    real = classifier_for(ctx)
    calls: list[str] = []
    seen: list[tuple[SourceSpec, DetectedChange]] = []

    def classifier(spec: SourceSpec, change: DetectedChange) -> Classification:
        calls.append(spec.key)
        seen.append((spec, change))
        if spec.key == "b":
            raise RuntimeError("klassifisering feilet")
        return real(spec, change)

    async with make_fetcher(ctx) as fetcher:
        first = await check_sources(ctx.engine, fetcher, ids, classifier, ctx.clock)
        assert [(r.key, r.outcome) for r in first] == [("a", "new"), ("b", "new")]
        for key in ("a", "b"):
            http.set(f"/{key}", page("Alle nærkontakter skal holde seg hjemme i sju dager."))
        reports = await check_sources(ctx.engine, fetcher, ids, classifier, ctx.clock)
        assert [(r.key, r.outcome) for r in reports] == [("a", "changed"), ("b", "error")]
        assert "klassifisering feilet" in reports[1].detail
        assert sorted(calls) == ["a", "b"]  # each change classified once
        # b's new version was not stored: the next round finds its change again
        again = await check_sources(ctx.engine, fetcher, ids[1:], real, ctx.clock)
        assert [(r.key, r.outcome, r.changes) for r in again] == [("b", "changed", 1)]
    with Session(ctx.engine) as session:
        [stored] = session.exec(select(Change).where(Change.source_id == ids[0])).all()
    [(spec, change)] = [(real_spec, c) for real_spec, c in seen if real_spec.key == "a"]
    tags = real(spec, change)
    assert stored.subtopics == list(tags.subtopic_slugs) and stored.subtopics
    assert stored.urgent == tags.urgent and stored.reasons
