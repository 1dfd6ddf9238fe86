"""A job's hash step (:func:`audience_sync.sync.digest.refresh_digests` on the job's
segment and platform) and the pending diff mark of an audience's first send."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from audience_sync.db import driver_of
from audience_sync.sync import digest, marks
from audience_sync.sync.context import Run

logger = logging.getLogger(__name__)


async def hash_profiles(
    run: Run, written: Callable[[digest.Chunk], Awaitable[None]] | None = None
) -> None:
    """Hash what is stale. Without ``written`` the digests commit together at the end (the
    diff reads them afterwards); with it, in ``external_id`` order, each chunk handed to
    ``written`` as soon as it is hashed (an overlapped initial sync)."""
    services = run.services
    with run.timed("hash"):
        async with services.engine.begin() as conn:
            stats = await digest.refresh_digests(
                await driver_of(conn),
                services.hasher,
                run.target.segment_id,
                run.target.platform,
                chunk_rows=services.settings.hash_chunk_rows,
                work_mem=services.settings.diff_work_mem,
                written=written,
            )
    run.check()
    logger.info(
        "profiles hashed",
        extra={"job_id": str(run.job.id), "hashed": stats.hashed, "seconds": run.timings["hash"]},
    )


async def mark_initial(run: Run) -> None:
    """An audience with no members gets every desired profile: once that succeeds for all
    of them, its diff is empty up to the digest mark (its pending mark)."""
    target = run.target
    async with run.services.engine.begin() as conn:
        apg = await driver_of(conn)
        hashed = await digest.digest_mark(apg, target.segment_id, target.platform)
        await marks.set_pending(
            apg,
            target.id,
            run.job.id,
            hashed,
            target.fields,
            removals=not target.additive_only,
            incremental=False,
        )
