"""The values that pass between the stages of feeds: what a fetch returns (``FetchResult``),
what a reader makes of it (``PageContent`` of ``Section``s, ``FeedContent`` of ``FeedItem``s,
``Link``s), the linked parts of a document or page (``Linked``, ``PartState``) and what a
snapshot keeps of a version (``SnapshotState``, ``SeenItem``).

Plain frozen values: no I/O, no parser objects.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feeds.packing import deflate

# ----------------------------------------------------------------------------- fetch


@dataclass(frozen=True)
class Validators:
    """What the last successful fetch told us, sent back as conditional-GET headers."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """One fetched response: 200 with a body, or 304 with none."""

    url: str
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    #: whether validators were sent; False for a full (unconditional) fetch
    conditional: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("etag"), self.headers.get("last-modified"))

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @functools.cached_property
    def body_hash(self) -> str:
        """``body_hash(body)``, computed once however many steps of a check ask for it."""
        return body_hash(self.body)


def body_hash(body: bytes) -> str:
    """The identity of a fetched body: the same bytes need no parsing again."""
    return hashlib.sha256(body).hexdigest()[:32]


# ----------------------------------------------------------------------------- read


#: Items of an unordered list start with this mark; their order does not count (``canonical``).
BULLET = "• "
#: ... the items of a list inside a list item with this one, and those of a list deeper
#: still with the last: they belong to the item above them, so they move with it when the
#: list is sorted, and a sub-item moved to another item, or to another depth, is a change
#: (blind rounds 294-296: "Egen stellevogn" moved from the single room's item to the gown's;
#: antiviral prophylaxis moved from the residents to the staff, a level deeper)
SUB_BULLET = "◦ "
DEEP_BULLET = "▫ "
#: the marks of a list's items by depth (1, 2, 3 and deeper), and the kind the walk gives
#: an item of an unordered list at that depth (``feeds.read.html``: -1, -2, -3)
ITEM_MARKS = (BULLET, SUB_BULLET, DEEP_BULLET)
_BULLET_UTF8 = BULLET.encode()
_IS_ITEM_UTF8 = operator.methodcaller("startswith", _BULLET_UTF8)


#: quotation marks and dashes as one of each (``fold``): «», “”, „, ‘’ and ' are ", the hyphens,
#: en and em dashes and the minus sign are - (replaced one by one where they occur: a
#: translation table costs ~60 ns a character of a text stored two bytes a character)
_FOLD_QUOTES = "«»“”„‟‘’‚‛‹›′″'"
_FOLD_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
#: ... and the marks a list set as text puts before its items ("• ", "▪ ", "◦ ", "‣ ") with
#: them: "– Eldre over 65 år" and "• Eldre over 65 år" are one item (blind round 26)
_FOLD_BULLETS = "\u2022\u25aa\u25e6\u2023"
#: a slash between two words with spaces beside it ("og / eller"): "og/eller"
_SLASH_SPACED = re.compile(r"(?<=\w) */ *(?=\w)")
#: the micro sign (U+00B5) is the Greek small mu (U+03BC) a pasted text sets for it ("10 µg",
#: "10 μg"): one symbol to a reader. No other compatibility folding ("m²", "½" stay)
_MICRO, _MU = "\u00b5", "\u03bc"
#: the ellipsis character is three full stops ("…", "...")
_ELLIPSIS = "\u2026"
#: a dash between two numbers, with a space on either side or both ("5 – 7 dagar"): the same
#: range as "5–7 dagar" (matched after the dashes are folded to "-")
_RANGE_SPACED = re.compile(r"([0-9]) ?- ?(?=[0-9])")
#: a space that groups the digits of a number ("1 245", "120 000 000"); it starts with the
#: digit before it, so the search skips to digits (a lookbehind first tried every position)
_DIGIT_GROUP = re.compile(r"([0-9])[ \u00a0\u2009\u202f](?=[0-9]{3}(?![0-9]))")
_DIGITS = "0123456789"
_DIGIT_SET = frozenset(_DIGITS)
#: a time of day after "kl." or "klokka", hours and minutes apart by ":" or "." ("kl. 15:10")
_CLOCK = re.compile(r"((?:kl\.?|klokka|klokken) ?\d{1,2}):(?=\d{2}(?!\d))")
#: a number with one point between its digits ("0.5"), set with a comma as Norwegian sets a
#: decimal ("0,5"); not one that stands in a list of numbers set apart by commas ("1.2, 3" or
#: "3, 1.2": "1,2, 3" would read as three numbers), nor one a comma stands against, nor a date
#: or a section number of more points ("15.01.2027", "1.2.3"), nor a time of day after "kl."
#: or "klokka" ("kl. 12.00"; ``_comma``): those are other notations, compared as they are
_POINTED = re.compile(r"(?<![\d.,])(?<!\d,\s)\d+\.\d+(?![.,]?\d)(?!\s*,\s*\d)")
#: the space (a no-break space is one once read) between a section sign and its number ("§3",
#: "§ 3", "§§ 3-4"): one reference either way
_SECTION_SIGN_SPACE = re.compile(r"(?<=§)[ \u00a0\u202f](?=[0-9])")
#: what ends the text before a time of day ("kl. ", "klokka ")
_CLOCK_BEFORE = re.compile(r"\b(?:kl\.?|klokka|klokken) ?$")


def _comma(found: re.Match[str]) -> str:
    start = found.start()
    if _CLOCK_BEFORE.search(found.string, max(0, start - 8), start):
        return found.group()
    return found.group().replace(".", ",")


#: how a teaser cut short ends: an ellipsis ("…", "...", "[…]", "(...)")
CUT_MARK = re.compile(
    r"\s*(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\)"
    # ... or the teaser's link to the rest ("… uken. Les mer …", nynorsk "Les meir", blind
    # round 310)
    r"|(?<=[.!?])\s*(?:les mer|les meir|les hele saken|les heile saka)\s*(?:…|\.\.\.)?)\s*$",
    re.I,
)
#: a teaser shorter than this says too little to be known by
CUT_MIN = 20


def cut_elsewhere(before: str, after: str) -> bool:
    """Whether two texts are one text cut at two lengths: the shorter ends in an ellipsis
    and, without it, starts the longer (which may be whole or cut too). Where a paragraph
    ends does not count (a feed's teaser cut from its text joins the paragraphs it shows,
    blind round 263)."""
    stems = []
    for text in (before, after):
        text = " ".join(text.split()) if "\n" in text else text
        stem = CUT_MARK.sub("", text)
        stems.append((len(stem), stem, stem != text))
    (_, short, cut), (_, long_, _) = sorted(stems)
    return cut and len(short) >= CUT_MIN and long_.startswith(short)


def fold(text: str) -> str:
    """What a text says, for telling whether it changed: its words without the typography
    that carries no news. Quotation marks and dashes of every kind are one of each, letter
    case does not count ("covid-19", "Covid-19", "COVID-19"), nor a space that groups digits
    ("1 245"), nor a space set before a comma or a full stop ("i form , jf."), nor how a time
    of day is written ("kl. 15:10", "kl. 15.10"), nor a decimal point for the decimal comma
    ("0.5 ml", "0,5 ml"; ``_POINTED``), nor where a paragraph ends ("A. B." split into two
    paragraphs), nor an ellipsis set as one character or three full stops ("…", "..."), nor
    spaces around a dash between two numbers ("5 – 7", "5–7") or two days or months ("mandag
    - fredag"), nor a space between a section sign and its number ("§3", "§ 3"), nor spaces
    around a slash between words ("og / eller"), nor which mark a list set as text puts
    before its items ("– ", "• "). Compared only; what readers see is the text as published."""
    folded = fold_marks(text)
    if _ELLIPSIS in folded:
        folded = folded.replace(_ELLIPSIS, "...")
    if " /" in folded or "/ " in folded:
        folded = _SLASH_SPACED.sub("/", folded)
    if any(spaced in folded for spaced in _SPACED_STOPS):
        folded = _SPACE_BEFORE_STOP.sub("", folded)
    if " - " in folded:
        folded = _NAMED_RANGE_SPACED.sub(_joined_range, folded)
    if any(digit in folded for digit in _DIGITS):
        if "§" in folded:
            folded = _SECTION_SIGN_SPACE.sub("", folded)
        folded = _DIGIT_GROUP.sub(first_group, folded)
        if _spaced_range(folded):
            folded = _RANGE_SPACED.sub(r"\1-", folded)
        if "kl" in folded and ":" in folded:
            folded = _CLOCK.sub(r"\1.", folded)
        if ":" in folded and "-" in folded:
            folded = _TIME_SPAN.sub(_pointed_span, folded)
        if _point_between_digits(folded):
            folded = _POINTED.sub(_comma, folded)
    return folded


#: a space set before a sentence's punctuation ("i form , jf.", blind round 238): a typo, the
#: same words (only before a space or the line's end: "1 ,5" and ".no" stay as they are).
#: A run of spaces is tried once, from its first space, and taken whole: tried from each of
#: its spaces, a long run before no stop cost its length squared (20,000 spaces: 4 s)
_SPACED_STOPS = (" ,", " .", " ;", " :", " !", " ?")
_SPACE_BEFORE_STOP = re.compile(r"(?<! ) ++(?=[,.;:!?](?: |$))")


#: a span of two times of day, one of them or both written with a colon ("15:30–08:00", blind
#: round 233), as it is written with points ("15.30–08.00")
_TIME_SPAN = re.compile(
    r"(?<![\d.,:])([01]?\d|2[0-4])[:.]([0-5]\d)-([01]?\d|2[0-4])[:.]([0-5]\d)(?![\d.,:]?\d)"
)


def first_group(m: re.Match[str]) -> str:
    """A match's first group (a function, not the template "\\1": see ``_pointed_span``)."""
    return m[1]


def _pointed_span(m: re.Match[str]) -> str:
    """A span of two times of day with points (``_TIME_SPAN``; a function, not a template:
    a template is parsed again at every call, ~75 us)."""
    return f"{m[1]}.{m[2]}-{m[3]}.{m[4]}"


def _joined_range(m: re.Match[str]) -> str:
    return f"{m[1]}-{m[2]}"


#: the days of the week and the months, bokmål and nynorsk, whole or cut short ("man.")
_DAY_OR_MONTH = (
    r"(?:mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|lørdag|laurdag|søndag|sundag"
    r"|man|tir|tys|ons|tor|fre|lør|lau|søn|sun|januar|februar|mars|april|mai|juni|juli|august"
    r"|september|oktober|november|desember)\.?"
)
#: a range of days or months with spaces around its dash ("mandag - fredag", blind round 216),
#: as it is written without them ("mandag–fredag")
_NAMED_RANGE_SPACED = re.compile(rf"\b({_DAY_OR_MONTH}) - ({_DAY_OR_MONTH})(?!\w)")


def _spaced_range(text: str) -> bool:
    """Whether ``_RANGE_SPACED`` may match: a "-" with a space beside it and a digit beyond
    each side. Looked for among the dashes (a few in a section), where the regex tries every
    character (~15 us for a section of 3 KB)."""
    end = len(text)
    at = text.find("-", 1)
    while at != -1:
        left, right = at - 1, at + 1
        spaced = text[left] == " "
        left -= spaced
        if right < end and text[right] == " ":
            spaced, right = True, right + 1
        digits = left >= 0 and right < end and text[left] in _DIGIT_SET
        if spaced and digits and text[right] in _DIGIT_SET:
            return True
        at = text.find("-", at + 1)
    return False


def _point_between_digits(text: str) -> bool:
    """Whether ``_POINTED`` may match: a "." with a digit on each side. Looked for among the
    points (a few dozen in a section), where the regex tries its look-behinds at every
    character (~0.3 ms for 6 KB of text without a number in it)."""
    at = text.find(".", 1)
    while at != -1:
        if at + 1 < len(text) and text[at - 1] in _DIGITS and text[at + 1] in _DIGITS:
            return True
        at = text.find(".", at + 1)
    return False


def fold_marks(text: str) -> str:
    """``fold`` but for digit groups and times of day: what changes a text character for
    character (quotation marks, dashes, list marks, the micro sign, the multiplication sign,
    case, line breaks), its length kept."""
    if _MICRO in text:
        text = text.replace(_MICRO, _MU)
    for mark in _FOLD_QUOTES:
        if mark in text:
            text = text.replace(mark, '"')
    for dash in _FOLD_DASHES:
        if dash in text:
            text = text.replace(dash, "-")
    if not text.isascii():
        for bullet in _FOLD_BULLETS:
            if bullet in text:
                text = text.replace(bullet, "-")
        if "\u00d7" in text:  # the multiplication sign for the letter ("3 × daglig", 325)
            text = text.replace("\u00d7", "x")
        if _CONFUSABLE.search(text):
            text = text.translate(_CONFUSABLES)
    return text.lower().replace("\n", " ")


#: Cyrillic letters drawn as Latin ones ("а", "е", "о", "р", "с"): a text whose letters were
#: swapped for their look-alikes reads the same to everyone (blind round 83: Ukrainian text
#: re-typed with Latin "a", "o"; a Norwegian heading with Cyrillic "е"). Each is folded to the
#: Latin letter it looks like; letters that only look alike in one case (Cyrillic "в" beside
#: "b") are not, nor Greek ones (a capital mu is the micro sign's: "ΜG" is not "MG")
_CONFUSABLES = str.maketrans("АВЕКМНОРСТХУІЈЅаеорсухіјѕԁԛԝ", "ABEKMHOPCTXYIJSaeopcyxijsdqw")
_CONFUSABLE = re.compile("[АВЕКМНОРСТХУІЈЅаеорсухіјѕԁԛԝ]")


def depth_of(line: str) -> int:
    """A read line's depth in an unordered list: 1-3 by its mark (``ITEM_MARKS``), else 0."""
    return _DEPTH_OF.get(line[:2], 0)


def nested(text: str) -> bool:
    """Whether ``text`` holds an item of a list inside a list item."""
    return SUB_BULLET in text or DEEP_BULLET in text


_DEPTH_OF = {mark: depth for depth, mark in enumerate(ITEM_MARKS, 1)}
#: ... as the stored lines' bytes start (``_sorted_items`` sorts bytes)
_DEPTH_OF_UTF8 = tuple((mark.encode(), depth) for mark, depth in _DEPTH_OF.items())


def _depth(line: bytes) -> int:
    """``depth_of`` for a line as UTF-8."""
    return next((depth for mark, depth in _DEPTH_OF_UTF8 if line.startswith(mark)), 0)


def _sorted_items(lines: list[bytes]) -> list[bytes]:
    """Lines with every run of unordered-list items sorted, each item as one block with the
    deeper items below it (sorted the same way, among themselves). Without deeper items:
    each run of items sorted, as ``Section._canonical_utf8`` sorts them."""
    out: list[bytes] = []
    run: list[tuple[int, bytes]] = []
    for line in lines:
        depth = _depth(line)
        if depth:
            run.append((depth, line))
            continue
        if run:
            out.extend(_sorted_run(run))
            run = []
        out.append(line)
    if run:
        out.extend(_sorted_run(run))
    return out


def _sorted_run(run: list[tuple[int, bytes]]) -> list[bytes]:
    """One run of items (depth, line) sorted: the items of its least depth each with the
    deeper ones after it, as blocks; deeper items before the first of them as a run of
    their own, first. (Depth at most 3: the recursion is as deep.)"""
    top = min(depth for depth, _ in run)
    loose: list[tuple[int, bytes]] = []
    blocks: list[tuple[bytes, list[tuple[int, bytes]]]] = []
    for depth, line in run:
        if depth == top:
            blocks.append((line, []))
        elif blocks:
            blocks[-1][1].append((depth, line))
        else:
            loose.append((depth, line))
    out = _sorted_run(loose) if loose else []
    for block in sorted([line, *(_sorted_run(below) if below else ())] for line, below in blocks):
        out.extend(block)
    return out


def nesting(text: str) -> str:
    """The depth of each line of ``text`` in a list (``depth_of``: 1-3 by its mark, 0 for a
    line of text), as one string of digits: two texts that read the same folded but nest
    their items otherwise say different things ("• A" / "◦ A": a point made a condition of
    the one above it)."""
    return "".join(str(depth_of(line)) for line in text.split("\n"))


@dataclass(frozen=True, eq=False)
class Section:
    """A part of a page under one heading path; ``text`` is normalised, one line per block.

    ``source`` identifies the raw text the section was built from (a digest of its walk
    events and the source's noise rules), so the next extraction of the page takes an
    unchanged section over as it is instead of normalising it again (``extract_page``'s
    ``reuse``). ``signals`` are the publisher dates read in the section (ISO). Neither takes
    part in equality, nor do ``tables`` and ``ragged``: two sections with the same path and
    text are the same content (also when one of them was read back from a snapshot,
    ``feeds.store.snapshot``)."""

    path: tuple[str, ...]
    text: str
    source: str = ""
    signals: tuple[str, ...] = ()
    #: the tables in ``text`` whose rows may come in any order (``feeds.read.html``: a header
    #: row, no rank or order column, one line a cell): (the line where their first row
    #: starts, lines a row, rows) each. Compared as a multiset of rows, such a table sorted
    #: another way says the same (``feeds.detect.diff``). Read from the page only: a section
    #: read back from a snapshot has none (the new version's tell where the rows are)
    tables: tuple[tuple[int, int, int], ...] = ()
    #: such tables with empty cells (a "Merknad" column blank in most rows, blind round 84),
    #: which the walk reads as no line: (the line where their first row starts, the lines of
    #: each row), their first cells never empty and all different, so the old version's rows
    #: are found by them (``feeds.detect.diff._rows_resorted``)
    ragged: tuple[tuple[int, tuple[int, ...]], ...] = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Section):
            return NotImplemented
        return self.path == other.path and self.text == other.text

    def __hash__(self) -> int:
        return hash((self.path, self.text))

    @functools.cached_property
    def length(self) -> int:
        """Characters of text (kept with a snapshot, so its texts need not be read)."""
        return len(self.text)

    # cached_property writes the instance __dict__ directly, so it works on a frozen value;
    # a page's digests are read several times per check (diff, history, state).
    @functools.cached_property
    def digest(self) -> str:
        """sha256 of the path and the ``canonical`` text, joined by U+001F, as UTF-8 (made
        from ``_canonical_utf8`` without building the joined text)."""
        h = hashlib.sha256("".join(f"{p}\x1f" for p in self.path).encode())
        h.update(self._canonical_utf8())
        return h.hexdigest()[:32]

    @functools.cached_property
    def canonical(self) -> str:
        """The text with every run of unordered-list items sorted: a shuffled <ul> is the
        same content; an <ol> (no mark) keeps its order."""
        text = self.text
        return self._canonical_utf8().decode() if BULLET in text or nested(text) else text

    @functools.cached_property
    def key(self) -> str:
        """``canonical`` folded (``fold``), with the depth of each line where a list nests:
        two versions of a section with the same key say the same, whatever their digests
        (``feeds.detect.diff.diff_pages``)."""
        canonical = self.canonical
        if nested(canonical):
            # folding reads every list mark as "-": the depths are kept beside the words
            return f"{fold(canonical)}\n\x1f{nesting(canonical)}"
        return fold(canonical)

    def _canonical_utf8(self) -> bytes:
        """``canonical`` as UTF-8, sorted as bytes: UTF-8's byte order is its code points'
        order, so these are ``canonical``'s own bytes, at ~3/4 of the cost of sorting the text
        (a text that holds a bullet is stored two bytes a character)."""
        data = self.text.encode()
        if nested(self.text):
            return b"\n".join(_sorted_items(data.split(b"\n")))
        if _BULLET_UTF8 not in data:
            return data
        out: list[bytes] = []
        for item, run in itertools.groupby(data.split(b"\n"), _IS_ITEM_UTF8):
            out.extend(sorted(run) if item else run)  # noqa: B031 - one use either way
        return b"\n".join(out)

    @functools.cached_property
    def packed(self) -> bytes:
        """The text as snapshots store it (zlib format, ``feeds.store.snapshot.state_to_blob``);
        cached, and filled in when a snapshot is read, so a section carried over unchanged from
        the last version is never compressed again. Compressed by ISA-L at its level 1
        (``deflate``): on Norwegian guidance text ~7x faster than zlib's own level 1 with a
        slightly smaller result (docs/benchmarks.md); zlib reads it as ever."""
        return deflate(self.text.encode())


