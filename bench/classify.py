"""Measure the classifier on the labelled data: quality per subtopic, regions, urgency, speed,
beside the vocabulary classifier alone (the classifier before the model), in the same run.

Run from the repository root::

    python -m bench.classify            # figures on test (and dev, labelled as such)
    python -m bench.classify --errors   # also list every disagreement on test
    python -m bench.classify --cv       # cross-validated figures over train and dev only
    python -m bench.classify --cv --nested  # ... thresholds of each fold from the others
    python -m bench.classify --outside DIR  # also score an outside set (default
                                            # feeds/data/outside when it exists)

The labelled items are ``feeds/data/labelled/*.jsonl`` (``feeds.classify.dataset``), split by
source document: the model learns on train and dev (its calibration and thresholds come from
cross-validated scores over them, ``feeds.classify.train``), and **test** is the fair figure
(never trained or tuned on). Dev figures are printed too, clearly marked: they are
optimistic, since the model learned from those items. Staff corrections are training data
only and are not measured.

The **outside set** (``feeds/data/outside/*.jsonl``, same format) is written blind by people who
did not see the labelled items, and is never trained, calibrated or tuned on (``train`` reads
``feeds/data/labelled/`` only): its figures show how the classifier generalises to wordings of
other writers, which the test split (written by the same hands as train) cannot show.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
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
    rules,
)
from feeds.classify.dataset import LABELLED_DIR, Example, load_examples, read_jsonl
from feeds.classify.model import load_model, model_text

_TITLES = {
    "test": "TEST split (the fair figure)",
    "dev": "DEV split (trained on: optimistic)",
}
#: the outside set: written blind, never trained on (see the module's docstring)
OUTSIDE_DIR = Path(__file__).resolve().parents[1] / "feeds" / "data" / "outside"
OUTSIDE_TITLE = "OUTSIDE set (never trained on, written blind)"
SIBLINGS = ("testing", "isolasjon", "karantene", "smittesporing", "tisk")
Classifier = Callable[..., Classification]


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
    """Everything the bench measures for one classifier on one set of items."""

    per_subtopic: dict[str, Counts] = field(default_factory=dict)
    micro: Counts = field(default_factory=Counts)
    per_lang: dict[str, Counts] = field(default_factory=dict)
    per_form: dict[str, Counts] = field(default_factory=dict)
    regions: Counts = field(default_factory=Counts)
    urgency: Counts = field(default_factory=Counts)
    # expected sibling -> found sibling -> items (diagonal: found as labelled; "-": missed)
    siblings: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def _seen(self) -> list[Counts]:
        """Subtopics that occur in the labels or the output (others would count as perfect)."""
        return [c for c in self.per_subtopic.values() if c.tp + c.fp + c.fn]

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the subtopics seen; 1.0 when none is (nothing labelled, nothing found)."""
        seen = self._seen()
        return statistics.fmean(c.f1 for c in seen) if seen else 1.0


def run(
    taxonomy: Taxonomy, gazetteer: Gazetteer, item: Example, classifier: Classifier = classify
) -> Classification:
    return classifier(
        taxonomy,
        gazetteer,
        title=item.title,
        text=item.text,
        url=item.url,
        section_path=item.section_path,
        kind=item.kind,
    )


def evaluate(
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    items: Iterable[Example],
    classifier: Classifier = classify,
) -> Report:
    report = Report(per_subtopic={slug: Counts() for slug in sorted(taxonomy.slugs())})
    report.siblings = {s: dict.fromkeys((*SIBLINGS, "-"), 0) for s in SIBLINGS}
    for item in items:
        result = run(taxonomy, gazetteer, item, classifier)
        expected, found = set(item.subtopics), set(result.subtopic_slugs)
        for slug, counts in report.per_subtopic.items():
            counts.add(expected & {slug}, found & {slug})
        report.micro.add(expected, found)
        report.per_lang.setdefault(item.lang, Counts()).add(expected, found)
        report.per_form.setdefault(item.form or "-", Counts()).add(expected, found)
        report.regions.add(set(item.regions), set(result.region_codes))
        report.urgency.add({"u"} if item.urgent else set(), {"u"} if result.urgent else set())
        _siblings(report.siblings, expected, found)
        _note_errors(report, item, result)
    return report


