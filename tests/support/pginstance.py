"""A PostgreSQL server of a test's own, that the test may crash and start again.

The suite's shared server (127.0.0.1:5432) serves other tests at the same time (pytest-xdist)
and is never restarted. A test that must see PostgreSQL go away makes its own: ``initdb``
into a temporary folder, the server on a free port of 127.0.0.1 (no Unix socket), no fsync.
Commits stay synchronous, as in production: a crash of the server (its processes killed)
loses nothing it acknowledged, since the operating system keeps what was written without
fsync. With ``synchronous_commit=off`` it would lose its last acknowledged commits, a loss no
service can make up for (the chaos test then saw changes lost and their ids given again).
``stop()`` is a crash by default (``pg_ctl stop -m immediate``: every backend killed, no
checkpoint; the next start recovers from the WAL), ``start()`` starts it again on the same
port and data.

PostgreSQL refuses to run as root: run by root, every command runs as the ``postgres`` user
(``runuser -u postgres --``). ``unavailable()`` says why none can be made here (no
PostgreSQL binaries, root without a ``postgres`` user); the tests skip with that reason.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: where Debian's and Ubuntu's packages put the server's programs (newest first)
BINDIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)[::-1]
USER = "postgres"


def bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: the newest packaged version, else ``PATH``."""
    for folder in BINDIRS:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    return None


def _runas() -> list[str]:
    """The command prefix that runs a server program as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", USER, "--"]


def unavailable() -> str | None:
    """Why no private PostgreSQL can be made on this machine (None: it can)."""
    if bindir() is None:
        return "no PostgreSQL server programs (initdb, pg_ctl) under /usr/lib/postgresql or on PATH"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return "running as root and there is no 'postgres' user to run a private PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root without runuser to start a private PostgreSQL as 'postgres'"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgInstance:
    """One private server: its folder, port and programs."""

    root: Path
    port: int
    programs: Path
    #: crashes and starts so far (for the tests' messages)
    stops: int = 0
    starts: int = 0
    running: bool = field(default=False, init=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [*_runas(), str(self.programs / args[0]), *args[1:]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({done.returncode}): "
                f"{done.stdout[-1000:]}{done.stderr[-1000:]}\n{self.log()[-2000:]}"
            )

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        """Start the server (after a crash: it recovers first) and wait until it answers."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
            "-o", options,
        )  # fmt: skip
        self.running = True
        self.starts += 1

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: ``immediate`` is a crash (backends killed, no checkpoint);
        ``fast`` a clean shutdown that ends every session."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")
        self.running = False
        self.stops += 1

    def log(self) -> str:
        try:
            return self.logfile.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


@contextlib.contextmanager
def pg_instance() -> Iterator[PgInstance]:
    """A private server, started; crashed and removed on the way out. Call only when
    ``unavailable()`` is None."""
    programs = bindir()
    assert programs is not None, unavailable()
    root = Path(tempfile.mkdtemp(prefix="notifier-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam(USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    server = PgInstance(root, free_port(), programs)
    try:
        server.init()
        for attempt in range(3):  # the free port may be taken before the server binds it
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                server.port = free_port()
        yield server
    finally:
        if server.running:
            with contextlib.suppress(Exception):
                server.stop()
        shutil.rmtree(root, ignore_errors=True)
