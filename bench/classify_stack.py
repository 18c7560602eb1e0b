"""Second stages over the per-head model, tried by nested cross-validation over train and dev
(the test split is never read): ``python -m bench.classify_stack`` (about a minute a fold
split on an idle machine; scikit-learn, a dev dependency).

What is compared, on several partitions into folds by document (``--salts``: the fold of a
document is sha256 of ``fold<salt>:`` + its id, modulo ``train.FOLDS``; the empty salt is
``train.fold_of``'s own partition):

* **baseline**: what ``train.cross_validated(nested=True)`` measures (held-out first-stage
  scores z from ``train._held_out_scores``; Platt scaling and thresholds of each fold chosen
  on the other folds' scores; the domain gate, the implied topics and urgency as
  ``decide`` applies them);
* **stacked binary relevance** (Godbole & Sarawagi 2004): per head a small logistic
  regression over the first stage's held-out calibrated outputs. For each outer fold k the
  first stage's calibration comes from the other folds; the second stage learns on the
  other folds' out-of-fold scores (never on its own training fit), its own calibration and
  threshold come from an inner cross-validation over those folds, and it decides fold k.
  ``godbole``: the head's own calibrated logit and the probabilities of all other heads, all
  penalised (L2, ``lam``); ``offset``: the own logit as a fixed offset (the second stage
  starts from the first stage's decision) and L2-penalised corrections from the other heads'
  probabilities: all of them, the head's siblings (``SIBLINGS``) and ``_domain``, and/or the
  vocabulary's own score and tag for the head (``r:``, ``R:`` of ``rules.evidence``);
* **heading path apart** (``--heading-path``, a first stage refitted per split, so slow):
  the stems of the section heading path again as a namespace of their own (``h:``, scaled
  to length 1) beside ``t`` (title and headings together), so a word in the heading is told
  from the same word in the title (features.py already keeps title+headings ``t``, lede
  ``l``, whole item ``w`` and address ``u`` apart);
* **NB blend**: the first stage's z plus a share of a Bernoulli naive Bayes score per head
  (presence of every feature times its log-count ratio, plus the log prior odds), scaled per
  head to the spread of z on the training folds.

Each row gives micro P/R/F1 over the subtopics, urgency F1, the lowest precision of a
subtopic and in how many subtopics precision fell; the last table the mean gain per variant
over the fold splits. The bar for adopting one (set before): mean gain >= +0.004 micro-F1
over at least three fold splits, no subtopic's precision under 0.85, urgency not worse.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import numpy as np
import numpy.typing as npt

from feeds.classify import train
from feeds.classify.dataset import Example, load_examples
from feeds.classify.decide import IMPLIED
from feeds.classify.features import Features, _word
from feeds.classify.model import DOMAIN, URGENT
from feeds.classify.model import sigmoid as model_sigmoid
from feeds.classify.taxonomy import load_taxonomy
from feeds.classify.terms import normalise, split_words

Array = npt.NDArray[np.float64]
Labels = npt.NDArray[np.bool_]
SIBLINGS = (
    ("testing", "isolasjon", "karantene", "smittesporing", "tisk"),
    ("forskrifter_regelverk", "smitteverntiltak"),
)
BAR = 0.004
CLIP = 12.0


@dataclass(frozen=True)
class Stack:
    """One second stage: which other heads it reads (``all``, ``siblings`` or none), the
    vocabulary's score and tag for the head, the own logit as a fixed offset or as a
    penalised input, the L2 penalty, and whether the domain and urgency heads are stacked
    too."""

    others: str
    rules: bool
    offset: bool
    lam: float
    special_heads: bool


@dataclass(frozen=True)
class Blend:
    """The first stage's z plus ``share`` of a naive Bayes score smoothed with ``alpha``."""

    alpha: float
    share: float


VARIANTS: dict[str, Stack | Blend] = {
    "godbole all, lam 1": Stack("all", False, False, 1.0, True),
    "offset all, lam 10": Stack("all", False, True, 10.0, True),
    "offset all, lam 30": Stack("all", False, True, 30.0, True),
    "offset siblings, lam 3": Stack("siblings", False, True, 3.0, False),
    "offset siblings+rules, lam 10": Stack("siblings", True, True, 10.0, False),
    "offset rules, lam 3": Stack("none", True, True, 3.0, False),
    "NB blend alpha 0.25, 0.2": Blend(0.25, 0.2),
    "NB blend alpha 1, 0.2": Blend(1.0, 0.2),
}


