"""Push on the web, without a browser: the installable web app (manifest, icons, service
worker at the root), and the preferences page's push and Apprise forms (CSRF, the signed
link, the outbound gate, bokmål and nynorsk)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from lxml import html as lxml_html
from sqlmodel import Session, select

from notifier.channels.webpush import load_vapid_keys
from notifier.context import Context
from notifier.web import create_app
from notifier.web.icons import png
from subscribers.models import AppriseTarget, PushEndpoint
from subscribers.selfservice import signing_secret
from subscribers.tokens import MANAGE, sign
from tests.support.pushservice import PushService, push_service
from tests.test_plan import subscribe
from tests.test_web import assert_accessible_form


@pytest.fixture
async def client(ctx: Context) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def service() -> AsyncIterator[PushService]:
    with push_service() as s:
        yield s  # type: ignore[misc]


def prefs_path(ctx: Context, email: str = "sf@k.no") -> str:
    subscribe(ctx, email, ["forskrifter_regelverk"], "daily")
    with Session(ctx.engine) as session:
        secret = signing_secret(session, ctx.settings.secret_key)
        session.commit()
    return f"/innstillinger/{sign(secret, MANAGE, 1, 0, ctx.clock())}"


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', (await client.get(path)).text)
    assert found is not None
    return found.group(1)


async def test_the_site_is_an_installable_web_app(client: httpx.AsyncClient) -> None:
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["start_url"] == "/" and data["scope"] == "/" and data["display"] == "standalone"
    purposes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in data["icons"]:
        answer = await client.get(icon["src"])
        assert answer.headers["content-type"] == "image/png"
        assert answer.content.startswith(b"\x89PNG\r\n\x1a\n")
        size = int(icon["sizes"].split("x")[0])
        assert int.from_bytes(answer.content[16:20], "big") == size  # IHDR width
    assert png(192) == png(192)  # deterministic
    worker = await client.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.headers["cache-control"] == "no-cache"
    assert "showNotification" in worker.text and "notificationclick" in worker.text
    page = (await client.get("/abonner")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page


@pytest.mark.parametrize("lang", ["nb", "nn"])
async def test_the_preferences_page_offers_push_and_targets(
    ctx: Context, client: httpx.AsyncClient, lang: str
) -> None:
    path = prefs_path(ctx)
    page = (await client.get(f"{path}?lang={lang}")).text
    assert_accessible_form(page)
    tree = lxml_html.fromstring(page)
    [box] = tree.xpath("//section[@id='push']")
    assert box.get("data-key") == load_vapid_keys(ctx.engine).public
    assert box.get("data-action") == f"{path}/push"
    # the permission is asked only after a click: the buttons start hidden, the script has no
    # top-level call to requestPermission
    assert tree.xpath("//button[@id='push-on']")[0].get("hidden") is not None
    script = (await client.get("/push.js")).text
    assert script.count("requestPermission") == 1
    assert 'on.addEventListener("click"' in script.split("requestPermission")[0]
    nojs = tree.xpath("//section[@id='push']//noscript")[0]
    assert "JavaScript" in lxml_html.tostring(nojs, encoding="unicode")
    expected = (
        "Slå på varsler i denne nettleseren"
        if lang == "nb"
        else "Slå på varsel i denne nettlesaren"
    )
    assert expected in page


async def test_the_script_registers_and_removes_a_browser(
    ctx: Context, client: httpx.AsyncClient, service: PushService
) -> None:
    path = prefs_path(ctx)
    csrf = await csrf_of(client, path)
    browser = service.subscribe(load_vapid_keys(ctx.engine).public)
    fields = {"endpoint": browser.endpoint, "p256dh": browser.p256dh, "auth": browser.auth}
    refused = await client.post(f"{path}/push", data={**fields, "csrf": "forged"})
    assert refused.status_code == 403
    answer = await client.post(f"{path}/push", data={**fields, "csrf": csrf},
                               headers={"Accept": "application/json"})  # fmt: skip
    assert answer.status_code == 200 and answer.json()["ok"] is True
    second = service.subscribe(load_vapid_keys(ctx.engine).public)
    await client.post(f"{path}/push", data={"csrf": csrf, "endpoint": second.endpoint,
                                            "p256dh": second.p256dh, "auth": second.auth})  # fmt: skip
    with Session(ctx.engine) as session:
        assert len(session.exec(select(PushEndpoint)).all()) == 2  # several devices
    page = (await client.get(path)).text
    assert "Enhet 1" in page and "Enhet 2" in page and browser.endpoint not in page
    exported = (await client.get(f"{path}/data.json")).json()
    assert [e["endpoint"] for e in exported["push_endpoints"]] == [
        browser.endpoint,
        second.endpoint,
    ]
    bad = await client.post(f"{path}/push", data={**fields, "auth": "kort", "csrf": csrf})
    assert bad.status_code == 400 and bad.json()["ok"] is False
    off = await client.post(f"{path}/push/av", data={"csrf": csrf, "endpoint": browser.endpoint},
                            headers={"Accept": "application/json"})  # fmt: skip
    assert off.json() == {"ok": True, "removed": True}
    with Session(ctx.engine) as session:  # a listed device, by the plain form
        [left] = session.exec(select(PushEndpoint)).all()
    plain = await client.post(f"{path}/push/av", data={"csrf": csrf, "endpoint_id": str(left.id)})
    assert plain.status_code == 200 and "Enheten er fjernet" in plain.text
    with Session(ctx.engine) as session:
        assert session.exec(select(PushEndpoint)).all() == []


async def test_a_forged_link_registers_nothing(ctx: Context, client: httpx.AsyncClient) -> None:
    path = prefs_path(ctx)
    csrf = await csrf_of(client, path)
    answer = await client.post("/innstillinger/1.0.9999999999.forged/push",
                               data={"csrf": csrf, "endpoint": "https://push.example.no/x"})  # fmt: skip
    assert answer.status_code == 400
    with Session(ctx.engine) as session:
        assert session.exec(select(PushEndpoint)).all() == []


async def test_a_private_endpoint_is_refused_by_the_page(
    ctx: Context, client: httpx.AsyncClient, service: PushService
) -> None:
    ctx.settings.allow_private_sources = False
    path = prefs_path(ctx)
    csrf = await csrf_of(client, path)
    browser = service.subscribe(load_vapid_keys(ctx.engine).public)
    answer = await client.post(f"{path}/push", data={"csrf": csrf, "endpoint": browser.endpoint,
                                                     "p256dh": browser.p256dh, "auth": browser.auth})  # fmt: skip
    assert answer.status_code == 400 and answer.json()["error"] == "refused"
    assert answer.json()["message"] == "Det gikk ikke å slå på varsler. Prøv igjen senere."


async def test_targets_are_added_masked_and_removed(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    path = prefs_path(ctx)
    csrf = await csrf_of(client, path)
    url = "ntfys://ntfy.example.no/hemmelig-emne"
    added = await client.post(f"{path}/mal", data={"csrf": csrf, "url": url})
    assert added.status_code == 200 and "ntfys://ntfy.example.no/…" in added.text
    assert "hemmelig" not in added.text
    page = (await client.get(path)).text
    assert "ntfys://ntfy.example.no/…" in page and "hemmelig" not in page
    exported = (await client.get(f"{path}/data.json")).json()
    assert [t["target"] for t in exported["push_targets"]] == ["ntfys://ntfy.example.no/…"]
    refused = await client.post(f"{path}/mal", data={"csrf": csrf, "url": "file:///etc/passwd"})
    assert refused.status_code == 400 and "Adressen kan ikke brukes" in refused.text
    allowed = await client.post(f"{path}/mal", data={"csrf": csrf, "url": "json://10.1.2.3/h"})
    assert allowed.status_code == 200  # NOTIFIER_ALLOW_PRIVATE_SOURCES=true (the tests' setting)
    ctx.settings.allow_private_sources = False
    private = await client.post(f"{path}/mal", data={"csrf": csrf, "url": "json://10.9.9.9/h"})
    assert private.status_code == 400
    with Session(ctx.engine) as session:
        rows = session.exec(select(AppriseTarget)).all()
    assert [r.masked for r in rows] == ["ntfys://ntfy.example.no/…", "json://10.1.2.3/…"]
    removed = await client.post(
        f"{path}/mal/slett", data={"csrf": csrf, "target_id": str(rows[0].id)}
    )
    assert "Varslingskanalen er fjernet" in removed.text
    with Session(ctx.engine) as session:
        assert len(session.exec(select(AppriseTarget)).all()) == 1
    assert json.loads((await client.get("/manifest.webmanifest")).text)["lang"] == "nb"


async def test_staff_add_a_group_target_on_the_subscriber_page(ctx: Context) -> None:
    from notifier.models import AuditEvent
    from tests.support.staff import login, staff_client

    subscribe(ctx, "sf-rogaland@statsforvalteren.no", ["brev_til_kommunene"], "immediate")
    async with staff_client(ctx) as client:
        _, csrf = await login(client, ctx, role="admin")
        url = "workflows://prod-12.westeurope.logic.azure.com:443/hemmelig/sig"
        forged = await client.post("/staff/abonnenter/1/mal", data={"url": url, "csrf_token": "x"})
        assert forged.status_code == 403
        added = await client.post("/staff/abonnenter/1/mal", data={"url": url, "csrf_token": csrf})
        assert added.status_code == 303
        page = (await client.get("/staff/abonnenter/1")).text
        assert "workflows://prod-12.westeurope.logic.azure.com/…" in page
        assert "hemmelig" not in page and "Push og andre varslingskanaler" in page
        refused = await client.post(
            "/staff/abonnenter/1/mal", data={"url": "file:///etc/passwd", "csrf_token": csrf}
        )
        assert refused.status_code == 400 and "Adressen kan ikke brukes" in refused.text
        with Session(ctx.engine) as session:
            [row] = session.exec(select(AppriseTarget)).all()
            events = session.exec(select(AuditEvent.action, AuditEvent.after)).all()
        assert ("subscriber.target_add", {"target": row.masked}) in events
        assert "hemmelig" not in str(events)
        await client.post(
            "/staff/abonnenter/1/mal/slett", data={"target_id": str(row.id), "csrf_token": csrf}
        )
        with Session(ctx.engine) as session:
            assert session.exec(select(AppriseTarget)).all() == []
            actions = session.exec(select(AuditEvent.action)).all()
        assert "subscriber.target_remove" in actions


async def test_the_page_chooses_which_subscriptions_push(
    ctx: Context, client: httpx.AsyncClient
) -> None:
    path = prefs_path(ctx)  # subscribes forskrifter_regelverk
    subscribe(ctx, "sf@k.no", ["vaksinasjon"], "immediate")
    csrf = await csrf_of(client, path)
    tree = lxml_html.fromstring((await client.get(path)).text)
    boxes = tree.xpath("//input[starts-with(@name, 'push_')]")
    assert sorted(b.get("name") for b in boxes) == [
        "push_forskrifter_regelverk",
        "push_vaksinasjon",
    ]
    assert all(b.get("checked") is not None for b in boxes)  # by default everything pushes
    saved = await client.post(f"{path}/push/valg", data={"csrf": csrf, "push_vaksinasjon": "ja"})
    assert saved.status_code == 200 and "Valget er lagret" in saved.text
    tree = lxml_html.fromstring((await client.get(path)).text)
    checked = {
        b.get("name"): b.get("checked") is not None
        for b in tree.xpath("//input[starts-with(@name, 'push_')]")
    }
    assert checked == {"push_forskrifter_regelverk": False, "push_vaksinasjon": True}
    forged = await client.post(f"{path}/push/valg", data={"csrf": "x"})
    assert forged.status_code == 403
