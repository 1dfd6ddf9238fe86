"""Member rows: their types, their fields, and lazy mapping over sync or async iterables."""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = [
    "Row",
    "Rows",
    "as_fields",
    "estimate_total",
    "field_schema",
    "map_rows",
    "row_values",
]

Row = str | Sequence[str]
Rows = Iterable[Row] | AsyncIterable[Row]


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


def estimate_total(rows: Rows, estimated_total: int | None) -> int | None:
    if estimated_total is not None:
        return estimated_total
    if isinstance(rows, Sequence | set | frozenset):
        return len(rows)
    return None


def as_fields(fields: str | Sequence[str]) -> tuple[str, ...]:
    result = (fields,) if isinstance(fields, str) else tuple(fields)
    if not result:
        raise ValueError("at least one identifier field is required")
    return result


def row_values(row: Row, width: int) -> tuple[str, ...]:
    """A row as a tuple of ``width`` values (a bare string is a one-field row)."""
    values = (row,) if isinstance(row, str) else tuple(row)
    if len(values) != width:
        raise ValueError(f"row has {len(values)} values, expected {width}")
    return values


def field_schema(name: str, named: Mapping[str, str], raw: Collection[str], taker: str) -> str:
    """The platform's identifier schema for field ``name``: ``named[name]`` for AdScale's
    field names, a platform schema name as is; ``ValueError`` (``"{taker} no 'x' identifier"``)
    for anything else."""
    if name in named:
        return named[name]
    if name in raw:
        return name
    raise ValueError(f"{taker} no {name!r} identifier")
