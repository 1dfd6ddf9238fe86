"""Lazy row mapping over sync or async iterables."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["map_rows"]


def _map_sync(rows: Iterable[Any], fn: Callable[[Any], T]) -> Iterator[T]:
    for row in rows:
        yield fn(row)


async def _map_async(rows: AsyncIterable[Any], fn: Callable[[Any], T]) -> AsyncIterator[T]:
    async for row in rows:
        yield fn(row)


def map_rows(
    rows: Iterable[Any] | AsyncIterable[Any], fn: Callable[[Any], T]
) -> Iterable[T] | AsyncIterable[T]:
    """``fn`` applied to every row, lazily, keeping the source sync or async."""
    if isinstance(rows, AsyncIterable):
        return _map_async(rows, fn)
    return _map_sync(rows, fn)
