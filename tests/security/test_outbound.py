"""Issue 8, class 4: the outbound gate. Every spelling of this machine's address is refused
with private addresses refused, on every path a request takes (a catalogue entry, a
redirect, a robots.txt redirect, a document's chapter link, a PDF attachment), and the
fixture server on 127.0.0.1 receives no request for it. The connect-time check is attacked on
its own (with the URL check switched off) to show it stands by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import Session

from feeds.catalogue import SourceSpec, parse_catalogue
from feeds.errors import BlockedAddressError, CatalogueError, UnsafeURLError
from feeds.fetch.client import Fetcher, FetchPolicy
from feeds.fetch.netguard import (
    OutboundGate,
    RefusedPeerError,
    canonical_host,
    canonical_request_url,
    is_internal_address,
)
from feeds.fetch.parts import fetch_linked
from feeds.store.sources import upsert_sources
from feeds.types import FetchResult
from notifier.context import Context
from notifier.db import make_engine, upgrade
from notifier.pipeline import check
from tests.conftest import make_settings
from tests.support.httpserver import FixtureServer, serving

HTML = {"Content-Type": "text/html; charset=utf-8"}
SECRET = "/secret"

#: hosts that all reach (or mean) this machine; each must be refused
LOOPBACK_HOSTS = [
    "１２７.0.0.1",  # full-width digits
    "127。0。0。1",  # ideographic full stops
    "127．0．0．1",  # full-width full stops
    "127｡0｡0｡1",  # half-width ideographic full stops
    "１２７。０。０。１",  # both
    "①②⑦.0.0.1",  # circled digits (NFKC)
    "127.0.0.1\u200b",  # a zero-width space, dropped by UTS 46
    "2130706433",  # one decimal integer
    "0x7f000001",  # one hex integer
    "0x7f.1",  # hex, short form
    "0x7F.0.0.1",
    "0177.0.0.1",  # octal
    "0177.0.0.01",
    "127.000.000.001",
    "127.1",  # short form
    "127.0.1",
    "127.0.0.1.",  # a final dot
    "0",  # 0.0.0.0 (reaches this machine on Linux)
    "0.0.0.0",
    "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::127.0.0.1]",  # IPv4-compatible IPv6
    "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
    "[::1]",
    "[::]",
    "localhost",
    "localhost.",
    "LOCALHOST",
    "ｌｏｃａｌｈｏｓｔ",  # full-width letters
    "a.localhost",
]
#: the spellings that are not the allowlisted first hop ("localhost") of the tests below
NOT_LOCALHOST = [h for h in LOOPBACK_HOSTS if canonical_host(h) != "localhost"]
#: URLs refused for their form, whatever their host: they never reach any host
MALFORMED = [
    "http://evil@127.0.0.1:{port}/secret",  # credentials
    "http://www.fhi.no@127.0.0.1:{port}/secret",
    "http://user:pass@127.0.0.1:{port}/secret",
    "http://a.example\\@127.0.0.1:{port}/secret",  # backslash (browsers read '/')
    "http://127.0.0.1:{port}\\secret",
    "http://127.0.0.1\t:{port}/secret",  # control characters (urlsplit drops them)
    "http://127.0.0.1:{port}/sec\nret",
    "http://127%2e0%2e0%2e1:{port}/secret",  # percent-encoded host
    "http://[::1%25lo]:{port}/secret",  # IPv6 zone
    "http://08.0.0.1:{port}/secret",  # not a valid octal number
    "http://1.2.3.4.5:{port}/secret",
    "http://4294967296:{port}/secret",  # out of range
    "ftp://127.0.0.1:{port}/secret",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/secret",
]


def at(host: str, port: str, path: str = SECRET) -> str:
    return f"http://{host}:{port}{path}"


def port_of(http: FixtureServer) -> str:
    return http.base.rsplit(":", 1)[1]


def secret_requests(http: FixtureServer) -> list[str]:
    return [path for path, _headers in http.requests if path.startswith(SECRET)]


def wire(value: str) -> str:
    """A header value as UTF-8 on the wire (what a hostile server sends; the fixture server
    writes header strings as Latin-1)."""
    return value.encode("utf-8").decode("latin-1")


def closed(*allow: str) -> FetchPolicy:
    """Private addresses refused; only the named hosts exempt (to let a first hop through)."""
    return FetchPolicy(
        allow_private=False,
        per_host_min_gap=0,
        timeout_seconds=2.0,
        private_allowlist=frozenset(allow),
    )


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    """One fixture server for the module (stopping one takes half a second)."""
    with serving() as started:
        yield started


@pytest.fixture
def served(server: FixtureServer) -> FixtureServer:
    """The loopback server holding a secret, with no request received yet."""
    server.routes.clear()
    server.requests.clear()
    server.set(SECRET, "internal secret", headers=HTML)
    server.set(SECRET + ".pdf", "%PDF-1.4 secret", headers={"Content-Type": "application/pdf"})
    return server


# ----------------------------------------------------------------------------- pure


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_every_spelling_of_this_machine_canonicalises_to_an_internal_host(host: str) -> None:
    canonical = canonical_host(host)
    assert canonical in ("localhost", "a.localhost") or is_internal_address(canonical)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("ÆØÅ.no", "xn--5cab8c.no"),
        ("æøå.NO", "xn--5cab8c.no"),
        ("XN--5CAB8C.NO", "xn--5cab8c.no"),
        ("tromsø.kommune.no", "xn--troms-zua.kommune.no"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("ｗｗｗ。ｆｈｉ。ｎｏ", "www.fhi.no"),
        ("www.Helsedirektoratet.NO.", "www.helsedirektoratet.no"),
        ("api.helsedirektoratet.no", "api.helsedirektoratet.no"),
        ("8.8.8.8", "8.8.8.8"),
        ("0x08.0x08.0x08.0x08", "8.8.8.8"),
        ("134744072", "8.8.8.8"),
        ("[2A00:1450:4010:0000::1]", "2a00:1450:4010::1"),
    ],
)
def test_legitimate_hosts_canonicalise(host: str, expected: str) -> None:
    assert canonical_host(host) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ÆØÅ.no:8443/a/æ?b=1#c", "https://xn--5cab8c.no:8443/a/æ?b=1#c"),
        ("HTTPS://WWW.FHI.NO/Nyheter/?Q=A", "https://www.fhi.no/Nyheter/?Q=A"),
        ("http://[2a00:1450::1]:81/x", "http://[2a00:1450::1]:81/x"),
        ("https://www.fhi.no./", "https://www.fhi.no/"),
        ("https://www.fhi.no/a b", "https://www.fhi.no/a b"),  # the client quotes the path
    ],
)
def test_canonical_request_urls_keep_everything_but_the_host_spelling(
    url: str, expected: str
) -> None:
    assert canonical_request_url(url) == expected
    assert OutboundGate(allow_private=False).check(url) == expected


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_the_gate_refuses_every_spelling_unless_private_addresses_are_allowed(host: str) -> None:
    url = at(host, "8080")
    with pytest.raises(BlockedAddressError, match="private or loopback"):
        OutboundGate(allow_private=False).check(url)
    assert OutboundGate(allow_private=True).check(url).endswith(":8080/secret")


@pytest.mark.parametrize(
    "address", ["2002:7f00:1::", "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:80ff:fffe"]
)
def test_ipv4_inside_ipv6_is_judged_by_the_ipv4_address(address: str) -> None:
    # 6to4 of 127.0.0.1, NAT64 of 10.0.0.1, Teredo whose client is 127.0.0.1
    assert is_internal_address(address)


def test_the_allowlist_matches_any_spelling_of_its_hosts() -> None:
    gate = OutboundGate(allow_private=False, allowlist=["LOCALHOST.", "１２７.0.0.1"])
    assert gate.check("http://localhost/") == "http://localhost/"
    assert gate.check("http://2130706433:81/") == "http://127.0.0.1:81/"
    with pytest.raises(BlockedAddressError):
        gate.check("http://10.0.0.1/")


# ----------------------------------------------------------------------------- catalogue


@pytest.mark.parametrize("template", MALFORMED)
def test_the_catalogue_refuses_malformed_urls_at_load(template: str) -> None:
    url = template.format(port=8080)
    entry = {"key": "lurt", "kind": "page", "url": url, "authority": "fhi"}
    with pytest.raises(CatalogueError, match=r"source #1 \(lurt\): url"):
        parse_catalogue([entry], origin="test.toml")


@pytest.fixture
def closed_ctx(tmp_path: Path) -> Iterator[Context]:
    """A service with private addresses refused (the production default), on SQLite."""
    settings = make_settings(
        f"sqlite:///{tmp_path / 'n.db'}", tmp_path, allow_private_sources=False
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    yield Context(settings=settings, engine=engine)
    engine.dispose()


async def test_catalogue_entries_spelling_this_machine_are_refused_by_a_check_round(
    served: FixtureServer, closed_ctx: Context
) -> None:
    port = port_of(served)
    entries = [
        {"key": f"s{i}", "kind": "page", "url": at(host, port), "authority": "fhi"}
        for i, host in enumerate(LOOPBACK_HOSTS)
    ]
    specs = parse_catalogue(entries)  # well-formed: refused when fetched, by the settings
    # rows stored before the catalogue checked URLs are refused when fetched, too (built as
    # the store builds them: without the catalogue's checks)
    specs += [
        SourceSpec.model_construct(
            key=f"m{i}", kind="page", url=template.format(port=port), authority="fhi", name=f"m{i}"
        )
        for i, template in enumerate(MALFORMED)
    ]
    with Session(closed_ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()
    reports = await check(closed_ctx, everything=True)
    assert len(reports) == len(specs)
    for report in reports:
        assert report.outcome == "error", report
        assert "BlockedAddressError" in report.detail or "UnsafeURLError" in report.detail
    assert served.requests == []


# ----------------------------------------------------------------------------- fetcher


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
async def test_a_direct_fetch_of_any_spelling_is_refused(served: FixtureServer, host: str) -> None:
    async with Fetcher(closed()) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(at(host, port_of(served)))
    assert served.requests == []


@pytest.mark.parametrize("location", [at(h, "{port}") for h in NOT_LOCALHOST])
async def test_a_redirect_to_any_spelling_is_refused(served: FixtureServer, location: str) -> None:
    # the first hop is allowed by name (localhost is exempt); its redirect target spells
    # 127.0.0.1 another way and must not be let through
    port = port_of(served)
    served.set("/r", "", status=302, headers={"Location": wire(location.format(port=port))})
    async with Fetcher(closed("localhost")) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(at("localhost", port, "/r"))
    assert [p for p, _ in served.requests] == ["/robots.txt", "/r"]
    assert secret_requests(served) == []


@pytest.mark.parametrize("template", [m for m in MALFORMED if "{port}" in m])
async def test_a_redirect_to_a_malformed_url_is_refused(
    served: FixtureServer, template: str
) -> None:
    port = port_of(served)
    location = template.format(port=port).replace("\n", "%0A").replace("\t", "%09")
    served.set("/r", "", status=302, headers={"Location": wire(location)})
    async with Fetcher(closed("localhost")) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(at("localhost", port, "/r"))
    assert secret_requests(served) == []


@pytest.mark.parametrize(
    "host", ["１２７.0.0.1", "127。0。0。1", "2130706433", "[::ffff:127.0.0.1]"]
)
async def test_a_robots_txt_redirecting_to_this_machine_is_refused(
    served: FixtureServer, host: str
) -> None:
    port = port_of(served)
    served.set("/robots.txt", "", status=301, headers={"Location": wire(at(host, port, SECRET))})
    served.set("/page", "<p>x</p>", headers=HTML)
    async with Fetcher(closed("localhost")) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(at("localhost", port, "/page"))
    assert [p for p, _ in served.requests] == ["/robots.txt"]


def _page_linking(spec: SourceSpec, port: str, links: list[str]) -> FetchResult:
    anchors = "".join(f'<li><a href="{link}">Kapittel {i}</a></li>' for i, link in enumerate(links))
    body = f"<html><body><main><h1>Veileder</h1><nav><ol>{anchors}</ol></nav></main></body></html>"
    return FetchResult(at("localhost", port, "/toc"), 200, body.encode(), HTML)


async def test_chapter_links_spelling_this_machine_are_refused(served: FixtureServer) -> None:
    port = port_of(served)
    served.set("/ok", "<html><body><main><h1>Ok</h1><p>fint</p></main></body></html>", headers=HTML)
    (spec,) = parse_catalogue(
        [
            {
                "key": "v",
                "kind": "document",
                "url": at("localhost", port, "/toc"),
                "authority": "fhi",
                "link_selector": "nav a",
            }
        ]
    )
    hostile = [at(h, port) for h in NOT_LOCALHOST]
    toc = _page_linking(spec, port, [*hostile, at("localhost", port, "/ok")])
    async with Fetcher(closed("localhost")) as fetcher:
        linked = await fetch_linked(fetcher, spec, toc)
    by_url = {part.link.url: part for part in linked}
    assert len(linked) == len(hostile) + 1
    ok = by_url.pop(at("localhost", port, "/ok"))
    assert ok.result is not None and ok.result.status == 200
    assert all("BlockedAddressError" in part.problem for part in by_url.values()), by_url
    assert secret_requests(served) == []


async def test_pdf_attachments_spelling_this_machine_are_refused(served: FixtureServer) -> None:
    port = port_of(served)
    (spec,) = parse_catalogue(
        [
            {
                "key": "p",
                "kind": "page",
                "url": at("localhost", port, "/toc"),
                "authority": "fhi",
                "follow_pdfs": True,
            }
        ]
    )
    hostile = [at(h, port, SECRET + ".pdf") for h in NOT_LOCALHOST]
    async with Fetcher(closed("localhost")) as fetcher:
        linked = []
        for start in range(0, len(hostile), 20):  # at most 20 attachments per page
            page = _page_linking(spec, port, hostile[start : start + 20])
            linked += await fetch_linked(fetcher, spec, page)
    assert len(linked) == len(hostile)
    assert all(part.result is None and "BlockedAddressError" in part.problem for part in linked)
    assert secret_requests(served) == []


async def test_private_sources_stay_reachable_when_allowed(served: FixtureServer) -> None:
    policy = FetchPolicy(allow_private=True, per_host_min_gap=0, timeout_seconds=2.0)
    async with Fetcher(policy) as fetcher:
        for host in ("１２７.0.0.1", "2130706433", "127.1"):
            result = await fetcher.fetch(at(host, port_of(served)))
            assert result.body == b"internal secret"
            assert result.url == at("127.0.0.1", port_of(served))
        with pytest.raises(BlockedAddressError, match="credentials"):
            await fetcher.fetch(f"http://u@127.0.0.1:{port_of(served)}/secret")


# ----------------------------------------------------------------------------- connect time


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "0.0.0.0"])
async def test_the_socket_check_stands_alone_when_the_url_check_is_fooled(
    served: FixtureServer, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    async with Fetcher(closed()) as fetcher:
        # a URL check that lets everything through: what is left is the resolver and the
        # socket factory, which judge the address actually connected to
        monkeypatch.setattr(fetcher.gate, "check", canonical_request_url)
        with pytest.raises(BlockedAddressError, match=r"internal address|private or loopback"):
            await fetcher.fetch(at(host, port_of(served)))
    assert served.requests == []


async def test_the_guarded_connector_refuses_ip_literals_for_any_client(
    served: FixtureServer,
) -> None:
    gate = OutboundGate(allow_private=False)
    async with aiohttp.ClientSession(connector=gate.connector()) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as info:
            await session.get(served.url(SECRET))
    assert isinstance(info.value.os_error, RefusedPeerError)
    assert info.value.os_error.address == "127.0.0.1"
    assert served.requests == []


async def test_an_allowlisted_request_does_not_exempt_the_next_one(
    served: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = port_of(served)
    async with Fetcher(closed("localhost")) as fetcher:
        assert (await fetcher.fetch(at("localhost", port))).body == b"internal secret"
        monkeypatch.setattr(fetcher.gate, "check", canonical_request_url)
        with pytest.raises(BlockedAddressError, match=r"refusing to connect to 127\.0\.0\.1"):
            await fetcher.fetch(at("127.0.0.1", port, SECRET + "?again"))
    assert [p for p, _ in served.requests] == ["/robots.txt", SECRET]


def test_the_gate_error_says_what_to_do() -> None:
    with pytest.raises(BlockedAddressError) as info:
        OutboundGate(allow_private=False).check("http://１２７.0.0.1/")
    assert "NOTIFIER_ALLOW_PRIVATE_SOURCES" in str(info.value)
    assert "fix or remove the source" in str(info.value)
    with pytest.raises(UnsafeURLError, match="credentials"):
        OutboundGate(allow_private=True).check("http://a@b.no/")