def _siblings(table: dict[str, dict[str, int]], expected: set[str], found: set[str]) -> None:
    """Per labelled sibling: found as labelled (diagonal), missed ("-"), and each other
    sibling found that the item is not labelled with (the confusions)."""
    for label in expected & set(SIBLINGS):
        row = table[label]
        row[label if label in found else "-"] += 1
        for other in (found - expected) & set(SIBLINGS):
            row[other] += 1


def _note_errors(report: Report, item: Example, result: Classification) -> None:
    expected, found = set(item.subtopics), set(result.subtopic_slugs)
    lines = []
    if expected != found:
        reasons = {tag.slug: tag.reason for tag in result.subtopics}
        extra = [f"+{slug} ({reasons[slug]})" for slug in sorted(found - expected)]
        lines.append(
            "  subtopics: " + " ".join([*extra, *(f"-{s}" for s in sorted(expected - found))])
        )
    if set(item.regions) != set(result.region_codes):
        reasons = {tag.code: tag.reason for tag in result.regions}
        extra = [f"+{c} ({reasons[c]})" for c in sorted(set(result.region_codes) - item.regions)]
        missing = [f"-{c}" for c in sorted(item.regions - set(result.region_codes))]
        lines.append("  regions: " + " ".join([*extra, *missing]))
    if item.urgent != result.urgent:
        lines.append(f"  urgent: expected {item.urgent}, got {result.urgent_reasons}")
    if lines:
        report.errors.append(f"{item.origin} [{item.doc}] {item.title}\n" + "\n".join(lines))


def timing(
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    items: Sequence[Example],
    repeat: int,
    classifier: Classifier = classify,
) -> float:
    """Median over items of the median time (ms) of ``repeat`` runs of one item (warm)."""
    per_item = []
    for item in items:
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            run(taxonomy, gazetteer, item, classifier)
            samples.append(time.perf_counter() - start)
        per_item.append(statistics.median(samples))
    return statistics.median(per_item) * 1000


def long_section(index: int = 5, chapter: int = 3) -> Example:
    """An item like a changed guide section in the check-round benchmark: a chapter of a
    ``bench.pages`` page as text (~3.4 KB, ~500 words), titled and with its heading path."""
    html = page(index, 1).decode()
    body = html.split(f"<h2>Kapittel {chapter}</h2>", 1)[1].split("<h2>", 1)[0]
    return Example(
        doc="bench",
        title=f"Veileder nummer {index}: Kapittel {chapter}",
        text=" ".join(re.sub(r"<[^>]+>", " ", body).split()),
        url=f"https://www.helsedirektoratet.no/veiledere/veileder-{index}",
        subtopics=frozenset(),
        regions=frozenset(),
        urgent=False,
        section_path=(f"Veileder nummer {index}", f"Kapittel {chapter}"),
        kind="changed",
    )


def _pr(counts: Counts) -> str:
    return f"{counts.precision:4.2f} {counts.recall:4.2f} {counts.f1:4.2f}"


