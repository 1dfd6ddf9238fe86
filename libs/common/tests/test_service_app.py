"""The service app factory: internal auth, error families, health, session commit/rollback."""

from __future__ import annotations

import uuid
from typing import Annotated

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from adscale_common.app import create_service_app, from_app_state
from adscale_common.crypto import TokenCipher, required_cipher
from adscale_common.db import DbSession
from adscale_common.errors import Conflict, NotFound
from adscale_common.internal_auth import (
    CurrentJwtUser,
    CurrentJwtUserId,
    CurrentUser,
    CurrentUserId,
)
from adscale_common.pagination import Offset, OffsetPage, Page
from adscale_common.settings import ServiceSettings
from adscale_common.testing import internal_headers

KEY = "test-internal-key-" + "x" * 20


class _Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMMONTEST_")


class Item(BaseModel):
    name: str = Field(min_length=3)


def build_router(effect: sa.Table) -> APIRouter:
    router = APIRouter()

    @router.post("/api/v1/things", status_code=201)
    async def create(item: Item, session: DbSession, user: CurrentJwtUser) -> dict[str, str]:
        await session.execute(effect.insert().values(event_id=item.name, note=str(user.user_id)))
        if item.name == "explode":
            raise Conflict("already exists")
        return {"name": item.name}

    @router.get("/api/v1/things/{thing_id}")
    async def get(thing_id: Annotated[uuid.UUID, Path()], user: CurrentUser) -> dict[str, str]:
        raise NotFound("Thing not found")

    @router.patch("/api/v1/things/{thing_id}")
    async def rename(thing_id: uuid.UUID, item: Item, user: CurrentUser) -> dict[str, str]:
        raise NotFound("Thing not found")

    @router.get("/api/v1/things")
    async def listing(page: Offset, user: CurrentUser) -> OffsetPage[str]:
        return OffsetPage(items=[], total=0, offset=page.offset, limit=page.limit)

    @router.get("/api/v1/cdp/audience-sync/things/{thing_id}")
    async def cdp_get(thing_id: uuid.UUID, user: CurrentUser) -> dict[str, str]:
        raise NotFound("Audience not found")

    @router.get("/api/v1/cdp/audience-sync/things")
    async def cdp_list(page: Page, user: CurrentUser) -> dict[str, int]:
        return {"page": page.page, "page_size": page.page_size}

    @router.get("/api/v1/whoami")
    async def whoami(user_id: CurrentUserId) -> dict[str, str]:
        return {"user_id": str(user_id)}

    @router.get("/api/v1/whoami-jwt")
    async def whoami_jwt(user_id: CurrentJwtUserId) -> dict[str, str]:
        return {"user_id": str(user_id)}

    return router


@pytest.fixture
async def client(engine_a, effect_table):
    url = engine_a.url.render_as_string(hide_password=False)
    app = create_service_app(
        _Settings(
            database_url=url, internal_token_key=KEY, kafka_bootstrap="127.0.0.1:1", log_json=False
        ),
        service="commontest",
        title="t",
        routers=[build_router(effect_table)],
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c
    async with engine_a.begin() as conn:
        await conn.execute(sa.text("TRUNCATE effect"))


def user_headers(auth="jwt"):
    return internal_headers(KEY, user_id=uuid.uuid4(), plan="pro", auth=auth)


async def test_no_internal_token_is_401_even_for_unknown_paths(client):
    for path in ("/api/v1/things", "/api/v1/nothing-here", "/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Missing internal token"}


async def test_forged_and_expired_internal_tokens_are_401(client):
    forged = internal_headers("not-the-key" * 4, user_id=uuid.uuid4())
    assert (await client.get("/api/v1/things", headers=forged)).status_code == 401
    from adscale_common.internal_auth import mint_internal_token

    expired = mint_internal_token(KEY, user_id=uuid.uuid4(), plan="pro", auth="jwt", now=0)
    response = await client.get("/api/v1/things", headers={"X-Internal-Token": expired})
    assert response.status_code == 401


async def test_envelope_family_for_audience_sync_routes(client):
    response = await client.get("/api/v1/cdp/audience-sync/things")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    response = await client.get(
        f"/api/v1/cdp/audience-sync/things/{uuid.uuid4()}", headers=user_headers()
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "NOT_FOUND", "message": "Audience not found", "details": {}}
    }
    response = await client.get("/api/v1/cdp/audience-sync/nope", headers=user_headers())
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"
    response = await client.get("/api/v1/cdp/audience-sync/things?page=0", headers=user_headers())
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "VALIDATION_ERROR" and body["details"]["errors"][0]["loc"] == [
        "query",
        "page",
    ]


