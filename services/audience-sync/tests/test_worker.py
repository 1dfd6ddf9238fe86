"""The worker's moving parts on real Kafka: the outbox relay publishing job requests, the
jobs consumer running the engine, a worker stopped in the middle of a 200,000-member sync
and restarted, the ``cdp.profiles`` feed with its dead-letter queue, the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.kafka import ensure_topics, make_producer
from adscale_common.outbox import OutboxRelay
from adscale_common.testing_consumers import group_from
from adscale_common.worker import WorkerContext
from adscale_contracts.jobs import JOBS_TOPIC
from audience_sync.consumers.cdp_profiles import ProfilesConsumer
from audience_sync.consumers.jobs import JobsConsumer
from audience_sync.platforms import PlatformRegistry
from audience_sync.sync.engine import SyncEngine
from audience_sync.sync.hashing import Hasher
from audience_sync.sync.scheduler import requeue_stranded, schedule_due
from audience_sync.worker import build_tasks
from kit import AS, SEGMENTS, Api, expected_hashes, make_profiles, read_rows

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
async def producer(settings: Any) -> AsyncIterator[AIOKafkaProducer]:
    await ensure_topics(
        settings.kafka_bootstrap,
        [
            JOBS_TOPIC,
            f"{JOBS_TOPIC}.dlq",
            "audience_sync.events",
            settings.cdp_profiles_topic,
            f"{settings.cdp_profiles_topic}.dlq",
        ],
    )
    p = make_producer(settings.kafka_bootstrap, client_id="audience-sync-tests")
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
async def relay(app: FastAPI, producer: AIOKafkaProducer) -> AsyncIterator[OutboxRelay]:
    """The outbox relay, publishing the rows this test writes. The database serves the
    whole session and the tests before this one ran no relay: their job requests are still
    in the outbox (49 jobs, 117 sync events in one run), and publishing them would make this
    test's worker run other tests' jobs before its own. They are marked sent first."""
    async with app.state.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE outbox_event SET sent_at = now() WHERE sent_at IS NULL"))
    r = OutboxRelay(app.state.engine, producer, poll_interval=0.2)
    task = asyncio.create_task(r.run())
    yield r
    r.stop()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def new_engine(app: FastAPI, settings: Any, registry: PlatformRegistry, owner: str) -> SyncEngine:
    return SyncEngine(
        engine=app.state.engine,
        sessionmaker=make_sessionmaker(app.state.engine),
        registry=registry,
        cipher=app.state.cipher,
        settings=settings,
        hasher=Hasher(2),
        owner=owner,
    )


@pytest.fixture
def start_worker(
    app: FastAPI, settings: Any, registry: PlatformRegistry, producer: AIOKafkaProducer
):
    """Start a jobs consumer in ``group`` whose engine works as ``owner``: the engine, the
    consumer and its task. The group reads the jobs published since the test began."""
    began_ms = int(time.time() * 1000) - 1000

    async def start(
        owner: str, group: str, after_checkpoint: Any = None
    ) -> tuple[SyncEngine, JobsConsumer, asyncio.Task[None]]:
        await group_from(settings.kafka_bootstrap, group, [JOBS_TOPIC], began_ms)
        worker = new_engine(app, settings, registry, owner)
        if after_checkpoint is not None:
            worker.after_checkpoint = after_checkpoint
        consumer = JobsConsumer(settings=settings, engine=worker, producer=producer, group=group)
        return worker, consumer, asyncio.create_task(consumer.run())

    return start


async def job_state(engine: AsyncEngine, job_id: str) -> dict[str, Any]:
    """What a timed-out test reports: the job's row as the worker left it."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT status, phase, batches_done, lease_owner, error_code, "
                    "started_at, updated_at FROM sync_job WHERE id = :j"
                ),
                {"j": job_id},
            )
        ).one()
    return dict(row._mapping)


