"""The chain, top to bottom: source -> fetch -> extract -> diff -> classify -> store
(feeds.check), then match -> outbox (notifier.plan), render and deliver (notifier.deliver)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from feeds.catalogue import SourceSpec, load_catalogue
from feeds.check import CheckReport, Classifier, check_sources
from feeds.classify import Classification, classify
from feeds.detect.detection import DetectedChange
from feeds.fetch.client import Fetcher
from feeds.store.sources import select_sources, upsert_sources
from notifier.context import Context
from notifier.operators import alert_operators
from notifier.plan import dispatch


def load_sources(ctx: Context, path: Path | None = None) -> tuple[int, int]:
    """Insert or update the sources of a catalogue file (the bundled one by default)."""
    specs = load_catalogue(path or ctx.settings.catalogue)
    with Session(ctx.engine) as session:
        result = upsert_sources(session, specs)
        session.commit()
    return result


def classifier_for(ctx: Context) -> Classifier:
    taxonomy, gazetteer = ctx.taxonomy, ctx.gazetteer

    def run(spec: SourceSpec, change: DetectedChange) -> Classification:
        return classify(
            taxonomy,
            gazetteer,
            title=change.title,
            text=change.after or change.before or change.summary,
            url=change.url,
            source_subtopics=spec.subtopics,
            section_path=change.section,
            kind=change.kind,
        )

    return run


async def check(
    ctx: Context,
    keys: Sequence[str] = (),
    everything: bool = False,
    fetcher: Fetcher | None = None,
) -> list[CheckReport]:
    """One check round (these keys, all, or the due sources), then immediate alerts (for what
    is published; a page change waits for its confirmation by a re-check). The
    service passes its long-lived ``fetcher`` so robots.txt caches and per-host pauses
    outlive a round; one-off commands get a fetcher of their own."""
    with Session(ctx.engine) as session:
        sources = select_sources(session, ctx.clock(), keys, everything)
        ids = [s.id for s in sources if s.id is not None]
        found = {s.key for s in sources}
    missing = [k for k in keys if k not in found]
    if missing:
        raise LookupError(f"no source with key {', '.join(missing)}; see 'notifier sources list'")
    rules, confirm = ctx.settings.hold_rules(), ctx.settings.confirm_rules()
    if fetcher is None:
        async with Fetcher(ctx.settings.fetch_policy()) as own:
            reports = await check_sources(
                ctx.engine, own, ids, classifier_for(ctx), ctx.clock, rules, confirm
            )
    else:
        reports = await check_sources(
            ctx.engine, fetcher, ids, classifier_for(ctx), ctx.clock, rules, confirm
        )
    dispatch(ctx)
    alert_operators(ctx)
    return reports