async def test_detail_family_errors(client):
    h = user_headers()
    assert (await client.get(f"/api/v1/things/{uuid.uuid4()}", headers=h)).json() == {
        "detail": "Thing not found"
    }
    bad_uuid = await client.get("/api/v1/things/not-a-uuid", headers=h)
    assert bad_uuid.status_code == 400
    assert "thing_id" in bad_uuid.json()["detail"]
    method = await client.delete("/api/v1/things", headers=h)
    assert method.status_code == 405 and method.json() == {"detail": "Method Not Allowed"}
    invalid = await client.post("/api/v1/things", json={"name": "x"}, headers=h)
    assert invalid.status_code == 422
    [error] = invalid.json()["detail"]
    assert error["loc"] == ["body", "name"] and {"msg", "type"} <= set(error)
    assert "input" not in error


async def test_a_malformed_path_parameter_is_400_whatever_else_is_wrong(client):
    """The id decides first: with an invalid body too, the answer is the same 400 (naming the
    path's error only); the body's 422 comes once the id reads."""
    h = user_headers()
    alone = await client.patch("/api/v1/things/not-a-uuid", json={"name": "valid"}, headers=h)
    assert alone.status_code == 400
    for body in ({"name": "x"}, {}, None):
        both = await client.patch("/api/v1/things/not-a-uuid", json=body, headers=h)
        assert (both.status_code, both.json()) == (400, alone.json()), body
    assert alone.json() == {"detail": "Invalid path parameter: thing_id"}
    body_only = await client.patch(f"/api/v1/things/{uuid.uuid4()}", json={"name": "x"}, headers=h)
    assert body_only.status_code == 422
    assert [e["loc"] for e in body_only.json()["detail"]] == [["body", "name"]]


async def test_jwt_only_route_refuses_api_key_and_anonymous(client):
    assert (
        await client.post("/api/v1/things", json={"name": "abc"}, headers=user_headers("api_key"))
    ).status_code == 401
    anon = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")
    assert (
        await client.post("/api/v1/things", json={"name": "abc"}, headers=anon)
    ).status_code == 401


async def test_session_commits_on_success_and_rolls_back_on_error(client, engine_a, effect_table):
    h = user_headers()
    assert (
        await client.post("/api/v1/things", json={"name": "kept"}, headers=h)
    ).status_code == 201
    conflict = await client.post("/api/v1/things", json={"name": "explode"}, headers=h)
    assert conflict.status_code == 409 and conflict.json() == {"detail": "already exists"}
    async with engine_a.connect() as conn:
        names = list((await conn.execute(sa.select(effect_table.c.event_id))).scalars())
    assert names == ["kept"]


async def test_offset_pagination_bounds(client):
    h = user_headers()
    ok = await client.get("/api/v1/things?offset=5&limit=10", headers=h)
    assert ok.json() == {"items": [], "total": 0, "offset": 5, "limit": 10}
    assert (await client.get("/api/v1/things?limit=0", headers=h)).status_code == 422
    assert (await client.get("/api/v1/things?offset=-1", headers=h)).status_code == 422


async def test_health_reports_database_and_kafka(client):
    response = await client.get("/health")
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["kafka"].startswith("error")  # port 1: nothing listens
    assert response.status_code == 503 and body["status"] == "degraded"


async def test_request_id_is_echoed_or_generated(client):
    h = user_headers()
    echoed = await client.get("/api/v1/things", headers={**h, "X-Request-ID": "client-req-0001"})
    assert echoed.headers["x-request-id"] == "client-req-0001"
    generated = await client.get("/api/v1/things", headers={**h, "X-Request-ID": "bad id!"})
    assert (
        generated.headers["x-request-id"] != "bad id!"
        and len(generated.headers["x-request-id"]) == 32
    )


async def test_nul_characters_are_refused_before_the_database(client):
    h = user_headers()
    body = await client.post(
        "/api/v1/things",
        content=b'{"name": "ab\\u0000c"}',
        headers={**h, "Content-Type": "application/json"},
    )
    assert body.status_code == 422
    assert body.json()["detail"][0]["msg"] == "NUL characters are not allowed"
    query = await client.get("/api/v1/cdp/audience-sync/things?page=1&x=a%00b", headers=h)
    assert query.status_code == 422
    assert query.json()["error"]["code"] == "VALIDATION_ERROR"
    fine = await client.post("/api/v1/things", json={"name": "zero \\u0030 is fine"}, headers=h)
    assert fine.status_code == 201


