"""Normalize and hash profile identifiers per platform, vectorised, off the event loop.

:func:`hash_columns` normalizes whole columns (every identifier field) of a chunk of
profiles with ``adscale_platforms.identifiers.normalize_many`` and keeps each SHA-256 as
its 32 raw bytes (what ``profile_digest`` stores; ``hash_many``'s hex would be decoded
again). :class:`Hasher` runs it in a pool of
worker processes (``AUDIENCE_SYNC_HASH_PROCESSES``; several chunks in parallel, the event
loop stays free for platform calls) or, with 0 processes, in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import uuid
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from adscale_platforms.identifiers import is_hashed_field, normalize_many, supported_fields
from audience_sync.sync.fields import DIGEST_FIELDS, EXTRA_KEYS, INVALID_BITS

# (external_id, version, *one value per DIGEST_FIELDS, extra_emails, extra_phones)
ProfileRow = tuple[Any, ...]
# Per field, per profile: the key (``None`` when absent or invalid).
Columns = dict[str, list[bytes | None]]


def hash_columns(
    platform: str, columns: Sequence[Sequence[str | None]]
) -> tuple[Columns, list[int]]:
    """``columns`` holds one value list per :data:`DIGEST_FIELDS`; returns the keys per
    field and, per profile, a bit mask of the fields present but not normalizable."""
    size = len(columns[0]) if columns else 0
    supported = set(supported_fields(platform))
    invalid = [0] * size
    out: Columns = {}
    for name, values in zip(DIGEST_FIELDS, columns, strict=True):
        if name not in supported or not any(values):
            out[name] = [None] * size
            continue
        # The raw 32-byte digest straight from the normalized text (no hex round trip).
        normalized = normalize_many(platform, name, values)  # type: ignore[arg-type]
        bit = INVALID_BITS[name]
        if is_hashed_field(platform, name):
            sha = hashlib.sha256
            keys = [sha(n.encode()).digest() if n is not None else None for n in normalized]
        else:
            keys = [n.encode() if n is not None else None for n in normalized]
        for i, (value, key) in enumerate(zip(values, keys, strict=True)):
            if key is None and value:
                invalid[i] |= bit
        out[name] = keys
    return out, invalid


def hash_extras(
    platform: str,
    field: str,
    lists: Sequence[Sequence[str] | None],
    primary: Sequence[bytes | None],
) -> list[list[bytes] | None]:
    """Keys of each profile's extra emails (or phones): the whole chunk normalized and hashed
    in one batch, like the primary ones; a value that does not normalize, or repeats a key
    the profile already has, is left out; ``None`` for a profile left with none."""
    flat = [v for values in lists if values for v in values]
    if not flat:
        return [None] * len(lists)
    normalized = normalize_many(platform, field, flat)
    sha = hashlib.sha256
    keys = iter([sha(n.encode()).digest() if n is not None else None for n in normalized])
    out: list[list[bytes] | None] = []
    for values, first in zip(lists, primary, strict=True):
        mine = [k for k in (next(keys) for _ in values or ()) if k is not None and k != first]
        out.append(list(dict.fromkeys(mine)) or None)
    return out


def digest_records(
    segment_id: str, platform: str, rows: Sequence[ProfileRow]
) -> list[tuple[Any, ...]]:
    """``profile_digest`` rows, ready for COPY, for ``(external_id, version, *fields)``
    profile rows (built where the hashing runs, off the event loop)."""
    width = len(DIGEST_FIELDS)
    columns = [[r[2 + i] for r in rows] for i in range(width)]
    keys, invalid = hash_columns(platform, columns)
    segment = uuid.UUID(segment_id)
    per_field = [keys[name] for name in DIGEST_FIELDS]
    supported = set(supported_fields(platform))
    extras = [
        hash_extras(platform, field, [r[2 + width + j] for r in rows], keys[field])
        if field in supported
        else [None] * len(rows)
        for j, field in enumerate(EXTRA_KEYS)
    ]
    return [
        (
            segment,
            row[0],
            platform,
            row[1],
            *(column[i] for column in per_field),
            *(column[i] for column in extras),
            invalid[i],
        )
        for i, row in enumerate(rows)
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
