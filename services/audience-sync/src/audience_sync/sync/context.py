"""What one run of a sync job works with, built once when the job is claimed and prepared
(no optional fields filled in later)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_platforms.protocol import AdPlatformClient
from audience_sync.platform.tokens import ConnectionToken
from audience_sync.platforms import PlatformRegistry
from audience_sync.safeguards.ldu import LDU_FIELDS
from audience_sync.settings import Settings
from audience_sync.sync.fields import wire_fields
from audience_sync.sync.hashing import Hasher


class JobLost(Exception):
    """The job is no longer this worker's (cancelled, deleted, or its lease was taken)."""


@dataclass
class Services:
    """The engine's dependencies, shared by every run."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    registry: PlatformRegistry
    cipher: TokenCipher | None
    settings: Settings
    hasher: Hasher
    owner: str
    # Test hook: awaited after every checkpoint with (job_id, batches_done).
    after_checkpoint: Callable[[uuid.UUID, int], Awaitable[None]] | None = None

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.job_lease_seconds)


@dataclass
class Job:
    id: uuid.UUID
    audience_id: uuid.UUID
    user_id: uuid.UUID
    platform: str
    operation: str
    phase: str | None
    started_at: datetime
    plan_version: datetime | None = None
    identifier_counts: dict[str, Any] | None = None


@dataclass(frozen=True)
class Target:
    """The audience a run syncs."""

    id: uuid.UUID
    segment_id: uuid.UUID
    platform: str
    platform_audience_id: str
    fields: list[str]
    additive_only: bool
    # Meta Limited Data Use: asked by the audience; rows carry the LDU columns (the audience
    # or a profile of the segment asks for it).
    limited_data_use: bool = False
    ldu_columns: bool = False

    @property
    def wire_fields(self) -> list[str]:
        """The fields of a replace's rows (one stream of many batches): the audience's,
        every extra email / phone slot the platform takes, then the LDU columns if any.
        Other sends name the slots their batch needs (:class:`~audience_sync.sync.sender.Rows`)."""
        ldu = LDU_FIELDS if self.ldu_columns else ()
        return [*wire_fields(self.platform, self.fields), *ldu]


@dataclass
class Counters:
    """Profiles this run sent, added, removed, failed; per field, profiles sent with it."""

    sent: int = 0
    added: int = 0
    removed: int = 0
    failed: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    # Extra emails / phones beyond what one member carries on the platform (not sent).
    dropped: int = 0


@dataclass
class Run:
    services: Services
    job: Job
    target: Target
    client: AdPlatformClient
    token: ConnectionToken
    counters: Counters = field(default_factory=Counters)
    # Seconds spent per kind of work (they overlap across lanes), for the logs and bench.
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lost: bool = False
    # Profiles a first send (an audience with no members) read from the digests: the
    # member and digest tables' statistics are refreshed at the end when they know fewer.
    bulk_rows: int = 0

    def check(self) -> None:
        if self.lost:
            raise JobLost()

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - started

    def field_counts(self) -> dict[str, int]:
        """Profiles sent with each field so far, this run included (a resumed job starts
        from what its earlier runs recorded)."""
        stored = (self.job.identifier_counts or {}).get("sent", {})
        return {
            name: int(stored.get(name, 0)) + self.counters.fields.get(name, 0)
            for name in self.target.fields
        }