async def test_405_lists_every_method_of_the_path_in_both_families(client):
    headers = internal_headers(KEY, user_id=uuid.uuid4(), plan="free", auth="jwt")
    for path, allowed in [
        ("/api/v1/things", "GET, POST"),
        (f"/api/v1/cdp/audience-sync/things/{uuid.uuid4()}", "GET"),
    ]:
        response = await client.put(path, headers=headers)
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == allowed


async def test_a_trailing_slash_is_the_same_resource_never_a_redirect(client):
    headers = internal_headers(KEY, user_id=uuid.uuid4(), plan="free", auth="jwt")
    response = await client.get("/api/v1/things/?limit=5", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "total": 0, "offset": 0, "limit": 5}


async def test_a_401_for_no_user_names_the_bearer_scheme(client):
    anonymous = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")
    for path in ("/api/v1/things", "/api/v1/cdp/audience-sync/things"):
        response = await client.get(path, headers=anonymous)
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"


async def _health_of(engine_a, kafka: str, **checks) -> httpx.Response:
    async def failing(_request) -> str:
        return "error: smtp host not set"

    url = engine_a.url.render_as_string(hide_password=False)
    app = create_service_app(
        _Settings(database_url=url, internal_token_key=KEY, kafka_bootstrap=kafka, log_json=False),
        service="commontest",
        title="t",
        **{kind: {"mail": failing} for kind in checks},
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            return await c.get("/health")


async def test_a_failing_advisory_check_is_degraded_but_still_serving(engine_a, adscale_infra):
    advisory = await _health_of(engine_a, adscale_infra.kafka_bootstrap, advisory_checks=True)
    assert advisory.status_code == 200
    body = advisory.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {
        "database": "ok",
        "kafka": "ok",
        "mail": "error: smtp host not set",
    }
    critical = await _health_of(engine_a, adscale_infra.kafka_bootstrap, health_checks=True)
    assert critical.status_code == 503 and critical.json()["status"] == "degraded"


async def test_user_id_dependencies_yield_the_callers_id_or_401(client):
    user = uuid.uuid4()
    for auth, path, expected in [
        ("jwt", "/api/v1/whoami", 200),
        ("api_key", "/api/v1/whoami", 200),
        ("jwt", "/api/v1/whoami-jwt", 200),
        ("api_key", "/api/v1/whoami-jwt", 401),
        ("anonymous", "/api/v1/whoami", 401),
        ("service", "/api/v1/whoami", 401),
    ]:
        headers = internal_headers(
            KEY, user_id=None if auth == "anonymous" else user, plan="pro", auth=auth
        )
        response = await client.get(path, headers=headers)
        assert response.status_code == expected, (auth, path, response.text)
        if expected == 200:
            assert response.json() == {"user_id": str(user)}
        else:
            assert response.json()["detail"]


Marker = Annotated[str, Depends(from_app_state("marker"))]
Cipher = Annotated[TokenCipher, Depends(required_cipher("COMMONTEST_ENCRYPTION_KEYS"))]


async def test_app_state_dependencies_and_the_cipher_503_while_unset(engine_a):
    router = APIRouter()

    @router.get("/api/v1/sealed")
    async def sealed(marker: Marker, cipher: Cipher, user: CurrentUser) -> dict[str, str]:
        return {"marker": marker, "opened": cipher.decrypt(cipher.encrypt("ok"))}

    url = engine_a.url.render_as_string(hide_password=False)
    settings = _Settings(
        database_url=url, internal_token_key=KEY, kafka_bootstrap="127.0.0.1:1", log_json=False
    )
    app = create_service_app(settings, service="commontest", title="t", routers=[router])
    app.state.marker = "from-the-factory"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            app.state.cipher = None
            response = await c.get("/api/v1/sealed", headers=user_headers())
            assert response.status_code == 503
            assert response.json() == {
                "detail": "Token encryption is not configured (COMMONTEST_ENCRYPTION_KEYS)"
            }
            app.state.cipher = TokenCipher(Fernet.generate_key().decode())
            response = await c.get("/api/v1/sealed", headers=user_headers())
            assert response.status_code == 200
            assert response.json() == {"marker": "from-the-factory", "opened": "ok"}
