"""``GET /auth/me``: other methods and a trailing slash, and the profile read by asyncpg
on the pooled connection when no dependency override is installed."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy import event

from identity.main import create_app
from identity.models import User
from identity.settings import Settings
from services.identity.tests.conftest import (
    as_user,
    asgi_client,
    register,
)

ME = "/api/v1/auth/me"


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


async def test_bursts_share_one_fixed_pool(settings: Settings):
    """Identity keeps a fixed pool (20, nothing past it): a burst larger than the pool waits
    for connections instead of opening more, and a second burst opens none."""
    assert (settings.db_pool_size, settings.db_max_overflow) == (20, 0)
    app = create_app(settings)
    opened = 0

    def count(*_: object) -> None:
        nonlocal opened
        opened += 1

    async with app.router.lifespan_context(app), asgi_client(app) as client:
        engine = app.state.engine
        event.listen(engine.sync_engine, "connect", count)
        headers = as_user(uuid.uuid4())  # no such user: 401, after the read

        async def burst() -> list[int]:
            answers = await asyncio.gather(*(client.get(ME, headers=headers) for _ in range(60)))
            return [a.status_code for a in answers]

        assert await burst() == [401] * 60
        first = opened
        assert 1 <= first <= 20
        assert await burst() == [401] * 60
        assert opened == first  # nothing was closed and opened again
        assert engine.pool.checkedout() == 0
