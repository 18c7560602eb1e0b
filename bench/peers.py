"""urlwatch on the check-round benchmark's own pages, in the same run (``bench.check_round``).

urlwatch is not a dependency of notifier. Install it apart, with the html2text package its
``html2text`` filter needs (without it every ``main`` job fails at once, and its rounds look
cheaper than they are), e.g.::

    python3 -m venv /tmp/uw && /tmp/uw/bin/pip install urlwatch==2.29 html2text cssselect

and pass ``--urlwatch /tmp/uw/bin/urlwatch`` (or have ``urlwatch`` on PATH). Each round is one
``urlwatch`` process running every job once; its CPU is read from the children's rusage. Two
job flavours: ``raw`` (the whole body diffed: urlwatch's cheapest round) and ``main`` (the
``css:main`` and ``html2text`` filters: about the work notifier does, main content to text).
Reporters are off, so no time goes to printing reports.
"""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
display: {new: false, error: true, unchanged: false, empty-diff: false}
report:
  text: {details: false, footer: false, line_length: 75, minimal: true, separate: false}
  stdout: {enabled: false, color: false}
  email: {enabled: false}
  html: {diff: unified, separate: false}
  markdown: {details: false, footer: false, minimal: true, separate: false}
job_defaults: {all: {}, shell: {}, url: {}, browser: {}}
"""

FILTERS = {"raw": None, "main": "css:main,html2text"}


@dataclass(frozen=True)
class PeerRound:
    wall: float  # seconds
    cpu: float  # seconds, user + system, of the urlwatch process


def write_jobs(folder: Path, port: int, pages: int, flavour: str) -> None:
    jobs = []
    for i in range(pages):
        job = f"name: p{i}\nurl: http://127.0.0.1:{port}/p/{i}\n"
        if FILTERS[flavour]:
            job += f"filter: {FILTERS[flavour]}\n"
        jobs.append(job)
    (folder / "urls.yaml").write_text("---\n".join(jobs), encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "hooks.py").write_text("", encoding="utf-8")


def one_round(exe: str, folder: Path) -> PeerRound:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [
            exe,
            "--urls", str(folder / "urls.yaml"),
            "--config", str(folder / "config.yaml"),
            "--hooks", str(folder / "hooks.py"),
            "--cache", str(folder / "cache.db"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return PeerRound(wall, cpu)


def urlwatch_rounds(
    exe: str,
    folder: Path,
    port: int,
    pages: int,
    rounds: int,
    flavour: str,
    bump: Callable[[], None],
) -> tuple[PeerRound, list[PeerRound]]:
    """A first round (every page new to urlwatch), then ``rounds`` rounds after ``bump``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jobs(folder, port, pages, flavour)
    first = one_round(exe, folder)
    changed = []
    for _ in range(rounds):
        bump()
        changed.append(one_round(exe, folder))
    return first, changed
