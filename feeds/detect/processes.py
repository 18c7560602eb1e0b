"""Detection in processes of its own: reading a fetched page or feed and comparing it with the
last snapshot (and classifying the changes found), beside the process that fetches and stores
(``NOTIFIER_DETECT_PROCESSES``; 0, the default: in the checking process).

Parsing and diffing are CPU work that holds the interpreter lock: in one process a check round
is bound to one core (a first round of 1,000 pages of 100 KB spends ~75 % of its CPU in
``detect``, bench.check_round). ``DetectProcesses`` runs ``detect`` in processes of its own,
so a round uses more cores, and what a hostile page costs (time, memory, a crash of the
parser) is paid by a process that is replaced, never by the service:

- what crosses to a process is small: the source, the response and the last snapshot's
  *packed* state (``feeds.store.snapshot``, ~25 KB for a 100 KB page); the snapshot is
  unpacked in the process;
- what comes back is the ``Detection``, its sections compressed only (``packed_only``): the
  storing side joins bytes, and unpickles a quarter of what text and packed copy would be;
- with the chain's classifier (``feeds.classify.shipped.SHIPPED``, sent by name), the changes
  found are classified there too and come back tagged (``detect_tagged``), so the checking
  process only fetches and stores: classification was ~20 % of its CPU in a changed round
  with two processes (bench.check_round). A classifier that fails there leaves its changes
  to be classified in the checking process, where its failure is its source's, as before;
- a process takes up to ``DEPTH`` detections at a time through a widened pipe (the next waits
  there while it reads one) and answers on another pipe that the event loop watches: no
  thread of its own in the checking process;
- each process may map at most ``MEMORY_LIMIT_BYTES``: a body that would take more is a
  ``MemoryError``, a problem of its own source; it runs at a lower priority (``NICENESS``);
- a detection still running after ``TIMEOUT_SECONDS`` is stopped, its process killed; a
  process that dies (the OOM killer, a crash in a C parser) takes only the detection it was
  reading with it (a ``SourceProblem`` of that source): those waiting behind it are sent
  again to a fresh process, and the round goes on.

This isolates failures, not privileges: a process runs as the same user, with the same
environment, and what it sends back is unpickled here. A parser flaw that lets a page run code
would run it with the service's rights either way; run the service as an unprivileged user
(the Docker image does).

The processes are forks of a fork server (``multiprocessing``'s "forkserver") that imported
the readers once, never of the service with its threads and database connections. One pool
per process count is shared by every round in a process (``shared``); the service starts it
at start (``notifier.pipeline.preload``), a command on its first detection.

What it buys, measured (bench.check_round, 2 cores, alternated runs; docs/benchmarks.md): a
first round of 1,000 pages in ~4.7 s against ~6.2 s (-25 %); a changed round whose checking
process only fetches and stores (classification, ~20 % of its CPU there, runs here too), ~5x
the bare fetch where cores were free, but no faster on 2 cores busy with other work, where
the processes add ~5-15 % of CPU; each process ~55 MB (PSS; ~95 MB RSS, partly shared with the
fork server). So it is off by default: on a small or busy machine a worker's steady state
gains nothing measurable for its memory; with cores to spare, a large first round or a
re-baseline after an extraction change gains, and a time limit on reading comes with it.

Sources that follow links (documents, pages with PDF attachments) are read in the checking
process: their parts are fetched with what the unpacked last version knows of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import weakref
from collections import deque
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from feeds.detect.detection import DEFAULT_RULES, DetectedChange, Detection, HoldRules, detect
from feeds.errors import SourceProblem
from feeds.store.snapshot import StoredState, packed_only, stored_state

if TYPE_CHECKING:
    from collections.abc import Callable

    from feeds.catalogue import SourceSpec
    from feeds.classify import Classification
    from feeds.types import FetchResult

    #: classifies one detected change of one source (``feeds.check.Classifier``)
    Classifier = Callable[[SourceSpec, DetectedChange], Classification]

#: one detected change with its classification: subtopics, regions, urgent, reasons (what
#: ``feeds.store.versions`` stores)
Tagged = tuple[DetectedChange, list[str], list[str], bool, list[str]]

log = logging.getLogger(__name__)

#: the address space one detection process may map: ~10x what reading the largest body the
#: fetcher accepts takes, and far below what would starve the machine
MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024
#: detection processes run at this lower priority (``nice``): when the cores are busy, the
#: checking process (its fetches and timeouts; under ``notifier run`` the web app too) goes
#: first, and reading takes what is left
NICENESS = 10
#: the pipes' size, where the system allows (``_widen``)
PIPE_BYTES = 1024 * 1024
#: detections sent to one process at a time: the next waits in its pipe while it reads one,
#: so it never idles until the checking process, busy with its own work, reads the answer
#: (with one at a time a changed round's detections took ~2.5x their CPU time in wall time)
DEPTH = 2
#: a detection still running after this many seconds is stopped (its process killed): a
#: well-formed 10 MB feed takes ~10 s (feeds/check.py)
TIMEOUT_SECONDS = 120.0


def _limit_memory() -> None:
    """The initializer of every detection process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT_BYTES)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def detect_packed(
    spec: SourceSpec,
    result: FetchResult,
    stored: StoredState,
    accept_collapse: str | None,
    rules: HoldRules = DEFAULT_RULES,
) -> Detection:
    """``detect`` on the stored (packed) last state, as it runs in a detection process: the
    new version's sections are compressed here, and travel back compressed only."""
    detection = detect(spec, result, stored_state(stored), accept_collapse, (), rules)
    state = detection.state
    if state is None or state.page is None:
        return detection
    page = replace(state.page, sections=tuple(map(packed_only, state.page.sections)))
    return replace(detection, state=replace(state, page=page))