def print_side_by_side(title: str, model: Report, vocab: Report) -> None:
    print(f"\n== {title}")
    print(f"{'':26} {'model: P    R    F1':<20} {'vocabulary: P    R    F1':<26} support")
    for slug, counts in model.per_subtopic.items():
        support = counts.tp + counts.fn
        theirs = _pr(vocab.per_subtopic[slug])
        print(f"{slug:<26} {'':7}{_pr(counts):<14} {'':11}{theirs:<15} {support}")
    print()
    rows: tuple[tuple[str, Counts, Counts], ...] = (
        ("micro average", model.micro, vocab.micro),
        *(
            (f"micro, {lang}", counts, vocab.per_lang[lang])
            for lang, counts in sorted(model.per_lang.items())
        ),
        *(
            (f"micro, {form}", counts, vocab.per_form[form])
            for form, counts in sorted(model.per_form.items())
        ),
        ("regions (codes)", model.regions, vocab.regions),
        ("urgency", model.urgency, vocab.urgency),
    )
    for name, ours, others in rows:
        print(f"{name:<26} {'':7}{_pr(ours):<14} {'':11}{_pr(others):<15}")
    print(f"{'macro F1':<26} {'':17}{model.macro_f1:4.2f} {'':21}{vocab.macro_f1:4.2f}")


#: issue 10's aims on the test split: subtopic micro-F1, every subtopic's precision, urgency F1,
#: regions F1
AIMS = {"micro_f1": 0.92, "precision": 0.85, "urgency_f1": 0.88, "regions_f1": 0.98}


def print_aims(report: Report) -> None:
    """The test split's headline figures to four places, against issue 10's aims (the figures
    the docs quote, so they can be read off this run)."""
    m = report.micro
    below = [
        f"{slug} {c.precision:.3f}"
        for slug, c in report.per_subtopic.items()
        if c.tp + c.fp and c.precision < AIMS["precision"]
    ]
    lowest = min(
        ((c.precision, slug) for slug, c in report.per_subtopic.items() if c.tp + c.fp),
        default=(1.0, "-"),
    )

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print("\naims (test split, issue 10):")
    print(
        f"  subtopics micro P {m.precision:.4f} R {m.recall:.4f} F1 {m.f1:.4f} "
        f"(aim >= {AIMS['micro_f1']}: {verdict(m.f1 >= AIMS['micro_f1'])})"
    )
    under = "; below: " + ", ".join(below) if below else ""
    print(
        f"  lowest subtopic precision {lowest[1]} {lowest[0]:.3f} (aim >= {AIMS['precision']} "
        f"for every subtopic: {verdict(not below)}{under})"
    )
    print(
        f"  urgency F1 {report.urgency.f1:.4f} (aim >= {AIMS['urgency_f1']}: "
        f"{verdict(report.urgency.f1 >= AIMS['urgency_f1'])}); regions F1 "
        f"{report.regions.f1:.4f} (aim >= {AIMS['regions_f1']}: "
        f"{verdict(report.regions.f1 >= AIMS['regions_f1'])})"
    )


def print_siblings(report: Report, what: str = "test") -> None:
    print(f"\nsiblings ({what}, model): rows = labelled, columns = found; '-' = missed")
    print(f"{'':14}" + "".join(f"{s[:12]:>13}" for s in (*SIBLINGS, "-")))
    for label, row in report.siblings.items():
        print(f"{label:<14}" + "".join(f"{row[s]:>13}" for s in (*SIBLINGS, "-")))


def load_outside_files(folder: Path) -> dict[str, list[Example]]:
    """The items of each ``folder/*.jsonl`` by file stem (file names in order); no
    corrections are applied."""
    return {path.stem: list(read_jsonl(path)) for path in sorted(folder.glob("*.jsonl"))}


def load_outside(folder: Path) -> list[Example]:
    """Every item of ``folder/*.jsonl`` (file names in order); no corrections are applied."""
    return [ex for part in load_outside_files(folder).values() for ex in part]


def _outside_title(name: str, items: Sequence[Example]) -> str:
    nynorsk = sum(1 for item in items if item.lang == "nn")
    none = sum(1 for item in items if not item.subtopics)
    return f"{name}: {len(items)} items ({nynorsk} nynorsk, {none} without subtopic)"


