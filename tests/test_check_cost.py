"""What a check worker loads: Alembic only when the schema needs a migration, BeautifulSoup only
for markup libxml2 refuses (bench.scale's worker RSS, docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from sqlalchemy.dialects import sqlite
from sqlmodel import Session
from yarl import URL

from feeds.catalogue import SOURCE_FIELDS, SourceSpec
from feeds.errors import HostPaused
from feeds.fetch import robots
from feeds.fetch.client import Fetcher, FetchPolicy, _client_url
from feeds.fetch.netguard import _EXEMPT, OutboundGate
from feeds.store.models import UTCDateTime, utcnow
from feeds.store.sources import (
    _spec,
    apply_fields,
    load_targets,
    select_sources,
    upsert_sources,
)
from notifier.context import Context
from notifier.db import MIGRATIONS, at_heads, make_engine, script_heads, upgrade
from tests.support.httpserver import FixtureServer


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    return set(out.split())


def test_the_scripts_heads_are_read_as_alembic_reads_them() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert script_heads() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_a_script_that_does_not_state_its_revisions_plainly_leaves_it_to_alembic(
    tmp_path: Path,
) -> None:
    (tmp_path / "0001_a.py").write_text('revision = "a"\ndown_revision = None\ndepends_on = None\n')
    assert script_heads(tmp_path) == {"a"}
    (tmp_path / "0002_b.py").write_text('revision = "b"\ndown_revision = "a"\ndepends_on = "x"\n')
    assert script_heads(tmp_path) is None


def test_a_schema_at_its_heads_is_not_migrated_and_alembic_is_not_loaded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    engine = make_engine(url)
    assert not at_heads(engine)  # no alembic_version table yet
    upgrade(engine)
    assert at_heads(engine)
    engine.dispose()
    loaded = _modules_after(
        f"from notifier.db import make_engine, upgrade\nupgrade(make_engine({url!r}))"
    )
    assert "alembic" not in loaded and "mako" not in loaded


def test_beautifulsoup_is_loaded_only_for_markup_libxml2_refuses() -> None:
    assert "bs4" not in _modules_after("import feeds.read.html, feeds.check")
    loaded = _modules_after(
        "from feeds.read.html import _parse_html\n"
        "assert _parse_html('<!-- only a comment -->', plain=True) is not None"
    )
    assert "bs4" in loaded


def test_a_started_worker_holds_neither_alembic_nor_the_push_and_target_cryptography(
    tmp_path: Path,
) -> None:
    """What ``notifier worker`` holds once started (its modules, the schema at its heads, the
    model preloaded): Alembic (~10 MB), cryptography with py_vapid and http_ece (~7 MB) and
    requests are loaded only by a migration, a VAPID key made or a push or Apprise message
    sent. (notifier.cli imported Alembic's errors at the top for a while: this test is the
    whole process, not one module.)"""
    url = f"sqlite:///{tmp_path / 'n.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    loaded = _modules_after(
        "import notifier.cli, notifier.worker\n"
        "from notifier.context import build_context\n"
        "from notifier.db import upgrade\n"
        "from notifier.pipeline import preload\n"
        "from notifier.settings import Settings\n"
        f"ctx = build_context(Settings(database_url={url!r}, data_dir={str(tmp_path)!r}))\n"
        "upgrade(ctx.engine)\n"
        "preload(ctx)"
    )
    assert "notifier.worker" in loaded and "feeds.classify.model" in loaded
    held = {m.split(".")[0] for m in loaded}
    for heavy in ("alembic", "mako", "cryptography", "py_vapid", "http_ece", "requests", "bs4"):
        assert heavy not in held, heavy


# ----------------------------------------------------------------------------- the quiet path


async def test_requests_waiting_for_robots_are_woken_at_once_and_fetch_it_once(
    http: FixtureServer,
) -> None:
    """Every request to an origin whose robots.txt is being fetched waits for that one fetch
    (robots.txt is asked for once) and then goes on; none is refused."""
    http.set("/robots.txt", "User-agent: *\nDisallow: /intern/\n")
    for i in range(40):
        http.set(f"/p/{i}", f"page {i}")
    policy = FetchPolicy(allow_private=True, per_host_min_gap=0, per_host_concurrency=8)
    async with Fetcher(policy) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(http.url(f"/p/{i}")) for i in range(40)))
    assert [r.body for r in results] == [f"page {i}".encode() for i in range(40)]
    assert [p for p, _ in http.requests].count("/robots.txt") == 1


async def test_after_a_failed_robots_fetch_the_next_waiter_fetches_it_itself() -> None:
    """As behind a lock: a robots.txt fetch that fails fails its own request only; a request
    that waited for it reads the rules again and, finding none, fetches robots.txt itself."""
    fetcher = Fetcher(FetchPolicy(allow_private=True, per_host_min_gap=0))
    calls: list[str] = []
    gate = asyncio.Event()

    async def fetch_robots(origin: str) -> robots.RobotsRules:
        calls.append(origin)
        if len(calls) == 1:
            await gate.wait()
            raise HostPaused("paused", retry_after=1.0)
        return robots.rules_from_fetch(origin, 404, b"", fetcher._clock())

    fetcher._fetch_robots = fetch_robots  # type: ignore[method-assign]
    first = asyncio.ensure_future(fetcher._check_robots("https://a.no/1"))
    others = [asyncio.ensure_future(fetcher._check_robots(f"https://a.no/{i}")) for i in (2, 3)]
    await asyncio.sleep(0)
    gate.set()
    with pytest.raises(HostPaused):
        await first
    await asyncio.gather(*others)
    assert calls == ["https://a.no", "https://a.no"]
    assert fetcher._robots_fetching == {}


async def test_a_cancelled_waiter_leaves_the_others_waiting_for_robots() -> None:
    fetcher = Fetcher(FetchPolicy(allow_private=True, per_host_min_gap=0))
    gate = asyncio.Event()

    async def fetch_robots(origin: str) -> robots.RobotsRules:
        await gate.wait()
        return robots.rules_from_fetch(origin, 404, b"", fetcher._clock())

    fetcher._fetch_robots = fetch_robots  # type: ignore[method-assign]
    tasks = [asyncio.ensure_future(fetcher._check_robots(f"https://a.no/{i}")) for i in range(3)]
    await asyncio.sleep(0)
    tasks[1].cancel()
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(tasks[0], tasks[2])
    assert tasks[1].cancelled()


def test_the_client_url_is_what_aiohttp_makes_of_the_string() -> None:
    for url in ("https://x.no/a b?q=æ#f", "http://[2a04:4e42::1]:8080/%7Efoo", "https://x.no"):
        assert _client_url(url) == URL(url)
        assert str(_client_url(url)) == str(URL(url))


def test_request_to_marks_the_block_only(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = OutboundGate(allow_private=False, allowlist=["intern.test"])
    assert _EXEMPT.get() is False
    with gate.request_to("http://intern.test/a"):
        assert _EXEMPT.get() is True
        with gate.request_to("http://example.no/"):
            assert _EXEMPT.get() is False
        assert _EXEMPT.get() is True
    assert _EXEMPT.get() is False
    with pytest.raises(RuntimeError), gate.request_to("http://intern.test/a"):
        raise RuntimeError
    assert _EXEMPT.get() is False


def test_a_target_is_read_as_stored_its_lists_and_times_included(ctx: Context) -> None:
    spec = SourceSpec(
        key="k", kind="page", url="https://x.no/a", authority="fhi", drop=(".a",),
        noise=("^x$",), subtopics=("vaksinasjon",),
    )  # fmt: skip
    with Session(ctx.engine) as session:
        upsert_sources(session, [spec])
        session.commit()
        [source] = select_sources(session, utcnow(), everything=True)
        assert source.id is not None
        [first] = load_targets(session, [source.id])
        [again] = load_targets(session, [source.id])
        assert again.spec == first.spec == spec
        when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
        apply_fields(session, [{"id": source.id, "etag": '"v2"', "last_full_fetch_at": when}])
        session.commit()
        [health] = load_targets(session, [source.id])
        assert (health.etag, health.last_full_fetch_at) == ('"v2"', when)
        assert health.last_full_fetch_at.tzinfo is UTC  # type: ignore[union-attr]
        upsert_sources(session, [spec.model_copy(update={"drop": (".a", ".b")})])
        session.commit()
        [moved] = load_targets(session, [source.id])
        assert moved.spec.drop == (".a", ".b")
        assert moved.spec.noise == ("^x$",) and moved.spec.subtopics == ("vaksinasjon",)


def test_times_written_again_are_stored_as_written_once(ctx: Context) -> None:
    """The same datetime bound twice (a check's last check and last success) is stored as
    each is alone; a naive one is refused as ever."""
    specs = [SourceSpec(key=f"k{i}", kind="page", url=f"https://x.no/{i}", authority="fhi")
             for i in range(3)]  # fmt: skip
    now = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    later = datetime(2026, 3, 4, 6, 6, 7, tzinfo=UTC)
    with Session(ctx.engine) as session:
        upsert_sources(session, specs)
        session.commit()
        ids = [s.id for s in select_sources(session, utcnow(), everything=True)]
        rows = [{"id": i, "last_checked_at": now, "last_success_at": now, "next_check_at": later}
                for i in ids]  # fmt: skip
        apply_fields(session, rows)
        session.commit()
        for source in select_sources(session, utcnow(), everything=True):
            assert (source.last_checked_at, source.last_success_at) == (now, now)
            assert source.next_check_at == later
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            apply_fields(session, [{"id": ids[0], "last_checked_at": now.replace(tzinfo=None)}])


def test_a_stored_spec_is_built_as_model_construct_builds_it() -> None:
    """``_spec`` sets a spec's attributes itself: the same spec as ``model_construct``'s (equal,
    the same hash and fields set), a stored NULL read as the field's default."""
    spec = SourceSpec(
        key="k", kind="page", url="https://x.no/a", authority="fhi", drop=(".a",),
        noise=("^x$",), subtopics=("vaksinasjon",), selector="main",
    )  # fmt: skip
    values = [getattr(spec, name) for name in SOURCE_FIELDS]
    values[SOURCE_FIELDS.index("selector")] = None
    built = _spec(values)
    fields = dict(zip(SOURCE_FIELDS, values, strict=True))
    fields["selector"] = SourceSpec.model_fields["selector"].default
    constructed = SourceSpec.model_construct(**fields)
    assert built == constructed and hash(built) == hash(constructed)
    assert built.model_fields_set == constructed.model_fields_set == set(SOURCE_FIELDS)
    assert built.__pydantic_extra__ is None and built.__pydantic_private__ is None
    assert built.selector is None and built.drop == (".a",)
    with pytest.raises(ValidationError):
        built.key = "other"  # frozen as ever


def test_the_health_update_writes_the_given_columns_only(ctx: Context) -> None:
    """``apply_fields`` binds a row's id in its WHERE clause only (a parameter named after a
    column is written to it: it was, SET id=? on every row)."""
    spec = SourceSpec(key="k", kind="page", url="https://x.no/a", authority="fhi")
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    with Session(ctx.engine) as session:
        upsert_sources(session, [spec])
        session.commit()
        [source] = select_sources(session, utcnow(), everything=True)
        sa.event.listen(ctx.engine, "before_cursor_execute", seen)
        try:
            apply_fields(session, [{"id": source.id, "etag": '"v3"'}])
        finally:
            sa.event.remove(ctx.engine, "before_cursor_execute", seen)
        session.commit()
        [target] = load_targets(session, [source.id])  # type: ignore[list-item]
    assert target.etag == '"v3"'
    [update] = [s for s in statements if s.startswith("UPDATE")]
    assert update.split(" WHERE ")[0].count("=") == 1 and "etag" in update


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
        datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
        datetime(999, 1, 2, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 4, 7, 6, 7, 5, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_a_time_is_written_to_sqlite_as_sqlalchemy_writes_it(when: datetime) -> None:
    """``UTCDateTime`` writes SQLite's text with ``isoformat``: exactly what SQLAlchemy's SQLite
    DATETIME writes (times are compared as text there)."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    theirs = sqlite.DATETIME().bind_processor(dialect)
    assert ours is not None and theirs is not None
    assert ours(when) == theirs(when.astimezone(UTC).replace(tzinfo=None))
    assert ours(None) is None
    with pytest.raises(ValueError, match="naive datetime"):
        ours(when.replace(tzinfo=None))
