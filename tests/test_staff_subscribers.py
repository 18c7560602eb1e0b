"""The console's subscriber pages (admin only) through the real app, on SQLite and PostgreSQL:
who may see them, search and the list, one subscriber, export, CSV import with a preview that
writes nothing and an apply that does exactly what it showed, erasure on request that leaves
nothing of the person, and one validation path shared with the CLI import."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

from notifier.cli import app as cli_app
from notifier.context import Context
from notifier.message import OutgoingMessage
from notifier.models import AuditEvent
from notifier.outbox import enqueue
from notifier.web import create_app
from subscribers import selfservice as ss
from subscribers.importer import export_csv
from subscribers.models import Subscriber, Subscription
from subscribers.service import add_subscriber, find_subscriber
from subscribers.suppression import ERASED, record_hard_bounce, suppress
from tests.conftest import Clock
from tests.security.test_addresses import HOSTILE
from tests.security.test_erasure import NEEDLES, fill_the_outbox, scan, sign_up_and_confirm
from tests.support.staff import fast_hasher, login, staff_client
from tests.test_selfservice import make_client

__all__ = ["fast_hasher"]

HEADER = "email,name,role,region,subtopics,cadence,office\n"


@pytest.fixture(autouse=True)
def _cheap_hashes(fast_hasher: None) -> None:
    """Logins use cheap argon2 parameters."""


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx) as c:
        yield c


@pytest.fixture
def cli(ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("NOTIFIER_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NOTIFIER_BASE_URL", ctx.settings.base_url)
    yield CliRunner()


def add(ctx: Context, email: str, subtopics: list[str], cadence: str = "daily", **kw: Any) -> int:
    with Session(ctx.engine) as session:
        person = add_subscriber(
            session, email, role=kw.pop("role", "kommunelege"), subtopics=subtopics,
            cadence=cadence, known_subtopics=ctx.taxonomy.slugs(), **kw,
        )  # fmt: skip
        session.commit()
        assert person.id is not None
        return person.id


def snapshot(ctx: Context) -> dict[str, list[str]]:
    """Every row of every table (sessions left out: each request touches its own)."""
    out: dict[str, list[str]] = {}
    inspector = sa.inspect(ctx.engine)
    with ctx.engine.connect() as conn:
        for table in inspector.get_table_names():
            if table in ("staff_session", "alembic_version"):
                continue
            names = [c["name"] for c in inspector.get_columns(table)]
            reflected = sa.table(table, *(sa.column(n) for n in names))
            out[table] = sorted(repr(tuple(row)) for row in conn.execute(sa.select(*reflected.c)))
    return out


def hidden_fields(page: str, action: str) -> dict[str, str]:
    form = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S
    )
    assert form is not None, f"no form for {action}"
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(1))
    }


def counts_of(page: str) -> dict[str, int]:
    found = re.findall(r"<li><strong>(\d+)</strong>([^<]+)</li>", page)
    return {title: int(n) for n, title in found}


async def preview(
    client: httpx.AsyncClient, csrf: str, content: bytes, filename: str = "liste.csv"
) -> httpx.Response:
    return await client.post(
        "/staff/abonnenter/import",
        data={"csrf_token": csrf},
        files={"fil": (filename, content, "text/csv")},
    )


def audit_events(ctx: Context, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


# --- who may --------------------------------------------------------------------------------

GETS = [
    "/staff/abonnenter",
    "/staff/abonnenter/{id}",
    "/staff/abonnenter/eksport",
    "/staff/abonnenter/import",
]
POSTS = [
    "/staff/abonnenter/eksport",
    "/staff/abonnenter/{id}/eksport",
    "/staff/abonnenter/{id}/slett",
    "/staff/abonnenter/import",
    "/staff/abonnenter/import/bruk",
]


async def test_only_an_admin_gets_in_a_redaktor_gets_403_anonymous_the_login(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    sid = add(ctx, "lege@kommune.no", ["vaksinasjon"])
    before = snapshot(ctx)
    for path in GETS:
        page = await client.get(path.format(id=sid))
        assert page.status_code == 303, path
        assert page.headers["location"].startswith("/staff/login?neste=/staff/abonnenter")
    for path in POSTS:
        page = await client.post(path.format(id=sid), data={"bekreft": "ja"})
        assert page.status_code == 303, path
    _, csrf = await login(client, ctx, role="redaktor")
    for path in GETS:
        page = await client.get(path.format(id=sid))
        assert page.status_code == 403, path
        assert "Ingen tilgang" in page.text and "lege@kommune.no" not in page.text
    for path in POSTS:
        page = await client.post(
            path.format(id=sid), data={"csrf_token": csrf, "bekreft": "ja"},
            files={"fil": ("a.csv", HEADER.encode(), "text/csv")} if "import" in path else None,
        )  # fmt: skip
        assert page.status_code == 403, path
        assert "Ingen tilgang" in page.text
    assert 'href="/staff/abonnenter"' not in (await client.get("/staff/logg")).text  # no menu
    after = snapshot(ctx)
    for table in ("audit_event", "staff_user"):  # the redaktor and their login
        after.pop(table), before.pop(table)
    assert after == before


async def test_every_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    sid = add(ctx, "lege@kommune.no", ["vaksinasjon"])
    _, csrf = await login(client, ctx, role="admin")
    page = await preview(client, csrf, (HEADER + "ny@kommune.no,Ny,annen,,testing,,\n").encode())
    fields = hidden_fields(page.text, "/staff/abonnenter/import/bruk")
    before = snapshot(ctx)
    for token in (None, "", "feil", csrf[:-2] + "00"):
        extra = {} if token is None else {"csrf_token": token}
        for path in POSTS:
            data = {"bekreft": "ja"} | extra
            if path.endswith("/bruk"):
                data |= {k: v for k, v in fields.items() if k != "csrf_token"}
            files = None
            if path == "/staff/abonnenter/import":
                files = {"fil": ("a.csv", HEADER.encode(), "text/csv")}
            response = await client.post(path.format(id=sid), data=data, files=files)
            assert response.status_code == 403, (path, token)
            assert "Skjemaet var utløpt" in response.text
            assert "attachment" not in response.headers.get("content-disposition", "")
    assert snapshot(ctx) == before


# --- list and search -----------------------------------------------------------------------


async def test_list_shows_labels_places_suppression_and_counts_and_searches(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    add(ctx, "lege@bergen.kommune.no", ["vaksinasjon", "testing"], name="Kari Lege",
        region="4601")  # fmt: skip
    add(ctx, "fylke@vestland.no", ["vaksinasjon"], role="kommunikasjon", region="46")
    add(ctx, "oslo@oslo.kommune.no", ["testing"], role="annen", region="0301")
    bounced = add(ctx, "retur@kommune.no", ["testing"], name="Retur")
    with Session(ctx.engine) as session:
        assert record_hard_bounce(session, bounced, clock(), threshold=1)
        # an erased person who signed up again, not yet confirmed: suppressed as erased
        suppress(session, "igjen@kommune.no", ERASED, clock())
        ss.signup(session, ss.SignupForm(email="igjen@kommune.no", choices={"testing": "daily"}))
        gone = add_subscriber(session, "borte@kommune.no", role="annen", subtopics=["testing"],
                              cadence="daily", known_subtopics=["testing"])  # fmt: skip
        ss.erase(session, gone, clock())
        session.commit()
    _, csrf = await login(client, ctx, role="admin")

    page = await client.get("/staff/abonnenter")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Abonnenter</h1>" in text
    assert "5 abonnenter, side 1 av 1." in text  # the erased row is nobody
    assert "erased-" not in text and "@invalid" not in text
    row = re.search(r"<tr>\s*<td[^>]*><a[^>]*>lege@bergen\.kommune\.no</a>.*?</tr>", text, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    assert "Kari Lege" in cells[1]
    assert cells[2] == "Kommuneoverlege eller kommunelege"
    assert cells[3] == "Bergen (4601)"
    assert ">ja<" in cells[4] and cells[5] == "nei" and cells[6] == "2"
    assert "ja (avvist)" in text and "ja (sletta)" not in text and "ja (slettet)" in text
    assert "Vestland (46)" in text and "Kommunikasjon" in text

    async def emails(query: str) -> list[str]:
        found = await client.get(f"/staff/abonnenter?{query}")
        assert found.status_code == 200
        return re.findall(r'<a href="/staff/abonnenter/\d+">([^<]+)</a>', found.text)

    assert await emails("q=KARI") == ["lege@bergen.kommune.no"]
    assert await emails("q=retur%40") == ["retur@kommune.no"]
    assert await emails("q=%25") == []  # a LIKE wildcard is searched for as itself
    assert await emails("sted=Bergen") == ["lege@bergen.kommune.no"]
    assert sorted(await emails("sted=46")) == ["fylke@vestland.no", "lege@bergen.kommune.no"]
    assert await emails("sted=vestland&q=fylke") == ["fylke@vestland.no"]
    assert await emails("sted=301") == ["oslo@oslo.kommune.no"]  # 0301 without the zero
    unknown = await client.get("/staff/abonnenter?sted=Atlantis&side=x")
    assert "Fant ingen kommune eller fylke som heter «Atlantis»." in unknown.text
    nynorsk = await client.get("/staff/abonnenter?lang=nn")
    assert "<h1>Abonnentar</h1>" in nynorsk.text and "Tilsett hos statsforvaltaren" not in (
        nynorsk.text
    )
    assert (
        "Anna" in nynorsk.text and "heile landet" in nynorsk.text and "ja (sletta)" in nynorsk.text
    )
    assert csrf


async def test_paging(ctx: Context, client: httpx.AsyncClient) -> None:
    with Session(ctx.engine) as session:
        for n in range(53):
            add_subscriber(session, f"p{n:02d}@kommune.no", role="annen", subtopics=["testing"],
                           cadence="daily", known_subtopics=["testing"])  # fmt: skip
        session.commit()
    await login(client, ctx, role="admin")
    first = await client.get("/staff/abonnenter")
    assert "53 abonnenter, side 1 av 2." in first.text
    assert len(re.findall(r'<a href="/staff/abonnenter/\d+">', first.text)) == 50
    assert 'href="/staff/abonnenter?side=2"' in first.text
    second = await client.get("/staff/abonnenter?side=2")
    assert len(re.findall(r'<a href="/staff/abonnenter/\d+">', second.text)) == 3
    assert "p52@kommune.no" in second.text and 'href="/staff/abonnenter?side=1"' in second.text


# --- one subscriber, export -----------------------------------------------------------------


async def test_one_subscriber_and_their_export(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    sid = add(ctx, "lege@kommune.no", ["vaksinasjon"], "immediate", name="Kari", region="4601")
    add(ctx, "lege@kommune.no", ["testing"], "weekly")
    with Session(ctx.engine) as session:
        message = OutgoingMessage("lege@kommune.no", "Nytt om vaksinasjon", "t", "<p>t</p>",
                                  "detail-test:1", {})  # fmt: skip
        row = enqueue(session, message, kind="alert", subscriber_id=sid, now=clock())
        assert row is not None
        row.status, row.sent_at = "sent", clock()
        session.commit()
    _, csrf = await login(client, ctx, role="admin")
    page = await client.get(f"/staff/abonnenter/{sid}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Abonnent lege@kommune.no</h1>" in text
    assert "Vaksinasjon" in text and "Straks" in text and "Ukentlig sammendrag" in text
    assert "Bergen (4601)" in text and "Nytt om vaksinasjon" in text and ">sendt<" in text
    assert "Harde returer siden siste levering" in text
    nn = await client.get(f"/staff/abonnenter/{sid}?lang=nn")
    assert "Vekentleg samandrag" in nn.text and "Siste meldingar" in nn.text
    await client.get("/staff/abonnenter?lang=nb")  # back to bokmål (the choice is a cookie)

    for missing in ("999999", "abc", "0"):
        gone = await client.get(f"/staff/abonnenter/{missing}")
        assert gone.status_code == 404 and "Abonnenten finnes ikke" in gone.text

    exported = await client.post(f"/staff/abonnenter/{sid}/eksport", data={"csrf_token": csrf})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.headers["cache-control"] == "no-store"
    with Session(ctx.engine) as session:
        person = session.get(Subscriber, sid)
        assert person is not None
        assert json.loads(exported.text) == json.loads(json.dumps(ss.export(session, person)))
    (event,) = audit_events(ctx, "subscriber.export")
    assert (event.target_kind, event.target_id) == ("subscriber", str(sid))
    assert "lege@kommune.no" not in json.dumps([event.before, event.after, event.detail])

    everyone = await client.post("/staff/abonnenter/eksport", data={"csrf_token": csrf})
    assert everyone.status_code == 200
    assert everyone.headers["content-type"].startswith("text/csv")
    with Session(ctx.engine) as session:
        assert everyone.text == export_csv(session)
    assert len(audit_events(ctx, "subscriber.export")) == 2
    assert (await client.get("/staff/abonnenter/eksport")).status_code == 200


# --- erasure --------------------------------------------------------------------------------


async def test_erasure_through_the_console_leaves_nothing_of_the_person(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    async with make_client(create_app(ctx)) as public:
        sid, _prefs = await sign_up_and_confirm(ctx, public)
    fill_the_outbox(ctx, sid, clock)
    assert scan(ctx.engine)[1]  # the person is there
    _, csrf = await login(client, ctx, role="admin")
    before = snapshot(ctx)
    unticked = await client.post(f"/staff/abonnenter/{sid}/slett", data={"csrf_token": csrf})
    assert unticked.status_code == 400
    assert "Kryss av for at personen har bedt om å bli slettet" in unticked.text
    assert snapshot(ctx) == before

    done = await client.post(
        f"/staff/abonnenter/{sid}/slett", data={"csrf_token": csrf, "bekreft": "ja"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/abonnenter?ok=slettet"
    assert "Abonnenten er slettet." in (await client.get(done.headers["location"])).text
    _, after = scan(ctx.engine)
    assert after == [], f"the erased person is still in: {after}"
    with Session(ctx.engine) as session:
        person = session.get(Subscriber, sid)
        assert person is not None and person.email == f"erased-{sid}@invalid"
        assert ss.choices(session, person) == {}
        # erased exactly as the subscriber's own erasure: suppressed, links revoked
        assert ss.is_suppressed(session, "Ola.Nordmann@x.no")
        assert person.token_version == 1
    (event,) = audit_events(ctx, "subscriber.erase")
    assert (event.target_kind, event.target_id, event.actor) == (
        "subscriber", str(sid), "admin@fhi.no"
    )  # fmt: skip
    stored = json.dumps([event.before, event.after, event.detail, event.target_id]).lower()
    assert not [n for n in NEEDLES if n in stored]
    # the row is nobody now: its page and a second erasure are 404
    assert (await client.get(f"/staff/abonnenter/{sid}")).status_code == 404
    again = await client.post(
        f"/staff/abonnenter/{sid}/slett", data={"csrf_token": csrf, "bekreft": "ja"}
    )
    assert again.status_code == 404


# --- import ---------------------------------------------------------------------------------

IMPORT = (
    HEADER
    + "ny@kommune.no,Ny Lege,kommunelege,4601,vaksinasjon;testing:weekly,daily,\n"  # 2 add
    + "lege@kommune.no,,kommunelege,,vaksinasjon,immediate,\n"  # 3 change (cadence)
    + "same@kommune.no,Same,annen,,testing,daily,\n"  # 4 same
    + "feil-adresse,X,annen,,testing,daily,\n"  # 5 refused
    + "x@kommune.no,X,rektor,,testing,daily,\n"  # 6 refused (role)
    + "slettet@kommune.no,S,annen,,testing,daily,\n"  # 7 suppressed (erased)
    + "retur@kommune.no,R,annen,,testing,daily,\n"  # 8 suppressed (bounced)
    + "NY@kommune.no,,statsforvalter,,smittesporing:daily,,rogaland\n"  # 9 change (same person)
    + "y@kommune.no,Y,annen,9999,testing,daily,\n"  # 10 refused (region)
    + "z@kommune.no,Z,annen,,testing,sometimes,\n"  # 11 refused (cadence)
    + "w@kommune.no,W,annen,,fotball,daily,\n"  # 12 refused (subtopic)
    + "v@kommune.no,V,annen,,,daily,\n"  # 13 refused (no subtopics)
    + "u@kommune.no,U,statsforvalter,,testing,daily,atlantis\n"  # 14 refused (office)
)


def import_fixtures(ctx: Context, clock: Clock) -> None:
    add(ctx, "lege@kommune.no", ["vaksinasjon"], "daily", name="Kari")
    add(ctx, "same@kommune.no", ["testing"], "daily", role="annen", name="Same")
    bounced = add(ctx, "retur@kommune.no", ["testing"])
    with Session(ctx.engine) as session:
        suppress(session, "slettet@kommune.no", ERASED, clock())
        assert record_hard_bounce(session, bounced, clock(), threshold=1)
        session.commit()


async def test_import_preview_changes_nothing_and_apply_does_exactly_what_it_showed(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    import_fixtures(ctx, clock)
    _, csrf = await login(client, ctx, role="admin")
    form = await client.get("/staff/abonnenter/import")
    assert 'enctype="multipart/form-data"' in form.text
    before = snapshot(ctx)
    page = await preview(client, csrf, IMPORT.encode("utf-8-sig"))
    assert page.status_code == 200, page.text
    assert snapshot(ctx) == before  # the preview wrote nothing
    text = page.text
    assert counts_of(text) == {
        "Nye abonnenter": 1, "Endres": 2, "Uendret": 1, "Avvist (feil i linjen)": 7,
        "Hoppet over (sperret)": 2,
    }  # fmt: skip
    for reason in (
        "Ugyldig e-postadresse «feil-adresse».",
        "Ukjent rolle «rektor».",
        "Ukjent kommune- eller fylkesnummer «9999».",
        "Ukjent hyppighet «sometimes».",
        "Ukjent emne «fotball».",
        "Ingen emner. Fyll ut kolonnen subtopics.",
        "Ukjent statsforvalterembete «atlantis».",
        "Personen har bedt om å bli slettet (slettet).",
        "Meldinger til adressen har kommet i retur gjentatte ganger (avvist).",
    ):
        assert reason in text, reason
    assert "emne Vaksinasjon: Daglig sammendrag → Straks" in text
    assert "rolle: Kommuneoverlege eller kommunelege → Ansatt hos statsforvalteren" in text
    assert re.search(r">9</td>\s*<td[^>]*>NY@kommune\.no</td>", text)
    assert "Filens SHA-256" in text

    fields = hidden_fields(text, "/staff/abonnenter/import/bruk")
    applied = await client.post("/staff/abonnenter/import/bruk", data=fields)
    assert applied.status_code == 303, applied.text
    notice = await client.get(applied.headers["location"])
    assert "Filen er brukt: 1 nye, 2 endret, 1 uendret, 7 avvist, 2 hoppet over." in notice.text
    with Session(ctx.engine) as session:
        new = find_subscriber(session, "ny@kommune.no")
        assert new is not None and new.confirmed_at is not None
        assert (new.email, new.name, new.role, new.region, new.office) == (
            "ny@kommune.no", "Ny Lege", "statsforvalter", "4601", "rogaland"
        )  # fmt: skip
        assert ss.choices(session, new) == {
            "vaksinasjon": "daily", "testing": "weekly", "smittesporing": "daily"
        }  # fmt: skip
        lege = find_subscriber(session, "lege@kommune.no")
        assert lege is not None and ss.choices(session, lege) == {"vaksinasjon": "immediate"}
        for refused in ("x@kommune.no", "y@kommune.no", "slettet@kommune.no", "u@kommune.no"):
            assert find_subscriber(session, refused) is None
        retur = find_subscriber(session, "retur@kommune.no")
        assert retur is not None and retur.suppressed_at is not None
        assert ss.choices(session, retur) == {"testing": "daily"}
    (event,) = audit_events(ctx, "subscriber.import")
    assert event.after["nye"] == 1 and event.after["endret"] == 2
    assert event.after["avvist"] == 7 and event.after["sperret"] == 2
    assert event.after["sha256"] == fields["sha256"]

    # the same file again: no one new; lines 2 and 9 (one person, two roles) still change
    # the role back and forth, as the importer would
    again = await preview(client, csrf, IMPORT.encode())
    assert counts_of(again.text) == {
        "Nye abonnenter": 0, "Endres": 2, "Uendret": 2, "Avvist (feil i linjen)": 7,
        "Hoppet over (sperret)": 2,
    }  # fmt: skip
    same = await preview(client, csrf, (HEADER + IMPORT.splitlines()[3] + "\n").encode())
    assert counts_of(same.text)["Uendret"] == 1
    assert "Filen vil ikke endre noe." in same.text
    assert "/staff/abonnenter/import/bruk" not in same.text
    # a replayed apply has nothing to do: the plan differs from what was shown
    before = snapshot(ctx)
    replay = await client.post("/staff/abonnenter/import/bruk", data=fields)
    assert replay.status_code == 409
    assert "Abonnentene er endret siden forhåndsvisningen" in replay.text
    assert snapshot(ctx) == before


async def test_apply_refuses_a_changed_file_a_forged_seal_an_old_preview_and_a_changed_plan(
    ctx: Context, client: httpx.AsyncClient, clock: Clock
) -> None:
    _, csrf = await login(client, ctx, role="admin")
    content = (HEADER + "ny@kommune.no,Ny,annen,,testing,daily,\n").encode()
    page = await preview(client, csrf, content)
    fields = hidden_fields(page.text, "/staff/abonnenter/import/bruk")
    other = await preview(client, csrf, content.replace(b"ny@", b"annen@"))
    other_fields = hidden_fields(other.text, "/staff/abonnenter/import/bruk")
    before = snapshot(ctx)
    for forged in (
        fields | {"innhold": other_fields["innhold"]},  # another file under this seal
        fields | {"sha256": other_fields["sha256"], "innhold": other_fields["innhold"]},
        fields | {"segl": "0" * 64},
        fields | {"plan": other_fields["plan"]},
        fields | {"utstedt": str(int(fields["utstedt"]) + 1)},
        fields | {"innhold": "!!!"},
        {"csrf_token": csrf},
    ):
        refused = await client.post("/staff/abonnenter/import/bruk", data=forged)
        assert refused.status_code == 400, forged
        assert "Last opp filen på nytt" in refused.text
    clock.advance(hours=1, minutes=1)
    _, csrf = await login(client, ctx, role="admin")  # the idle session ended as well
    old = await client.post("/staff/abonnenter/import/bruk", data=fields | {"csrf_token": csrf})
    assert old.status_code == 400 and "for gammel" in old.text
    after = snapshot(ctx)
    after.pop("audit_event"), before.pop("audit_event")  # the second login
    assert after == before

    # someone adds the person in between: the file would now do something else
    fresh = await preview(client, csrf, content)
    fresh_fields = hidden_fields(fresh.text, "/staff/abonnenter/import/bruk")
    add(ctx, "ny@kommune.no", ["vaksinasjon"])
    before = snapshot(ctx)
    changed = await client.post("/staff/abonnenter/import/bruk", data=fresh_fields)
    assert changed.status_code == 409
    assert "Se over den nye forhåndsvisningen" in changed.text
    assert counts_of(changed.text)["Endres"] == 1
    assert snapshot(ctx) == before
    # applying the new preview works
    renewed = hidden_fields(changed.text, "/staff/abonnenter/import/bruk")
    assert (await client.post("/staff/abonnenter/import/bruk", data=renewed)).status_code == 303
    with Session(ctx.engine) as session:
        person = find_subscriber(session, "ny@kommune.no")
        assert person is not None
        assert ss.choices(session, person) == {"vaksinasjon": "daily", "testing": "daily"}


async def test_upload_refusals_in_norwegian(ctx: Context, client: httpx.AsyncClient) -> None:
    _, csrf = await login(client, ctx, role="admin")
    before = snapshot(ctx)
    cases: list[tuple[str, bytes, int, str]] = [
        ("liste.xlsx", b"PK\x03\x04 regneark", 415, "må være en CSV-fil"),
        ("liste.csv", b"PK\x03\x04 regneark", 415, "er ikke en tekstfil"),
        ("liste.csv", "email\n".encode("utf-16"), 415, "ikke i tegnsettet UTF-8"),
        ("liste.csv", "email,name\nø@x.no,Ø\n".encode("latin-1"), 415, "UTF-8"),
        ("liste.csv", b"x" * (2 * 1024 * 1024 + 1), 413, "Filen er for stor"),
    ]
    for filename, content, status, words in cases:
        page = await preview(client, csrf, content, filename)
        assert page.status_code == status, (filename, page.text[:300])
        assert words in page.text
    empty = await preview(client, csrf, b"")
    assert empty.status_code == 200 and "Filen er tom." in empty.text
    assert "/staff/abonnenter/import/bruk" not in empty.text
    missing = await client.post("/staff/abonnenter/import", data={"csrf_token": csrf})
    assert missing.status_code == 400 and "Velg en fil." in missing.text
    columns = await preview(client, csrf, b"email,name\nola@x.no,Ola\n")
    assert columns.status_code == 200
    assert "Filen mangler kolonnen eller kolonnene role, subtopics." in columns.text
    assert "/staff/abonnenter/import/bruk" not in columns.text
    huge = await client.post(
        "/staff/abonnenter/import",
        content=b"x" * 10,
        headers={"content-type": "multipart/form-data; boundary=x", "content-length": "9999999"},
    )
    assert huge.status_code == 413 and "Filen er for stor" in huge.text
    assert snapshot(ctx) == before


# --- one validation path --------------------------------------------------------------------


async def test_hostile_addresses_are_refused_alike_by_the_console_and_the_cli_import(
    ctx: Context, client: httpx.AsyncClient, cli: CliRunner, tmp_path: Path
) -> None:
    addresses = [str(p.values[0]) for p in HOSTILE]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a lone CR too
    writer.writerow(("email", "name", "role", "region", "subtopics", "cadence"))
    for address in addresses:
        writer.writerow((address, "Navn", "kommunelege", "", "vaksinasjon", "daily"))
    content = buffer.getvalue().encode("utf-8")
    _, csrf = await login(client, ctx, role="admin")
    before = snapshot(ctx)
    page = await preview(client, csrf, content)
    assert page.status_code == 200
    assert counts_of(page.text) == {
        "Nye abonnenter": 0, "Endres": 0, "Uendret": 0, "Avvist (feil i linjen)": len(addresses),
        "Hoppet over (sperret)": 0,
    }  # fmt: skip
    console_lines = {int(n) for n in re.findall(r'<td data-label="Linje">(\d+)</td>', page.text)}
    assert "/staff/abonnenter/import/bruk" not in page.text
    assert "<script>alert" not in page.text and '" onfocus="' not in page.text
    assert page.text.count("Ugyldig e-postadresse") == len(addresses)
    assert snapshot(ctx) == before

    file = tmp_path / "hostile.csv"
    file.write_bytes(content)
    result = cli.invoke(cli_app, ["subscribers", "import", str(file)])
    assert result.exit_code == 1, result.output
    assert "0 imported" in result.stdout
    cli_lines = {int(n) for n in re.findall(r"^line (\d+): ", result.stderr, re.M)}
    assert console_lines == cli_lines and len(cli_lines) == len(addresses)
    with Session(ctx.engine) as session:
        assert not session.exec(select(Subscriber)).all()
        assert not session.exec(select(Subscription)).all()


async def test_a_subscriber_at_the_target_cap_sees_the_same_words_inline_and_in_the_summary(
    ctx: Context, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subscribers import targets

    monkeypatch.setattr(targets, "MAX_TARGETS_PER_SUBSCRIBER", 1)
    sid = add(ctx, "sf@k.no", ["vaksinasjon"])
    _, csrf = await login(client, ctx, role="admin")
    path = f"/staff/abonnenter/{sid}/mal"
    first = await client.post(path, data={"url": "json://h1.example.no/x", "csrf_token": csrf})
    assert first.status_code == 303
    full = await client.post(path, data={"url": "json://h2.example.no/x", "csrf_token": csrf})
    assert full.status_code == 400
    listed = re.search(r'class="error-summary".*?<li>([^<]*)</li>', full.text, re.S)
    shown = re.search(r'<span class="error" id="target-error">([^<]*)</span>', full.text)
    assert listed is not None and shown is not None
    summary, inline = html.unescape(listed.group(1)), html.unescape(shown.group(1))
    assert summary.startswith("Abonnenten har allerede 1 varslingskanaler")
    assert inline == summary


SCHEDULE_HEADER = "email,role,subtopics,cadence,digest_hour,digest_weekday,quiet_start,quiet_end\n"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nb", ["klokkeslett for sammendrag: standard → kl. 08",
                "ukedag for ukentlig sammendrag: standard → fredag",
                "stilletid for push: ingen → kl. 22–07",
                "Ugyldig klokkeslett «25» i kolonnen digest_hour.",
                "Ugyldig ukedag «fridag» i kolonnen digest_weekday.",
                "Ugyldig stilletid «22-22» i kolonnene quiet_start og quiet_end."]),
        ("nn", ["klokkeslett for samandrag: standard → kl. 08",
                "vekedag for vekentleg samandrag: standard → fredag",
                "stille tid for push: ingen → kl. 22–07",
                "Ugyldig klokkeslett «25» i kolonnen digest_hour.",
                "Ugyldig vekedag «fridag» i kolonnen digest_weekday.",
                "Ugyldig stille tid «22-22» i kolonnane quiet_start og quiet_end."]),
    ],
)  # fmt: skip
async def test_import_preview_words_the_schedule_columns_in_norwegian(
    ctx: Context, client: httpx.AsyncClient, lang: str, words: list[str]
) -> None:
    add(ctx, "lege@kommune.no", ["vaksinasjon"], "daily")
    _, csrf = await login(client, ctx, role="admin")
    await client.get(f"/staff/abonnenter/import?lang={lang}")
    content = SCHEDULE_HEADER + (
        "lege@kommune.no,kommunelege,vaksinasjon,daily,8,fredag,22,7\n"
        "a@kommune.no,kommunelege,vaksinasjon,daily,25,,,\n"
        "b@kommune.no,kommunelege,vaksinasjon,daily,,fridag,,\n"
        "c@kommune.no,kommunelege,vaksinasjon,daily,,,22,22\n"
    )
    page = await client.post(
        f"/staff/abonnenter/import?lang={lang}",
        data={"csrf_token": csrf},
        files={"fil": ("liste.csv", content.encode(), "text/csv")},
    )
    assert page.status_code == 200, page.text
    text = html.unescape(page.text)
    for expected in words:
        assert expected in text, expected
    for raw in ("digest_hour:", "digest_weekday:", "quiet:", "Linjen kan ikke", "Linja kan ikkje"):
        assert raw not in text, raw
