"""Split rows into request-sized batches, bounded by row count *and* serialized bytes.

A batch ``b`` sent inside a request body whose fixed part ("envelope") serializes to
``envelope_bytes`` takes ``envelope_bytes + sum(row_bytes(r) for r in b) +
separator_bytes * (len(b) - 1)`` bytes when the rows are joined by a one-byte separator
(a JSON array with compact separators, or newline-separated lines in a file). Every batch
produced here keeps that total at or under ``max_bytes`` and its length at or under
``max_rows``; every input row lands in exactly one batch, in input order. Input is
consumed lazily, so millions of rows stream through in constant memory.

Per-platform limits (defaults in :class:`~adscale_platforms.settings.PlatformSettings`):

============  =================  ============================================================
platform      rows / request     bytes / request
============  =================  ============================================================
meta          10,000 (documented)  8,000,000: no documented cap; bodies are JSON, and 10,000
                                 rows with all nine keys Meta takes are ~6.1 MB, so the
                                 documented 10,000 rows always fit one request (a removal of
                                 10,000 erased people is one call); the cap only splits rows
                                 that carry many extra emails/phones.
google        10,000 members     5,000,000: conservative (Google front ends accept far larger
              (documented)       bodies; 10,000 single-identifier members are ~0.9 MB).
tiktok        1,000 (segment/     1,000,000: TikTok's reference does not state a limit for
              mapping)           ``batch_data`` in the sources we could check; 1,000 records /
                                 1 MB are the batch thresholds connector vendors use with it.
tiktok file   500,000 lines      50,000,000: customer files are limited to 50 MB each.
snapchat      100,000 identifiers  10,000,000: conservative (100,000 SHA-256 rows ~7 MB).
              (documented)
============  =================  ============================================================
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from adscale_platforms.models import BatchReport
from adscale_platforms.settings import PlatformSettings

T = TypeVar("T")

__all__ = [
    "BatchLimits",
    "EncodedJson",
    "RequestBatch",
    "RowTooLarge",
    "abatch_rows",
    "batch_rows",
    "compact_json",
    "fast_json",
    "fast_json_row",
    "json_array_parts",
    "json_size",
    "limits_for",
    "with_last",
]


class RowTooLarge(ValueError):
    """A single row does not fit in one request, whatever the batching."""


@dataclass(frozen=True, slots=True)
class BatchLimits:
    max_rows: int
    max_bytes: int

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_bytes < 1:
            raise ValueError("batch limits must be positive")


def limits_for(platform: str, settings: PlatformSettings, kind: str = "request") -> BatchLimits:
    """The row and byte limits of one request (``kind="file"``: one TikTok customer file)."""
    if platform == "tiktok" and kind == "file":
        return BatchLimits(settings.tiktok_file_max_rows, settings.tiktok_file_max_bytes)
    rows = getattr(settings, f"{platform}_batch_max_rows", None)
    size = getattr(settings, f"{platform}_batch_max_bytes", None)
    if not isinstance(rows, int) or not isinstance(size, int):
        raise ValueError(f"no batch limits for platform {platform!r}")
    return BatchLimits(rows, size)


@dataclass(frozen=True, slots=True)
class EncodedJson:
    """A request body already serialized as compact JSON: sent as it is (no copy)."""

    data: bytes


def compact_json(value: Any) -> bytes:
    """JSON with no spaces, UTF-8: how every client serializes request bodies."""
    if isinstance(value, EncodedJson):
        return value.data
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fast_json(value: Any) -> bytes:
    """:func:`compact_json` in C (orjson) for values made of strings, ints, lists and
    tuples (member rows and bodies): the same bytes for them; anything orjson refuses goes
    through the standard encoder. Not for keeping many small values: orjson's result keeps
    its few-KiB working buffer (a 336-byte row holds ~4 KiB)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return compact_json(value)


def fast_json_row(value: Any) -> bytes:
    """:func:`fast_json` of one member row, in a result of its own size (kept for the
    body: orjson's own result would hold its ~4 KiB working buffer per row)."""
    return memoryview(fast_json(value)).tobytes()


def json_array_parts(prefix: bytes, items: list[bytes], suffix: bytes) -> bytes:
    """``prefix + "[" + items joined by "," + "]" + suffix`` in one allocation."""
    if not items:
        return prefix + b"[]" + suffix
    parts = [b","] * (2 * len(items) + 1)
    parts[0] = prefix + b"["
    parts[1:-1:2] = items
    parts[-1] = b"]" + suffix
    return b"".join(parts)


