"""The console's door over HTTP, on SQLite and PostgreSQL: the login page, setting a password
from a setup link, changing one's own password, the audit log page, the layout (nav by role,
language), and the dependencies ``require_admin`` and the JSON answer of ``current_staff``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from lxml import html as lxml_html
from sqlmodel import Session

from notifier import audit, staff
from notifier.context import Context
from notifier.models import AuditEvent, StaffUser
from notifier.web import create_app
from notifier.web.deps import AdminDep, StaffDep
from notifier.web.texts_staff import ACTIONS, DETAILS, FIELDS, NB, NN, TARGETS
from tests.support.staff import (
    PASSWORD,
    csrf_of,
    fast_hasher,  # noqa: F401 (fixture)
    login,
    make_staff,
    staff_client,
)

pytestmark = pytest.mark.usefixtures("fast_hasher")
NEW = "nytt og langt passord 2026"


def admin_only(user: AdminDep) -> JSONResponse:
    return JSONResponse({"email": user.email})


def ping(user: StaffDep) -> JSONResponse:
    return JSONResponse({"email": user.email})


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    app = create_app(ctx)
    app.add_api_route("/staff/test-admin", admin_only)
    app.add_api_route("/staff/api/ping", ping)
    return app


@pytest.fixture
async def client(ctx: Context, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with staff_client(ctx, app) as c:
        yield c


def xp(node: Any, expr: str) -> list[Any]:
    return cast(list[Any], node.xpath(expr))


def structure(page: str) -> lxml_html.HtmlElement:
    """Checks what every console page needs (lang, title, one h1, labels, unique ids, a skip
    link to main) and returns the tree."""
    tree = lxml_html.fromstring(page)
    assert tree.get("lang") in ("nb", "nn")
    assert tree.findtext(".//title")
    assert len(xp(tree, "//h1")) == 1
    assert xp(tree, "//a[@class='skip']/@href") == ["#main"] and xp(tree, "//main[@id='main']")
    labels = {label.get("for") for label in tree.iter("label")}
    for control in xp(tree, "//input[not(@type='hidden') and not(@hidden)] | //select"):
        assert control.get("id") in labels, lxml_html.tostring(control)[:80]
    ids = [e.get("id") for e in xp(tree, "//*[@id]")]
    assert len(ids) == len(set(ids))
    return tree


def test_texts_have_both_languages() -> None:
    assert NB.keys() == NN.keys()
    for table in (ACTIONS, DETAILS, FIELDS, TARGETS):
        assert table["nb"].keys() == table["nn"].keys()
    assert set(staff.MESSAGES["nb"]) == set(staff.MESSAGES["nn"])


async def test_login_page_in_both_languages(client: httpx.AsyncClient) -> None:
    page = await client.get("/staff/login")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    tree = structure(page.text)
    assert xp(tree, "//input[@name='csrf_token']/@value")
    assert xp(tree, "//input[@id='password']/@autocomplete") == ["current-password"]
    assert not xp(tree, "//nav[@class='main']")  # no menu before login
    nn = await client.get("/staff/login?lang=nn")
    assert lxml_html.fromstring(nn.text).get("lang") == "nn"
    assert NN["login_intro"] in nn.text and NB["login_intro"] not in nn.text
    again = await client.get("/staff/login")  # the language is remembered
    assert NN["login_intro"] in again.text


async def test_login_goes_to_next(ctx: Context, client: httpx.AsyncClient) -> None:
    make_staff(ctx, "ola@fhi.no")
    asked = await client.get("/staff/logg?handling=login")
    assert asked.headers["location"] == "/staff/login?neste=/staff/logg%3Fhandling%3Dlogin"
    form = await client.get(asked.headers["location"])
    action = xp(lxml_html.fromstring(form.text), "//form/@action")[0]
    done = await client.post(
        action,
        data={"csrf_token": csrf_of(form.text), "email": " Ola@FHI.no ", "password": PASSWORD},
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/logg?handling=login"
    assert (await client.get(done.headers["location"])).status_code == 200


async def test_nav_follows_the_role(ctx: Context, app: FastAPI, client: httpx.AsyncClient) -> None:
    await login(client, ctx, role="redaktor")
    page = await client.get("/staff/logg")
    tree = structure(page.text)
    nav = xp(tree, "//nav[@class='main']//a")
    hrefs = [a.get("href") for a in nav]
    assert "/staff/abonnenter" not in hrefs and "/staff/logg" in hrefs and "/staff" in hrefs
    assert [a.get("href") for a in nav if a.get("aria-current") == "page"] == ["/staff/logg"]
    assert "redaktor@fhi.no" in page.text and "(redaktør)" in page.text
    assert xp(tree, "//form[@action='/staff/logout']//input[@name='csrf_token']")
    forbidden = await client.get("/staff/test-admin")
    assert forbidden.status_code == 403 and NB["forbidden_text"] in forbidden.text
    async with staff_client(ctx, app) as admin:
        await login(admin, ctx, role="admin")
        page = await admin.get("/staff/logg")
        assert "/staff/abonnenter" in xp(lxml_html.fromstring(page.text), "//nav//a/@href")
        assert (await admin.get("/staff/test-admin")).json() == {"email": "admin@fhi.no"}


async def test_json_callers_get_401(ctx: Context, client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/staff/api/ping")
    assert anonymous.status_code == 401 and anonymous.json() == {"detail": NB["unauthorised"]}
    await login(client, ctx)
    assert (await client.get("/staff/api/ping")).json() == {"email": "redaktor@fhi.no"}
    forbidden = await client.get("/staff/test-admin", headers={"accept": "application/json"})
    assert forbidden.status_code == 403 and forbidden.json() == {"detail": NB["forbidden_text"]}


# --- setting a password from a link -----------------------------------------------------------


def setup_token(ctx: Context, email: str = "ny@fhi.no", hours: float = 48) -> str:
    user = make_staff(ctx, email, password=None)
    with Session(ctx.engine, expire_on_commit=False) as session:
        token = staff.issue_setup_token(session, user, ctx.clock(), timedelta(hours=hours))
        session.commit()
    return token


async def test_setup_link_sets_the_password_once(ctx: Context, client: httpx.AsyncClient) -> None:
    token = setup_token(ctx)
    page = await client.get(f"/staff/passord/{token}")
    assert page.status_code == 200 and "ny@fhi.no" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    structure(page.text)
    url, csrf = f"/staff/passord/{token}", csrf_of(page.text)
    mismatch = await client.post(
        url, data={"csrf_token": csrf, "new_password": NEW, "new_password_again": NEW + "x"}
    )
    assert mismatch.status_code == 400 and "De to passordene er ikke like." in mismatch.text
    short = await client.post(
        url, data={"csrf_token": csrf, "new_password": "kort", "new_password_again": "kort"}
    )
    assert short.status_code == 400 and "Passordet må ha minst 12 tegn." in short.text
    structure(short.text)
    done = await client.post(
        url, data={"csrf_token": csrf, "new_password": NEW, "new_password_again": NEW}
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/login?ok=passord"
    assert NB["password_set_ok"] in (await client.get(done.headers["location"])).text
    used = await client.get(url)
    assert used.status_code == 400 and "ugyldig eller allerede brukt" in used.text
    reused = await client.post(
        url, data={"csrf_token": csrf, "new_password": PASSWORD, "new_password_again": PASSWORD}
    )
    assert reused.status_code == 400
    await login(client, ctx, email="ny@fhi.no", password=NEW)
    assert [e.actor for e in _events(ctx, audit.PASSWORD_SET)] == ["ny@fhi.no"]


async def test_setup_link_expired_or_unknown(
    ctx: Context, client: httpx.AsyncClient, clock: object
) -> None:
    token = setup_token(ctx, hours=1)
    ctx.clock.advance(hours=2)  # type: ignore[attr-defined]
    expired = await client.get(f"/staff/passord/{token}?lang=nn")
    assert expired.status_code == 400
    assert "Lenkja for å setje passord har gått ut." in expired.text
    structure(expired.text)
    unknown = await client.get(f"/staff/passord/{'x' * 43}")
    assert unknown.status_code == 400 and "ugyldig eller allereie brukt" in unknown.text


# --- changing one's own password ----------------------------------------------------------------


async def test_change_password(ctx: Context, client: httpx.AsyncClient) -> None:
    _, csrf = await login(client, ctx)
    page = await client.get("/staff/passord")
    structure(page.text)

    async def change(current: str, new: str, again: str) -> httpx.Response:
        return await client.post(
            "/staff/passord",
            data={"csrf_token": csrf, "current_password": current, "new_password": new,
                  "new_password_again": again},
        )  # fmt: skip

    assert "De to passordene er ikke like." in (await change(PASSWORD, NEW, NEW + "!")).text
    same_as_mail = await change(PASSWORD, "redaktor@fhi.no", "redaktor@fhi.no")
    assert same_as_mail.status_code == 400
    assert "Passordet kan ikke være e-postadressen din." in same_as_mail.text
    done = await change(PASSWORD, NEW, NEW)
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert NB["password_changed"] in shown.text
    with Session(ctx.engine) as session:
        user = staff.find_staff(session, "redaktor@fhi.no")
        assert user is not None and user.password_hash
        assert staff.verify_password(user.password_hash, NEW)[0]
        assert not staff.verify_password(user.password_hash, PASSWORD)[0]


# --- the audit log page -------------------------------------------------------------------------


def _events(ctx: Context, action: str | None = None) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(audit.recent(session, 1000, action=action))


def _record(ctx: Context, n: int, actor: StaffUser | None = None) -> None:
    with Session(ctx.engine) as session:
        for i in range(n):
            audit.record(
                session, ctx.clock() + timedelta(seconds=i + 1), actor, "change.retag", "change",
                str(i), before={"subtopics": ["testing"], "urgent": False},
                after={"subtopics": ["testing", "vaksinasjon"], "urgent": True},
            )  # fmt: skip
        session.commit()


def _rows(page: str) -> list[list[str]]:
    tree = lxml_html.fromstring(page)
    return [
        [" ".join(td.text_content().split()) for td in xp(tr, "td")]
        for tr in xp(tree, "//table//tbody/tr")
    ]


async def test_audit_page_newest_first_readable_and_paged(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    await login(client, ctx)
    _record(ctx, 60)
    page = await client.get("/staff/logg")
    assert page.status_code == 200
    structure(page.text)
    rows = _rows(page.text)
    assert len(rows) == 50
    assert rows[0][1] == "kommandolinjen" and rows[0][2] == "Emner endret"
    assert rows[0][3] == "endring 59"
    assert rows[0][4] == "emner: testing → testing, vaksinasjon haster: nei → ja"
    assert re.fullmatch(r"23\.11\.2026 09:01:00", rows[0][0])  # Europe/Oslo, 60 s after 08:00 UTC
    assert "63 hendelser, side 1 av 2." in page.text  # + staff_add, password_set, login
    older = xp(lxml_html.fromstring(page.text), "//nav[@class='pager']//a/@href")
    assert older == ["/staff/logg?side=2"]
    second = await client.get(older[0])
    rows2 = _rows(second.text)
    assert len(rows2) == 13 and rows2[-1][2] == "Bruker lagt til"
    filtered = await client.get("/staff/logg?handling=login")
    assert [r[2] for r in _rows(filtered.text)] == ["Innlogging"]
    assert "1 hendelser" in filtered.text
    assert 'value="login" selected' in filtered.text
    nn = await client.get("/staff/logg?handling=login&lang=nn")
    assert [r[2] for r in _rows(nn.text)] == ["Innlogging"] and "Kven" in nn.text
    past_end = await client.get("/staff/logg?side=99")
    assert "side 2 av 2" in past_end.text


async def test_audit_page_for_admin_too_and_failed_logins_in_words(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    form = await client.get("/staff/login")
    await client.post(
        "/staff/login",
        data={"csrf_token": csrf_of(form.text), "email": "ukjent@fhi.no", "password": "x" * 12},
    )
    await login(client, ctx, role="admin")
    page = await client.get("/staff/logg?handling=login_failed")
    rows = _rows(page.text)
    assert len(rows) == 1
    assert rows[0][1] == "ukjent (ikke innlogget)" and rows[0][2] == "Mislykket innlogging"
    assert rows[0][5].startswith("ukjent adresse; klient ")
    assert "x" * 12 not in page.text
