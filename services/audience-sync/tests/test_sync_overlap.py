"""An audience's first send with hashing and sending overlapped (``sync/overlap.py``):
batches go out while the segment is still being hashed, the answers are those of a send
after the hashing, and a job stopped in the middle of that phase resumes to the exact
member set without any batch accepted twice."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from audience_sync.platforms import PlatformRegistry
from audience_sync.sync.engine import SyncEngine
from audience_sync.sync.hashing import Hasher
from kit import SANDBOX, Api, expected_hashes, make_profiles, platform_settings

FIELDS = ["email", "phone"]
PROFILES = 40_000
# Small chunks and batches: the hash step takes many chunks, each lane many batches.
CHUNK_ROWS = 250
BATCH_ROWS = 1_000

Hook = Callable[[uuid.UUID, int], Awaitable[None]]


@pytest.fixture(scope="module")
async def small_batches(sandbox_app: Any) -> AsyncIterator[PlatformRegistry]:
    """Meta clients sending 1,000 rows a request (to the same sandbox)."""
    settings = platform_settings(SANDBOX).model_copy(update={"meta_batch_max_rows": BATCH_ROWS})
    registry = PlatformRegistry(settings, transport=httpx.ASGITransport(app=sandbox_app))
    yield registry
    await registry.aclose()


@pytest.fixture
def make_engine(
    app: FastAPI, settings: Any, small_batches: PlatformRegistry
) -> AsyncIterator[Callable[..., SyncEngine]]:
    hashers: list[Hasher] = []

    def make(owner: str, hook: Hook | None, overlap: bool = True) -> SyncEngine:
        hashers.append(Hasher(0))
        engine = SyncEngine(
            engine=app.state.engine,
            sessionmaker=make_sessionmaker(app.state.engine),
            registry=small_batches,
            cipher=app.state.cipher,
            settings=settings.model_copy(
                update={"hash_chunk_rows": CHUNK_ROWS, "overlap_hashing": overlap}
            ),
            hasher=hashers[-1],
            owner=owner,
        )
        if hook is not None:
            engine.after_checkpoint = hook
        return engine

    yield make  # type: ignore[misc]
    for hasher in hashers:
        hasher.close()


async def pending_audience(api: Api, segment_id: str) -> tuple[str, str]:
    """A Meta audience of the segment whose initial sync waits for a worker: (job id,
    platform audience id)."""
    created = await api.audience(segment_id, "meta")
    assert created["initial_sync"]["status"] == "pending", created
    return created["initial_sync"]["job_id"], created["audience"]["platform_audience_id"]


async def hashing_done(engine: AsyncEngine, segment_id: str) -> bool:
    """Whether the segment's hash step for Meta has finished (its digest mark is set when
    the hash step's transaction commits)."""
    async with engine.connect() as conn:
        found = await conn.scalar(
            sa.text("SELECT 1 FROM digest_mark WHERE segment_id = :s AND platform = 'meta'"),
            {"s": segment_id},
        )
    return found is not None


async def digests(engine: AsyncEngine, segment_id: str) -> int:
    async with engine.connect() as conn:
        return int(
            await conn.scalar(
                sa.text(
                    "SELECT count(*) FROM profile_digest WHERE segment_id = :s "
                    "AND platform = 'meta'"
                ),
                {"s": segment_id},
            )
            or 0
        )


async def batches_done(engine: AsyncEngine, job_id: str) -> int:
    async with engine.connect() as conn:
        return int(
            await conn.scalar(
                sa.text("SELECT batches_done FROM sync_job WHERE id = :j"), {"j": job_id}
            )
        )


