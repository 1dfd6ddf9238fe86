"""The erasure worker: ``JobRequested(kind="erasure")`` runs :meth:`Eraser.run`.

A run leases the requested erasure together with up to ``erasure_batch`` other waiting
ones (job leases as the sync jobs use them, renewed by a heartbeat), then:

1. **plan** (one transaction per erasure, :mod:`.person`): find the person, keep the keys
   each platform audience accepted for them (``erasure_member``), delete their profiles,
   digests and accepted-member rows, revoke export files of their segments, put their
   hashes on the suppression list, and wipe the encrypted identifier. Recorded by
   ``planned_at``: a resumed run never plans twice.
2. **remove** (:mod:`.removal`): per platform audience, one remove operation for every
   person of the run (the client packs them into the platform's largest requests),
   attempted up to ``erasure_max_attempts`` times with backoff; each attempt and the
   platform's answer go onto the targets of the receipt, and a final one drops the kept
   keys. A worker killed mid-call leaves the target pending: the next run sends the same
   removal again (platform removals are idempotent) and the receipt counts it once.
3. **finish**: an erasure whose audiences are all final becomes ``completed`` (or
   ``failed`` with its reason) and ``cdp.profile_erased`` is emitted in the same
   transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from adscale_common.outbox import emit_many
from adscale_contracts.events import ProfileErased, build
from audience_sync import leases
from audience_sync.db import driver_of, unit_of_work
from audience_sync.privacy import bulk, person, removal, store
from audience_sync.privacy.run import ErasureRun

logger = logging.getLogger(__name__)
SOURCE = "audience-sync"


@dataclass
class Eraser(ErasureRun):
    # Test hook: awaited after each step ("planned", "removed") with the erasure ids.
    after_step: Callable[[str, list[uuid.UUID]], Awaitable[None]] | None = None

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.job_lease_seconds)

    async def run(self, erasure_id: uuid.UUID, *, wait: bool = True) -> str | None:
        """Run the erasure (with whatever else is waiting); its final status, ``None`` when
        it is not found or (without ``wait``) another live worker holds it."""
        while True:
            async with self.engine.begin() as conn:
                apg = await driver_of(conn)
                claimed = await store.claim(
                    apg, erasure_id, self.owner, self.lease, self.settings.erasure_batch
                )
            if claimed:
                await self.process(claimed)
            async with self.engine.begin() as conn:
                state = await store.lease_state(await driver_of(conn), erasure_id)
            if state is None:
                return None
            if state["status"] not in ("pending", "running"):
                return str(state["status"])
            if not wait:
                return None
            if not claimed:
                await asyncio.sleep(min(max(float(state["left"] or 0), 0.2), 2.0))

    async def process(self, claimed: list[Any]) -> None:
        ids = [row["id"] for row in claimed]
        try:
            async with self._heartbeat(ids):
                await person.plan_many(self, claimed)
                await self._hook("planned", ids)
                await removal.remove_all(self, ids)
                await self._hook("removed", ids)
                await self.finish(ids)
        except BaseException:
            with contextlib.suppress(Exception):
                async with self.engine.begin() as conn:
                    await store.release(await driver_of(conn), ids, self.owner)
            raise

    async def finish(self, erasure_ids: list[uuid.UUID]) -> None:
        """Close every erasure of the run whose audiences are all final, with its event."""
        async with unit_of_work(self.sessionmaker) as session:
            apg = await driver_of(await session.connection())
            rows = await bulk.finish_all(apg, erasure_ids, self.owner)
            events = [
                build(
                    ProfileErased(
                        erasure_id=row["id"],
                        user_id=row["user_id"],
                        status=row["status"],
                        failure_reason=row["failure_reason"],
                        profiles_erased=int(row["profiles_deleted"]),
                        audiences_completed=int(row["done"]),
                        audiences_failed=int(row["failed"]),
                        exports_revoked=int(row["exports_revoked"]),
                        identifier_hashes=[
                            h["sha256"] for h in person.decode_json(row["identifier_hashes"])
                        ],
                    ),
                    source=SOURCE,
                )
                for row in rows
            ]
            if events:
                await emit_many(session, events)
        logger.info("erasures finished", extra={"count": len(rows)})

    async def _hook(self, step: str, ids: list[uuid.UUID]) -> None:
        if self.after_step is not None:
            await self.after_step(step, ids)

    def _heartbeat(self, ids: list[uuid.UUID]) -> contextlib.AbstractAsyncContextManager[None]:
        async def renew(apg: Any) -> bool:
            await store.renew(apg, ids, self.owner, self.lease)
            return True  # a run keeps what it still holds; finish() checks the owner

        return leases.heartbeat(self.engine, self.lease, renew)
