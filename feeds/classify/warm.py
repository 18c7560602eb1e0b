"""Imported by the detection processes' fork server only (feeds/detect/processes.py): the
bundled taxonomy, gazetteer and model loaded, and one change classified, so that every process
forked from it classifies its first change without loading them (~0.2 s and ~15 MB a process,
shared with the fork server until written). Never fails: a warm-up that cannot run leaves the
processes to load them on their first change."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from feeds.classify.model import load_model
from feeds.classify.shipped import SHIPPED


@dataclass(frozen=True)
class _Source:
    subtopics: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Change:
    title: str = "Råd om testing"
    url: str = "https://www.fhi.no/oppvarming"
    section: tuple[str, ...] = ("Testing",)
    summary: str = ""
    before: str = "Alle nærkontakter skal testes på dag 3."
    after: str = "Alle nærkontakter i Oslo kommune skal testes på dag 5."
    kind: str = "changed"


def _warm() -> None:
    load_model()
    SHIPPED(_Source(), _Change())


with contextlib.suppress(Exception):
    _warm()
