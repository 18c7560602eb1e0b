"""``make bench``: every benchmark in turn, each in its own process, printing its figures."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "bench.detect",
    "bench.classify",
    "bench.match",
    "bench.check_round",
    "bench.deliver",
    "bench.claims",
    "bench.feeds_api",
    "bench.public_search",
    "bench.scale",
    "bench.web_load",
)


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        print(f"\n=== {name}", flush=True)
        failed += subprocess.call([sys.executable, "-m", name]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
