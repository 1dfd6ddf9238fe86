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
import gc
import hashlib
import multiprocessing
import os
import sys
import uuid
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import orjson

from adscale_platforms.identifiers import is_hashed_field, normalize_many, supported_fields
from audience_sync.pool_guard import end_with_owner
from audience_sync.sync import copy_binary
from audience_sync.sync.fields import DIGEST_FIELDS, EXTRA_KEYS, INVALID_BITS, WEAK_FIELDS

# (external_id, version, *one value per DIGEST_FIELDS, extra_emails, extra_phones)
ProfileRow = tuple[Any, ...]
# Per field, per profile: the key (``None`` when absent or invalid).
Columns = dict[str, list[bytes | None]]

_SHA256 = hashlib.sha256
_DIGEST = type(hashlib.sha256()).digest


def sha256_keys(normalized: Sequence[str | None]) -> list[bytes | None]:
    """The raw SHA-256 of each value's UTF-8 (``None`` stays ``None``): a column without a
    gap runs as C-level maps (no bytecode per value), the plain comprehension otherwise."""
    if None in normalized:
        return [_SHA256(n.encode()).digest() if n is not None else None for n in normalized]
    return list(map(_DIGEST, map(_SHA256, map(str.encode, normalized))))  # type: ignore[arg-type]


def _utf8_keys(normalized: Sequence[str | None]) -> list[bytes | None]:
    if None in normalized:
        return [n.encode() if n is not None else None for n in normalized]
    return list(map(str.encode, normalized))  # type: ignore[arg-type]


def _field_keys(platform: str, name: str, values: Sequence[str | None]) -> list[bytes | None]:
    """Each value's key: the raw 32-byte SHA-256 straight from the normalized text (no hex
    round trip), or the normalized UTF-8 for a field the platform takes unhashed."""
    normalized = normalize_many(platform, name, values)  # type: ignore[arg-type]
    if is_hashed_field(platform, name):
        return sha256_keys(normalized)
    return _utf8_keys(normalized)


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
        distinct = list(dict.fromkeys(values)) if name in WEAK_FIELDS else values
        if len(distinct) < size:
            # Names, zips, cities, states and countries repeat across people: each distinct
            # value of the chunk is normalized and hashed once, then looked up (C-level).
            table = dict(zip(distinct, _field_keys(platform, name, distinct), strict=True))
            keys = list(map(table.__getitem__, values))
        else:
            keys = _field_keys(platform, name, values)
        if None in keys:  # absent or refused values: only then a pass per profile
            bit = INVALID_BITS[name]
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
    keys = iter(sha256_keys(normalize_many(platform, field, flat)))
    out: list[list[bytes] | None] = []
    for values, first in zip(lists, primary, strict=True):
        mine = [k for k in (next(keys) for _ in values or ()) if k is not None and k != first]
        out.append(list(dict.fromkeys(mine)) or None)
    return out


@dataclass
class DigestColumns:
    """A chunk's digests column by column: ids, versions, keys per field, extra keys per
    :data:`EXTRA_KEYS` field, invalid bits."""

    ids: Sequence[str]
    versions: Sequence[int]
    keys: Columns
    extras: Sequence[Sequence[Sequence[bytes] | None]]
    invalid: list[int]


def digest_columns(platform: str, rows: Sequence[Sequence[Any]]) -> DigestColumns:
    """Normalize and hash ``(external_id, version, *fields, extra_emails, extra_phones)``
    profile rows (further items ignored), by columns."""
    width = len(DIGEST_FIELDS)
    # Rows to columns by ``zip`` (a C loop): per profile, no bytecode at all.
    transposed = list(zip(*rows, strict=True)) if rows else [()] * (4 + width)
    keys, invalid = hash_columns(platform, transposed[2 : 2 + width])
    size = len(rows)
    supported = set(supported_fields(platform))
    extras = [
        hash_extras(platform, field, transposed[2 + width + j], keys[field])
        if field in supported
        else [None] * size
        for j, field in enumerate(EXTRA_KEYS)
    ]
    return DigestColumns(transposed[0], transposed[1], keys, extras, invalid)


# The columns of :func:`digest_records`' rows.
DIGEST_COLUMNS = [
    "segment_id",
    "external_id",
    "platform",
    "version",
    *DIGEST_FIELDS,
    *EXTRA_KEYS.values(),
    "invalid",
]


def digest_records(
    segment_id: str, platform: str, rows: Sequence[ProfileRow]
) -> list[tuple[Any, ...]]:
    """``profile_digest`` rows (:data:`DIGEST_COLUMNS` order) for ``(external_id, version,
    *fields, extra_emails, extra_phones)`` profile rows."""
    d = digest_columns(platform, rows)
    size = len(rows)
    return list(
        zip(
            repeat(uuid.UUID(segment_id), size),
            d.ids,
            repeat(platform, size),
            d.versions,
            *(d.keys[name] for name in DIGEST_FIELDS),
            *d.extras,
            d.invalid,
            strict=True,
        )
    )