@dataclass
class Data:
    heads: list[str]
    used: list[Example]
    feats: list[Features]
    y: Labels
    slugs: list[str] = field(init=False)
    implied: list[set[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.slugs = [h for h in self.heads if not h.startswith("_")]
        self.implied = []
        for f in self.feats:
            found: set[str] = set()
            for cue, (topics, _) in IMPLIED.items():
                if cue in f.values:
                    found.update(topics)
            self.implied.append(found)


@dataclass(frozen=True)
class Figures:
    f1: float
    precision: float
    recall: float
    urgency_f1: float
    per_precision: dict[str, float]


def salted(salt: str) -> Callable[[str], int]:
    def fold(doc: str) -> int:
        digest = hashlib.sha256(f"fold{salt}:{doc}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % train.FOLDS

    return fold


def sigmoid(x: Array) -> Array:
    out: Array = 1.0 / (1.0 + np.exp(-x))
    return out


def calibrate(s: Array, y: Labels) -> tuple[Array, Array]:
    """Platt (a, b) and threshold of every column, as ``train._calibrate`` chooses them."""
    cal = np.zeros((s.shape[1], 2))
    thr = np.zeros(s.shape[1])
    for h in range(s.shape[1]):
        a, b = train._platt(s[:, h], y[:, h])
        cal[h] = (a, b)
        p = [model_sigmoid(a * float(v) + b) for v in s[:, h]]
        thr[h] = train.best_threshold(p, [bool(v) for v in y[:, h]])
    return cal, thr


def figures(data: Data, p: Array, t: Array) -> Figures:
    """What ``bench.classify --cv`` counts: every train and dev item."""
    says = p >= t
    hi = {h: i for i, h in enumerate(data.heads)}
    tp = fp = fn = utp = ufp = ufn = 0
    per = {s: [0, 0] for s in data.slugs}
    for i, ex in enumerate(data.used):
        found: set[str] = set()
        if says[i, hi[DOMAIN]]:
            found = {s for s in data.slugs if says[i, hi[s]]} | data.implied[i]
        expected = set(ex.subtopics)
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
        for s in found:
            per[s][0 if s in expected else 1] += 1
        urgent = bool(says[i, hi[DOMAIN]] and ex.kind != "removed" and says[i, hi[URGENT]])
        utp += urgent and ex.urgent
        ufp += urgent and not ex.urgent
        ufn += (not urgent) and ex.urgent
    return Figures(
        2 * tp / (2 * tp + fp + fn),
        tp / (tp + fp),
        tp / (tp + fn),
        2 * utp / (2 * utp + ufp + ufn),
        {s: c[0] / (c[0] + c[1]) if sum(c) else 1.0 for s, c in per.items()},
    )


def nested_plain(z: Array, y: Labels, folds: npt.NDArray[np.intp]) -> tuple[Array, Array]:
    """Probabilities and thresholds of every item, calibrated on the other folds."""
    p, t = np.zeros_like(z), np.zeros_like(z)
    for k in range(train.FOLDS):
        rest = folds != k
        cal, thr = calibrate(z[rest], y[rest])
        p[~rest] = sigmoid(cal[:, 0] * z[~rest] + cal[:, 1])
        t[~rest] = thr
    return p, t


def penalised_logistic(x: Array, y: Labels, offset: Array, penalty: Array) -> Array:
    """Weights of a logistic regression with an offset and an L2 penalty per column, by
    Newton's method (deterministic; numpy only)."""
    w = np.zeros(x.shape[1])
    target = y.astype(np.float64)
    for _ in range(100):
        q = sigmoid(offset + x @ w)
        grad = x.T @ (q - target) + penalty * w
        hess = (x * (q * (1 - q))[:, None]).T @ x + np.diag(penalty + 1e-8)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def design(data: Data, logits: Array, h: int, stack: Stack) -> tuple[Array, Array, Array]:
    """Inputs (an intercept first), offset and penalty of head ``h``'s second stage."""
    n = logits.shape[0]
    name = data.heads[h]
    if stack.others == "all":
        others = [o for o in range(len(data.heads)) if o != h]
    elif stack.others == "siblings":
        group = next((g for g in SIBLINGS if name in g), ())
        others = [data.heads.index(s) for s in group if s != name]
        others.append(data.heads.index(DOMAIN))
    else:
        others = []
    columns = [np.ones(n), *(sigmoid(logits[:, o]) for o in others)]
    if stack.rules:
        for prefix in ("r:", "R:"):
            columns.append(np.array([f.values.get(prefix + name, 0.0) for f in data.feats]))
    offset = logits[:, h] if stack.offset else np.zeros(n)
    if not stack.offset:
        columns.append(logits[:, h])
    penalty = np.full(len(columns), stack.lam)
    penalty[0] = 0.0
    return np.column_stack(columns), offset, penalty


def nested_stack(
    data: Data, z: Array, folds: npt.NDArray[np.intp], stack: Stack
) -> tuple[Array, Array]:
    y = data.y
    p, t = np.zeros_like(z), np.zeros_like(z)
    stacked = [
        h for h, name in enumerate(data.heads) if stack.special_heads or not name.startswith("_")
    ]
    for k in range(train.FOLDS):
        rest = folds != k
        cal, thr = calibrate(z[rest], y[rest])
        logits = np.clip(cal[:, 0] * z + cal[:, 1], -CLIP, CLIP)
        p[~rest] = sigmoid(logits[~rest])
        t[~rest] = thr
        for h in stacked:
            x, offset, penalty = design(data, logits, h, stack)
            inner = np.zeros(len(z))
            for j in range(train.FOLDS):
                if j == k:
                    continue
                fit, held = rest & (folds != j), folds == j
                w = penalised_logistic(x[fit], y[fit, h], offset[fit], penalty)
                inner[held] = offset[held] + x[held] @ w
            w = penalised_logistic(x[rest], y[rest, h], offset[rest], penalty)
            c2, t2 = calibrate(inner[rest].reshape(-1, 1), y[rest, h : h + 1])
            p[~rest, h] = sigmoid(c2[0, 0] * (offset[~rest] + x[~rest] @ w) + c2[0, 1])
            t[~rest, h] = t2[0]
    return p, t


def nb_scores(data: Data, folds: npt.NDArray[np.intp], alpha: float) -> Array:
    """Held-out Bernoulli naive Bayes score of every item and head (by the same folds)."""
    out = np.zeros(data.y.shape)
    for k in range(train.FOLDS):
        rest, held = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        vocab = train.vocabulary([data.feats[int(i)] for i in rest])
        x = train.matrix([data.feats[int(i)] for i in rest], vocab)
        xh = train.matrix([data.feats[int(i)] for i in held], vocab)
        x.data[:] = 1.0
        xh.data[:] = 1.0
        for h in range(len(data.heads)):
            yy = data.y[rest, h]
            if yy.all() or not yy.any():
                continue
            prior = float(np.log(yy.mean() / (1 - yy.mean())))
            out[held, h] = xh @ train.nb_ratio(x, yy, alpha) + prior
    return out


def nested_blend(
    data: Data, z: Array, nb: Array, folds: npt.NDArray[np.intp], share: float
) -> tuple[Array, Array]:
    p, t = np.zeros_like(z), np.zeros_like(z)
    for k in range(train.FOLDS):
        rest = folds != k
        scale = z[rest].std(axis=0) / np.maximum(nb[rest].std(axis=0), 1e-9)
        mixed = z + share * scale * nb
        cal, thr = calibrate(mixed[rest], data.y[rest])
        p[~rest] = sigmoid(cal[:, 0] * mixed[~rest] + cal[:, 1])
        t[~rest] = thr
    return p, t


def with_heading_path(data: Data) -> Data:
    """The same items with the heading path's stems also as ``h:`` features."""
    feats = []
    for ex, f in zip(data.used, data.feats, strict=True):
        words = (w for part in ex.section_path for w in split_words(normalise(part)))
        stems = {_word(w)[0] for w in words if not w.isdigit()} - {""}
        values = dict(f.values)
        values.update({f"h:{s}": 1.0 / math.sqrt(len(stems)) for s in stems})
        feats.append(Features(values, f._fields))
    return Data(data.heads, data.used, feats, data.y)


def held_out(
    data: Data, salt: str, cache: Path | None, tag: str = "z"
) -> tuple[Array, npt.NDArray[np.intp]]:
    """First-stage held-out scores z under the fold partition of ``salt``."""
    fold = salted(salt)
    folds = np.array([fold(ex.doc) for ex in data.used], dtype=np.intp)
    path = cache / f"{tag}_{salt or 'std'}.npz" if cache else None
    if path and path.exists():
        z: Array = np.load(path)["z"]
        return z, folds
    with mock.patch.object(train, "fold_of", fold):
        z = train._held_out_scores(
            data.feats, data.y, [ex.doc for ex in data.used], train.C, data.heads
        )
    if path:
        np.savez(path, z=z, folds=folds)
    return z, folds


def row(name: str, f: Figures, base: Figures | None) -> str:
    text = f"{name:<31} {f.precision:.4f} {f.recall:.4f} {f.f1:.4f}"
    if base is None:
        return text + f"          {f.urgency_f1:.4f}          {min(f.per_precision.values()):.3f}"
    fell = sum(1 for s, v in f.per_precision.items() if v < base.per_precision[s] - 1e-12)
    return (
        text + f" {f.f1 - base.f1:+.4f}  {f.urgency_f1:.4f} {f.urgency_f1 - base.urgency_f1:+.4f}"
        f"  {min(f.per_precision.values()):.3f}  {fell}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--salts", default=",1,2,3", help="fold salts, comma-separated ('' = train.fold_of)"
    )
    parser.add_argument("--cache", type=Path, default=None, help="folder for held-out scores")
    parser.add_argument(
        "--heading-path", action="store_true", help="also the h: namespace (refits per split)"
    )
    args = parser.parse_args(argv)
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    heads, used, feats, y = train._training_rows(load_examples(), load_taxonomy())
    data = Data(heads, used, feats, y)
    names = [*VARIANTS, *(["heading path apart (h:)"] if args.heading_path else [])]
    gains: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    for salt in args.salts.split(","):
        z, folds = held_out(data, salt, args.cache)
        base = figures(data, *nested_plain(z, y, folds))
        print(f"\n== fold salt {salt!r}: {len(used)} train and dev items, nested")
        print(f"{'':31} P      R      F1     gain     urg F1 gain     min P  P fell")
        print(row("baseline (shipped procedure)", base, None))
        nb: dict[float, Array] = {}
        for name, variant in VARIANTS.items():
            if isinstance(variant, Stack):
                f = figures(data, *nested_stack(data, z, folds, variant))
            else:
                if variant.alpha not in nb:
                    nb[variant.alpha] = nb_scores(data, folds, variant.alpha)
                f = figures(data, *nested_blend(data, z, nb[variant.alpha], folds, variant.share))
            print(row(name, f, base), flush=True)
            low = min(f.per_precision.values())
            gains[name].append((f.f1 - base.f1, f.urgency_f1 - base.urgency_f1, low))
        if args.heading_path:
            name = "heading path apart (h:)"
            zh, _ = held_out(with_heading_path(data), salt, args.cache, "zh")
            f = figures(data, *nested_plain(zh, y, folds))
            print(row(name, f, base), flush=True)
            low = min(f.per_precision.values())
            gains[name].append((f.f1 - base.f1, f.urgency_f1 - base.urgency_f1, low))
    print(f"\n== mean over {len(args.salts.split(','))} fold splits (bar: +{BAR} micro-F1)")
    for name, got in gains.items():
        f1 = statistics.fmean(g[0] for g in got)
        urgency = statistics.fmean(g[1] for g in got)
        low = min(g[2] for g in got)
        ok = f1 >= BAR and low >= 0.85 and urgency >= 0
        print(
            f"{name:<31} F1 {f1:+.4f}  urgency {urgency:+.4f}  lowest P {low:.3f}  "
            f"{'clears the bar' if ok else 'does not clear the bar'}"
        )


if __name__ == "__main__":
    main()
