"""Detection quality and speed over the fixture corpus (tests/fixtures/detect/).

    python -m bench.detect [--repeat 15]

Prints, over every case: true changes reported / expected, false alarms raised (a change
reported that the case does not expect, or a change where there should be none or a source
problem), missed changes, and source problems recognised; then the median time to extract and
diff a ~500 KB guidance page (generated deterministically by bench.pages), and to extract a
~100 KB one.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bench.pages import page
from feeds.diff import diff_pages
from feeds.extract import extract_page
from tests.support.corpus import cases, expected, run


def quality() -> None:
    reported = wanted = false_alarms = missed = problems = problems_wanted = 0
    for name in cases():
        want, got = expected(name), run(name)
        want_set, got_set = set(want.changes), set(got.changes)
        wanted += len(want_set)
        reported += len(want_set & got_set)
        missed += len(want_set - got_set)
        false_alarms += len(got_set - want_set)
        problems_wanted += want.outcome == "problem"
        problems += want.outcome == "problem" and got.outcome == "problem"
        if want.outcome == "problem" and got.outcome != "problem":
            false_alarms += 1  # a broken page taken as content
    print(f"corpus: {len(cases())} cases")
    print(f"  true changes reported: {reported} / {wanted}")
    print(f"  false alarms raised:   {false_alarms}")
    print(f"  missed changes:        {missed}")
    print(f"  source problems recognised: {problems} / {problems_wanted}")


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    quality()
    speed(args.repeat)


if __name__ == "__main__":
    main()