def tagged(classifier: Classifier, spec: SourceSpec, change: DetectedChange) -> Tagged:
    """One change with its classification, as it is stored."""
    c = classifier(spec, change)
    reasons = [f"{t.slug}: {t.reason}" for t in c.subtopics]
    reasons += [f"{r.code}: {r.reason}" for r in c.regions]
    reasons += [f"haster: {r}" for r in c.urgent_reasons]
    return change, list(c.subtopic_slugs), list(c.region_codes), c.urgent, reasons


def detect_tagged(
    spec: SourceSpec,
    result: FetchResult,
    stored: StoredState,
    accept_collapse: str | None,
    rules: HoldRules = DEFAULT_RULES,
    classifier: Classifier | None = None,
) -> tuple[Detection, list[Tagged] | None]:
    """``detect_packed``, and its changes classified by ``classifier``: one ``Tagged`` a
    change, in order; None without a classifier, or when it failed (the checking process
    classifies them again, and a failure there is its source's)."""
    detection = detect_packed(spec, result, stored, accept_collapse, rules)
    if classifier is None:
        return detection, None
    try:
        return detection, [tagged(classifier, spec, c) for c in detection.changes]
    except Exception:  # noqa: BLE001 - classified again in the checking process
        return detection, None


class DetectProcesses:
    """``processes`` detection processes (see the module's text). Each takes its detections
    from a pipe in the order sent, up to ``DEPTH`` at a time (the next one waits in its pipe
    while it reads one), and answers on another that the event loop watches: no thread of
    its own in this process, and what comes back is unpickled where it is used."""

    def __init__(self, processes: int, timeout: float = TIMEOUT_SECONDS) -> None:
        if processes < 1:
            raise ValueError("DetectProcesses needs at least one process")
        self.processes = processes
        self.timeout = timeout
        self._all: list[_Process] = []
        self._lock = threading.Lock()
        #: detections handed over and not back yet, per event loop (a round's loop)
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._slots = weakref.WeakKeyDictionary()

    def start(self) -> None:
        """Start the processes now (the service does at start; else the first detection)."""
        with self._lock:
            while len(self._all) < self.processes:
                self._all.append(_Process.started())

    async def detect(
        self,
        spec: SourceSpec,
        result: FetchResult,
        stored: StoredState,
        accept_collapse: str | None,
        rules: HoldRules = DEFAULT_RULES,
    ) -> Detection:
        """``detect_packed`` in one of the processes. A detection under which its process dies,
        or that takes longer than ``timeout`` (its process is killed), is its source's
        problem; the detections that waited behind it are sent again to a fresh process."""
        detection, _ = await self.detect_tagged(spec, result, stored, accept_collapse, rules)
        return detection

    async def detect_tagged(
        self,
        spec: SourceSpec,
        result: FetchResult,
        stored: StoredState,
        accept_collapse: str | None,
        rules: HoldRules = DEFAULT_RULES,
        classifier: Classifier | None = None,
    ) -> tuple[Detection, list[Tagged] | None]:
        """``detect_tagged`` in one of the processes (as ``detect``): ``classifier`` must
        pickle small (``feeds.classify.shipped.SHIPPED`` goes by name)."""
        self.start()
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.processes * DEPTH)
        async with slots:
            request = (spec, result, stored, accept_collapse, rules, classifier)
            payload = pickle.dumps(request, protocol=5)
            answer = await self._ask(loop, payload)
        outcome, value = pickle.loads(answer)
        if outcome == "error":
            raise value
        detection, tags = value
        assert isinstance(detection, Detection)
        return detection, tags

    async def _ask(self, loop: asyncio.AbstractEventLoop, payload: bytes) -> bytes:
        while True:
            with self._lock:
                process = min(self._all, key=lambda p: len(p.waiting))
            if not process.serves(loop):  # detections of a loop that is gone: out of step
                self._replace(process)
                continue
            try:
                answer = process.send(loop, payload)
                return await asyncio.wait_for(answer, self.timeout)
            except _Again:
                continue  # its process was lost under the detection before it: a fresh one
            except TimeoutError:
                self._replace(process)
                raise SourceProblem(_lost(True, self.timeout)) from None
            except _Lost:
                self._replace(process)
                raise SourceProblem(_lost(False, self.timeout)) from None

    def _replace(self, broken: _Process) -> None:
        with self._lock:
            if broken not in self._all:
                return
            self._all.remove(broken)
        broken.stop()
        self.start()

    def usage(self) -> list[ProcessUsage]:
        """CPU time and peak memory of each running detection process, read from /proc
        (Linux; empty elsewhere, and before the first detection): for benchmarks, which
        would otherwise count the checking process alone."""
        with self._lock:
            pids = [p.process.pid for p in self._all if p.process.pid is not None]
        return [u for u in map(_usage_of, pids) if u is not None]

    def close(self) -> None:
        with self._lock:
            processes, self._all = self._all, []
        for process in processes:
            process.stop()


