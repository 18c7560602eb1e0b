"""Issue 13, outbound requests: one gate, and no way around it.

- Structure: an AST scan of ``feeds/``, ``notifier/`` and ``subscribers/`` lists every call that
  opens a connection or resolves a name (aiohttp, httpx, requests, urllib, urllib3, http.client,
  socket, asyncio, pywebpush, Apprise, aiosmtplib, smtplib) and every import of such a library.
  Each site is named in ``SITES`` with the gate it passes; a new site fails the test until it is
  reviewed and listed, a removed one fails it until the list is updated. Every aiohttp session
  is built on the gate's connector, and no other module builds a connector.
- Addresses: private, loopback, link-local, CGNAT (100.64/10), benchmarking, multicast,
  IPv4-mapped IPv6, unique-local (fc00::/7) and 0.0.0.0 are refused as literals, and also when a
  *name* resolves to them: alone, mixed with public records (in either order), after a redirect,
  and when the name resolves to a public address first and to this machine on the next lookup
  (DNS rebinding). The fake resolver sits only at the DNS edge (``socket.getaddrinfo``):
  aiohttp's resolver, the gate, urllib3 and the sockets are the real ones, and the fixture server
  on 127.0.0.1 that every hostile name points at never receives a request.
- The gate pins what it judged: one lookup per connection, and the socket connects to the
  address the lookup returned (no second lookup an attacker could answer differently).
- Webhooks (Apprise) and Web Push endpoints named by a host that resolves to this machine reach
  nobody, through the real delivery.
- Odd schemes (``data:``, ``javascript:``, ``file:``, ...) are refused at load and at fetch.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import Session

from feeds.catalogue import parse_catalogue
from feeds.errors import BlockedAddressError, CatalogueError, UnsafeURLError
from feeds.fetch.client import Fetcher, FetchPolicy
from feeds.fetch.netguard import OutboundGate, RefusedPeerError
from notifier.channels import apprise as apprise_channel
from notifier.channels.webpush import load_vapid_keys
from notifier.context import Context
from notifier.deliver import deliver
from notifier.plan import dispatch
from subscribers import push, targets
from tests.support.fakedns import PUBLIC, FakeDns, install
from tests.support.httpserver import FixtureServer, serving
from tests.support.pushservice import PushService, push_service
from tests.test_apprise import Receiver
from tests.test_plan import add_change, subscribe

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("feeds", "notifier", "subscribers")

# ----------------------------------------------------------------------------- structure

#: libraries that reach the network, and the calls of each that open a connection or resolve
OPENERS: dict[str, frozenset[str] | None] = {
    "aiohttp": frozenset({"ClientSession", "TCPConnector", "UnixConnector", "request"}),
    "httpx": None,  # any call
    "requests": None,
    "urllib.request": None,
    "urllib3": None,
    "http.client": None,
    "socket": frozenset(
        {"socket", "create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"}
    ),
    "asyncio": frozenset({"open_connection", "create_connection", "open_unix_connection"}),
    "pywebpush": None,
    "apprise": frozenset({"Apprise"}),
    "aiosmtplib": frozenset({"SMTP", "send"}),
    "smtplib": None,
    "ftplib": None,
    "websockets": None,
}
#: method names that open a connection whatever object they are called on
METHODS = frozenset(
    {"notify", "create_connection", "open_connection", "sock_connect", "urlopen", "set_url"}
)
#: every site that opens a connection, and the gate it passes
SITES: dict[tuple[str, str, str], str] = {
    ("feeds/fetch/client.py", "Fetcher.__aenter__", "aiohttp.ClientSession"):
        "the fetcher's one session, on OutboundGate.connector (every source, robots.txt, "
        "redirect, chapter and attachment)",
    ("feeds/fetch/netguard.py", "OutboundGate.open_socket", "socket.socket"):
        "the gate's socket factory: judges the address before the socket exists",
    ("feeds/fetch/netguard.py", "OutboundGate.connector", "aiohttp.TCPConnector"):
        "the gate's connector: GuardedResolver and the judging socket factory",
    ("notifier/channels/webpush.py", "WebPushChannel._client", "aiohttp.ClientSession"):
        "Web Push: a session on OutboundGate.connector (each endpoint through "
        "OutboundGate.check before its post, no redirect followed)",
    ("notifier/channels/apprise.py", "_guarded_connection", "socket.getaddrinfo"):
        "Apprise: the one lookup per connection, every address judged and the judged one "
        "connected to (urllib3's create_connection wrapped)",
    ("notifier/channels/apprise.py", "_notify", ".notify"):
        "Apprise: sends inside the guarded thread (_GATE set)",
    ("notifier/startup.py", "check_port", "socket.getaddrinfo"):
        "start-up: the web server's own listen address, bound, never connected",
    ("notifier/startup.py", "check_port", "socket.socket"):
        "start-up: a socket bound to the web server's own port, never connected",
}  # fmt: skip
#: modules that may import a network library at all (anything else that does fails)
IMPORTERS: dict[str, frozenset[str]] = {
    "feeds/fetch/client.py": frozenset({"aiohttp"}),
    "feeds/fetch/netguard.py": frozenset({"aiohttp", "aiohappyeyeballs"}),
    "notifier/channels/apprise.py": frozenset({"urllib3"}),
    "notifier/channels/webpush.py": frozenset({"aiohttp"}),
    "subscribers/targets.py": frozenset({"apprise"}),  # parses target URLs; sends nothing
}
_LIBRARIES = {name.split(".")[0] for name in OPENERS} | {"aiohappyeyeballs"}
#: SMTP goes to the relay the operator configured (NOTIFIER_SMTP_HOST), never to a host a
#: source or a subscriber names: set aside from the gate (issue 13), allowed in notifier/ only
SMTP = ("aiosmtplib", "smtplib")


def _is_smtp(name: str) -> bool:
    return name.split(".")[0] in SMTP


def _library(dotted: str) -> str | None:
    """The network library a dotted name belongs to (longest match), or None."""
    for name in sorted(OPENERS, key=len, reverse=True):
        if dotted == name or dotted.startswith(name + "."):
            return name
    return None


class _Scan(ast.NodeVisitor):
    """Calls that open connections, by the enclosing function's qualified name."""

    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.scope: list[str] = []
        self.aliases: dict[str, str] = {}
        self.sites: set[tuple[str, str, str]] = set()
        self.imports: set[str] = set()
        self.sessions: list[ast.Call] = []
        for node in ast.walk(tree):  # aliases module-wide (imports inside functions too)
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = (
                        a.name if a.asname else a.name.split(".")[0]
                    )
                    self._imported(a.name)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                self._imported(node.module)
        self.visit(tree)

    def _imported(self, module: str) -> None:
        top = module.split(".")[0]
        if top == "socket":  # gethostname and the constants are harmless: calls are scanned
            return
        if top in _LIBRARIES and module != "asyncio" and not module.startswith("urllib.parse"):
            if top == "urllib" and not module.startswith("urllib.request"):
                return
            self.imports.add("urllib.request" if top == "urllib" else top)

    def _dotted(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self._dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def _within(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _within

    def visit_Call(self, node: ast.Call) -> None:
        where = ".".join(self.scope) or "<module>"
        dotted = self._dotted(node.func)
        library = _library(dotted) if dotted else None
        if dotted and library:
            allowed = OPENERS[library]
            if allowed is None or dotted.rsplit(".", 1)[-1] in allowed:
                self.sites.add((self.path, where, dotted))
                if dotted == "aiohttp.ClientSession":
                    self.sessions.append(node)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in METHODS:
            self.sites.add((self.path, where, "." + node.func.attr))
        self.generic_visit(node)


def _scans() -> list[_Scan]:
    out = []
    for package in PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            out.append(_Scan(path, ast.parse(file.read_text(encoding="utf-8"))))
    return out


@pytest.fixture(scope="module")
def scans() -> list[_Scan]:
    return _scans()


def test_every_call_that_opens_a_connection_is_a_listed_site(scans: list[_Scan]) -> None:
    found = set().union(*(s.sites for s in scans))
    smtp = {site for site in found if _is_smtp(site[2])}
    assert smtp and all(path.startswith("notifier/") for path, _, _ in smtp), smtp
    found -= smtp
    new = sorted(found - set(SITES))
    gone = sorted(set(SITES) - found)
    assert not new, (
        f"new outbound call sites {new}: route them through feeds.fetch.netguard "
        "(OutboundGate.check and OutboundGate.connector), then list them in SITES with the gate"
    )
    assert not gone, f"sites no longer in the code, remove them from SITES: {gone}"


def test_only_listed_modules_import_a_network_library(scans: list[_Scan]) -> None:
    for scan in scans:
        extra = scan.imports - IMPORTERS.get(scan.path, frozenset())
        if scan.path.startswith("notifier/"):
            extra = {name for name in extra if not _is_smtp(name)}
        assert not extra, (
            f"{scan.path} imports {sorted(extra)}: requests leave through feeds.fetch.netguard "
            "only; if this module must, list it in IMPORTERS and its calls in SITES"
        )


def test_every_aiohttp_session_is_built_on_the_gates_connector(scans: list[_Scan]) -> None:
    sessions = [(scan.path, call) for scan in scans for call in scan.sessions]
    assert len(sessions) == 2
    for path, call in sessions:
        keywords = {k.arg: k.value for k in call.keywords}
        assert "connector" in keywords, f"{path}:{call.lineno}: a session without the gate"
        value = keywords["connector"]
        source = ast.unparse(value)
        if isinstance(value, ast.Name):  # assigned just before (Fetcher.__aenter__)
            tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
            assigned = [
                ast.unparse(n.value)
                for n in ast.walk(tree)
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == value.id for t in n.targets)
            ]
            assert assigned and all(".gate.connector(" in a for a in assigned), (path, assigned)
        else:
            assert ".gate.connector(" in source, (path, source)


def test_robots_txt_is_never_read_by_the_standard_library(scans: list[_Scan]) -> None:
    # RobotFileParser.read() would fetch with urllib, past the gate: robots.py feeds it text
    robots = next(s for s in scans if s.path == "feeds/fetch/robots.py")
    tree = ast.parse((ROOT / robots.path).read_text(encoding="utf-8"))
    reads = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in ("read", "set_url")
        and not n.args
    ]
    assert reads == []


