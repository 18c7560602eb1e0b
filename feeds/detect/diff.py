"""Diffing: what changed between the last snapshot and this one, as plain values.

Pages are compared section by section, keyed by heading path, so reordering alone changes
nothing and a change is reported where it happened. Feeds are compared item by item (title,
summary and content), keyed by item identity; every identity ever seen is remembered so a
reappearing item is not new, and an item re-keyed (another link or GUID, the same title and
text) is the same item.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from feeds.detect.notation import (
    VARIANT_HINT,
    canonical_spelling,
    notation_key,
    same_notation,
    variant_spelling,
)
from feeds.read.feed import former_identity, link_key
from feeds.types import (
    BULLET,
    CUT_MARK,
    CUT_MIN,
    GONE_TOLD,
    FeedContent,
    FeedItem,
    PageContent,
    Section,
    SeenItem,
    cut_elsewhere,
    fold,
    fold_marks,
    nested,
    nesting,
)

# Words carry their trailing white space: a lone " " token would be the most common token of
# every text and make SequenceMatcher quadratic.
_WORDS = re.compile(r"\S+\s*|\s+")

#: One piece of a word diff: ("=", kept text), ("-", removed text) or ("+", added text).
DiffSegment = tuple[str, str]


@dataclass(frozen=True)
class SectionChange:
    kind: str  # "added" | "removed" | "changed"
    path: tuple[str, ...]
    before: str
    after: str
    segments: tuple[DiffSegment, ...]
    before_digest: str
    after_digest: str


@dataclass(frozen=True)
class ItemChange:
    kind: str  # "new" | "changed"
    item: FeedItem
    before_title: str = ""
    before_summary: str = ""
    segments: tuple[DiffSegment, ...] = ()
    before_content: str = ""
    #: the item's enclosures before and now, as lines ("\nVedlegg: brev.pdf"), when they
    #: changed (``enclosures_line``); '' otherwise
    before_files: str = ""
    after_files: str = ""
    #: a listing item's teaser before and now, as lines after its text, when both are known
    #: (``teaser_lines``); '' otherwise
    before_teaser: str = ""
    after_teaser: str = ""
    #: a new item that is one whose withdrawal was told, back (``SeenItem.withdrawn``)
    returned: bool = False

    @property
    def before_text(self) -> str:
        """The summary and content the item had, as ``FeedItem.text`` reads them."""
        if not self.before_content:
            return self.before_summary
        return f"{self.before_summary}\n{self.before_content}".strip()


def word_diff(before: str, after: str) -> tuple[DiffSegment, ...]:
    """A word-level diff, white space kept, adjacent pieces of one kind merged."""
    # The common head and tail are kept as they are and only the middle goes through
    # SequenceMatcher (quadratic in the worst case): an edit of one sentence in a long
    # section costs the sentence, not the section. Only the middle is split into words: the
    # head and tail are found on the texts (``_middle``), ~4x cheaper on a section of 3 KB
    # than splitting both texts whole, with the same segments (tested against that).
    start, mid_a, mid_b, end = _middle(before, after)
    out: list[DiffSegment] = []
    _push(out, "=", before[:start])
    _diff_pieces(out, mid_a, mid_b, lines_first=True)
    _push(out, "=", before[end:])
    return tuple(out)


#: SequenceMatcher looks at every occurrence in one sequence of each piece of the other, once
#: for each matching block it finds: with many repeated words that grows with the cube of the
#: length (a 2.4 KB section of "x a b" repeated took 11.7 s; 4.8 KB, 92 s). A middle whose
#: pieces would be paired more often than this is compared line by line first, and a changed
#: run of lines still too repetitive is one edit. Prose stays far below it: an edit of a long
#: section pairs a few hundred words, a section rewritten whole of 3,000 words ~40,000 pairs
#: of words (the diff a reader sees is cut at ``MAX_DIFF_CHARS`` in any case).
_PAIRS_MAX = 5_000


def _pairs(a: Sequence[str], b: Sequence[str]) -> int:
    """How many pairs of equal pieces ``a`` and ``b`` hold: what SequenceMatcher's search
    for each matching block walks through."""
    counts: dict[str, int] = {}
    for piece in b:
        counts[piece] = counts.get(piece, 0) + 1
    return sum(counts.get(piece, 0) for piece in a)


def _diff_pieces(
    out: list[DiffSegment], a: Sequence[str], b: Sequence[str], lines_first: bool
) -> None:
    """The diff of two runs of pieces (words, or lines), joined back into text; past
    ``_PAIRS_MAX`` a run of words is compared line by line first (``lines_first``), and a run
    still too repetitive is one edit."""
    if _pairs(a, b) > _PAIRS_MAX:
        if lines_first:
            _diff_lines(out, a, b)
        else:
            _push_edit(out, "".join(a), "".join(b))
        return
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        if op == "equal":
            _push(out, "=", "".join(a[i1:i2]))
        else:
            _push_edit(out, "".join(a[i1:i2]), "".join(b[j1:j2]))


def _diff_lines(out: list[DiffSegment], a: Sequence[str], b: Sequence[str]) -> None:
    """Two runs of words compared as lines (a word whose trailing white space holds a line
    break ends one), then the words of each pair of changed lines."""
    lines_a, lines_b = _lines_of(a), _lines_of(b)
    keys_a, keys_b = ["".join(line) for line in lines_a], ["".join(line) for line in lines_b]
    if _pairs(keys_a, keys_b) > _PAIRS_MAX:
        _push_edit(out, "".join(keys_a), "".join(keys_b))
        return
    for op, i1, i2, j1, j2 in _opcodes(keys_a, keys_b):
        if op == "equal":
            _push(out, "=", "".join(keys_a[i1:i2]))
        else:
            words_a = [w for line in lines_a[i1:i2] for w in line]
            words_b = [w for line in lines_b[j1:j2] for w in line]
            _diff_pieces(out, words_a, words_b, lines_first=False)


def _opcodes(a: Sequence[str], b: Sequence[str]) -> Sequence[tuple[str, int, int, int, int]]:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _lines_of(words: Sequence[str]) -> list[list[str]]:
    lines: list[list[str]] = [[]]
    for word in words:
        lines[-1].append(word)
        if "\n" in word:
            lines.append([])
    if not lines[-1]:
        lines.pop()
    return lines


#: the start of every word but a text's first: white space, then something else
_WORD_START = re.compile(r"\s(?=\S)")


def _middle(a: str, b: str) -> tuple[int, list[str], list[str], int]:
    """Where the words of ``a`` and ``b`` (``_WORDS``) differ: (the end of their longest
    common run of leading words, the words of ``a`` and of ``b`` between it and their longest
    common run of trailing words, where that run starts in ``a``), the trailing run not
    reaching into the leading one: what splitting both texts into words and comparing the
    words from either end gives, found from the texts' common prefix and suffix instead. A
    word starts at the text's start or after white space; every word that starts, and is
    followed by the start of another, inside a common part is the same word in both texts,
    and the few words at the edge of that part are compared one by one."""
    prefix = _common_prefix(a, b)
    # the last word start inside the prefix (its words before it are common), then word by
    # word: the leading words' end
    start = _last_word_start(a, prefix)
    for x, y in zip(_WORDS.finditer(a, start), _WORDS.finditer(b, start), strict=False):
        if x.group() != y.group():
            break
        start = x.end()
    # the first word start whose white space before it lies inside the common suffix of the
    # rest (its words after it are common), then word by word backwards, within the middle
    suffix = _common_suffix(a, b, start)
    found = _WORD_START.search(a, len(a) - suffix)
    end_a = found.end() if found is not None else len(a)
    mid_a = _WORDS.findall(a, start, end_a)
    mid_b = _WORDS.findall(b, start, end_a + len(b) - len(a))
    common = 0
    for x, y in zip(reversed(mid_a), reversed(mid_b), strict=False):
        if x != y:
            break
        common += 1
        end_a -= len(x)
    if common:
        del mid_a[-common:], mid_b[-common:]
    return start, mid_a, mid_b, end_a


def _last_word_start(text: str, before: int) -> int:
    """The last position below ``before`` where a word of ``text`` starts (0 if none): the
    text is looked at backwards in growing windows, each ending at ``before`` (the white
    space there is judged by what follows it inside the window only)."""
    width = 64
    while True:
        low = max(0, before - width)
        last = None
        for last in _WORD_START.finditer(text, low, before):  # noqa: B007 - the last one
            pass
        if last is not None:
            return last.end()
        if low == 0:
            return 0
        width *= 4


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix: compared a block at a time (C), then halved
    within the first block that differs."""
    n, step = 0, 256
    limit = min(len(a), len(b))
    while n < limit and a[n : n + step] == b[n : n + step]:
        n += step
    if n >= limit:
        return limit
    # a[:n] == b[:n]; a[n:high] and b[n:high] differ, or are equal up to the end of one text
    high = min(n + step, limit)
    while high - n > 1:
        mid = (n + high) // 2
        if a[n:mid] == b[n:mid]:
            n = mid
        else:
            high = mid
    return n + (a[n] == b[n])


def _common_suffix(a: str, b: str, start: int) -> int:
    """The length of the longest common suffix of ``a[start:]`` and ``b[start:]``, found as
    ``_common_prefix`` finds a prefix."""
    limit = min(len(a), len(b)) - start
    n, step = 0, 256
    while n < limit:
        k = min(step, limit - n)
        if a[len(a) - n - k : len(a) - n] != b[len(b) - n - k : len(b) - n]:
            break
        n += k
    if n >= limit:
        return limit
    high = min(n + step, limit)  # the suffixes of length high differ, those of length n not
    while high - n > 1:
        mid = (n + high) // 2
        if a[len(a) - mid : len(a) - n] == b[len(b) - mid : len(b) - n]:
            n = mid
        else:
            high = mid
    return n


def _push_edit(out: list[DiffSegment], old: str, new: str) -> None:
    tail = _common_trailing_space(old, new)
    _push(out, "-", old[: len(old) - len(tail)])
    _push(out, "+", new[: len(new) - len(tail)])
    _push(out, "=", tail)


def _common_trailing_space(a: str, b: str) -> str:
    """White space both sides end with, kept outside the edit: "[-old-]{+new+} " reads better."""
    if not a or not b:
        return ""
    n = min(len(a) - len(a.rstrip()), len(b) - len(b.rstrip()))
    return a[len(a) - n :] if n else ""


def _push(out: list[DiffSegment], kind: str, text: str) -> None:
    if not text:
        return
    if out and out[-1][0] == kind:
        out[-1] = (kind, out[-1][1] + text)
    else:
        out.append((kind, text))


def _aligned(
    old: dict[tuple[str, ...], Section], new: Mapping[tuple[str, ...], Section]
) -> dict[tuple[str, ...], Section]:
    """``old`` with the sections of a repeated heading path (two "Merknad" under one
    parent: "Merknad" and "Merknad #2", ``keyed_sections``) keyed as the new version's sections
    of the same text are (blind round 88): the first of two taken out is that one removed, not
    the first changed into the second and the second removed; two that swap places say the
    same. Sections of that path whose text the new version does not hold keep the keys left,
    in their order, and those past the new version's count the smallest counters it has not
    (removed)."""
    repeated = {key[:-1] for key in (*old, *new) if key and key[-1].startswith("#")}
    if not repeated:
        return old
    old_groups, new_groups = _groups(old, repeated), _groups(new, repeated)
    out = dict(old)
    for path in repeated:
        old_keys, new_keys = old_groups.get(path, []), new_groups.get(path, [])
        if len(old_keys) > _MAX_TOGETHER or len(new_keys) > _MAX_TOGETHER:
            continue
        free = list(old_keys)
        assigned: dict[tuple[str, ...], Section] = {}
        for key in new_keys:
            match = next((k for k in free if old[k].text == new[key].text), None)
            if match is not None:
                free.remove(match)
                assigned[key] = old[match]
        spare = [k for k in new_keys if k not in assigned]
        n = 1
        for k in free:
            if spare:
                assigned[spare.pop(0)] = old[k]
                continue
            # a key the new version has not: the smallest counter free ("Merknad #2")
            while True:
                n += 1
                key = (*path, f"#{n}")
                if key not in new and key not in assigned:
                    break
            assigned[key] = old[k]
        for k in old_keys:
            del out[k]
        out.update(assigned)
    return out


def _groups(
    keyed: Mapping[tuple[str, ...], Section], repeated: set[tuple[str, ...]]
) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """The keys of each repeated path (the path itself and its counted keys), in order."""
    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key in keyed:
        if key in repeated:
            groups.setdefault(key, []).append(key)
        elif key and key[-1].startswith("#") and key[:-1] in repeated:
            groups.setdefault(key[:-1], []).append(key)
    return groups


def keyed_sections(sections: Iterable[Section]) -> dict[tuple[str, ...], Section]:
    """Sections by heading path; a repeated path gets a counter so both are kept."""
    keyed: dict[tuple[str, ...], Section] = {}
    # the last number given to each path: counting from 1 again for each repeat was the
    # square of a page of one path repeated (4,000 sections: 5.4 s)
    last: dict[tuple[str, ...], int] = {}
    for section in sections:
        key = section.path
        if key in keyed:
            n = last.get(key, 1)
            while key in keyed:
                n += 1
                key = (*section.path, f"#{n}")
            last[section.path] = n
        keyed[key] = section
    return keyed


def diff_pages(before: PageContent, after: PageContent) -> list[SectionChange]:
    """Changed, added, removed and moved sections, in the order of the new page.

    Sections are keyed by heading path, so reordering alone changes nothing; a section whose
    text changed only in typography (``Section.key``) is unchanged. A section that
    left one path and arrived at another with the same text is one change, not two: "moved"
    when its numbered heading got another number (order matters in numbered chapters), a
    "changed" heading when it was renamed, and nothing when only its parent changed."""
    old, new = keyed_sections(before.sections), keyed_sections(after.sections)
    old = _aligned(old, new)
    old, new = _without_page_end(old, new)
    gone: dict[str, list[tuple[str, ...]]] = {}
    for key, section in old.items():
        if key not in new:
            gone.setdefault(section.key, []).append(key)
    changes: list[SectionChange] = []
    standing = _Standing(old, new)
    for key, section in new.items():
        previous = old.get(key)
        if previous is None:
            candidates = gone.get(section.key)
            origin = candidates.pop(0) if candidates else None
            if origin is None:
                changes.append(_section_change("added", key, None, section))
            else:
                changes.extend(_relocated(origin, old[origin], key, section, standing))
        elif previous.digest != section.digest and not _says_the_same(previous, section):
            changes.append(_section_change("changed", key, previous, section))
    left = {key for keys in gone.values() for key in keys}
    for key, section in old.items():
        if key in left:
            changes.append(_section_change("removed", key, section, None))
    changes = _renamed_in_notation(_demoted_or_promoted(changes, old, new), old, new)
    changes = _renamed_in_place(_paired_by_paragraph(changes, old, new), old, new)
    changes = _shifted_by_one(_renumbered_with_references(changes, old, new), old, new)
    changes = _rehomed(_table_as_cards(changes))
    changes = _resectioned(_pushed_down(changes))
    changes = _regrouped(_filed_as_past(_moved_and_edited(changes)), old, new)
    return _references_resorted(changes, old, new)


#: a citation in running text by the number of its reference: "(2)", "[2]", "(1, 3)", "[2,4]"
_CITED = re.compile(r"([(\[])(\d{1,3}(?:, ?\d{1,3}){0,9})([)\]])")
#: a reference's own number before it ("1. ", "[1] ", "1) ")
_REFERENCE_NUMBER = re.compile(r"^(?:\[\d{1,3}\]|\d{1,3}[.)])\s+")
#: the most references and sections looked at (``_references_resorted``)
_RESORTED_MAX = 400


