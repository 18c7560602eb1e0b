"""A fixture server for benchmarks, run in its own process so its CPU is not counted as ours.

``python -m bench.fixture_server PORT COUNT`` serves /p/<i> (ETag = version, 304 on match);
``POST /bump?every=10&offset=k`` moves every 10th page (from k) to its next version.
"""

from __future__ import annotations

import sys

from aiohttp import web

from bench.pages import page


def make_app(count: int) -> web.Application:
    versions = [0] * count
    cache: dict[tuple[int, int], bytes] = {}

    async def serve(request: web.Request) -> web.StreamResponse:
        i = int(request.match_info["i"])
        etag = f'"{versions[i]}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = cache.get((i, versions[i]))
        if body is None:
            body = cache[(i, versions[i])] = page(i, versions[i])
        return web.Response(
            body=body, content_type="text/html", charset="utf-8", headers={"ETag": etag}
        )

    async def bump(request: web.Request) -> web.Response:
        every = int(request.query.get("every", "10"))
        offset = int(request.query.get("offset", "0"))
        for i in range(offset, count, every):
            versions[i] += 1
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/p/{i}", serve)
    app.router.add_post("/bump", bump)
    return app


if __name__ == "__main__":
    web.run_app(make_app(int(sys.argv[2])), host="127.0.0.1", port=int(sys.argv[1]), print=None)
