"""A dependency that cannot be reached answers 503 SERVICE_UNAVAILABLE with Retry-After (in
the route's API family), never 500: a PostgreSQL that refuses connections (a real server
address with nothing listening) and one that terminates the session (a real backend
killed with pg_terminate_backend, as a restart does)."""

from __future__ import annotations

import asyncio
import logging
import uuid

import httpx
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI
from pydantic_settings import SettingsConfigDict
from sqlalchemy.ext.asyncio import create_async_engine

from adscale_common.app import create_service_app
from adscale_common.db import DbSession, make_engine
from adscale_common.errors import install_error_handlers
from adscale_common.internal_auth import CurrentUser
from adscale_common.metrics_testing import metric_value
from adscale_common.settings import ServiceSettings, async_database_url
from adscale_common.testing import InfraUrls, internal_headers

# Only this run's own session is terminated (the server is shared).
MARK = f"dependency-unavailable-{uuid.uuid4().hex}"


def app_on(url: str) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    engine = make_engine(url, pool_size=1)

    @app.get("/api/v1/things")
    async def things() -> dict[str, int]:
        async with engine.connect() as conn:
            return {"n": int((await conn.execute(sa.text("SELECT 1"))).scalar_one())}

    @app.get("/api/v1/cdp/audience-sync/things")
    async def cdp_things() -> dict[str, int]:
        return await things()

    @app.get("/api/v1/slow")
    async def slow() -> dict[str, int]:
        async with engine.connect() as conn:
            await conn.execute(sa.text(f"SELECT pg_sleep(10) -- {MARK}"))
        return {"n": 1}

    @app.get("/api/v1/bug")
    async def bug() -> dict[str, int]:
        raise RuntimeError("a bug stays a 500")

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://svc")


async def test_refused_database_connection_is_503_in_both_families() -> None:
    app = app_on("postgresql+asyncpg://nobody:x@127.0.0.1:9/nothing")
    async with client(app) as c:
        adscale = await c.get("/api/v1/things")
        assert adscale.status_code == 503
        assert adscale.headers["retry-after"] == "1"
        assert adscale.json() == {"detail": "A dependency is unavailable; retry later"}
        cdp = await c.get("/api/v1/cdp/audience-sync/things")
        assert cdp.status_code == 503
        assert cdp.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        bug = await c.get("/api/v1/bug")
        assert bug.status_code == 500


async def test_a_terminated_database_session_is_503(adscale_infra: InfraUrls) -> None:
    app = app_on(adscale_infra.database_url)
    # Autocommit: a transaction would keep reading one snapshot of pg_stat_activity.
    admin = create_async_engine(
        async_database_url(adscale_infra.database_url), isolation_level="AUTOCOMMIT"
    )
    try:
        async with client(app) as c:
            request = asyncio.create_task(c.get("/api/v1/slow"))
            async with admin.connect() as conn:
                for _ in range(600):  # up to 30 s on a busy machine
                    killed = (
                        await conn.execute(
                            sa.text(
                                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                f"WHERE query = 'SELECT pg_sleep(10) -- {MARK}'"
                            )
                        )
                    ).scalar_one()
                    if killed:
                        break
                    await asyncio.sleep(0.05)
            assert killed, request.done() and (await request).text
            response = await request
            assert response.status_code == 503, response.text
    finally:
        await admin.dispose()


class _Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="UNAVAILABLETEST_")


class _Lines(logging.Handler):
    """The access lines (path, status) a service writes."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.__dict__["path"], record.__dict__["status"]))


async def test_a_service_counts_and_logs_the_503_its_caller_gets() -> None:
    """The whole service stack: the request layer's metrics and access line carry the 503
    the caller gets (they said 500 while the app's outermost handler answered it), and a
    bug is still a 500 in all three."""
    key = "test-internal-key-" + "u" * 20
    router = APIRouter()

    @router.get("/api/v1/gadgets")
    async def gadgets(user: CurrentUser, session: DbSession) -> dict[str, int]:
        return {"n": int((await session.execute(sa.text("SELECT 1"))).scalar_one())}

    @router.get("/api/v1/broken")
    async def broken(user: CurrentUser) -> dict[str, int]:
        raise RuntimeError("a bug stays a 500")

    settings = _Settings(
        database_url="postgresql+asyncpg://nobody:x@127.0.0.1:9/nothing",
        internal_token_key=key,
        kafka_bootstrap="127.0.0.1:1",
        log_json=False,
    )
    app = create_service_app(settings, service="unavailabletest", title="t", routers=[router])
    headers = internal_headers(key, user_id=uuid.uuid4())
    counted = "adscale_http_requests_total"

    def count(scrape: str, route: str, status: str) -> float:
        labels = {"service": "unavailabletest", "route": route, "method": "GET"}
        return metric_value(scrape, counted, **labels, status=status)

    lines = _Lines()
    access = logging.getLogger("adscale.request")
    async with app.router.lifespan_context(app), client(app) as c:
        before = (await c.get("/metrics")).text
        access.addHandler(lines)
        try:
            down = await c.get("/api/v1/gadgets", headers=headers)
            bug = await c.get("/api/v1/broken", headers=headers)
        finally:
            access.removeHandler(lines)
        after = (await c.get("/metrics")).text

    assert down.status_code == 503, down.text
    assert down.headers["retry-after"] == "1"
    assert down.headers["x-request-id"]
    assert down.json() == {"detail": "A dependency is unavailable; retry later"}
    assert count(after, "/api/v1/gadgets", "503") - count(before, "/api/v1/gadgets", "503") == 1
    assert count(after, "/api/v1/gadgets", "500") == count(before, "/api/v1/gadgets", "500")
    assert bug.status_code == 500
    assert count(after, "/api/v1/broken", "500") - count(before, "/api/v1/broken", "500") == 1
    assert lines.seen == [("/api/v1/gadgets", 503), ("/api/v1/broken", 500)]
