"""The learned model at run time: weights per feature for every head, calibration and the
thresholds chosen on the dev split, loaded once from ``feeds/classify/data/model.json``.

A *head* is one yes/no decision: one per subtopic, ``_domain`` (is the item about health,
care or health preparedness at all: the domain gate) and ``_urgent``. For an item with
features x (``feeds.classify.features``), head h scores z = bias[h] + x . w[h], its
calibrated probability is p = 1 / (1 + exp(-(a[h] z + b[h]))) (Platt scaling fitted on
cross-validated scores over train and dev), and it says yes when p >= threshold[h]. Weights
are stored as integers (1/10 000) so the file is exact and the same on every machine. In
memory a feature's weights for every head are one Python integer (``_pack``: each weight
offset by 2**31 in a field of 64 bits), so an item's ~200 features are summed for all 21
heads at once by one C-level ``sum`` of integers, a sum per distinct feature value, exact;
the fields are read back by one ``array``. A worker that classifies never loads numpy (~17
MB of its memory), at ~0.06 ms more an item than numpy's matrix product.

The file is written by ``feeds.classify.train`` (``make model``), never by hand.
"""

from __future__ import annotations

import json
import math
import operator
import re
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import compress, pairwise, repeat
from typing import Any

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
    rows: Sequence[int]
    values: Sequence[float]


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
        rows: tuple[Sequence[str], array[int]] | None = None,
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
            flat = array("i")
            for row, ints in enumerate(data["weights"].values()):
                if len(ints) != n:
                    raise ClassifyDataError(
                        f"model: feature {names[row]!r} has {len(ints)} weights"
                    )
                flat.extend(_integers(ints))
        else:
            names, flat = rows
            if len(flat) != len(names) * n:
                raise ClassifyDataError(
                    f"model: {len(flat)} weights for {len(names)} features of {n} heads"
                )
        self.features: tuple[str, ...] = tuple(names)
        self._index = {name: row for row, name in enumerate(self.features)}
        # the integers as stored (1/SCALE), exact: a feature's row packed in one integer
        # (``_pack``), and last a row of zeros for a feature the model does not know
        self.weights: list[int] = _pack(flat, n)
        self.bias: tuple[float, ...] = tuple(float(b) / SCALE for b in data["bias"])
        if len(self.bias) != n:
            raise ClassifyDataError(f"model: {len(self.bias)} biases for {n} heads")
        self.calibration = {
            h: (float(a), float(b))
            for h, (a, b) in zip(self.heads, data["calibration"], strict=True)
        }
        self.thresholds = {h: float(t) for h, t in zip(self.heads, data["thresholds"], strict=True)}
        self.meta: Mapping[str, Any] = data.get("meta", {})

    def raw(self, values: Mapping[str, float]) -> tuple[list[float], list[int], list[float]]:
        """Uncalibrated scores z of every head, and the rows and values of known features."""
        # C-level lookups (map; -1, the row of zeros, for an unknown feature); each run of
        # features of one value summed in one C-level sum of packed rows, and each distinct
        # value's sum read back once
        found = list(map(self._index.get, values, repeat(-1)))
        vals = list(values.values())
        n = len(self.heads)
        z = list(self.bias)
        if vals:
            packed = list(map(self.weights.__getitem__, found))
            cuts = [0, *compress(range(1, len(vals)), map(operator.ne, vals[1:], vals[:-1]))]
            cuts.append(len(vals))
            sums: dict[float, list[int]] = {}
            for start, end in pairwise(cuts):
                total = sums.setdefault(vals[start], [0, 0])
                total[0] += sum(packed[start:end])
                total[1] += end - start
            for value, (total_sum, count) in sums.items():
                fields = array("Q", total_sum.to_bytes(8 * n, "little"))
                base, scale = count * _OFFSET, value / SCALE
                z = list(
                    map(
                        operator.add,
                        z,
                        map(operator.mul, map(operator.sub, fields, repeat(base)), repeat(scale)),
                    )
                )
        known_mask = list(map(operator.ne, found, repeat(-1)))
        rows = list(compress(found, known_mask))
        return z, rows, list(compress(vals, known_mask))

    def score(self, values: Mapping[str, float]) -> Scores:
        z, rows, known = self.raw(values)
        # calibration holds the heads in order
        probabilities = {
            head: sigmoid(a * z_head + b)
            for head, z_head, (a, b) in zip(self.heads, z, self.calibration.values(), strict=True)
        }
        return Scores(probabilities, rows, known)

    def says(self, scores: Scores, head: str) -> bool:
        return scores.probabilities[head] >= self.thresholds[head]

    def strongest(self, scores: Scores, head: str, limit: int = 4) -> list[Contribution]:
        """The features that raised ``head`` most, strongest first (ties in row order)."""
        shift = _FIELD * self.heads.index(head)
        weights, rows = self.weights, scores.rows
        points = [
            v * ((weights[r] >> shift & _MASK) - _OFFSET) / SCALE
            for r, v in zip(rows, scores.values, strict=True)
        ]
        # every feature ordered (points, then row): ties at the limit resolved the same way
        # whatever order the features came in (they follow string hashing, which varies from
        # process to process)
        order = sorted(range(len(points)), key=lambda i: (-points[i], rows[i]))[:limit]
        return [Contribution(self.features[rows[i]], points[i]) for i in order if points[i] > 0]


