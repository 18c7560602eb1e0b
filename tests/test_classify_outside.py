"""The outside set (feeds/data/outside/): items written blind by others, scored by
``python -m bench.classify`` and never trained on. Tests that the training code does not read
it, that none of its items is in the training data, and that the bench scores a set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.classify import OUTSIDE_DIR, OUTSIDE_TITLE, load_outside, main, print_outside
from feeds.classify import dataset, load_gazetteer, load_taxonomy, train
from feeds.classify.dataset import LABELLED_DIR, load_examples

TAXONOMY = load_taxonomy()
GAZETTEER = load_gazetteer()


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def test_outside_set_is_well_formed() -> None:
    items = load_outside(OUTSIDE_DIR)
    assert len(items) >= 200
    docs = [item.doc for item in items]
    assert len(set(docs)) == len(docs), "every outside item is its own document"
    assert all(doc.startswith("out") for doc in docs)
    slugs = set(TAXONOMY.slugs())
    assert all(item.subtopics <= slugs for item in items)
    assert sum(item.lang == "nn" for item in items) * 3 >= len(items)
    assert sum(not item.subtopics for item in items) * 10 >= len(items)


def test_outside_folder_is_not_under_the_labelled_folder() -> None:
    assert OUTSIDE_DIR.resolve() != LABELLED_DIR.resolve()
    assert LABELLED_DIR.resolve() not in OUTSIDE_DIR.resolve().parents


def test_training_reads_no_outside_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything ``make model`` (``train.build_text``) reads, recorded at the file reader."""
    read: list[Path] = []
    reader = dataset.read_jsonl

    def recording(path: Path, correction: bool = False) -> Any:
        read.append(path.resolve())
        return reader(path, correction)

    monkeypatch.setattr(dataset, "read_jsonl", recording)
    monkeypatch.setattr(train, "build", lambda examples: {"examples": len(list(examples))})
    monkeypatch.setattr(train, "dumps", lambda data: json.dumps(data))
    assert json.loads(train.build_text())["examples"] > 0
    assert read, "the training data were read through dataset.read_jsonl"
    outside = OUTSIDE_DIR.resolve()
    assert not [p for p in read if outside in p.parents], "training read the outside set"


def test_no_outside_item_is_in_the_training_data() -> None:
    trained = load_examples()
    docs = {ex.doc for ex in trained}
    texts = {_norm(ex.text) for ex in trained if len(ex.text) > 40}
    titles = {(_norm(ex.title), _norm(ex.text)) for ex in trained}
    for item in load_outside(OUTSIDE_DIR):
        assert item.doc not in docs, item.doc
        assert (_norm(item.title), _norm(item.text)) not in titles, item.doc
        assert len(item.text) <= 40 or _norm(item.text) not in texts, item.doc


def _write(folder: Path, rows: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = (json.dumps(row, ensure_ascii=False) for row in rows)
    (folder / "tiny.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


TINY = [
    {
        "doc": "tiny-1",
        "lang": "nb",
        "title": "Torskekvoten for neste år er fastsatt",
        "text": "Fiskeridepartementet har fastsatt kvoten for torsk nord for 62 grader.",
        "subtopics": [],
        "regions": [],
        "urgent": False,
    },
    {
        "doc": "tiny-2",
        "lang": "nn",
        "title": "Test av Nødvarsel i Bergen",
        "text": "Onsdag klokka 12 vert Nødvarsel testa på mobiltelefonar i Bergen.",
        # deliberately wrong: the bench must count and list it as a disagreement
        "subtopics": ["testing"],
        "regions": ["4601", "46"],
        "urgent": True,
    },
]


def test_bench_scores_a_tiny_outside_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, TINY)
    model, vocab = print_outside(TAXONOMY, GAZETTEER, tmp_path, errors=True)
    out = capsys.readouterr().out
    assert OUTSIDE_TITLE in out and "never trained on" in out
    assert "2 items" in out and "1 nynorsk" in out
    assert "micro average" in out and "siblings (outside set, model)" in out
    assert "headline" in out and "regions F1" in out
    assert model.micro.tp + model.micro.fn == 1  # one labelled subtopic in all
    assert model.urgency.tp + model.urgency.fn == 1
    assert "[tiny-2]" in out, "the wrong label is listed as a disagreement"
    assert vocab.micro.tp + vocab.micro.fn == 1


def test_bench_scores_each_outside_file_and_all_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With several files, the figures are printed together and for each file on its own."""
    for name, row in (("first", TINY[0]), ("second", TINY[1])):
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n")
    model, _ = print_outside(TAXONOMY, GAZETTEER, tmp_path)
    out = capsys.readouterr().out
    assert "2 items from" in out
    assert f"{OUTSIDE_TITLE}, first: 1 items (0 nynorsk, 1 without subtopic)" in out
    assert f"{OUTSIDE_TITLE}, second: 1 items (1 nynorsk, 0 without subtopic)" in out
    headline = out.split("headline", 1)[1]
    for name in ("outside", "vocabulary, outside", "first", "vocabulary, first", "second"):
        assert f"  {name} " in headline, name
    assert model.micro.tp + model.micro.fn == 1, "the returned report covers both files"


def test_outside_option_is_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``--outside DIR`` reaches the outside scoring (the rest of the bench is stubbed)."""
    _write(tmp_path, TINY)
    seen: list[Path] = []
    import bench.classify as bench

    monkeypatch.setattr(bench, "load_examples", lambda *a, **k: [])
    monkeypatch.setattr(bench, "evaluate", lambda *a, **k: bench.Report())
    monkeypatch.setattr(bench, "print_side_by_side", lambda *a, **k: None)
    monkeypatch.setattr(bench, "print_siblings", lambda *a, **k: None)
    monkeypatch.setattr(bench, "print_aims", lambda *a, **k: None)
    monkeypatch.setattr(bench, "timing", lambda *a, **k: 0.0)
    monkeypatch.setattr(bench, "print_outside", lambda t, g, folder, *a, **k: seen.append(folder))
    main(["--outside", str(tmp_path), "--repeat", "1"])
    assert seen == [tmp_path]
    seen.clear()
    main(["--outside", str(tmp_path), "--no-outside", "--repeat", "1"])
    assert seen == []