def test_the_scan_sees_a_new_site(tmp_path: Path) -> None:
    """The scanner itself: a hidden request in a plausible form is found."""
    code = (
        "import urllib.request as u\nfrom httpx import AsyncClient as C\nimport socket as s\n"
        "class A:\n    async def f(self):\n        u.urlopen('http://x')\n"
        "        async with C() as c: ...\n        s.create_connection(('x', 1))\n"
        "        await loop.create_connection(P, 'x', 1)\n"
    )
    scan = _Scan("x.py", ast.parse(code))
    assert scan.sites == {
        ("x.py", "A.f", "urllib.request.urlopen"),
        ("x.py", "A.f", "httpx.AsyncClient"),
        ("x.py", "A.f", "socket.create_connection"),
        ("x.py", "A.f", ".create_connection"),
    }
    assert scan.imports == {"urllib.request", "httpx"}


# ----------------------------------------------------------------------------- literals

INTERNAL = [
    "10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.1",  # RFC 1918
    "100.64.0.1", "100.127.255.254",  # CGNAT (shared address space)
    "169.254.169.254",  # link-local: the cloud metadata service
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3",
    "198.18.0.1", "192.0.2.1", "192.0.0.8", "224.0.0.1", "255.255.255.255", "240.0.0.1",
    "[::1]", "[::]", "[fc00::1]", "[fd12:3456::1]", "[fdff:ffff::1]",  # unique-local fc00::/7
    "[fe80::1]", "[febf::1]", "[ff02::1]",  # link-local, multicast
    "[::ffff:10.0.0.1]", "[::ffff:169.254.169.254]", "[::ffff:100.64.0.1]",  # IPv4-mapped
    "[::ffff:0.0.0.0]", "[2002:a9fe:a9fe::]", "[64:ff9b::c0a8:101]",
    "192.0.0.8",  # IPv4 dummy address (RFC 7600): Python 3.11 calls it global
    "[64:ff9b:1::a00:1]",  # local-use NAT64 (RFC 8215)
    "[3fff::1]",  # documentation (RFC 9637)
    "[5f00::1]",  # SRv6 SIDs (RFC 9602)
    "[100::1]",  # discard-only
    "[2001:db8::1]",
]  # fmt: skip
PUBLIC_LITERALS = ["100.63.255.255", "100.128.0.1", "172.32.0.1", "8.8.8.8", "[2001:4860::8888]"]