def print_outside(
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    folder: Path,
    test: Report | None = None,
    errors: bool = False,
) -> tuple[Report, Report]:
    """Score the shipped model and the vocabulary alone on the outside set and print the
    figures as for the test split (beside the test split's headline when ``test`` is given):
    all files together, then, when there are several, each file on its own (each written by
    other hands). Returns the model's and the vocabulary's reports over all files."""
    files = load_outside_files(folder)
    items = [ex for part in files.values() for ex in part]
    model = evaluate(taxonomy, gazetteer, items)
    vocab = evaluate(taxonomy, gazetteer, items, rules.classify)
    nynorsk = sum(1 for item in items if item.lang == "nn")
    none = sum(1 for item in items if not item.subtopics)
    if errors:
        print(f"\ndisagreements on the {OUTSIDE_TITLE}:")
        print("\n".join(model.errors), end="\n\n")
    print_side_by_side(
        f"{OUTSIDE_TITLE}: {len(items)} items from {folder} ({nynorsk} nynorsk, "
        f"{none} without subtopic)",
        model,
        vocab,
    )
    print_siblings(model, "outside set")
    rows = [("outside", model), ("vocabulary, outside", vocab)]
    if len(files) > 1:
        for name, part in files.items():
            ours = evaluate(taxonomy, gazetteer, part)
            theirs = evaluate(taxonomy, gazetteer, part, rules.classify)
            print_side_by_side(f"{OUTSIDE_TITLE}, {_outside_title(name, part)}", ours, theirs)
            rows += [(name, ours), (f"vocabulary, {name}", theirs)]
    print(f"\nheadline, {OUTSIDE_TITLE}" + (" beside the TEST split:" if test else ":"))
    if test is not None:
        rows.append(("test split", test))
    width = max(20, *(len(name) for name, _ in rows))
    for name, report in rows:
        m = report.micro
        print(
            f"  {name:<{width}} subtopics micro P {m.precision:.4f} R {m.recall:.4f} "
            f"F1 {m.f1:.4f};"
            f" macro F1 {report.macro_f1:.4f}; urgency F1 {report.urgency.f1:.4f};"
            f" regions F1 {report.regions.f1:.4f}"
        )
    return model, vocab


def describe(items: Sequence[Example]) -> str:
    by_split: dict[str, int] = {}
    for item in items:
        by_split[item.split] = by_split.get(item.split, 0) + 1
    nynorsk = sum(1 for item in items if item.lang == "nn")
    none = sum(1 for item in items if not item.subtopics)
    splits = ", ".join(f"{k} {v}" for k, v in sorted(by_split.items()))
    return f"{len(items)} labelled items ({splits}; {nynorsk} nynorsk, {none} without subtopic)"


