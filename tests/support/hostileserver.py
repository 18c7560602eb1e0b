"""A hostile HTTP server on 127.0.0.1: answers that never end, for the parsing and fetching
limits. Each path names a behaviour:

- ``/endless``: 200, chunked, 64 KiB of HTML text after 64 KiB, until the client hangs up;
- ``/endless-gzip``: the same, gzip-encoded (a stream that inflates forever);
- ``/drip``: 200 with a Content-Length of 1 MiB, then one byte every 0.2 s;
- ``/silent``: accepts the request and never answers;
- ``/endless-header``: a status line, then one header line that never ends;
- ``/moved``: 307 to ``target`` (a redirect a client must not follow).

GET and POST alike (a POST's body is read first: a push service's answers). ``hits`` counts
the requests per path, ``requests`` lists their paths in order, ``sent`` counts the bytes
of the endless bodies sent. Writer threads stop when the client closes the connection or the
server stops.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.httpserver import POLL

CHUNK = b"<p>" + b"Smittevern og tiltak. " * 2900 + b"</p>\n"  # about 64 KiB


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: HostileServer

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.do_GET()

    def do_GET(self) -> None:
        owner = self.owner
        owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
        owner.requests.append(self.path)
        with suppress(OSError):  # the client hung up (broken pipe, reset, timeout)
            getattr(self, "_" + self.path.strip("/").replace("-", "_"), self._missing)()

    def _missing(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _chunks(self, make: Iterator[bytes], encoding: str | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        for data in make:
            if self.owner.stopping.is_set():
                return
            if data:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.owner.sent += len(data)

    def _endless(self) -> None:
        self._chunks(_forever(), None)

    def _endless_gzip(self) -> None:
        self._chunks(_gzip_forever(), "gzip")

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(1 << 20))
        self.end_headers()
        while not self.owner.stopping.wait(0.2):
            self.wfile.write(b"x")
            self.wfile.flush()

    def _moved(self) -> None:
        self.send_response(307)
        self.send_header("Location", self.owner.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _silent(self) -> None:
        self.owner.stopping.wait(30)

    def _endless_header(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Endless: ")
        while not self.owner.stopping.is_set():
            self.wfile.write(b"a" * 65536)


class HostileServer:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.requests: list[str] = []
        self.sent = 0
        self.target = ""  # where /moved points
        self.stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True
        ).start()

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def _forever() -> Iterator[bytes]:
    yield b"<html><body><main><h1>Uendelig</h1>"
    while True:
        yield CHUNK


def _gzip_forever() -> Iterator[bytes]:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    yield squeeze.compress(b"<html><body><main><h1>Uendelig</h1>")
    zeros = b" " * (1 << 20)
    while True:  # 1 MiB of spaces compresses to about 1 KiB
        yield squeeze.compress(zeros) + squeeze.flush(zlib.Z_SYNC_FLUSH)
        time.sleep(0)


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    try:
        yield server
    finally:
        server.stop()