async def job_status(engine: AsyncEngine, job_id: str) -> str:
    async with engine.connect() as conn:
        return str(
            await conn.scalar(sa.text("SELECT status FROM sync_job WHERE id = :j"), {"j": job_id})
        )


async def stop_consumer(consumer: Any, task: asyncio.Task[None]) -> None:
    """Stop a consumer task; a task that does not stop in time is cancelled (a hang fails
    the test instead of blocking the session)."""
    consumer.stop()
    try:
        await asyncio.wait_for(asyncio.shield(task), 30)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, 10)
        raise


async def wait_for(predicate: Any, timeout: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)


def csv_body(profiles: list[dict[str, Any]]) -> bytes:
    lines = ["external_id,email,phone"] + [
        f"{p['external_id']},{p['email'].strip()},{p['phone']}" for p in profiles
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.usefixtures("relay")
async def test_worker_stopped_mid_sync_resumes_without_resending(
    api: Api, start_worker: Any, engine: AsyncEngine
) -> None:
    profiles = make_profiles(0, 100_000)  # email + phone: one multi-key row per profile
    segment = await api.segment()
    assert (await api.imported(segment["id"], csv_body(profiles)))["inserted"] == 100_000
    await api.connect("meta")
    created = await api.audience(segment["id"], "meta")
    job_id = created["initial_sync"]["job_id"]
    assert created["initial_sync"]["status"] == "pending"

    group = f"test-jobs-{uuid.uuid4().hex[:8]}"
    reached = asyncio.Event()

    async def stop_after_8(job: uuid.UUID, batches: int) -> None:
        if str(job) == job_id and batches >= 8:
            reached.set()

    first, _, task = await start_worker("worker-a", group, stop_after_8)
    try:
        await asyncio.wait_for(reached.wait(), 120)
    except TimeoutError:
        raise AssertionError(
            f"8 batches not reached in 120 s: {await job_state(engine, job_id)}; "
            f"consumer task done: {task.done()}"
        ) from None
    task.cancel()  # the worker stops: the batch in flight finishes and is checkpointed
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 60)
    first.hasher.close()

    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text("SELECT status, batches_done, lease_owner FROM sync_job WHERE id = :j"),
                {"j": job_id},
            )
        ).one()
    assert row.status == "running" and 8 <= row.batches_done < 30 and row.lease_owner is None
    pid = created["audience"]["platform_audience_id"]
    midway = await api.sandbox.members("meta", pid)
    assert midway["stats"]["accepted_batches"] == row.batches_done
    assert 0 < midway["count"] < 100_000

    second, consumer_b, task = await start_worker("worker-b", group)
    try:
        await until_done(engine, job_id)
    finally:
        await stop_consumer(consumer_b, task)
        second.hasher.close()

    job = await api.job(job_id)
    assert job["status"] == "completed", job
    assert job["profiles_sent"] == job["profiles_added"] == 100_000
    final = await api.sandbox.members("meta", pid)
    assert final["count"] == 100_000
    assert set(final["hashes"]) == expected_hashes("meta", ["email", "phone"], profiles)
    # Every batch the platform accepted was checkpointed once, none was sent twice.
    async with engine.connect() as conn:
        batches = await conn.scalar(
            sa.text("SELECT batches_done FROM sync_job WHERE id = :j"), {"j": job_id}
        )
    assert final["stats"]["accepted_batches"] == batches
    assert final["stats"]["received_rows"] == 100_000
    assert final["stats"]["duplicates"] == 0


