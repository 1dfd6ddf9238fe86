"""``GET /auth/me`` as ``me_route.MeRoute`` answers it, before FastAPI's stack: the same
answers as the FastAPI route, on the pooled connection when no override is installed."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from identity.auth.me_route import MeRoute
from identity.main import create_app
from identity.models import User
from identity.settings import Settings
from services.identity.tests.conftest import (
    app_for,
    as_service,
    as_user,
    asgi_client,
    register,
)

ME = "/api/v1/auth/me"


def without_me_route(settings: Settings, session: AsyncSession) -> FastAPI:
    app = app_for(settings, session)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not MeRoute]
    return app


async def test_answers_like_the_fastapi_route(settings: Settings, session: AsyncSession):
    fast, plain = app_for(settings, session), without_me_route(settings, session)
    assert any(m.cls is MeRoute for m in fast.user_middleware)
    async with asgi_client(fast) as fast_client, asgi_client(plain) as plain_client:
        user = await register(fast_client)
        callers = {
            "user": user.headers,
            "gone": as_user(uuid.uuid4()),
            "api key": as_user(user.id, auth="api_key", plan="pro"),
            "service": as_service(),
            "no token": {},
        }
        for name, headers in callers.items():
            a = await fast_client.get(ME, headers=headers)
            b = await plain_client.get(ME, headers=headers)
            assert (a.status_code, a.content) == (b.status_code, b.content), name
            for header in ("content-type", "content-length", "www-authenticate"):
                assert a.headers.get(header) == b.headers.get(header), (name, header)
        ok = await fast_client.get(ME, headers=user.headers)
        assert ok.status_code == 200 and ok.json()["id"] == str(user.id)
        assert ok.headers["x-request-id"]
        gone = await fast_client.get(ME, headers=callers["gone"])
        assert gone.status_code == 401 and gone.headers["www-authenticate"] == "Bearer"


async def test_other_methods_and_a_trailing_slash(client: httpx.AsyncClient):
    user = await register(client)
    assert (await client.get(ME + "/", headers=user.headers)).status_code == 200
    posted = await client.post(ME, headers=user.headers)
    assert posted.status_code == 405
    assert posted.headers["allow"] == "GET"
    assert "detail" in posted.json()


async def test_reads_through_the_pool_without_an_override(settings: Settings):
    """No dependency override: the connection is the engine's own, so the user must be
    committed; it is written directly (no outbox row left behind) and deleted after."""
    app = create_app(settings)
    user_id, email = uuid.uuid4(), f"pool-{uuid.uuid4().hex[:12]}@example.com"
    async with app.router.lifespan_context(app), asgi_client(app) as client:
        engine = app.state.engine
        async with engine.begin() as connection:
            await connection.execute(sa.insert(User.__table__).values(id=user_id, email=email))
        try:
            response = await client.get(ME, headers=as_user(user_id))
            assert response.status_code == 200
            assert response.json()["email"] == email
            # The connection went back to the pool with no transaction left open.
            assert engine.pool.checkedout() == 0
            missing = await client.get(ME, headers=as_user(uuid.uuid4()))
            assert missing.status_code == 401
            assert engine.pool.checkedout() == 0
        finally:
            async with engine.begin() as connection:
                await connection.execute(sa.delete(User.__table__).where(User.id == user_id))
