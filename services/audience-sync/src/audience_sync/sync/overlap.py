"""An audience's first send (no members yet) with hashing and sending overlapped.

The hash step reads the stale profiles in ``external_id`` order and commits each hashed
chunk on its own; after each commit the *watermark* moves to the chunk's last
``external_id``: every profile of the segment at or below it has a current digest (stale
ones were hashed in order, the others were current already). The lanes (as
:func:`audience_sync.sync.engine.lanes` splits them) read the desired digests between the
watermark they last read and the current one (one read per window for all lanes, each row
tagged with its lane), and send them in groups of a request's worth; the rest of a lane's
rows waits for the next window. A lane's batches are thus cut from its
rows, in ``external_id`` order, at the places a lane over the whole segment (or, after a
stop, over the plan of what is left) cuts them: a resumed job resends at most the batch in
flight, with the same rows and batch id.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from audience_sync.db import driver_of
from audience_sync.sync import digest, plan_reads
from audience_sync.sync.context import Run
from audience_sync.sync.hash_step import hash_profiles, mark_initial
from audience_sync.sync.sender import (
    addition_rows,
    all_or_nothing,
    fetched,
    lane_count,
    send_chunk,
    send_rows,
    uninterrupted,
)


class Watermark:
    """How far the hashing has committed: the last ``external_id`` of the last committed
    chunk, how many chunks that is, and whether the hashing is done."""

    def __init__(self) -> None:
        self.last: str | None = None
        self.steps = 0
        self.done = False
        self._moved = asyncio.Condition()

    async def advance(self, last: str) -> None:
        async with self._moved:
            self.last, self.steps = last, self.steps + 1
            self._moved.notify_all()

    async def finish(self) -> None:
        async with self._moved:
            self.done = True
            self._moved.notify_all()

    async def beyond(self, step: int) -> tuple[str | None, int, bool]:
        """Once the watermark moved past ``step`` chunks (or hashing is done): the upper
        bound (``None``: none, hashing is done), the steps seen, whether it is done."""
        async with self._moved:
            await self._moved.wait_for(lambda: self.done or self.steps > step)
            return (None if self.done else self.last), self.steps, self.done


Batches = asyncio.Queue[list[Any] | None]


async def initial(run: Run, rows: int) -> None:
    """Hash the segment and send every desired profile of it, side by side."""
    mark = Watermark()
    lanes: list[Batches] = [asyncio.Queue(maxsize=2) for _ in range(lane_count(run, rows))]
    await all_or_nothing(
        [_produce(run, mark), _read(run, mark, lanes), *(_lane(run, b) for b in lanes)]
    )


async def _produce(run: Run, mark: Watermark) -> None:
    segment_id = run.target.segment_id

    async def commit(chunk: digest.Chunk) -> None:
        async with run.services.engine.begin() as conn:
            await digest.write_chunk(await driver_of(conn), segment_id, chunk)

    async def written(chunk: digest.Chunk) -> None:
        # A chunk being written finishes (a cancelled COPY could spoil its connection).
        await uninterrupted(asyncio.ensure_future(commit(chunk)))
        await mark.advance(chunk.last)

    await hash_profiles(run, written)
    await mark_initial(run)
    await mark.finish()


def _window(lower: str | None, upper: str | None) -> tuple[str, tuple[str, ...]]:
    """A lane's read: ``external_id`` above ``lower`` and at most ``upper`` (``None``: no
    bound), as a condition on parameters from $3 on and their values."""
    sql, values = "", []
    for bound, test in ((lower, ">"), (upper, "<=")):
        if bound is not None:
            values.append(bound)
            sql += f" AND d.external_id {test} ${2 + len(values)}"
    return sql, tuple(values)


async def _read(run: Run, mark: Watermark, lanes: list[Batches]) -> None:
    """Read each window once for every lane (each row tagged with its lane, as
    :func:`audience_sync.sync.plan_reads.lane_of` splits them) and hand each lane its rows
    in request-sized groups, in ``external_id`` order; the rest of a lane's rows waits for
    the next window. (A read per lane and window read every row of the window and kept a
    third of them.)"""
    target = run.target
    size = send_chunk(run)
    carries: list[list[Any]] = [[] for _ in lanes]
    lower: str | None = None
    step = 0
    while True:
        upper, step, done = await mark.beyond(step)
        window, bounds = _window(lower, upper)
        sql = plan_reads.initial_additions_sql(
            target.platform, target.fields, len(lanes), None, window
        )
        args = (target.segment_id, target.platform, *bounds)
        async with run.services.engine.connect() as conn:
            apg = await driver_of(conn)
            try:
                async with contextlib.aclosing(fetched(run, apg, sql, args, size)) as reads:
                    async for records in reads:
                        for record in records:
                            carries[record[-1]].append(record)
                        for carry, lane in zip(carries, lanes, strict=True):
                            while len(carry) >= size:
                                await lane.put(carry[:size])
                                del carry[:size]
            finally:
                await uninterrupted(asyncio.ensure_future(conn.rollback()))
        if done:
            for carry, lane in zip(carries, lanes, strict=True):
                if carry:
                    await lane.put(carry)
                await lane.put(None)
            return
        lower = upper


async def _lane(run: Run, batches: Batches) -> None:
    """Send a lane's groups as the reader hands them over."""
    while (records := await batches.get()) is not None:
        await _send(run, records)


async def _send(run: Run, records: list[Any]) -> None:
    with run.timed("encode"):
        rows = addition_rows(run, records)
    await send_rows(run, "add", rows)
