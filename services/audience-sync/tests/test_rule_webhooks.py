"""``rule.executed``: campaigns' ``campaigns.rule_executed`` events turned into signed
deliveries for the rule owner's subscriptions that list the event, through the worker's
consumer spec on real Kafka (inbox, dead-letter, started before its topic exists) and the
delivery loop to a real HTTP receiver, verified with the ``standardwebhooks`` package."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from standardwebhooks.webhooks import Webhook

sys.path.insert(0, str(Path(__file__).parent))

from adscale_common.events import Envelope
from adscale_common.testing_consumers import consumer_before_topics
from adscale_contracts.events import CampaignDeleted, RuleExecuted, build
from audience_sync.webhook.rule_events import CAMPAIGNS_TOPIC, consumer_spec
from xw_kit import AS, deliveries, delivery_process, encoded, seen, spec_consumer, subscribe, until

pytestmark = [pytest.mark.usefixtures("quiet_deliveries"), pytest.mark.kafka]

HOOKS = f"{AS}/webhooks"
RULE_FIELDS = [
    "rule_id",
    "rule_name",
    "run_id",
    "trigger",
    "action",
    "object",
    "old_value",
    "new_value",
    "description",
    "occurred_at",
]


def rule_executed(user_id: uuid.UUID, **extra: Any) -> Envelope:
    data: dict[str, Any] = {
        "rule_id": uuid.uuid4(),
        "run_id": uuid.uuid4(),
        "user_id": user_id,
        "rule_name": "Stop losers",
        "trigger": "schedule",
        "object_type": "ad_group",
        "campaign_id": uuid.uuid4(),
        "ad_group_id": uuid.uuid4(),
        "object_name": "Lookalikes 1%",
        "action": "pause",
        "old_value": "active",
        "new_value": "paused",
        "description": "Paused ad group 'Lookalikes 1%': ROAS 0.50 < 1.00 over the last 7 days",
    }
    data.update(extra)
    return build(RuleExecuted(**data), source="campaigns")


async def test_a_rule_action_reaches_only_the_owners_subscriptions_that_list_it_signed(
    caller, stranger, receiver, xw_app, xw_sessions, xw_settings
):
    hook = await subscribe(caller, receiver.url, ["rule.executed", "audience_sync.failed"])
    syncs_only = await subscribe(caller, f"{receiver.url}/syncs", ["audience_sync.completed"])
    paused = await subscribe(caller, f"{receiver.url}/paused", ["rule.executed"])
    assert (await caller.patch(f"{HOOKS}/{paused['id']}", json={"enabled": False})).is_success
    await subscribe(stranger, f"{receiver.url}/stranger", ["rule.executed"])
    envelope = rule_executed(caller.user_id)

    async with spec_consumer(consumer_spec, xw_settings, xw_sessions) as (
        runner,
        publish,
    ):
        await publish(encoded(envelope))
        await until(seen(runner, handled=1), timeout=30)
    async with delivery_process(xw_app):
        (request,) = await receiver.wait_for(1)
        await asyncio.sleep(0.3)

    assert len(receiver.requests) == 1  # not the syncs-only, paused or stranger's endpoint
    assert request.path == "/hooks/adscale"
    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert list(payload) == ["event", "timestamp", "data"]
    assert payload["event"] == "rule.executed"
    occurred = envelope.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert payload["timestamp"] == occurred
    assert list(payload["data"]) == RULE_FIELDS
    assert payload["data"] == {
        "rule_id": envelope.data["rule_id"],
        "rule_name": "Stop losers",
        "run_id": envelope.data["run_id"],
        "trigger": "schedule",
        "action": "pause",
        "object": {
            "type": "ad_group",
            "campaign_id": envelope.data["campaign_id"],
            "ad_group_id": envelope.data["ad_group_id"],
            "name": "Lookalikes 1%",
        },
        "old_value": "active",
        "new_value": "paused",
        "description": "Paused ad group 'Lookalikes 1%': ROAS 0.50 < 1.00 over the last 7 days",
        "occurred_at": occurred,
    }
    (delivery,) = await deliveries(caller, hook["id"])
    assert request.headers["webhook-id"] == delivery["id"]
    assert (delivery["event"], delivery["event_id"], delivery["status"]) == (
        "rule.executed",
        str(envelope.id),
        "succeeded",
    )
    assert await deliveries(caller, syncs_only["id"]) == []
    assert await deliveries(caller, paused["id"]) == []


async def test_a_duplicated_rule_event_is_delivered_once(
    caller, receiver, xw_app, xw_sessions, xw_settings
):
    hook = await subscribe(caller, receiver.url, ["rule.executed"])
    envelope = rule_executed(caller.user_id, object_type="campaign", ad_group_id=None)

    async with spec_consumer(consumer_spec, xw_settings, xw_sessions) as (
        runner,
        publish,
    ):
        for _ in range(2):
            await publish(encoded(envelope))
        await until(seen(runner, handled=1, duplicates=1), timeout=30)
    assert (runner.stats.handled, runner.stats.duplicates) == (1, 1)
    async with delivery_process(xw_app):
        (request,) = await receiver.wait_for(1)
        await asyncio.sleep(0.5)

    assert len(receiver.requests) == 1
    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert payload["data"]["object"]["type"] == "campaign"
    assert payload["data"]["object"]["ad_group_id"] is None
    assert len(await deliveries(caller, hook["id"])) == 1


async def test_a_rule_event_that_breaks_the_contract_is_dead_lettered_and_the_next_delivered(
    caller, receiver, xw_app, xw_sessions, xw_settings
):
    hook = await subscribe(caller, receiver.url, ["rule.executed"])
    broken = rule_executed(caller.user_id).model_dump(mode="json")
    del broken["data"]["rule_id"]  # a campaigns.rule_executed without its rule
    good = rule_executed(caller.user_id)

    async with spec_consumer(consumer_spec, xw_settings, xw_sessions) as (
        runner,
        publish,
    ):
        await publish(orjson.dumps(broken))
        await publish(encoded(good))
        await until(seen(runner, handled=1), timeout=30)
    assert runner.stats.dead_lettered == 1
    async with delivery_process(xw_app):
        (request,) = await receiver.wait_for(1)

    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert payload["data"]["rule_id"] == good.data["rule_id"]
    assert len(await deliveries(caller, hook["id"])) == 1


async def test_other_campaigns_events_are_ignored(caller, receiver, xw_sessions, xw_settings):
    hook = await subscribe(caller, receiver.url, ["rule.executed"])
    other = build_other(caller.user_id)
    async with spec_consumer(consumer_spec, xw_settings, xw_sessions) as (
        runner,
        publish,
    ):
        await publish(encoded(other))
        await publish(encoded(rule_executed(caller.user_id)))
        await until(seen(runner, handled=1), timeout=30)
    assert runner.stats.ignored == 1
    assert len(await deliveries(caller, hook["id"])) == 1


def build_other(user_id: uuid.UUID) -> Envelope:
    return build(CampaignDeleted(campaign_id=uuid.uuid4(), user_id=user_id), source="campaigns")


async def test_the_consumer_started_before_campaigns_events_exists_queues_the_delivery(
    caller, receiver, xw_sessions, xw_settings
):
    hook = await subscribe(caller, receiver.url, ["rule.executed"])
    spec = consumer_spec(xw_settings)
    assert spec.topics == [CAMPAIGNS_TOPIC]
    assert spec.name == "audience-sync-rule-webhooks"
    async with consumer_before_topics(
        spec, sessionmaker=xw_sessions, bootstrap=xw_settings.kafka_bootstrap
    ) as late:
        await late.publish(rule_executed(caller.user_id))
        await late.handled(1)
    (delivery,) = await deliveries(caller, hook["id"])
    assert delivery["event"] == "rule.executed"


async def test_subscribing_to_rule_executed_and_sending_its_test_payload(caller, receiver):
    hook = await subscribe(caller, receiver.url, ["rule.executed"])
    assert hook["events"] == ["rule.executed"]
    every = await subscribe(
        caller, receiver.url, ["audience_sync.completed", "audience_sync.failed", "rule.executed"]
    )
    assert len(every["events"]) == 3
    refused = await caller.post(HOOKS, json={"url": receiver.url, "events": ["rule.executd"]})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"

    tested = await caller.post(f"{HOOKS}/{hook['id']}/test", json={"event": "rule.executed"})
    assert tested.status_code == 200, tested.text
    (request,) = await receiver.wait_for(1)
    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert payload["event"] == "rule.executed"
    assert list(payload["data"]) == RULE_FIELDS
