"""The two pagination styles of the public APIs.

* AdScale: ``?offset=0&limit=50`` -> ``{"items", "total", "offset", "limit"}``.
* Audience-sync: ``?page=1&page_size=20`` -> ``{<name>: [...], "total", "page", "page_size"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Bounds that keep OFFSET inside PostgreSQL's bigint (an absurd offset is a 422, not a 500).
MAX_OFFSET = 2**31 - 1
MAX_PAGE = 10_000_000


@dataclass(frozen=True, slots=True)
class OffsetParams:
    offset: int
    limit: int


def _offset_params(
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows to return")] = DEFAULT_LIMIT,
) -> OffsetParams:
    return OffsetParams(offset=offset, limit=limit)


Offset = Annotated[OffsetParams, Depends(_offset_params)]


class OffsetPage(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, items: list[T], total: int, params: OffsetParams) -> OffsetPage[T]:
        """The page of ``items`` (already rendered) that ``params`` asked for."""
        return cls(items=items, total=total, offset=params.offset, limit=params.limit)


@dataclass(frozen=True, slots=True)
class PageParams:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size


def _page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")
    ] = DEFAULT_PAGE_SIZE,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


Page = Annotated[PageParams, Depends(_page_params)]
