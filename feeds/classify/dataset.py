"""The labelled data the model learns from, and its deterministic split by source document.

Each line of ``feeds/data/labelled/*.jsonl`` is one labelled item (written to the rules of
the classification guidelines): ``doc`` (the source document it comes from), ``source``,
``form``, ``lang``, ``title``, ``text``, ``url``, optional ``section_path``, ``kind``, and the
labels ``subtopics``, ``regions`` and ``urgent``. Staff corrections exported with
``notifier classify export-corrections`` go into ``feeds/data/labelled/corrections/*.jsonl``
as they are (their ``change_id`` or address stands for ``doc``); they always count as
training data and are never measured.

The split is a function of ``doc`` alone: sha256 of the document id, modulo 10, gives train
(0-5), dev (6-7) or test (8-9), so all items of one document (its sections, its nynorsk and
bokmål versions, near-copies) land in the same split whatever else is added. The model
learns on train and dev, its calibration and thresholds come from cross-validated scores
over train and dev (``feeds.classify.train``); figures are reported on test; test is never
trained, calibrated or tuned on.

Pure apart from reading the files given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from feeds.classify.terms import ClassifyDataError

Split = Literal["train", "dev", "test"]

LABELLED_DIR = Path(__file__).resolve().parents[1] / "data" / "labelled"
CORRECTIONS_DIR = LABELLED_DIR / "corrections"


@dataclass(frozen=True)
class Example:
    """One labelled item."""

    doc: str
    title: str
    text: str
    url: str
    subtopics: frozenset[str]
    regions: frozenset[str]
    urgent: bool
    section_path: tuple[str, ...] = ()
    kind: str = "new"
    lang: str = "nb"
    source: str = ""
    form: str = ""
    origin: str = ""  # file name it came from
    correction: bool = False

    @property
    def split(self) -> Split:
        return "train" if self.correction else split_of(self.doc)


def split_of(doc: str) -> Split:
    """train (60 %), dev (20 %) or test (20 %), by the sha256 of the document id."""
    bucket = int.from_bytes(hashlib.sha256(doc.encode("utf-8")).digest()[:8], "big") % 10
    if bucket < 6:
        return "train"
    return "dev" if bucket < 8 else "test"


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ClassifyDataError(f"{what}: expected a list of strings")
    return tuple(value)


def example_from(row: dict[str, Any], origin: str, correction: bool = False) -> Example:
    """One JSON object as an ``Example``; ``ClassifyDataError`` when a field is malformed."""
    doc = row.get("doc") or (f"change:{row['change_id']}" if "change_id" in row else "")
    doc = doc or str(row.get("url") or row.get("title") or "")
    if not isinstance(row.get("title", ""), str) or not isinstance(row.get("text", ""), str):
        raise ClassifyDataError(f"{origin}: title and text must be strings")
    return Example(
        doc=str(doc),
        title=row.get("title", ""),
        text=row.get("text", ""),
        url=str(row.get("url") or ""),
        subtopics=frozenset(_strings(row.get("subtopics"), f"{origin}: subtopics")),
        regions=frozenset(_strings(row.get("regions"), f"{origin}: regions")),
        urgent=bool(row.get("urgent", False)),
        section_path=_strings(row.get("section_path"), f"{origin}: section_path"),
        kind=str(row.get("kind") or "new"),
        lang=str(row.get("lang") or "nb"),
        source=str(row.get("source") or ""),
        form=str(row.get("form") or ""),
        origin=origin,
        correction=correction,
    )


def read_jsonl(path: Path, correction: bool = False) -> Iterator[Example]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ClassifyDataError(f"{path.name}:{number}: {exc}") from exc
        if not isinstance(row, dict):
            raise ClassifyDataError(f"{path.name}:{number}: expected a JSON object")
        yield example_from(row, f"{path.name}:{number}", correction)


def load_examples(folder: Path = LABELLED_DIR, corrections: Path | None = None) -> list[Example]:
    """Every labelled item of ``folder/*.jsonl`` (file names in order), then the staff
    corrections of ``corrections`` (a folder of ``*.jsonl`` or one file; default
    ``folder/corrections``). A correction replaces a labelled item with the same document
    id and title."""
    examples = [ex for path in sorted(folder.glob("*.jsonl")) for ex in read_jsonl(path)]
    fixes = list(_corrections(corrections if corrections is not None else folder / "corrections"))
    if fixes:
        replaced = {(ex.doc, ex.title) for ex in fixes}
        examples = [ex for ex in examples if (ex.doc, ex.title) not in replaced] + fixes
    return examples


def _corrections(where: Path) -> Iterable[Example]:
    if where.is_file():
        return read_jsonl(where, correction=True)
    if where.is_dir():
        return (ex for p in sorted(where.glob("*.jsonl")) for ex in read_jsonl(p, True))
    return ()
