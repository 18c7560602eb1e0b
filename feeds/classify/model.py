"""The learned model at run time: weights per feature for every head, calibration and the
thresholds chosen on the dev split, loaded once from ``feeds/classify/data/model.json``.

A *head* is one yes/no decision: one per subtopic, ``_domain`` (is the item about health,
care or health preparedness at all: the domain gate) and ``_urgent``. For an item with
features x (``feeds.classify.features``), head h scores z = bias[h] + x . w[h], its
calibrated probability is p = 1 / (1 + exp(-(a[h] z + b[h]))) (Platt scaling fitted on
cross-validated scores over train and dev), and it says yes when p >= threshold[h]. Weights
are stored as integers (1/10 000) so the file is exact and the same on every machine, and
kept so in memory (32 bits each); scoring needs numpy only.

The file is written by ``feeds.classify.train`` (``make model``), never by hand.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from feeds.classify.terms import ClassifyDataError

MODEL_FILE = "model.json"
SCALE = 10_000
FORMAT = 1
DOMAIN = "_domain"
URGENT = "_urgent"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One feature's share of a head's score."""

    feature: str
    points: float


@dataclass(frozen=True, slots=True)
class Scores:
    """What the model says about one item: the probability of each head, and the feature
    values it used (kept to explain a head)."""

    probabilities: Mapping[str, float]
    rows: npt.NDArray[np.intp]
    values: npt.NDArray[np.float64]


