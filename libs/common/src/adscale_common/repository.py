"""Rows that belong to one user: the owned-row repository every service builds on.

A table with ``id`` and ``user_id`` columns (``created_at`` to page newest first) gets
its ownership queries from one :class:`OwnedRepository` instead of hand-written
``get_owned`` / ``list_owned`` functions: load one row scoped to its owner (optionally
locked), a page of the owner's rows newest first with optional filters (equality, or
:class:`Contains` for a case-blind substring), a count; and the writes every such table
shares (insert stamped, changes applied and stamped, delete), which flush and never
commit. A row another user owns is indistinguishable from a missing one, so callers
render both as 404 (``not_found``), never revealing other tenants' ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from adscale_common.types import utcnow

ModelT = TypeVar("ModelT")


@dataclass(frozen=True)
class Contains:
    """A filter value: the column holds ``text`` anywhere, whatever the case (``%`` and
    ``_`` in it match themselves)."""

    text: str


class OwnedRepository(Generic[ModelT]):
    """Ownership queries of one table; stateless, so one instance per table serves every
    session. ``not_found`` builds the error :meth:`require` raises; ``where`` narrows every
    query to the rows that count (``revoked_at IS NULL``, say)."""

    def __init__(
        self,
        model: type[ModelT],
        *,
        not_found: Callable[[], Exception],
        newest_first_by: str = "created_at",
        where: Sequence[ColumnElement[bool]] = (),
    ) -> None:
        for name in ("id", "user_id"):
            if not hasattr(model, name):
                raise TypeError(f"{model.__name__} has no {name} column to own rows by")
        self.model = model
        self.not_found = not_found
        self.newest_first_by = newest_first_by
        self.where = list(where)  # rows outside it do not exist here (revoked keys, say)

    def column(self, name: str) -> ColumnElement[Any]:
        column: ColumnElement[Any] = getattr(self.model, name)
        return column

    def owned_by(self, user_id: uuid.UUID, **equals: object) -> list[ColumnElement[bool]]:
        """The caller's rows, narrowed by each filter whose value is not ``None``: equal to
        it, or holding its text when it is a :class:`Contains`."""
        conditions = [self.column("user_id") == user_id, *self.where]
        for name, value in equals.items():
            if isinstance(value, Contains):
                conditions.append(self.column(name).icontains(value.text, autoescape=True))
            elif value is not None:
                conditions.append(self.column(name) == value)
        return conditions

    async def get(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        row_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> ModelT | None:
        stmt = sa.select(self.model).where(self.column("id") == row_id, *self.owned_by(user_id))
        if for_update:
            stmt = stmt.with_for_update()
        row: ModelT | None = (await session.execute(stmt)).scalar_one_or_none()
        return row

    async def require(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        row_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> ModelT:
        """The row, or :meth:`missing` raised when it is missing or someone else's."""
        row = await self.get(session, user_id, row_id, for_update=for_update)
        if row is None:
            raise self.missing(row_id)
        return row

    def missing(self, row_id: uuid.UUID) -> Exception:
        """The error :meth:`require` raises for ``row_id``: ``not_found()`` (a subclass may
        name the id in it)."""
        return self.not_found()

    async def owned_ids(
        self, session: AsyncSession, user_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Which of ``ids`` name the caller's rows (to check references in one query)."""
        stmt = sa.select(self.column("id")).where(
            self.column("id").in_(list(ids)), *self.owned_by(user_id)
        )
        return set((await session.execute(stmt)).scalars())

    async def count(self, session: AsyncSession, user_id: uuid.UUID, **equals: object) -> int:
        stmt = (
            sa.select(sa.func.count())
            .select_from(self.model)
            .where(  # type: ignore[arg-type]
                *self.owned_by(user_id, **equals)
            )
        )
        return int((await session.execute(stmt)).scalar_one())

    async def page(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        offset: int,
        limit: int,
        **equals: object,
    ) -> tuple[Sequence[ModelT], int]:
        """One page of the caller's rows, newest first (id breaks ties), and their total."""
        total = await self.count(session, user_id, **equals)
        stmt = (
            sa.select(self.model)
            .where(*self.owned_by(user_id, **equals))
            .order_by(self.column(self.newest_first_by).desc(), self.column("id"))
            .offset(offset)
            .limit(limit)
        )
        return list((await session.execute(stmt)).scalars()), total

    async def insert(self, session: AsyncSession, row: ModelT) -> ModelT:
        """Add a new row stamped ``created_at`` = ``updated_at`` = now, and flush."""
        now = utcnow()
        for name in ("created_at", "updated_at"):
            if hasattr(row, name):
                setattr(row, name, now)
        session.add(row)
        await session.flush()
        return row

    async def apply(
        self, session: AsyncSession, row: ModelT, changes: Mapping[str, object]
    ) -> list[str]:
        """Set each value of ``changes`` that differs from the row (``None`` included); when
        any did, stamp ``updated_at`` and flush. Returns the names that changed."""
        changed = [name for name, value in changes.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, changes[name])
        if changed:
            if hasattr(row, "updated_at"):
                setattr(row, "updated_at", utcnow())  # noqa: B010 (any owned table)
            await session.flush()
        return changed

    async def delete(self, session: AsyncSession, row: ModelT) -> None:
        await session.delete(row)
        await session.flush()
