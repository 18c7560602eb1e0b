"""word_diff finds the common head and tail on the texts, not on their words: it must give
exactly the segments of splitting both texts into words and comparing them from either end
(the reference below, word_diff as it was), whatever the white space and wherever the edit."""

from __future__ import annotations

import difflib
import random

from feeds.detect.diff import _WORDS, _common_prefix, _common_suffix, _push, _push_edit, word_diff


def reference(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """The word diff computed on the whole word lists (the former implementation)."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    head = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        head += 1
    tail, limit = 0, min(len(a), len(b)) - head
    while tail < limit and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    out: list[tuple[str, str]] = []
    _push(out, "=", "".join(a[:head]))
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, mid_a, mid_b, autojunk=False
    ).get_opcodes():
        if op == "equal":
            _push(out, "=", "".join(mid_a[i1:i2]))
        else:
            _push_edit(out, "".join(mid_a[i1:i2]), "".join(mid_b[j1:j2]))
    _push(out, "=", "".join(a[len(a) - tail :]))
    return tuple(out)


WORDS = ["a", "b", "ab", "ba", "kommunen", "1.", "§", "æøå", "x" * 300]
SPACES = [" ", " ", " ", "  ", "\n", "\u00a0", "\t", " \n"]


def random_text(rng: random.Random, words: int) -> str:
    parts = [rng.choice(SPACES)] if rng.random() < 0.2 else []
    for _ in range(words):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice(SPACES))
    text = "".join(parts)
    return text.rstrip() if rng.random() < 0.5 else text


def edited(rng: random.Random, text: str) -> str:
    """The text with a few characters or words changed, inserted or removed somewhere."""
    for _ in range(rng.randint(1, 3)):
        i = rng.randint(0, len(text))
        j = min(len(text), i + rng.choice([0, 1, 2, 5, 40]))
        text = text[:i] + rng.choice(["", " ", "b", "\n", " ny ", "kommunen "]) + text[j:]
    return text


def test_word_diff_is_the_word_list_diff_on_random_edits() -> None:
    rng = random.Random(20261205)
    for n in range(4000):
        before = random_text(rng, rng.choice([0, 1, 3, 20, 200]))
        after = edited(rng, before) if n % 7 else random_text(rng, rng.choice([0, 2, 50]))
        for x, y in ((before, after), (after, before), (before, before)):
            assert word_diff(x, y) == reference(x, y), (x, y)


def test_word_diff_is_the_word_list_diff_at_the_edges() -> None:
    cases = [
        ("", ""), ("", "a"), ("a", ""), ("a", "a "), ("a ", "a"), ("a b", "a  b"),
        (" a", "a"), ("a b", "ab"), ("ab", "a b"), ("a\nb", "a b"), ("a b c", "a x c"),
        ("x" * 600, "x" * 601), ("x" * 600 + " y", "x" * 600 + " z"), ("a " * 300, "a " * 301),
        ("a b " * 200 + "c", "a b " * 200 + "d"), ("c" + " a b" * 200, "d" + " a b" * 200),
    ]  # fmt: skip
    for before, after in cases:
        assert word_diff(before, after) == reference(before, after), (before, after)
        assert word_diff(after, before) == reference(after, before), (after, before)


def test_common_prefix_and_suffix_lengths() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        a = "".join(rng.choice("ab ") for _ in range(rng.choice([0, 1, 10, 255, 256, 257, 700])))
        b = edited(rng, a) if rng.random() < 0.8 else a
        prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        assert _common_prefix(a, b) == (min(len(a), len(b)) if prefix is None else prefix)
        start = rng.randint(0, _common_prefix(a, b))
        ra, rb = a[start:][::-1], b[start:][::-1]
        suffix = next((i for i, (x, y) in enumerate(zip(ra, rb, strict=False)) if x != y), None)
        assert _common_suffix(a, b, start) == (min(len(ra), len(rb)) if suffix is None else suffix)
