"""Real ``notifier worker`` processes for the scale-out tests: started with their own
settings in the environment, killed with SIGKILL or stopped with SIGTERM, their logs kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import notifier

ROOT = Path(notifier.__file__).resolve().parents[1]


class Worker:
    """One ``python -m notifier worker`` process; its output goes to a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "notifier", "worker", "--no-catalogue"],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as a crashed machine."""
        if self.alive:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._out.close()

    def stop(self) -> int:
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._out.close()
        return self.proc.returncode

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def worker_env(database_url: str, data_dir: Path, **settings: object) -> dict[str, str]:
    """The environment of a worker: the test's database, loopback sources allowed, no host
    gap or robots.txt (the fixture server has none), quick ticks; ``settings`` override
    (``check_tick_seconds=2`` -> NOTIFIER_CHECK_TICK_SECONDS=2)."""
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "allow_private_sources": "true",
        "per_host_min_gap": 0,
        "per_host_concurrency": 8,
        "obey_robots": "false",
        "http_timeout": 10,
        "check_tick_seconds": 1,
        "deliver_tick_seconds": 1,
        "base_url": "https://varsel.example.no",
        "log_level": "INFO",
    }
    values.update(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFIER_")}
    env.update({f"NOTIFIER_{k.upper()}": str(v) for k, v in values.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextmanager
def workers(env: dict[str, str], logs: Path, count: int) -> Iterator[list[Worker]]:
    """``count`` workers, stopped (or killed) on the way out, whatever happened."""
    logs.mkdir(parents=True, exist_ok=True)
    started = [Worker(env, logs / f"worker-{i}.log") for i in range(count)]
    try:
        yield started
    finally:
        for w in started:
            if w.alive:
                w.kill()


def wait_for(what: Callable[[], bool], timeout: float, message: str, *procs: Worker) -> None:
    """Poll ``what`` until it holds; fail with ``message`` (and the workers' logs) if it
    does not within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {w.log.name}\n{w.output()[-3000:]}" for w in procs)
    raise AssertionError(f"{message} (waited {timeout:.0f} s)\n{logs}")
