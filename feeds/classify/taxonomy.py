"""The taxonomy: subtopics, their term patterns, scoring settings and urgency rules.

Part of the classifier (``feeds.classify``, which re-exports ``Subtopic``, ``Taxonomy`` and
``load_taxonomy``). The only I/O is ``load_taxonomy`` reading ``feeds/data/subtopics.json``
once. ``Taxonomy`` checks the data (unknown keys, groups, children, parents, fields and
malformed patterns raise ``ClassifyDataError``), compiles every subtopic, exclude and urgency
pattern into one ``Matcher`` (``feeds.classify.terms``), and is immutable afterwards.

Everything that decides a tag is data here: field and term weights, thresholds, umbrella
parents (``tisk`` and its children), address rules (``lovdata.no``) and urgency rules.
``feeds.classify`` applies them; its underscored attributes are read there and nowhere else.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from feeds.classify.terms import ClassifyDataError, Matcher

__all__ = [
    "FIELD_LABELS",
    "FIELD_ORDER",
    "Subtopic",
    "Taxonomy",
    "UrgencyRule",
    "load_taxonomy",
]

# The fields of an item, in reason order, with the bokmål label used in reasons.
FIELD_LABELS = {
    "title": "tittel",
    "section": "kapittel",
    "lede": "ingress",
    "body": "tekst",
    "url": "adresse",
}
FIELD_ORDER = tuple(FIELD_LABELS)


@dataclass(frozen=True)
class Subtopic:
    """A subtopic as shown to people: labels in bokmål and nynorsk, group and description."""

    slug: str
    label_nb: str
    label_nn: str
    group: str
    description_nb: str
    description_nn: str


@dataclass(frozen=True, slots=True)
class _Scoring:
    field_weights: Mapping[str, int]
    threshold: int
    lede_chars: int
    strong: int
    min_weak_terms: int


@dataclass(frozen=True, slots=True)
class _Parent:
    slug: str
    children: tuple[str, ...]
    needed: int


@dataclass(frozen=True, slots=True)
class UrgencyRule:
    rule_id: str
    reason: str
    fields: frozenset[str]
    hosts: tuple[str, ...]
    source_subtopics: frozenset[str]
    needs_with: bool


class Taxonomy:
    """Subtopics, their compiled matchers and the urgency rules. Immutable once loaded."""

    __slots__ = (
        "_aliases",
        "_by_slug",
        "_groups",
        "_matcher",
        "_parents",
        "_ready",
        "_scoring",
        "_skip_kinds",
        "_staff_reason",
        "_thresholds",
        "_urgency",
        "_url_rules",
        "subtopics",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        scoring = data["scoring"]
        weights = scoring["term_weights"]
        self._scoring = _Scoring(
            dict(scoring["field_weights"]),
            int(scoring["threshold"]),
            int(scoring["lede_chars"]),
            int(weights["strong"]),
            int(scoring.get("min_weak_terms", 1)),
        )
        self._matcher = Matcher(int(scoring["min_compound_modifier"]))
        self._groups: dict[str, tuple[str, str]] = {
            str(g["slug"]): (str(g["label_nb"]), str(g["label_nn"])) for g in data["groups"]
        }
        self.subtopics: tuple[Subtopic, ...] = tuple(
            _subtopic(raw, self._groups) for raw in data["subtopics"]
        )
        self._by_slug = {topic.slug: topic for topic in self.subtopics}
        if len(self._by_slug) != len(self.subtopics):
            raise ClassifyDataError("duplicate subtopic slug")
        self._aliases = _aliases(data["subtopics"], self._by_slug)
        self._thresholds = {
            raw["slug"]: int(raw.get("threshold") or self._scoring.threshold)
            for raw in data["subtopics"]
        }
        self._parents = tuple(_parents(data["subtopics"], self._by_slug))
        for raw in data["subtopics"]:
            self._add_terms(raw, int(weights["strong"]), int(weights["weak"]))
        self._url_rules = tuple(
            (rule["host"], tuple(self.canonical(s) for s in rule["subtopics"]))
            for rule in data.get("url_rules", ())
        )
        urgency = data["urgency"]
        self._skip_kinds = frozenset(urgency["skip_kinds"])
        self._staff_reason = str(urgency["staff_reason"])
        self._urgency = tuple(self._add_rule(raw) for raw in urgency["rules"])
        self._ready = True

    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_ready", False):
            raise AttributeError("a Taxonomy is immutable once loaded")
        object.__setattr__(self, name, value)

    def _add_terms(self, raw: Mapping[str, Any], strong: int, weak: int) -> None:
        slug = raw["slug"]
        for pattern in raw.get("strong", ()):
            self._matcher.add(pattern, f"s:{slug}", strong)
        for pattern in raw.get("weak", ()):
            self._matcher.add(pattern, f"s:{slug}", weak)
        for pattern in raw.get("exclude", ()):
            self._matcher.add(pattern, f"x:{slug}", 0)

    def _add_rule(self, raw: Mapping[str, Any]) -> UrgencyRule:
        rule_id = raw["id"]
        for pattern in raw.get("terms", ()):
            self._matcher.add(pattern, f"u:{rule_id}", 1)
        for pattern in raw.get("with", ()):
            self._matcher.add(pattern, f"w:{rule_id}", 1)
        for pattern in raw.get("unless", ()):
            self._matcher.add(pattern, f"n:{rule_id}", 1)
        fields = frozenset(raw["fields"])
        if not fields <= set(FIELD_LABELS):
            raise ClassifyDataError(f"urgency rule {rule_id!r}: unknown field in {sorted(fields)}")
        sources = frozenset(self.canonical(s) for s in raw.get("source_subtopics", ()))
        return UrgencyRule(
            rule_id,
            raw["reason"],
            fields,
            tuple(raw.get("hosts", ())),
            sources,
            bool(raw.get("with")),
        )

    def label(self, slug: str, lang: str = "nb") -> str:
        """The subtopic's label in bokmål ("nb") or nynorsk ("nn"); aliases are accepted."""
        topic = self._by_slug[self.canonical(slug)]
        if lang == "nb":
            return topic.label_nb
        if lang == "nn":
            return topic.label_nn
        raise ValueError(f"unknown language {lang!r} (use 'nb' or 'nn')")

    def group_label(self, group: str, lang: str = "nb") -> str:
        """The label of a subtopic group in bokmål or nynorsk."""
        label_nb, label_nn = self._groups[group]
        return label_nn if lang == "nn" else label_nb

    def slugs(self) -> frozenset[str]:
        return frozenset(self._by_slug)

    def umbrellas(self) -> dict[str, tuple[str, ...]]:
        """child slug -> the umbrella subtopics covering it (testing -> ("tisk",))."""
        cover: dict[str, list[str]] = {}
        for parent in self._parents:
            for child in parent.children:
                cover.setdefault(child, []).append(parent.slug)
        return {child: tuple(parents) for child, parents in cover.items()}

    def canonical(self, slug: str) -> str:
        """The slug itself, or the slug an alias ("forskrifter") stands for; else KeyError."""
        if slug in self._by_slug:
            return slug
        try:
            return self._aliases[slug]
        except KeyError:
            raise KeyError(f"unknown subtopic {slug!r}") from None


