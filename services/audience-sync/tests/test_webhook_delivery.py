"""From a handled sync event to a real HTTP receiver: payloads exactly as the spec, Standard
Webhooks signatures verified with the ``standardwebhooks`` package, retries on the schedule
kept in the database (surviving a restart and a process killed mid-send), 410 and
five-day failure disabling, and the whole path over real Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from standardwebhooks.webhooks import Webhook

sys.path.insert(0, str(Path(__file__).parent))

import xw_kit as xw
from adscale_common.crypto import TokenCipher
from adscale_common.db import make_engine, make_sessionmaker
from adscale_common.events import Envelope
from adscale_common.metrics import exposition
from adscale_common.metrics_testing import metric_value
from adscale_contracts.events import SyncCompleted, SyncFailed, build
from audience_sync.webhook.delivery import retry_delay, rotate_secrets
from audience_sync.webhook.queueing import EVENTS_TOPIC, consumer_spec, handle_sync_event
from kit import error_of
from xw_kit import (
    AS,
    ENCRYPTION_KEY,
    Caller,
    deliveries,
    delivery_process,
    encoded,
    make_deliverer,
    spec_consumer,
    stored_secret,
    subscribe,
    until,
)

pytestmark = pytest.mark.usefixtures("quiet_deliveries")

HOOKS = f"{AS}/webhooks"
COMPLETED_FIELDS = [
    "job_id",
    "audience_id",
    "platform",
    "operation",
    "profiles_sent",
    "profiles_added",
    "match_rate",
    "duration_ms",
]
FAILED_FIELDS = ["job_id", "audience_id", "platform", "error_code", "error_message"]


def completed(user_id: uuid.UUID, **extra: Any) -> Envelope:
    data: dict[str, Any] = {
        "job_id": uuid.uuid4(),
        "audience_id": uuid.uuid4(),
        "user_id": user_id,
        "platform": "meta",
        "operation": "update",
        "profiles_sent": 68,
        "profiles_added": 68,
        "profiles_removed": 3,
        "profiles_failed": 1,
        "match_rate": 88.7,
        "duration_ms": 4200,
    }
    data.update(extra)
    return build(SyncCompleted(**data), source="audience-sync")


def failed(user_id: uuid.UUID) -> Envelope:
    return build(
        SyncFailed(
            job_id=uuid.uuid4(),
            audience_id=uuid.uuid4(),
            user_id=user_id,
            platform="tiktok",
            error_code="PLATFORM_ERROR",
            error_message="Rate limit exceeded",
        ),
        source="audience-sync",
    )


async def handle(sessions: Any, envelope: Envelope) -> None:
    """What the consumer does: the handler inside one transaction."""
    async with sessions() as session, session.begin():
        await handle_sync_event(session, envelope)


async def test_a_handled_sync_completed_reaches_a_real_receiver_signed_per_standard_webhooks(
    caller, stranger, receiver, xw_app, xw_sessions
):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    failed_only = await subscribe(caller, f"{receiver.url}/failed", ["audience_sync.failed"])
    paused = await subscribe(caller, f"{receiver.url}/paused", ["audience_sync.completed"])
    await caller.patch(f"{HOOKS}/{paused['id']}", json={"enabled": False})
    await subscribe(stranger, f"{receiver.url}/stranger", ["audience_sync.completed"])
    envelope = completed(caller.user_id)

    await handle(xw_sessions, envelope)
    async with delivery_process(xw_app):
        (request,) = await receiver.wait_for(1)
        await asyncio.sleep(0.3)

    assert len(receiver.requests) == 1  # not the failed-only, paused or stranger's endpoint
    assert request.path == "/hooks/adscale"
    assert request.headers["content-type"] == "application/json"
    # Independent verification: the standardwebhooks package with the secret shown once.
    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert list(payload) == ["event", "timestamp", "data"]
    assert payload["event"] == "audience_sync.completed"
    assert payload["timestamp"] == envelope.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert list(payload["data"]) == COMPLETED_FIELDS
    assert payload["data"] == {
        "job_id": envelope.data["job_id"],
        "audience_id": envelope.data["audience_id"],
        "platform": "meta",
        "operation": "update",
        "profiles_sent": 68,
        "profiles_added": 68,
        "match_rate": 88.7,
        "duration_ms": 4200,
    }
    (delivery,) = await deliveries(caller, hook["id"])
    assert request.headers["webhook-id"] == delivery["id"]
    assert delivery["event_id"] == str(envelope.id)
    assert (delivery["status"], delivery["attempt"], delivery["response_code"]) == (
        "succeeded",
        1,
        200,
    )
    assert delivery["latency_ms"] is not None and delivery["delivered_at"] is not None
    assert await deliveries(caller, failed_only["id"]) == []
    assert await deliveries(caller, paused["id"]) == []


async def test_a_sync_failed_payload_has_exactly_the_spec_fields(
    caller, receiver, xw_app, xw_sessions
):
    hook = await subscribe(caller, receiver.url, ["audience_sync.failed"])
    envelope = failed(caller.user_id)

    await handle(xw_sessions, envelope)
    async with delivery_process(xw_app):
        (request,) = await receiver.wait_for(1)

    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert payload["event"] == "audience_sync.failed"
    assert list(payload["data"]) == FAILED_FIELDS
    assert payload["data"]["error_code"] == "PLATFORM_ERROR"
    assert payload["data"]["error_message"] == "Rate limit exceeded"
    assert payload["data"]["platform"] == "tiktok"


async def test_a_redelivered_event_queues_one_delivery(caller, receiver, xw_sessions):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    envelope = completed(caller.user_id, match_rate=None, duration_ms=None)

    await handle(xw_sessions, envelope)
    await handle(xw_sessions, envelope)

    (delivery,) = await deliveries(caller, hook["id"])
    async with xw_sessions() as session:
        body = (
            await session.execute(
                sa.text("SELECT body FROM webhook_delivery WHERE id = :id"), {"id": delivery["id"]}
            )
        ).scalar_one()
    data = orjson.loads(body)["data"]
    assert data["match_rate"] is None and data["duration_ms"] is None


async def test_500_twice_then_200_ends_with_one_success_and_two_failed_attempts(
    caller, receiver, xw_app, xw_sessions
):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.script = [500, 500]
    before = exposition()[0].decode()

    await handle(xw_sessions, completed(caller.user_id))
    async with delivery_process(xw_app):
        requests = await receiver.wait_for(3)
        await until(lambda: _status(caller, hook["id"], "succeeded"))

    after = exposition()[0].decode()  # the delivery loop's process: its metrics moved
    for result, count in (("retrying", 2), ("succeeded", 1), ("failed", 0)):
        for name in (
            "adscale_webhook_deliveries_total",
            "adscale_webhook_delivery_duration_seconds_count",
        ):
            moved = metric_value(after, name, result=result) - metric_value(
                before, name, result=result
            )
            assert moved == count, (name, result)

    assert len({r.headers["webhook-id"] for r in requests}) == 1  # the same message, retried
    for r in requests:
        Webhook(hook["secret"]).verify(r.body, r.headers)
    (delivery,) = await deliveries(caller, hook["id"])
    assert (delivery["status"], delivery["attempt"], delivery["response_code"]) == (
        "succeeded",
        3,
        200,
    )
    assert [(a["attempt"], a["success"], a["response_code"]) for a in delivery["attempts"]] == [
        (1, False, 500),
        (2, False, 500),
        (3, True, 200),
    ]
    assert delivery["attempts"][0]["error"] == "HTTP 500"
    assert delivery["next_retry_at"] is None
    shown = (await caller.get(f"{HOOKS}/{hook['id']}")).json()
    assert shown["enabled"] is True


async def _status(api: Caller, hook_id: str, status: str) -> bool:
    items = await deliveries(api, hook_id)
    return bool(items) and items[0]["status"] == status


async def test_a_pending_retry_is_delivered_by_the_next_process_after_a_restart(
    caller, receiver, xw_app, xw_sessions, database_url
):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.script = [503]
    await handle(xw_sessions, completed(caller.user_id))

    slow = [1.5, 300, 300]
    async with delivery_process(xw_app, webhook_retry_schedule_seconds=slow):
        await receiver.wait_for(1)
        await until(lambda: _attempted(caller, hook["id"], 1))
    (pending,) = await deliveries(caller, hook["id"])
    assert pending["status"] == "pending"
    assert pending["next_retry_at"] is not None
    assert len(receiver.requests) == 1

    # A new process, with its own engine: nothing but the database connects the two.
    engine = make_engine(database_url, pool_size=2)
    try:
        async with delivery_process(
            xw_app, sessions=make_sessionmaker(engine), webhook_retry_schedule_seconds=slow
        ):
            await receiver.wait_for(2, timeout=15)
            await until(lambda: _status(caller, hook["id"], "succeeded"))
    finally:
        await engine.dispose()
    (delivery,) = await deliveries(caller, hook["id"])
    assert [(a["attempt"], a["response_code"]) for a in delivery["attempts"]] == [
        (1, 503),
        (2, 200),
    ]


# The worker's own delivery task (``retry_due_deliveries``), alone in a process of its own.
DELIVERY_PROCESS = """
import asyncio
from adscale_common.db import make_engine, make_sessionmaker
from adscale_common.worker import WorkerContext
from audience_sync.settings import get_settings
from audience_sync.webhook.delivery import retry_due_deliveries