def json_size(value: Any) -> int:
    """Bytes ``value`` takes inside a compact JSON body."""
    if isinstance(value, str) and value.isascii() and value.isalnum():
        return len(value) + 2
    return len(compact_json(value))


class _Packer:
    """The row/byte accounting shared by the sync and async batchers."""

    __slots__ = ("batch", "envelope", "max_bytes", "max_rows", "row_bytes", "sep", "size")

    def __init__(
        self,
        max_rows: int,
        max_bytes: int,
        row_bytes: Callable[[Any], int],
        envelope_bytes: int,
        separator_bytes: int,
    ) -> None:
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        if envelope_bytes < 0 or separator_bytes < 0:
            raise ValueError("envelope and separator sizes cannot be negative")
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.row_bytes = row_bytes
        self.envelope = envelope_bytes
        self.sep = separator_bytes
        self.batch: list[Any] = []
        self.size = envelope_bytes

    def add(self, row: Any) -> list[Any] | None:
        """Add one row; returns the batch that had to be closed to make room, if any."""
        cost = self.row_bytes(row)
        if self.envelope + cost > self.max_bytes:
            raise RowTooLarge(
                f"a row of {cost} bytes cannot fit a request of at most {self.max_bytes} "
                f"bytes (envelope {self.envelope} bytes)"
            )
        closed: list[Any] | None = None
        extra = cost + (self.sep if self.batch else 0)
        if self.batch and (len(self.batch) >= self.max_rows or self.size + extra > self.max_bytes):
            closed = self.batch
            self.batch = []
            self.size = self.envelope
            extra = cost
        self.batch.append(row)
        self.size += extra
        return closed

    def flush(self) -> list[Any] | None:
        if not self.batch:
            return None
        closed = self.batch
        self.batch = []
        self.size = self.envelope
        return closed

    def pack(self, rows: Iterable[Any]) -> Iterator[list[Any]]:
        """Every batch of ``rows``, the last one included."""
        for row in rows:
            closed = self.add(row)
            if closed is not None:
                yield closed
        last = self.flush()
        if last is not None:
            yield last


def batch_rows(
    rows: Iterable[T],
    *,
    max_rows: int,
    max_bytes: int,
    row_bytes: Callable[[T], int] = json_size,
    envelope_bytes: int = 0,
    separator_bytes: int = 1,
) -> Iterator[list[T]]:
    """Consecutive batches of ``rows`` within both limits (see the module docstring)."""
    packer = _Packer(max_rows, max_bytes, row_bytes, envelope_bytes, separator_bytes)
    yield from packer.pack(rows)


async def abatch_rows(
    rows: Iterable[T] | AsyncIterable[T],
    *,
    max_rows: int,
    max_bytes: int,
    row_bytes: Callable[[T], int] = json_size,
    envelope_bytes: int = 0,
    separator_bytes: int = 1,
) -> AsyncIterator[list[T]]:
    """:func:`batch_rows` for a sync or async source."""
    packer = _Packer(max_rows, max_bytes, row_bytes, envelope_bytes, separator_bytes)
    if not isinstance(rows, AsyncIterable):
        for batch in packer.pack(rows):
            yield batch
        return
    async for row in rows:
        closed = packer.add(row)
        if closed is not None:
            yield closed
    last = packer.flush()
    if last is not None:
        yield last


async def with_last(batches: AsyncIterator[list[T]]) -> AsyncIterator[tuple[list[T], bool]]:
    """Each batch with a flag telling whether it is the last one (one batch look-ahead)."""
    previous: list[T] | None = None
    async for batch in batches:
        if previous is not None:
            yield previous, False
        previous = batch
    if previous is not None:
        yield previous, True


@dataclass(frozen=True, slots=True)
class RequestBatch:
    """The prepared rows of one request of a member operation."""

    rows: list[Any]
    index: int  # position of the request in the operation, from 0
    rows_done: int  # input rows covered by this request and every earlier one
    last: bool

    def report(
        self,
        operation: str,
        *,
        received: int,
        invalid: int = 0,
        invalid_samples: tuple[str, ...] = (),
        raw: Any = None,
        last: bool | None = None,
        dropped: int = 0,
    ) -> BatchReport:
        """The :class:`BatchReport` of this request once the platform accepted it."""
        return BatchReport(
            operation=operation,
            batch_index=self.index,
            rows=len(self.rows),
            rows_done=self.rows_done,
            received=received,
            invalid=invalid,
            invalid_samples=invalid_samples,
            last=self.last if last is None else last,
            raw=raw if isinstance(raw, dict) else {},
            dropped=dropped,
        )
