"""Build the shipped model from the labelled data: ``make model`` (``python -m
feeds.classify.train``). Needs scikit-learn (a dev dependency); run time does not.

1. Every labelled item (``feeds.classify.dataset``) becomes features (``features.extract``,
   with the vocabulary classifier's evidence as features too).
2. Vocabulary: the features present in at least ``MIN_DF`` training items (all vocabulary
   and rule features are kept).
3. One L2-regularised logistic regression per head (each subtopic, ``_domain``: has any
   subtopic, ``_urgent``), liblinear, balanced class weights, on NB-weighted features
   (NB-LR, Wang & Manning 2012): each feature is scaled by its log-count ratio r for that
   head (``nb_ratio``: how much more often it is present in the head's positive items than
   in its negative ones, from the rows of that fit only), so the L2 penalty lets weights
   of features that tell the classes apart grow more easily. Since z = b + (x * r) . w =
   b + x . (r * w), the product r * w is what the file stores: the run-time model and the
   file's form are as without it (round 9 data, cross-validated over train and dev:
   micro-F1 0.8908 -> 0.8961, nested 0.8857 -> 0.8921). The ratios are smoothed with
   ``NB_ALPHA`` = 0.25, and each head is a blend: ``PLAIN_SHARE`` (a quarter) of a plain
   regression on x, the rest the NB-LR (scores and biases averaged, so still one linear
   model on x; round 13, nested cross-validated micro-F1 0.8942 -> 0.9015). Weights are
   rounded to 1/10 000 (what the file stores).
4. Calibration and thresholds from held-out scores: the train and dev splits together are
   cut into ``FOLDS`` folds by document (``fold_of``: near-copies stay in one fold); for
   each fold a model learned on the other folds scores it, so every train and dev item gets
   a score from a model that never saw its document. Per head, Platt scaling is fitted on
   these scores, then the threshold on the calibrated probability that gives the best F1
   (``best_threshold``).
5. The shipped model is then learned on train and dev together. Test is never trained,
   calibrated or tuned on.

(Until round 4 the model learned on train alone and was calibrated on dev alone: 308 items,
too few positives per subtopic to place a threshold; cross-validated scores over train and
dev give every head four times as many held-out items, and the model 30 % more to learn
from. On held-out folds of train and dev, micro-F1 0.834 -> 0.855 on the same data.)

Deterministic: the same data gives the same file, byte for byte (sorted vocabulary, fixed
solver, no randomness, integers and rounded decimals in the file).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from feeds.classify import rules
from feeds.classify.dataset import Example, load_examples
from feeds.classify.decide import IMPLIED
from feeds.classify.features import Features, extract
from feeds.classify.model import DOMAIN, FORMAT, MODEL_FILE, SCALE, URGENT, sigmoid
from feeds.classify.taxonomy import Taxonomy, load_taxonomy

MIN_DF = 2
CLASS_WEIGHT: str | None = "balanced"
C = 4.0
NB_ALPHA: float | None = 0.25  # smoothing of the log-count ratios; None: plain LR
PLAIN_SHARE = 0.25  # the plain regression's share of each head's blended weights and bias
#: the dual solver's stopping tolerance (``_regression``), liblinear's default. At 1e-6 the
#: stored weights (to 1/10,000) moved in 534 of the file's lines, every decision on the test
#: split and the outside sets stayed the same (micro-F1, urgency and regions to four
#: decimals), and the build took 67 s against 41 s here: the tighter stop bought nothing
DUAL_TOL = 1e-4
SHIPPED = Path(__file__).resolve().parent / "data" / MODEL_FILE
_ALWAYS = ("r:", "R:", "U:", "k:", "x:")
_NEAR_BEST = 0.01
_GRID = [round(0.05 + 0.025 * i, 3) for i in range(37)]  # 0.05 .. 0.95
FOLDS = 5
AUDIT_MARGIN = 0.15
# Features that only some heads learn from (every other head's weight for them is 0): the
# sense cues of ``features._sense_cues`` each answer one head's question (is this "test" a
# test for infection, is this stay at home isolation or quarantine, is this travel entry
# into Norway), so only those heads learn them. Learned by every head they moved the other
# heads' weights by noise: the testing cues alone lost 0.002 nested cross-validated micro-F1
# that way (round 14).
_TESTING_HEADS = frozenset({"testing"})
_STAY_HEADS = frozenset({"isolasjon", "karantene"})
SCOPED: dict[str, frozenset[str]] = {
    "x:test_infection": _TESTING_HEADS,
    "x:test_other": _TESTING_HEADS,
    "x:own_room": _STAY_HEADS,
    "x:home_until": _STAY_HEADS,
    "x:home_days": _STAY_HEADS,
    "x:exposed_home": _STAY_HEADS,
    "x:ill_kept": _STAY_HEADS,
    "x:work_away": _STAY_HEADS,
    "x:outbound": frozenset({"innreise"}),
    "x:animal": frozenset({"innreise", "karantene", "isolasjon"}),
}


def fold_of(doc: str) -> int:
    """The cross-validation fold of a document: sha256 of ``fold:`` + its id, modulo
    ``FOLDS`` (independent of the split, which hashes the bare id)."""
    digest = hashlib.sha256(f"fold:{doc}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % FOLDS


def item_features(taxonomy: Taxonomy, ex: Example) -> Features:
    title = unicodedata.normalize("NFC", ex.title)
    text = unicodedata.normalize("NFC", ex.text)
    path = tuple(unicodedata.normalize("NFC", h) for h in ex.section_path)
    found = rules.evidence(
        taxonomy, title=title, text=text, url=ex.url, section_path=path, kind=ex.kind
    )
    return extract(
        title=title, text=text, url=ex.url, section_path=path, kind=ex.kind, evidence=found
    )


def head_labels(ex: Example, heads: Sequence[str]) -> list[bool]:
    out = []
    for head in heads:
        if head == DOMAIN:
            out.append(bool(ex.subtopics))
        elif head == URGENT:
            out.append(ex.urgent)
        else:
            out.append(head in ex.subtopics)
    return out


def vocabulary(rows: Sequence[Features]) -> list[str]:
    df: Counter[str] = Counter()
    for row in rows:
        df.update(row.values.keys())
    return sorted(n for n, c in df.items() if c >= MIN_DF or n.startswith(_ALWAYS))


def matrix(rows: Sequence[Features], vocab: Sequence[str]) -> sparse.csr_matrix:
    """One row an item, one column a feature of ``vocab`` (features outside it left out);
    the column indices of each row sorted, as scipy keeps them canonically."""
    index = {name: i for i, name in enumerate(vocab)}
    data: list[float] = []
    cols: list[int] = []
    ptr = [0]
    for row in rows:
        for name, value in row.values.items():
            i = index.get(name)
            if i is not None:
                cols.append(i)
                data.append(value)
        ptr.append(len(cols))
    out = sparse.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(cols, dtype=np.int32), np.array(ptr)),
        shape=(len(rows), len(vocab)),
    )
    out.sort_indices()
    return out


def nb_ratio(
    x: sparse.csr_matrix, y: npt.NDArray[np.bool_], alpha: float = 1.0
) -> npt.NDArray[np.float64]:
    """The log-count ratio of every feature for one head (Wang & Manning 2012): with p and
    q the number of positive and negative rows where the feature is present, plus
    ``alpha``, r = log(p / |p|_1) - log(q / |q|_1). Presence, not the feature's value,
    is counted (counting the values lost 0.012 cross-validated micro-F1)."""
    present = x.copy()
    present.data = (present.data != 0).astype(np.float64)
    p = alpha + np.asarray(present[y].sum(axis=0), dtype=np.float64).ravel()
    q = alpha + np.asarray(present[~y].sum(axis=0), dtype=np.float64).ravel()
    ratio: npt.NDArray[np.float64] = np.log(p / p.sum()) - np.log(q / q.sum())
    return ratio


def _regression(x: sparse.csr_matrix, y: npt.NDArray[np.bool_], c: float) -> LogisticRegression:
    """One head's L2-regularised logistic regression as every head learns it. Solved in the
    dual (liblinear's coordinate descent, to a tolerance of ``DUAL_TOL``): with ~40,000
    features and ~4,000 items it reaches the optimum 20-40x faster than the primal trust-region
    Newton method did at its default tolerance (0.12 against 3.9 s a head), and closer to it
    (the primal stopped after ~10 iterations, its weights up to 0.04 from the optimum; the
    dual at 1e-4 and at 1e-6 agree to 1e-4). Same penalty, same loss, same intercept."""
    clf = LogisticRegression(
        C=c,
        solver="liblinear",
        dual=True,
        tol=DUAL_TOL,
        class_weight=CLASS_WEIGHT,
        max_iter=1000,
        random_state=0,
    )
    return clf.fit(x, y)


def _fit(x: sparse.csr_matrix, y: npt.NDArray[np.bool_], c: float) -> tuple[list[int], int]:
    """Rounded weights and bias of one head; a head without both classes never fires. The
    NB-LR learns w on x * r (``nb_ratio``); its weights on x are r * w. Blended with a plain
    regression on x (``PLAIN_SHARE``): the average of two linear scores is one linear
    score, so the file and the run time are as for one regression. Why a blend: the plain
    regression keeps weight on features the ratios shrink (seen in both classes alike),
    the NB-LR sharpens the telling ones; averaged before calibration they lifted nested
    cross-validated micro-F1 by 0.007 (round 13), where the NB-LR alone at any smoothing
    gained at most 0.003 and the plain regression alone lost 0.005."""
    if y.all() or not y.any():
        return [0] * x.shape[1], (SCALE * 10 if y.all() else -SCALE * 10)
    if NB_ALPHA is None:
        plain = _regression(x, y, c)
        return _rounded(plain.coef_[0], float(plain.intercept_[0]))
    ratio = nb_ratio(x, y, NB_ALPHA)
    nb = _regression(sparse.csr_matrix(x.multiply(ratio.reshape(1, -1))), y, c)
    weights: npt.NDArray[np.float64] = ratio * nb.coef_[0]
    bias = float(nb.intercept_[0])
    if PLAIN_SHARE:
        plain = _regression(x, y, c)
        weights = (1 - PLAIN_SHARE) * weights + PLAIN_SHARE * plain.coef_[0]
        bias = (1 - PLAIN_SHARE) * bias + PLAIN_SHARE * float(plain.intercept_[0])
    return _rounded(weights, bias)


def _rounded(weights: npt.NDArray[np.float64], bias: float) -> tuple[list[int], int]:
    """Weights and bias as the file stores them: integers of 1/``SCALE``."""
    return np.rint(weights * SCALE).astype(np.int64).tolist(), round(bias * SCALE)


def _platt(z: npt.NDArray[np.float64], y: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """a, b so that sigmoid(a z + b) is calibrated on held-out scores z; identity without both
    classes."""
    if y.all() or not y.any():
        return 1.0, 0.0
    clf = LogisticRegression(C=1.0, solver="liblinear", random_state=0)
    clf.fit(z.reshape(-1, 1), y)
    a = float(clf.coef_[0][0])
    if a <= 0:
        return 1.0, 0.0
    return round(a, 4), round(float(clf.intercept_[0]), 4)


def best_threshold(p: Sequence[float], y: Sequence[bool]) -> float:
    """The threshold on the grid for one head, from its calibrated held-out probabilities:
    of the thresholds whose F1 there is within ``_NEAR_BEST`` of the best, the one closest to
    0.5 (the calibrated even odds); 0.5 without a positive. (Raising each subtopic's
    threshold until its held-out precision reached 0.85 lifted micro precision 0.87 -> 0.90
    but cut recall 0.84 -> 0.77, micro-F1 0.855 -> 0.833 in an outer cross-validation over
    train and dev, so it is not done.)"""
    if not any(y):
        return 0.5
    scored = []
    for t in _GRID:
        tp = sum(1 for pi, yi in zip(p, y, strict=True) if pi >= t and yi)
        fp = sum(1 for pi, yi in zip(p, y, strict=True) if pi >= t and not yi)
        fn = sum(1 for pi, yi in zip(p, y, strict=True) if pi < t and yi)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        scored.append((f1, t))
    top = max(f for f, _ in scored)
    return min((abs(t - 0.5), t) for f, t in scored if f >= top - _NEAR_BEST)[1]


def _fit_heads(
    rows: Sequence[Features], y: npt.NDArray[np.bool_], c: float, heads: Sequence[str]
) -> tuple[list[str], list[tuple[list[int], int]]]:
    """Vocabulary and (rounded weights, bias) of every head, learned on ``rows``."""
    vocab = vocabulary(rows)
    x = matrix(rows, vocab)
    scoped = [(i, SCOPED[name]) for i, name in enumerate(vocab) if name in SCOPED]
    return vocab, [_fit(_scoped(x, scoped, head), y[:, h], c) for h, head in enumerate(heads)]


def _scoped(
    x: sparse.csr_matrix, scoped: Sequence[tuple[int, frozenset[str]]], head: str
) -> sparse.csr_matrix:
    """``x`` without the columns of the ``SCOPED`` features (``scoped``: their columns and
    heads) ``head`` does not learn from (zeroed: their weights come out 0)."""
    hidden = [i for i, heads in scoped if head not in heads]
    if not hidden:
        return x
    keep = np.ones(x.shape[1], dtype=np.float64)
    keep[hidden] = 0.0
    out = sparse.csr_matrix(x.multiply(keep.reshape(1, -1)))
    out.eliminate_zeros()
    return out


def _held_out_scores(
    feats: Sequence[Features],
    y: npt.NDArray[np.bool_],
    docs: Sequence[str],
    c: float,
    heads: Sequence[str],
) -> npt.NDArray[np.float64]:
    """Uncalibrated scores z of every item and head from the model of the other folds."""
    folds = np.array([fold_of(doc) for doc in docs], dtype=np.intp)
    z = np.zeros(y.shape, dtype=np.float64)
    for fold in range(FOLDS):
        held = np.flatnonzero(folds == fold)
        rest = np.flatnonzero(folds != fold)
        if not len(held) or not len(rest):
            continue
        vocab, columns = _fit_heads([feats[int(i)] for i in rest], y[rest], c, heads)
        weights = np.array([col[0] for col in columns], dtype=np.float64).T / SCALE
        bias = np.array([col[1] for col in columns], dtype=np.float64) / SCALE
        z[held] = matrix([feats[int(i)] for i in held], vocab) @ weights + bias
    return z


def _training_rows(
    examples: Sequence[Example], taxonomy: Taxonomy
) -> tuple[list[str], list[Example], list[Features], npt.NDArray[np.bool_]]:
    """The heads, the items learned from (train and dev; never test), their features and
    their labels (one row an item, one column a head)."""
    heads = [*sorted(taxonomy.slugs()), DOMAIN, URGENT]
    used = [ex for ex in examples if ex.split != "test"]
    feats = [item_features(taxonomy, ex) for ex in used]
    y = np.array([head_labels(ex, heads) for ex in used], dtype=bool).reshape(-1, len(heads))
    return heads, used, feats, y


def build(
    examples: Sequence[Example], taxonomy: Taxonomy | None = None, c: float | None = None
) -> dict[str, Any]:
    """The model file's data, from the labelled examples (train and dev; never test)."""
    taxonomy = taxonomy or load_taxonomy()
    c = C if c is None else c
    heads, used, feats, y = _training_rows(examples, taxonomy)
    vocab, columns = _fit_heads(feats, y, c, heads)
    weights = {
        name: [columns[h][0][row] for h in range(len(heads))]
        for row, name in enumerate(vocab)
        if any(columns[h][0][row] for h in range(len(heads)))
    }
    data: dict[str, Any] = {
        "format": FORMAT,
        "heads": heads,
        "bias": [col[1] for col in columns],
        "calibration": [[1.0, 0.0] for _ in heads],
        "thresholds": [0.5 for _ in heads],
        "meta": _meta(examples, used, c),
        "weights": weights,
    }
    _calibrate(data, _held_out_scores(feats, y, [ex.doc for ex in used], c, heads), y)
    return data


def _calibrate(data: dict[str, Any], z: npt.NDArray[np.float64], y: npt.NDArray[np.bool_]) -> None:
    """Platt scaling and threshold of every head, from held-out scores ``z``."""
    for h in range(len(data["heads"])):
        a, b = _platt(z[:, h], y[:, h])
        data["calibration"][h] = [a, b]
        p = [sigmoid(a * float(zi) + b) for zi in z[:, h]]  # exactly as Model.score
        data["thresholds"][h] = best_threshold(p, [bool(v) for v in y[:, h]])


@dataclass(frozen=True)
class Disagreement:
    """A train or dev item whose held-out probability for one head disagrees with its label."""

    origin: str
    doc: str
    title: str
    head: str
    labelled: bool
    probability: float


def audit(
    examples: Sequence[Example],
    taxonomy: Taxonomy | None = None,
    c: float | None = None,
    margin: float = AUDIT_MARGIN,
) -> list[Disagreement]:
    """The label audit: every train and dev item scored by the model of the other folds
    (``_held_out_scores``) and calibrated as the shipped model is; listed where a head says
    confidently otherwise than the label (labelled at a probability below ``margin``, or not
    labelled above ``1 - margin``), most confident first. These are the items to re-read
    against the guidelines (fix a label only where the guidelines say so). Test items are
    never scored."""
    taxonomy = taxonomy or load_taxonomy()
    c = C if c is None else c
    heads, used, feats, y = _training_rows(examples, taxonomy)
    z = _held_out_scores(feats, y, [ex.doc for ex in used], c, heads)
    found = []
    for h, head in enumerate(heads):
        a, b = _platt(z[:, h], y[:, h])
        for i, ex in enumerate(used):
            p = sigmoid(a * float(z[i, h]) + b)
            labelled = bool(y[i, h])
            if (labelled and p < margin) or (not labelled and p > 1 - margin):
                found.append(Disagreement(ex.origin, ex.doc, ex.title, head, labelled, p))
    return sorted(found, key=lambda d: (-abs(d.probability - d.labelled), d.origin, d.head))


@dataclass(frozen=True)
class HeldOut:
    """One train or dev item as the procedure of ``make model`` would decide it without
    having seen its document: held-out scores (``_held_out_scores``), calibration and
    thresholds chosen on them (``_calibrate``), then the domain gate, the implied topics and
    urgency as ``decide.classify_with`` applies them. Test items are never scored."""

    example: Example
    subtopics: frozenset[str]
    urgent: bool
    probabilities: dict[str, float]


def cross_validated(
    examples: Sequence[Example],
    taxonomy: Taxonomy | None = None,
    c: float | None = None,
    nested: bool = False,
) -> list[HeldOut]:
    """Every train and dev item decided by a model of the other folds (the figure used to
    choose data, features and settings; ``python -m bench.classify --cv``).

    Calibration and thresholds are chosen, as ``make model`` chooses them, on the held-out
    scores of all train and dev items, the very scores counted; a rule for choosing
    thresholds therefore looks better here than it is. ``nested`` chooses them for each
    fold on the other folds' held-out scores only (``bench.classify --cv --nested``): the
    figure to judge a threshold rule by (round 7: every rule tried gained only in-sample)."""
    taxonomy = taxonomy or load_taxonomy()
    c = C if c is None else c
    heads, used, feats, y = _training_rows(examples, taxonomy)
    docs = [ex.doc for ex in used]
    z = _held_out_scores(feats, y, docs, c, heads)
    folds = np.array([fold_of(doc) for doc in docs], dtype=np.intp)
    chosen: dict[int, dict[str, Any]] = {}
    for fold in range(FOLDS) if nested else (-1,):
        rows = folds != fold  # every row when not nested
        chosen[fold] = {
            "heads": heads,
            "calibration": [[1.0, 0.0] for _ in heads],
            "thresholds": [0.5 for _ in heads],
        }
        _calibrate(chosen[fold], z[rows], y[rows])
    slugs = [h for h in heads if not h.startswith("_")]
    out = []
    for i, ex in enumerate(used):
        data = chosen[int(folds[i]) if nested else -1]
        p = {
            head: sigmoid(data["calibration"][h][0] * float(z[i, h]) + data["calibration"][h][1])
            for h, head in enumerate(heads)
        }
        says = {head: p[head] >= data["thresholds"][h] for h, head in enumerate(heads)}
        found: set[str] = set()
        if says[DOMAIN]:
            found = {slug for slug in slugs if says[slug]}
            for cue, (implied, _) in IMPLIED.items():
                if cue in feats[i].values:
                    found.update(implied)
        urgent = says[DOMAIN] and ex.kind != "removed" and says[URGENT]
        out.append(HeldOut(ex, frozenset(found), urgent, p))
    return out


def _meta(examples: Sequence[Example], used: Sequence[Example], c: float) -> dict[str, Any]:
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.origin}\t{ex.doc}\t{ex.title}\n".encode())
    return {
        "items": {
            "train": sum(1 for ex in used if ex.split == "train"),
            "dev": sum(1 for ex in used if ex.split == "dev"),
            "all": len(examples),
        },
        "folds": FOLDS,
        "corrections": sum(1 for ex in examples if ex.correction),
        "C": c,
        "min_df": MIN_DF,
        "nb_alpha": NB_ALPHA,
        "plain_share": PLAIN_SHARE,
        "data_sha256": digest.hexdigest(),
    }


