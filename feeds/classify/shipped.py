"""The chain's classifier of a detected change on the bundled taxonomy, gazetteer and model
(``classify_change``), and the same as an object that crosses to another process by name
(``SHIPPED``): a detection process (feeds/detect/processes.py) classifies the changes it found
right after finding them, so the checking process only fetches and stores. Each process loads
the bundled data once (``bundled``); the detection processes' fork server loads it before
they are forked (``feeds.classify.warm``).

Nothing here decides anything: it is ``feeds.classify.classify`` on what a change says (its
title, its text after, before, or its summary, its section and kind, the source's subtopics).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Protocol

from feeds.classify.decide import classify
from feeds.classify.gazetteer import Gazetteer, load_gazetteer
from feeds.classify.rules import Classification
from feeds.classify.taxonomy import Taxonomy, load_taxonomy


class Source(Protocol):
    """What the classifier reads of a source (a ``feeds.catalogue.SourceSpec``)."""

    @property
    def subtopics(self) -> Sequence[str]: ...


class Change(Protocol):
    """What the classifier reads of a change (a ``feeds.detect.detection.DetectedChange``)."""

    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def section(self) -> Sequence[str]: ...
    @property
    def summary(self) -> str: ...
    @property
    def before(self) -> str: ...
    @property
    def after(self) -> str: ...
    @property
    def kind(self) -> str: ...


def classify_change(
    taxonomy: Taxonomy, gazetteer: Gazetteer, spec: Source, change: Change
) -> Classification:
    """One detected change of one source, classified as the chain classifies it."""
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


@functools.cache
def bundled() -> tuple[Taxonomy, Gazetteer]:
    """The bundled taxonomy and gazetteer, loaded once per process (what ``Context`` loads)."""
    return load_taxonomy(), load_gazetteer()


class Shipped:
    """``classify_change`` on the bundled data; pickled by name (``SHIPPED``), so it costs
    nothing to send with each detection."""

    def __call__(self, spec: Source, change: Change) -> Classification:
        taxonomy, gazetteer = bundled()
        return classify_change(taxonomy, gazetteer, spec, change)

    def __reduce__(self) -> str:
        return "SHIPPED"


SHIPPED = Shipped()