@pytest.mark.parametrize("host", INTERNAL)
def test_internal_literals_are_refused(host: str) -> None:
    with pytest.raises(BlockedAddressError):
        OutboundGate(allow_private=False).check(f"https://{host}/x")


@pytest.mark.parametrize("host", PUBLIC_LITERALS)
def test_the_edges_of_those_ranges_stay_reachable(host: str) -> None:
    assert OutboundGate(allow_private=False).check(f"https://{host}/x").startswith("https://")


ODD = [
    "data:text/html,<h1>x</h1>",
    "javascript:alert(1)",
    "file://localhost/etc/passwd",
    "FILE:///etc/passwd",
    "gopher://www.fhi.no:70/_GET",
    "ftp://ftp.fhi.no/pub",
    "dict://www.fhi.no:11211/stat",
    "ldap://www.fhi.no/",
    "jar:http://www.fhi.no/x!/y",
    "view-source:https://www.fhi.no/",
    "//www.fhi.no/x",  # scheme-relative
    "https:/www.fhi.no/x",
    "https:\\\\www.fhi.no\\x",
    "https://user@www.fhi.no/",
    "https://:pw@www.fhi.no/",
    "https://www.fhi.no%2f@evil.example/",
]


@pytest.mark.parametrize("url", ODD)
def test_odd_urls_are_refused_at_load(url: str) -> None:
    with pytest.raises(CatalogueError):
        parse_catalogue([{"key": "k", "kind": "page", "url": url, "authority": "fhi"}])