class Model:
    """Heads, vocabulary, weight matrix, calibration and thresholds. Immutable."""

    __slots__ = (
        "_index",
        "bias",
        "calibration",
        "features",
        "heads",
        "meta",
        "thresholds",
        "weights",
    )

    def __init__(
        self,
        data: Mapping[str, Any],
        rows: tuple[Sequence[str], npt.NDArray[np.int64]] | None = None,
    ) -> None:
        """``data`` as in the model file; its ``weights`` (feature -> one integer a head)
        may come apart instead as ``rows``: the feature names and their integers, row by
        row (``parse_model``)."""
        if data.get("format") != FORMAT:
            raise ClassifyDataError(f"model format {data.get('format')!r}, expected {FORMAT}")
        self.heads: tuple[str, ...] = tuple(data["heads"])
        n = len(self.heads)
        if rows is None:
            names: Sequence[str] = _fresh(data["weights"])
            if len(names) != len(data["weights"]):
                raise ClassifyDataError("model: a feature name holds a NUL character")
            for row, ints in enumerate(data["weights"].values()):
                if len(ints) != n:
                    raise ClassifyDataError(
                        f"model: feature {names[row]!r} has {len(ints)} weights"
                    )
            flat: npt.NDArray[np.int64] | npt.NDArray[np.float64]
            flat = np.array(list(data["weights"].values()), dtype=np.float64)
        else:
            names, flat = rows
            if len(flat) != len(names) * n:
                raise ClassifyDataError(
                    f"model: {len(flat)} weights for {len(names)} features of {n} heads"
                )
        self.features: tuple[str, ...] = tuple(names)
        self._index = {name: row for row, name in enumerate(self.features)}
        if len(flat) and (not np.isfinite(flat).all() or np.abs(flat).max() >= 2**31):
            raise ClassifyDataError("model: a weight is not an integer of 32 bits")
        # the integers as stored (1/SCALE), 4 bytes each: half the memory of the floats
        # (2.3 MB a process), and exact; scores divide by SCALE after the sum
        self.weights: npt.NDArray[np.int32] = flat.reshape(-1, n).astype(np.int32)
        self.bias = np.array(data["bias"], dtype=np.float64) / SCALE
        self.calibration = {
            h: (float(a), float(b))
            for h, (a, b) in zip(self.heads, data["calibration"], strict=True)
        }
        self.thresholds = {h: float(t) for h, t in zip(self.heads, data["thresholds"], strict=True)}
        self.meta: Mapping[str, Any] = data.get("meta", {})

    def raw(
        self, values: Mapping[str, float]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Uncalibrated scores z of every head, and the rows and values of known features."""
        # C-level lookups (map with the default -1), then a mask: no Python loop per feature
        rows = np.fromiter(map(self._index.get, values, repeat(-1)), np.intp, len(values))
        known = np.fromiter(values.values(), np.float64, len(values))
        present = rows >= 0
        picked, known = rows[present], known[present]
        z = self.bias + known @ self.weights[picked] / SCALE if len(picked) else self.bias.copy()
        return z, picked, known

    def score(self, values: Mapping[str, float]) -> Scores:
        z, rows, known = self.raw(values)
        # calibration holds the heads in order; tolist gives the floats float(z[i]) would
        probabilities = {
            head: sigmoid(a * z_head + b)
            for head, z_head, (a, b) in zip(
                self.heads, z.tolist(), self.calibration.values(), strict=True
            )
        }
        return Scores(probabilities, rows, known)

    def says(self, scores: Scores, head: str) -> bool:
        return scores.probabilities[head] >= self.thresholds[head]

    def strongest(self, scores: Scores, head: str, limit: int = 4) -> list[Contribution]:
        """The features that raised ``head`` most, strongest first (ties in name order)."""
        column = self.heads.index(head)
        points = scores.values * self.weights[scores.rows, column] / SCALE
        # every feature ordered (points, then row): ties at the limit resolved the same way
        # whatever order the features came in (argpartition would pick among equal points by
        # position, which follows string hashing and so varied from process to process)
        order = np.lexsort((scores.rows, -points))[:limit]
        return [
            Contribution(self.features[int(scores.rows[i])], float(points[i]))
            for i in order
            if points[i] > 0
        ]


def _fresh(names: Iterable[str]) -> tuple[str, ...]:
    """Copies of ``names`` made side by side. The names the JSON parser made sit among the
    half a million numbers of the weights, which are freed right after loading; kept, they
    would pin that memory (a worker's RSS: +30 MB for a 3 MB matrix, +13 MB with copies)."""
    joined = "\x00".join(names)
    return tuple(joined.split("\x00")) if joined else ()


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def model_text() -> str:
    """The shipped model file as text."""
    resource = resources.files("feeds.classify").joinpath("data").joinpath(MODEL_FILE)
    return resource.read_text(encoding="utf-8")


#: how the model file (``feeds.classify.train.dumps``) goes on after its head: one feature a
#: line, ``"name": [integers]``, then ``}}``
_WEIGHTS = ', "weights": {\n'
_LINE = re.compile(r'^("(?:[^"\\]|\\.)*"): \[([^\]]*)\],?$', re.MULTILINE)


def parse_model(text: str) -> Model:
    """The model in ``text``. A file as ``train.dumps`` writes it is read a line at a time,
    without copying the text: the names in one JSON array, the integers by one numpy parse
    of their text. ``json.loads`` of the whole would make half a million int objects and a
    list a feature, only to drop them (a worker's peak RSS at load: +35 MB for a 3 MB
    matrix, and +30 MB kept). Any other valid JSON model is read whole."""
    start = text.find(_WEIGHTS)
    if start < 0 or not text.rstrip().endswith("}}"):
        return Model(json.loads(text))
    data = json.loads(text[:start] + "}")
    heads = len(data.get("heads", ()))
    names, numbers = [], []
    position = start + len(_WEIGHTS)
    for match in _LINE.finditer(text, position):
        if match.start() != position:
            break
        names.append(match[1])
        numbers.append(match[2])
        position = match.end() + 1
    if text[position:].strip() != "}}":
        line = text[position : position + 80]
        raise ClassifyDataError(f"model: a weights line cannot be read: {line!r}")
    try:
        features = json.loads("[" + ",".join(names) + "]")
        del names
        # one C parse of the integers' text (np.fromstring's text mode): no object a number
        flat = np.fromstring(",".join(numbers), dtype=np.int64, sep=",")
    except ValueError as exc:
        raise ClassifyDataError(f"model: the weights cannot be read: {exc}") from None
    if len(flat) != len(numbers) * heads:  # a line with too few or too many integers
        raise ClassifyDataError(f"model: {len(flat)} weights for {len(numbers)} features")
    if any(part.count(",") != heads - 1 for part in numbers):
        raise ClassifyDataError("model: a feature has not one weight for every head")
    return Model(data, (features, flat))


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped model, read once per process."""
    return parse_model(model_text())
