"""Detection quality and speed over the fixture corpus (tests/fixtures/detect/).

    python -m bench.detect [--repeat 15]

Prints, over every case: true changes reported / expected, false alarms raised (a change
reported that the case does not expect, or a change where there should be none or a source
problem; counted with multiplicity, so a feed re-keyed into eight "new" items is eight), missed
changes (a good version refused counts as missed), source problems recognised, versions held
for review as expected, and the cases not as expected; then the median time to extract and
diff a ~500 KB guidance page (generated deterministically by bench.pages), to extract a
~100 KB one, and to match the items of a hostile feed: 1,000 and 10,000 items of one title and
text, each under a new identity and date (what must grow with the feed, not its square).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bench.pages import page
from feeds.detect.diff import diff_pages, match_items
from feeds.errors import SourceProblem
from feeds.read.html import extract_page
from feeds.types import FeedContent, FeedItem, SeenItem
from tests.support.corpus import Outcome, cases, expected, run


def quality() -> None:
    reported = wanted = false_alarms = missed = problems = problems_wanted = 0
    held = held_wanted = held_wrongly = 0
    wrong: list[str] = []
    for name in cases():
        want = expected(name)
        try:
            got = run(name)
        except SourceProblem:  # an earlier step of the case already failed
            got = Outcome("problem")
        # with multiplicity: a feed re-keyed into ten "new" items is ten false alarms
        want_bag, got_bag = Counter(want.changes), Counter(got.changes)
        wanted += sum(want_bag.values())
        reported += sum((want_bag & got_bag).values())
        missed += sum((want_bag - got_bag).values())
        false_alarms += sum((got_bag - want_bag).values())
        problems_wanted += want.outcome == "problem"
        problems += want.outcome == "problem" and got.outcome == "problem"
        if want.outcome == "problem" and got.outcome != "problem":
            false_alarms += 1  # a broken page taken as content
        if want.outcome != "problem" and got.outcome == "problem":
            missed += max(1, sum(want_bag.values()))  # a good version refused
        held_wanted += want.held
        held += want.held and got.held
        held_wrongly += got.held and not want.held
        if (got.outcome, got_bag, got.held) != (want.outcome, want_bag, want.held):
            wrong.append(name)
    print(f"corpus: {len(cases())} cases")
    print(f"  true changes reported: {reported} / {wanted}")
    print(f"  false alarms raised:   {false_alarms}")
    print(f"  missed changes:        {missed}")
    print(f"  source problems recognised: {problems} / {problems_wanted}")
    print(f"  held for review as expected: {held} / {held_wanted} (held wrongly: {held_wrongly})")
    print(f"  cases not as expected: {len(wrong)}{': ' if wrong else ''}{', '.join(wrong)}")


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def speed(repeat: int) -> None:
    big_a, big_b = page(7, 1, 500_000), page(7, 2, 500_000)
    small = page(3, 1, 100_000)
    before = extract_page(big_a, selector="main")

    def extract_and_diff() -> None:
        diff_pages(before, extract_page(big_b, selector="main"))

    def extract_and_diff_again() -> None:
        # as a check does it: the last version's unchanged sections are taken over
        diff_pages(before, extract_page(big_b, selector="main", reuse=before.sections))

    print(f"speed (median of {repeat}):")
    ms = _median_ms(extract_and_diff, repeat)
    print(f"  extract + diff, {len(big_b) // 1000} KB guidance page: {ms:.1f} ms")
    ms = _median_ms(extract_and_diff_again, repeat)
    print(f"  the same, reusing the last version's unchanged sections: {ms:.1f} ms")
    ms = _median_ms(lambda: extract_page(small, selector="main"), repeat)
    print(f"  extract, {len(small) // 1000} KB page: {ms:.2f} ms")
    last = extract_page(page(3, 0, 100_000), selector="main")
    ms = _median_ms(lambda: extract_page(small, selector="main", reuse=last.sections), repeat)
    print(f"  the same, one section changed since the last version: {ms:.2f} ms")
    for n in (1_000, 10_000):
        seen, feed = _alike_feed(n)
        ms = _median_ms(functools.partial(match_items, seen, feed, True), max(3, repeat // 5))
        print(f"  match {n:,} feed items alike under new identities and dates: {ms:.0f} ms")


def _alike_feed(n: int) -> tuple[dict[str, SeenItem], FeedContent]:
    """A feed of ``n`` items of one title and text remembered, and its next version: ``n``
    other items of that title and text, under new identities and later dates."""
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def items(prefix: str, days: int) -> list[FeedItem]:
        return [
            FeedItem(f"{prefix}{i}", "Ukerapport", f"https://x.no/{prefix}{i}", "Les rapporten.",
                     published=start + timedelta(days=days + i))
            for i in range(n)
        ]  # fmt: skip

    old = items("a", 0)
    seen = {i.item_id: SeenItem(i.digest, i.title, i.summary, i.content, i.date) for i in old}
    return seen, FeedContent("Rapporter", tuple(items("b", n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    quality()
    speed(args.repeat)


if __name__ == "__main__":
    main()
