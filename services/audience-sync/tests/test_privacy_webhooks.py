"""``cdp.profile_erased``, as the erasure worker writes it to the outbox, consumed by the
worker's privacy-webhooks consumer on real Kafka: one signed ``profile.erased`` delivery
per subscription that lists it, once even when the event is delivered twice."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

import privacy_kit
from adscale_common.events import Envelope
from adscale_contracts.events import ProfileErased, parse
from audience_sync.privacy.eraser import Eraser
from audience_sync.webhook.privacy_events import CDP_TOPIC, consumer_spec
from kit import Api
from privacy_kit import PERSON, email_of, erase, outbox_events, two_segments
from xw_kit import deliveries, delivery_process, encoded, seen, spec_consumer, subscribe, until

eraser = privacy_kit.eraser
single_registry = privacy_kit.single_registry
settle_erasure_jobs = privacy_kit.settle_erasure_jobs

pytestmark = [pytest.mark.usefixtures("quiet_deliveries"), pytest.mark.kafka]


def test_the_event_lives_on_the_cdp_topic() -> None:
    assert CDP_TOPIC == "cdp.events"


async def test_an_erasure_reaches_subscribers_as_one_signed_profile_erased(
    caller: Any,
    receiver: Any,
    xw_app: Any,
    xw_sessions: Any,
    xw_settings: Any,
    client: Any,
    sandbox: Any,
    eraser: Eraser,
    engine: Any,
) -> None:
    api = Api(client, sandbox, user_id=caller.user_id)
    await two_segments(api)
    hook = await subscribe(caller, receiver.url, ["profile.erased"])
    others = await subscribe(caller, f"{receiver.url}/syncs", ["audience_sync.completed"])
    accepted = await erase(api, email=email_of(PERSON))
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    (payload,) = await outbox_events(engine, ProfileErased.TYPE, accepted["erasure_id"])
    envelope = Envelope.model_validate(payload)
    event = parse(envelope, ProfileErased)
    assert event.user_id == caller.user_id and event.profiles_erased == 2

    async with spec_consumer(consumer_spec, xw_settings, xw_sessions) as (
        runner,
        publish,
    ):
        for _ in range(2):
            await publish(encoded(envelope), key=b"e")
        await until(seen(runner, handled=1, duplicates=1), timeout=30)

    async with delivery_process(xw_app):
        (request,) = await receiver.wait_for(1)
        await asyncio.sleep(0.3)
    assert len(receiver.requests) == 1
    body = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert body["event"] == "profile.erased"
    assert body["data"] == {
        "erasure_id": accepted["erasure_id"],
        "status": "completed",
        "failure_reason": None,
        "profiles_erased": 2,
        "audiences_completed": 2,
        "audiences_failed": 0,
        "exports_revoked": 0,
        "identifier_hashes": event.identifier_hashes,
    }
    assert "example.com" not in request.body.decode().lower()
    assert len(await deliveries(caller, hook["id"])) == 1
    assert await deliveries(caller, others["id"]) == []
