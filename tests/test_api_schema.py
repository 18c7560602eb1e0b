"""Every answer of /api/v1/ checked against /api/v1/openapi.json (jsonschema, JSON Schema
2020-12 as OpenAPI 3.1 uses it): each route and each documented status is requested, its
status must be documented and its body must match the documented schema; a route or status
that the tour below does not reach fails the test, so the schema and the API stay in step."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from notifier.context import Context
from notifier.web import create_app
from notifier.web.ratelimit import API, FEED, SEARCH, Limit, RateLimits
from tests.support.api import BASE, add_change, api_client, bearer, make_token


def template_of(paths: dict[str, Any], path: str) -> str:
    """The OpenAPI path template that ``path`` is an instance of."""
    for template in paths:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return template
    raise AssertionError(f"{path} is not described in the OpenAPI document")


class Checker:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.seen: set[tuple[str, str, str]] = set()

    def check(self, response: httpx.Response) -> None:
        request = response.request
        template = template_of(self.schema["paths"], request.url.path)
        method = request.method.lower()
        operation = self.schema["paths"][template][method]
        status = str(response.status_code)
        assert status in operation["responses"], (
            f"{method.upper()} {template} answered {status}, not documented"
        )
        self.seen.add((template, method, status))
        content = operation["responses"][status].get("content")
        if content is None:
            assert response.content == b"", f"{template} {status} has an undocumented body"
            return
        assert response.headers["content-type"].startswith("application/json")
        body_schema = content["application/json"]["schema"]
        validator = Draft202012Validator({**body_schema, "components": self.schema["components"]})
        errors = sorted(validator.iter_errors(response.json()), key=str)
        assert not errors, f"{method.upper()} {template} {status}: {errors[0].message}"

    def missing(self) -> set[tuple[str, str, str]]:
        documented = {
            (template, method, status)
            for template, methods in self.schema["paths"].items()
            for method, operation in methods.items()
            for status in operation["responses"]
        }
        return documented - self.seen


async def test_every_response_matches_the_openapi_schema(ctx: Context) -> None:
    held = add_change(ctx, "Holdt", status="held", held_reason="most_replaced")
    held_too = add_change(ctx, "Også holdt", status="held", held_reason="after_outage")
    published = add_change(ctx, "Ute", regions=("46", "4601"), urgent=True)
    for n in range(3):
        add_change(ctx, f"Endring {n}", source="hdir", authority="helsedirektoratet")
    editor = make_token(ctx, "redaktor@fhi.no", "redaktor")
    reader = make_token(ctx, "lese@fhi.no", "redaktor", token_role="lese")
    async with api_client(ctx) as client:
        schema = (await client.get("/api/v1/openapi.json")).json()
        Draft202012Validator.check_schema({"$defs": schema["components"]["schemas"]})
        checker = Checker(schema)

        async def get(path: str, **kw: Any) -> httpx.Response:
            response = await client.get(path, **kw)
            checker.check(response)
            return response

        async def post(path: str, **kw: Any) -> httpx.Response:
            response = await client.post(path, **kw)
            checker.check(response)
            return response

        page = await get("/api/v1/changes", params={"limit": "2"})
        await get(page.json()["next"].removeprefix(BASE))
        await get("/api/v1/changes", params={"region": "46", "urgent": "1"})
        await get("/api/v1/changes", params={"region": "0000"})
        await get("/api/v1/changes", headers={"If-None-Match": page.headers["etag"]},
                  params={"limit": "2"})  # fmt: skip
        one = await get(f"/api/v1/changes/{published}")
        await get(f"/api/v1/changes/{published}", headers={"If-None-Match": one.headers["etag"]})
        await get(f"/api/v1/changes/{held}")
        for path in ("/api/v1/sources", "/api/v1/subtopics", "/api/v1/regions"):
            first = await get(path)
            await get(path, headers={"If-None-Match": first.headers["etag"]})

        await get("/api/v1/staff/queue", headers=bearer(editor))
        await get("/api/v1/staff/queue")
        approve = f"/api/v1/staff/changes/{held}/approve"
        suppress = f"/api/v1/staff/changes/{held_too}/suppress"
        await post(approve, headers=bearer(reader))
        await post(suppress, headers=bearer(reader), json={"reason": "x"})
        await post(approve, headers=bearer(editor))
        await post(approve, headers=bearer(editor))  # 409: not held any more
        await post("/api/v1/staff/changes/424242/approve", headers=bearer(editor))
        await post(approve)
        await post(suppress, headers=bearer(editor), json={})
        await post("/api/v1/staff/changes/424242/suppress", headers=bearer(editor),
                   json={"reason": "x"})  # fmt: skip
        await post(suppress, headers=bearer(editor), json={"reason": "Feil kilde"})
        await post(suppress, headers=bearer(editor), json={"reason": "igjen"})  # 409
        await post(suppress)
    # too many bad tokens from one client: 429 on every staff route
    async with api_client(ctx, client=("192.0.2.66", 1)) as guesser:
        for _ in range(ctx.settings.api_token_limit_per_ip):
            await guesser.get("/api/v1/staff/queue", headers=bearer("hv_1_" + "x" * 43))
        for response in (
            await guesser.get("/api/v1/staff/queue", headers=bearer(editor)),
            await guesser.post(approve, headers=bearer(editor)),
            await guesser.post(suppress, headers=bearer(editor), json={"reason": "x"}),
        ):
            assert response.status_code == 429
            checker.check(response)
    # too many reads from one client: 429 on every public route (a limit of one a minute)
    limited = create_app(ctx)
    limited.state.rate_limits = RateLimits(ctx, {API: Limit(1), FEED: Limit(1), SEARCH: Limit(1)})
    for n, path in enumerate(
        ("/api/v1/changes", f"/api/v1/changes/{published}", "/api/v1/sources",
         "/api/v1/subtopics", "/api/v1/regions")
    ):  # fmt: skip
        transport = httpx.ASGITransport(app=limited, client=(f"192.0.2.{n + 1}", 1))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as one:
            assert (await one.get(path)).status_code == 200
            response = await one.get(path)
            assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
            checker.check(response)
    assert checker.missing() == set()


async def test_the_check_is_not_a_rubber_stamp(ctx: Context) -> None:
    """A body that drifts from the schema (a field renamed, a type changed, a field added)
    is refused by the same check."""
    change_id = add_change(ctx, "En")
    async with api_client(ctx) as client:
        schema = (await client.get("/api/v1/openapi.json")).json()
        response = await client.get(f"/api/v1/changes/{change_id}")
    checker = Checker(schema)
    checker.check(response)
    good = response.json()
    for drifted in (
        {k: v for k, v in good.items() if k != "urgent"},
        {**good, "urgent": "ja"},
        {**good, "extra": 1},
        {**good, "diff": [{"op": "?", "text": "x"}]},
    ):
        fake = httpx.Response(200, json=drifted, request=response.request)
        with pytest.raises(AssertionError):
            checker.check(fake)
    undocumented = httpx.Response(418, json={}, request=response.request)
    with pytest.raises(AssertionError, match="not documented"):
        checker.check(undocumented)
