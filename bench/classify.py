"""Measure the classifier on the labelled set: quality per subtopic, regions, urgency, speed.

Run from the repository root::

    python -m bench.classify            # figures
    python -m bench.classify --errors   # also list every disagreement with the labels

Each line of ``bench/data/classify_labelled.jsonl`` is one item: ``title``, ``text``, ``url``,
the expected ``subtopics`` (slugs), ``regions`` (municipality and county numbers, a
municipality always with its county) and ``urgent``; optional ``section_path``, ``kind``
(default "new"), ``lang`` ("nb"/"nn") and ``split``: "tuning" items were used while the
vocabulary and weights were chosen, "holdout" items were written afterwards and measured
once, so their figures are the fairer estimate.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.pages import page
from feeds.classify import (
    Classification,
    Gazetteer,
    Taxonomy,
    classify,
    load_gazetteer,
    load_taxonomy,
)

LABELLED = Path(__file__).parent / "data" / "classify_labelled.jsonl"


@dataclass
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: set[str], found: set[str]) -> None:
        self.tp += len(expected & found)
        self.fp += len(found - expected)
        self.fn += len(expected - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Everything the bench measures on one run over the labelled set."""

    per_subtopic: dict[str, Counts] = field(default_factory=dict)
    micro: Counts = field(default_factory=Counts)
    per_lang: dict[str, Counts] = field(default_factory=dict)
    per_split: dict[str, Counts] = field(default_factory=dict)
    regions: Counts = field(default_factory=Counts)
    urgency: Counts = field(default_factory=Counts)
    errors: list[str] = field(default_factory=list)

    def _seen(self) -> list[Counts]:
        """Subtopics that occur in the labels or the output (others would count as perfect)."""
        return [c for c in self.per_subtopic.values() if c.tp + c.fp + c.fn]

    @property
    def macro_f1(self) -> float:
        return statistics.fmean(c.f1 for c in self._seen())

    @property
    def macro_precision(self) -> float:
        return statistics.fmean(c.precision for c in self._seen())

    @property
    def macro_recall(self) -> float:
        return statistics.fmean(c.recall for c in self._seen())


def load_items(path: Path = LABELLED) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def run(taxonomy: Taxonomy, gazetteer: Gazetteer, item: dict[str, Any]) -> Classification:
    return classify(
        taxonomy,
        gazetteer,
        title=item["title"],
        text=item["text"],
        url=item.get("url", ""),
        section_path=item.get("section_path", ()),
        kind=item.get("kind", "new"),
    )


def evaluate(taxonomy: Taxonomy, gazetteer: Gazetteer, items: Iterable[dict[str, Any]]) -> Report:
    report = Report(per_subtopic={slug: Counts() for slug in sorted(taxonomy.slugs())})
    for number, item in enumerate(items, 1):
        result = run(taxonomy, gazetteer, item)
        expected, found = set(item["subtopics"]), set(result.subtopic_slugs)
        for slug, counts in report.per_subtopic.items():
            counts.add(expected & {slug}, found & {slug})
        report.micro.add(expected, found)
        report.per_lang.setdefault(item.get("lang", "nb"), Counts()).add(expected, found)
        report.per_split.setdefault(item.get("split", "tuning"), Counts()).add(expected, found)
        report.regions.add(set(item["regions"]), set(result.region_codes))
        report.urgency.add(
            {"urgent"} if item["urgent"] else set(), {"urgent"} if result.urgent else set()
        )
        _note_errors(report, number, item, result)
    return report


def _note_errors(report: Report, number: int, item: dict[str, Any], result: Classification) -> None:
    expected, found = set(item["subtopics"]), set(result.subtopic_slugs)
    lines = []
    if expected != found:
        reasons = {tag.slug: tag.reason for tag in result.subtopics}
        extra = [f"+{slug} ({reasons[slug]})" for slug in sorted(found - expected)]
        lines.append(
            "  subtopics: " + " ".join([*extra, *(f"-{s}" for s in sorted(expected - found))])
        )
    if set(item["regions"]) != set(result.region_codes):
        reasons = {tag.code: tag.reason for tag in result.regions}
        extra = [
            f"+{c} ({reasons[c]})" for c in sorted(set(result.region_codes) - set(item["regions"]))
        ]
        missing = [f"-{c}" for c in sorted(set(item["regions"]) - set(result.region_codes))]
        lines.append("  regions: " + " ".join([*extra, *missing]))
    if item["urgent"] != result.urgent:
        lines.append(f"  urgent: expected {item['urgent']}, got {result.urgent_reasons}")
    if lines:
        report.errors.append(f"#{number} {item['title']}\n" + "\n".join(lines))


