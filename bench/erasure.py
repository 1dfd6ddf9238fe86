"""Erasure throughput: 10,000 people erased from two audiences of 200,000 members.

In one process, against a scratch database migrated by audience-sync's Alembic scripts and
the platform sandbox app (in-process, behind the real platform clients): one segment of N
profiles (email + phone) is synced to a Meta and a Google audience, then E people (by
external id) are asked to be erased through the service's request path (the batch route,
10,000 people a request, as a deletion queue is drained; ``--one-by-one`` for
``POST /cdp/erasures`` per person), and one erasure worker run takes them. Prints the time
from the first request to every receipt ``completed``, the platform remove calls made per
audience (goal: at most one per 10,000 people), the members left on the sandbox, and the
load average beside the figures.

    uv run python bench/erasure.py                         # 200,000 members, 10,000 erasures
    uv run python bench/erasure.py --profiles 20000 --erasures 1000 [--one-by-one]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC_INI = ROOT / "services" / "audience-sync" / "alembic.ini"
KEY = "bench-internal-key-0123456789abcdef"
SANDBOX = "http://sandbox"
GOAL_SECONDS = 60.0

from adscale_common.testing import internal_headers, migrated_database  # noqa: E402
from adscale_platforms.google import parse_user_list_name  # noqa: E402
from adscale_platforms.settings import PlatformSettings  # noqa: E402
from adscale_sandbox.main import create_app as create_sandbox  # noqa: E402
from adscale_sandbox.settings import Settings as SandboxSettings  # noqa: E402
from audience_sync.main import create_app  # noqa: E402
from audience_sync.platforms import PlatformRegistry  # noqa: E402
from audience_sync.privacy.eraser import Eraser  # noqa: E402
from audience_sync.settings import Settings  # noqa: E402
from audience_sync.sync.engine import SyncEngine  # noqa: E402
from audience_sync.sync.hashing import Hasher  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from export import admin_url  # noqa: E402


class Counting(httpx.AsyncBaseTransport):
    """The sandbox transport, counting member-removal calls per platform."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.removals: dict[str, int] = {}
        self.counting = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.counting:
            if path.startswith("/meta/") and path.endswith("/users") and request.method == "DELETE":
                self.removals["meta"] = self.removals.get("meta", 0) + 1
            elif path.endswith("audienceMembers:remove"):
                self.removals["google"] = self.removals.get("google", 0) + 1
        return await self.inner.handle_async_request(request)


class FreshToken(httpx.Auth):
    """The gateway mints an internal token per request (60 s lifetime); so does the bench,
    whose run outlives one token."""

    def __init__(self, user: uuid.UUID) -> None:
        self.user = user

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers.update(internal_headers(KEY, user_id=self.user, plan="pro", auth="jwt"))
        yield request


def platform_settings(attempts: int) -> PlatformSettings:
    return PlatformSettings.for_sandbox(
        SANDBOX, redirect_uri="https://app.adscale.test/oauth/callback", max_attempts=attempts
    )


def profiles(start: int, count: int) -> list[dict[str, str]]:
    return [
        {
            "external_id": f"b-{i}",
            "email": f"bench.{i}@example.com",
            "phone": f"+1 415 {200 + i // 10000 % 800:03d} {i % 10000:04d}",
        }
        for i in range(start, start + count)
    ]


