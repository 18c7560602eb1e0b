"""``make demo``: replay two recorded versions of a feed and a page from a local fixture server
through the real chain, and show the digest a municipal doctor would get.

Uses a throwaway database and mail folder in a temporary directory; touches nothing else.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlmodel import Session

from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.deliver import deliver
from notifier.pipeline import check, load_sources
from notifier.plan import compose_digests, preview
from notifier.settings import Settings
from subscribers.service import add_subscriber

DATA = Path(__file__).parent / "demo_data"
CATALOGUE = """
[[source]]
key = "hdir-nyheter"
kind = "feed"
name = "Helsedirektoratet: nyheter"
authority = "helsedirektoratet"
url = "http://127.0.0.1:{port}/rss"

[[source]]
key = "hdir-smittevern-sykehjem"
kind = "page"
name = "Helsedirektoratet: Smittevern i sykehjem"
authority = "helsedirektoratet"
url = "http://127.0.0.1:{port}/smittevern-i-sykehjem"
selector = "main"
"""


def serve(version: dict[str, int]) -> ThreadingHTTPServer:
    files = {"/rss": "feed_v{}.xml", "/smittevern-i-sykehjem": "page_v{}.html"}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            name = files.get(self.path)
            if name is None:
                self.send_error(404)
                return
            body = (DATA / name.format(version["v"])).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    version = {"v": 1}
    server = serve(version)
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sources.toml").write_text(CATALOGUE.format(port=port), encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite:///{root / 'demo.db'}", data_dir=root,
            allow_private_sources=True, per_host_min_gap=0, smtp_url="",
            confirm_after_seconds=0,  # the re-check below confirms the page change at once
        )  # fmt: skip
        ctx = Context(settings=settings, engine=make_engine(settings.database_url))
        upgrade(ctx.engine)
        load_sources(ctx, root / "sources.toml")
        with Session(ctx.engine) as session:
            add_subscriber(
                session, "kommuneoverlege@eksempel.kommune.no", role="kommunelege", name="Kari",
                subtopics=["testing", "sykehjem_hjemmetjenester", "vaksinasjon"], cadence="daily",
                known_subtopics=ctx.taxonomy.slugs(),
            )  # fmt: skip
            session.commit()
        print("== first check (baseline: nobody is told)")
        for r in asyncio.run(check(ctx, everything=True)):
            print(f"   {r.key} {r.outcome} ({r.detail})")
        version["v"] = 2
        print("== second check (the sources changed)")
        for r in asyncio.run(check(ctx, everything=True)):
            print(f"   {r.key} {r.outcome} ({r.detail})")
        print("== re-check (a page change is told once a re-check finds it again)")
        for r in asyncio.run(check(ctx, everything=True)):
            print(f"   {r.key} {r.outcome} ({r.detail})")
        digest = preview(ctx, "kommuneoverlege@eksempel.kommune.no", "daily")
        print("== the daily digest for kommuneoverlege@eksempel.kommune.no\n")
        if digest is None:
            print("(nothing to send)")
        else:
            message = ctx.renderer.render(digest, ctx.clock())
            print(f"Subject: {message.subject}\n\n{message.text}")
        compose_digests(ctx, "daily")
        report = asyncio.run(deliver(ctx))
        print(f"== delivered {report.sent} message(s) as .eml into a temporary mail folder")
    server.shutdown()


if __name__ == "__main__":
    main()
