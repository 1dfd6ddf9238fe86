"""The heartbeat of a job lease, shared by the sync jobs and the erasure runs: renew a third
of the lease's length apart while a block runs, each renewal in its own short transaction."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from audience_sync.db import driver_of

Renew = Callable[["asyncpg.Connection[Any]"], Awaitable[bool]]


@contextlib.asynccontextmanager
async def heartbeat(
    engine: AsyncEngine,
    lease: timedelta,
    renew: Renew,
    on_lost: Callable[[], None] | None = None,
) -> AsyncIterator[None]:
    """Run ``renew`` every third of ``lease`` while the block runs; the first renewal that
    answers ``False`` (the lease is someone else's now) calls ``on_lost`` and stops."""
    interval = max(lease.total_seconds() / 3, 0.5)
    stop = asyncio.Event()

    async def beat() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
                return
            async with engine.begin() as conn:
                alive = await renew(await driver_of(conn))
            if not alive:
                if on_lost is not None:
                    on_lost()
                return

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        # Stop between beats: a renewal is never cut off in the middle of its query.
        stop.set()
        with contextlib.suppress(BaseException):
            await asyncio.shield(task)