async def test_first_send_overlaps_hashing_with_the_same_answers(
    api: Api, engine: AsyncEngine, make_engine: Callable[..., SyncEngine]
) -> None:
    profiles = make_profiles(0, PROFILES)
    segment = await api.segment(profiles=profiles)
    await api.connect("meta")
    job_id, pid = await pending_audience(api, segment["id"])
    # Digests found in the table at each checkpoint, until the hash step committed.
    seen: list[int] = []

    async def record(job: uuid.UUID, batches: int) -> None:
        if str(job) == job_id and not await hashing_done(engine, segment["id"]):
            seen.append(await digests(engine, segment["id"]))

    assert await make_engine("worker:overlap", record).run(uuid.UUID(job_id)) == "completed"
    # Batches were accepted while the hash step had committed only part of the segment.
    assert seen and min(seen) < PROFILES, seen
    first = await api.job(job_id)
    assert first["profiles_sent"] == first["profiles_added"] == PROFILES, first
    assert first["profiles_failed"] == 0
    assert first["identifier_counts"]["email"]["sent"] == PROFILES
    assert first["identifier_counts"]["phone"]["sent"] == PROFILES
    members = await api.sandbox.members("meta", pid)
    assert members["count"] == PROFILES
    assert set(members["hashes"]) == expected_hashes("meta", FIELDS, profiles)
    assert members["stats"]["received_rows"] == PROFILES
    assert members["stats"]["duplicates"] == 0
    assert members["stats"]["accepted_batches"] == await batches_done(engine, job_id)

    # A second audience of the same segment: nothing is stale, every profile is read from
    # the digests at once. The same answers.
    again_id, again_pid = await pending_audience(api, segment["id"])
    assert await make_engine("worker:overlap-2", None).run(uuid.UUID(again_id)) == "completed"
    second = await api.job(again_id)
    for key in ("profiles_sent", "profiles_added", "profiles_failed", "identifier_counts"):
        assert second[key] == first[key], key
    again = await api.sandbox.members("meta", again_pid)
    assert set(again["hashes"]) == set(members["hashes"])
    assert again["stats"]["received_rows"] == PROFILES
    assert again["stats"]["accepted_batches"] == members["stats"]["accepted_batches"]

    # The same profiles in another segment, hashed whole before the send (overlap off):
    # the same answers, in as many batches.
    other = await api.segment(name="Same people", profiles=profiles)
    apart_id, apart_pid = await pending_audience(api, other["id"])
    assert await make_engine("worker:apart", None, False).run(uuid.UUID(apart_id)) == "completed"
    apart = await api.job(apart_id)
    for key in ("profiles_sent", "profiles_added", "profiles_failed", "identifier_counts"):
        assert apart[key] == first[key], key
    assert apart["match_rate"] == first["match_rate"]
    whole = await api.sandbox.members("meta", apart_pid)
    assert set(whole["hashes"]) == set(members["hashes"])
    assert whole["stats"]["accepted_batches"] == members["stats"]["accepted_batches"]


async def test_job_stopped_while_hashing_and_sending_resumes_exactly(
    api: Api, engine: AsyncEngine, make_engine: Callable[..., SyncEngine]
) -> None:
    profiles = make_profiles(0, PROFILES, tag="stop")
    segment = await api.segment(profiles=profiles)
    await api.connect("meta")
    job_id, pid = await pending_audience(api, segment["id"])
    reached, release = asyncio.Event(), asyncio.Event()

    async def hold_after_2(job: uuid.UUID, batches: int) -> None:
        # The first checkpoint from the second batch on, with the hash step unfinished,
        # holds its lane until the test has stopped the job.
        if str(job) != job_id or batches < 2 or reached.is_set():
            return
        if not await hashing_done(engine, segment["id"]):
            reached.set()
            await release.wait()

    task = asyncio.create_task(make_engine("worker:a", hold_after_2).run(uuid.UUID(job_id)))
    await asyncio.wait_for(reached.wait(), 120)
    task.cancel()  # the worker stops: batches in flight finish and are checkpointed
    release.set()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 60)

    # Stopped in the overlapped phase: part of the segment hashed, some batches accepted,
    # each one recorded.
    assert not await hashing_done(engine, segment["id"])
    assert 0 < await digests(engine, segment["id"]) < PROFILES
    state = await api.job(job_id)
    assert state["status"] == "running", state
    done = await batches_done(engine, job_id)
    assert done >= 2
    midway = await api.sandbox.members("meta", pid)
    assert midway["stats"]["accepted_batches"] == done
    assert 0 < midway["count"] < PROFILES
    assert state["profiles_added"] == midway["count"]

    assert await make_engine("worker:b", None).run(uuid.UUID(job_id)) == "completed"
    job = await api.job(job_id)
    assert job["profiles_sent"] == job["profiles_added"] == PROFILES, job
    assert job["identifier_counts"]["email"]["sent"] == PROFILES
    final = await api.sandbox.members("meta", pid)
    assert final["count"] == PROFILES
    assert set(final["hashes"]) == expected_hashes("meta", FIELDS, profiles)
    # No batch accepted twice, no profile sent twice.
    assert final["stats"]["accepted_batches"] == await batches_done(engine, job_id)
    assert final["stats"]["received_rows"] == PROFILES
    assert final["stats"]["duplicates"] == 0


