"""On real Kafka: billing.plan_changed feeds the plan projection; limits follow it.
The outbox relay publishes campaign events to campaigns.events."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
import orjson
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.kafka import ensure_topics
from adscale_common.outbox import OutboxRelay
from adscale_contracts.events import PlanChanged, build
from campaigns.consumers import billing
from kit import Api, consuming, forget_user

pytestmark = pytest.mark.kafka


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


async def test_plan_changes_from_billing_drive_campaign_limits(
    adscale_infra, engine: AsyncEngine, committed_client: httpx.AsyncClient
):
    bootstrap = adscale_infra.kafka_bootstrap
    await ensure_topics(bootstrap, ["campaigns.events"])
    stack = contextlib.AsyncExitStack()
    producer = await stack.enter_async_context(
        consuming(bootstrap, engine, billing.TOPIC, billing.HANDLERS)
    )
    api = Api(committed_client)

    async def plan_is(plan: str) -> bool:
        async with engine.connect() as conn:
            value = (
                await conn.execute(
                    sa.text("SELECT plan FROM user_plan WHERE user_id = :u"), {"u": api.user_id}
                )
            ).scalar_one_or_none()
        return value == plan

    async def send_plan(old: str, new: str) -> None:
        event = build(
            PlanChanged(user_id=api.user_id, old_plan=old, new_plan=new, reason="test"),  # type: ignore[arg-type]
            source="billing",
        )
        await producer.send_and_wait(
            "billing.events",
            orjson.dumps(event.model_dump(mode="json")),
            key=event.subject.encode(),
        )

    try:
        account = (await api.account())["id"]
        body = {"ad_account_id": account, "name": "c", "objective": "sales"}
        for _ in range(2):
            assert (
                await committed_client.post("/api/v1/campaigns", json=body, headers=api.h)
            ).status_code == 201
        refused = await committed_client.post("/api/v1/campaigns", json=body, headers=api.h)
        assert refused.status_code == 403

        await send_plan("free", "pro")
        await eventually(lambda: plan_is("pro"))
        third = await committed_client.post("/api/v1/campaigns", json=body, headers=api.h)
        assert third.status_code == 201, third.text

        await send_plan("pro", "free")
        await eventually(lambda: plan_is("free"))
        listed = (await committed_client.get("/api/v1/campaigns", headers=api.h)).json()
        assert listed["total"] == 3  # a downgrade keeps what exists
        refused = await committed_client.post("/api/v1/campaigns", json=body, headers=api.h)
        assert refused.status_code == 403

        # The outbox relay publishes campaign_created for the third campaign.
        consumer = AIOKafkaConsumer(
            "campaigns.events",
            bootstrap_servers=bootstrap,
            group_id=f"campaigns-test-read-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            relay = OutboxRelay(engine, producer)
            while await relay.publish_pending():
                pass
            wanted = third.json()["id"]
            deadline = time.monotonic() + 30
            found = None
            while found is None and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        payload = orjson.loads(record.value)
                        if (
                            payload["subject"] == wanted
                            and payload["type"] == "campaigns.campaign_created"
                        ):
                            found = payload
            assert found is not None and found["data"]["user_id"] == str(api.user_id)
        finally:
            await consumer.stop()
    finally:
        await stack.aclose()
        await forget_user(engine, api.user_id)
