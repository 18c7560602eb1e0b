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


def test_a_worker_that_classifies_never_loads_numpy() -> None:
    """The classifier scores in plain Python (``feeds.classify.model``): a worker process, its
    modules and the model loaded, and an item classified, holds no numpy (~17 MB of a
    worker's memory; issue 13's aim of 150 MB a worker)."""
    import subprocess
    import sys

    code = (
        "import sys, notifier.cli, notifier.worker\n"
        "from feeds.classify.decide import classify\n"
        "from feeds.classify.taxonomy import load_taxonomy\n"
        "found = classify(load_taxonomy(), title='Nye råd om testing', text='Alle med symptom bør teste seg.')\n"
        "assert found.subtopics, found\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'scipy', 'sklearn')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
