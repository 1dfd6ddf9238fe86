"""Helpers of the privacy tests: an erasure worker on the in-process sandbox, a person in
two segments synced to Meta and Google, receipts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from audience_sync.platforms import PlatformRegistry
from audience_sync.privacy.eraser import Eraser
from kit import SANDBOX, Api, email_of, make_profiles, phone_of, platform_settings

CDP = "/api/v1/cdp"
PERSON = 5  # index of the person in make_profiles / email_of / phone_of


@pytest.fixture(scope="session")
async def single_registry(sandbox_app: Any) -> AsyncIterator[PlatformRegistry]:
    """Clients that try each call once, as the worker builds them for erasures."""
    reg = PlatformRegistry(
        platform_settings(SANDBOX).model_copy(update={"max_attempts": 1}),
        transport=httpx.ASGITransport(app=sandbox_app),
    )
    yield reg
    await reg.aclose()


def make_eraser(app: FastAPI, settings: Any, registry: PlatformRegistry, owner: str) -> Eraser:
    return Eraser(
        engine=app.state.engine,
        sessionmaker=app.state.sessionmaker,
        registry=registry,
        cipher=app.state.cipher,
        settings=settings.model_copy(
            update={"erasure_backoff_seconds": 0.01, "erasure_max_wait_seconds": 0.05}
        ),
        owner=owner,
    )


@pytest.fixture
def eraser(app: FastAPI, settings: Any, single_registry: PlatformRegistry) -> Eraser:
    return make_eraser(app, settings, single_registry, f"eraser:{uuid.uuid4().hex[:6]}")


@pytest.fixture(autouse=True)
async def settle_erasure_jobs(app: FastAPI) -> AsyncIterator[None]:
    """Erasure job requests these tests leave in the outbox are marked published, so the
    outbox relays of other test modules never hand them to their jobs consumers."""
    yield
    async with app.state.engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE outbox_event SET sent_at = now() WHERE sent_at IS NULL "
                "AND topic = 'audience_sync.jobs' AND payload -> 'data' ->> 'kind' = 'erasure'"
            )
        )


@dataclass
class World:
    """One user: segment A (profiles 0-19) synced to Meta, segment B (100-109 and the
    person, ``c-5``) synced to Google."""

    api: Api
    segment_a: dict[str, Any]
    segment_b: dict[str, Any]
    meta: dict[str, Any]
    google: dict[str, Any]
    others_a: list[dict[str, Any]]
    others_b: list[dict[str, Any]]


async def two_segments(api: Api) -> World:
    profiles_a = make_profiles(0, 20)
    person = profiles_a[PERSON]
    profiles_b = [*make_profiles(100, 10), dict(person)]
    segment_a = await api.segment("A", profiles_a)
    segment_b = await api.segment("B", profiles_b)
    await api.connect("meta")
    await api.connect("google")
    meta = (await api.audience(segment_a["id"], "meta"))["audience"]
    google = (await api.audience(segment_b["id"], "google"))["audience"]
    return World(
        api=api,
        segment_a=segment_a,
        segment_b=segment_b,
        meta=meta,
        google=google,
        others_a=[p for p in profiles_a if p is not person],
        others_b=profiles_b[:-1],
    )


async def erase(api: Api, **body: Any) -> dict[str, Any]:
    response = await api.post(f"{CDP}/erasures", json=body)
    assert response.status_code == 202, response.text
    accepted: dict[str, Any] = response.json()
    return accepted


async def receipt(api: Api, erasure_id: str) -> dict[str, Any]:
    response = await api.get(f"{CDP}/erasures/{erasure_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def outbox_events(engine: AsyncEngine, event_type: str, subject: str) -> list[Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT payload FROM outbox_event WHERE event_type = :t AND key = :k"),
            {"t": event_type, "k": subject},
        )
        return list(rows.scalars())


__all__ = ["PERSON", "email_of", "phone_of"]