def timings(
    taxonomy_path: Path | None, items: Sequence[dict[str, Any]], repeat: int
) -> tuple[float, float]:
    """(median cold time, median warm time) per item in milliseconds.

    Cold: a freshly loaded taxonomy, each item classified once, so most words are analysed
    for the first time. Warm: each item classified ``repeat`` times; the median of those.
    """
    taxonomy, gazetteer = load_taxonomy(taxonomy_path), load_gazetteer()
    cold = []
    for item in items:
        start = time.perf_counter()
        run(taxonomy, gazetteer, item)
        cold.append(time.perf_counter() - start)
    warm = []
    for item in items:
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            run(taxonomy, gazetteer, item)
            samples.append(time.perf_counter() - start)
        warm.append(statistics.median(samples))
    return statistics.median(cold) * 1000, statistics.median(warm) * 1000


def long_section(index: int = 5, chapter: int = 3) -> dict[str, Any]:
    """An item like a changed guide section in the check-round benchmark: a chapter of a
    ``bench.pages`` page as text (~3.4 KB, ~500 words), titled and with its heading path."""
    html = page(index, 1).decode()
    body = html.split(f"<h2>Kapittel {chapter}</h2>", 1)[1].split("<h2>", 1)[0]
    return {
        "title": f"Veileder nummer {index}: Kapittel {chapter}",
        "text": " ".join(re.sub(r"<[^>]+>", " ", body).split()),
        "url": f"https://www.helsedirektoratet.no/veiledere/veileder-{index}",
        "section_path": (f"Veileder nummer {index}", f"Kapittel {chapter}"),
        "kind": "changed",
    }


def long_timing(taxonomy_path: Path | None, repeat: int) -> tuple[int, float]:
    """(characters, median warm time in milliseconds) of classifying ``long_section()``."""
    taxonomy, gazetteer = load_taxonomy(taxonomy_path), load_gazetteer()
    item = long_section()
    run(taxonomy, gazetteer, item)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(taxonomy, gazetteer, item)
        samples.append(time.perf_counter() - start)
    return len(item["text"]), statistics.median(samples) * 1000


def _line(name: str, counts: Counts, support: str = "") -> str:
    return (
        f"{name:<26} P {counts.precision:5.2f}  R {counts.recall:5.2f}  F1 {counts.f1:5.2f}"
        f"  (tp {counts.tp}, fp {counts.fp}, fn {counts.fn}{support})"
    )


def print_report(report: Report, items: Sequence[dict[str, Any]]) -> None:
    nynorsk = sum(1 for item in items if item.get("lang") == "nn")
    print(f"labelled items: {len(items)} ({nynorsk} nynorsk)\n")
    print("subtopics")
    for slug, counts in report.per_subtopic.items():
        print(_line(slug, counts))
    print()
    print(_line("micro average", report.micro))
    print(
        f"{'macro average':<26} P {report.macro_precision:5.2f}  R {report.macro_recall:5.2f}"
        f"  F1 {report.macro_f1:5.2f}"
    )
    for lang, counts in sorted(report.per_lang.items()):
        print(_line(f"micro, {lang}", counts))
    for split, counts in sorted(report.per_split.items()):
        print(_line(f"micro, {split} split", counts))
    print()
    print(_line("regions (codes)", report.regions))
    print(_line("urgency", report.urgency))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list disagreements")
    parser.add_argument("--repeat", type=int, default=200, help="repetitions per item (timing)")
    parser.add_argument("--taxonomy", type=Path, default=None, help="another subtopics.json")
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--split", choices=["tuning", "holdout"], help="only this part of the set")
    args = parser.parse_args(argv)
    items = [i for i in load_items(args.labelled) if args.split in (None, i.get("split"))]
    report = evaluate(load_taxonomy(args.taxonomy), load_gazetteer(), items)
    if args.errors:
        print("\n".join(report.errors), end="\n\n")
    print_report(report, items)
    cold, warm = timings(args.taxonomy, items, args.repeat)
    print(f"\ntime per item, median: {warm:.3f} ms warm ({args.repeat} repetitions),", end=" ")
    print(f"{cold:.3f} ms cold")
    chars, long = long_timing(args.taxonomy, args.repeat * 5)
    print(f"time per long section ({chars} characters), median: {long:.3f} ms warm")


if __name__ == "__main__":
    main()