@dataclass
class DigestCopy:
    """A hashed chunk: the profiles whose old digest it replaces, and its digests as one
    binary COPY buffer of ``profile_digest``'s ``columns``."""

    outdated: list[str]
    columns: list[str]
    data: bytes
    rows: int
    # The chunk's last external id, when the hash step read it as a range of them (the
    # watermark of an overlapped initial sync; the range's rows arrive in any order, so
    # the reader, not the rows, knows it: :func:`audience_sync.sync.digest.stale_chunks`).
    last: str = ""


def digest_copy(segment_id: str, platform: str, payload: bytes | str) -> DigestCopy:
    """Hash a chunk given as one JSON array of ``[external_id, version, *fields,
    extra_emails, extra_phones, cached_version]`` rows and return it COPY-ready: one
    string in, one buffer out, so moving a chunk to and from a hashing process pickles no
    object per profile, and the event loop hands the buffer to COPY as it is."""
    rows: list[list[Any]] = orjson.loads(payload)
    d = digest_columns(platform, rows)
    cached = 4 + len(DIGEST_FIELDS)
    outdated = [r[0] for r in rows if r[cached] is not None]
    columns: list[tuple[str, copy_binary.Column]] = [
        ("segment_id", copy_binary.value(uuid.UUID(segment_id).bytes)),
        ("platform", copy_binary.value(platform.encode())),
        ("external_id", copy_binary.varlen(list(map(str.encode, d.ids)))),
        ("version", copy_binary.int8(d.versions)),
    ]
    for name in DIGEST_FIELDS:
        keys = d.keys[name]
        hashed = is_hashed_field(platform, name)
        columns.append((name, copy_binary.fixed(keys, 32) if hashed else copy_binary.varlen(keys)))
    for column, extra in zip(EXTRA_KEYS.values(), d.extras, strict=True):
        columns.append((column, copy_binary.bytea_arrays(extra)))
    columns.append(("invalid", copy_binary.int2(d.invalid)))
    names, data = copy_binary.buffer(columns)
    return DigestCopy(outdated, names, data, len(rows))


def _hashing_process(owner: int, nice: int) -> None:
    """A hashing process only runs :func:`digest_copy` and :func:`digest_records`, which
    make no reference cycles: the cyclic GC would only walk their chunk's thousands of
    row lists again and again (a fifth of a chunk's CPU), so it is off there. It runs
    ``nice`` steps below the worker (the sends it feeds come first) and ends with the
    worker that started it (:mod:`audience_sync.pool_guard`)."""
    gc.disable()
    if nice:
        os.nice(nice)
    end_with_owner(owner)


def _preload() -> list[str]:
    """What the fork server imports once for every hashing process: this module, and the
    program's main module when it runs as one (``python -m audience_sync.worker``).
    multiprocessing starts each child by running the parent's main module again (as
    ``__mp_main__``); with its imports already in the server that takes milliseconds, not
    the worker's whole import graph per child (5.6 s of CPU for the two processes, measured,
    spent inside the first job)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    name = getattr(spec, "name", None)
    main = [name] if name and name != "__main__" and not name.endswith(".__main__") else []
    return [__name__, *main]


class Hasher:
    """Hashing in ``processes`` processes (``0``: a thread of the event loop's process),
    each ``nice`` steps below the worker's priority."""

    def __init__(self, processes: int = 0, *, nice: int = 0) -> None:
        self.processes = processes
        self.nice = nice
        self._pool: Executor | None = None

    def _executor(self) -> Executor | None:
        if self.processes <= 0:
            return None
        if self._pool is None:
            # forkserver: children fork from a clean, preloaded server process (no copy of
            # the event loop's threads), which holds every import they need (_preload).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_preload())
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=context,
                initializer=_hashing_process,
                initargs=(os.getpid(), self.nice),
            )
        return self._pool

    @property
    def parallelism(self) -> int:
        return max(1, self.processes)

    async def start(self) -> None:
        """Start the pool's processes now (a worker does it as it starts), not inside the
        first job."""
        pool = self._executor()
        if pool is None:
            return
        loop = asyncio.get_running_loop()
        # As many calls at once as processes: the pool starts one per call it cannot give
        # to an idle process.
        await asyncio.gather(
            *(loop.run_in_executor(pool, gc.isenabled) for _ in range(self.processes))
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

    async def copy(self, segment_id: uuid.UUID, platform: str, payload: str) -> DigestCopy:
        """:func:`digest_copy` of a chunk, in the pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor(), digest_copy, str(segment_id), platform, payload
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def stop(self) -> None:
        """:meth:`close` for a worker's closers (``WorkerContext.at_stop``)."""
        self.close()