async def until_done(engine: AsyncEngine, job_id: str, timeout: float = 120) -> None:
    """Wait for the job to complete or fail; a timeout reports the job's row."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await job_status(engine, job_id) not in ("completed", "failed"):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not done in {timeout} s: {await job_state(engine, job_id)}")
        await asyncio.sleep(0.2)


@pytest.mark.usefixtures("relay")
async def test_manual_sync_runs_on_the_worker_and_publishes_completed(
    api: Api, settings: Any, start_worker: Any, engine: AsyncEngine
) -> None:
    segment = await api.segment(profiles=make_profiles(0, 100))
    await api.connect("tiktok")
    created = await api.audience(segment["id"], "tiktok")
    await api.upsert(segment["id"], make_profiles(500, 25))
    events = AIOKafkaConsumer(
        "audience_sync.events",
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"test-events-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="latest",
    )
    await events.start()
    await events.getmany(timeout_ms=1000)  # join the group at the current end
    triggered = await api.post(f"{AS}/audiences/{created['audience']['id']}/sync", json={})
    assert triggered.status_code == 202
    job_id = triggered.json()["job_id"]
    worker, consumer, task = await start_worker("worker-c", f"test-jobs-{uuid.uuid4().hex[:8]}")
    try:
        await until_done(engine, job_id)
        found: dict[str, Any] | None = None
        deadline = asyncio.get_running_loop().time() + 30
        while found is None and asyncio.get_running_loop().time() < deadline:
            for records in (await events.getmany(timeout_ms=500)).values():
                for record in records:
                    body = orjson.loads(record.value or b"{}")
                    if body.get("data", {}).get("job_id") == job_id:
                        found = body
                        assert record.key == created["audience"]["id"].encode()
    finally:
        await stop_consumer(consumer, task)
        await events.stop()
        worker.hasher.close()
    assert found is not None
    assert found["type"] == "audience_sync.completed"
    assert found["data"]["profiles_added"] == 25  # profiles, each with an email and a phone
    assert found["data"]["profiles_sent"] == 25
    assert found["data"]["platform"] == "tiktok" and found["data"]["operation"] == "update"
    assert found["data"]["user_id"] == str(api.user_id)


async def test_cdp_profiles_feed_and_dead_letters(
    api: Api, app: FastAPI, settings: Any, producer: AIOKafkaProducer
) -> None:
    segment = await api.segment(profiles=make_profiles(0, 3))
    other_user = str(uuid.uuid4())
    topic = settings.cdp_profiles_topic

    def message(op: str, profile: dict[str, Any], user: str | None = None) -> bytes:
        return orjson.dumps(
            {
                "op": op,
                "user_id": user or str(api.user_id),
                "segment_id": segment["id"],
                "profile": profile,
            }
        )

    sent = [
        (b"c-10", message("upsert", {"external_id": "c-10", "email": "ten@example.com"})),
        (b"c-11", message("upsert", {"external_id": "c-11", "phone": "+44 20 7946 0958"})),
        (b"c-0", message("remove", {"external_id": "c-0"})),
        (b"c-10", message("upsert", {"external_id": "c-10", "first_name": "Ten"})),
        (b"bad", b"{not json"),
        (b"c-12", message("upsert", {"external_id": "c-12", "email": "no-at-sign"})),
        (b"c-13", message("upsert", {"external_id": "c-13"}, user=other_user)),
        (b"c-14", orjson.dumps({"op": "merge", "profile": {}})),
    ]
    for key, value in sent:
        await producer.send_and_wait(topic, value=value, key=key)
    dlq = AIOKafkaConsumer(
        f"{topic}.dlq",
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"test-dlq-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await dlq.start()
    consumer = ProfilesConsumer(
        settings=settings,
        sessionmaker=app.state.sessionmaker,
        producer=producer,
        group=f"test-cdp-{uuid.uuid4().hex[:8]}",
    )
    task = asyncio.create_task(consumer.run())

    async def applied() -> bool:
        detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
        return bool(detail["profile_count"] == 4 and detail["identifier_coverage"]["phone"] == 3)

    try:
        await wait_for(applied, 60)
    finally:
        await stop_consumer(consumer, task)
    reasons: dict[bytes, str] = {}
    deadline = asyncio.get_running_loop().time() + 20
    while len(reasons) < 4 and asyncio.get_running_loop().time() < deadline:
        for records in (await dlq.getmany(timeout_ms=500)).values():
            for record in records:
                headers = dict(record.headers)
                if (
                    record.key in (b"bad", b"c-12", b"c-13", b"c-14")
                    and headers.get("dlq_original_topic") == topic.encode()
                ):
                    reasons[record.key] = headers["dlq_error"].decode()
    await dlq.stop()
    assert set(reasons) == {b"bad", b"c-12", b"c-13", b"c-14"}
    assert "email is not a valid address" in reasons[b"c-12"]
    assert "no-at-sign" not in reasons[b"c-12"]
    assert "segment not found" in reasons[b"c-13"]
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert detail["profile_count"] == 4  # c-1, c-2, c-10, c-11
    assert detail["identifier_coverage"]["email"] == 3


async def test_scheduler_creates_one_job_per_due_audience_across_instances(
    api: Api, app: FastAPI, settings: Any, engine: AsyncEngine
) -> None:
    segment = await api.segment(profiles=make_profiles(0, 10))
    await api.connect("snapchat")
    created = await api.audience(segment["id"], "snapchat", sync_interval_hours=6)
    audience_id = created["audience"]["id"]
    detail = (await api.get(f"{AS}/audiences/{audience_id}")).json()
    assert detail["next_sync_at"] is not None
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE audience SET next_sync_at = now() - interval '1 minute' WHERE id = :a"),
            {"a": audience_id},
        )
    sessionmakers = [make_sessionmaker(engine) for _ in range(3)]
    await asyncio.gather(*(schedule_due(s, settings) for s in sessionmakers))
    jobs = await read_rows(
        engine,
        "SELECT triggered_by, status, operation FROM sync_job "
        "WHERE audience_id = :a ORDER BY created_at",
        a=audience_id,
    )
    [(outbox,)] = await read_rows(
        engine,
        "SELECT count(*) FROM outbox_event WHERE topic = :t AND key = :a "
        "AND event_type = 'audience_sync.job_requested'",
        t=JOBS_TOPIC,
        a=audience_id,
    )
    assert [tuple(j) for j in jobs] == [
        ("manual", "completed", "create"),
        ("scheduled", "pending", "update"),
    ]
    assert outbox == 1
    detail = (await api.get(f"{AS}/audiences/{audience_id}")).json()
    # the next run is one interval away again
    assert detail["next_sync_at"] > detail["last_sync_at"]

    # A job nobody picks up is requested again after requeue_after_seconds.
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE sync_job SET created_at = now() - interval '1 hour' "
                "WHERE audience_id = :a AND status = 'pending'"
            ),
            {"a": audience_id},
        )
    assert await requeue_stranded(make_sessionmaker(engine), settings) >= 1
    async with engine.connect() as conn:
        outbox = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM outbox_event WHERE topic = :t AND key = :a "
                "AND event_type = 'audience_sync.job_requested'"
            ),
            {"t": JOBS_TOPIC, "a": audience_id},
        )
    assert outbox == 2


async def test_the_worker_s_own_producer_and_hashing_processes_close_when_it_stops(
    settings: Any, engine: AsyncEngine, registry: PlatformRegistry
) -> None:
    """The producer and the hashing pool the worker's tasks share are closed with the worker
    (the producer was left open: asyncio reported an "Unclosed AIOKafkaProducer" at every
    stop)."""
    unclosed: list[str] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unclosed.append(context["message"]))
    try:
        ctx = WorkerContext(
            settings=settings, engine=engine, sessionmaker=make_sessionmaker(engine)
        )
        ctx.stopping.set()  # the scheduler builds what the tasks share, then returns
        tasks = {
            t.__name__: t
            for t in build_tasks(
                settings.model_copy(update={"hash_processes": 1}), registry=registry
            )
        }
        await tasks["scheduler"](ctx)
        assert len(ctx.closers) == 2  # the producer and the hashing pool
        await ctx.close()
        assert ctx.closers == []
        del tasks
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert not [m for m in unclosed if "Unclosed" in m], unclosed
