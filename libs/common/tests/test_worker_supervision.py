"""A worker task that crashes is started again: with a growing pause while it keeps
crashing, from 1 s again once it had run well for a while; a crash caused by a dependency
out of reach (PostgreSQL restarting) is a warning naming the error, any other an error
with its traceback. A periodic tick is logged the same way."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable

import pytest
from pydantic_settings import SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common import worker as worker_module
from adscale_common.settings import ServiceSettings
from adscale_common.testing import InfraUrls
from adscale_common.worker import WorkerContext, repeat, run_worker

pytestmark = pytest.mark.kafka


class _Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WORKERSUPERVISION_")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _PostgresShuttingDown(Exception):
    """What asyncpg raises while the server shuts down (SQLSTATE 57P01)."""

    sqlstate = "57P01"


async def _run(
    engine_a: AsyncEngine,
    adscale_infra: InfraUrls,
    unique_name: str,
    task: Callable[[WorkerContext], Awaitable[None]],
    until: asyncio.Event,
) -> list[logging.LogRecord]:
    settings = _Settings(
        database_url=engine_a.url.render_as_string(hide_password=False),
        kafka_bootstrap=adscale_infra.kafka_bootstrap,
        worker_metrics_port=0,
        log_json=False,
    )
    seen = _Records()
    log = logging.getLogger("adscale_common.worker")
    log.addHandler(seen)
    try:
        running = asyncio.create_task(run_worker(settings, service=unique_name, tasks=[task]))
        await asyncio.wait_for(until.wait(), 30)
        os.kill(os.getpid(), signal.SIGTERM)  # the worker's own handler: a clean stop
        await asyncio.wait_for(running, 30)
    finally:
        log.removeHandler(seen)
    return [r for r in seen.records if r.getMessage() != "closing a worker resource failed"]


async def test_a_lost_dependency_is_a_warning_a_bug_an_error_and_both_restart(
    engine_a: AsyncEngine, adscale_infra: InfraUrls, unique_name: str
) -> None:
    runs = 0
    third = asyncio.Event()

    async def flaky(ctx: WorkerContext) -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            try:
                raise ConnectionRefusedError(111, "Connect call failed")
            except ConnectionRefusedError as exc:
                raise RuntimeError("could not reach the database") from exc
        if runs == 2:
            raise ValueError("a bug")
        third.set()
        await ctx.stopping.wait()

    records = await _run(engine_a, adscale_infra, unique_name, flaky, third)
    assert runs == 3
    lost, crashed = records
    assert (lost.levelno, lost.getMessage()) == (
        logging.WARNING,
        "worker task lost a dependency; restarting",
    )
    assert lost.exc_info is None and "could not reach the database" in lost.error  # type: ignore[attr-defined]
    assert (lost.task, lost.restart_in_seconds) == ("flaky", 1.0)  # type: ignore[attr-defined]
    assert (crashed.levelno, crashed.getMessage()) == (
        logging.ERROR,
        "worker task crashed; restarting",
    )
    assert crashed.exc_info is not None and crashed.exc_info[0] is ValueError
    assert crashed.restart_in_seconds == 2.0  # type: ignore[attr-defined]


async def test_the_restart_pause_starts_over_after_a_run_that_went_well(
    engine_a: AsyncEngine,
    adscale_infra: InfraUrls,
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(worker_module, "HEALTHY_RUN_SECONDS", 0.5)
    runs = 0
    fifth = asyncio.Event()

    async def crashes(ctx: WorkerContext) -> None:
        nonlocal runs
        runs += 1
        if runs == 3:
            await asyncio.sleep(0.6)  # ran well for a while, then failed anew
        if runs < 5:
            raise ValueError(f"crash {runs}")
        fifth.set()
        await ctx.stopping.wait()

    records = await _run(engine_a, adscale_infra, unique_name, crashes, fifth)
    pauses = [r.restart_in_seconds for r in records]  # type: ignore[attr-defined]
    assert pauses == [1.0, 2.0, 1.0, 2.0]


async def test_a_tick_that_lost_its_database_is_a_warning_and_the_next_runs() -> None:
    ticks = 0
    ctx = WorkerContext(settings=None, engine=None, sessionmaker=None)  # type: ignore[arg-type]

    async def tick() -> None:
        nonlocal ticks
        ticks += 1
        if ticks == 1:
            raise _PostgresShuttingDown("the database system is shutting down")
        if ticks == 2:
            raise KeyError("a bug")
        ctx.stopping.set()

    seen = _Records()
    log = logging.getLogger("adscale_common.worker")
    log.addHandler(seen)
    try:
        await asyncio.wait_for(repeat(ctx, 0.01, tick, failed="cleanup failed"), 10)
    finally:
        log.removeHandler(seen)
    assert ticks == 3
    lost, bug = seen.records
    assert (lost.levelno, lost.getMessage(), lost.exc_info) == (
        logging.WARNING,
        "cleanup failed: dependency unavailable",
        None,
    )
    assert "shutting down" in lost.error  # type: ignore[attr-defined]
    assert (bug.levelno, bug.getMessage()) == (logging.ERROR, "cleanup failed")
    assert bug.exc_info is not None and bug.exc_info[0] is KeyError