def dumps(data: dict[str, Any]) -> str:
    """The model file's text: JSON, one feature per line, keys in a fixed order."""
    head = {k: v for k, v in data.items() if k != "weights"}
    lines = [json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1] + ', "weights": {']
    items = sorted(data["weights"].items())
    for i, (name, ints) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        # the integers without spaces: 21 a line, 40,000 lines (~0.8 MB of the file)
        weights = json.dumps(ints, separators=(",", ":"))
        lines.append(f"{json.dumps(name, ensure_ascii=False)}: {weights}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def build_text(folder: Path | None = None, corrections: Path | None = None) -> str:
    examples = (
        load_examples(folder, corrections) if folder else load_examples(corrections=corrections)
    )
    return dumps(build(examples))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="folder of labelled *.jsonl")
    parser.add_argument("--corrections", type=Path, default=None, help="file or folder")
    parser.add_argument("--output", type=Path, default=SHIPPED)
    parser.add_argument(
        "--audit",
        action="store_true",
        help="list train and dev items whose held-out probability disagrees with a label",
    )
    args = parser.parse_args(argv)
    if args.audit:
        examples = (
            load_examples(args.data, args.corrections)
            if args.data
            else load_examples(corrections=args.corrections)
        )
        for d in audit(examples):
            sign = "+" if d.labelled else "-"
            print(f"{d.probability:5.3f} {sign}{d.head} {d.origin} [{d.doc}] {d.title}")
        return
    text = build_text(args.data, args.corrections)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {len(text.encode()) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
