"""The worker's periodic tasks (metrics sync, scheduled rules): a failed run is logged and
the next one comes on time; the task ends when the worker stops."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from adscale_common.db import make_sessionmaker
from adscale_common.worker import WorkerContext
from campaigns import worker
from kit import settings_for


@pytest.mark.parametrize(
    ("task", "interval", "failed"),
    [
        (worker.metrics_sync, "metrics_sync_interval_seconds", "metrics sync failed"),
        (worker.scheduled_rules, "rules_tick_seconds", "scheduled rules failed"),
    ],
)
async def test_a_failed_run_is_logged_the_next_comes_and_the_task_stops_with_the_worker(
    database_url: str, caplog: pytest.LogCaptureFixture, task, interval: str, failed: str
):
    # A database PostgreSQL does not have: every run fails on connect.
    missing = make_url(database_url).set(database="adscale_no_such_database")
    engine = create_async_engine(missing)
    settings = settings_for(database_url, **{interval: 0.05})
    ctx = WorkerContext(settings=settings, engine=engine, sessionmaker=make_sessionmaker(engine))
    caplog.set_level(logging.ERROR, logger="campaigns.worker")
    running = asyncio.create_task(task(ctx))
    try:
        deadline = time.monotonic() + 10
        while [r.getMessage() for r in caplog.records].count(failed) < 2:
            assert time.monotonic() < deadline, "no second failed run logged"
            assert not running.done(), running
            await asyncio.sleep(0.05)
        ctx.stopping.set()
        await asyncio.wait_for(running, 5)
    finally:
        running.cancel()
        await engine.dispose()
    assert all(r.exc_info for r in caplog.records if r.getMessage() == failed)
