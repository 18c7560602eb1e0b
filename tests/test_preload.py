"""The service's start (``notifier.pipeline.preload``): the model is loaded before the first
round, and the objects alive at start are frozen out of the garbage collector's walk."""

from __future__ import annotations

import gc

import pytest

from feeds.classify.model import load_model
from notifier import pipeline
from notifier.context import Context
from notifier.worker import build_scheduler


def test_build_scheduler_loads_the_model_and_freezes_startup_objects(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "_frozen", False)
    load_model.cache_clear()
    gc.unfreeze()
    build_scheduler(ctx)
    assert load_model.cache_info().currsize == 1
    frozen = gc.get_freeze_count()
    assert frozen > 0
    pipeline.preload(ctx)  # once per process: a second call freezes nothing more
    assert gc.get_freeze_count() == frozen
    gc.unfreeze()
