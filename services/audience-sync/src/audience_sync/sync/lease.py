"""Job leases: claim (waiting while another live worker holds the job), heartbeat,
release. A lease is renewed by the heartbeat and by every checkpoint; a worker that finds
its lease gone stops (:class:`JobLost`)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from audience_sync import leases
from audience_sync.db import driver_of
from audience_sync.sync import repository
from audience_sync.sync.context import Job, Run, Services


async def _try_claim(services: Services, job_id: uuid.UUID) -> tuple[Job | None, str | None, float]:
    """``(job, None, 0)`` when claimed, else ``(None, status, seconds the lease has left)``."""
    async with services.engine.begin() as conn:
        apg = await driver_of(conn)
        row = await repository.claim(apg, job_id, services.owner, services.lease)
        if row is not None:
            data = dict(row)
            counts = data.pop("identifier_counts")
            return (
                Job(**data, identifier_counts=counts if isinstance(counts, dict) else None),
                None,
                0.0,
            )
        current = await repository.lease_state(apg, job_id)
    if current is None:
        return None, None, 0.0
    return None, str(current["status"]), float(current["left"] or 0.0)


async def claim(services: Services, job_id: uuid.UUID, *, wait: bool = True) -> Job | None:
    """Claim the job; with ``wait``, wait while another live worker holds its lease."""
    while True:
        job, status, left = await _try_claim(services, job_id)
        if job is not None:
            return job
        if status not in ("pending", "running") or not wait:
            return None
        await asyncio.sleep(min(max(left, 0.2), 2.0))


def heartbeat(run: Run) -> contextlib.AbstractAsyncContextManager[None]:
    """Renew the job's lease while the block runs; a renewal that finds the job gone marks
    the run lost."""
    services = run.services

    async def renew(apg: Any) -> bool:
        return bool(await repository.renew(apg, run.job.id, services.owner, services.lease))

    def lost() -> None:
        run.lost = True

    return leases.heartbeat(services.engine, services.lease, renew, lost)


async def release(services: Services, job_id: uuid.UUID) -> None:
    """Give the lease up (a stopping worker): another worker resumes the job."""
    with contextlib.suppress(Exception):
        async with services.engine.begin() as conn:
            await repository.release(await driver_of(conn), job_id, services.owner)