async def test_first_send_of_a_segment_with_digests_hashes_only_what_changed(
    api: Api, engine: AsyncEngine, make_engine: Callable[..., SyncEngine]
) -> None:
    """The probe-free read is for a segment's first hash on a platform only: once it has
    digests, a new audience's overlapped send re-hashes exactly the changed profiles."""
    count = 12_000  # above the inline initial-sync limit: a worker runs it
    profiles = make_profiles(0, count, tag="probe")
    segment = await api.segment(profiles=profiles)
    await api.connect("meta")
    first_id, _ = await pending_audience(api, segment["id"])
    assert await make_engine("worker:probe-1", None).run(uuid.UUID(first_id)) == "completed"
    assert await digests(engine, segment["id"]) == count

    # 100 people get a new phone: their digests are stale, the others' are current.
    changed = [{**p, "phone": f"+1 (212) 555-{i:04d}"} for i, p in enumerate(profiles[:100])]
    await api.upsert(segment["id"], changed)
    current = changed + profiles[100:]
    second_id, second_pid = await pending_audience(api, segment["id"])
    assert await make_engine("worker:probe-2", None).run(uuid.UUID(second_id)) == "completed"
    job = await api.job(second_id)
    assert job["profiles_sent"] == job["profiles_added"] == count, job
    members = await api.sandbox.members("meta", second_pid)
    assert members["count"] == count
    assert set(members["hashes"]) == expected_hashes("meta", FIELDS, current)
    assert await digests(engine, segment["id"]) == count  # replaced, not added beside


async def test_refused_profiles_are_counted_alike_when_hashing_overlaps(
    api: Api, make_engine: Callable[..., SyncEngine]
) -> None:
    """Profiles Meta cannot take, spread over every chunk of an overlapped first send (an
    email its normalizer refuses and nothing else: failed; the same beside a phone:
    invalid, sent): the job reports them as a send after the whole hashing does."""
    count = 12_000  # above the inline sync's limit: a worker's job
    profiles = make_profiles(0, count)
    for i, profile in enumerate(profiles):
        if i % 97 == 5:  # stored (it looks like an address), refused by Meta
            profile["email"] = f"u{i}@.example.com"
            del profile["phone"]
        elif i % 89 == 3:
            profile["email"] = f"h{i}@.example.com"
    unusable = sum(1 for i in range(count) if i % 97 == 5)
    half = sum(1 for i in range(count) if i % 97 != 5 and i % 89 == 3)
    await api.connect("meta")
    jobs = []
    for overlap in (True, False):
        segment = await api.segment(name=f"Refused {overlap}", profiles=profiles)
        job_id, _ = await pending_audience(api, segment["id"])
        engine = make_engine(f"worker:refused-{overlap}", None, overlap)
        assert await engine.run(uuid.UUID(job_id)) == "completed"
        jobs.append(await api.job(job_id))
    overlapped, apart = jobs
    assert overlapped["profiles_failed"] == unusable
    assert overlapped["profiles_invalid"] == unusable + half
    assert overlapped["profiles_sent"] == count - unusable
    assert overlapped["identifier_counts"] == {
        "email": {"sent": count - unusable - half, "invalid": unusable + half},
        "phone": {"sent": count - unusable, "invalid": 0},
    }
    assert len(overlapped["invalid_samples"]) == 10
    for key in (
        "profiles_sent",
        "profiles_failed",
        "profiles_invalid",
        "invalid_samples",
        "identifier_counts",
    ):
        assert overlapped[key] == apart[key], key