@dataclass(frozen=True)
class PageContent:
    title: str
    sections: tuple[Section, ...]
    #: the newest 'Sist oppdatert' / 'Siste faglige endring' / 'Sist endra' date, ISO; a hint
    updated: str | None = None

    @functools.cached_property
    def text_length(self) -> int:
        return sum(s.length for s in self.sections)

    @functools.cached_property
    def digest(self) -> str:
        h = hashlib.sha256()
        for s in self.sections:
            h.update(s.digest.encode())
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed (or a listing's link, or a change log's row).

    ``item_id`` is the item's identity, from its canonical GUID, else its canonical link,
    else its title and text (``item_identity``); ``legacy_id`` the identity an earlier version
    of notifier gave it (raw GUID, link with host and scheme), so a snapshot stored before
    identities were canonical still knows the item (''  when it is the same). ``content`` is
    the item's full text (Atom ``<content>``, RSS ``content:encoded``) when it says more than
    its ``summary``; an edit of any of title, summary and content changes the digest.

    ``anchor`` is set for an item whose title only labels its link (a change log row's chapter,
    when the row links to it): the link in its identity form; ``gist`` is then the digest of
    what the item says apart from that label (``label_gist``). An item whose anchor, date and
    gist are those of a remembered item is that item relabelled, not an edit
    (``feeds.detect.diff.match_items``). Both are '' for other items: their title is part of
    what they say. Neither takes part in ``digest``.

    ``enclosures`` are the file names of the documents the item encloses (RSS ``<enclosure>``,
    Atom ``rel="enclosure"``; ``feeds.read.html.attachment_name``: a PDF's name, not its folder),
    sorted: a letter re-issued as a new file under the same title and text is an edit
    (``feeds.detect.diff.diff_feed``). Not in ``digest``, so digests stored before stay valid.

    ``teaser`` is a listing item's teaser: the text its own element in the list shows besides
    its link, date and furniture (``feeds.read.html.extract_listed``); None where none is read
    (another kind of source, an item without an element of its own). An edit of it is an
    edit of the item (``feeds.detect.diff.diff_feed``); not in ``digest`` either, so an item's
    identity and matching stay those of its link and title."""

    item_id: str
    title: str
    link: str
    summary: str
    published: datetime | None = None
    updated: datetime | None = None
    content: str = ""
    legacy_id: str = ""
    anchor: str = ""
    gist: str = ""
    enclosures: tuple[str, ...] = ()
    teaser: str | None = None
    #: the identity an item with an address GUID had before the slug around its id token was
    #: set aside (``feeds.read.feed.former_guid_identity``); '' when it is the same
    former_id: str = ""

    @functools.cached_property
    def digest(self) -> str:
        if not self.content:  # as before there was a content: stored digests stay valid
            return self.legacy_digest
        text = f"{self.title}\x1f{self.summary}\x1f{self.content}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @functools.cached_property
    def legacy_digest(self) -> str:
        """The digest of title and summary alone (what snapshots kept before contents were
        compared): a stored item whose digest is this one was not edited as far as it knows."""
        return hashlib.sha256(f"{self.title}\x1f{self.summary}".encode()).hexdigest()[:32]

    @property
    def text(self) -> str:
        """Summary and content, as a reader sees the item's text."""
        return f"{self.summary}\n{self.content}".strip() if self.content else self.summary

    @property
    def date(self) -> str:
        """When the item says it was published (else updated), in UTC to the minute (ISO 8601,
        as ``SeenItem.published`` keeps it); '' when it says neither."""
        when = self.published or self.updated
        if when is None:
            return ""
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        return when.isoformat(timespec="minutes")


def label_gist(*said: str) -> str:
    """The digest of what an item says apart from the label of its link (``FeedItem.gist``):
    a change log row's kind ('Nytt', 'Endret') and its description."""
    return hashlib.sha256("\x1f".join(said).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class FeedContent:
    title: str
    items: tuple[FeedItem, ...] = field(default_factory=tuple)
    #: the feed's own time (RSS ``lastBuildDate`` or the channel's ``pubDate``, Atom's feed
    #: ``updated``), ISO, UTC; None when it gives none (listings, change logs)
    updated: str | None = None


@dataclass(frozen=True)
class Link:
    """A link found on a watched page (a chapter, a letter, a PDF attachment)."""

    url: str
    title: str


@dataclass(frozen=True)
class PartState:
    """What a snapshot keeps of one linked part (a chapter, an attachment) for the next check:
    its title in the table of contents, its validators and the hash of its body."""

    title: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str = ""


#: the parts of a source's last version, by canonical URL, in the order they are linked
Parts = Mapping[str, PartState]


@dataclass(frozen=True)
class Linked:
    """One linked page or attachment: its body (or a 304: unchanged since the last check),
    or why it could not be had."""

    link: Link
    result: FetchResult | None = None
    problem: str = ""


# ----------------------------------------------------------------------------- detect


#: ``SeenItem.withdrawn``: an item gone from between items that stay, waiting for the next
#: check to confirm its withdrawal; and one whose withdrawal was told
GONE_ONCE = 1
GONE_TOLD = 2
#: the first character of a stored body hash whose version waits for a re-read: a feed with
#: a withdrawal to confirm (``SeenItem.withdrawn``). No hash of a body starts so, so the next
#: check never takes the body for the one stored, and reads it whole
RECHECK_MARK = "~"


def marked_for_recheck(body_hash: str) -> str:
    """``body_hash`` marked so the next check reads the body whole (``RECHECK_MARK``)."""
    return RECHECK_MARK + body_hash[1:] if body_hash else body_hash


@dataclass(frozen=True)
class SeenItem:
    """What a snapshot remembers of a feed item: the digest of its title, summary and content
    (``FeedItem.digest``); the texts themselves while it is in the feed (a tombstone, an item
    that left, keeps its digest and date only); and the date the item gave (``FeedItem.date``: its
    publication time, else its update time; '' when it gave none). An item that reappears
    under another identity with the same text is this item only if its date agrees: the same
    text a week later under a new link is next week's report (``feeds.detect.diff.
    match_items``). ``anchor`` and ``gist`` are the item's own (``FeedItem``), kept by
    tombstones too; '' in snapshots stored before they were remembered (such an item is never
    taken for a relabelled one). ``enclosures`` are the item's (``FeedItem.enclosures``) when it
    was stored; None when that is not known (a snapshot stored before they were remembered, a
    tombstone): then they are not compared, so an upgrade does not report every item that
    has one as edited. ``teaser`` likewise (``FeedItem.teaser``): None when it is not known (a
    snapshot stored before listings' teasers were read, a tombstone, an item whose teaser
    was not read): the item takes the teaser it shows silently."""

    digest: str
    title: str = ""
    summary: str = ""
    content: str = ""
    published: str = ""
    anchor: str = ""
    gist: str = ""
    enclosures: tuple[str, ...] | None = None
    teaser: str | None = None
    #: the item's link while it is in the feed (``FeedItem.link``), for telling its withdrawal
    #: (``feeds.detect.diff.withdrawn``); '' in a tombstone and in snapshots stored before
    link: str = ""
    #: a tombstone's withdrawal (``feeds.detect.diff.withdrawn``): 0 none, ``GONE_ONCE`` gone
    #: from between items that stay at one check (told if the next check finds it gone too),
    #: ``GONE_TOLD`` its withdrawal told (its return is told too, once)
    withdrawn: int = 0

    @property
    def text(self) -> str:
        return f"{self.summary}\n{self.content}".strip() if self.content else self.summary

    @property
    def live(self) -> bool:
        """Whether the item was in the feed's last version: remembered with its texts, and
        not gone from it (a tombstone keeps none; one gone once keeps them to tell its
        withdrawal)."""
        return bool(self.title or self.summary) and not self.withdrawn


#: Bumped whenever extraction or normalisation changes what a page's text looks like (2: list
#: marks, noise headings, signal lines; 3: an article's own <header> is content, nynorsk
#: date labels; 4: text after an HTML comment or a processing instruction is read; 5: a form
#: that wraps the content is read, breadcrumbs, controls' labels, screen-reader notes and "new"
#: badges are not, a long line said again later in its section is kept; PDF text one line per
#: sentence; a link to an act at Lovdata cited after its text; 6: times told relative to now,
#: review dates, print and export lines, counters in words, icons, footnote marks, loading
#: placeholders, answer and consent buttons, <dialog> overlays, topic tags and the page's own
#: tools and feedback links are not content; a "heading" over 300 characters is text; 7:
#: Latin ligatures are their letters, copyright lines, a post's counters, popularity boxes,
#: carousels and sliders, link boxes of more news, campaign banners of links and chat
#: widgets are not content, the alt text of an image in a <figure> that holds a digit is; 8:
#: a single-byte charset declared over UTF-8 bytes is read as UTF-8, not as mojibake; 9: a
#: link to a document is read with its file name, as a link to an act with the act, a
#: heading's permalink ("#", "¶") is not part of the heading, a copy of a line for another
#: screen size is read once, a nynorsk citation's read date is not content, nor an
#: "Oppdatert" badge in a heading, a photo credit alone on a line, or a change date in a
#: line of labelled fields: "Rundskriv | Dato: 12.11.2026 | Sist oppdatert: 01.12.2026"),
#: nor a widget's visually hidden live status region or a language picker; struck text
#: (<s>, <strike>, <del>) is read between "~~" marks; the site's own page of technical
#: problems is a source problem; a nynorsk page counter, "Lese 1 204 gonger", is not
#: content, nor a print or export time in a line of fields: "Kunngjort 01.03.2026 ·
#: Utskrift 05.12.2026 kl. 14.22" reads "Kunngjort 01.03.2026"; nor a share button's count,
#: "Del på Facebook (187)", nor a "Tips oss" or "Gi tilbakemelding" box of little text with a
#: feedback link; a listing's item is read with its teaser, the text of its own element (the
#: largest around its link that holds no other item's, one of a run of like elements) besides
#: its link, date and furniture, cut at 600 characters: ``feeds.read.html.extract_listed``;
#: 10 (version 9 landed with stop 25): nor a box of links headed "Anbefalt for deg",
#: "Tilrådd for deg", "Relatert innhold", "Les også" or "Andre leste også", or of a
#: ``recommended`` class; nor a reading time alone on its line, "Lesetid: 4 min"; nor the
#: labels of text-size and contrast buttons, "A+", "Tekststorleik", or any short button label
#: in a toolbar; nor a relative time in a line of fields: "Kommuneoverlegen · for 3 timar
#: sidan" reads "Kommuneoverlegen"; a consent wall headed "Før du fortsetter" that asks
#: consent to cookies is a source problem; a cookie notice that names the site by its domain,
#: "Regjeringen.no bruker informasjonskapsler …", is cut whole, and "Bare nødvendige" /
#: "Berre naudsynte" buttons are not read. A footnote mark whose note is on the page is read
#: as the note's first words, "Ja [fotnote: Gjelder bare personer …]", not as its number. A
#: notice that the page has a new address, "Denne siden har fått ny adresse", is a source
#: problem with or without a refresh. A site search's results page, "Søk" over "Viser 1–10
#: av 1 245 treff", is a source problem. "Fagleg gjennomgått", "Faglig gjennomgått" and
#: "Gjennomgått" before a date are review-date labels, as "Sist sjekket" is. A link whose
#: text names a form is read with the form it points to: "meldeskjemaet
#: (msis-melding-om-smittsam-sjukdom)". A breadcrumb trail written as a line, "Du er her:
#: Framsida / Tenester / Helse", is not content. A newsletter sign-up box, "Abonner på
#: nyhetsbrev" over little text with a sign-up link or control, is not content, as a "Tips
#: oss" box is not. A feed item without a GUID whose link holds a stable id token, ".../
#: <slug>/id3101122/", is known by its link with the slug set aside, and under its former
#: identity in a snapshot stored before. A social media embed (a tweet's or Instagram post's
#: blockquote, a Facebook post, a TikTok embed) is not content). A snapshot of another
#: version is re-baselined silently once instead of reporting every page as changed after an
#: upgrade. (Feeds need no re-baseline: an item is also known by the identity and digest
#: older versions stored, ``feeds.detect.diff.match_items``; a listing's item stored without
#: its teaser takes it silently, ``SeenItem.teaser``.)
#: 11 (blind round 15): nor a box of links headed by the site's news, "Aktuelt", "Nyheter",
#: "Nyheiter", "Siste nytt" (a teaser's date beside its link counts as the link's); nor a tab
#: list whose tabs repeat the headings of their panels; a short page that says the site is
#: down for maintenance, "Nettsidene er utilgjengelege på grunn av planlagt vedlikehald", is a
#: source problem.
#: 12 (blind round 16): nor a chapter pager ("Førre kapittel", "Neste ›", page numbers); nor a
#: feedback widget's box under its question ("Fann du det du leita etter?") with its buttons
#: and tally; nor a live chat's box ("Chat med oss") with its control; nor a section menu ("I
#: denne delen", "Meir om ...") as a box of links, its toggle's copy too; a version stamp
#: ("Versjon 4 – 01.12.2026") is a date line; a toolbar line with "Abonner" and the share
#: buttons by name is noise; a short page of a bot check ("Bekreft at du er et menneske", Ray
#: ID) or of a notice that it needs JavaScript is a source problem.
#: 13 (blind round 18): nor an element an inline style hides (display:none, visibility:hidden,
#: far off the screen) that no control opens (an accordion's, a tab's panel is read); the
#: invisible operators and the grapheme joiner go as the zero-width characters do, and
#: fullwidth ASCII is read as ASCII ("４００ mg"); a link to a punycode host, or to another site
#: than the one its text names, is read with its host; a block of spam links to other sites
#: is a source problem. A document shown in an <iframe>, <embed> or <object> is read as a
#: line of its title and file name, "Smittevernplan 2026–2029 (smittevernplan-2026-2029.pdf)";
#: a page whose whole content is rendered twice or more is read once; a long line printed
#: 1,000 times in a row is a source problem (blind round 18's open cases, met later the same
#: day: 13 was never released); an alt text is read for a number, not for a name with digits
#: ("covid-19"), and a share count in the toolbar line ("Del (41)") is noise (blind round 19);
#: a weather box is no content, "Foto: Gjøvik kommune" is a credit, and a footnote mark
#: without a link whose note begins with it is read as the note (blind round 20); an h1 that
#: reads as a news box's heading is read, and regjeringen's historical-archive label
#: ("Historisk arkiv", "Publisert under: Regjeringen Solberg") is noise (blind round 21); a
#: read counter in a sentence and a citation's fetch day ("Lasta ned 05.12.2026 frå") are
#: noise (blind round 23); a table of contents (a list of links to places on the page) and a
#: copy for phones hidden from screen readers are no content (blind round 24); nor is Google's
#: translation widget (blind round 27). 14: a "Neste oppdatering" line, a "Sist oppdatert" date
#: beside a sentence, a countdown, a placeholder asking the reader to wait, a box of today's
#: opening hours, a banner or hero of links, a rotating box and an events calendar's teasers
#: are furniture (blind rounds 28 and 29); so are Lovdata's correction record ("Rettet") and
#: consolidation log, a list of earlier versions, a share bar written "Del:" and a feedback box
#: titled "Tilbakemelding" (blind rounds 30 and 31), a link line to the English version and
#: regjeringen.no's historical-archive sentence (blind rounds 32 and 33), right-to-left marks, an
#: English date line and notices about translations (blind rounds 34 and 35), and the live
#: furniture of booking, queue and duty widgets (blind round 36); a feed item's character
#: references escaped twice are read once more (blind round 38); a view count closing a share
#: bar is furniture (blind round 40), and so is a toggle between two renderings (blind round 43).
#: 15: a countdown ahead of now ("om 13 dagar", "i morgon") is a relative time, and a line of
#: fields drops such a time beside a date alone or a span of days ("1.–2. desember 2026 ·
#: Førde · om 25 dagar" reads "1.–2. desember 2026 · Førde"); a share bar's count of shares
#: ("Del 14 delinger") is furniture (blind round 49); so are a photo credit after a caption's
#: last sentence, a byline ("Skrevet av: ..."), a recording's link named for what it records
#: and its length (blind round 50), a figures' update stamp ("Tall oppdatert ...", "Tala vart
#: sist oppdaterte ..."), a file's download counter at the end of its line, a page-view counter
#: over a period and a table's sort label (blind round 51). A link to a phone number or an
#: e-mail address whose words do not show it is read with it ("Ring legevakta (116117)",
#: blind round 43's open case). An element the ``hidden`` attribute hides that no control
#: opens is no content, and an address behind Cloudflare's e-mail protection is read as the
#: browser shows it (blind round 52). A FAQ's control over all its answers ("Vis alle svar")
#: and a count of the readers who found the page useful are furniture (blind round 57); so
#: are a converted document's running headers and footers (a class of theirs standing twice
#: or more) and page numbers ("Side 2 av 4"), and a footnote mark written as a bracketed link
#: is read as its note (blind round 58). A link to an act in Lovdata's short form is cited, a
#: printed copy's "Sist henta" stamp is furniture (blind round 60), a page's view and
#: usefulness counters on one line are furniture (blind round 61). A live queue or
#: waiting-time widget is no content (blind round 62). A publication date after an issue's
#: number on one line is furniture (blind round 66).
#: 16: a live log's stamp without a year ("Sist oppdatert 6. desember kl. 09.15", "Neste
#: oppdatering kl. 16"), a publisher named after a stamp ("Oppdatert ... · Helse- og
#: omsorgsdepartementet") and a ticking countdown with its seconds are furniture (blind round
#: 71); a <summary> that only tells the reader to open it ("Vis tidligere sesonger") is a
#: toggle's wording (blind round 72); a paragraph advertising casino, pills or loans with two
#: spam links is a hijacked page (blind round 42's open case). A tab list over panels whose
#: headings name all its tabs say (a tab "Kommuner" over "For kommunen") is a control, with
#: the label that leads in to it ("Velg målgruppe:", blind round 77). What a reader sees in
#: markup otherwise dropped is read: a <dialog> shown open that is no overlay, a declarative
#: shadow root, a <noscript> fallback that is the only copy of its content, a frame's document
#: in ``srcdoc`` (blind round 79). A badge of a badge's class that only says new or updated
#: ("Ny tilråding", "Oppdatert") is furniture outside links, and buttons side by side are
#: read apart ("Praktisk Begrunnelse", blind round 80). Arabic-Indic digits read as digits and
#: Arabic presentation forms as their letters (blind round 83); an icon drawn as an inline SVG
#: with a short title is read as its label, and an abbreviation with the explanation its
#: ``title`` gives, at its first use (blind round 43's open cases). An index of initial
#: letters over an A-Z list is a control (blind round 86).
#: 17: footnote marks without links read as the items of a footnote list, whose order is then
#: the marks' (blind round 92); a table whose cells hold several lines may be re-sorted (blind
#: round 92); a view counter with today's count or ending a listing's line, the share of
#: readers who found a page useful, an advert box, a contents list opened by buttons, a
#: toolbar's "Last ned PDF", a yes/no button beside an icon and an item's age in an element of
#: its own are furniture (blind rounds 94 to 97); so are a "Sist oppdatert" stamp after a
#: labelled field, an illustration's caption, a page's tools under its title (blind rounds 99
#: to 101), an event's booking badges (104), a stamp's share counter and a letter's
#: electronic-approval note (108, 110); React's streamed segments are read in place (106) and
#: sections printed twice after a page's lead once (102); a GP list's counter columns are
#: emptied (121).
#: 18: a feedback counter as a share of those who answered or as a bare number (blind rounds
#: 139, 142), a feedback widget asked in a paragraph beside its answer buttons (140), a table's
#: caption for screen readers and a feed link's note for them (141), a stamp with its time
#: before its date and a live log entry's age beside its time (142) are furniture; an
#: abbreviation that begins a word is read with its explanation after the word (141); a bar of
#: toggle buttons and a control's label with its count are controls, a <time>'s two-digit
#: year reads as its datetime's (138's open cases); left-to-right isolates and embeddings are
#: invisible, and a page encoded twice is a problem (145); a list of links named as the page's
#: own headings is a contents list (148); a box of the site's news in the content, a map's
#: credits and a stamp of when the figures were fetched are furniture (151, 152); a <time>
#: told relative to now inside a line reads as its datetime (156); the corona banner's second
#: line, a live phone queue, "Abonner på endringer", a generated stamp in brackets and a
#: counter over a period beside the page's PDF are furniture (155, 157, 158); share tools and
#: a countdown to a deadline are furniture, and text hidden by a font of no size, no opacity in
#: a box of no size or the colour of its background is not read (159, 160, 162); a fold's
#: button label, a feedback widget with icon buttons and a wide table's swipe hint are
#: furniture, a line of fields may have labels of up to six words (163 to 165); the stamp of
#: a page's last change among the fields of a line is furniture (167 to 169); so are a
#: regulation's "Sist endret" header field, Lovdata's tools bar with its permalink and offer, an
#: <aside> headed in bold by the site's furniture (171), a nynorsk "Visningar" counter (172),
#: when figures were fetched from a named register and the calendar's week (173); a live count
#: of the page's readers, a caption's "oppdatert" date after a comma (179), a feedback
#: widget's thumbs and its note that answers are anonymous (181); "lagre PDF" among a page's
#: tools (184); an embed held back for consent (its placeholder, its buttons; a figure keeps
#: its caption) and an embedded report's failure to load (185). 19: when the shown version
#: was shown ("Gjeldende versjon – vist 06.12.2026 kl. 07:12") is a print time among a line's
#: fields, and a link cited with its act at Lovdata is a field beside it (blind round 190); a
#: copy of a neighbour's content hidden from screen readers is read once (193); an <aside>
#: inside an <article> that is no box of links is read without a selector (199); "PDF"
#: among a page's tools is a tool (203); a view count over a period (210); a count of the
#: page's readers in a sentence of the count first (207). 20: a status word labelling a date
#: ("<span class="meta__label">Oppdatert</span> <time>…</time>") is the stamp's field, not a
#: badge (blind round 212); "Abonner på endringar i «<the page's title>»" is a tool (212); the
#: page's own PDF with its size ("Last ned PDF (1,4 MB)") is a tool (211); an abbreviation
#: whose explanation its sentence gives across a soft hyphen is read as it stands (211); a
#: toolbar's links to places on the page and to scripts, Lovdata's Pro offer (214), a press
#: contact's line (213), the page's type over its title, a field of free places (215), the
#: stamp said in a sentence (217) are furniture; a Sami language's own name in a picker (216);
#: a back link's glyph (220), a part's stamp and hidden step numbers (221), "Veileder" over the
#: title (222) are furniture; "Sjekkes mot fremføring" (223), "Følg sida og få varsel" (224), a
#: visually hidden label and a right-to-left isolate around right-to-left writing are
#: furniture, a right-to-left override reads as shown (226), an icon alone in a table cell
#: reads as its alt text (225); a contents list of two links in a box named so (231), a
#: listing's count and a pinned badge (232), a report's number and a countdown in words (234)
#: are furniture, and a CDN's cached copy is a problem (234). 21: a parked domain's page is a
#: problem (237); a toolbar's permanent link, a link to the page's versions and a stamp in
#: brackets ("(sist kontrollert 07.12.2026)") are furniture (239); a language picker with flags,
#: "Les på bokmål her" and a translation's note (247), a letter's "Dokumentet er godkjent
#: elektronisk." (250) and a feedback widget's "Hjalp innholdet deg?" (244) are furniture.
#: 22: Lovdata's fetch stamp, its Pro offer in a sentence, tools "(krever innlogging)" and
#: "Lagre i Mine dokumenter" (257); a queue widget, an A/B banner (258) and a navigation
#: column in the content (260); a generated stamp and "Mest lest akkurat nå" (259); a
#: citation's read date in digits (262), a Bluesky share button (264) and a box of today's
#: hours labelled in bold (265) and a back-to-top link with an arrow (268) are furniture; a
#: fact box beside the article is read (268); a feedback widget's counts (272), a column of
#: check dates (273), date labels without dates (274), a view count by its label (278) and
#: a listing's "Vis flere (…)" (277) are furniture.
#: 23: a live page's refresh countdown ("Siden oppdateres automatisk om 47 sekunder", 293)
#: is furniture; "twitter.com/share", "linkedin.com/share" and a bare "mailto:" are share
#: links (292).
#: 24: the items of a list inside a list item are marked "◦ " (``SUB_BULLET``), deeper ones
#: "▫ " (``DEEP_BULLET``), and belong to the item above them: a sub-item moved to another item
#: or another depth is told (294-296); a list wrapped in an item with no words is the list it
#: holds; a toolbar with its PDF's size ("Last ned PDF (1,2 MB)") is furniture (296), and
#: Lovdata's tools with the document's id and its stamp "Hentet fra Lovdata …" (300); a
#: consent wall that asks to decide, and a login page that names the site, are problems (302);
#: a footnote mark points to the first note of its id after it, and a note's own sign in its
#: text ("* Beregnet …") is read without it (304); "Lytt til teksten" in a toolbar is a tool
#: (312); text in a "visuelt-skjult" class is for screen readers, and a chart in a figure is
#: read by its <desc>, not its <title> (314).
#: 25: a table cell that spans rows is read in each row it spans (open cases of rounds 164,
#: 216 and 220: a table re-made without merged cells, every day's hours the same); the
#: multiplication sign folds as the letter x in a section's key (325); a page whose title
#: begins "Feil i …" is read, not refused as an error page (326).
EXTRACTION_VERSION = 25


@dataclass(frozen=True)
class SnapshotState:
    """What we keep of a source's last version."""

    kind: str
    body_hash: str
    content_digest: str
    page: PageContent | None = None
    seen: Mapping[str, SeenItem] = field(default_factory=dict)
    #: per section key ("\x1f".join(path)): its recent digests, newest last (ABSENT: gone)
    history: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    version: int = EXTRACTION_VERSION
    #: documents and pages with attachments: each linked part's validators and body hash
    parts: Parts = field(default_factory=dict)
    #: a feed's own time at this version (``FeedContent.updated``)
    feed_updated: str | None = None
