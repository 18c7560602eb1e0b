"""The check orchestrator: source -> fetch -> extract/diff (detect) -> classify -> store.

``check_sources`` runs one round. The sources' state is read in one query; they are fetched
concurrently (the fetcher enforces the per-host limits). A source that shows a new version
(a baseline, or changes) is stored at once in its own transaction: snapshot, changes and health
together. The quiet outcomes (unchanged, error) are written in one bulk update at the end of
the round; losing them to a crash only means those sources are checked again. A failure of one
source is recorded on that source and never stops the round.

Documents and pages with ``follow_pdfs`` also fetch their linked parts (feeds/kinds.py) through
the same Fetcher, on every check and without validators; a part that fails is a problem of that
part only (shown as the source's last error), never a removal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from feeds.catalogue import SourceSpec
from feeds.classify import Classification
from feeds.detect import DetectedChange, Detection, body_hash, detect
from feeds.errors import ContentCollapse
from feeds.fetch import Fetcher, FetchResult, Validators, needs_full_fetch
from feeds.kinds import Linked, fetch_linked, needs_links
from feeds.store import (
    CheckTarget,
    apply_fields,
    error_fields,
    latest_state,
    load_targets,
    record_changes,
    success_fields,
)

log = logging.getLogger(__name__)

#: classifies one detected change of one source
Classifier = Callable[[SourceSpec, DetectedChange], Classification]
Tagged = tuple[DetectedChange, list[str], list[str], bool, list[str]]


@dataclass(frozen=True)
class CheckReport:
    key: str
    outcome: str  # new | changed | unchanged | error
    changes: int = 0
    detail: str = ""


@dataclass
class _Round:
    engine: Engine
    fetcher: Fetcher
    classifier: Classifier
    now: Callable[[], datetime]
    quiet: list[dict[str, Any]] = field(default_factory=list)


async def check_sources(
    engine: Engine,
    fetcher: Fetcher,
    source_ids: Sequence[int],
    classifier: Classifier,
    now: Callable[[], datetime],
) -> list[CheckReport]:
    """Check these sources once; one report per source, in the order given."""
    with Session(engine) as session:
        targets = load_targets(session, source_ids)
    round_ = _Round(engine, fetcher, classifier, now)
    reports = await asyncio.gather(*(_check(round_, t) for t in targets))
    if round_.quiet:
        with Session(engine) as session:
            apply_fields(session, round_.quiet)
            session.commit()
    return list(reports)


async def _check(r: _Round, target: CheckTarget) -> CheckReport:
    spec = target.spec
    known = target.body_hash
    # Documents and pages with PDF attachments fetch their parts on every check: a chapter
    # may change while its table of contents stays the same.
    multi = needs_links(spec)
    force_full = needs_full_fetch(
        target.last_full_fetch_at, r.now(), r.fetcher.policy.full_fetch_every
    )
    try:
        result = await r.fetcher.fetch(
            spec.url,
            Validators(target.etag, target.last_modified) if known and not multi else None,
            force_full=force_full,
        )
        raw = body_hash(result.body) if not result.not_modified else known
        if not multi and (result.not_modified or raw == known):
            detection = Detection("unchanged", None, note="not modified")
        else:
            detection = await _detect(r, target, result)
        tags = [_classified(r.classifier, spec, c) for c in detection.changes]
    except Exception as exc:  # noqa: BLE001 - the orchestrator records every failure
        log.warning("check of %s failed: %s", spec.key, exc)
        pending = exc.digest if isinstance(exc, ContentCollapse) else None
        r.quiet.append(error_fields(target, exc, r.now(), pending))
        return CheckReport(spec.key, "error", 0, f"{type(exc).__name__}: {exc}")
    validators = (result.validators.etag, result.validators.last_modified)
    detail = _detail(detection)
    if detection.state is None or not (
        detection.changes or detection.baseline or detection.refresh
    ):
        fields = success_fields(
            target, "unchanged", validators, raw, r.now(), detection.problems, _full(result)
        )
        r.quiet.append(fields)
        return CheckReport(spec.key, "unchanged", 0, detail)
    with Session(r.engine) as session:
        stored = record_changes(
            session, target, detection, tags, validators, r.now(), _full(result)
        )
        session.commit()
    outcome = detection.outcome if stored or detection.baseline else "unchanged"
    return CheckReport(spec.key, outcome, stored, detail)


async def _detect(r: _Round, target: CheckTarget, result: FetchResult) -> Detection:
    """A body we have not seen (or a document's parts): load the last snapshot and compare."""
    spec = target.spec
    linked: list[Linked] = []
    if needs_links(spec) and not result.not_modified:
        linked = await fetch_linked(r.fetcher, spec, result)
    with Session(r.engine) as session:
        previous = latest_state(session, target.id)
    return detect(spec, result, previous, target.pending_digest, linked)


def _full(result: FetchResult) -> bool:
    """An unconditional 200: the answer a wrong 304 could have hidden."""
    return result.status == 200 and not result.conditional


def _detail(detection: Detection) -> str:
    detail = detection.note + (" (held for review)" if detection.held else "")
    if detection.problems:
        detail += "; problems: " + "; ".join(detection.problems)
    return detail


def _classified(classifier: Classifier, spec: SourceSpec, change: DetectedChange) -> Tagged:
    c = classifier(spec, change)
    reasons = [f"{t.slug}: {t.reason}" for t in c.subtopics]
    reasons += [f"{r.code}: {r.reason}" for r in c.regions]
    reasons += [f"haster: {r}" for r in c.urgent_reasons]
    return change, list(c.subtopic_slugs), list(c.region_codes), c.urgent, reasons
