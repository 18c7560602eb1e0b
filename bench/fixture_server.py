"""A fixture server for benchmarks, run in its own process so its CPU is not counted as ours.

``python -m bench.fixture_server PORT COUNT`` serves /p/<i> (ETag = version, 304 on match);
``POST /bump?every=10&offset=k`` moves every 10th page (from k) to its next version.

Every page's current version is built before the server listens, and a bumped page's next
version before the bump answers: building a ~100 KB page costs the server ~3.4 ms, and built
on the first request it was paid on the machine's shared cores by whichever client asked
first. notifier's rounds ran first (its first round paid ~3.4 s of the server's CPU for 1,000
pages, a changed round ~0.34 s), and the bare fetch and urlwatch that followed were served
from the cache, which made notifier's ratios to them look worse than they are.
"""

from __future__ import annotations

import sys

from aiohttp import web

from bench.pages import page


def make_app(count: int) -> web.Application:
    versions = [0] * count
    bodies = [page(i, 0) for i in range(count)]  # each page's current version

    async def serve(request: web.Request) -> web.StreamResponse:
        i = int(request.match_info["i"])
        etag = f'"{versions[i]}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=bodies[i], content_type="text/html", charset="utf-8", headers={"ETag": etag}
        )

    async def bump(request: web.Request) -> web.Response:
        every = int(request.query.get("every", "10"))
        offset = int(request.query.get("offset", "0"))
        for i in range(offset, count, every):
            versions[i] += 1
            bodies[i] = page(i, versions[i])
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/p/{i}", serve)
    app.router.add_post("/bump", bump)
    return app


if __name__ == "__main__":
    web.run_app(make_app(int(sys.argv[2])), host="127.0.0.1", port=int(sys.argv[1]), print=None)
