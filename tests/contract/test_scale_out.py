"""Two instances of every API process and worker (``make up SCALE=2``), through the gateway.

* a sync job is run by one worker only (the workers share the jobs topic's consumer group
  and the job leases): one completed run per job summed over both workers' metrics, and
  the sandbox accepted every batch once;
* SIGKILL of the worker running a 200,000-profile sync: the other worker finishes it and
  the audience holds exactly the segment, every row received once: the batches in flight
  at the kill (accepted, not yet checkpointed: at most one per send lane) come again under
  the batch id they had and the sandbox answers them without applying them;
* SIGKILL of an API instance under steady requests: the gateway routes around it with no
  failed request at all: what the dead instance refused or dropped, the gateway sent to
  the other one (the count is printed).

The module moves the stack to two instances and back to one at the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.contract.conftest import User

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp
from cdp_kit import AS, SEGMENTS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import stack as native  # noqa: E402

WORKERS = ("audience-sync-worker", "audience-sync-worker.2")
BIG = 200_000
META_BATCH = 10_000  # Meta's rows per request (services/audience-sync/README.md)
SEND_LANES = 3  # AUDIENCE_SYNC_SEND_CONCURRENCY's default


def _stack(*args: str) -> None:
    code = subprocess.call([sys.executable, str(ROOT / "deploy" / "stack.py"), *args], cwd=ROOT)
    assert code == 0, f"stack.py {' '.join(args)} failed"


def _rotation() -> str:
    """The ``gateway rotation:`` line of ``make status``."""
    shown = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "stack.py"), "status"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in shown.splitlines() if line.startswith("gateway rotation: ")]
    assert lines, shown
    return lines[0]


@pytest.fixture(scope="module")
def scaled(stack: str) -> Iterator[str]:
    _stack("up", "--scale", "2")
    yield stack
    _stack("up", "--scale", "1")


@pytest.fixture
async def sandbox() -> AsyncIterator[cdp.Sandbox]:
    async with httpx.AsyncClient(base_url=cdp.SANDBOX, timeout=60) as client:
        yield cdp.Sandbox(client)


def _metrics_port(worker: str) -> int:
    index = 1 if worker.endswith(".2") else 0
    return native.instance_port(native.WORKER_METRICS_PORTS["audience-sync"], index)


async def completed_runs() -> dict[str, float]:
    """``adscale_sync_jobs_total{status="completed"}`` of each audience-sync worker (a
    worker just started may take a few seconds to serve its metrics)."""
    out: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for worker in WORKERS:
            url = f"http://127.0.0.1:{_metrics_port(worker)}/metrics"
            deadline = time.monotonic() + 60
            while True:
                try:
                    text = (await client.get(url)).text
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline, f"{worker} serves no metrics"
                    await asyncio.sleep(0.5)
            out[worker] = sum(
                s.value
                for family in text_string_to_metric_families(text)
                if family.name == "adscale_sync_jobs"
                for s in family.samples
                if s.name.endswith("_total") and s.labels.get("status") == "completed"
            )
    return out


async def gateway_retries() -> float:
    """``adscale_gateway_upstream_retries_total`` for campaigns, any reason."""
    url = f"http://127.0.0.1:{native.GATEWAY_METRICS_PORT}/metrics"
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(url)).text
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        if family.name == "adscale_gateway_upstream_retries"
        for s in family.samples
        if s.name.endswith("_total") and s.labels.get("upstream") == "campaigns"
    )


async def fill(api: httpx.AsyncClient, user: User, segment_id: str, count: int) -> None:
    """``count`` profiles, 10,000 a request (the endpoint's maximum), a few at a time."""
    sem = asyncio.Semaphore(3)

    async def chunk(start: int) -> None:
        async with sem:
            rows = cdp.profiles(start, min(10_000, count - start))
            response = await api.post(
                f"{SEGMENTS}/{segment_id}/profiles",
                json={"profiles": rows},
                headers=user.headers,
                timeout=120,
            )
            assert response.status_code == 200, response.text

    await asyncio.gather(*(chunk(s) for s in range(0, count, 10_000)))


async def member_stats(sandbox: cdp.Sandbox, platform_id: str) -> dict[str, Any]:
    """The sandbox's figures for a Meta audience (count, stats.received_rows, duplicates)."""
    response = await sandbox.client.get(f"/_admin/audiences/meta/{platform_id}/members")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def repeats_of(sandbox: cdp.Sandbox, platform_id: str) -> list[str]:
    """The Meta batches (``session_id/batch_seq``) the sandbox answered as repeats of one it
    had applied, for this audience (its member request log, newest first)."""
    response = await sandbox.client.get("/_admin/requests/meta", params={"limit": 10_000})
    assert response.status_code == 200, response.text
    return [
        r["repeat_of"]
        for r in response.json()["requests"]
        if r.get("audience_id") == platform_id and "repeat_of" in r
    ]


async def lease_owner_pid(job_id: str) -> int | None:
    """The pid of the worker holding the job's lease (``worker:<host>:<pid>:<tag>``)."""
    url = native.stack_env(native.base_env())["AUDIENCE_SYNC_DATABASE_URL"]
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        owner = await conn.fetchval(
            "SELECT lease_owner FROM sync_job WHERE id = $1::uuid AND status = 'running'", job_id
        )
    finally:
        await conn.close()
    return int(owner.split(":")[2]) if owner else None


async def test_each_sync_job_is_run_by_one_worker_only(
    scaled: str, api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    before = await completed_runs()
    connection = await cdp.connect(api, user.headers, "meta")
    # Above the inline maximum (10,000): the initial syncs are queued for the workers.
    jobs: list[tuple[str, str]] = []
    for n in range(4):
        segment_id = await cdp.new_segment(api, user, [])
        await fill(api, user, segment_id, 12_000 + n)
        response = await cdp.create(api, user.headers, segment_id, "meta", connection.account)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["initial_sync"]["status"] in ("pending", "running"), body
        jobs.append((body["audience"]["platform_audience_id"], body["initial_sync"]["job_id"]))
    for n, (platform_id, job_id) in enumerate(jobs):
        job = await cdp.finished(api, user.headers, job_id, seconds=240)
        assert job["status"] == "completed", job
        stats = await member_stats(sandbox, platform_id)
        assert stats["count"] == 12_000 + n
        # Every profile's row reached the platform once: no batch was accepted twice.
        assert stats["stats"]["received_rows"] == 12_000 + n, stats
        assert stats["stats"]["duplicates"] == 0, stats
    after = await completed_runs()
    runs = {w: after[w] - before[w] for w in WORKERS}
    assert sum(runs.values()) == len(jobs), runs


async def test_a_killed_worker_s_sync_is_finished_by_the_other_with_no_batch_applied_twice(
    scaled: str, api: httpx.AsyncClient, user: User, sandbox: cdp.Sandbox
) -> None:
    connection = await cdp.connect(api, user.headers, "meta")
    segment_id = await cdp.new_segment(api, user, [])
    audience = (await cdp.created(api, user.headers, segment_id, "meta", connection.account))[
        "audience"
    ]
    await fill(api, user, segment_id, BIG)
    platform_id = audience["platform_audience_id"]
    # Slow the platform down (each batch waits 400 ms) so the kill lands mid-send.
    await sandbox.fault("meta", "latency", platform_id, count=BIG // META_BATCH, latency_ms=400)
    queued = await api.post(
        f"{AS}/audiences/{audience['id']}/sync", json={"operation": "update"}, headers=user.headers
    )
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["job_id"]

    # Kill the worker holding the lease once the platform has accepted a batch or more.
    deadline = time.monotonic() + 240
    while True:
        job = await cdp.job_of(api, user.headers, job_id)
        pid = await lease_owner_pid(job_id)
        received = await member_stats(sandbox, platform_id)
        if pid and received["stats"]["received_rows"] >= META_BATCH:
            break
        assert job["status"] in ("pending", "running"), job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)
    sent_at_kill = received["stats"]["received_rows"]
    victims = {w: native.pid_of(w) for w in WORKERS}
    assert pid in victims.values(), (pid, victims)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    try:
        job = await cdp.finished(api, user.headers, job_id, seconds=300)
        took = time.monotonic() - killed_at
        print(f"\nkilled at {sent_at_kill} profiles sent; the other worker finished in {took:.1f}s")
        assert job["status"] == "completed", job
        assert sent_at_kill < BIG, "the kill came after the send"
        members = await member_stats(sandbox, platform_id)
        # The batches in flight at the kill (accepted by the platform, not yet checkpointed:
        # at most one per send lane) are sent again by the other worker under the same
        # session id, and the sandbox answers them without applying them: no row twice.
        repeats = await repeats_of(sandbox, platform_id)
        print(f"batches sent again and answered as repeats: {len(repeats)}")
        assert len(repeats) <= SEND_LANES, repeats
        assert members["stats"]["duplicates"] == 0, members["stats"]
        assert members["stats"]["received_rows"] == BIG, members["stats"]
        held = await sandbox.client.get(
            f"/_admin/audiences/meta/{platform_id}/members",
            params={"include_hashes": "true", "limit": 4 * BIG},
        )
        expected = cdp.hashes("meta", cdp.profiles(0, BIG), ["email", "phone"])
        assert set(held.json()["hashes"]) == expected
    finally:
        _stack("up", "--scale", "2")  # the killed worker back


async def test_a_killed_api_instance_is_routed_around(
    scaled: str, api: httpx.AsyncClient, user: User
) -> None:
    victim = native.pid_of("campaigns.2")
    assert victim is not None
    assert "campaigns 2/2," in _rotation()
    statuses: list[tuple[float, int]] = []
    stop = asyncio.Event()

    async def steady() -> None:
        while not stop.is_set():
            response = await api.get("/campaigns", headers=user.headers)
            statuses.append((time.monotonic(), response.status_code))
            await asyncio.sleep(0.05)

    retried = await gateway_retries()
    clients = [asyncio.create_task(steady()) for _ in range(2)]
    try:
        await asyncio.sleep(2)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        await asyncio.sleep(8)
        # `make status` names the instance the gateway took out of its rotation.
        second = f"127.0.0.1:{native.instance_port(native.SERVICES['campaigns'][2], 1)}"
        assert f"campaigns 1/2 ({second} ejected)" in _rotation()
    finally:
        stop.set()
        await asyncio.gather(*clients)
        _stack("up", "--scale", "2")
    before = [s for t, s in statuses if t < killed_at]
    after = [(t - killed_at, s) for t, s in statuses if t >= killed_at]
    assert before and all(s == 200 for s in before), before
    failures = [(round(t, 2), s) for t, s in after if s != 200]
    sent_again = await gateway_retries() - retried
    print(
        f"\nAPI instance killed: {len(after)} requests after, {len(failures)} failed; "
        f"{sent_again:.0f} sent to the other instance by the gateway"
    )
    # The requests the killed instance dropped or refused went to the other one (GETs are
    # idempotent); the instance left the rotation at its first refusal.
    assert failures == [], failures
    assert sent_again >= 1
    assert sum(1 for t, s in after if t > 2.5 and s == 200) > 20
