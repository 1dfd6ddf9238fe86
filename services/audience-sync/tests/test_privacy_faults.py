"""Erasure under faults and around it: export files holding the person answer 410, platform
rate limits and 5xx are retried with backoff and shown on the receipt, a worker killed
mid-erasure (SIGKILL, a real process) is finished by another run without a second removal
on the receipt, and ``cdp.profile_erased`` becomes a ``profile.erased`` webhook."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

import privacy_kit
import xw_kit as xw
from audience_sync.export.jobs import run_export
from audience_sync.platforms import PlatformRegistry
from audience_sync.privacy.eraser import Eraser
from kit import AS, Api, expected_hashes
from privacy_kit import PERSON, email_of, erase, make_eraser, receipt, two_segments

eraser = privacy_kit.eraser
single_registry = privacy_kit.single_registry
settle_erasure_jobs = privacy_kit.settle_erasure_jobs


async def test_export_files_holding_the_person_answer_410(
    caller: Any,
    client: Any,
    sandbox: Any,
    app: FastAPI,
    xw_settings: Any,
    single_registry: PlatformRegistry,
) -> None:
    api = Api(client, sandbox, user_id=caller.user_id)
    world = await two_segments(api)
    export = await caller.post(
        f"{AS}/audiences/export", json={"segment_id": world.segment_b["id"], "format": "csv"}
    )
    assert export.status_code == 202, export.text
    export_id = uuid.UUID(export.json()["export_id"])
    assert await run_export(app.state.sessionmaker, export_id, settings=xw_settings) == "completed"
    url = (await caller.get(f"{AS}/exports/{export_id}")).json()["download_url"]
    link = url.removeprefix(xw.PUBLIC_BASE)
    assert (await caller.anonymous_get(link)).status_code == 200
    untouched = await caller.post(
        f"{AS}/audiences/export", json={"segment_id": world.segment_a["id"], "format": "csv"}
    )
    other_id = uuid.UUID(untouched.json()["export_id"])
    await run_export(app.state.sessionmaker, other_id, settings=xw_settings)
    async with app.state.engine.connect() as conn:
        name = await conn.scalar(
            sa.text("SELECT file_name FROM segment_export WHERE id = :e"), {"e": export_id}
        )
    path = Path(xw_settings.export_dir) / name

    worker = make_eraser(app, xw_settings, single_registry, "eraser:exports")
    accepted = await erase(api, external_id=f"c-{PERSON + 100}")  # in segment B only
    assert await worker.run(uuid.UUID(accepted["erasure_id"])) == "completed"

    assert (await receipt(api, accepted["erasure_id"]))["deleted"]["exports_revoked"] == 1
    assert not path.exists()
    gone = await caller.anonymous_get(link)
    assert gone.status_code == 410, gone.text
    assert (await caller.get(f"{AS}/exports/{export_id}")).json()["download_url"] is None
    still = (await caller.get(f"{AS}/exports/{other_id}")).json()["download_url"]
    assert (await caller.anonymous_get(still.removeprefix(xw.PUBLIC_BASE))).status_code == 200


async def test_rate_limits_and_5xx_are_retried_and_shown_on_the_receipt(
    api: Api, eraser: Eraser
) -> None:
    world = await two_segments(api)
    await api.sandbox.fault("meta", "rate_limit", count=1, path_contains="/users")
    await api.sandbox.fault("meta", "server_error", count=1, path_contains="/users")
    await api.sandbox.fault("google", "server_error", count=2, path_contains="remove")
    accepted = await erase(api, external_id=f"c-{PERSON}")
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "completed"
    body = await receipt(api, accepted["erasure_id"])
    audiences = {a["platform"]: a for a in body["audiences"]}
    meta, google = audiences["meta"], audiences["google"]
    assert meta["status"] == "completed" and meta["attempts"] == 3 and meta["retries"] == 2
    assert [a["outcome"] for a in meta["answers"]] == ["error", "error", "ok"]
    throttled, broken = meta["answers"][0]["platform_answer"], meta["answers"][1]["platform_answer"]
    assert throttled["platform_error_code"] in (4, 17, 613, 80003)  # Meta's throttling codes
    assert "retry_after" in throttled
    assert broken["http_status"] >= 500
    assert google["status"] == "completed" and google["attempts"] == 3
    assert [a["attempt"] for a in google["answers"]] == [1, 2, 3]
    hashes = await api.sandbox.hashes("meta", world.meta["platform_audience_id"])
    assert hashes == expected_hashes("meta", ["email", "phone"], world.others_a)


async def test_a_platform_that_keeps_failing_fails_the_erasure_with_its_reason(
    api: Api, eraser: Eraser, engine: AsyncEngine
) -> None:
    await two_segments(api)
    await api.sandbox.fault("google", "server_error", count=50, path_contains="remove")
    accepted = await erase(api, external_id=f"c-{PERSON}")
    assert await eraser.run(uuid.UUID(accepted["erasure_id"])) == "failed"
    await api.sandbox.client.delete("/_admin/faults")
    body = await receipt(api, accepted["erasure_id"])
    assert body["status"] == "failed"
    assert body["failure_reason"] == "1 platform audience(s) could not remove the person"
    audiences = {a["platform"]: a for a in body["audiences"]}
    assert audiences["meta"]["status"] == "completed"
    assert audiences["google"]["status"] == "failed"
    assert audiences["google"]["attempts"] == eraser.settings.erasure_max_attempts
    events = await privacy_kit.outbox_events(engine, "cdp.profile_erased", accepted["erasure_id"])
    assert len(events) == 1 and events[0]["data"]["status"] == "failed"
    # A new request for the same person is a new erasure (the failed one is not reused).
    again = await erase(api, external_id=f"c-{PERSON}")
    assert again["created"] is True and again["erasure_id"] != accepted["erasure_id"]


@pytest.fixture
async def sandbox_url(sandbox_app: Any) -> Any:
    """The in-process sandbox served over HTTP, for a worker in another process."""
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            sandbox_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(400):
        if server.started:
            break
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_sigkill_mid_erasure_is_finished_by_another_run_counted_once(
    api: Api, app: FastAPI, settings: Any, single_registry: PlatformRegistry, sandbox_url: str
) -> None:
    world = await two_segments(api)
    accepted = await erase(api, email=email_of(PERSON))
    erasure_id = uuid.UUID(accepted["erasure_id"])
    # Removals hang on both platforms: the child is killed with its requests in flight.
    for platform, path in (("meta", "/users"), ("google", "remove")):
        await api.sandbox.fault(platform, "latency", count=1, latency_ms=8_000, path_contains=path)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).parent / "erasure_child.py"),
        env={
            **os.environ,
            "CHILD_DATABASE_URL": settings.database_url,
            "CHILD_ENCRYPTION_KEY": settings.encryption_keys.get_secret_value(),
            "CHILD_SANDBOX": sandbox_url,
            "CHILD_ERASURE": str(erasure_id),
        },
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    line = await asyncio.wait_for(child.stdout.readline(), 300)
    assert line.strip() == b"PLANNED"
    await asyncio.sleep(1.0)
    os.kill(child.pid, signal.SIGKILL)
    assert await child.wait() == -signal.SIGKILL

    halfway = await receipt(api, str(erasure_id))
    assert halfway["status"] == "running" and halfway["matched"]["profiles"] == 2
    assert {a["status"] for a in halfway["audiences"]} == {"pending"}
    assert all(a["attempts"] == 0 for a in halfway["audiences"])

    await api.sandbox.client.delete("/_admin/faults")
    second = make_eraser(app, settings, single_registry, "eraser:second")
    assert await asyncio.wait_for(second.run(erasure_id), 300) == "completed"
    body = await receipt(api, str(erasure_id))
    assert body["matched"]["profiles"] == 2 and body["deleted"]["profiles"] == 2
    for audience in body["audiences"]:
        assert audience["status"] == "completed"
        assert audience["attempts"] == 1 and len(audience["answers"]) == 1
    meta = await api.sandbox.hashes("meta", world.meta["platform_audience_id"])
    assert meta == expected_hashes("meta", ["email", "phone"], world.others_a)
    google = await api.sandbox.hashes("google", world.google["platform_audience_id"])
    assert google == expected_hashes("google", ["email", "phone"], world.others_b)