#: a packed row's fields (``_pack``): 64 bits a head, each weight offset by 2**31
_FIELD = 64
_MASK = (1 << _FIELD) - 1
_OFFSET = 1 << 31


def _pack(flat: array[int], heads: int) -> list[int]:
    """The rows of ``flat`` (``heads`` weights a feature, row by row), each packed in one
    integer: head h's weight plus 2**31 in bits 64h to 64h + 63 (little-endian fields). Sums
    of up to 2**32 rows never carry from one field into the next. A row of zeros last."""
    if not heads:
        return [0]
    shifted = array("Q", map(_OFFSET.__add__, flat)).tobytes()
    width = 8 * heads
    rows = [
        int.from_bytes(shifted[at : at + width], "little") for at in range(0, len(shifted), width)
    ]
    rows.append(int.from_bytes(array("Q", [_OFFSET] * heads).tobytes(), "little"))
    return rows


def _integers(values: Iterable[Any]) -> Iterable[int]:
    """A row's weights as integers of 32 bits (a JSON model may hold them as 3.0)."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ClassifyDataError(f"model: a weight is not a number: {value!r}")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise ClassifyDataError("model: a weight is not an integer of 32 bits")
        number = int(value)
        if not -(2**31) < number < 2**31:
            raise ClassifyDataError("model: a weight is not an integer of 32 bits")
        yield number


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
    without copying the text: the names in one JSON array, each line's integers into one
    array of 32 bits as they are read. ``json.loads`` of the whole would make half a million
    int objects and a list a feature, only to drop them (a worker's peak RSS at load: +35 MB
    for a 3 MB matrix, and +30 MB kept). Any other valid JSON model is read whole."""
    start = text.find(_WEIGHTS)
    if start < 0 or not text.rstrip().endswith("}}"):
        return Model(json.loads(text))
    data = json.loads(text[:start] + "}")
    heads = len(data.get("heads", ()))
    names = []
    flat = array("i")
    position = start + len(_WEIGHTS)
    lines = 0
    uneven = False  # a line with another number of integers than heads
    try:
        for match in _LINE.finditer(text, position):
            if match.start() != position:
                break
            names.append(match[1])
            part = match[2]
            uneven = uneven or part.count(",") != heads - 1
            flat.extend(map(int, part.split(",")))
            lines += 1
            position = match.end() + 1
    except (ValueError, OverflowError) as exc:
        raise ClassifyDataError(f"model: the weights cannot be read: {exc}") from None
    if text[position:].strip() != "}}":
        line = text[position : position + 80]
        raise ClassifyDataError(f"model: a weights line cannot be read: {line!r}")
    try:
        features = json.loads("[" + ",".join(names) + "]")
    except ValueError as exc:
        raise ClassifyDataError(f"model: the weights cannot be read: {exc}") from None
    del names
    if len(flat) != lines * heads:
        raise ClassifyDataError(f"model: {len(flat)} weights for {lines} features")
    if uneven:
        raise ClassifyDataError("model: a feature has not one weight for every head")
    return Model(data, (features, flat))


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped model, read once per process."""
    return parse_model(model_text())