class _Lost(Exception):
    """A detection process closed its pipe under this detection: it died."""


class _Again(Exception):
    """A detection process died under the detection before this one: send this one again."""


def _lost(timed_out: bool, timeout: float) -> str:
    if timed_out:
        return (
            f"reading this source took longer than {timeout:.0f} s and was stopped; the last "
            "version is kept. Check the page by hand: it may be far larger than usual"
        )
    return (
        "reading this source stopped the process that read it (out of memory or a crash of "
        "the parser); the last version is kept. Check the page by hand; if it is far larger "
        "than usual, it may be broken at its end"
    )


@dataclass
class _Process:
    process: BaseProcess
    #: requests go out on ``out``, answers come back on ``conn``, in the same order
    out: Connection
    conn: Connection
    #: the answers awaited, oldest first, and the loop that awaits them
    waiting: deque[asyncio.Future[bytes]] = field(default_factory=deque)
    loop: asyncio.AbstractEventLoop | None = None
    #: its pipe closed: it takes nothing more
    dead: bool = False

    @classmethod
    def started(cls) -> _Process:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "feeds.detect.warm", "feeds.classify.warm"])
        inbox, out = context.Pipe(duplex=False)
        conn, answers = context.Pipe(duplex=False)
        for end in (out, answers):
            _widen(end)
        process = context.Process(target=_serve, args=(inbox, answers), daemon=True, name="detect")
        process.start()
        inbox.close()
        answers.close()
        return cls(process, out, conn)

    def serves(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether a detection of ``loop`` may be sent: it is alive, and no detection of
        another loop is awaited."""
        return not self.dead and (not self.waiting or self.loop is loop)

    def send(self, loop: asyncio.AbstractEventLoop, payload: bytes) -> asyncio.Future[bytes]:
        """Send one detection; its answer is the future's result. A future cancelled (its
        round was) still takes its answer off the pipe when it comes, so the pipe stays in
        step."""
        answer: asyncio.Future[bytes] = loop.create_future()
        if not self.waiting:
            self.loop = loop
            loop.add_reader(self.conn.fileno(), self._readable)
        self.waiting.append(answer)
        try:
            self.out.send_bytes(payload)
        except OSError:
            self._fail()
        return answer

    def _readable(self) -> None:
        try:
            data = self.conn.recv_bytes()
        except (EOFError, OSError):
            self._fail()
            return
        answer = self.waiting.popleft()
        if not answer.done():
            answer.set_result(data)
        if not self.waiting and self.loop is not None:
            self.loop.remove_reader(self.conn.fileno())

    def _fail(self, lost_head: bool = True) -> None:
        """The process is gone: the oldest detection died with it (``lost_head``; not when
        it was stopped from outside, whose caller says why), the others are sent again."""
        self.dead = True
        if self.loop is not None and self.waiting:
            with contextlib.suppress(ValueError, OSError, RuntimeError):
                self.loop.remove_reader(self.conn.fileno())
        for i, answer in enumerate(self.waiting):
            if not answer.done():
                answer.set_exception(_Lost() if i == 0 and lost_head else _Again())
        self.waiting.clear()

    def stop(self) -> None:
        self._fail(lost_head=False)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        for end in (self.out, self.conn):
            with contextlib.suppress(OSError):
                end.close()


def _serve(inbox: Connection, conn: Connection) -> None:
    """A detection process: one detection at a time, in the order sent, until its pipe
    closes."""
    _limit_memory()
    os.nice(NICENESS)
    # the modules the fork server imported live as long as this process: out of the garbage
    # collector's walk, as the service's own are (``notifier.pipeline.preload``)
    gc.collect()
    gc.freeze()
    # Ctrl-C in a terminal reaches the whole process group: the checking process shuts
    # down, and this one ends when its pipe closes (or is ended by it), without a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            request = inbox.recv_bytes()
        except (EOFError, OSError):
            return
        answer: tuple[str, object]
        try:
            answer = ("ok", detect_tagged(*pickle.loads(request)))
        except Exception as exc:  # noqa: BLE001 - every failure is the source's, sent back
            answer = ("error", exc)
        del request
        try:
            data = pickle.dumps(answer, protocol=5)
        except Exception as exc:  # noqa: BLE001 - an error that does not pickle, as text
            data = pickle.dumps(("error", SourceProblem(f"{type(answer[1]).__name__}: {exc}")))
        del answer
        try:
            conn.send_bytes(data)
        except OSError:  # the checking process is gone
            return


def _widen(end: Connection) -> None:
    """A pipe that holds a whole request or answer (a 100 KB page, ~30 KB back) where the
    system allows (Linux: up to /proc/sys/fs/pipe-max-size, 1 MB by default): one write each,
    where a 64 KB pipe made every write wait for the other side to read."""
    size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(end.fileno(), size, PIPE_BYTES)


@dataclass(frozen=True)
class ProcessUsage:
    pid: int
    cpu_seconds: float  # user and system
    peak_rss_bytes: int


def _usage_of(pid: int) -> ProcessUsage | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    peak = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
    return ProcessUsage(pid, cpu, int(peak) * 1024)


_shared: dict[int, DetectProcesses] = {}
_shared_lock = threading.Lock()


def shared(processes: int) -> DetectProcesses | None:
    """The process's pool of ``processes`` detection processes, made on first use; None for
    0 (detection in the check's own process)."""
    if processes < 1:
        return None
    with _shared_lock:
        if processes not in _shared:
            _shared[processes] = DetectProcesses(processes)
        return _shared[processes]
