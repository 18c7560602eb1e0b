"""The check orchestrator: source -> fetch -> extract/diff (detect) -> classify -> store.

``check_sources`` runs one round. Sources are fetched concurrently (the fetcher enforces the
per-host limits); each source's result is stored in its own transaction: its new snapshot and
its changes together, or its error. Any failure of one source is recorded on that source and
never stops the round.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from feeds.catalogue import SourceSpec
from feeds.classify import Classification
from feeds.detect import DetectedChange, Detection, body_hash, detect
from feeds.errors import ContentCollapse
from feeds.fetch import Fetcher, Validators
from feeds.models import Source
from feeds.store import latest_state, record_detection, record_error, spec_of

log = logging.getLogger(__name__)

#: classifies one detected change of one source
Classifier = Callable[[SourceSpec, DetectedChange], Classification]


@dataclass(frozen=True)
class CheckReport:
    key: str
    outcome: str  # new | changed | unchanged | error
    changes: int = 0
    detail: str = ""


async def check_sources(
    engine: Engine,
    fetcher: Fetcher,
    source_ids: Sequence[int],
    classifier: Classifier,
    now: Callable[[], datetime],
) -> list[CheckReport]:
    """Check these sources once; one report per source, in the order given."""
    return list(
        await asyncio.gather(
            *(check_source(engine, fetcher, sid, classifier, now) for sid in source_ids)
        )
    )


async def check_source(
    engine: Engine,
    fetcher: Fetcher,
    source_id: int,
    classifier: Classifier,
    now: Callable[[], datetime],
) -> CheckReport:
    with Session(engine, expire_on_commit=False) as session:
        source = session.get(Source, source_id)
        assert source is not None, f"source {source_id} vanished"
        spec = spec_of(source)
        known_body = source.body_hash
        validators = Validators(source.etag, source.last_modified) if known_body else None
        pending = source.pending_digest
    try:
        result = await fetcher.fetch(spec.url, validators)
        if result.not_modified or body_hash(result.body) == known_body:
            detection = Detection("unchanged", None, note="not modified")
        else:
            # Only a body we have not seen is worth loading the last snapshot for.
            with Session(engine) as session:
                previous = latest_state(session, source_id)
            detection = detect(spec, result, previous, accept_collapse=pending)
        tags = [_classified(classifier, spec, c) for c in detection.changes]
    except Exception as exc:  # noqa: BLE001 - the orchestrator records every failure
        return _store_error(engine, source_id, spec.key, exc, now())
    validators_now = (result.validators.etag, result.validators.last_modified)
    return _store_detection(engine, source_id, spec.key, detection, tags, validators_now, now())


def _classified(
    classifier: Classifier, spec: SourceSpec, change: DetectedChange
) -> tuple[DetectedChange, list[str], list[str], bool, list[str]]:
    c = classifier(spec, change)
    reasons = [f"{t.slug}: {t.reason}" for t in c.subtopics]
    reasons += [f"{r.code}: {r.reason}" for r in c.regions]
    reasons += [f"haster: {r}" for r in c.urgent_reasons]
    return change, list(c.subtopic_slugs), list(c.region_codes), c.urgent, reasons


def _store_detection(
    engine: Engine,
    source_id: int,
    key: str,
    detection: Detection,
    tags: list[tuple[DetectedChange, list[str], list[str], bool, list[str]]],
    validators: tuple[str | None, str | None],
    now: datetime,
) -> CheckReport:
    with Session(engine, expire_on_commit=False) as session:
        source = session.get(Source, source_id)
        assert source is not None
        stored = record_detection(session, source, detection, tags, validators, now)
        session.commit()
    detail = detection.note + (" (held for review)" if detection.held else "")
    outcome = detection.outcome if stored or detection.baseline else "unchanged"
    return CheckReport(key, outcome, stored, detail)


def _store_error(
    engine: Engine, source_id: int, key: str, exc: Exception, now: datetime
) -> CheckReport:
    log.warning("check of %s failed: %s", key, exc)
    pending = exc.digest if isinstance(exc, ContentCollapse) else None
    with Session(engine, expire_on_commit=False) as session:
        source = session.get(Source, source_id)
        assert source is not None
        record_error(session, source, exc, now, pending_digest=pending)
        session.commit()
    return CheckReport(key, "error", 0, f"{type(exc).__name__}: {exc}")
