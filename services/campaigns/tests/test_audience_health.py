"""Audience-health triggers: ad groups target AdScale audiences, audience-sync's events
feed a projection, and rules on an audience's last status / size / match rate act on
the ad groups that target it — as soon as the event arrives (real Kafka, under 5 s)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.events import Envelope
from adscale_contracts.events import EventData, SyncCompleted, SyncFailed, build
from campaigns.consumers import audience_sync
from kit import Api, consuming, forget_user, headers, preview, set_plan


def completed(api: Api, audience: str, operation: str = "create", **counts: Any) -> SyncCompleted:
    return SyncCompleted(
        job_id=uuid.uuid4(),
        audience_id=uuid.UUID(audience),
        user_id=api.user_id,
        platform="meta",
        operation=operation,  # type: ignore[arg-type]
        **{"profiles_sent": 0, "profiles_added": 0, **counts},
    )


def failed(api: Api, audience: str) -> SyncFailed:
    return SyncFailed(
        job_id=uuid.uuid4(),
        audience_id=uuid.UUID(audience),
        user_id=api.user_id,
        platform="meta",
        error_code="PLATFORM_ERROR",
        error_message="the platform refused the upload",
    )


async def deliver(session: AsyncSession, data: EventData, at: datetime | None = None) -> None:
    envelope = build(data, source="audience-sync")
    if at is not None:
        envelope = Envelope.model_validate({**envelope.model_dump(), "occurred_at": at})
    await audience_sync.HANDLERS[envelope.type](session, envelope)


def health_rule(**filter_: Any) -> dict[str, Any]:
    return {
        "filters": [filter_],
        "scope": {"level": "ad_group"},
        "action": {"type": "pause"},
        "cooldown_hours": 0,
    }


async def group_status(api: Api, group_id: str) -> str:
    # A fresh internal token: a slow Kafka catch-up can outlast the fixture's (60 s TTL).
    r = await api.client.get(f"/api/v1/ad-groups/{group_id}", headers=headers(api.user_id))
    return str(r.json()["status"])


async def test_targeting_lists_audiences(api: Api):
    cid = (await api.campaign())["id"]
    audience = str(uuid.uuid4())
    group = await api.ad_group(cid, targeting={"audiences": [audience, audience], "age": "18-34"})
    assert group["targeting"] == {
        "age": "18-34",
        "interests": None,
        "locations": None,
        "audiences": [audience],
    }
    plain = await api.ad_group(cid, name="Plain")
    assert "audiences" not in plain["targeting"]
    r = await api.client.post(
        "/api/v1/ad-groups",
        json={"campaign_id": cid, "name": "x", "targeting": {"audiences": ["nope"]}},
        headers=api.h,
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:3] == [
        "body",
        "targeting",
        "audiences",
    ]


async def test_a_failed_sync_pauses_the_ad_groups_that_target_it(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    cid = (await api.campaign(status="active"))["id"]
    broken, healthy = str(uuid.uuid4()), str(uuid.uuid4())
    hit = await api.ad_group(cid, name="Hit", targeting={"audiences": [broken, healthy]})
    spared = await api.ad_group(cid, name="Spared", targeting={"audiences": [healthy]})
    untargeted = await api.ad_group(cid, name="Broad")
    rule = await api.rule(
        "pause_low_roas",
        1,
        conditions=health_rule(metric="audience_failed", operator=">=", value=1),
    )
    await deliver(session, completed(api, healthy, profiles_sent=5000))
    await deliver(session, failed(api, broken))
    assert await group_status(api, hit["id"]) == "paused"
    assert await group_status(api, spared["id"]) == "active"
    assert await group_status(api, untargeted["id"]) == "active"
    runs = (await api.get(f"/api/v1/rules/{rule['id']}/runs")).json()["items"]
    assert runs[0]["trigger"] == "event"
    detail = (await api.get(f"/api/v1/rule-runs/{runs[0]['id']}?outcome=applied")).json()
    [paused] = detail["objects"]["items"]
    assert paused["ad_group_name"] == "Hit"
    assert paused["description"] == "Paused ad group 'Hit': failed audiences 1 >= 1"


async def test_size_and_match_rate_follow_the_events(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    cid = (await api.campaign(status="active"))["id"]
    audience = str(uuid.uuid4())
    await api.ad_group(cid, name="G", targeting={"audiences": [audience]})
    start = datetime.now(UTC) - timedelta(hours=1)
    await deliver(
        session,
        completed(api, audience, profiles_sent=1200, profiles_added=1200, profiles_failed=200),
        start,
    )
    await deliver(
        session,
        completed(
            api, audience, "update", profiles_sent=300, profiles_added=100, profiles_removed=400,
            match_rate=41.5,
        ),
        start + timedelta(minutes=10),
    )  # fmt: skip
    # A late, older result changes nothing: 1000 + 100 - 400 = 700 stands.
    await deliver(session, completed(api, audience, profiles_sent=9000), start)

    async def matches(**filter_: Any) -> int:
        conditions = health_rule(**filter_)
        conditions["action"] = {"type": "notify"}
        rid = (await api.rule("pause_low_roas", 1, conditions=conditions))["id"]
        return int((await preview(api, rid))["campaigns_affected"])

    assert await matches(metric="audience_size", operator="between", value=[700, 700]) == 1
    assert await matches(metric="audience_size", operator="<", value=700) == 0
    assert await matches(metric="audience_match_rate", operator="<", value=50) == 1
    assert await matches(metric="audience_match_rate", operator="<", value=41.5) == 0
    assert await matches(metric="audience_failed", operator=">=", value=1) == 0
    row = (
        await session.execute(
            sa.text(
                "SELECT size, match_rate, last_status FROM audience_health WHERE audience_id = :a"
            ),
            {"a": audience},
        )
    ).one()
    assert (row[0], float(row[1]), row[2]) == (700, 41.5, "completed")


@pytest.mark.parametrize(
    "filter_",
    [
        {"metric": "audience_failed", "operator": ">=", "value": 1},
        {"metric": "audience_size", "operator": "<", "value": 100},
    ],
)
async def test_audience_metrics_need_ad_group_scope(api: Api, filter_: dict[str, Any]):
    r = await api.try_rule({"filters": [filter_]})
    assert r.status_code == 422
    assert "ad groups" in r.json()["detail"][0]["msg"]


async def send(producer: AIOKafkaProducer, data: EventData, partition: int | None = None) -> None:
    event = build(data, source="audience-sync")
    await producer.send_and_wait(
        audience_sync.TOPIC,
        orjson.dumps(event.model_dump(mode="json")),
        key=event.subject.encode(),
        partition=partition,
    )


async def known(engine: AsyncEngine, audience: str) -> bool:
    async with engine.connect() as conn:
        found = await conn.execute(
            sa.text("SELECT 1 FROM audience_health WHERE audience_id = :a"), {"a": audience}
        )
        return found.first() is not None


@pytest.mark.kafka
async def test_failed_sync_event_on_kafka_pauses_within_five_seconds(
    adscale_infra: Any, engine: AsyncEngine, committed_client: httpx.AsyncClient
):
    api = Api(committed_client)
    bootstrap = adscale_infra.kafka_bootstrap
    try:
        async with consuming(
            bootstrap, engine, audience_sync.TOPIC, audience_sync.HANDLERS
        ) as producer:
            cid = (await api.campaign(status="active"))["id"]
            audience = str(uuid.uuid4())
            group = await api.ad_group(cid, targeting={"audiences": [audience]})
            await api.rule(
                "pause_low_roas",
                1,
                conditions=health_rule(metric="audience_failed", operator=">=", value=1),
            )
            # The group starts at what is produced from now on (``consuming``), but joining
            # takes a moment: once a probe sent to every partition is in the projection,
            # the consumer reads all of them (the failed event may land on any) and the
            # clock can start.
            probes = []
            for partition in sorted(await producer.partitions_for(audience_sync.TOPIC)):
                probes.append(str(uuid.uuid4()))
                await send(producer, completed(api, probes[-1], profiles_sent=1), partition)
            deadline = time.monotonic() + 120
            for probe in probes:
                while not await known(engine, probe):
                    assert time.monotonic() < deadline, "the consumer never caught up"
                    await asyncio.sleep(0.2)
            sent = time.monotonic()
            await send(producer, failed(api, audience))
            while await group_status(api, group["id"]) != "paused":
                assert time.monotonic() - sent < 5, "the ad group was not paused within 5 s"
                await asyncio.sleep(0.1)
    finally:
        await forget_user(engine, api.user_id)