def _references_resorted(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """``changes`` without a list of references put in another order (sorted by author
    instead of by first citation, blind round 211), and without the citations by number that
    followed it ("(2)" -> "(3)" where the second reference is now the third): the references
    the same lines (their own numbers set aside), each once, and every section of the page
    that cites by number reads as before once its old numbers are mapped to the new places,
    and one at least did. A citation that now points to another reference, a reference added
    or dropped, a section citing the old numbers unchanged, or a list that nothing cites by
    number (its numbers are what readers cite: blind rounds 95 and 208) is told as before."""
    moved = [
        c for c in changes
        if c.kind == "changed" and c.path and _REFERENCES.match(c.path[-1])
        and c.path in old and c.path in new
    ]  # fmt: skip
    if len(moved) != 1:
        return changes
    refs = moved[0].path
    before = [_REFERENCE_NUMBER.sub("", line) for line in _lines(old[refs].text)]
    after = [_REFERENCE_NUMBER.sub("", line) for line in _lines(new[refs].text)]
    if (
        before == after
        or len(after) > _RESORTED_MAX
        or len(set(after)) != len(after)
        or sorted(before) != sorted(after)
    ):
        return changes
    place = {line: n for n, line in enumerate(after, 1)}
    renumber = {str(n): str(place[line]) for n, line in enumerate(before, 1)}
    explained = {refs}
    for path, section in list(new.items())[:_RESORTED_MAX]:
        if path == refs or path not in old or not _CITED.search(old[path].text):
            continue
        if _recited(old[path].text, renumber) != section.text:
            return changes
        explained.add(path)
    if len(explained) < 2:
        return changes  # nothing cites them by number: a numbered list's order is told
    return [c for c in changes if not (c.kind == "changed" and c.path in explained)]


def _recited(text: str, renumber: Mapping[str, str]) -> str | None:
    """``text`` with its citations by number mapped to their references' new places; None
    when it cites a number that is no reference."""
    unknown = False

    def mapped(m: re.Match[str]) -> str:
        nonlocal unknown
        numbers = [n.strip() for n in m[2].split(",")]
        if any(n not in renumber for n in numbers):
            unknown = True
            return m[0]
        sep = ", " if ", " in m[2] else ","
        return m[1] + sep.join(renumber[n] for n in numbers) + m[3]

    out = _CITED.sub(mapped, text)
    return None if unknown else out


def _without_page_end(
    old: dict[tuple[str, ...], Section], new: dict[tuple[str, ...], Section]
) -> tuple[dict[tuple[str, ...], Section], dict[tuple[str, ...], Section]]:
    """``old`` and ``new`` without the lines that close the page, where they follow another
    last section (blind round 188: a guideline's self-citation after its last
    recommendation's "Referanser"; the last recommendation removed, or two swapped, and the
    line goes with whichever section is now last): the lines the two versions' last sections
    end with alike, when those sections have different paths and each has lines of its own
    before them, and neither path ends with them in the other version (two recommendations
    that both end with one sentence, the last removed: the one left says what it said)."""
    if not old or not new:
        return old, new
    last_old, last_new = next(reversed(old)), next(reversed(new))
    if last_old == last_new:
        return old, new
    a, b = _lines(old[last_old].text), _lines(new[last_new].text)
    n = 0
    while n < min(len(a), len(b)) - 1 and a[-1 - n] == b[-1 - n]:
        n += 1
    if not n:
        return old, new
    tail = a[-n:]
    elsewhere = (old.get(last_new), new.get(last_old))
    if any(s is not None and _lines(s.text)[-n:] == tail for s in elsewhere):
        return old, new
    old, new = dict(old), dict(new)
    old[last_old] = _cut(old[last_old], len(a) - n)
    new[last_new] = _cut(new[last_new], len(b) - n)
    return old, new


def _cut(section: Section, lines: int) -> Section:
    """``section`` with its first ``lines`` lines only (its tables that end in them kept)."""
    text = "\n".join(_lines(section.text)[:lines])
    return replace(
        section,
        text=text,
        source="",
        tables=tuple(t for t in section.tables if t[0] + t[1] * t[2] <= lines),
        ragged=tuple(r for r in section.ragged if r[0] + sum(r[1]) <= lines),
    )


#: what a table's header row printed again over each part of it may hold (``_pushed_down``):
#: lines of at most so many characters, at most so many lines a part
_REPEATED_HEADER_CELL = 40
_REPEATED_HEADER_LINES = 8


def _pushed_down(changes: list[SectionChange]) -> list[SectionChange]:
    """``changes`` without a section whose text went, unchanged, under new subheadings of its
    own heading (blind round 86: an A-Z table of countries split into one table per
    continent, "Afrika", "Asia", ... under "Anbefalinger etter land"): the removed section and
    the sections added under its path, when every line it had stands in them and the only
    lines more are a few short copies of its own (a table's header row printed again over
    each part, ``_REPEATED_HEADER_LINES``). A line edited, added or lost on the way is told
    as before.

    The same for a section that kept its heading and gave lines to its new subsections, none
    added to its own (blind round 177: a list of countries shared out under "Afrika" and
    "Sør-Amerika", in another order): the lines it lost stand in them."""
    removed = {c.path: c for c in changes if c.kind == "removed" and c.path}
    parents = {c.path[:-1] for c in changes if c.kind == "added" and c.path}
    for c in changes:
        if c.kind == "changed" and c.path and c.path in parents and c.path not in removed:
            gone, come = _lines_gone_and_come(c)
            if gone and not +Counter({line: n for line, n in come.items() if line}):
                removed[c.path] = c
    if not removed:
        return changes
    kids: dict[tuple[str, ...], list[SectionChange]] = {}
    for c in changes:
        if c.kind == "added" and c.path[:-1] in removed:
            kids.setdefault(c.path[:-1], []).append(c)
    quiet: set[int] = set()
    for path, under in kids.items():
        if len(under) > _MAX_TOGETHER:
            continue
        source = removed[path]
        before = (
            Counter(_lines(source.before))
            if source.kind == "removed"
            else _lines_gone_and_come(source)[0]
        )
        after = Counter(line for c in under for line in _lines(c.after))
        more = after - before
        if (
            before - after
            or any(line not in before or len(line) > _REPEATED_HEADER_CELL for line in more)
            or sum(more.values()) > _REPEATED_HEADER_LINES * (len(under) - 1)
        ):
            continue
        quiet.add(id(removed[path]))
        quiet.update(id(c) for c in under)
    return [c for c in changes if id(c) not in quiet] if quiet else changes


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _regrouped(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """``changes`` without the sections that only got their heading's words shared out
    otherwise among the headings (blind round 71): a live log's entries "6. desember kl.
    09.15: Vanntank utplassert" filed under a new day heading "6. desember" as "Kl. 09.15:
    Vanntank utplassert", or the day headings dropped and their words put back in each
    entry's heading. The text under the heading is the same and the heading path reads the
    same words in the same order: nothing is told. A word of the heading added, dropped or
    changed is told as before."""
    renamed = {id(c) for c in changes if c.kind == "changed" and c.path and _first_lines_differ(c)}
    if not renamed:
        return changes
    dropped: list[set[tuple[str, ...]]] = []  # the headings the new version dropped, read once

    def dropped_heads() -> set[tuple[str, ...]]:
        if not dropped:
            new_heads = {tuple(_words(head)) for key in new for head in key}
            dropped.append({tuple(_words(head)) for key in old for head in key} - new_heads)
        return dropped[0]

    kept = []
    for c in changes:
        if id(c) in renamed:
            was, rest_before = c.before.partition("\n")[::2]
            now, rest_after = c.after.partition("\n")[::2]
            if rest_before == rest_after:
                # the heading in other typography or look-alike letters (Cyrillic "е" for
                # "e", blind round 64's open case): the same words under the same text
                if fold_marks(was) == fold_marks(now):
                    continue
                a, b = _words(was), _words(now)
                # grouped: the old heading's words are the new parent's and its own
                if len(c.path) > 1 and a == _words(c.path[-2]) + b:
                    continue
                # ungrouped: the new heading is a dropped heading's words and the old one's
                if (
                    len(b) > len(a)
                    and b[len(b) - len(a) :] == a
                    and tuple(b[: len(b) - len(a)]) in dropped_heads()
                ):
                    continue
        kept.append(c)
    return kept


def _first_lines_differ(c: SectionChange) -> bool:
    return c.before.partition("\n")[0] != c.after.partition("\n")[0]


#: how many sections (``_resectioned``: of one parent) or pairs of sections (``_rehomed``,
#: ``_filed_as_past``) a rule that looks at sections together compares at most: a page has a
#: few, a guide's chapter tens; a hostile page of thousands is told as it is, in linear time
_MAX_TOGETHER = 64


def _resectioned(changes: list[SectionChange]) -> list[SectionChange]:
    """``changes`` with a parent's sections split or merged told as what their text says
    (blind round 53): where sections under one parent were removed, added or changed, and
    their lines, taken together, are the same before and after but for a few (at most one in
    five, or two), the text only got other headings. The same lines: nothing is told; a few
    edited or dropped: one ``changed`` where they stand now ("Testkapasitet": "5 prosent" ->
    "10 prosent"), not a section removed and two added. Only where a removed or added
    section's lines mostly stand on the other side: a section removed with its text, beside
    an edit elsewhere, is told as before."""
    groups: dict[tuple[str, ...], list[SectionChange]] = {}
    for c in changes:
        if c.path:
            groups.setdefault(c.path[:-1], []).append(c)
    told: dict[int, list[SectionChange]] = {}
    for group in groups.values():
        kinds = {c.kind for c in group}
        if (
            len(group) < 2
            or len(group) > _MAX_TOGETHER
            or not kinds & {"added", "removed"}
            or not kinds <= {"added", "removed", "changed"}
        ):
            continue
        found = _resectioned_group(group)
        if found is not None:
            told[id(group[0])] = found
            told.update((id(c), []) for c in group[1:])
    if not told:
        return changes
    return [n for c in changes for n in told.get(id(c), [c])]


def _resectioned_group(group: list[SectionChange]) -> list[SectionChange] | None:
    """What ``_resectioned`` tells of one parent's changed sections; None: told as they are."""
    before = Counter(line for c in group for line in _lines(c.before))
    after = Counter(line for c in group for line in _lines(c.after))
    gone, came = before - after, after - before
    edits = sum(gone.values()) + sum(came.values())
    if edits > max(2, sum(before.values()) // 5):
        return None
    # the lines that changed sections: a removed section's still on the page, an added
    # section's already there before
    moved = sum(
        1 for c in group if c.kind == "removed" for line in _lines(c.before) if line in after
    ) + sum(1 for c in group if c.kind == "added" for line in _lines(c.after) if line in before)
    split = sum(len(_lines(c.before)) for c in group if c.kind == "removed") + sum(
        len(_lines(c.after)) for c in group if c.kind == "added"
    )
    if moved < 2 or 2 * moved < split:
        return None
    if not edits:
        return []
    now = [c for c in group if c.kind != "removed"]
    targets = [c for c in now if any(line in came for line in _lines(c.after))]
    if not targets:
        # lines dropped only: told where most of the lines around them stand now
        lost = {line for c in group for line in _lines(c.before) if line in gone}
        feeding = [c for c in group if lost & set(_lines(c.before))]
        kept = {line for c in feeding for line in _lines(c.before)} - lost
        best = max(now, key=lambda c: len(kept & set(_lines(c.after))), default=None)
        if best is None or not kept & set(_lines(best.after)):
            return None
        targets = [best]
    out = []
    for i, target in enumerate(targets):
        # what stood before: its lines now, without the new ones, and (told once) the lines
        # that went: the word diff shows the edit alone, not the lines that changed section
        own = [line for line in _lines(target.after) if line not in came]
        gone_lines = [line for line in gone for _ in range(gone[line])] if i == 0 else []
        a, b = "\n".join(own + gone_lines), target.after
        change = SectionChange(
            "changed", target.path, a, b, word_diff(a, b), target.before_digest,
            target.after_digest,
        )  # fmt: skip
        out.append(change)
    return out


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _moved_and_edited(changes: list[SectionChange]) -> list[SectionChange]:
    """A subsection removed under one parent and added under another with the same heading
    and nearly the same text (at least ``RENAMED_KEPT_SHARE`` of its words kept) is one
    subsection moved and edited, told ``changed`` where it stands now (blind round 53: "Testing
    av helsepersonell" moved under "Helsepersonell og bemanning", "fem" -> "sju" dagar), not
    one removed and one added. Each heading pairs once; a heading removed or added twice is
    told as it is."""
    removed: dict[str, list[SectionChange]] = {}
    added: dict[str, list[SectionChange]] = {}
    for c in changes:
        if len(c.path) >= 2 and c.kind in ("removed", "added"):
            side = removed if c.kind == "removed" else added
            side.setdefault(fold(c.path[-1]), []).append(c)
    # parents that went or came whole: their subsections went and came with them (a season
    # rolled over, a page retitled), told with their parent
    whole = {c.path for c in changes if c.kind in ("removed", "added")}
    paired: dict[int, SectionChange | None] = {}
    for heading, gone in removed.items():
        came = added.get(heading, [])
        if len(gone) != 1 or len(came) != 1 or gone[0].path[:-1] == came[0].path[:-1]:
            continue
        if gone[0].path[:-1] in whole or came[0].path[:-1] in whole:
            continue
        r, a = gone[0], came[0]
        segments = word_diff(r.before, a.after)
        if not _nearly_same(r.before, a.after, segments):
            continue
        paired[id(a)] = SectionChange(
            "changed", a.path, r.before, a.after, segments, r.before_digest, a.after_digest
        )
        paired[id(r)] = None
    if not paired:
        return changes
    return [told for c in changes if (told := paired.get(id(c), c)) is not None]


def _rehomed(changes: list[SectionChange]) -> list[SectionChange]:
    """``changes`` with text that only changed home told as no addition nor removal (blind
    round 45): a heading that came or went splits or joins its parent's text, so a one-day
    banner's h2 before an article's first lines took them under it ("added: Viktig melding",
    its banner and those lines; "removed: ()", the lines) and gave them back when it went.
    Where a section removed and one added are parent and child and the lines of the one end
    the lines of the other, those lines stayed where they were: the one is no change, and
    the other is told with its own lines only (the banner's)."""
    added = [c for c in changes if c.kind == "added"]
    removed = [c for c in changes if c.kind == "removed"]
    if not (added and removed) or len(added) * len(removed) > _MAX_TOGETHER:
        return changes
    gone: set[int] = set()
    told: dict[int, SectionChange] = {}
    for a in added:
        for r in removed:
            if id(a) in gone or id(r) in gone or not _parent_and_child(a.path, r.path):
                continue
            came, left = a.after.split("\n"), r.before.split("\n")
            if len(came) < len(left) and left[-len(came) :] == came:
                gone.add(id(a))
                own = "\n".join(left[: -len(came)])
                told[id(r)] = replace(r, before=own, segments=word_diff(own, ""))
            elif len(left) < len(came) and came[-len(left) :] == left:
                gone.add(id(r))
                own = "\n".join(came[: -len(left)])
                told[id(a)] = replace(a, after=own, segments=word_diff("", own))
    if not gone:
        return changes
    return [told.get(id(c), c) for c in changes if id(c) not in gone]


def _parent_and_child(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return (len(a) + 1 == len(b) and b[:-1] == a) or (len(b) + 1 == len(a) and a[:-1] == b)


#: a list of what is ahead ("Kommende arrangementer", nynorsk "Kommande arrangement", "Aktive
#: høringer") and one of what is over ("Tidligere arrangementer", "Tidlegare arrangement",
#: "Avsluttede høringer"), by their headings; "Gjeldende" and "Utgått" or an archive are not
#: such a pair (a guideline withdrawn is news)
_AHEAD = re.compile(
    r"\b(?:kommende|kommande|planlagte|planlagde|fremtidige|framtidige|aktive|pågående"
    r"|pågåande|åpne|opne)\b"
)
_OVER = re.compile(
    r"\b(?:tidligere|tidlegare|gjennomførte|gjennomførde|avholdte|passerte|avsluttede"
    r"|avslutta|avsluttet|lukkede|lukka)\b"
)


def _filed_as_past(changes: list[SectionChange]) -> list[SectionChange]:
    """``changes`` without the calendar's clock (blind round 49): an entry that leaves a list
    of what is ahead and stands, word for word, in the list of what is over beside it (the
    same parent) is filed, not news. A change of either list that is only such entries goes;
    a list that also gained or lost anything else is told as it is (a new webinar with the
    entry that passed). Only whole lines that are the same move this way."""
    ahead = [c for c in changes if c.kind in ("changed", "removed") and _heading_is(c, _AHEAD)]
    over = [c for c in changes if c.kind in ("changed", "added") and _heading_is(c, _OVER)]
    if not (ahead and over) or len(ahead) * len(over) > _MAX_TOGETHER:
        return changes
    lines = {id(c): _lines_gone_and_come(c) for c in (*ahead, *over)}
    dropped: set[int] = set()
    for a in ahead:
        left, gained = lines[id(a)]
        for b in over:
            if a.path[:-1] != b.path[:-1]:
                continue
            lost, came = lines[id(b)]
            filed = left & came
            if not filed:
                continue
            if not gained and not left - filed:
                dropped.add(id(a))
            if not lost and not came - filed:
                dropped.add(id(b))
    return [c for c in changes if id(c) not in dropped]


def _lines_gone_and_come(change: SectionChange) -> tuple[Counter[str], Counter[str]]:
    before, after = Counter(change.before.split("\n")), Counter(change.after.split("\n"))
    return before - after, after - before


def _heading_is(change: SectionChange, words: re.Pattern[str]) -> bool:
    return bool(change.path) and bool(words.search(fold(change.path[-1])))


#: the most sections ``_table_as_cards`` reads as a table's rows, and the longest header row
_MAX_CARDS = 512
_MAX_CARD_LABELS = 12


def _table_as_cards(changes: list[SectionChange]) -> list[SectionChange]:
    """A table rebuilt as one section per row (cards, an accordion: blind rounds 36, 86 and
    92), each headed by its row's first cell and holding the row's other cells, with or
    without the column headers as labels ("Pakning", "Pris per dose: 98 kr"), says the same,
    and so does the reverse: the section that lost (gained) the table and the sections added
    (removed) are no change. Every row must be one card and every card's cells its row's, in
    their order, so a price moved to another vaccine is told; a card whose row is not there
    stays told."""
    if len(changes) < 3 or len(changes) > _MAX_CARDS:
        return changes
    quiet: set[int] = set()
    for forward in (True, False):
        card_kind, table_kind = ("added", "removed") if forward else ("removed", "added")
        cards: dict[str, list[SectionChange]] = {}
        for c in changes:
            if c.kind == card_kind and c.path:
                cards.setdefault(fold(c.path[-1]), []).append(c)
        by_head = {head: found[0] for head, found in cards.items() if len(found) == 1}
        if len(by_head) < 2:
            continue
        tried = 0
        for c in changes:
            if id(c) in quiet or c.kind not in ("changed", table_kind):
                continue
            run = _table_run(c, forward)
            if not run:
                continue
            tried += 1
            if tried > _MAX_TOGETHER:
                break
            rows = _rows_as_cards(run, by_head, forward)
            if rows:
                quiet.add(id(c))
                quiet.update(id(card) for card in rows)
                by_head = {h: card for h, card in by_head.items() if card not in rows}
    if not quiet:
        return changes
    return [c for c in changes if id(c) not in quiet]


def _table_run(c: SectionChange, forward: bool) -> list[str]:
    """The lines a section lost (``forward``) or gained, where it lost (gained) nothing else:
    all of a section removed (added), or the run between the head and tail a changed one
    kept."""
    if c.kind != "changed":
        return (c.before if forward else c.after).split("\n")
    old, new = _middles(c.before.split("\n"), c.after.split("\n"))
    run, rest = (old, new) if forward else (new, old)
    return [] if rest else run


def _rows_as_cards(
    run: list[str], cards: Mapping[str, SectionChange], forward: bool
) -> list[SectionChange]:
    """The cards (by their folded headings) that are the rows of the table in the lines
    ``run`` (a header row, then rows that each start with a card's heading); [] when the run
    is not such a table or a card's cells are not its row's."""
    lines = [fold(line) for line in run]
    starts = [i for i, line in enumerate(lines) if line in cards]
    if len(starts) < 2 or len(starts) != len({lines[i] for i in starts}):
        return []
    labels = set(lines[: starts[0]])
    if len(labels) > _MAX_CARD_LABELS:
        return []
    own = [cards[lines[at]] for at in starts]
    texts = [[fold(x) for x in (c.after if forward else c.before).split("\n")] for c in own]
    # a label every card prints, though the header row called it otherwise ("Malaria" under
    # "Malariaprofylakse")
    labels |= set.intersection(*map(set, texts)) if len(texts) > 1 else set()
    found: list[SectionChange] = []
    for i, at in enumerate(starts):
        row = lines[at + 1 : starts[i + 1] if i + 1 < len(starts) else len(lines)]
        cells = [_unlabelled(line, labels) for line in texts[i]]
        if [cell for cell in cells if cell] != [cell for cell in row if cell not in labels]:
            return []
        found.append(own[i])
    return found


def _unlabelled(line: str, labels: set[str]) -> str:
    """A card's line without a column header as its label: '' for the label alone, the rest
    after "label: "."""
    if line in labels:
        return ""
    label, colon, rest = line.partition(": ")
    return rest if colon and label in labels else line


def _renumbered_with_references(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """Numbered sections renumbered, and the references to them that follow ("5 Beredskap" ->
    "6 Beredskap" and "omtalt i kapittel 5.1" -> "6.1"; "4.2 Hastevedtak" -> "4.3" and "se
    punkt 4.2" -> "4.3" elsewhere on the page: a chapter or a point inserted before them,
    blind rounds 46 and 103), are the same sections: a section removed and one added under
    the same parent with the same words after their numbers (each the only one of those
    words) whose texts agree once the old text's references are renumbered are ``moved``, so
    that ``_shifted_by_one`` can tell the section inserted as the news; and a section whose
    text changed only in such references is no change. The renumbering is read from the
    headings (``_renumbering``); at most ``_MAX_TOGETHER`` pairs."""
    pairs, moves = _renumbering(changes)
    if not moves:
        return changes
    told: dict[int, SectionChange | None] = {}
    for a, r in pairs:
        if _renumbered_text(old[r.path].text, moves) == new[a.path].text:
            moved = _relocated(r.path, old[r.path], a.path, new[a.path])
            told[id(a)] = moved[0] if moved else None
            told[id(r)] = None
    for c in changes:
        if (
            c.kind == "changed"
            and c.path in old
            and c.path in new
            and _renumbered_text(old[c.path].text, moves) == new[c.path].text
        ):
            told[id(c)] = None
    if not told:
        return changes
    return [t for c in changes if (t := told.get(id(c), c)) is not None]


def _renumbering(
    changes: list[SectionChange],
) -> tuple[list[tuple[SectionChange, SectionChange]], dict[str, str]]:
    """The numbered sections renumbered in ``changes``: the pairs of a section added and one
    removed under the same parent with the same words after their numbers (each the only
    one of those words), and every section's number before -> now (those pairs', and the
    ``moved`` ones'); a number said to go two ways is left out."""
    added = [c for c in changes if c.kind == "added" and c.path and _ordinal(c.path[-1])]
    removed: dict[tuple[tuple[str, ...], str], SectionChange | None] = {}
    for c in changes:
        if c.kind == "removed" and c.path and _ordinal(c.path[-1]) is not None:
            words = (c.path[:-1], _numbered(c.path[-1])[1])
            removed[words] = None if words in removed else c  # two of them: neither
    pairs: list[tuple[SectionChange, SectionChange]] = []
    numbers: list[tuple[str | None, str | None]] = []
    if added and removed and len(added) * len(removed) <= _MAX_TOGETHER:
        for a in added:
            number_new, bare = _numbered(a.path[-1])
            r = removed.get((a.path[:-1], bare))
            if r is not None and all(r is not taken for _, taken in pairs):
                pairs.append((a, r))
                numbers.append((_numbered(r.path[-1])[0], number_new))
    for c in changes:
        if c.kind == "moved" and c.path:
            numbers.append((_numbered(c.before.split("\n", 1)[0])[0], _numbered(c.path[-1])[0]))
    moves: dict[str, str] = {}
    twice: set[str] = set()
    for before, now in numbers:
        if before is None or now is None or before == now:
            continue
        if moves.setdefault(before, now) != now:
            twice.add(before)
    for number in twice:
        del moves[number]
    return pairs, moves


#: a reference to a numbered section in running text: a number with points ("4.3", "6.1.2"),
#: or a whole number after "kapittel", "punkt" ("kapittel 5") or a paragraph sign ("jf. § 7" in
#: a regulation whose paragraphs after a new § 7 moved up by one, blind round 257); not part of
#: a date, an amount or a longer number
_DOTTED_REFERENCE = re.compile(r"(?<![\w.,-])(\d{1,3}(?:\.\d{1,3})+)(?![\w,-]|\.\d)")
_WORD_REFERENCE = re.compile(
    r"((?:\b(?:kapittel|kapitlet|kap\.|punkt|punktet|pkt\.|avsnitt|del)|(?<!§)§)\s*+)"
    r"(\d{1,3})(?![\w.,-]?\d)",
    re.I,
)


def _renumbered_text(text: str, moves: Mapping[str, str]) -> str:
    """``text`` with its references to numbered sections renumbered as ``moves`` says
    ("4.2" -> "4.3"; a subsection by its section's number: "5.1" -> "6.1" where 5 -> 6), each
    once, as it stood (4.2 -> 4.3 and 4.3 -> 4.4 do not chain)."""

    def dotted(m: re.Match[str]) -> str:
        parts = m.group(1).split(".")
        for k in range(len(parts), 0, -1):
            if (now := moves.get(".".join(parts[:k]))) is not None:
                return ".".join([now, *parts[k:]])
        return m.group(0)

    if not any(c.isdigit() for c in text):
        return text
    text = _DOTTED_REFERENCE.sub(dotted, text)
    return _WORD_REFERENCE.sub(lambda m: m.group(1) + moves.get(m.group(2), m.group(2)), text)


def _shifted_by_one(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """A numbered section added ("2 Varsle kommuneoverlegen") whose numbered sibling sections
    after it were all renumbered up by one, their text unchanged ("2 Gi informasjon" -> "3 Gi
    informasjon": ``moved``), is the news; the renumbering follows from it and is stored
    without being reported. So is a numbered section removed whose numbered siblings after it
    all moved down by one. Siblings numbered beyond the renumbered ones, where the numbers had
    a gap (§§ 7-8 moved up, § 12 kept), may keep their numbers (``_beyond``). The section
    added (removed) takes (gave up) the number of the first sibling after it; a renumbering
    without such a section (or where a sibling after it in its range kept its number or
    moved by another step) stays ``moved``."""
    if not any(c.kind == "moved" for c in changes):
        return changes
    moved, origin_of = _renumbered(changes)
    # a numbered section renumbered in the run and edited at once ("4 Smittevern" removed,
    # "5 Smittevern" added with new text, blind round 327) counts as renumbered, and is told
    # as changed if the run is quiet
    edited = _renumbered_and_edited(changes, moved, origin_of)
    paired = {p for r, a in edited.values() for p in (r.path, a.path)}
    quiet = _quiet_runs([c for c in changes if c.path not in paired], moved, origin_of, old, new)
    if not quiet:
        return changes
    _with_their_subsections(changes, moved, quiet)
    told = {
        id(came): _section_change("changed", now_path, old.get(gone.path), new.get(came.path))
        for now_path, (gone, came) in edited.items()
        if now_path in quiet
    }
    dropped = {id(gone) for now_path, (gone, _) in edited.items() if now_path in quiet}
    return [
        told.get(id(c), c)
        for c in changes
        if not (c.kind == "moved" and c.path in quiet) and id(c) not in dropped
    ]


def _quiet_runs(
    changes: list[SectionChange],
    moved: Mapping[tuple[str, ...], tuple[tuple[str, int], tuple[str, int]]],
    origin_of: Mapping[tuple[str, ...], tuple[str, ...]],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> set[tuple[str, ...]]:
    """The renumbered sections (their keys now) that a numbered section added or removed
    before them explains (``_shifted_by_one``)."""
    quiet: set[tuple[str, ...]] = set()
    siblings: dict[bool, dict[tuple[str, ...], list[tuple[str, ...]]]] = {}
    paragraphs: dict[bool, tuple[list[tuple[str, ...]], dict[tuple[str, ...], int]]] = {}
    for c in changes:
        if c.kind not in ("added", "removed") or (number := _ordinal(c.path[-1])) is None:
            continue
        adding = c.kind == "added"
        if adding not in siblings:  # each page's keys by parent, once
            by_parent: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for k in new if adding else old:
                by_parent.setdefault(k[:-1], []).append(k)
            siblings[adding] = by_parent
        keys = siblings[adding][c.path[:-1]]
        after = _numbered_after(c.path, keys, new if adding else old, paragraphs, adding)
        shifted = [k if adding else origin_of.get(k) for k in after]
        run = 0  # the siblings right after it that moved
        while run < len(shifted) and (here := shifted[run]) is not None and here in moved:
            run += 1
        if not run or any(k in quiet for k in shifted[:run] if k is not None):
            continue
        steps = [moved[k] for k in shifted[:run] if k is not None]
        if not _beyond(after[run:], steps):
            continue
        first_before, first_after = steps[0]
        if (first_before if adding else first_after) != number:
            continue  # it did not take (give up) the number of the first one after it
        step = 1 if adding else -1
        if all(b[0] == a[0] and a[1] == b[1] + step for b, a in steps):
            quiet.update(k for k in shifted if k is not None)
    return quiet


def _renumbered_and_edited(
    changes: list[SectionChange],
    moved: dict[tuple[str, ...], tuple[tuple[str, int], tuple[str, int]]],
    origin_of: dict[tuple[str, ...], tuple[str, ...]],
) -> dict[tuple[str, ...], tuple[SectionChange, SectionChange]]:
    """Numbered sections removed and added under one parent with the same words after their
    numbers, the numbers one apart ("4 Smittevern" removed, "5 Smittevern" added): each such
    pair, the only one of its words, by the added one's path; each entered in ``moved`` and
    ``origin_of`` as a renumbering (``_renumbered``)."""
    removed: dict[tuple[tuple[str, ...], str], list[SectionChange]] = {}
    added: dict[tuple[tuple[str, ...], str], list[SectionChange]] = {}
    for c in changes:
        if c.kind in ("added", "removed") and c.path and _ordinal(c.path[-1]) is not None:
            words = fold(_numbered(c.path[-1])[1])
            (added if c.kind == "added" else removed).setdefault((c.path[:-1], words), []).append(c)
    pairs = {}
    for key, gone in removed.items():
        came = added.get(key, [])
        if len(gone) != 1 or len(came) != 1:
            continue
        before, now = _ordinal(gone[0].path[-1]), _ordinal(came[0].path[-1])
        if before and now and before[0] == now[0] and abs(before[1] - now[1]) == 1:
            pairs[came[0].path] = (gone[0], came[0])
            moved[came[0].path] = (before, now)
            origin_of[gone[0].path] = came[0].path
    return pairs


def _with_their_subsections(
    changes: list[SectionChange],
    moved: Mapping[tuple[str, ...], tuple[tuple[str, int], tuple[str, int]]],
    quiet: set[tuple[str, ...]],
) -> None:
    """Add to ``quiet`` the subsections renumbered with their chapter: "3.1 Erysipelas" under
    "3 Hud" become "4.1 Erysipelas" under "4 Hud" when a chapter inserted before it moved it
    up (blind round 327), their text unchanged; and theirs in turn ("4.1.2"). A subsection
    whose own place changed ("3.1" -> "4.2") stays ``moved``."""
    candidates = [c.path for c in changes if c.kind == "moved" and c.path not in quiet]
    while candidates:
        found = []
        for path in candidates:
            parent = path[:-1]
            if parent not in quiet or path not in moved or parent not in moved:
                continue
            (parent_before, parent_now), (before, now) = moved[parent], moved[path]
            if (
                before[1] == now[1]
                and before[0] == f"{parent_before[0]}{parent_before[1]}."
                and now[0] == f"{parent_now[0]}{parent_now[1]}."
            ):
                found.append(path)
        if not found:
            return
        quiet.update(found)
        candidates = [p for p in candidates if p not in quiet]


def _numbered_after(
    path: tuple[str, ...],
    keys: list[tuple[str, ...]],
    page: Mapping[tuple[str, ...], Section],
    paragraphs: dict[bool, tuple[list[tuple[str, ...]], dict[tuple[str, ...], int]]],
    adding: bool,
) -> list[tuple[str, ...]]:
    """The numbered sections after ``path`` among its siblings ``keys``, and for a paragraph
    ("§ 6") the paragraphs under the parents after its own, in page order: a regulation
    numbers its paragraphs through its chapters, so a paragraph inserted in chapter 2 moves
    those of chapter 3 up as well (blind round 282). ``paragraphs`` holds each page's
    numbered paragraphs by position, made once; at most 200 are read after the siblings."""
    after = [k for k in keys[keys.index(path) + 1 :] if _ordinal(k[-1]) is not None]
    if not path[-1].startswith("§"):
        return after
    if adding not in paragraphs:
        # (a page's text before its first heading has no heading: the path ())
        numbered = [k for k in page if k and k[-1].startswith("§") and _ordinal(k[-1]) is not None]
        paragraphs[adding] = (numbered, {k: i for i, k in enumerate(numbered)})
    numbered, position = paragraphs[adding]
    last = keys[-1]
    if last not in position:
        return after
    following = numbered[position[last] + 1 : position[last] + 201]
    return after + [k for k in following if len(k) == len(last) and k[:-1] != last[:-1]]


def _beyond(
    rest: Sequence[tuple[str, ...]], steps: Sequence[tuple[tuple[str, int], tuple[str, int]]]
) -> bool:
    """Whether the numbered siblings after a renumbered run kept their numbers because they
    lie beyond it: each numbered higher than any number of the run, before or now (a
    regulation's § 7 inserted moves §§ 7-8 up by one and leaves § 12 as it was: the page
    shows a part of the regulation, blind round 257). A sibling in the run's range that kept
    its number would have been passed over by the renumbering, which is no shift."""
    top = max(max(b[1], a[1]) for b, a in steps)
    for key in rest:
        number = _ordinal(key[-1])
        if number is None or number[1] <= top:
            return False
    return True


def _renumbered(
    changes: list[SectionChange],
) -> tuple[
    dict[tuple[str, ...], tuple[tuple[str, int], tuple[str, int]]],
    dict[tuple[str, ...], tuple[str, ...]],
]:
    """The sections moved to another number (``_ordinal``), by their key now: their numbers
    before and now; and their keys now by their keys before (under the same parent)."""
    moved: dict[tuple[str, ...], tuple[tuple[str, int], tuple[str, int]]] = {}
    origin_of: dict[tuple[str, ...], tuple[str, ...]] = {}
    for c in changes:
        if c.kind != "moved":
            continue
        head = c.before.split("\n", 1)[0]  # a move's text starts with its old heading
        before, now = _ordinal(head), _ordinal(c.path[-1])
        if before is not None and now is not None:
            moved[c.path] = (before, now)
            origin_of[(*c.path[:-1], head)] = c.path
    return moved, origin_of


#: a heading's number as a prefix and a last whole number ("3", "2.4", "§ 5", "Kapittel 3");
#: a number with a letter ("4 a") is not counted on
_LAST_NUMBER = re.compile(r"^(.*?)(\d+)$")


def _ordinal(heading: str) -> tuple[str, int] | None:
    """The number a numbered heading starts with (``_NUMBER``) as its prefix and its last
    whole number ("2.4 Tiltak": ("2.", 4)); None for a heading without one."""
    found = _NUMBER.match(f"{heading} ")
    if found is None:
        return None
    last = _LAST_NUMBER.match(found.group(2))
    return None if last is None else (last.group(1), int(last.group(2)))


def _demoted_or_promoted(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """A heading set as a line of text (``<h3>Dosering</h3>`` -> ``<p><strong>Dosering
    </strong></p>``: its section removed, the section before it changed) or the reverse is
    structure, not news: neither is reported when the section before now ends (or ended)
    with that heading and its text, line for line (``fold``), and nothing else changed in
    it. Only for a section without subsections of its own."""
    if not any(c.kind in ("removed", "added") for c in changes):
        return changes
    changed = {c.path for c in changes if c.kind == "changed"}
    dropped: set[tuple[str, tuple[str, ...]]] = set()
    for kind, shorter, longer in (("removed", old, new), ("added", new, old)):
        gone = {c.path for c in changes if c.kind == kind}
        if not gone:
            continue
        other = "added" if kind == "removed" else "removed"
        appeared = {c.path for c in changes if c.kind == other}
        keys = list(shorter)
        for at, key in enumerate(keys):
            if key not in gone or at == 0 or len(key) < 2:
                continue
            if at + 1 < len(keys) and keys[at + 1][: len(key)] == key:
                continue  # it has subsections
            # the section its text joins: the one before it, or its parent when that had no
            # text of its own (so no section) until the heading's text joined it
            before_it, parent = keys[at - 1], key[:-1]
            if before_it in changed and before_it in longer:
                said = (shorter[before_it].text, key[-1], shorter[key].text)
                joined_kind = "changed"
            elif parent in appeared and parent not in shorter:
                before_it, said, joined_kind = parent, ("", key[-1], shorter[key].text), other
            else:
                continue
            lines = "\n".join(part for part in said if part).split("\n")
            joined = longer[before_it].text.split("\n")
            if [fold(line) for line in lines] == [fold(line) for line in joined]:
                dropped.update(((kind, key), (joined_kind, before_it)))
    if not dropped:
        return changes
    return [c for c in changes if (c.kind, c.path) not in dropped]


def _renamed_in_notation(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """A section removed and one added whose heading paths and texts differ only in notation
    (``same_notation``: "tredje dose" and "3. dose" in a heading and its text) are the same
    section: neither is reported. Each removed section pairs with one added section at most,
    found by their ``notation_key``s (one pass over each: a page replaced whole costs what
    its sections' lines cost to fold)."""
    if not any(c.kind == "added" for c in changes) or not any(c.kind == "removed" for c in changes):
        return changes
    removed: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[str, ...]]] = {}
    for c in changes:
        if c.kind == "removed":
            key = (notation_key("\n".join(c.path)), notation_key(old[c.path].text))
            removed.setdefault(key, []).append(c.path)
    paired: set[tuple[str, ...]] = set()
    for change in changes:
        if change.kind != "added":
            continue
        after = new[change.path]
        key = (notation_key("\n".join(change.path)), notation_key(after.text))
        for origin in removed.get(key, ()):
            if origin in paired:
                continue
            if same_notation("\n".join(origin), "\n".join(change.path)) and same_notation(
                old[origin].text, after.text
            ):
                paired.update((origin, change.path))
                break
    if not paired:
        return changes
    return [c for c in changes if c.kind not in ("added", "removed") or c.path not in paired]


def _paired_by_paragraph(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """A paragraph of a law or regulation whose heading and text both changed ("§ 4.
    Isolering" -> "§ 4. (Opphevet)", its text an amendment note) is one paragraph changed,
    not one removed and one added: a § number is the paragraph's identity (a repealed one
    keeps its number; an inserted one gets a letter, "§ 4 a"). Paired only where the number
    names one section under their parent in each version, the one removed and the one
    added."""
    if not any(c.kind == "added" for c in changes) or not any(c.kind == "removed" for c in changes):
        return changes
    numbers_old, numbers_new = _paragraphs(old), _paragraphs(new)
    removed = {
        number: c.path
        for c in changes
        if c.kind == "removed" and (number := _paragraph_number(c.path)) is not None
    }
    paired: dict[tuple[str, ...], SectionChange] = {}
    for change in changes:
        number = _paragraph_number(change.path) if change.kind == "added" else None
        if number is None or (origin := removed.get(number)) is None:
            continue
        if numbers_old[number] != [origin] or numbers_new[number] != [change.path]:
            continue  # the number names more than one section: which is which is unknown
        before, after = old[origin], new[change.path]
        a, b = f"{origin[-1]}\n{before.text}", f"{change.path[-1]}\n{after.text}"
        paired[origin] = SectionChange(
            "changed", change.path, a, b, word_diff(a, b), before.digest, after.digest
        )
    if not paired:
        return changes
    by_new = {c.path: c for c in paired.values()}
    return [
        by_new.get(c.path, c) for c in changes if not (c.kind == "removed" and c.path in paired)
    ]


#: a section removed and one added in its place are one section renamed when the word diff of
#: their texts keeps at least this share of the longer text's words: an edit in place changes
#: a dose, a verb, a qualifier (1 of 7 words, 3 of 10), while two sections on different
#: subjects share function words and a term or two, seldom half their words
RENAMED_KEPT_SHARE = 0.7


def _renamed_in_place(
    changes: list[SectionChange],
    old: Mapping[tuple[str, ...], Section],
    new: Mapping[tuple[str, ...], Section],
) -> list[SectionChange]:
    """A section removed and one added at the same place (after the same section that
    stands in both versions, each the only one removed or added there) are one section
    ``changed`` under its new path when its heading was renamed under the same parent
    ("Dosering" -> "Dosering og behandlingsvarighet") or its path changed level with the
    same heading (an h3 promoted to h2), and its text is nearly the same
    (``RENAMED_KEPT_SHARE``); or wherever they stand, when their heading paths differ only
    in notation ("Vaksinasjon 2026/27" -> "Vaksinasjon 2026/2027", ``same_notation``),
    each the only such pair. A section replaced by one with other text stays removed and
    added."""
    if not any(c.kind == "added" for c in changes) or not any(c.kind == "removed" for c in changes):
        return changes
    removed_in, _ = _gaps([c.path for c in changes if c.kind == "removed"], old, new)
    added_in, added_at = _gaps([c.path for c in changes if c.kind == "added"], new, old)
    by_notation: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for c in changes:
        if c.kind == "removed":
            by_notation.setdefault(notation_key("\n".join(c.path)), []).append(c.path)
    paired: dict[tuple[str, ...], SectionChange] = {}
    for change in changes:
        if change.kind != "added":
            continue
        key = change.path
        if not key:
            continue
        origin: tuple[str, ...] | None = None
        segments: tuple[DiffSegment, ...] = ()
        same = by_notation.get(notation_key("\n".join(key)), [])
        if len(same) == 1 and same[0] and same_notation("\n".join(same[0]), "\n".join(key)):
            origin = same[0]
            segments = word_diff(old[origin].text, new[key].text)
        else:
            gap = added_at[key]
            there = removed_in.get(gap, [])
            if len(there) == 1 and len(added_in[gap]) == 1:
                origin, segments = _in_place(there[0], old[there[0]], key, new[key])
        if origin is None or origin in paired:
            continue
        before, after = old[origin], new[key]
        a, b = f"{origin[-1]}\n{before.text}", f"{key[-1]}\n{after.text}"
        # the heading's diff, then the text's (diffed apart: a renamed heading leaves the
        # texts' common head to ``word_diff``'s cheap trim)
        joined: list[DiffSegment] = []
        for kind, piece in (*word_diff(origin[-1], key[-1]), ("=", "\n"), *segments):
            _push(joined, kind, piece)
        paired[origin] = SectionChange(
            "changed", key, a, b, tuple(joined), before.digest, after.digest
        )
    if not paired:
        return changes
    return _paired_into(changes, paired)


def _paired_into(
    changes: list[SectionChange], paired: Mapping[tuple[str, ...], SectionChange]
) -> list[SectionChange]:
    """``changes`` with each removed section of ``paired`` (by its old path) and the added one
    it pairs with told as one change, or as none where the two differ only in words broken
    at other line ends (``_hyphens_only``: a converted document's heading and text) or in
    words written in another accepted form of nynorsk, heading and text alike
    (``_spelled_otherwise``: "Når skal du ringje legevakta?" -> "… ringe …", blind round 280)."""
    by_new = {c.path: c for c in paired.values()}
    quiet = {
        c.path
        for c in paired.values()
        if _hyphens_only(c.before, c.after) or _spelled_otherwise(c.before, c.after)
    }
    return [
        by_new.get(c.path, c)
        for c in changes
        if not (c.kind == "removed" and c.path in paired) and c.path not in quiet
    ]


_Gap = tuple[str, ...] | None


def _gaps(
    keys: list[tuple[str, ...]],
    sections: Mapping[tuple[str, ...], Section],
    other: Mapping[tuple[str, ...], Section],
) -> tuple[dict[_Gap, list[tuple[str, ...]]], dict[tuple[str, ...], _Gap]]:
    """Where each of ``keys`` (sections of ``sections``) stands: the gap after the last
    section before it that stands in ``other`` too (None: none before it). The keys by gap,
    and each key's gap."""
    wanted = set(keys)
    keys_in: dict[_Gap, list[tuple[str, ...]]] = {}
    gap_of: dict[tuple[str, ...], _Gap] = {}
    anchor: _Gap = None
    for key in sections:
        if key in wanted:
            gap_of[key] = anchor
            keys_in.setdefault(anchor, []).append(key)
        elif key in other:
            anchor = key
    return keys_in, gap_of


def _in_place(
    old_key: tuple[str, ...], before: Section, key: tuple[str, ...], after: Section
) -> tuple[tuple[str, ...] | None, tuple[DiffSegment, ...]]:
    """(``old_key``, the word diff of the texts) when the section removed there was renamed
    under the same parent or re-levelled under the same heading as ``key`` and its text is
    nearly the same (``_nearly_same``); (None, ()) when not."""
    renamed = old_key[:-1] == key[:-1]
    relevelled = bool(old_key) and fold(old_key[-1]) == fold(key[-1])
    if not old_key or not (renamed or relevelled):
        return None, ()
    segments = word_diff(before.text, after.text)
    if not _nearly_same(before.text, after.text, segments):
        return None, ()
    return old_key, segments


def _nearly_same(a: str, b: str, segments: Sequence[DiffSegment]) -> bool:
    """Whether the word diff of two texts (``segments``) keeps ``RENAMED_KEPT_SHARE`` of the
    longer one's words; or keeps every word of the old text, which is at least half of the
    new one (a section renamed and a sentence added to it, blind round 217: the old text
    stands whole in the new)."""
    words_a, words_b = len(a.split()), len(b.split())
    if not words_a and not words_b:
        return False
    gone = sum(len(text.split()) for kind, text in segments if kind == "-")
    if (
        words_a >= EXTENDED_MIN_WORDS
        and words_a >= EXTENDED_KEPT_SHARE * words_b
        and " ".join(a.split()) in " ".join(b.split())  # the old text whole in the new
    ):
        return True
    return words_a - gone >= RENAMED_KEPT_SHARE * max(words_a, words_b)


#: a section renamed whose old text stands whole in the new one is the same section when the
#: old text is at least this share of the new one's words (``_nearly_same``)
EXTENDED_KEPT_SHARE = 0.5
#: ... and has at least so many words (a line of three words stands in many a text)
EXTENDED_MIN_WORDS = 8


def _paragraphs(
    sections: Mapping[tuple[str, ...], Section],
) -> dict[tuple[tuple[str, ...], str], list[tuple[str, ...]]]:
    """The keys of the sections headed by a § number, by their parent and that number."""
    found: dict[tuple[tuple[str, ...], str], list[tuple[str, ...]]] = {}
    for key in sections:
        number = _paragraph_number(key)
        if number is not None:
            found.setdefault(number, []).append(key)
    return found


def _paragraph_number(key: tuple[str, ...]) -> tuple[tuple[str, ...], str] | None:
    """(the parent, the number) of a section headed by a § number ("§ 4 a." -> "4a"); None
    for any other."""
    if not key or not key[-1].lstrip().startswith("§"):
        return None
    found = _NUMBER.match(f"{key[-1]} ")
    if found is None or not found.group(1):
        return None
    return key[:-1], found.group(2).replace(" ", "")


#: the act a link to Lovdata points to, cited after the link's text (``feeds.read.html.
#: _cite_regulation``): " (FOR-2008-04-03-320)"
_CITATION = re.compile(r" \((?:LOV|FOR)-\d{4}-\d{2}-\d{2}-\d+\)")


def _either_way(rule: Callable[[str, str], bool]) -> Callable[[str, str], bool]:
    """``rule`` of two texts asked both ways (a table turned into a list, or back)."""
    return lambda a, b: rule(a, b) or rule(b, a)


def _where_they_differ(rule: Callable[[str, str], bool]) -> Callable[[str, str], bool]:
    """``rule`` asked of the lines where two texts differ, their common first and last lines
    set aside (a table turned into a list under a paragraph both versions have, blind round
    91); asked of the whole texts when they differ everywhere."""

    def asked(a: str, b: str) -> bool:
        if rule(a, b):
            return True
        if a.count("\n") == b.count("\n"):
            return False  # a table and a list of its rows never hold as many lines
        lines_a, lines_b = _middles(a.split("\n"), b.split("\n"))
        if not lines_a or not lines_b or len(lines_a) == a.count("\n") + 1:
            return False
        return rule("\n".join(lines_a), "\n".join(lines_b))

    return asked


def _says_the_same(before: Section, after: Section) -> bool:
    """Whether two versions of a section say the same: only their typography differs (the
    same ``Section.key``), or only the order of the rows of a table that has none
    (``_rows_resorted``), or links to acts were put on words that stood there already
    (their citations added, none removed or re-pointed: a link re-pointed to another act is
    a change)."""
    a, b = before.text, after.text
    if (nested(a) or nested(b)) and nesting(a) != nesting(b):
        # an item at another depth: folded, "• " and "◦ " read alike, and only the key, which
        # keeps each line's depth, tells a list shuffled from a point moved
        return before.key == after.key
    if _typography_only(before, after):
        return True
    if (after.tables or after.ragged) and _rows_resorted(before, after):
        return True
    if any(same(before.text, after.text) for same in _TOLD_OTHERWISE):
        return True
    if after.path and _REFERENCES.match(after.path[-1]) and _retypeset(before.text, after.text):
        return True
    if after.path and _CHANGE_LOG.match(after.path[-1]) and _oldest_pruned(before.text, after.text):
        return True
    if " (LOV-" not in after.text and " (FOR-" not in after.text:
        return False
    cited_before, cited_after = _CITATION.findall(before.text), _CITATION.findall(after.text)
    return (
        len(cited_before) < len(cited_after)
        and set(cited_before) <= set(cited_after)
        and fold(_CITATION.sub("", before.canonical)) == fold(_CITATION.sub("", after.canonical))
    )


#: a pictograph (emoji): Unicode's Miscellaneous Technical, Symbols and Dingbats blocks and the
#: planes' emoji (U+1F000-1FAFF), but for the marks a table's cells answer, grade or rate by:
#: check marks and crosses (✓ ✔ ✗ ✘ ✅ ❌ ❎), ballot boxes (☐ ☑ ☒), stars (★ ☆), plus and
#: minus (➕ ➖ ➗), the arrows of a rise or fall (➡ ⬅ ⬆ ⬇ ⏫ ⏬), the hollow circle (⭕) and
#: the coloured circles and squares of a status (⚪ ⚫ 🔴 🔵 🟠 🟡 🟢 🟥 🟩)
_PICTOGRAPH = (
    "[\u2300-\u23ea\u23ed-\u23ff\u2600-\u2604\u2607-\u260f\u2613-\u26a9\u26ac-\u2704"
    "\u2706-\u2712\u2719-\u274b\u274d\u274f-\u2794\u2798-\u27a0\u27a2-\u27bf"
    "\u2b00-\u2b04\u2b08-\u2b54\u2b56-\u2bff\U0001f000-\U0001f533\U0001f536-\U0001f7df"
    "\U0001f7ec-\U0001faff]"
)
#: a run of pictographs with what joins and varies them (variation selector 16, zero-width
#: joiner, keycap)
_PICTOGRAPHS = f"{_PICTOGRAPH}(?:{_PICTOGRAPH}|[\ufe0f\u200d\u20e3])*"
#: pictographs before a line's words or after them, with the spaces beside them
_EDGE_PICTOGRAPHS = re.compile(
    f"^(?:{_PICTOGRAPHS}\\s*)+|(?:\\s*{_PICTOGRAPHS})+$|(?<=^{BULLET})(?:{_PICTOGRAPHS}\\s*)+"
)
_ANY_PICTOGRAPH = re.compile(_PICTOGRAPH)


def _decorated_only(before: str, after: str) -> bool:
    """Whether two texts (a section's, a heading) differ only in emoji before or after the
    words of their lines (a "⚠️" put before "Viktig") or in a line of emoji alone, added or
    removed (never replaced: "🔴" for "🟢" is a change): compared folded without them.
    Emoji inside a line's words are read as they stand."""
    if len(before) == len(after) or (before.isascii() and after.isascii()):
        return False  # an emoji added or removed lengthens or shortens a text
    # ... where the texts differ (found in C): none there, and their lines need no folding
    start = _common_prefix(before, after)
    tail = _common_suffix(before, after, start)
    low = max(0, start - 2)
    if not (
        _ANY_PICTOGRAPH.search(before, low, len(before) - tail + 2)
        or _ANY_PICTOGRAPH.search(after, low, len(after) - tail + 2)
    ):
        return False
    edges_a, bare_a = _without_edge_pictographs(before)
    edges_b, bare_b = _without_edge_pictographs(after)
    if edges_a == edges_b or bare_a != bare_b:
        return False
    return _within(edges_a, edges_b) or _within(edges_b, edges_a)


def _without_edge_pictographs(text: str) -> tuple[list[str], list[str]]:
    """The emoji runs at the edges of ``text``'s lines (without their joiners and variation
    selectors, in order), and its lines folded without them (lines of emoji alone left out)."""
    if not _ANY_PICTOGRAPH.search(text):
        return [], [fold(line) for line in text.split("\n")]
    edges: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        for m in _EDGE_PICTOGRAPHS.finditer(line):
            edges.extend(_ANY_PICTOGRAPH.findall(m.group()))
        bare = _EDGE_PICTOGRAPHS.sub("", line).strip()
        if bare and bare != BULLET.strip():
            lines.append(fold(bare))
    return edges, lines


def _within(short: Sequence[str], long: Sequence[str]) -> bool:
    """Whether ``short`` is ``long`` with some of its elements left out (in order)."""
    rest = iter(long)
    return all(any(x == y for y in rest) for x in short)


#: the heading of a page's own log of its changes ("Endringer i denne versjonen",
#: "Endringslogg", nynorsk "Endringar", "Versjonshistorikk")
_CHANGE_LOG = re.compile(
    r"^(?:endringer|endringar|endringslogg|endringshistorikk|versjonshistorikk|versjonslogg"
    r"|tidligere versjoner|tidlegare versjonar)(?: i (?:denne|dette) (?:versjonen|dokumentet"
    r"|veilederen|rettleiaren|retningslinjen|retningslinja))?\s*:?$",
    re.I,
)


def _oldest_pruned(before: str, after: str) -> bool:
    """Whether a page's change log only lost its oldest entries (blind round 89: the three
    oldest rows of "Endringer i denne versjonen" taken down): the new log is the old one's
    first lines, newest first, two at least and a third of them at least (a log emptied but
    for its header row is told). An entry added, edited or taken out in the middle is told."""
    if len(after) >= len(before) or not before.startswith(after + "\n"):
        return False
    kept = after.count("\n") + 1
    return kept >= 2 and 3 * kept >= before.count("\n") + 1


#: the heading of a list of references ("Referanser", nynorsk "Referansar", "Litteratur",
#: "Kilder", "Kjelder", "Litteraturliste")
_REFERENCES = re.compile(
    r"^(?:referanser|referansar|references|litteratur|litteraturliste|kilder|kjelder"
    r"|kildeliste|kjeldeliste)\s*:?$",
    re.I,
)
#: a DOI however it is written ("doi:10.1000/x", "DOI 10.1000/x", "https://doi.org/10.1000/x",
#: "http://dx.doi.org/10.1000/x"): its prefix
_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:?\s*)(?=10\.)", re.I)
#: what a reference list's typesetting changes: everything but letters and digits
_NOT_ALNUM = re.compile(r"[\W_]+")


def _retypeset(before: str, after: str) -> bool:
    """Whether two versions of a list of references differ only in their typesetting: a
    full stop after a journal's name, a dash in a page range, a DOI written as a link
    ("doi:10.1016/x" as "https://doi.org/10.1016/x"). Compared on their letters and digits
    alone, the DOIs' prefixes left out: a reference added or removed, another year, volume
    or page is a change."""
    return before != after and _NOT_ALNUM.sub("", fold(_DOI.sub("", before))).lower() == (
        _NOT_ALNUM.sub("", fold(_DOI.sub("", after))).lower()
    )


#: how a teaser's excerpt ends: an ellipsis, or a read-more link's label ("… Les meir", "Les
#: mer", "Les heile saka"), with what stands between
_EXCERPT_END = re.compile(
    r"(?:\s*(?:…|\.{3}))?\s*(?:les (?:mer|meir)(?: her)?|les (?:hele|heile) (?:saken|saka"
    r"|artikkelen|meldinga|meldingen))?\s*(?:…|\.{3})?$",
    re.I,
)


def _excerpt_recut(before: str, after: str) -> bool:
    """Whether two texts differ only in where an excerpt is cut: each line that differs ends
    in an ellipsis or a read-more label in one version at least ("… må koke vatnet. Les meir"
    and "… må koke vatnet før det blir brukt til drikke …"), and the shorter excerpt, its end
    marks and final punctuation left out, is the start of the longer one (a teaser re-cut for
    the layout: the page it points to says the rest). Compared folded; the same lines
    elsewhere, in order. A line without such an end, or an excerpt that says otherwise, is a
    change."""
    lines_a, lines_b = before.split("\n"), after.split("\n")
    if len(lines_a) != len(lines_b) or (
        "…" not in before + after
        and "..." not in before + after
        and "les m" not in (before + after).lower()
    ):
        return False
    recut = False
    for a, b in zip(lines_a, lines_b, strict=True):
        if a == b:
            continue
        marked = [_EXCERPT_END.search(x) for x in (a, b)]
        if not any(m is not None and m.group(0).strip() for m in marked):
            return False
        cut_a = fold(_EXCERPT_END.sub("", a)).rstrip(" .,;:")
        cut_b = fold(_EXCERPT_END.sub("", b)).rstrip(" .,;:")
        short, long = sorted((cut_a, cut_b), key=len)
        if (
            not short
            or not long.startswith(short)
            or (len(long) > len(short) and long[len(short)].isalnum())
        ):
            return False
        recut = True
    return recut


#: a line that is a dash alone: a table's empty cell written out ("–": none, closed)
_DASH_LINES = frozenset({"-", "–", "—", "‒", "−"})
#: whether a text holds such a line: looked for before splitting a text into its lines (a
#: dash inside a line, "Møte 3 – 4. mars", is common and says nothing here)
_DASH_LINE = re.compile(
    rf"^[^\S\n]*[{''.join(map(re.escape, sorted(_DASH_LINES)))}][^\S\n]*$", re.MULTILINE
)


def _marks_only(before: str, after: str) -> bool:
    """Whether two texts differ only in marks that say nothing: list bullets before lines
    (lines set apart by line breaks rebuilt as a list's items, or back: "Telefon: 116 117"
    as "• Telefon: 116 117") and lines of a dash alone (a table's empty cells written "–"
    where they were left blank, read as no line, or back: both say "none"). Every other
    line's words as they were, in the same order; compared folded."""
    if before == after or (
        BULLET not in before
        and BULLET not in after
        and not _DASH_LINE.search(before)
        and not _DASH_LINE.search(after)
    ):
        return False
    marks_before, marks_after = _marks_of(before), _marks_of(after)
    if marks_before == marks_after:
        return False  # the same marks on the same lines: what differs is words (an edit)
    if sum(not dash for _, dash in marks_before) != sum(not dash for _, dash in marks_after):
        return False  # not as many lines of words: counted before every line is folded

    def lines(text: str) -> list[str]:
        return [
            fold(line.removeprefix(BULLET))
            for line in text.split("\n")
            if line.strip() not in _DASH_LINES
        ]

    return lines(before) == lines(after)


#: a quotation's marks: guillemets and quotation marks, and a dialogue dash that opens a
#: line or a sentence ("– Alle skal ha ein fastlege, seier ministeren.")
_QUOTE_MARKS = re.compile(r"[«»“”„\"]|(?:^|(?<=[.!?] ))[–—-] ", re.M)


def _quoted_otherwise(before: str, after: str) -> bool:
    """Whether two texts differ only in how a quotation is marked: a dialogue dash for
    guillemets or the other way ("– Alle skal ha en fastlege, sier ministeren." and
    "«Alle skal ha en fastlege», sier ministeren.", blind round 285), and quotation marks
    of one kind for another. Compared folded, the marks left out."""
    if before == after or not (_QUOTE_MARKS.search(before) or _QUOTE_MARKS.search(after)):
        return False
    stripped_before, stripped_after = _QUOTE_MARKS.sub("", before), _QUOTE_MARKS.sub("", after)
    if (stripped_before, stripped_after) == (before, after):
        return False
    return fold(stripped_before) == fold(stripped_after)


#: a colon between two parts of a text, read as a spaced dash (``_colon_as_dash``)
_PART_COLON = re.compile(r"(?<=\w): (?=\w)")


def _colon_as_dash(before: str, after: str) -> bool:
    """Whether two texts differ only in a colon between two parts set as a spaced dash, or
    the other way ("Helseberedskap i vinter: kommunane …" -> "Helseberedskap i vinter –
    kommunane …", blind round 281), in typography besides (``fold``): a title, a heading or a
    line of text alike."""
    if before == after or (": " not in before and ": " not in after):
        return False
    return fold(_PART_COLON.sub(" - ", before)) == fold(_PART_COLON.sub(" - ", after))


def _marks_of(text: str) -> list[tuple[bool, bool]]:
    """Each line of ``text``: whether a bullet starts it, whether it is a dash alone."""
    return [(line.startswith(BULLET), line.strip() in _DASH_LINES) for line in text.split("\n")]


#: a list item's marker before its words: a number ("1.", "1)"), a letter ("a)", "b."), one in
#: brackets ("(a)", "(iv)"), or a bullet
_ITEM_MARK = re.compile(
    rf"^(?:(\d{{1,3}})[.)]|([a-zæøå])[.)]|\(([a-z0-9]{{1,4}})\)|{BULLET.strip()})\s+"
)


def _renumbered_only(before: str, after: str) -> bool:
    """Whether two texts differ only in how their list items are marked and where their lines
    break (blind round 54): "1." written "1)", numbers made bullets, a lettering slip mended
    ("a) c) d)" as "a) b) c)"), a point split in two with the same sentences and the points
    after it renumbered; or the numbers written in the text dropped where the site's list
    numbers its items itself ("(1) Det er ikke tillatt ..." as an <ol>'s item, blind round 78),
    or a lone "(1)" set before a paragraph's one ledd (blind round 330).
    Both versions a list (two marked lines or more), or one of them with no marks at all;
    each one's numbers counting up by one (a new list may start again at 1: "1. dose" and "2.
    dose" lines are items, and a lone "3. dose" made "4. dose" is read), and every word and
    sign but the markers the same, in the same order. A point added, removed or moved is a
    change."""
    marks_a, marks_b = _item_marks(before), _item_marks(after)
    if sorted([marks_a, marks_b]) == [[], ["(1)"]]:
        # a paragraph's one ledd numbered "(1)" as its others are (blind round 330): the
        # same words
        return _list_words(before) == _list_words(after)
    if max(len(marks_a), len(marks_b)) < 2 or min(len(marks_a), len(marks_b)) == 1:
        return False  # no list (most texts): nothing folded
    if not (marks_a and marks_b) and before.count("\n") != after.count("\n"):
        return False  # numbers only dropped: as many lines, one an item
    if marks_a == marks_b and before.count("\n") == after.count("\n"):
        return False  # the same marks on as many lines: what differs is words (an edit)
    words_a = _list_words(before)
    return words_a is not None and words_a == _list_words(after)


def _item_marks(text: str) -> list[str]:
    return [m.group(0).strip() for line in text.split("\n") if (m := _ITEM_MARK.match(line))]


def _list_words(text: str) -> str | None:
    """``text``'s words without its list markers and line breaks (None where its numbers do
    not count up by one)."""
    last = 0
    words = []
    for line in text.split("\n"):
        m = _ITEM_MARK.match(line)
        if m is not None:
            if m.group(1) is not None:
                number = int(m.group(1))
                if number not in (1, last + 1):
                    return None
                last = number
            line = line[m.end() :]
        words.append(fold(line))
    return " ".join(" ".join(words).split())


#: a word of a cell or an item, without the signs that join a list's fields (",", ":", a bullet)
_FIELD_WORD = re.compile(r"[^\s,;:•·|]+")
#: the most words a table's header row holds
_HEADER_MAX = 12


def _table_as_list(table: str, listed: str) -> bool:
    """Whether a table (one line a cell, its header row first) and a list say the same
    (blind round 55): each row an item of its cells, with the headers as labels or without
    them ("Hamar | Tone Kristiansen | 62 56 30 00" as "• Hamar: Tone Kristiansen, telefon 62
    56 30 00"). The table's words after its header row are the list's words in the same
    order, once the list's labels (the header's words) are set aside; a cell that differs, a
    row added, dropped or moved is a change."""
    lines = table.count("\n")
    # a row of two cells or more is one item: half the lines or fewer (an edit that keeps
    # the lines costs nothing here)
    if lines < 3 or listed.count("\n") * 2 > lines or (BULLET not in listed and ":" not in listed):
        return False
    cells = [w.lower() for w in _FIELD_WORD.findall(table)]
    items = [w.lower() for w in _FIELD_WORD.findall(listed)]
    if not items or items[0] not in cells:
        return False
    start = cells.index(items[0])
    header = set(cells[:start])
    if not 0 < start <= _HEADER_MAX or header & set(cells[start:]):
        return False
    return [w for w in items if w not in header] == cells[start:]


#: the longest line a table's header cell is
_HEADER_CELL_MAX = 24


def _header_row_dropped(table: str, pairs: str) -> bool:
    """Whether a table of two columns and its rows without the header row say the same (an
    open case of blind round 20: a table of thresholds rendered as a definition list, "Mål |
    Grense" gone): pairs of a label and its value say what the header said. The table's
    first two lines labels (``_header_cell``), the rest its rows (two lines each, two rows or
    more), and the other text those rows word for word. A table of more columns keeps its
    header's meaning ("Voksne" / "Barn": which value is which), and loses it told. Two short
    lines of a notice over rows of pairs would pass too: the labels must be one or two words
    without a digit."""
    if not pairs or len(table) <= len(pairs) or not table.endswith(pairs):
        return False
    head = table[: len(table) - len(pairs)]
    if not head.endswith("\n"):
        return False
    cells = head[:-1].split("\n")
    rows = pairs.count("\n") + 1
    return (
        len(cells) == 2
        and rows >= 2 * len(cells)
        and rows % len(cells) == 0
        and all(_header_cell(c) for c in cells)
    )


def _header_cell(line: str) -> bool:
    """A line that may be the header cell of a table of two columns: a label of one or two
    words ("Mål", "Grense", "Antall tilfeller"), no digit, no colon. A notice ("Vaksinasjonen
    er utsett") is not one."""
    return _cell(line, _HEADER_CELL_MAX, 2) and line[-1] != ":" and not any(map(str.isdigit, line))


def _questions_reordered(before: str, after: str) -> bool:
    """Whether two texts are the same questions with their answers in another order (an open
    case of blind round 26: a FAQ of ``<details>`` re-sorted): each text's lines from its
    first question (a line ending in "?") on, cut where a question starts, the same blocks,
    and the same lines before the first question. An answer moved to another question is
    a change."""
    if before.count("?") < 2 or before.count("?") != after.count("?"):
        return False
    head_a, blocks_a = _question_blocks(before)
    head_b, blocks_b = _question_blocks(after)
    return len(blocks_a) >= 2 and head_a == head_b and sorted(blocks_a) == sorted(blocks_b)


def _question_blocks(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    head: list[str] = []
    blocks: list[list[str]] = []
    for line in text.split("\n"):
        if line.endswith("?"):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
        else:
            head.append(line)
    return head, [tuple(b) for b in blocks]


#: the most lines of two texts ``_header_repeat_only`` compares (a table of a few hundred
#: rows; the line matcher's cost grows with the square of a hostile text's lines)
_REPEAT_LINES_MAX = 4000


def _header_repeat_only(before: str, after: str) -> bool:
    """Whether two texts differ only in a table's header row repeated inside it (a table split
    over two pages of a converted document, its header printed again, blind round 58): the
    lines one text has and the other has not are blocks of two or more short cells (``_cell``)
    that stand, the same, earlier in the text that has them. A sentence said twice and
    dropped once is a change (a warning under each of two drugs)."""
    lines_a, lines_b = before.split("\n"), after.split("\n")
    if abs(len(lines_a) - len(lines_b)) < 2 or len(lines_a) + len(lines_b) > _REPEAT_LINES_MAX:
        return False
    # the lines that differ must be cells before the line matcher runs: a sentence added or
    # dropped (most changes) is settled here in one count
    counted_a, counted_b = Counter(lines_a), Counter(lines_b)
    if not all(map(_repeated_cell, (counted_a - counted_b) + (counted_b - counted_a))):
        return False
    matcher = difflib.SequenceMatcher(None, lines_a, lines_b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace":
            return False
        lines, start, end = (lines_a, a0, a1) if op == "delete" else (lines_b, b0, b1)
        block = lines[start:end]
        if (
            len(block) < 2
            or not all(map(_repeated_cell, block))
            or not _stands_before(lines, start, block)
        ):
            return False
    return True


def _repeated_cell(line: str) -> bool:
    """A line that may be a cell of a header row printed again (``_header_repeat_only``): a
    ``_cell`` of up to six words ("Frist for nødvendig helsehjelp (uker)", blind round 291);
    the row must stand where the table begins, which a sentence's words do not."""
    return _cell(line, words=6)


def _split_by_groups(before: str, after: str) -> bool:
    """Whether two texts differ only in a table split into parts by its group rows, the
    header printed over each part (blind round 193: "Tidligere uvaksinerte" and "Tidligere
    fullvaksinerte", rows of one table, made the captions of two): the lines one text has more
    of are its header row's cells (``_cell``) printed again, and without every copy of that
    row both texts are the same lines in the same order. A row, a cell or a group moved
    elsewhere, added or dropped is a change."""
    lines_a, lines_b = before.split("\n"), after.split("\n")
    if abs(len(lines_a) - len(lines_b)) < 2 or len(lines_a) + len(lines_b) > _REPEAT_LINES_MAX:
        return False
    counted_a, counted_b = Counter(lines_a), Counter(lines_b)
    more = (counted_b - counted_a) or (counted_a - counted_b)
    if (counted_a - counted_b) and (counted_b - counted_a):
        return False
    if not 2 <= len(more) <= _RECORDS_MAX_COLUMNS or not all(map(_cell, more)):
        return False
    fewer = lines_a if len(lines_a) < len(lines_b) else lines_b
    header = _run_of(fewer, set(more))
    if header is None or not _begins_table(fewer, fewer.index(header[0])):
        return False
    bare_a, bare_b = _without_block(lines_a, header), _without_block(lines_b, header)
    return bare_a == bare_b and bare_a != lines_a


def _run_of(lines: list[str], cells: set[str]) -> list[str] | None:
    """The first run of lines that are ``cells``, each once, in ``lines``; None if none."""
    for i, line in enumerate(lines):
        if line in cells:
            run = lines[i : i + len(cells)]
            return run if set(run) == cells and len(run) == len(cells) else None
    return None


def _without_block(lines: list[str], block: list[str]) -> list[str]:
    """``lines`` without every copy of ``block`` (consecutive lines)."""
    out: list[str] = []
    i, width = 0, len(block)
    while i < len(lines):
        if lines[i] == block[0] and lines[i : i + width] == block:
            i += width
            continue
        out.append(lines[i])
        i += 1
    return out


def _cell(line: str, chars: int = 40, words: int = 4) -> bool:
    """A line that may be a cell of a table's header row: at most ``chars`` characters and
    ``words`` words, no sentence's end ("SARS-CoV-2", "Influensa A")."""
    return 0 < len(line) <= chars and len(line.split()) <= words and line[-1] not in ".!?"


def _stands_before(lines: list[str], start: int, block: list[str]) -> bool:
    """Whether ``block`` stands earlier in ``lines`` as a table's header row: where a table
    begins (``_begins_table``). A data row said twice, one copy dropped, is a change (blind
    round 220: a vaccine dropped at 5 months read like its row at 3 months)."""
    width = len(block)
    return any(
        lines[i : i + width] == block and _begins_table(lines, i)
        for i in range(0, start - width + 1)
    )


def _begins_table(lines: list[str], at: int) -> bool:
    """Whether the cells from ``at`` on begin a table: the first line, after a sentence, or
    after a caption that follows a sentence or starts the text (a long cell of the row before
    ends in no full stop: "Difteri, stivkrampe, kikhoste, poliomyelitt")."""
    if at == 0 or lines[at - 1][-1:] in _SENTENCE_ENDS:
        return True
    return at == 1 or lines[at - 2][-1:] in _SENTENCE_ENDS


_SENTENCE_ENDS = frozenset(".:!?")


#: a word broken at a line's end by a converter ("komm- unane", "besti- lling"): a hyphen
#: between two small letters, a space after it
_BROKEN_WORD = re.compile(r"(?<=[a-zæøå])- (?=[a-zæøå])")


def _hyphens_only(before: str, after: str) -> bool:
    """Whether two texts differ only in words broken at a line's end by a document's
    converter, joined in the other ("helse- messig" and "helsemessig", blind round 58), and
    in where its paragraphs break (a converter ends a paragraph where a page ended). Both
    read joined: "helse- og omsorg" joins alike in both, so a real "og" stays a word of
    both."""
    if "- " not in before and "- " not in after:
        return False
    joined_a, joined_b = _BROKEN_WORD.sub("", before), _BROKEN_WORD.sub("", after)
    # ... and its paragraphs broken where the pages broke: the same words in the same order
    return joined_a == joined_b or joined_a.split() == joined_b.split()


#: what joins the items of a list written as a sentence ("Bergen, Askøy, Øygarden og
#: Bjørnafjorden")
_ENUMERATION = re.compile(r", (?:og |eller )?| og | eller ")
#: a list item that may be written in a sentence's enumeration: short, no comma nor "og"
_ITEM_MAX = 60


def _listed_as_sentence(before: str, after: str) -> bool:
    """Whether a list of short items (an <ul>'s, two at least) was written as one sentence
    naming the same items, or back: "Følgjande kommunar har auka beredskap:" with the items
    "Bergen", "Askøy", "Øygarden" and "Bjørnafjorden" as "Følgjande kommunar har auka
    beredskap: Bergen, Askøy, Øygarden og Bjørnafjorden." (the items apart by commas, "og"
    or "eller"; the same lead-in, in the list's version its own line before the items or a
    line both versions have). The rest of the text the same; an item more or less, or
    another lead-in, is a change. Compared folded."""
    if (BULLET not in before and BULLET not in after) or before.count("\n") == after.count("\n"):
        return False
    lines_a, lines_b = before.split("\n"), after.split("\n")
    listed, written = (lines_a, lines_b) if len(lines_a) > len(lines_b) else (lines_b, lines_a)
    head = 0
    while head < len(written) and listed[head] == written[head]:
        head += 1
    tail = 0
    while tail < len(written) - head and listed[-1 - tail] == written[-1 - tail]:
        tail += 1
    if len(written) - head - tail != 1:
        return False
    region = listed[head : len(listed) - tail]
    lead = "" if region[0].startswith(BULLET) else region.pop(0)
    if len(region) < 2 or not all(line.startswith(BULLET) for line in region):
        return False
    sentence = fold(written[head])
    if lead:
        lead = fold(lead)
        if not sentence.startswith(f"{lead} "):
            return False
        sentence = sentence[len(lead) + 1 :]
    elif head == 0:
        return False  # no lead-in: a list on its own, or a paragraph, not one named by it
    pieces = _ENUMERATION.split(sentence.strip().removesuffix("."))
    if len(pieces) != len(region):
        return False  # counted before the items are folded: a list of 30,000 is not read
    items = [fold(line[len(BULLET) :]).rstrip(".;") for line in region]
    if any(len(i) > _ITEM_MAX or not i or _ENUMERATION.search(i) for i in items):
        return False
    return sorted(pieces) == sorted(items)


def _middles(a: list[str], b: list[str], back: int = 0) -> tuple[list[str], list[str]]:
    """The parts of two lists (of lines, of words) between their common head and tail;
    ``back``: with that many items of the common head before them."""
    head, shortest = 0, min(len(a), len(b))
    while head < shortest and a[head] == b[head]:
        head += 1
    head = max(0, head - back)
    tail = 0
    while tail < shortest - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return a[head : len(a) - tail], b[head : len(b) - tail]


#: the words that join a sentence's items ("a, b og c"), which a list of them leaves out
_JOINERS = frozenset({"og", "eller"})
#: the punctuation a sentence's words or a list's items end or start with, read apart
_EDGE_PUNCTUATION = ",.;:"


def _relisted_same_words(before: str, after: str) -> bool:
    """Whether a passage was laid out as a list, or a list written out as a passage, with
    the same words in the same order (blind round 73): "Syke barn bør holdes hjemme til de
    har fått antibiotika i 5 dager, eller til det har gått 3 uker ..." as "... til" and two
    items, or the items "varsle kommuneoverlegen same dag," ... after "skal institusjonen:"
    joined into one sentence. Where the versions differ, one is lines of running text and
    the other the same lines with at least two list items; their words, read without the
    list's marks and the commas, stops and colons at a word's edges, are the same but for
    an "og" or "eller" that joins the items in the sentence. A word more, less or changed
    (an item dropped, "ikke-vaksinerte" as "ikke vaksinerte") is a change."""
    if (BULLET not in before and BULLET not in after) or before.count("\n") == after.count("\n"):
        return False
    region_a, region_b = _middles(before.split("\n"), after.split("\n"))
    listed, written = (
        (region_a, region_b) if len(region_a) > len(region_b) else (region_b, region_a)
    )
    if (
        not written
        or any(line.startswith(BULLET) for line in written)
        or sum(1 for line in listed if line.startswith(BULLET)) < 2
    ):
        return False
    return _same_words_joined(
        _bare_words(" ".join(line.removeprefix(BULLET) for line in listed)),
        _bare_words(" ".join(written)),
    )


def _bare_words(text: str) -> list[str]:
    return [w for w in (w.strip(_EDGE_PUNCTUATION) for w in fold(text).split()) if w]


def _same_words_joined(listed: list[str], written: list[str]) -> bool:
    """The same words, but for joiners ("og", "eller") that only the written side has."""
    i = j = 0
    while i < len(listed) and j < len(written):
        if listed[i] == written[j]:
            i, j = i + 1, j + 1
        elif written[j] in _JOINERS:
            j += 1
        else:
            return False
    return i == len(listed) and all(w in _JOINERS for w in written[j:])


#: the labels of a letter's filing details: references, case, document and archive numbers
#: ("Vår ref.", nynorsk "Dykkar ref.", "Saksnr.", "Arkivkode", "Dokumentnr.", "Journalpostnr.")
_FILING_LABEL = (
    r"(?:vår|deres|dykkar|dere|dykk) ref(?:eranse)?\.?|ref(?:eranse)?\.?(?: ?nr\.?)?"
    r"|saks ?nr\.?|saksnummer|arkiv ?kode|arkiv ?nr\.?|arkivnummer|dok(?:ument)? ?nr\.?"
    r"|dokumentnummer|journalpost ?nr\.?|journalpostnummer|løpe ?nr\.?|løpenummer"
)
#: a reference: a few marks with a digit ("2024/18842-4", "24/18842", "G10", "08/1234-12 GMA")
_REFERENCE = r"(?=[^\n]{0,40}\d)[\w./&-]{1,24}(?: [\w./&-]{1,12}){0,2}"
_FILING_LINE = re.compile(rf"({_FILING_LABEL})\s*:?\s*({_REFERENCE})", re.I)
_FILING_ALONE = re.compile(rf"(?:{_FILING_LABEL})\s*:?", re.I)
_FILING_VALUE = re.compile(_REFERENCE)


def _filing_only(before: str, after: str) -> bool:
    """Whether the versions differ only in a letter's filing details (blind round 74): the
    number after "Vår ref." (a new document in the same case: "2024/18842-3" as "-4"), the
    archive code, the case number, on the label's line or the next. A letter re-filed says
    the same; its date, its deadline ("Svarfrist"), its recipients and its text are read as
    ever."""
    if before.count("\n") != after.count("\n") or not _filing_near(
        before, _common_prefix(before, after)
    ):
        return False
    lines_a, lines_b = before.split("\n"), after.split("\n")
    differing = [i for i, (a, b) in enumerate(zip(lines_a, lines_b, strict=True)) if a != b]
    if not differing or len(differing) > 4:
        return False
    for i in differing:
        a, b = lines_a[i], lines_b[i]
        one_line_a, one_line_b = _FILING_LINE.fullmatch(a), _FILING_LINE.fullmatch(b)
        if one_line_a and one_line_b:
            if one_line_a.group(1).lower() != one_line_b.group(1).lower():
                return False
            continue
        if not (
            i
            and _FILING_ALONE.fullmatch(lines_a[i - 1])
            and _FILING_VALUE.fullmatch(a)
            and _FILING_VALUE.fullmatch(b)
        ):
            return False
    return True


def _label_colons_only(before: str, after: str) -> bool:
    """Whether the versions differ only in colons after labels that stand on lines of their
    own ("Hjemmel" as "Hjemmel:", a definition list set as a table, blind round 78): the
    same lines, each differing one the other's with a colon at its end."""
    grown = len(after) - len(before)  # a colon a differing line, more or fewer
    if not grown or abs(grown) > _MAX_TOGETHER or (":" not in before and ":" not in after):
        return False
    if before.count("\n") != after.count("\n"):
        return False
    differ = False
    for a, b in zip(before.split("\n"), after.split("\n"), strict=True):
        if a != b:
            if a.rstrip().removesuffix(":").rstrip() != b.rstrip().removesuffix(":").rstrip():
                return False
            differ = True
    return differ


def _filing_near(text: str, at: int) -> bool:
    """Whether the first difference (at ``at``) stands in a filing line of ``text``: on a
    label's line ("Vår ref.: 2024/18842-3") or the line after a label alone ("Vår ref."). Read
    from the two lines there, so a section without a letter head costs a prefix's compare."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start : end if end != -1 else len(text)]
    if _FILING_LINE.fullmatch(line):
        return True
    if not start:
        return False
    label = text[text.rfind("\n", 0, start - 1) + 1 : start - 1]
    return _FILING_ALONE.fullmatch(label) is not None


#: an abbreviation of a name ("MSIS", "SYSVAK", "COVID-19"), or a word it begins ("IGRA-test",
#: "MMR-vaksine", blind round 141)
_ABBREVIATION = re.compile(r"[A-ZÆØÅ][A-ZÆØÅ0-9-]{1,11}(?:-[a-zæøå]{2,30})?")
#: how many words a name written out before its abbreviation has at most
_NAME_WORDS = 10


def _abbreviated_only(before: str, after: str) -> bool:
    """Whether the one difference is a name written out beside its abbreviation in one
    version and the abbreviation alone in the other (blind round 70: "Kilde: Meldingssystem
    for smittsomme sykdommer (MSIS), Folkehelseinstituttet" as "Kilde: MSIS,
    Folkehelseinstituttet"), either way and in either order ("MSIS (Meldingssystem for
    smittsomme sykdommer)"). The abbreviation is the same; another abbreviation, another
    name beside it or a second edit is a change."""
    if "(" not in before and "(" not in after:
        return False
    words_a, words_b = before.split(" "), after.split(" ")
    mid_a, mid_b = _middles(words_a, words_b)
    if not (mid_a and mid_b):
        # the explanation after a word the abbreviation begins, the same in both ("IGRA-test"
        # as "IGRA-test (Interferon gamma release assay)", blind round 141): with the word
        mid_a, mid_b = _middles(words_a, words_b, back=1)
    long, short = (mid_a, mid_b) if len(mid_a) > len(mid_b) else (mid_b, mid_a)
    if len(short) != 1 or not 2 <= len(long) <= _NAME_WORDS + 1 or "\n" in " ".join(long):
        return False
    abbreviation = short[0].rstrip(_EDGE_PUNCTUATION)
    stop = short[0][len(abbreviation) :]
    if not _ABBREVIATION.fullmatch(abbreviation):
        return False
    last = long[-1]
    if not last.endswith(f"){stop}"):
        return False
    # "<name> (MSIS)," or "MSIS (<name>),"
    if last == f"({abbreviation}){stop}":
        return not any(w.startswith("(") or ")" in w for w in long[:-1])
    return (
        long[0] == abbreviation
        and long[1].startswith("(")
        and len(long[1]) > 1
        and not any(
            "(" in w or ")" in w for w in [long[1][1:], *long[2:-1], last[: -1 - len(stop)]]
        )
    )


#: "one" with its stress mark ("én meter", "Én ansvarleg", nynorsk "éin", "éi", "éitt")
_STRESSED_ONE = re.compile(r"(?<!\w)(?:én|éi|éin|éitt|étt|Én|Éi|Éin|Éitt|Étt)(?!\w)")


def _stressed_only(before: str, after: str) -> bool:
    """Whether the one difference is "one" written with or without its stress mark ("minst én
    meters avstand" / "minst en meters avstand", blind round 163): the same numeral. Where
    "en" was a number written out ("1 meter"), the number is told as ever."""
    if "é" not in before and "é" not in after and "É" not in before and "É" not in after:
        return False
    return _unstressed(before) == _unstressed(after)


def _unstressed(text: str) -> str:
    return _STRESSED_ONE.sub(lambda m: m.group(0).replace("é", "e").replace("É", "E"), text)


def _rows_resorted(before: Section, after: Section) -> bool:
    """Whether two versions of a section differ only in the order of the rows of the tables
    the new version says may come in any order (``Section.tables``) and in typography: the
    same lines around those tables, and each table the same multiset of rows. The old
    version's rows are read where the new version's stand (the same lines around them say
    they stand there: a table of as many rows of as many cells). The columns may come in
    another order too, when the header row above the rows (each header once) names them:
    the old version's cells are read under the new version's headers."""
    lines_a = [fold(line) for line in before.text.split("\n")]
    lines_b = [fold(line) for line in after.text.split("\n")]
    if len(lines_a) != len(lines_b):
        return False
    for start, width, rows in after.tables:
        end = start + width * rows
        if end > len(lines_b):
            return False
        _columns_as(lines_a, lines_b, start - width, end, width)
        for lines in (lines_a, lines_b):
            cut = sorted(tuple(lines[at : at + width]) for at in range(start, end, width))
            lines[start:end] = [line for row in cut for line in row]
    for start, counts in after.ragged:
        if not _ragged_sorted(lines_a, lines_b, start, counts):
            return False
    # the lists of either sorted as ``Section.canonical`` sorts them
    a, b = Section((), "\n".join(lines_a)), Section((), "\n".join(lines_b))
    return a.canonical == b.canonical


def _ragged_sorted(
    lines_a: list[str], lines_b: list[str], start: int, counts: tuple[int, ...]
) -> bool:
    """A sortable table with empty cells (``Section.ragged``) sorted in both versions' lines
    (in place): the new version's rows cut by their counts, the old version's where a line
    is one of the new rows' first cells (they stand nowhere else in the table). False when
    the old version's lines there do not start with a row."""
    end = start + sum(counts)
    if end > len(lines_b):
        return False
    rows_b, at = [], start
    for count in counts:
        rows_b.append(tuple(lines_b[at : at + count]))
        at += count
    firsts = {row[0] for row in rows_b}
    rows_a: list[list[str]] = []
    for line in lines_a[start:end]:
        if line in firsts:
            rows_a.append([line])
        elif rows_a:
            rows_a[-1].append(line)
        else:
            return False
    lines_a[start:end] = [line for row in sorted(map(tuple, rows_a)) for line in row]
    lines_b[start:end] = [line for row in sorted(rows_b) for line in row]
    return True


def _columns_as(lines_a: list[str], lines_b: list[str], head: int, end: int, width: int) -> None:
    """The rows of a table in ``lines_a`` (its header row at ``head``, its last row ending at
    ``end``) with their cells put in the order of the header row that stands there in
    ``lines_b`` (in place), when the two header rows hold the same headers, each once, in
    another order; else nothing."""
    if head < 0:
        return
    header_a, header_b = lines_a[head : head + width], lines_b[head : head + width]
    if header_a == header_b or len(set(header_b)) != width or sorted(header_a) != sorted(header_b):
        return
    order = [header_a.index(h) for h in header_b]
    for at in range(head, end, width):
        row = lines_a[at : at + width]
        lines_a[at : at + width] = [row[i] for i in order]


def _typography_only(before: Section, after: Section) -> bool:
    """Whether two versions of a section have the same key (``Section.key``), found cheaply
    where it can be (comparing the keys costs ~0.15 ms for a section of 3 KB, and most
    changes keep or change the length by a few characters): folding keeps a text's length,
    but for the spaces that group digits, so two texts of one length say the same when they
    are alike character for character (``fold_marks``), and differ unless a digit group, a
    time of day ("kl. 15:10") or a decimal point ("0.5") tells otherwise. (A list shuffled
    and set in other typography at once is reported: only the keys, which sort the list
    items, see it as the same.)"""
    a, b = before.text, after.text
    if len(a) == len(b):
        # alike character for character where they differ: between their common head and
        # tail (found in C), which are alike folded too
        start = _common_prefix(a, b)
        end = len(a) - _common_suffix(a, b, start)
        if fold_marks(a[start:end]) == fold_marks(b[start:end]):
            return True
        # a digit group, a time of day or a decimal point folds a few characters around it:
        # none near where they differ, and the texts differ
        low, high = max(0, start - _FOLD_REACH), end + _FOLD_REACH
        near_a, near_b = a[low:high], b[low:high]
        near = f"{near_a} {near_b}"
        if not (_digit_spaced(near_a) or _digit_spaced(near_b) or ":" in near) and (
            "." not in near or not _DECIMAL.search(near)
        ):
            return False
    elif not (_digit_spaced(a) or _digit_spaced(b) or _spacing_near_difference(a, b)):
        return False
    return before.key == after.key


#: what folding may lengthen or shorten where two texts differ: an ellipsis ("…", "..."), a
#: dash (its spaces between two numbers: "5 – 7", "5–7") and a section sign (the space
#: before its number: "§3", "§ 3"), as ``fold`` folds them
_LENGTH_FOLDS = ("\u2026", "...", "-", "\u2013", "\u2014", "\u2212", "§")


def _spacing_near_difference(a: str, b: str) -> bool:
    """Whether two texts of different lengths differ where an ellipsis or a dash stands (or
    starts within a few characters): then only their keys tell whether they say the same."""
    start = _common_prefix(a, b)
    tail = _common_suffix(a, b, start)
    low = max(0, start - 3)
    near = f"{a[low : len(a) - tail + 3]} {b[low : len(b) - tail + 3]}"
    return any(mark in near for mark in _LENGTH_FOLDS)


#: how far from a difference a digit group ("1 245") or a time of day ("kl. 15:10") that folds
#: it away may start
_FOLD_REACH = 16


def _digit_spaced(text: str) -> bool:
    return any(spaced in text for spaced in _DIGITS_SPACED)


#: a decimal point or comma between digits ("0.5", "0,5")
_DECIMAL = re.compile(r"\d[.,]\d")

#: a digit and the space after it: where a digit group may start
_DIGITS_SPACED = tuple(f"{digit} " for digit in "0123456789")


#: the number of a numbered heading ("Kapittel 3", "2.1", "§ 5.", Lovdata's "§ 2-1"), with a
#: paragraph's letter suffix (a paragraph inserted between two, renumbered as any other): "4 a."
#: anywhere, "§ 4 a" and "§ 4a" after a § too ("2 i praksis" keeps its word)
_NUMBER = re.compile(
    r"^\s*(?:(§)|kapittel|kap\.|del)?\s*"
    r"(\d+(?:[.-]\d+)*(?: ?(?-i:[a-z])(?(1)(?=[.\s])|(?=\.)))?)\.?\s+",
    re.I,
)


def _relocated(
    old_key: tuple[str, ...],
    before: Section,
    key: tuple[str, ...],
    after: Section,
    standing: _Standing | None = None,
) -> list[SectionChange]:
    old_head, new_head = (old_key or ("",))[-1], (key or ("",))[-1]
    if _archived(old_key) != _archived(key) and _ADVICE.search(after.text):
        # advice moved into a chapter of what no longer applies ("Historikk", "Tidlegare
        # råd"), or back out of it (blind round 264: the advice to keep unvaccinated children
        # at home, word for word, moved under "Historikk"): it lapsed, or applies again. A
        # report filed in the archive (last season's summary, blind round 72) is filing
        return [
            _section_change("removed", old_key, before, None),
            _section_change("added", key, None, after),
        ]
    if (
        fold(old_head).rstrip(" :") == fold(new_head).rstrip(" :")
        or _hyphens_only(old_head, new_head)
        or variant_spelling(old_head, new_head)
        or _decorated_only(old_head, new_head)
        or _names_swapped(old_head, new_head)
        or _colon_as_dash(old_head, new_head)
    ):
        # the same section under another parent (structure, not content), or its heading
        # only set in other typography ("Covid-19" -> "COVID-19", a trailing colon), spelt
        # in another accepted form ("skulen" -> "skolen") or decorated with an emoji ("⚠️ Viktig")
        if standing is not None and standing.between_actors(old_key, key):
            # ... but moved from one heading to another that both stand before and after (a
            # duty moved from "Kommunen" to "Statsforvalteren", blind round 322): what it says
            # now concerns another
            a = f"{' › '.join(old_key[1:])}\n{before.text}"
            b = f"{' › '.join(key[1:])}\n{after.text}"
            return [SectionChange("moved", key, a, b, word_diff(a, b), before.digest, after.digest)]
        return []
    (number_old, bare_old), (number_new, bare_new) = _numbered(old_head), _numbered(new_head)
    if bare_old == bare_new and (number_old == number_new or not (number_old and number_new)):
        # its number dropped, added or set in another style ("3. Smitteoppsporing" ->
        # "Smitteoppsporing", "2. Varsling" -> "Kapittel 2: Varsling"), its text the same
        # (blind rounds 26 and 44): the same chapter where it was
        return []
    kind = "moved" if bare_old == bare_new else "changed"
    a = f"{old_head}\n{before.text}"
    b = f"{new_head}\n{after.text}"
    return [SectionChange(kind, key, a, b, word_diff(a, b), before.digest, after.digest)]


class _Standing:
    """The heading paths of two versions of a page, made when first asked for (once a diff)."""

    def __init__(
        self, old: Mapping[tuple[str, ...], Section], new: Mapping[tuple[str, ...], Section]
    ) -> None:
        self.old, self.new = old, new
        self._heads: tuple[set[tuple[str, ...]], set[tuple[str, ...]]] | None = None

    def between_actors(self, old_key: tuple[str, ...], key: tuple[str, ...]) -> bool:
        """Whether a section left the heading of one actor for another's ("Kommunen" ->
        "Statsforvalteren", ``_ACTOR``), each of which stands on the page before and after:
        who must do what changed. A section moved between chapters of topics ("Testing" ->
        "Isolering og karantene", "Utredning" -> "Oppfølging", an FAQ's groups) is filing
        (blind rounds 53, 80, 100), and so is a parent renamed, split or merged."""
        was, now = old_key[:-1], key[:-1]
        if len(was) < 2 or len(now) < 2 or fold(" ".join(was)) == fold(" ".join(now)):
            return False
        if not (
            _ACTOR.match(fold(was[-1]).rstrip(" :")) and _ACTOR.match(fold(now[-1]).rstrip(" :"))
        ):
            return False
        if self._heads is None:
            self._heads = (_heads_of(self.old), _heads_of(self.new))
        return all(was in heads and now in heads for heads in self._heads)


#: a heading that names who acts, alone or as its duties ("Kommunen", "Statsforvaltaren",
#: "Kommunens ansvar", "Fastlegen sine oppgåver"; ``_Standing.between_actors``), folded
_ACTOR = re.compile(
    r"^(?:kommunen|kommunene|kommunane|fylkeskommunen|statsforvalteren|statsforvaltaren"
    r"|helsedirektoratet|folkehelseinstituttet|fhi|helseforetaket|helseføretaket"
    r"|helseforetakene|helseføretaka|sykehuset|sjukehuset|departementet|regjeringen|regjeringa"
    r"|fastlegen|fastlegene|fastlegane|kommuneoverlegen|kommunelegen|smittevernlegen"
    r"|legevakten|legevakta|arbeidsgiveren|arbeidsgjevaren|arbeidsgiver|arbeidsgjevar"
    r"|virksomheten|verksemda|ledelsen|leiinga|helsepersonellet|helsepersonell|sykehjemmet"
    r"|sjukeheimen|hjemmetjenesten|heimetenesta|helsestasjonen|skolen|skulen|barnehagen"
    r"|apoteket|legemiddelverket|mattilsynet|politiet|amk-sentralen|amk|pasienten|brukeren"
    r"|brukaren|pårørende|pårørande|den enkelte|den einskilde)"
    r"(?:s|ens)?(?: sitt| sine| si)?(?: (?:ansvar|oppgaver|oppgåver|rolle|roller|plikter))?$"
)


def _heads_of(page: Mapping[tuple[str, ...], Section]) -> set[tuple[str, ...]]:
    """Every heading path of a page: its sections' and their parents'."""
    return {path[:n] for path in page for n in range(1, len(path) + 1)}


def _names_swapped(a: str, b: str) -> bool:
    """Whether two headings give the same name and its other name in the other order
    ("Brennkopper (impetigo)" -> "Impetigo (brennkopper)", blind round 271): the same words,
    one of them in brackets."""
    if "(" not in a or "(" not in b:
        return False
    words_a, words_b = _WORDS_OF.findall(fold(a)), _WORDS_OF.findall(fold(b))
    return words_a != words_b and sorted(words_a) == sorted(words_b)


_WORDS_OF = re.compile(r"[^\W_]+")


#: the heading of a chapter of what no longer applies: a page's history or archive, earlier
#: or lapsed advice (``_relocated``)
_ARCHIVE_HEADING = re.compile(
    r"^(?:historikk|arkiv|arkivet|tidligere (?:råd|anbefalinger|tiltak|versjoner)"
    r"|tidlegare (?:råd|tilrådingar|tiltak|versjonar)|utgåtte? (?:råd|anbefalinger|tilrådingar)"
    r"|ikke lenger gjeldende(?: råd)?|ikkje lenger gjeldande(?: råd)?"
    r"|historiske (?:råd|anbefalinger|tilrådingar))$"
)


#: the words of advice or a rule ("bør", "skal", "må", "anbefaler", "tilrår"): what lapses
#: when it is filed under history (``_relocated``)
_ADVICE = re.compile(
    r"\b(?:bør|skal|må|anbefal\w*|tilrå\w*|rådes|rådast|påbod\w*|påbud\w*|forbod\w*"
    r"|forbud\w*)\b",
    re.I,
)


def _archived(path: tuple[str, ...]) -> bool:
    """Whether a section stands under a chapter of what no longer applies."""
    return any(_ARCHIVE_HEADING.match(fold(h).rstrip(" :")) for h in path[:-1])


#: a chapter's number written "Kapittel 2:" or "Kap. 2 –": as "2. " for ``_NUMBER``
_CHAPTER_STYLE = re.compile(
    # ... or a group's, a step's or a phase's ("Gruppe 1: Personar over 75 år" -> "1. Personar
    # over 75 år", blind round 114)
    r"^\s*(?:kapittel|kap\.|gruppe|del|punkt|trinn|steg|fase)\s*(\d+(?:\.\d+)*)\s*[:.–-]\s+",
    re.I,
)


def _numbered(heading: str) -> tuple[str | None, str]:
    """A heading's number (``_NUMBER``, None: not numbered) and its words without it."""
    heading = _CHAPTER_STYLE.sub(r"\1. ", heading)
    found = _NUMBER.match(heading)
    return (found.group(2), heading[found.end() :]) if found else (None, heading)


def subtrees_as_one(changes: Sequence[SectionChange]) -> list[SectionChange]:
    """``changes`` with a section added together with the sections under it (a new
    recommendation with its panels "Praktisk", "Begrunnelse", "Referanser") told as one
    change: the sections under it are told in its text, each after its heading, in order.
    The same for a section removed with its subsections. A subsection added or removed
    under a section that stays is a change of its own. Linear: each text is joined once."""
    out: list[SectionChange] = []
    tops: dict[str, dict[tuple[str, ...], int]] = {"added": {}, "removed": {}}
    parts: dict[int, list[str]] = {}
    for c in changes:
        found = tops.get(c.kind)
        if found is None:
            out.append(c)
            continue
        top = next((found[c.path[:n]] for n in range(1, len(c.path)) if c.path[:n] in found), None)
        if top is None:
            found[c.path] = len(out)
            out.append(c)
            continue
        text = c.after if c.kind == "added" else c.before
        parent = out[top]
        own = parent.after if parent.kind == "added" else parent.before
        parts.setdefault(top, [own] if own else []).extend(t for t in (c.path[-1], text) if t)
    for top, texts in parts.items():
        joined = "\n".join(texts)
        parent = out[top]
        if parent.kind == "added":
            out[top] = replace(parent, after=joined, segments=word_diff("", joined))
        else:
            out[top] = replace(parent, before=joined, segments=word_diff(joined, ""))
    return out


def _section_change(
    kind: str, path: tuple[str, ...], before: Section | None, after: Section | None
) -> SectionChange:
    a = before.text if before else ""
    b = after.text if after else ""
    return SectionChange(
        kind=kind,
        path=path,
        before=a,
        after=b,
        segments=word_diff(a, b),
        before_digest=before.digest if before else "",
        after_digest=after.digest if after else "",
    )


def match_items(
    seen: Mapping[str, SeenItem], feed: FeedContent, by_text: bool = False
) -> dict[str, str]:
    """Which remembered item each item of ``feed`` is: item id -> its key in ``seen``. An item
    is known by its identity, else by the identity an older notifier gave it (``legacy_id``:
    a snapshot stored before identities were canonical; ``former_identity``: one stored
    before the slug of a link with an id token was set aside), else, with ``by_text``, as the one
    remembered item no longer in the feed with the same title and text and a date that agrees
    (``same_date``: the item reappeared under another link or GUID, a feed re-keyed, a CMS
    that re-published it; not the next weekly report under the same title and teaser). Items
    without a title or without text are never matched by text (two letters titled alike are
    two letters). An item whose title only labels its link (``FeedItem.anchor``: a change log
    row) is also known under another label (``_match_relabelled``), and an item with a title
    and a date but no text (a listing's link) under another link (``_match_moved``). Items
    missing from the result are new."""
    known: dict[str, str] = {}
    for item in feed.items:
        if item.item_id in seen:
            known[item.item_id] = item.item_id
        elif older := _older_identity(seen, item):
            known[item.item_id] = older
    _match_alike(seen, feed, known)
    _match_relabelled(seen, feed, known)
    _match_moved(seen, feed, known)
    unknown = [i for i in feed.items if i.item_id not in known]
    if not by_text or not unknown:
        return known
    candidates = [i for i in unknown if i.title and i.text]
    if not candidates:
        return known
    candidates = _match_copies(feed, known, candidates)
    # the remembered items that no item of this feed claimed, by digest (oldest first)
    taken = {*known.values(), *(i.item_id for i in feed.items)}
    by_digest: dict[str, list[str]] = {}
    for key, remembered in seen.items():
        if key not in taken:
            by_digest.setdefault(remembered.digest, []).append(key)
    for item in candidates:
        keys = by_digest.get(item.digest) or by_digest.get(item.legacy_digest)
        if not keys:
            continue
        # the newest remembered under that text whose date agrees with the item's, of the
        # newest few (``_TEXT_MATCH_TRIES``)
        date = item.date
        for at in range(len(keys) - 1, max(-1, len(keys) - 1 - _TEXT_MATCH_TRIES), -1):
            if same_date(seen[keys[at]].published, date):
                known[item.item_id] = keys.pop(at)
                break
    return known


def _match_copies(
    feed: FeedContent, known: dict[str, str], candidates: list[FeedItem]
) -> list[FeedItem]:
    """Of ``candidates`` (items not known yet), those that are no copy of a known item of the
    feed; a copy is known as that item (in place on ``known``). A copy has another identity
    (a new GUID) but the link, title and text of an item the feed carries beside it: an editor
    who lifted a story to the top by posting it again (blind round 149: "Kokevarselet for
    Austefjorden er oppheva" twice, one under a new date). The reader was told it once; a
    copy with another link, or a word changed, is an item of its own."""
    originals = {
        (key, i.digest): known[i.item_id]
        for i in feed.items
        if i.item_id in known and (key := link_key(i.link))
    }
    if not originals:
        return candidates
    rest = []
    for item in candidates:
        key = link_key(item.link)
        original = originals.get((key, item.digest)) if key else None
        if original is None:
            rest.append(item)
        else:
            known[item.item_id] = original
    return rest


#: at most this many remembered items of one text are tried for an item, newest first: a feed
#: of thousands of items alike (a hostile or broken source) must not cost a check the square
#: of its length (3,000 such items took 21 s before this bound)
_TEXT_MATCH_TRIES = 64


def _older_identity(seen: Mapping[str, SeenItem], item: FeedItem) -> str:
    """The identity an older notifier gave ``item`` under which ``seen`` remembers it
    (``legacy_id``, ``former_id``, ``former_identity``); '' when it remembers none."""
    if item.legacy_id and item.legacy_id in seen:
        return item.legacy_id
    if item.former_id and item.former_id in seen:
        return item.former_id
    former = former_identity(item.link)
    return former if former and former in seen else ""


def _match_alike(seen: Mapping[str, SeenItem], feed: FeedContent, known: dict[str, str]) -> None:
    """Items of one title and date are told apart by their text (in place on ``known``).

    A change log lists a chapter twice on one day and can only key such rows by their place
    among them (``feeds.read.changelog``): when they swap places, or a new one is put above,
    or one of them goes, each place's text changes although no row was edited. So within a
    group of items with the same title and date, an item takes the remembered item whose text
    it has (one of the group's, else a remembered item of that title and date no longer in the
    feed); the others keep their own remembered item if still free (an edit), else are new.
    Items whose own text is unchanged are never moved, items without a title or text never
    join a group."""
    groups: dict[tuple[str, str], list[FeedItem]] = {}
    for item in feed.items:
        key = known.get(item.item_id)
        if key is not None and seen[key].digest in (item.digest, item.legacy_digest):
            continue  # unchanged: stays where it is
        if item.title and item.text:  # as by text: two letters titled alike are two
            groups.setdefault((item.title, item.date), []).append(item)
    if not groups:
        return
    gone = _Gone(seen, set(known.values()))
    for (title, date), moving in groups.items():
        free = [known[i.item_id] for i in moving if i.item_id in known]
        free += gone.near(title, date)
        if len(free) < 2 and all(known.get(i.item_id) in free for i in moving):
            continue  # one item under its own remembered one: an edit
        placed = _place(seen, moving, free, known)
        for item in moving:
            known.pop(item.item_id, None)
        known.update(placed)
        gone.used.update(placed.values())


def _match_relabelled(
    seen: Mapping[str, SeenItem], feed: FeedContent, known: dict[str, str]
) -> None:
    """Items whose title only labels their link, known under another label (in place on
    ``known``).

    A change log row is keyed by its date, chapter and link (``feeds.read.changelog``): when
    its chapter is renamed, its link staying, it gets a new identity. Such an unknown item
    (one with an ``anchor``) takes a remembered item that no item of the feed is known as, of
    the same date and anchor: the first with its gist too (the row relabelled: no edit,
    ``relabelled_only``; one of the last version before a tombstone), else, when it is the only
    unknown item of its date and anchor and there is exactly one such remembered item of the
    last version, that one (the row relabelled and edited: reported as changed). Rows are
    never keyed by date and link alone: on a page whose rows all link to one address (the
    guide's PDF) that would re-key every row by its place. Remembered items without an anchor
    (stored before anchors were kept, or of another kind) are never taken."""
    unknown = [i for i in feed.items if i.anchor and i.item_id not in known]
    if not unknown:
        return
    # not the keys of this feed's items: one of them may be known as another remembered item
    # (``_match_alike``), its own key free
    alike, placed = _anchored(seen, set(known.values()))
    used: set[str] = set()
    left: dict[tuple[str, str], list[FeedItem]] = {}
    for item in unknown:
        same = alike.get((item.date, item.anchor, item.gist))
        if same:
            known[item.item_id] = same[0]
            used.add(same.popleft())
        else:
            left.setdefault((item.date, item.anchor), []).append(item)
    for place, items in left.items():
        keys = [k for k in placed.get(place, ()) if k not in used]
        if len(items) == 1 and len(keys) == 1:
            known[items[0].item_id] = keys[0]
            used.add(keys[0])


def _match_moved(seen: Mapping[str, SeenItem], feed: FeedContent, known: dict[str, str]) -> None:
    """Items with a title and a date but no text (a listing's links), unknown by their
    identity, known as the remembered item of that title and date that no item of the feed is
    known as (in place on ``known``).

    A listing's item moved to another category changes the category part of its link, and
    with it its identity; its title and date stay. Such an item takes the remembered item
    (no longer in the feed, or long gone: a tombstone keeps its digest, which for an item
    without text is its title's, and its date) of its title and the same date, when each is
    the only one of that title and date: two letters titled alike on one day are two
    letters. Never where a date is unknown (a snapshot stored before listings' dates were
    read, a list that shows none)."""
    unknown = [
        i
        for i in feed.items
        if i.item_id not in known and i.title and not i.text and i.date and not i.anchor
    ]
    if not unknown:
        return
    twins = Counter((i.digest, i.date) for i in unknown)
    taken = {*known.values(), *(i.item_id for i in feed.items)}
    gone: dict[tuple[str, str], list[str]] = {}
    for key, remembered in seen.items():
        said = (remembered.digest, remembered.published)
        if said in twins and key not in taken:
            gone.setdefault(said, []).append(key)
    for item in unknown:
        said = (item.digest, item.date)
        keys = gone.get(said, ())
        if len(keys) == 1 and twins[said] == 1:
            known[item.item_id] = keys[0]


def _anchored(
    seen: Mapping[str, SeenItem], taken: set[str]
) -> tuple[dict[tuple[str, str, str], deque[str]], dict[tuple[str, str], list[str]]]:
    """The remembered items with an anchor, not ``taken``: by date, anchor and gist (those of
    the last version first, then tombstones, each in ``seen``'s order), and those of the last
    version by date and anchor."""
    alike: dict[tuple[str, str, str], deque[str]] = {}
    placed: dict[tuple[str, str], list[str]] = {}
    tombstones: list[tuple[str, SeenItem]] = []
    for key, remembered in seen.items():
        if key in taken or not remembered.anchor:
            continue
        if not remembered.live:
            tombstones.append((key, remembered))
            continue
        placed.setdefault((remembered.published, remembered.anchor), []).append(key)
        alike.setdefault(_said(remembered), deque()).append(key)
    for key, remembered in tombstones:
        alike.setdefault(_said(remembered), deque()).append(key)
    return alike, placed


def _said(remembered: SeenItem) -> tuple[str, str, str]:
    return remembered.published, remembered.anchor, remembered.gist


class _Gone:
    """The remembered items no item of the feed is known as (``claimed``), found by title and
    date: ``near`` gives those of a title whose date agrees with a date (``same_date``), in
    ``seen``'s order. Indexed by the hour of their date, so a feed of thousands of items of
    one title costs thousands of steps, not their square."""

    def __init__(self, seen: Mapping[str, SeenItem], claimed: set[str]) -> None:
        self.seen = seen
        self.order: dict[str, int] = {}
        #: title -> the hour of the date (None: no date that can be read) -> keys
        self.hours: dict[str, dict[datetime | None, list[str]]] = {}
        self.used: set[str] = set()  # placed since
        for at, (key, remembered) in enumerate(seen.items()):
            if key not in claimed and remembered.title:
                self.order[key] = at
                hour = _hour(remembered.published)
                self.hours.setdefault(remembered.title, {}).setdefault(hour, []).append(key)

    def near(self, title: str, date: str) -> list[str]:
        hours = self.hours.get(title)
        if not hours:
            return []
        hour = _hour(date)
        if hour is None:  # no date: every date agrees
            keys = [k for bucket in hours.values() for k in bucket]
        else:
            around = (
                hour + timedelta(hours=h) for h in range(-SAME_ITEM_HOURS, SAME_ITEM_HOURS + 1)
            )
            keys = [k for h in (None, *around) for k in hours.get(h, ())]
        found = [k for k in keys if k not in self.used and same_date(self.seen[k].published, date)]
        return sorted(found, key=self.order.__getitem__)


def _hour(date: str) -> datetime | None:
    when = _when(date) if date else None
    return None if when is None else when.replace(minute=0, second=0, microsecond=0)


def _place(
    seen: Mapping[str, SeenItem], moving: list[FeedItem], free: list[str], known: dict[str, str]
) -> dict[str, str]:
    """``_match_alike`` for one group: by text first (the first free remembered item with
    the item's text), then each to its own if still free. Indexed by text, so a group of
    thousands costs thousands of steps, not their square."""
    by_digest: dict[str, deque[str]] = {}
    for key in free:
        by_digest.setdefault(seen[key].digest, deque()).append(key)
    position = {key: at for at, key in reversed(list(enumerate(free)))}
    left = set(free)

    def first_with(digest: str) -> str | None:
        keys = by_digest.get(digest)
        while keys and keys[0] not in left:
            keys.popleft()
        return keys[0] if keys else None

    placed: dict[str, str] = {}
    for item in moving:
        found = [k for d in (item.digest, item.legacy_digest) if (k := first_with(d))]
        if found:
            match = min(found, key=position.__getitem__)
            placed[item.item_id] = match
            left.discard(match)
    for item in moving:
        own = known.get(item.item_id)
        if item.item_id not in placed and own is not None and own in left:
            placed[item.item_id] = own
            left.discard(own)
    return placed


#: how far apart the dates of one item may lie under two identities: a feed re-keyed or an
#: item re-published keeps its date, or moves it by a time zone at most; the same title and
#: text a day or a week later is the next daily or weekly report
SAME_ITEM_HOURS = 12


def same_date(remembered: str, date: str) -> bool:
    """Whether two dates (``FeedItem.date``) can be one item's: either unknown (a snapshot
    stored before dates were kept, an item without one), or at most ``SAME_ITEM_HOURS``
    apart."""
    if not remembered or not date or remembered == date:
        return True
    before, after = _when(remembered), _when(date)
    if before is None or after is None:
        return True
    return abs(after - before) <= timedelta(hours=SAME_ITEM_HOURS)


@functools.lru_cache(maxsize=4096)
def _when(date: str) -> datetime | None:
    """A stored date (``FeedItem.date``) read back; None when it cannot be."""
    try:
        when = datetime.fromisoformat(date)
    except ValueError:
        return None
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo is not None else when


def diff_feed(
    seen: Mapping[str, SeenItem], feed: FeedContent, known: Mapping[str, str] | None = None
) -> list[ItemChange]:
    """New and edited items; an item seen before (even long gone) is never new again, nor
    is an older item a list shows more of (``backfill``). ``known`` says which remembered
    item each item is (``match_items``; by default by its identity). An item is edited when
    its title, summary or content changed; a remembered digest of title and summary alone
    (stored before contents were compared) that still matches is no edit, nor is an item
    that differs from what was remembered of it only in where its teaser was cut, in
    typography or in the label of its link (``quiet_reason``)."""
    if known is None:
        known = match_items(seen, feed)
    older = backfill(seen, feed, known)
    changes: list[ItemChange] = []
    for item in feed.items:
        key = known.get(item.item_id)
        if key is None:
            if item.item_id not in older:
                changes.append(ItemChange("new", item))
            continue
        previous = seen[key]
        if previous.withdrawn == GONE_TOLD:
            # its withdrawal was told: its return is news (once: it is current again)
            changes.append(ItemChange("new", item, returned=True))
            continue
        refiled = new_enclosures(previous, item)
        if (
            not refiled
            and not new_teaser(previous, item)
            and (
                previous.digest in (item.digest, item.legacy_digest) or quiet_reason(previous, item)
            )
        ):
            continue
        before_files = enclosures_line(previous.enclosures or ()) if refiled else ""
        after_files = enclosures_line(item.enclosures) if refiled else ""
        before_teaser, after_teaser = teaser_lines(previous, item)
        changes.append(
            ItemChange(
                "changed",
                item,
                before_title=previous.title,
                before_summary=previous.summary,
                segments=word_diff(
                    f"{previous.title}\n{previous.text}{before_teaser}{before_files}",
                    f"{item.title}\n{item.text}{after_teaser}{after_files}",
                ),
                before_content=previous.content,
                before_files=before_files,
                after_files=after_files,
                before_teaser=before_teaser,
                after_teaser=after_teaser,
            )
        )
    return changes


#: more items than this gone from between items that stay, at once, is the feed's selection
#: changing (a filter, a category, another sort), not withdrawals, and none is told
WITHDRAWN_MAX = 2


def withdrawn(
    seen: Mapping[str, SeenItem],
    feed: FeedContent,
    known: Mapping[str, str],
    fresher: bool = False,
) -> list[str]:
    """The remembered items (keys of ``seen``) withdrawn from the feed: in its last version,
    gone now, and not fallen out of its window. A feed is a window over its newest items, so
    an item that leaves it is news only where items that stay are on both sides of it: after
    it and before it in the last version's order, and, where the dates are known, one that
    stays is older than it (a window drops the oldest; an unpinned old item at the top that
    falls out is not withdrawn). Beyond the items that stay, an item is withdrawn only when
    the feed is ``fresher`` (built after the last version: no older copy of it, which lacks
    its newest items too) or says it was built at or after the item's own date (blind round
    286: a copy from before the item cannot have been built after it), and the item is dated
    later than every item that stays (a window never drops its newest; blind round 242). An
    item of the last version is one remembered with its texts, in the order it was stored
    (``SeenItem``: tombstones keep none). Not told when an item of the feed not known before
    has its title (re-published under a new link, edited: told as new), nor for a copy of an
    item that stays (the same title and text), nor when more than ``WITHDRAWN_MAX`` went at
    once."""
    last = [key for key, item in seen.items() if item.live]
    stays = set(known.values())
    places = [n for n, key in enumerate(last) if key in stays]
    if len(places) < 2:
        return []
    first, final = places[0], places[-1]
    dates = [w for key in last if key in stays and (w := _when(seen[key].published))]
    oldest = min(dates) if dates else None
    newest = max(dates) if dates else None
    unknown_titles = {fold(i.title) for i in feed.items if i.item_id not in known and i.title}
    # the items that stay, by what they say: a copy of one of them (the same title and text
    # under another GUID) taken out is a duplicate cleaned away, not a withdrawal (blind
    # round 263)
    twins = {(fold(seen[k].title), fold(seen[k].summary)) for k in last if k in stays}
    # the feed's own time: a copy built after an item was published and without it is no
    # copy from before the item (blind round 286: the same build time as the last version)
    built = _when(feed.updated) if feed.updated else None
    gone: list[str] = []
    for n, key in enumerate(last):
        inside = first < n < final
        if not (inside or fresher or built is not None) or key in stays:
            continue
        item = seen[key]
        if item.title and fold(item.title) in unknown_titles:
            continue
        if item.title and (fold(item.title), fold(item.summary)) in twins:
            continue
        when = _when(item.published) if item.published else None
        if not inside:
            if when is None or newest is None or when <= newest:
                continue
            if not fresher and (built is None or built < when):
                continue  # built before the item was published: perhaps an older copy
        elif when is not None and oldest is not None and when <= oldest:
            continue
        gone.append(key)
    return gone if len(gone) <= WITHDRAWN_MAX else []


#: an item re-published in a withdrawn one's place shares at least this share of its words
_REPUBLISHED_WORDS = 0.5


def republished(
    seen: Mapping[str, SeenItem], feed: FeedContent, known: Mapping[str, str], gone: Sequence[str]
) -> dict[str, str]:
    """The items of ``feed`` not known before that are withdrawn ones (``gone``, keys of
    ``seen``) re-published in their place under a new link, edited (blind round 191: a
    notice's date corrected in its title, its link written anew from the title): item id ->
    the remembered key. One stands where the withdrawn one stood (between the same items
    that stay), has its date (``same_date``) and shares at least half of its words. Such an
    item is the withdrawn one edited, told as changed, not as withdrawn and new."""
    if not gone:
        return {}
    last = [key for key, item in seen.items() if item.live]
    place = {key: n for n, key in enumerate(last)}
    stays = set(known.values())
    # where each withdrawn item stood: the items that stay on either side of it
    slots: dict[tuple[str | None, str | None], list[str]] = {}
    for key in gone:
        w = place[key]
        left = next((k for k in reversed(last[:w]) if k in stays), None)
        right = next((k for k in last[w + 1 :] if k in stays), None)
        slots.setdefault((left, right), []).append(key)
    # for each item of the feed, the known items either side of it (two passes: linear)
    items = feed.items
    before: list[str | None] = []
    seen_known: str | None = None
    for item in items:
        before.append(seen_known)
        if item.item_id in known:
            seen_known = known[item.item_id]
    after: list[str | None] = [None] * len(items)
    seen_known = None
    for n in range(len(items) - 1, -1, -1):
        after[n] = seen_known
        if items[n].item_id in known:
            seen_known = known[items[n].item_id]
    pairs: dict[str, str] = {}
    for n, item in enumerate(items):
        if item.item_id in known or not (item.title or item.text):
            continue
        for key in slots.get((before[n], after[n]), ()):
            old = seen[key]
            if (
                key not in pairs.values()
                and same_date(old.published, item.date)
                and _shared_words(f"{old.title} {old.text}", f"{item.title} {item.text}")
            ):
                pairs[item.item_id] = key
                break
    return pairs


def _shared_words(a: str, b: str) -> bool:
    """Whether two texts share at least ``_REPUBLISHED_WORDS`` of the words of the shorter."""
    words_a, words_b = set(fold(a).split()), set(fold(b).split())
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) >= _REPUBLISHED_WORDS * min(len(words_a), len(words_b))


def new_enclosures(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item encloses other files than what was remembered of it (their names,
    ``FeedItem.enclosures``: a letter re-issued as "...-revidert.pdf"). Only where the item
    was remembered with its enclosures (``SeenItem.enclosures``): an item stored before they
    were, or a tombstone, is not compared, so an upgrade reports no item as edited."""
    return previous.enclosures is not None and previous.enclosures != item.enclosures


def new_teaser(previous: SeenItem, item: FeedItem) -> bool:
    """Whether a listing's item shows another teaser than was remembered of it
    (``FeedItem.teaser``): not the same once its notation, typography or the length it is
    cut at are set aside (``same_teaser``). Only where both are known
    (``SeenItem.teaser``): an item stored before teasers were read, a tombstone, or an item
    whose teaser is not read now is not compared, so an upgrade reports no item as edited.
    Nor where either is empty: a teaser that appears or goes is the list's layout (intros
    shown or no longer), not an edit of what the item says."""
    return (
        bool(previous.teaser)
        and bool(item.teaser)
        and not same_teaser(previous.teaser or "", item.teaser or "")
    )


def same_teaser(before: str, after: str) -> bool:
    """Whether two teasers of an item say the same: equal, or alike but in typography
    (``fold``), in notation (``same_notation``) or in where they were cut
    (``cut_elsewhere``)."""
    return (
        before == after
        or fold(before) == fold(after)
        or same_notation(before, after)
        or (bool(before) and bool(after) and cut_elsewhere(before, after))
    )


def teaser_lines(previous: SeenItem, item: FeedItem) -> tuple[str, str]:
    """An item's teaser before and now as lines after its text, as a reader is shown them,
    where both are known and either says something; ('', '') otherwise."""
    if previous.teaser is None or item.teaser is None or not (previous.teaser or item.teaser):
        return "", ""
    return f"\n{previous.teaser}", f"\n{item.teaser}"


def enclosures_line(names: Sequence[str]) -> str:
    """An item's enclosures as a line after its text, as a reader is shown them."""
    return f"\nVedlegg: {', '.join(names)}" if names else "\nVedlegg: (ingen)"


#: a list is read as newest first, and its oldest item known, from this many dated items on
_BACKFILL_MIN_KNOWN = 3


def backfill(seen: Mapping[str, SeenItem], feed: FeedContent, known: Mapping[str, str]) -> set[str]:
    """The items of ``feed`` no remembered item is (``known``) that are older items a list
    shows more of (a listing's "Vis flere" pre-loaded, a feed that keeps more items): each
    dated before every remembered item (those that left it too), and below every item of the
    feed that is known, in a feed whose items were dated, newest first, all of them (the last
    version's items each with a date; the known items, at least ``_BACKFILL_MIN_KNOWN``, in
    the order of their dates, newest first). Never new: the list showed them all along, a
    page further down. An item dated before everything seen that a feed puts on top, or among
    its known items, is new (a letter dated back); so is every item of a list without dates,
    or of one stored before its dates were read."""
    unknown = [at for at, i in enumerate(feed.items) if i.item_id not in known]
    if not unknown or len(feed.items) - len(unknown) < _BACKFILL_MIN_KNOWN:
        return set()
    live = [r for r in seen.values() if r.live]
    if not live or not all(r.published for r in live):
        return set()
    dates = [_when(r.published) for r in seen.values() if r.published]
    if any(d is None for d in dates):
        return set()
    oldest = min(d for d in dates if d is not None)
    order = [_when(i.date) if i.date else None for i in feed.items if i.item_id in known]
    if any(d is None for d in order) or any(
        a is not None and b is not None and a < b for a, b in itertools.pairwise(order)
    ):
        return set()
    last_known = max(at for at, i in enumerate(feed.items) if i.item_id in known)
    older = set()
    for at in unknown:
        item = feed.items[at]
        when = _when(item.date) if item.date else None
        if at > last_known and when is not None and when < oldest:
            older.add(item.item_id)
    return older


def quiet_reason(previous: SeenItem, item: FeedItem) -> str:
    """Why an item whose digest differs from what was remembered of it is no edit: "recut"
    (its teaser cut at another length, ``recut_only``), "typography" (``typography_only``),
    "relabelled" (a change log row renamed, ``relabelled_only``); '' when it is an edit."""
    if recut_only(previous, item) or summary_recut(previous, item):
        return "recut"
    if typography_only(previous, item):
        return "typography"
    if relabelled_only(previous, item):
        return "relabelled"
    if notation_only(previous, item):
        return "notation"
    if reread_only(previous, item):
        return "reread"
    if typo_only(previous, item):
        return "typo"
    if spelled_only(previous, item):
        return "spelling"
    return ""


def spelled_only(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item differs from what was remembered of it only in words written in
    another accepted form of nynorsk ("me" / "vi", "søkje" / "søke": ``_spelled_otherwise``,
    as a page's section is read; blind round 262). Never for a tombstone."""
    return _texts_alike(previous, item, lambda a, b: a == b or _spelled_otherwise(a, b))


def _texts_alike(previous: SeenItem, item: FeedItem, alike: Callable[[str, str], bool]) -> bool:
    """Whether an item's title, summary and content are each ``alike`` what was remembered
    of them; never for a tombstone (remembered without its texts)."""
    if not (previous.title or previous.summary):
        return False
    return (
        alike(previous.title, item.title)
        and alike(previous.summary, item.summary)
        and alike(previous.content, item.content)
    )


def typo_only(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item differs from what was remembered of it only in a typo fixed in its
    title, summary or content (``_typo_fixed``), the word as it is now standing elsewhere in
    the item. Never for a tombstone."""
    if not (previous.title or previous.summary):
        return False
    said_before = f"{previous.title}\n{previous.summary}\n{previous.content}"
    said_now = f"{item.title}\n{item.summary}\n{item.content}"
    return _typo_fixed(said_before, said_now)


#: a word a listing's card shows besides its heading and teaser: its date
_CARD_DATE_WORD = re.compile(r"[\d.:/-]+")


def reread_only(previous: SeenItem, item: FeedItem) -> bool:
    """Whether a listing's item was remembered with its whole card as its title and is now
    read as its heading and teaser (a snapshot stored before a link around a whole card was
    read as its heading, blind round 197): the remembered title is the title now, then words
    of its teaser and its date. Never for a tombstone, nor where a teaser was remembered."""
    if not previous.title or previous.teaser or item.teaser is None or not item.title:
        return False
    before, now = fold(previous.title), fold(item.title)
    if before == now or not before.startswith(now + " "):
        return False
    told = set(fold(item.teaser).split())
    return all(w in told or _CARD_DATE_WORD.fullmatch(w) for w in before[len(now) :].split())


def notation_only(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item differs from what was remembered of it only in notation
    (``same_notation``: a file note added to its title). Never for a tombstone."""
    return _texts_alike(previous, item, same_notation)


def typography_only(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item differs from what was remembered of it only in typography (``fold``:
    quotation marks, dashes, letter case, digit grouping, paragraph breaks; a colon between
    two parts as a dash, ``_colon_as_dash``, as a page's text and headings are read). Never
    for an item remembered without its texts (a tombstone)."""
    return _texts_alike(previous, item, lambda a, b: fold(a) == fold(b) or _colon_as_dash(a, b))


def relabelled_only(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item differs from what was remembered of it only in the label of its link:
    the same anchor, date and gist (``FeedItem``): a change log row whose chapter was renamed,
    its link, date, kind and description unchanged, says nothing new. Never for an item
    remembered without an anchor (a snapshot stored before anchors were kept)."""
    return (
        bool(item.anchor)
        and previous.anchor == item.anchor
        and previous.gist == item.gist
        and previous.published == item.date
    )


def recut_only(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item differs from what was remembered of it only in where its summary or
    content was cut: the same title, and each text the same or the same text cut at
    another length (``cut_elsewhere``). A CMS that lengthens every teaser of its feed edits
    no item; a word changed inside the part both versions show is an edit."""
    if not (previous.title or previous.summary) or previous.title != item.title:
        return False
    pairs = ((previous.summary, item.summary), (previous.content, item.content))
    if all(a == b for a, b in pairs):
        return False  # the same texts: no recut (a digest stored another way)
    return all(a == b or cut_elsewhere(a, b) for a, b in pairs)


def summary_recut(previous: SeenItem, item: FeedItem) -> bool:
    """Whether an item's summary was rewritten as a teaser of its unchanged content (blind
    round 310: an Atom entry's summary "Helsedirektoratet og FHI anbefaler nå at gravide
    tilbys vaksine mot kikhoste …, helst fra uke 16 til 27." made "Gravide anbefales vaksine
    mot kikhoste …"): the same title and content, the content whole, and the new summary
    cut (an ellipsis) and shorter, every word of it standing in the title or the content.
    The content says all it said; the summary says nothing it does not."""
    if not previous.content or previous.content != item.content or previous.summary == item.summary:
        return False
    if fold(previous.title) != fold(item.title) or len(item.summary) >= len(previous.summary):
        return False
    stem = CUT_MARK.sub("", item.summary)
    if stem == item.summary or len(stem) < CUT_MIN:
        return False
    told = set(_TEASER_WORDS.findall(fold(f"{item.title} {item.content}")))
    return all(word in told for word in _TEASER_WORDS.findall(fold(stem)))


_TEASER_WORDS = re.compile(r"\w+")


def render_segments_text(segments: Sequence[DiffSegment]) -> str:
    """A diff for plain-text readers: [-removed-] {+added+}."""
    parts = []
    for kind, text in segments:
        parts.append(text if kind == "=" else f"[-{text}-]" if kind == "-" else f"{{+{text}+}}")
    return "".join(parts)


def _spelled_and_noted(a: str, b: str) -> bool:
    """Whether two versions differ only in words written in another accepted form of nynorsk
    and in notation, together (blind round 230: "fram" as "frem" and "to vekers" as "2
    vekers" in one sentence): the same in notation once both are spelled alike."""
    if abs(len(a) - len(b)) > _VARIANT_SPAN:
        return False
    # where they differ, with the word after (a number in words is read with the word it
    # counts): a section's text whole cost ~1 ms a changed page, word by word
    found = _variant_stretch(a, b)
    if found is None:
        return False
    old, new, end_a = found
    after = _NEXT_WORD.match(a, end_a)
    more = after[0] if after else ""
    spelled_a, spelled_b = canonical_spelling(old + more), canonical_spelling(new + more)
    if (spelled_a, spelled_b) == (old + more, new + more):
        return False  # no variant's word: the notation rule's own business
    return spelled_a == spelled_b or same_notation(spelled_a, spelled_b)


#: the word after a stretch, with the space before it (``_spelled_and_noted``)
_NEXT_WORD = re.compile(r"\s*[^\s]+")


def _spelled_otherwise(a: str, b: str) -> bool:
    """Whether two versions of a text differ only in words written in another accepted form
    of nynorsk ("heime" / "heima", "nokre" / "nokon", "skulen" / "skolen": blind round 109,
    as ``variant_spelling`` reads a heading): the words where they differ, their common head
    and tail set aside, each word whole. A synonym ("tilrådd" / "anbefalt") is told."""
    if abs(len(a) - len(b)) > _VARIANT_REACH:
        return False
    found = _variant_stretch(a, b)
    return found is not None and variant_spelling(found[0], found[1])


def _variant_stretch(a: str, b: str) -> tuple[str, str, int] | None:
    """Where two texts differ, widened to whole words and with the (at most six) words
    before (an infinitive is read with the "å" or modal verb before it), and where the
    stretch ends in ``a``; None when it is longer than ``_VARIANT_SPAN`` or holds no
    variant's word on either side (``VARIANT_HINT``: then it is not tokenised, as every
    edit asks; one side is enough, a j-form's "kj" stands on its side only)."""
    start, end_a, end_b = _differing_span(a, b, str.isalnum)
    if end_a - start > _VARIANT_SPAN or end_b - start > _VARIANT_SPAN:
        return None
    before = _words_before(a, start)
    old, new = before + a[start:end_a], before + b[start:end_b]
    if not VARIANT_HINT.search(old) and not VARIANT_HINT.search(new):
        return None
    return old, new, end_a


#: up to six words before a stretch, and the space after them (``_words_before``: three for
#: an infinitive's mark, six for one joined by "og", ``notation._infinitives``)
_WORDS_BEFORE = re.compile(r"(?:[^\W\d_]+\s){1,6}$")


def _words_before(text: str, start: int) -> str:
    """The (at most six) words right before ``start`` in ``text``, with their spaces."""
    found = _WORDS_BEFORE.search(text, max(0, start - 80), start)
    return found[0] if found else ""


def _differing_words(a: str, b: str, in_word: Callable[[str], bool]) -> tuple[str, str]:
    """Where two texts differ, their common head and tail set aside, widened to whole words
    (characters ``in_word`` on either side): the stretch of each."""
    start, end_a, end_b = _differing_span(a, b, in_word)
    return a[start:end_a], b[start:end_b]


def _differing_span(a: str, b: str, in_word: Callable[[str], bool]) -> tuple[int, int, int]:
    """``_differing_words``' stretch as (start, end in ``a``, end in ``b``)."""
    start = _common_prefix(a, b)
    tail = _common_suffix(a, b, start)
    while start > 0 and in_word(a[start - 1]):
        start -= 1
    end_a, end_b = len(a) - tail, len(b) - tail
    while tail > 0 and in_word(a[end_a]):
        end_a, end_b, tail = end_a + 1, end_b + 1, tail - 1
    return start, end_a, end_b


#: a typo's word is at least this long: a short word one letter from another is as often
#: another word ("dose" / "doser", "kan" / "kun")
_TYPO_MIN = 7


#: a fact box's field label is at most this long (``_fields_resorted``), and the most lines
#: looked at
_FIELD_LABEL_MAX = 40
_FIELDS_MAX_LINES = 400


def _fields_resorted(a: str, b: str) -> bool:
    """Whether two versions differ only in the order of a fact box's fields, each a label on
    its line and its value on the next ("Smittemåte" / "Luftsmitte og dråpesmitte", a <dl>
    whose rows a template re-sorted, blind round 217): the lines where they differ, taken two
    by two from the same place, are the same pairs in another order; each pair's first line
    a label (short, without a full stop, each once). A value moved to another label, or a
    paragraph moved, is told."""
    if len(a) != len(b) or a == b:
        return False
    la, lb = a.split("\n"), b.split("\n")
    if len(la) != len(lb) or len(la) > _FIELDS_MAX_LINES or sorted(la) != sorted(lb):
        return False
    # the lines where they differ, or with the common line before them (a pair's label)
    for back in (0, 1):
        ma, mb = _middles(la, lb, back)
        if len(ma) % 2:
            continue
        pairs_a = list(zip(ma[::2], ma[1::2], strict=True))
        pairs_b = list(zip(mb[::2], mb[1::2], strict=True))
        labels = [label for label, _ in pairs_a]
        if (
            len(pairs_a) >= 2
            and Counter(pairs_a) == Counter(pairs_b)
            and len(set(labels)) == len(labels)
            and all(_field_label(label) for label in labels)
        ):
            return True
    return False


def _fields_inline(inline: str, pairs: str) -> bool:
    """Whether a line of labelled fields ("Dato: 16.02.2026 Ansvarleg: Helse- og
    omsorgsdepartementet Dokumentnummer: I-6/2026") and the same fields as a definition list
    (a label, then its value, in any order) say the same (blind round 219: a document's meta
    line made a list). Where the texts differ, one line against label and value lines (the
    line's head may stay on a line of its own); every field once, with its value."""
    la, lb = inline.split("\n"), pairs.split("\n")
    if len(lb) - len(la) < 3 or len(lb) > _FIELDS_MAX_LINES:
        return False
    middle, listed = _middles(la, lb)
    if len(middle) != 1:
        return False
    line = middle[0]
    if len(listed) % 2 == 1:  # the line's head on a line of its own
        if not line.startswith(listed[0]):
            return False
        line, listed = line[len(listed[0]) :], listed[1:]
    fields = dict(zip(listed[::2], listed[1::2], strict=True))
    if len(fields) < 2 or len(fields) * 2 != len(listed) or not all(map(_field_label, fields)):
        return False
    starts = sorted((line.find(f"{label}:"), label) for label in fields)
    if starts[0][0] < 0 or line[: starts[0][0]].strip():
        return False
    for n, (at, label) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(line)
        if line[at + len(label) + 1 : end].strip() != fields[label]:
            return False
    return True


def _field_label(line: str) -> bool:
    """A fact box's label: short, no sentence, no list item, a word first (a rank or a
    number first is a table's ranked row: "1" / "Oslo")."""
    return (
        0 < len(line) <= _FIELD_LABEL_MAX
        and line[0].isalpha()
        and not line.endswith(".")
        and not line.startswith(BULLET)
    )


def _typo_fixed(a: str, b: str) -> bool:
    """Whether two versions differ only in one word's typo fixed (blind rounds 24 and 200:
    "vaksinsajon" as "vaksinasjon", "vaksinasjn" as "vaksinasjon"): two letters that changed
    places, or one letter put in or taken out, in a word of letters of at least
    ``_TYPO_MIN``; the word as it is now stands elsewhere in the text (in it or in a longer
    word: "vaksinasjonen"), and the word as it was stands nowhere else. Without a dictionary
    that is how a fixed typo is told from a new word; a number, a short word and a word the
    text has not used are read as they stand."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    old, new = _differing_words(a, b, str.isalpha)
    if not (old.isalpha() and new.isalpha()) or min(len(old), len(new)) < _TYPO_MIN:
        return False
    if not _one_slip(old.casefold(), new.casefold()):
        return False
    folded_a, folded_b = a.casefold(), b.casefold()
    return folded_b.count(new.casefold()) >= 2 and folded_a.count(old.casefold()) == 1


def _one_slip(old: str, new: str) -> bool:
    """Whether two words differ by two neighbouring letters swapped, or one letter more or
    less."""
    if len(old) == len(new):
        diff = [i for i, (x, y) in enumerate(zip(old, new, strict=True)) if x != y]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and old[diff[0]] == new[diff[1]]
            and old[diff[1]] == new[diff[0]]
        )
    short, long = sorted((old, new), key=len)
    i = _common_prefix(short, long)
    return short[i:] == long[i + 1 :]


#: how much two versions that differ only in spelling may differ in length, and the longest
#: stretch between their first and last difference looked at
_VARIANT_REACH = 8
_VARIANT_SPAN = 2_000


def _pairs_as_items(pairs: str, items: str) -> bool:
    """Whether a definition list read as pairs of lines (a label, then its value: "Tid" /
    "kl. 10.00–12.00") and a list of items that each hold one pair ("• Tid kl. 10.00–12.00",
    "• Tid: kl. 10.00–12.00") say the same (blind round 104: an event's facts in a <dl>, then
    in a <ul>). Every pair one item, in their order, word for word."""
    # counted before split: asked of every changed section, twice (``_either_way``)
    count = items.count("\n") + 1
    if count < 2 or not items.startswith(BULLET) or pairs.count("\n") + 1 != 2 * count:
        return False
    lines, listed = pairs.split("\n"), items.split("\n")
    for n, item in enumerate(listed):
        if not item.startswith(BULLET):
            return False
        label, value = lines[2 * n], lines[2 * n + 1]
        if fold(item[len(BULLET) :]) not in (
            fold(f"{label} {value}"),
            fold(f"{label.rstrip(':')}: {value}"),
        ):
            return False
    return True


#: a table read as records (``_records_as_table``): the most lines looked at, the most
#: columns, and how many of the common first lines may be the table's header
_RECORDS_MAX_LINES = 400
_RECORDS_MAX_COLUMNS = 8
#: a header cell is a label: at most this long
_RECORD_LABEL_MAX = 40


def _record_tokens(text: str) -> list[str]:
    """A text's lines as a table's cells would stand: a list's bullet set aside, and a
    "Label: value" line as its label and its value (a card's field, a list's pair)."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith(BULLET):
            line = line[len(BULLET) :]
        label, colon, value = line.partition(": ")
        if colon and label and value and len(label) <= _RECORD_LABEL_MAX:
            out += (label, value)
        else:
            out.append(line)
    return out


def _records_as_table(table: str, records: str) -> bool:
    """Whether a table (one line a cell, its header row first) and the same rows as records
    say the same (blind rounds 174 and 180): cards or a definition list that give each value
    under its column's header as its label ("Legemiddel" / "Amoksicillin", "Voksne: 500
    mg"), the first value of a record without one (a card headed "Stord", then "Legevakt:
    Stord legevakt"), or, for a table of two columns, a list of "key: value" items (the
    header, "Alder" / "Vaksine", then said by the table alone). Every value in its row and
    column, every row in its order, the lines before and after the same; a value changed,
    moved to another column or row, or a row added or dropped is a change. A table of more
    columns whose header goes and whose values stay is told (``_header_row_dropped``)."""
    t = table.split("\n")
    if not 6 <= len(t) <= _RECORDS_MAX_LINES or len(records) > len(table) * 3:
        return False
    o = _record_tokens(records)
    if len(o) == len(t) and o == t:
        return False  # the same lines: not this rule's business
    cells = set(t)
    if not set(o) <= cells:
        return False
    head = 0
    while head < min(len(t), len(o)) and t[head] == o[head]:
        head += 1
    tail = 0
    while tail < min(len(t), len(o)) - head and t[-1 - tail] == o[-1 - tail]:
        tail += 1
    for k in range(2, _RECORDS_MAX_COLUMNS + 1):
        # the header starts in the common first lines, or right after them: a record's first
        # label is the header's first cell
        for start in range(max(0, head - k), head + 1):
            header = t[start : start + k]
            if len(header) < k:
                break
            if len(set(header)) < k or any(len(c) > _RECORD_LABEL_MAX for c in header):
                continue
            if _records_fit(t, o, start, header, tail):
                return True
    return False


def _records_fit(t: list[str], o: list[str], start: int, header: list[str], tail: int) -> bool:
    """``_records_as_table`` for one header at ``start`` (the lines before it the same in
    both): the records after ``start`` in ``o``, read in one of the three ways, are rows of
    the table under it, and what follows both is among the ``tail`` lines both texts end
    with. A record may leave out its last values where their cells are empty (the table then
    holds no line for them either: the walk reads an empty cell as none)."""
    k = len(header)
    readings: list[tuple[list[str], int, int]] = [
        _records(o, start, header, first_labelled=True),
        _records(o, start, header, first_labelled=False),
    ]
    if k == 2 and all(_header_cell(c) for c in header) and len(o) == len(t) - k:
        # a list of "key: value" items under no header: the rows word for word (a notice of
        # two short lines over pairs is no header, round 20)
        rows = _rows_written_as_pairs(t, o, start)
        readings.append((t[start + k : start + k + 2 * rows], start + 2 * rows, rows))
    for values, end_o, rows in readings:
        end_t = start + k + len(values)
        if (
            rows >= 2
            and end_t <= len(t)
            and len(t) - end_t == len(o) - end_o <= tail
            and t[start + k : end_t] == values
        ):
            return True
    return False


def _records(
    o: list[str], start: int, header: list[str], first_labelled: bool
) -> tuple[list[str], int, int]:
    """The records of ``o`` from ``start`` on, read under ``header``: each its first value
    (after ``header[0]`` as its label when ``first_labelled``), then values each after its
    column's label, in the columns' order, one at least. (The values in the order a table
    holds them, where the records stop, how many.) A record's labels go column by column
    from the second: one may stop early (its last cells empty), but not skip a column, since
    the table's lines would not say which of its cells was the empty one."""
    columns = {label: n for n, label in enumerate(header) if n}
    values: list[str] = []
    at, rows = start, 0
    while at < len(o):
        if first_labelled:
            if o[at] != header[0] or at + 1 >= len(o):
                break
            row, j = [o[at + 1]], at + 2
        else:
            row, j = [o[at]], at + 1
        column = 0
        while j + 1 < len(o) and columns.get(o[j], 0) == column + 1:
            column = columns[o[j]]
            row.append(o[j + 1])
            j += 2
        if len(row) < 2:
            break
        values += row
        rows += 1
        at = j
    return values, at, rows


def _rows_written_as_pairs(t: list[str], o: list[str], start: int) -> int:
    """How many rows of two cells after a header at ``start`` stand in ``o`` from
    ``start`` on (as "key: value" items: ``_record_tokens`` read them as two)."""
    rows = 0
    while (
        start + 2 + 2 * rows + 1 < len(t)
        and start + 2 * rows + 1 < len(o)
        and t[start + 2 + 2 * rows : start + 4 + 2 * rows]
        == o[start + 2 * rows : start + 2 * rows + 2]
    ):
        rows += 1
    return rows


#: a table's or a figure's number with the mark after it ("Tabell 1:", "Tabell 1.", "Figur
#: 2 –"), at a line's start
_CAPTION_MARK = re.compile(
    r"^((?:tabell|table|tab\.|figur|figure|fig\.|illustrasjon|kart|boks)\s\d{1,3}(?:\.\d{1,3})?)"
    r"\s?[.:–-]\s",
    re.I | re.M,
)


def _marked(m: re.Match[str]) -> str:
    return f"{m[1]} "


def _caption_mark_only(before: str, after: str) -> bool:
    """Whether the versions differ only in the mark after a table's or a figure's number
    ("Tabell 1: Tilrådd ..." as "Tabell 1. Tilrådd ...", blind round 193): the caption's
    punctuation, not its words."""
    if before.count("\n") != after.count("\n"):
        return False
    a, b = _CAPTION_MARK.sub(_marked, before), _CAPTION_MARK.sub(_marked, after)
    return a == b and before != after


#: the most lines of a section, and the most places where two versions differ, that
#: ``_each_place_told_otherwise`` looks at
_PLACES_MAX_LINES = 600
_PLACES_MAX = 8
#: the most lines from the first place to the last, either side
_PLACES_SPAN = 80


def _each_place_told_otherwise(before: str, after: str) -> bool:
    """Whether two versions that differ in several places say the same in each (blind round
    193: a caption's "Tabell 1:" as "Tabell 1.", an abbreviation explained beside it, and
    "–" as "-" in an empty cell, in one section): the lines where they differ, place by
    place (a line diff), each said the same by one of the rules of one place
    (``_ONE_PLACE``: notation, emoji, an abbreviation, stress marks, a label's colon, list
    marks, hyphens, a caption's mark, spelling, typography). A place no rule explains is a
    change. Only two places or more (one is the other rules' own business), at most
    ``_PLACES_MAX`` in a section of at most ``_PLACES_MAX_LINES`` lines."""
    a, b = before.split("\n"), after.split("\n")
    if len(a) > _PLACES_MAX_LINES or len(b) > _PLACES_MAX_LINES:
        return False
    # the lines between the common first and last ones: a few places of a few lines each; a
    # middle of more lines, or of lines repeated so often the line matcher would pair them
    # all with all (a hostile section: its square or worse), is no such case
    a, b = _middles(a, b)
    if len(a) > _PLACES_SPAN or len(b) > _PLACES_SPAN or _pairs(a, b) > _PLACES_SPAN:
        return False
    places = [
        op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]  # fmt: skip
    if not 2 <= len(places) <= _PLACES_MAX:
        return False
    for _, i1, i2, j1, j2 in places:
        old, new = "\n".join(a[i1:i2]), "\n".join(b[j1:j2])
        if not old or not new:
            if not all(x.strip() in _DASH_LINES for x in a[i1:i2] + b[j1:j2]):
                return False  # a line added or dropped, not a dash for an empty cell
            continue
        if fold(old) == fold(new):
            continue
        if not any(same(old, new) for same in _ONE_PLACE):
            return False
    return True


#: the same words told otherwise (``_says_the_same``), each a rule of the two texts, the
#: cheap and common first
_TOLD_OTHERWISE: tuple[Callable[[str, str], bool], ...] = (
    same_notation,
    _decorated_only,
    _listed_as_sentence,
    _relisted_same_words,
    _abbreviated_only,
    _stressed_only,
    _filing_only,
    _label_colons_only,
    _marks_only,
    _quoted_otherwise,
    _colon_as_dash,
    _renumbered_only,
    _either_way(_where_they_differ(_table_as_list)),
    _either_way(_header_row_dropped),
    _either_way(_where_they_differ(_pairs_as_items)),
    _either_way(_records_as_table),
    _spelled_otherwise,
    _spelled_and_noted,
    _questions_reordered,
    _hyphens_only,
    _header_repeat_only,
    _split_by_groups,
    _excerpt_recut,
    _caption_mark_only,
    _typo_fixed,
    _fields_resorted,
    _either_way(_fields_inline),
    _each_place_told_otherwise,
)
#: the rules of ``_TOLD_OTHERWISE`` that judge one place by itself (``_each_place_told_otherwise``)
_ONE_PLACE: tuple[Callable[[str, str], bool], ...] = (
    same_notation,
    _decorated_only,
    _abbreviated_only,
    _stressed_only,
    _label_colons_only,
    _marks_only,
    _quoted_otherwise,
    _colon_as_dash,
    _hyphens_only,
    _caption_mark_only,
    _spelled_otherwise,
    _typo_fixed,
)
