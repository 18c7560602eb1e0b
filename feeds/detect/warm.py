"""Imported by the detection processes' fork server only (feeds/detect/processes.py): one
reading of a small page and a small feed, so that every process forked from it starts with
the readers' lazily built state (compiled patterns, caches) it would otherwise build on its
first pages, each process again. Never fails: a warm-up that cannot run leaves it cold."""

from __future__ import annotations

import contextlib

from feeds.catalogue import SourceSpec
from feeds.detect.detection import detect
from feeds.types import FetchResult

_PAGE = (
    "<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'><title>Oppvarming</title>"
    "</head><body><header><nav><a href='/'>Forside</a></nav></header><main>"
    "<h1>Råd om smittevern</h1><p>Sist oppdatert: 01.01.2026 kl. 12.00</p>"
    "<h2>Testing</h2><p>Alle nærkontakter skal testes på dag 3. Dosen er 0,5 ml.</p>"
    "<ul><li>Ring fastlegen på +47 21 07 63 48.</li><li>Skriv til post@fhi.no.</li></ul>"
    "<h2>Tabell</h2><table><tr><th>Kommune</th><th>Tall</th></tr>"
    "<tr><td>Oslo</td><td>1 245</td></tr></table></main><footer>Kontakt</footer></body></html>"
)
_FEED = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>FHI</title>"
    "<link>https://www.fhi.no/</link><description>Nyheter</description><item>"
    "<title>Ny rettleiar</title><link>https://www.fhi.no/nyheter/1?ref=rss</link>"
    "<guid>https://www.fhi.no/nyheter/1</guid><description>Om testing.</description></item>"
    "</channel></rss>"
)


def _warm() -> None:
    url = "https://www.fhi.no/oppvarming"
    for kind, body in (("page", _PAGE), ("feed", _FEED)):
        spec = SourceSpec(key="warm", kind=kind, url=url, authority="fhi", name="Oppvarming")
        first = detect(spec, FetchResult(url, 200, body.encode()), None, None)
        again = body.replace("dag 3", "dag 5").replace("testing", "isolasjon")
        detect(spec, FetchResult(url, 200, again.encode()), first.state, None)


with contextlib.suppress(Exception):
    _warm()
