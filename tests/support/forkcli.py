"""Run the real ``notifier`` command line for many environments at the cost of one start-up.

``python -m tests.support.forkcli`` reads JSON ``[{"env": {...}, "args": [...], "cwd": "..."}]``
on stdin, imports ``notifier.cli`` once, and runs each case in a forked child with that exact
environment (os.environ replaced), its own standard output and error (files), and
``sys.argv`` as typed; it writes ``[{"code", "stdout", "stderr"}]`` as JSON. The child is the
real CLI in its own process (exit code, file descriptors 1 and 2), only without paying the
import of every module again (~1.6 s each)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from typing import IO, Any


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        return _fork(case, out, err)


def _fork(case: dict[str, Any], out: IO[bytes], err: IO[bytes]) -> dict[str, Any]:
    pid = os.fork()
    if pid == 0:  # the child: the command line, as `notifier <args>` would run it
        code = 70
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            os.environ.clear()
            os.environ.update(case["env"])
            os.chdir(case["cwd"])
            sys.argv = ["notifier", *case["args"]]
            from notifier.cli import app

            try:
                app(prog_name="notifier")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback, exit code 1
                traceback.print_exc()
                code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    out.seek(0)
    err.seek(0)
    return {
        "code": os.waitstatus_to_exitcode(status),
        "stdout": out.read().decode("utf-8", "replace"),
        "stderr": err.read().decode("utf-8", "replace"),
    }


def main() -> None:
    import notifier.cli  # noqa: F401  (imported once, before the forks)

    cases = json.load(sys.stdin)
    json.dump([run_case(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