async def run(n_profiles: int, n_erasures: int, one_by_one: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-erasure-"))
    async with migrated_database(admin_url(), ALEMBIC_INI, prefix="bench_erasure") as url:
        sandbox_app = create_sandbox(SandboxSettings(data_dir=tmp, processing_delay_seconds=0))
        async with sandbox_app.router.lifespan_context(sandbox_app):
            transport = Counting(httpx.ASGITransport(app=sandbox_app))
            settings = Settings(
                database_url=url,
                internal_token_key=KEY,
                kafka_bootstrap="127.0.0.1:9",
                encryption_keys=SecretStr(Fernet.generate_key().decode()),
                log_json=False,
                log_level="WARNING",
                readback_timeout_seconds=0,
                hash_processes=0,
                export_dir=tmp / "exports",
            )
            registry = PlatformRegistry(platform_settings(3), transport=transport)
            single = PlatformRegistry(platform_settings(1), transport=transport)
            app = create_app(settings, platforms=registry)
            async with app.router.lifespan_context(app):
                await bench(
                    app, settings, registry, single, transport, n_profiles, n_erasures, one_by_one
                )
            await registry.aclose()
            await single.aclose()


async def bench(
    app: Any,
    settings: Settings,
    registry: PlatformRegistry,
    single: PlatformRegistry,
    transport: Counting,
    n_profiles: int,
    n_erasures: int,
    one_by_one: bool,
) -> None:
    api = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://as",
        auth=FreshToken(uuid.uuid4()),
        timeout=600,
    )
    box = httpx.AsyncClient(transport=transport, base_url=SANDBOX, timeout=600)
    segment = (await api.post("/api/v1/cdp/segments", json={"name": "bench"})).json()["id"]
    started = time.monotonic()
    for start in range(0, n_profiles, 10_000):
        rows = profiles(start, min(10_000, n_profiles - start))
        r = await api.post(f"/api/v1/cdp/segments/{segment}/profiles", json={"profiles": rows})
        assert r.status_code == 200, r.text
    print(f"seeded {n_profiles} profiles in {time.monotonic() - started:.1f} s")
    engine = SyncEngine(
        engine=app.state.engine,
        sessionmaker=app.state.sessionmaker,
        registry=registry,
        cipher=app.state.cipher,
        settings=settings,
        hasher=Hasher(0),
        owner="bench:sync",
    )
    audiences: dict[str, dict[str, Any]] = {}
    for platform in ("meta", "google"):
        begun = (await api.post(f"/api/v1/cdp/audience-sync/platforms/{platform}/connect")).json()
        parts = urlsplit(begun["authorization_url"])
        back = await box.get(f"{parts.path}?{parts.query}")
        query = parse_qs(urlsplit(back.headers["location"]).query)
        grant = {"code": (query.get("code") or [""])[0], "state": query["state"][0]}
        done = await api.post(
            f"/api/v1/cdp/audience-sync/platforms/{platform}/callback", json=grant
        )
        account = done.json()["ad_accounts"][0]["id"]
        created = await api.post(
            "/api/v1/cdp/audience-sync/audiences",
            json={
                "segment_id": segment,
                "platform": platform,
                "ad_account_id": account,
                "audience_name": f"bench {platform}",
            },
        )
        assert created.status_code == 201, created.text
        body = created.json()
        began = time.monotonic()
        status = body["initial_sync"]["status"]
        if status == "pending":  # past the inline limit: the worker's job
            status = await engine.run(uuid.UUID(body["initial_sync"]["job_id"]))
        assert status == "completed", status
        audiences[platform] = body["audience"]
        print(f"{platform}: {n_profiles} members synced in {time.monotonic() - began:.1f} s")

    async def members(platform: str) -> int:
        pid = audiences[platform]["platform_audience_id"]
        sid = parse_user_list_name(pid)[2] if platform == "google" else pid
        r = await box.get(f"/_admin/audiences/{platform}/{sid}/members")
        return int(r.json()["count"])

    before = {p: await members(p) for p in audiences}
    load_before = os.getloadavg()[0]
    transport.counting = True
    t0 = time.monotonic()
    ids: list[str] = []
    people = [{"external_id": f"b-{i * 7 % n_profiles}"} for i in range(n_erasures)]
    if one_by_one:
        for person in people:
            r = await api.post("/api/v1/cdp/erasures", json=person)
            assert r.status_code == 202, r.text
            ids.append(r.json()["erasure_id"])
    else:  # a deletion queue drained with the batch route, 10,000 people a request
        for start in range(0, n_erasures, 10_000):
            r = await api.post(
                "/api/v1/cdp/erasures/batch", json={"people": people[start : start + 10_000]}
            )
            assert r.status_code == 202, r.text
            ids.extend(e["erasure_id"] for e in r.json()["erasures"])
    asked = time.monotonic() - t0
    eraser = Eraser(
        engine=app.state.engine,
        sessionmaker=app.state.sessionmaker,
        registry=single,
        cipher=app.state.cipher,
        settings=settings,
        owner="bench:eraser",
    )
    status = await eraser.run(uuid.UUID(ids[0]))
    async with app.state.engine.connect() as conn:
        counts = dict(
            (
                await conn.execute(sa.text("SELECT status, count(*) FROM erasure GROUP BY status"))
            ).all()
        )
    total = time.monotonic() - t0
    after = {p: await members(p) for p in audiences}
    print(f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f} (2 cores, shared)")
    how = "one request each" if one_by_one else "the batch route"
    print(f"{n_erasures} erasures asked ({how}) in {asked:.1f} s; first run status {status}")
    print(f"receipts: {counts}")
    print(
        f"all receipts completed {total:.1f} s after the first request "
        f"(goal {GOAL_SECONDS:.0f} s: {'ok' if total <= GOAL_SECONDS else 'over'}; "
        f"worker alone {total - asked:.1f} s)"
    )
    for platform in audiences:
        calls = transport.removals.get(platform, 0)
        allowed = -(-n_erasures // 10_000)
        print(
            f"{platform}: {calls} remove call(s) for {n_erasures} people "
            f"(goal <= {allowed}: {'ok' if calls <= allowed else 'over'}); "
            f"members {before[platform]} -> {after[platform]}"
        )
    await api.aclose()
    await box.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=200_000)
    parser.add_argument("--erasures", type=int, default=10_000)
    parser.add_argument(
        "--one-by-one", action="store_true", help="POST /cdp/erasures per person (no batch route)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.profiles, args.erasures, args.one_by_one))


if __name__ == "__main__":
    main()