async def main():
    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=2)
    ctx = WorkerContext(settings=settings, engine=engine, sessionmaker=make_sessionmaker(engine))
    print("delivering", flush=True)
    await retry_due_deliveries(ctx)

asyncio.run(main())
"""


async def spawn_delivery_process(xw_settings: Any, retry_after: float) -> Any:
    env = {
        **os.environ,
        "AUDIENCE_SYNC_DATABASE_URL": xw_settings.database_url,
        "AUDIENCE_SYNC_INTERNAL_TOKEN_KEY": xw.KEY,
        "AUDIENCE_SYNC_KAFKA_BOOTSTRAP": xw_settings.kafka_bootstrap,
        "AUDIENCE_SYNC_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "AUDIENCE_SYNC_WEBHOOKS_ALLOW_LOOPBACK": "true",
        "AUDIENCE_SYNC_WEBHOOK_RETRY_SCHEDULE_SECONDS": f"[{retry_after}, 300, 300]",
        "AUDIENCE_SYNC_WEBHOOK_RETRY_JITTER": "0",
        "AUDIENCE_SYNC_WEBHOOK_POLL_SECONDS": "0.1",
        "AUDIENCE_SYNC_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DELIVERY_PROCESS, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    async with asyncio.timeout(30):
        assert await process.stdout.readline() == b"delivering\n"
    return process


async def test_a_delivery_process_killed_with_a_retry_pending_delivers_it_after_a_restart(
    caller, receiver, xw_settings, xw_sessions
):
    """A real OS process runs the worker's delivery task; SIGKILL ends it while the retry of
    a refused delivery waits in the database. Nothing delivers it while no process runs; the
    next process does, with the same webhook-id."""
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.script = [503]
    await handle(xw_sessions, completed(caller.user_id))

    first = await spawn_delivery_process(xw_settings, retry_after=3.0)
    try:
        await receiver.wait_for(1, timeout=20)
        await until(lambda: _attempted(caller, hook["id"], 1))
    finally:
        first.kill()  # SIGKILL: no shutdown code runs
        await first.wait()
    assert first.returncode == -signal.SIGKILL
    (pending,) = await deliveries(caller, hook["id"])
    assert (pending["status"], pending["attempt"]) == ("pending", 1)
    assert pending["next_retry_at"] is not None

    await asyncio.sleep(4.0)  # the retry is due now, and no process is running
    assert len(receiver.requests) == 1

    second = await spawn_delivery_process(xw_settings, retry_after=3.0)
    try:
        await receiver.wait_for(2, timeout=20)
        await until(lambda: _status(caller, hook["id"], "succeeded"))
    finally:
        second.terminate()
        await second.wait()
    (delivery,) = await deliveries(caller, hook["id"])
    assert [(a["attempt"], a["response_code"]) for a in delivery["attempts"]] == [
        (1, 503),
        (2, 200),
    ]
    one, two = receiver.requests[:2]
    assert one.headers["webhook-id"] == two.headers["webhook-id"]


async def _attempted(api: Caller, hook_id: str, count: int) -> bool:
    items = await deliveries(api, hook_id)
    return bool(items) and items[0]["attempt"] >= count and items[0]["status"] == "pending"


async def test_a_process_killed_mid_send_leaves_the_delivery_to_the_next_one(
    caller, receiver, xw_app, xw_sessions
):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.delay = 1.0
    await handle(xw_sessions, completed(caller.user_id))
    lease = {"webhook_timeout_seconds": 3, "webhook_inflight_lease_seconds": 3.5}

    deliverer, sender = make_deliverer(xw_app, **lease)
    killed = asyncio.create_task(deliverer.run(asyncio.Event()))
    await receiver.wait_for(1)
    killed.cancel()  # no chance to record anything
    with contextlib.suppress(asyncio.CancelledError):
        await killed
    await sender.aclose()
    (in_flight,) = await deliveries(caller, hook["id"])
    assert (in_flight["status"], in_flight["attempt"]) == ("in_flight", 0)

    receiver.delay = 0
    async with delivery_process(xw_app, **lease):
        await receiver.wait_for(2, timeout=15)
        await until(lambda: _status(caller, hook["id"], "succeeded"))
    first, second = receiver.requests[:2]
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


async def test_a_410_disables_the_subscription_at_once(caller, receiver, xw_app, xw_sessions):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.default = 410

    await handle(xw_sessions, completed(caller.user_id))
    async with delivery_process(xw_app):
        await receiver.wait_for(1)
        await until(lambda: _status(caller, hook["id"], "failed"))
    await handle(xw_sessions, completed(caller.user_id))

    shown = (await caller.get(f"{HOOKS}/{hook['id']}")).json()
    assert (shown["enabled"], shown["disabled_reason"]) == (False, "gone")
    (delivery,) = await deliveries(caller, hook["id"])  # none queued once disabled
    assert delivery["attempt"] == 1 and delivery["next_retry_at"] is None
    assert len(receiver.requests) == 1


async def test_failing_for_five_days_disables_the_subscription(
    caller, receiver, xw_app, xw_sessions
):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.default = 500
    await xw.update_row(
        xw_sessions,
        "webhook_subscription",
        hook["id"],
        "failing_since = now() - interval '5 days 1 minute'",
    )

    await handle(xw_sessions, completed(caller.user_id))
    async with delivery_process(xw_app):
        await receiver.wait_for(1)
        await until(lambda: _status(caller, hook["id"], "cancelled"))

    shown = (await caller.get(f"{HOOKS}/{hook['id']}")).json()
    assert (shown["enabled"], shown["disabled_reason"]) == (False, "failing")
    (delivery,) = await deliveries(caller, hook["id"])
    assert delivery["attempt"] == 1
    assert len(receiver.requests) == 1


async def test_a_success_resets_the_failure_clock_and_one_bad_day_disables_nothing(
    caller, receiver, xw_app, xw_sessions
):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.script = [500]

    await handle(xw_sessions, completed(caller.user_id))
    async with delivery_process(xw_app, webhook_retry_schedule_seconds=[1.0]):
        await receiver.wait_for(1)
        assert await until(lambda: _failing_since(xw_sessions, hook["id"]))
        await receiver.wait_for(2)
        await until(lambda: _status(caller, hook["id"], "succeeded"))

    assert await _failing_since(xw_sessions, hook["id"]) is None
    assert (await caller.get(f"{HOOKS}/{hook['id']}")).json()["enabled"] is True


async def _failing_since(sessions: Any, hook_id: str) -> Any:
    async with sessions() as session:
        return (
            await session.execute(
                sa.text("SELECT failing_since FROM webhook_subscription WHERE id = :id"),
                {"id": hook_id},
            )
        ).scalar_one()


async def test_the_schedule_runs_out_and_the_delivery_fails(caller, receiver, xw_app, xw_sessions):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.default = 500

    await handle(xw_sessions, completed(caller.user_id))
    async with delivery_process(xw_app, webhook_retry_schedule_seconds=[0.1, 0.1]):
        await receiver.wait_for(3)
        await until(lambda: _status(caller, hook["id"], "failed"))
        await asyncio.sleep(0.3)

    (delivery,) = await deliveries(caller, hook["id"])
    assert delivery["attempt"] == 3
    assert delivery["next_retry_at"] is None
    assert len(receiver.requests) == 3
    assert await _failing_since(xw_sessions, hook["id"]) is not None


async def test_a_slow_receiver_times_out_and_is_retried(caller, receiver, xw_app, xw_sessions):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    receiver.delay = 1.0

    await handle(xw_sessions, completed(caller.user_id))
    async with delivery_process(
        xw_app, webhook_timeout_seconds=0.3, webhook_retry_schedule_seconds=[60]
    ):
        await until(lambda: _attempted(caller, hook["id"], 1))

    (delivery,) = await deliveries(caller, hook["id"])
    assert delivery["error"] == "timed out after 0.3s"
    assert delivery["response_code"] is None
    assert delivery["status"] == "pending"


def test_the_standard_webhooks_schedule_with_jitter(xw_settings):
    schedule = [5, 300, 1800, 7200, 18000, 36000, 36000]
    defaults = (
        type(xw_settings)
        .model_fields["webhook_retry_schedule_seconds"]
        .get_default(call_default_factory=True)
    )
    assert defaults == schedule
    for attempt, base in enumerate(schedule, start=1):
        delays = {retry_delay(attempt, schedule, 0.1) for _ in range(20)}
        assert all(base * 0.9 <= d <= base * 1.1 for d in delays)  # type: ignore[operator]
        assert len(delays) > 1
    assert retry_delay(8, schedule, 0.1) is None


async def test_secrets_are_reencrypted_under_a_new_primary_key(caller, receiver, xw_sessions):
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    new_key = Fernet.generate_key().decode()
    rotated = TokenCipher(f"{new_key},{ENCRYPTION_KEY}")

    assert await rotate_secrets(xw_sessions, rotated) >= 1

    stored = await stored_secret(xw_sessions, hook["id"])
    assert TokenCipher(new_key).decrypt(stored) == hook["secret"]
    assert await rotate_secrets(xw_sessions, rotated) == 0


async def test_a_secret_no_key_opens_never_stops_the_others_and_is_never_sent_unsigned(
    caller, receiver, xw_app, xw_sessions
):
    """A signing secret under a key that is no longer configured: the start-up rotation
    goes on for everyone else, its deliveries fail at once with the reason (nothing reaches
    the endpoint unsigned), a test send is 409 WEBHOOK_SECRET_UNREADABLE, and rotating the
    secret mends it."""
    broken = await subscribe(caller, f"{receiver.url}/broken", ["audience_sync.completed"])
    fine = await subscribe(caller, f"{receiver.url}/fine", ["audience_sync.completed"])
    foreign = TokenCipher(Fernet.generate_key().decode()).encrypt("whsec_elsewhere")
    await xw.update_row(
        xw_sessions, "webhook_subscription", broken["id"], "secret_encrypted = :s", s=foreign
    )
    await rotate_secrets(xw_sessions, TokenCipher(ENCRYPTION_KEY))  # goes through, no raise
    assert await stored_secret(xw_sessions, broken["id"]) == foreign

    await handle(xw_sessions, completed(caller.user_id))
    async with delivery_process(xw_app):
        (request,) = await receiver.wait_for(1)
        await until(lambda: _status(caller, broken["id"], "failed"))
    assert request.path.endswith("/fine")
    (failed_delivery,) = await deliveries(caller, broken["id"])
    assert (failed_delivery["attempt"], failed_delivery["attempts"]) == (0, [])  # never sent
    assert failed_delivery["status"] == "failed"
    assert "cannot be decrypted" in failed_delivery["error"]
    assert failed_delivery["next_retry_at"] is None

    tested = await caller.post(f"{HOOKS}/{broken['id']}/test")
    assert tested.status_code == 409, tested.text
    assert error_of(tested)["code"] == "WEBHOOK_SECRET_UNREADABLE"
    rotated = await caller.post(f"{HOOKS}/{broken['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    tested = await caller.post(f"{HOOKS}/{broken['id']}/test")
    assert tested.status_code == 200, tested.text
    assert len(receiver.requests) == 2
    secret = rotated.json()["secret"]
    latest = receiver.requests[-1]
    Webhook(secret).verify(latest.body, dict(latest.headers))
    assert (await deliveries(caller, fine["id"]))[0]["status"] == "succeeded"


def test_the_consumer_spec_handles_both_sync_outcomes(xw_settings):
    spec = consumer_spec(xw_settings)
    assert spec.name == "audience-sync-webhooks"
    assert spec.topics == [EVENTS_TOPIC]
    assert set(spec.handlers) == {"audience_sync.completed", "audience_sync.failed"}


@pytest.mark.kafka
async def test_end_to_end_over_kafka(caller, receiver, xw_app, xw_sessions, xw_settings):
    """A SyncCompleted published to Kafka is consumed with the inbox, queued, delivered.
    (A test topic stands in for ``audience_sync.events`` to skip other tests' backlog.)"""
    hook = await subscribe(caller, receiver.url, ["audience_sync.completed"])
    envelope = completed(caller.user_id)
    async with spec_consumer(consumer_spec, xw_settings, xw_sessions) as (runner, publish):
        for _ in range(2):  # a duplicate: the inbox absorbs it
            await publish(encoded(envelope), key=envelope.subject.encode())
        async with delivery_process(xw_app):
            (request,) = await receiver.wait_for(1, timeout=30)
            await until(lambda: _status(caller, hook["id"], "succeeded"), timeout=30)
            await asyncio.sleep(0.5)
    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert payload["data"]["job_id"] == envelope.data["job_id"]
    assert len(receiver.requests) == 1
    assert runner.stats.handled == 1 and runner.stats.duplicates == 1