def print_cross_validated(
    items: Sequence[Example], skip: Sequence[str], nested: bool = False
) -> None:
    """The figures to decide by: every train and dev item decided by the procedure of
    ``make model`` without its document (``train.cross_validated``); the test split is not
    read. Items of files whose name starts with one of ``skip`` are learned from but not
    counted (to compare with a smaller set on the same items). ``nested``: calibration and
    thresholds of each fold chosen on the other folds (to judge a threshold rule)."""
    from feeds.classify.train import cross_validated  # scikit-learn: a dev dependency

    decided = [
        h
        for h in cross_validated(items, nested=nested)
        if not h.example.origin.startswith(tuple(skip))
    ]
    taxonomy = load_taxonomy()
    report = Report(per_subtopic={slug: Counts() for slug in sorted(taxonomy.slugs())})
    for h in decided:
        expected, found = set(h.example.subtopics), set(h.subtopics)
        for slug, counts in report.per_subtopic.items():
            counts.add(expected & {slug}, found & {slug})
        report.micro.add(expected, found)
        report.per_lang.setdefault(h.example.lang, Counts()).add(expected, found)
        report.urgency.add({"u"} if h.example.urgent else set(), {"u"} if h.urgent else set())
        domain = (bool(expected), bool(found))
        report.regions.add({"d"} if domain[0] else set(), {"d"} if domain[1] else set())
    how = ", thresholds of each fold from the others" if nested else ""
    print(f"\n== cross-validated over train and dev (test not read{how}): {len(decided)} items")
    print(f"{'':26} P    R    F1    support")
    for slug, counts in report.per_subtopic.items():
        print(f"{slug:<26} {_pr(counts)}  {counts.tp + counts.fn}")
    print(f"\n{'micro average':<26} {_pr(report.micro)}  F1 {report.micro.f1:.4f}")
    for lang, counts in sorted(report.per_lang.items()):
        print(f"{'micro, ' + lang:<26} {_pr(counts)}")
    print(f"{'domain (any subtopic)':<26} {_pr(report.regions)}")
    print(f"{'urgency':<26} {_pr(report.urgency)}  F1 {report.urgency.f1:.4f}")
    print(f"{'macro F1':<26} {report.macro_f1:.4f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list disagreements on test")
    parser.add_argument("--repeat", type=int, default=20, help="repetitions per item (timing)")
    parser.add_argument("--labelled", type=Path, default=LABELLED_DIR)
    parser.add_argument(
        "--cv", action="store_true", help="only cross-validated figures over train and dev"
    )
    parser.add_argument(
        "--cv-skip",
        action="append",
        default=[],
        metavar="PREFIX",
        help="with --cv: learn from, but do not count, files whose name starts so",
    )
    parser.add_argument(
        "--nested",
        action="store_true",
        help="with --cv: calibration and thresholds of each fold chosen on the other folds",
    )
    parser.add_argument(
        "--outside",
        type=Path,
        default=OUTSIDE_DIR if OUTSIDE_DIR.is_dir() else None,
        metavar="DIR",
        help="also score the outside set of DIR/*.jsonl (never trained on; default "
        "feeds/data/outside when it exists); with --errors its disagreements are listed",
    )
    parser.add_argument("--no-outside", action="store_true", help="skip the outside set")
    args = parser.parse_args(argv)
    if args.cv:
        print_cross_validated(load_examples(args.labelled), args.cv_skip, args.nested)
        return
    taxonomy, gazetteer = load_taxonomy(), load_gazetteer()
    start = time.perf_counter()
    model = load_model()
    loading = (time.perf_counter() - start) * 1000
    items = load_examples(args.labelled)
    print(describe(items))
    reports: dict[str, Any] = {}
    for split in ("test", "dev"):
        chosen = [i for i in items if i.split == split and not i.correction]
        reports[split] = evaluate(taxonomy, gazetteer, chosen)
        vocab = evaluate(taxonomy, gazetteer, chosen, rules.classify)
        if args.errors and split == "test":
            print("\n".join(reports[split].errors), end="\n\n")
        print_side_by_side(f"{_TITLES[split]}: {len(chosen)} items", reports[split], vocab)
    print_siblings(reports["test"])
    print_aims(reports["test"])
    if args.outside is not None and not args.no_outside:
        print_outside(taxonomy, gazetteer, args.outside, reports["test"], args.errors)
    test = [i for i in items if i.split == "test"]
    mine = timing(taxonomy, gazetteer, test, args.repeat)
    theirs = timing(taxonomy, gazetteer, test, args.repeat, rules.classify)
    print(
        f"\ntime per item (test, median of {args.repeat} runs each, warm): {mine:.3f} ms,", end=" "
    )
    print(f"vocabulary alone {theirs:.3f} ms")
    section = long_section()
    long = timing(taxonomy, gazetteer, [section], args.repeat * 5)
    print(f"time per long section ({len(section.text)} characters): {long:.3f} ms")
    size = len(model_text().encode()) / 1e6
    print(f"model: {len(model.features)} features x {len(model.heads)} heads, {size:.2f} MB,")
    print(f"  loaded in {loading:.0f} ms")


if __name__ == "__main__":
    main()
