"""Sync and platform-call metrics move when syncs run: read back from audience-sync's own
``/metrics`` with prometheus-client's parser, against the sandbox and real PostgreSQL."""

from __future__ import annotations

import uuid

from adscale_common.metrics_testing import metric_value
from audience_sync.sync.engine import SyncEngine
from kit import AS, Api, make_profiles


async def scrape(api: Api) -> str:
    response = await api.get("/metrics")
    assert response.status_code == 200
    return response.text


def delta(before: str, after: str, name: str, **labels: str) -> float:
    return metric_value(after, name, **labels) - metric_value(before, name, **labels)


async def test_completed_and_failed_syncs_platform_calls_and_errors(
    api: Api, sync_engine: SyncEngine
) -> None:
    before = await scrape(api)
    segment = await api.segment(profiles=make_profiles(0, 40))
    await api.connect("tiktok")
    created = await api.audience(segment["id"], "tiktok")
    assert created["initial_sync"]["status"] == "completed"
    completed = await scrape(api)

    jobs = "adscale_sync_jobs_total"
    assert delta(before, completed, jobs, platform="tiktok", status="completed") == 1
    assert delta(before, completed, "adscale_sync_profiles_sent_total", platform="tiktok") >= 40
    duration = "adscale_sync_duration_seconds_count"
    assert delta(before, completed, duration, platform="tiktok") == 1
    calls = "adscale_platform_api_calls_total"
    assert delta(before, completed, calls, platform="tiktok", status="200") >= 2
    latency = "adscale_platform_api_call_duration_seconds_count"
    assert delta(before, completed, latency, platform="tiktok") >= 2

    await api.upsert(segment["id"], make_profiles(100, 5))
    response = await api.post(
        f"{AS}/audiences/{created['audience']['id']}/sync", json={"operation": "update"}
    )
    assert response.status_code == 202, response.text
    await api.sandbox.fault("tiktok", "permission", count=5)
    assert await sync_engine.run(uuid.UUID(response.json()["job_id"])) == "failed"
    failed = await scrape(api)

    assert delta(completed, failed, jobs, platform="tiktok", status="failed") == 1
    errors = "adscale_platform_api_errors_total"
    assert delta(completed, failed, errors, platform="tiktok", code="40001") >= 1