@pytest.mark.parametrize("url", ODD)
async def test_odd_urls_are_refused_at_fetch(url: str) -> None:
    async with Fetcher(_closed()) as fetcher:
        with pytest.raises((BlockedAddressError, UnsafeURLError)):
            await fetcher.fetch(url)


# ----------------------------------------------------------------------------- names (DNS)

#: answers that must be refused: a private record alone, or mixed with public ones
HOSTILE_ANSWERS = [
    ["127.0.0.1"],
    ["10.1.2.3"],
    ["100.64.7.7"],
    ["169.254.169.254"],
    ["0.0.0.0"],
    ["::1"],
    ["::ffff:127.0.0.1"],
    ["fd00::1"],
    ["fe80::1"],
    [PUBLIC, "127.0.0.1"],
    ["127.0.0.1", PUBLIC],
    [PUBLIC, "2606:4700::1111", "::ffff:7f00:1"],
]


def _closed(*allow: str) -> FetchPolicy:
    return FetchPolicy(
        allow_private=False,
        per_host_min_gap=0,
        timeout_seconds=2.0,
        private_allowlist=frozenset(allow),
    )


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    return install(monkeypatch)


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    with serving() as started:
        yield started


@pytest.fixture
def served(server: FixtureServer) -> FixtureServer:
    server.routes.clear()
    server.requests.clear()
    server.set("/secret", "internal secret", headers={"Content-Type": "text/html"})
    return server


def _port(server: FixtureServer) -> str:
    return server.base.rsplit(":", 1)[1]


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS, ids=lambda a: "+".join(a))
async def test_a_name_resolving_to_an_internal_address_is_refused(
    dns: FakeDns, served: FixtureServer, answer: list[str]
) -> None:
    dns.answer("intranet.example.no", *answer)
    async with Fetcher(_closed()) as fetcher:
        with pytest.raises(BlockedAddressError, match="internal address"):
            await fetcher.fetch(f"http://intranet.example.no:{_port(served)}/secret")
    assert dns.count("intranet.example.no") >= 1  # the fake was asked: the test is real
    assert served.requests == []


async def test_a_redirect_to_a_name_resolving_to_this_machine_is_refused(
    dns: FakeDns, served: FixtureServer
) -> None:
    port = _port(served)
    dns.answer("rebound.example.no", PUBLIC, "127.0.0.1")
    served.set(
        "/r", "", status=302, headers={"Location": f"http://rebound.example.no:{port}/secret"}
    )
    async with Fetcher(_closed("localhost")) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(f"http://localhost:{port}/r")
    assert [p for p, _ in served.requests] == ["/robots.txt", "/r"]


async def test_dns_rebinding_reaches_nothing_whatever_the_order_of_answers(
    dns: FakeDns, served: FixtureServer
) -> None:
    """The name is public for the first lookup and this machine for the next ones (and the
    other way round): no lookup ever leads a request to the fixture server."""
    port = _port(served)
    dns.answer_in_turn("flip.example.no", [PUBLIC], ["127.0.0.1"])
    dns.answer_in_turn("flop.example.no", ["127.0.0.1"], [PUBLIC], ["127.0.0.1"])
    for name in ("flip.example.no", "flop.example.no"):
        for _ in range(3):
            async with Fetcher(_closed()) as fetcher:  # a new fetcher: no cached answer
                with pytest.raises(Exception):  # noqa: B017 - unreachable or refused
                    await fetcher.fetch(f"http://{name}:{port}/secret")
        assert dns.count(name) >= 3
    assert served.requests == []


