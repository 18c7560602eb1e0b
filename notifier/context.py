"""What every operation needs, built once per process from the settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy.engine import Engine

from feeds.classify import Gazetteer, Taxonomy, load_gazetteer, load_taxonomy
from feeds.detect import processes
from feeds.detect.processes import DetectProcesses
from feeds.store.models import utcnow
from notifier.db import make_engine
from notifier.render import Renderer
from notifier.settings import Settings


@dataclass
class Context:
    settings: Settings
    engine: Engine
    clock: Callable[[], datetime] = field(default=utcnow)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy()

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return load_gazetteer()

    @property
    def detect_processes(self) -> DetectProcesses | None:
        """The process's detection processes (shared by every context with the same count),
        or None: detection in the checking process (``NOTIFIER_DETECT_PROCESSES=0``)."""
        return processes.shared(self.settings.detect_processes)

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.settings.base_url, self.settings.timezone)

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()

    @cached_property
    def _umbrellas(self) -> dict[str, tuple[str, ...]]:
        return self.taxonomy.umbrellas()

    def with_umbrellas(self, subtopics: Sequence[str]) -> tuple[str, ...]:
        """The subtopics of a change plus the umbrellas covering them: a subscriber of 'tisk'
        follows testing, isolasjon, smittesporing and karantene as well."""
        out = dict.fromkeys(subtopics)
        for slug in subtopics:
            out.update(dict.fromkeys(self._umbrellas.get(slug, ())))
        return tuple(out)

    def labels(self) -> dict[str, str]:
        return {s.slug: s.label_nb for s in self.taxonomy.subtopics}


def build_context(settings: Settings | None = None) -> Context:
    settings = settings or Settings()
    return Context(settings=settings, engine=make_engine(settings.database_url))
