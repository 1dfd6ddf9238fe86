"""Normalize and hash profile identifiers per platform, vectorised, off the event loop.

:func:`hash_columns` runs ``adscale_platforms.identifiers.hash_many`` over whole columns
(email, phone, mobile ad id) of a chunk of profiles. :class:`Hasher` runs it in a pool of
worker processes (``AUDIENCE_SYNC_HASH_PROCESSES``; several chunks in parallel, the event
loop stays free for platform calls) or, with 0 processes, in a thread.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from adscale_platforms.identifiers import hash_many, is_hashed_field, supported_fields
from audience_sync.sync.fields import INVALID_BITS

DIGEST_FIELDS: tuple[str, ...] = ("email", "phone", "madid")
# (external_id, version, email, phone, madid)
ProfileRow = tuple[str, int, str | None, str | None, str | None]


@dataclass
class HashedChunk:
    """Per profile: the key of each field (``None`` when absent or invalid) and a bit mask of
    the fields that were present but could not be normalized."""

    email: list[bytes | None]
    phone: list[bytes | None]
    madid: list[bytes | None]
    invalid: list[int]


def hash_columns(
    platform: str,
    email: Sequence[str | None],
    phone: Sequence[str | None],
    madid: Sequence[str | None],
) -> HashedChunk:
    size = len(email)
    supported = set(supported_fields(platform))
    invalid = [0] * size
    out: dict[str, list[bytes | None]] = {}
    for name, values in (("email", email), ("phone", phone), ("madid", madid)):
        if name not in supported or not any(values):
            out[name] = [None] * size
            continue
        hashed = hash_many(platform, name, values)  # type: ignore[arg-type]
        bit = INVALID_BITS[name]
        keys: list[bytes | None] = []
        append = keys.append
        as_bytes = bytes.fromhex if is_hashed_field(platform, name) else str.encode
        for i, (value, digest) in enumerate(zip(values, hashed, strict=True)):
            if digest is None:
                append(None)
                if value:
                    invalid[i] |= bit
            else:
                append(as_bytes(digest))
        out[name] = keys
    return HashedChunk(out["email"], out["phone"], out["madid"], invalid)


def digest_records(
    segment_id: str,
    platform: str,
    rows: Sequence[tuple[str, int, str | None, str | None, str | None]],
) -> list[tuple[Any, ...]]:
    """``profile_digest`` rows, ready for COPY, for ``(external_id, version, email, phone,
    madid)`` profile rows (built where the hashing runs, off the event loop)."""
    hashed = hash_columns(
        platform, [r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows]
    )
    segment = uuid.UUID(segment_id)
    return [
        (segment, row[0], platform, row[1], e, p, m, inv)
        for row, e, p, m, inv in zip(
            rows, hashed.email, hashed.phone, hashed.madid, hashed.invalid, strict=True
        )
    ]


class Hasher:
    def __init__(self, processes: int = 0) -> None:
        self.processes = processes
        self._pool: Executor | None = None

    def _executor(self) -> Executor | None:
        if self.processes <= 0:
            return None
        if self._pool is None:
            # forkserver: children fork from a clean, preloaded server process (no copy of
            # the event loop's threads, no re-import of the worker per child).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["audience_sync.sync.hashing"])
            self._pool = ProcessPoolExecutor(max_workers=self.processes, mp_context=context)
        return self._pool

    @property
    def parallelism(self) -> int:
        return max(1, self.processes)

    async def hash(
        self,
        platform: str,
        email: Sequence[str | None],
        phone: Sequence[str | None],
        madid: Sequence[str | None],
    ) -> HashedChunk:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor(), hash_columns, platform, email, phone, madid
        )

    async def records(
        self,
        segment_id: uuid.UUID,
        platform: str,
        rows: Sequence[ProfileRow],
    ) -> list[tuple[Any, ...]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor(), digest_records, str(segment_id), platform, rows
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
