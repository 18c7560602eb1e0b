"""The classifier's shortcuts for long texts give what the plain computations give (issue 13):
the body's head split once, the stemmer's suffixes by last letter, the first unblocked
position looked for lazily, the stay-home cue read only in sentences with an anchor."""

from __future__ import annotations

import random
import re

import pytest

from bench.classify import long_section
from feeds.classify import features, load_taxonomy, rules, terms
from feeds.classify.dataset import load_examples
from feeds.classify.terms import normalise, split_words, stem

TAXONOMY = load_taxonomy()
EXAMPLES = load_examples()
SPACES = [" ", "  ", "\n", "\t", "\u00a0", "\u2003", " / ", ". ", "-", ""]


def _long_texts(count: int, seed: int) -> list[str]:
    """Labelled texts joined to 1-6 KB by assorted separators (some glue words together)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts: list[str] = []
        target = rng.randint(900, 6000)
        while sum(map(len, parts)) < target:
            parts.append(rng.choice(EXAMPLES).text)
        texts.append(normalise(rng.choice(SPACES).join(parts)))
    return texts


LONG = [*_long_texts(150, 13), normalise(long_section().text)]


def _cut_near_head(text: str) -> list[str]:
    """Bodies whose character BODY_HEAD_CHARS falls at and around a space or inside a word."""
    at = rules.BODY_HEAD_CHARS
    return [text[i:] for i in range(0, 8)] + [
        "x" * (at - 1) + " abc",
        "x" * at + " abc",
        "x" * (at + 1) + " abc",
        "y " * (at // 2) + "z",
        "ord," * 400,
        "\u2003".join(["ord"] * 400),
        "a" * 3000,
    ]


@pytest.mark.parametrize("body", [*LONG[:40], *_cut_near_head(LONG[0])])
def test_the_body_and_its_head_are_split_as_split_words_splits_them(body: str) -> None:
    words, head = rules._split_body(body)
    assert words == split_words(body)
    if len(body) <= rules.BODY_HEAD_CHARS:
        assert head is None
    else:
        assert head == split_words(body[: rules.BODY_HEAD_CHARS])
    assert rules.BODY_HEAD_CHARS == features.BODY_CHARS  # else features split the head again


_REFERENCE_SUFFIXES = terms._SUFFIXES


def _reference_stem(word: str) -> str:
    """The stemmer trying every suffix of _SUFFIXES in order."""
    word = terms._strip(word, _REFERENCE_SUFFIXES)
    if word.endswith(terms._AGENT_SUFFIXES) and len(word) >= terms._MIN_AGENT_STEM + 2:
        word = terms._strip(word, terms._AGENT_SUFFIXES)
    if len(word) > terms._MIN_STEM and word[-1] == word[-2] and word[-1] in terms._CONSONANTS:
        word = word[:-1]
    return word


def test_the_stemmer_strips_as_with_every_suffix_tried() -> None:
    words = {w for text in LONG for w in split_words(text)}
    words |= {"", "a", "e", "er", "ene", "endes", "ss", "s", "kommunane", "veilederne"}
    words |= {w + suffix for w in ("test", "sykehjem", "ab") for suffix in terms._SUFFIXES}
    for word in words:
        assert stem(word) == _reference_stem(word), word


def _reference_who_stays_home(text: str) -> dict[str, float]:
    cues: dict[str, float] = {}
    if not features._stays_home_anywhere(text):
        return cues
    for sentence in features._SENTENCE.split(text):
        if not features._told_home(sentence):
            continue
        if features._CONTACT.search(sentence):
            cues["x:contact_home"] = 1.0
        elif features._ILL.search(sentence):
            cues["x:ill_home"] = 1.0
    return cues


def test_who_stays_home_reads_the_sentences_with_an_anchor_as_it_read_them_all() -> None:
    texts = [*LONG, "syke skal holde seg hjemme. nærkontakter bør holde seg i ro / ok"]
    assert sum(bool(_reference_who_stays_home(text)) for text in texts) > 20
    for text in texts:
        found = features._who_stays_home(text)
        assert list(found.items()) == list(_reference_who_stays_home(text).items())
    # every match of _HOME holds one of the anchors the shortcut looks for
    inner = features._HOME.pattern.removeprefix(r"\b(?:").removesuffix(r")\b")
    assert "(" not in inner and len(inner) < len(features._HOME.pattern)
    for alternative in inner.split("|"):
        assert any(a in alternative for a, _ in features._HOME_ANCHORS), alternative


def _reference_sense_cues(head: str, body_head: str) -> dict[str, float]:
    """``features._sense_cues`` searching every pattern everywhere, without the anchors."""
    cues: dict[str, float] = {}
    if features._OWN_ROOM.search(head + body_head):
        cues["x:own_room"] = 1.0
    for name, pattern in (("x:outbound", features._OUTBOUND), ("x:animal", features._ANIMAL)):
        if pattern.search(head):
            cues[name] = 1.0
    testing = re.compile(r"\w*(?:test|prøve|prøvar)|" + features._TESTING_WORD.pattern)
    infection = re.compile(r"\w*(?:smitt|virus|influensa)|" + features._INFECTION.pattern)
    for sentence in features._CUE_SENTENCE.split(head + body_head):
        word = testing.search(sentence)
        if word:
            at = features._test_at(sentence)
            assert at >= 0
            assert sentence[at:].startswith(("test", "prøve", "prøvar")) or at == word.start()
            if infection.search(sentence):
                cues["x:test_infection"] = 1.0
            if features._other_sense(sentence, at):
                cues["x:test_other"] = 1.0
        else:
            assert features._test_at(sentence) == -1
        away = bool(features._WORK_AWAY.search(sentence))
        if away or features._KEPT.search(sentence):
            features._kept_cues(sentence, away, cues)
    return cues


def test_sense_cues_read_the_sentences_with_an_anchor_as_they_read_them_all() -> None:
    pairs = [(t[:300], t[300 : 300 + rules.BODY_HEAD_CHARS]) for t in LONG]
    pairs += [(normalise(f"{e.title} / {e.text[:300]}"), normalise(e.text[300:])) for e in EXAMPLES]
    assert sum(len(_reference_sense_cues(*pair)) > 1 for pair in pairs) > 100
    for head, body_head in pairs:
        assert list(features._sense_cues(head, body_head).items()) == list(
            _reference_sense_cues(head, body_head).items()
        )
    for pattern, anchors in (
        (features._ANIMAL, features._ANIMAL_ANCHORS),
        (features._OWN_ROOM, features._ROOM_ANCHORS),
    ):
        inner = pattern.pattern.removeprefix(r"\b(?:").removesuffix(")")
        assert "(" not in inner
        for alternative in inner.split("|"):
            assert any(a in alternative for a in anchors), alternative


def _reference_first_unblocked(fields: terms.FieldHits, single: terms.WordHits, slug: str,
                               blocked: dict[str, set[int]]) -> int:  # fmt: skip
    excluded = blocked.get(f"x:{slug}", set())
    phrased = blocked.get(f"s:{slug}", set())
    for position in fields.positions(single.word):
        if position not in excluded and position not in phrased:
            return position
    return -1


def test_the_first_unblocked_position_is_the_first_of_all_positions_not_blocked() -> None:
    checked = 0
    for text in LONG[:60]:
        item = rules._scan_item(TAXONOMY, "", text, "", ())
        for fields in item.fields:
            blocked = rules._blocked_spans(fields)
            for single in fields.singles:
                for target in single.targets:
                    expected = _reference_first_unblocked(fields, single, target.name, blocked)
                    found = rules._first_unblocked(fields, single, target.name, blocked)
                    assert found == expected
                    checked += blocked.get(f"s:{target.name}") is not None
    assert checked > 50  # phrases blocked some words
