"""A periodic task's loop: a failing tick is logged and the next one still runs; the loop
ends when the worker stops."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from adscale_common.worker import WorkerContext, repeat


async def test_a_failed_tick_is_logged_and_the_loop_goes_on_until_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ctx: Any = WorkerContext(settings=None, engine=None, sessionmaker=None)  # type: ignore[arg-type]
    ticks: list[int] = []

    async def tick() -> None:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise RuntimeError("database away")
        if len(ticks) == 3:
            ctx.stopping.set()

    with caplog.at_level(logging.ERROR, logger="adscale_common.worker"):
        await asyncio.wait_for(repeat(ctx, 0, tick, failed="tick failed"), timeout=5)
    assert ticks == [0, 1, 2]
    assert [r.getMessage() for r in caplog.records] == ["tick failed"]
    assert caplog.records[0].exc_info is not None


async def test_the_pause_ends_as_soon_as_the_worker_stops() -> None:
    ctx: Any = WorkerContext(settings=None, engine=None, sessionmaker=None)  # type: ignore[arg-type]

    async def tick() -> None:
        asyncio.get_running_loop().call_later(0.05, ctx.stopping.set)

    await asyncio.wait_for(repeat(ctx, 3600, tick, failed="tick failed"), timeout=5)