async def test_the_gate_pins_the_address_it_judged(dns: FakeDns, served: FixtureServer) -> None:
    """One lookup per connection, and the socket goes to the answer that was judged: a
    rebinding answer is never asked for between judging and connecting."""
    port = _port(served)
    gate = OutboundGate(allow_private=False, allowlist=["pinned.example.no"])
    dns.answer_in_turn("pinned.example.no", ["127.0.0.1"], ["10.9.9.9"])
    connected: list[str] = []
    original = gate.open_socket

    def recording(addr_info):  # type: ignore[no-untyped-def]
        connected.append(str(addr_info[4][0]))
        return original(addr_info)

    gate.open_socket = recording  # type: ignore[method-assign]
    url = gate.check(f"http://pinned.example.no:{port}/secret")
    connector = gate.connector(use_dns_cache=False, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        with gate.request_to(url):
            async with session.get(url) as resp:
                assert await resp.read() == b"internal secret"
    assert dns.count("pinned.example.no") == 1
    assert connected == ["127.0.0.1"]
    # the next connection looks up again and is judged again: not allowlisted by address
    gate2 = OutboundGate(allow_private=False)
    async with aiohttp.ClientSession(connector=gate2.connector(use_dns_cache=False)) as session:
        with pytest.raises((BlockedAddressError, aiohttp.ClientConnectorError)):
            await session.get(url)
    assert dns.count("pinned.example.no") == 2


async def test_the_socket_factory_judges_what_the_resolver_let_through(
    served: FixtureServer,
) -> None:
    """Even a resolver that lets everything through (an allowlisted name) cannot lead a
    request that is not exempt to an internal socket."""
    gate = OutboundGate(allow_private=False)
    with pytest.raises(RefusedPeerError):
        gate.open_socket((2, 1, 6, "", ("127.0.0.1", int(_port(served)))))
    with pytest.raises(RefusedPeerError):
        gate.open_socket((10, 1, 6, "", ("::ffff:127.0.0.1", 80, 0, 0)))
    with pytest.raises(RefusedPeerError):
        gate.open_socket((10, 1, 6, "", ("fd00::1", 80, 0, 0)))


# ----------------------------------------------------------------------------- channels


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as s:
        yield s


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.mark.parametrize("answer", [["127.0.0.1"], [PUBLIC, "127.0.0.1"]], ids=["private", "mixed"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_webhooks_and_push_endpoints_named_by_a_rebinding_host_reach_nobody(
    ctx: Context, dns: FakeDns, service: PushService, receiver: Receiver, answer: list[str]
) -> None:
    """Stored with private addresses refused (the names look public when added), then sent
    through the real delivery: the push service and the webhook on 127.0.0.1 get nothing."""
    ctx.settings.allow_private_sources = False
    ctx.settings.secret_key = "k"
    dns.answer("push.example.no", *answer)
    dns.answer("hook.example.no", *answer)
    subscribe(ctx, "sf@k.no", ["forskrifter_regelverk"], "immediate")
    key = load_vapid_keys(ctx.engine).public
    browser = service.subscribe(key)
    endpoint = browser.endpoint.replace("127.0.0.1", "push.example.no")
    with Session(ctx.engine) as session:
        from notifier.channels.manage import add_push, add_target

        add_push(session, ctx.settings, 1, endpoint, browser.p256dh, browser.auth, ctx.clock())
        add_target(
            session, ctx.settings, 1, f"json://hook.example.no:{receiver.port}/h", ctx.clock()
        )
        session.commit()
        assert len(push.endpoints_of(session, 1)) == 1 and len(targets.targets_of(session, 1)) == 1
    add_change(ctx, "Ny forskrift", ["forskrifter_regelverk"], urgent=True)
    dispatch(ctx)
    await deliver(ctx)
    assert dns.count("push.example.no") >= 1 and dns.count("hook.example.no") >= 1
    assert service.requests == [] and receiver.posts == []
    with Session(ctx.engine) as session:
        (row,) = push.endpoints_of(session, 1)
        assert row.failures >= 1 and row.last_error


def test_an_apprise_send_connects_only_to_the_address_it_judged(
    dns: FakeDns, receiver: Receiver
) -> None:
    """urllib3's connection, inside an Apprise send: looked up once, judged, and made to the
    judged address; a public answer followed by a private one never reaches the webhook."""
    apprise_channel._install_guard()
    gate = OutboundGate(allow_private=False)
    dns.answer_in_turn("hook.example.no", [PUBLIC], ["127.0.0.1"])
    url = f"json://hook.example.no:{receiver.port}/h"
    for _ in range(2):
        assert apprise_channel._notify(gate, url, "Tittel", "Tekst", urgent=False) is False
    assert dns.count("hook.example.no") >= 2
    assert receiver.posts == []
    # allowed: the same path reaches the receiver (the test can fail)
    dns.answer("hook.example.no", "127.0.0.1")
    assert apprise_channel._notify(OutboundGate(allow_private=True), url, "T", "x", False)
    assert len(receiver.posts) == 1
