"""Agreement of a second, blind labeller with the stored labels of the TEST split: the human
ceiling for the classifier's test figures, beside the model's figures on the same items.

Run from the repository root::

    python -m bench.label_agreement --export 200 OUT.jsonl   # items to label, no labels
    python -m bench.label_agreement --score BLIND.jsonl      # blind labels vs stored labels

``--export`` chooses N test-split items deterministically (every labelled item loaded as
``bench.classify`` loads it, those whose split is test, sorted by the sha256 of doc and title,
the first N) and writes them without ``subtopics``, ``regions`` and ``urgent``, with an ``id``.
``--score`` reads the same items with the blind labeller's ``subtopics``, ``regions`` and
``urgent`` and compares them with the stored labels (taken as the reference; micro F1 is
symmetric), and prints the model's figures on the same items (``bench.classify.evaluate``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from bench.classify import Counts, Report, evaluate
from feeds.classify import load_gazetteer, load_taxonomy
from feeds.classify.dataset import LABELLED_DIR, Example, load_examples

FIELDS = ("doc", "source", "form", "lang", "title", "text", "url", "section_path", "kind")


def _key(item: Example) -> str:
    return hashlib.sha256(f"{item.doc}\n{item.title}".encode()).hexdigest()


def chosen(n: int, folder: Path = LABELLED_DIR) -> list[tuple[str, Example]]:
    """The first ``n`` test-split items by sha256 of doc and title, each with its id."""
    test = [i for i in load_examples(folder) if i.split == "test" and not i.correction]
    ordered = sorted(enumerate(test), key=lambda p: (_key(p[1]), p[0]))
    return [(f"{rank:03d}-{_key(item)[:10]}", item) for rank, (_, item) in enumerate(ordered[:n])]


def export(n: int, out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for ident, item in chosen(n):
            row: dict[str, object] = {"id": ident}
            for name in FIELDS:
                value = getattr(item, name)
                row[name] = list(value) if isinstance(value, tuple) else value
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {n} items to {out}")


def kappa(pairs: Sequence[tuple[bool, bool]]) -> float:
    """Cohen's kappa of two binary raters."""
    n = len(pairs)
    if not n:
        return 1.0
    observed = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n
    pb = sum(b for _, b in pairs) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def _pr(c: Counts) -> str:
    return f"P {c.precision:.4f} R {c.recall:.4f} F1 {c.f1:.4f}"


def compare(refs: Sequence[Example], other: Sequence[dict[str, object]]) -> Report:
    """The other labeller's labels against the stored ones, as ``evaluate`` counts them."""
    report = Report(per_subtopic={})
    for item, row in zip(refs, other, strict=True):
        expected, found = set(item.subtopics), set(row["subtopics"])  # type: ignore[call-overload]
        for slug in expected | found:
            report.per_subtopic.setdefault(slug, Counts()).add(expected & {slug}, found & {slug})
        report.micro.add(expected, found)
        report.regions.add(set(item.regions), set(row["regions"]))  # type: ignore[call-overload]
        report.urgency.add({"u"} if item.urgent else set(), {"u"} if row["urgent"] else set())
    return report


def score(blind_path: Path, n: int | None = None) -> None:
    blind = [json.loads(line) for line in blind_path.read_text("utf-8").splitlines() if line]
    # matched by the hash part of the id: a test split grown since the export ranks its items
    # anew, and blind labels made in several exports are scored together
    picked = {ident.split("-", 1)[1]: item for ident, item in chosen(n or 100_000)}
    refs = [picked[row["id"].split("-", 1)[1]] for row in blind]
    for item, row in zip(refs, blind, strict=True):
        assert (item.doc, item.title) == (row["doc"], row["title"]), row["id"]
    human = compare(refs, blind)
    taxonomy, gazetteer = load_taxonomy(), load_gazetteer()
    model = evaluate(taxonomy, gazetteer, refs)
    blind_as_ref = [
        Example(
            doc=row["doc"],
            title=row["title"],
            text=row["text"],
            url=row["url"],
            subtopics=frozenset(row["subtopics"]),
            regions=frozenset(row["regions"]),
            urgent=bool(row["urgent"]),
            section_path=tuple(row.get("section_path") or ()),
            kind=row.get("kind") or "new",
            lang=row.get("lang") or "nb",
        )
        for row in blind
    ]
    model_vs_blind = evaluate(taxonomy, gazetteer, blind_as_ref)
    print(f"{len(refs)} test-split items; reference = stored labels")
    print(f"  {'':34} subtopics micro{'':28} urgency F1  regions F1")
    for name, rep in (
        ("blind labeller vs stored", human),
        ("model vs stored", model),
        ("model vs blind labeller", model_vs_blind),
    ):
        print(f"  {name:<34} {_pr(rep.micro)}  {rep.urgency.f1:.4f}      {rep.regions.f1:.4f}")
    u_human = [(i.urgent, bool(r["urgent"])) for i, r in zip(refs, blind, strict=True)]
    print(f"  urgency Cohen's kappa, blind vs stored: {kappa(u_human):.4f}")
    same = sum(set(i.subtopics) == set(r["subtopics"]) for i, r in zip(refs, blind, strict=True))
    print(f"  items with identical subtopic sets: {same}/{len(refs)}")
    print(f"\nper subtopic{'':18} blind vs stored: P R F1 (support)   model vs stored: F1")
    for slug in sorted(
        set(human.per_subtopic) | {s for s, c in model.per_subtopic.items() if c.tp + c.fp + c.fn}
    ):
        c = human.per_subtopic.get(slug, Counts())
        m = model.per_subtopic.get(slug, Counts())
        print(
            f"  {slug:<28} {c.precision:.2f} {c.recall:.2f} {c.f1:.2f} ({c.tp + c.fn:>3})"
            f"          {m.f1:.2f}"
        )
    print("\ndisagreements (blind labeller vs stored; + = blind only, - = stored only):")
    for item, row in zip(refs, blind, strict=True):
        exp, got = set(item.subtopics), set(row["subtopics"])
        lines = []
        if exp != got:
            diff = [f"+{s}" for s in sorted(got - exp)] + [f"-{s}" for s in sorted(exp - got)]
            lines.append("    subtopics: " + " ".join(diff))
        if set(item.regions) != set(row["regions"]):
            diff = [f"+{s}" for s in sorted(set(row["regions"]) - item.regions)]
            diff += [f"-{s}" for s in sorted(item.regions - set(row["regions"]))]
            lines.append("    regions: " + " ".join(diff))
        if item.urgent != bool(row["urgent"]):
            lines.append(f"    urgent: stored {item.urgent}, blind {bool(row['urgent'])}")
        if lines:
            print(f"  {row['id']} {item.origin} {item.title[:90]}\n" + "\n".join(lines))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", nargs=2, metavar=("N", "OUT"))
    parser.add_argument("--score", type=Path, metavar="BLIND")
    args = parser.parse_args(argv)
    if args.export:
        export(int(args.export[0]), Path(args.export[1]))
    if args.score:
        score(args.score)


if __name__ == "__main__":
    main()
