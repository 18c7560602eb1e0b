"""Red team, round 7: how much of a request body a stranger can make us read.

Starlette's form parser bounds one field (1 MiB) and the number of fields (1,000), not the
body: a POST to the public sign-up form or the staff login, anonymous and without a valid CSRF
field, was read whole before the CSRF check refused it (a gigabyte of fields kept in memory,
or a thousand file parts of any size spooled to disk); the staff API read any body before it
checked the caller's token, and JSON nested deeper than the parser recurses ended a token
holder's request in a server error. Through the real app over ASGI (httpx) on SQLite, with
bodies streamed so the test counts what the app pulled:

- a body past the limit is read no further than the limit (plus the chunk that passed it),
  urlencoded fields or a multipart file part alike, and answered by a Norwegian 413 page;
- a declared ``Content-Length`` past the limit is refused before a byte is read;
- the staff API answers an anonymous request 401 without reading its body, and the API's
  413 is its Norwegian JSON error;
- deeply nested JSON from a token holder is ``body_invalid`` (400), not a 500;
- through a real uvicorn (as ``notifier serve`` serves it), a declared length of ten gigabytes
  with no body behind it is answered at once, and a chunked body is cut off at the limit.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from notifier.context import Context
from notifier.web import create_app
from notifier.web.app import MAX_REQUEST_BODY
from tests.security.test_access import _Uvicorn
from tests.support.api import add_change, bearer, make_token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CHUNK = 64 * 1024
#: what a stranger sends: far past the limit, a tenth of what the old parser would keep
TOTAL = 24 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
SUPPRESS = "/api/v1/staff/changes/{id}/suppress"


class Counted:
    """A request body of ``TOTAL`` bytes in ``CHUNK``-sized chunks made by ``make``; ``sent``
    is how many bytes the app pulled."""

    def __init__(self, make: Callable[[int], bytes]) -> None:
        self.make = make
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(TOTAL // CHUNK):
            chunk = self.make(i)
            self.sent += len(chunk)
            yield chunk


def fields(i: int) -> bytes:
    """Urlencoded fields, each under Starlette's 1 MiB per field."""
    head = b"&f%d=" % i
    return head + b"x" * (CHUNK - len(head))


def file_part(i: int) -> bytes:
    """One multipart file part that never ends (Starlette spools it to disk)."""
    if i == 0:
        head = b'--zz\r\nContent-Disposition: form-data; name="fil"; filename="a.bin"\r\n\r\n'
        return head + b"x" * (CHUNK - len(head))
    return b"x" * CHUNK


BODIES = {"fields": (fields, FORM), "file": (file_part, "multipart/form-data; boundary=zz")}


def client_of(ctx: Context) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(ctx), client=("198.51.100.77", 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


@pytest.mark.parametrize("path", ["/abonner", "/staff/login"])
@pytest.mark.parametrize("kind", sorted(BODIES))
async def test_a_form_body_past_the_limit_is_read_no_further(
    ctx: Context, path: str, kind: str
) -> None:
    make, content_type = BODIES[kind]
    body = Counted(make)
    async with client_of(ctx) as client:
        answer = await client.post(path, content=body, headers={"content-type": content_type})
    assert answer.status_code == 413, (answer.status_code, body.sent)
    assert body.sent <= MAX_REQUEST_BODY + CHUNK, body.sent
    assert "Skjemaet er for stort" in answer.text and 'lang="nb"' in answer.text
    assert "Traceback" not in answer.text and "exceeded" not in answer.text


@pytest.mark.parametrize("path", ["/abonner", "/staff/login", SUPPRESS.format(id=1)])
async def test_a_declared_length_past_the_limit_is_refused_unread(ctx: Context, path: str) -> None:
    body = Counted(fields)
    headers = {"content-type": FORM, "content-length": str(10 * 1024**3)}
    async with client_of(ctx) as client:
        answer = await client.post(path, content=body, headers=headers)
    assert body.sent == 0, (path, answer.status_code, body.sent)
    if path.startswith("/api/"):
        assert answer.status_code == 401  # the token is checked before the body is read
    else:
        assert answer.status_code == 413 and "Skjemaet er for stort" in answer.text


async def test_the_staff_api_reads_no_body_before_the_token(ctx: Context) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    body = Counted(fields)
    async with client_of(ctx) as client:
        answer = await client.post(
            SUPPRESS.format(id=held), content=body, headers={"content-type": "application/json"}
        )
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "token_missing"
    assert body.sent == 0, body.sent


async def test_a_token_holders_body_past_the_limit_is_the_api_s_413(ctx: Context) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    token = make_token(ctx, "kari@fhi.no")
    body = Counted(lambda i: b" " * CHUNK)
    headers = {"content-type": "application/json", **bearer(token)}
    async with client_of(ctx) as client:
        answer = await client.post(SUPPRESS.format(id=held), content=body, headers=headers)
    assert answer.status_code == 413, answer.text
    error = answer.json()["error"]
    assert error["code"] == "body_too_large" and error["message"] and error["message_nn"]
    assert body.sent <= MAX_REQUEST_BODY + CHUNK


@pytest.mark.parametrize("depth", [100_000, 500_000])
async def test_deeply_nested_json_is_body_invalid_not_a_server_error(
    ctx: Context, depth: int
) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    token = make_token(ctx, "kari@fhi.no")
    nested = b'{"reason": ' + b"[" * depth + b"]" * depth + b"}"
    async with client_of(ctx) as client:
        answer = await client.post(
            SUPPRESS.format(id=held), content=nested,
            headers={"content-type": "application/json", **bearer(token)},
        )  # fmt: skip
    assert answer.status_code == 400, answer.text[:200]
    assert answer.json()["error"]["code"] == "body_invalid"


# ------------------------------------------------------------------ through a real server


def exchange(port: int, head: bytes, body: bytes = b"", timeout: float = 5.0) -> bytes:
    """``head`` (and ``body``) on one connection to 127.0.0.1; all the server answers, or
    what it answered until ``timeout`` passed without a byte."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(head)
        with contextlib.suppress(OSError):
            conn.sendall(body)
        data = b""
        with contextlib.suppress(OSError):
            while chunk := conn.recv(65536):
                data += chunk
    return data


def request_head(path: str, *fields: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: varsel.example.no", f"Content-Type: {FORM}"]
    return "\r\n".join([*lines, *fields, "Connection: close", "", ""]).encode()


def test_a_real_server_answers_a_huge_declared_length_without_waiting_for_it(
    ctx: Context,
) -> None:
    """A client that declares ten gigabytes and sends nothing more (a slow body) gets its
    413 at once: before, the connection was held until the body came."""
    server = _Uvicorn(create_app(ctx))
    try:
        started = time.monotonic()
        answer = exchange(server.port, request_head("/abonner", "Content-Length: 10737418240"))
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 2.5
        assert b"Skjemaet er for stort" in answer
    finally:
        server.stop()


def test_a_real_server_stops_reading_a_chunked_body_at_the_limit(ctx: Context) -> None:
    """A chunked body (no length declared) of 16 MiB: the answer is 413 after the limit."""
    server = _Uvicorn(create_app(ctx))
    try:
        chunk = b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n"
        head = request_head("/staff/login", "Transfer-Encoding: chunked")
        answer = exchange(server.port, head, chunk * (16 * 1024 * 1024 // CHUNK))
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    finally:
        server.stop()