_SUBTOPIC_KEYS = frozenset(
    "slug label_nb label_nn group description_nb description_nn aliases parent children "
    "children_needed strong weak exclude threshold".split()
)


def _subtopic(raw: Mapping[str, Any], groups: Mapping[str, object]) -> Subtopic:
    keys = ("slug", "label_nb", "label_nn", "group", "description_nb", "description_nn")
    missing = [key for key in keys if not raw.get(key)]
    if missing:
        raise ClassifyDataError(f"subtopic {raw.get('slug')!r} lacks {', '.join(missing)}")
    unknown = sorted(set(raw) - _SUBTOPIC_KEYS)
    if unknown:
        raise ClassifyDataError(f"subtopic {raw['slug']!r}: unknown keys {unknown}")
    if raw["group"] not in groups:
        raise ClassifyDataError(f"subtopic {raw['slug']!r}: unknown group {raw['group']!r}")
    return Subtopic(*(str(raw[key]) for key in keys))


def _aliases(raws: Iterable[Mapping[str, Any]], slugs: Mapping[str, Subtopic]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for raw in raws:
        for alias in raw.get("aliases", ()):
            if alias in slugs or alias in aliases:
                raise ClassifyDataError(f"alias {alias!r} is already a slug or alias")
            aliases[alias] = raw["slug"]
    return aliases


def _parents(raws: Sequence[Mapping[str, Any]], slugs: Mapping[str, Subtopic]) -> list[_Parent]:
    """Umbrella subtopics; every child's optional 'parent' must agree with 'children'."""
    parents = []
    for raw in raws:
        children = tuple(raw.get("children", ()))
        if children:
            unknown = [child for child in children if child not in slugs]
            if unknown:
                raise ClassifyDataError(f"subtopic {raw['slug']!r}: unknown children {unknown}")
            needed = int(raw.get("children_needed", len(children)))
            parents.append(_Parent(raw["slug"], children, needed))
    listed = {(child, parent.slug) for parent in parents for child in parent.children}
    for raw in raws:
        if "parent" in raw and (raw["slug"], raw["parent"]) not in listed:
            raise ClassifyDataError(f"{raw['slug']!r} is not among {raw['parent']!r}'s children")
    return parents


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and compile the taxonomy (default: the bundled ``feeds/data/subtopics.json``,
    compiled once a process: ~50 ms that every context, command and web app paid again; a
    taxonomy cannot change once built)."""
    if path is None:
        return _bundled_taxonomy()
    return _compiled(path.read_text(encoding="utf-8"))


@functools.cache
def _bundled_taxonomy() -> Taxonomy:
    return _compiled(_bundled("subtopics.json"))


def _compiled(text: str) -> Taxonomy:
    try:
        return Taxonomy(json.loads(text))
    except (KeyError, TypeError) as exc:
        raise ClassifyDataError(f"malformed taxonomy: {exc!r}") from exc


def _bundled(name: str) -> str:
    resource = resources.files("feeds").joinpath("data").joinpath(name)
    return str(resource.read_text(encoding="utf-8"))
