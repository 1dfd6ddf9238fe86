"""Owned rows whose 404 names the id that was asked for.

Segments, audiences, erasures and sync jobs answer a missing (or another user's) row with
their ``*_NOT_FOUND`` error carrying ``details`` ``{"<kind>_id": "<id>"}``; this is
:class:`OwnedRepository` with that one difference in :meth:`require`.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.errors import AppError
from adscale_common.repository import OwnedRepository

ModelT = TypeVar("ModelT")


class OwnedById(OwnedRepository[ModelT]):
    def __init__(self, model: type[ModelT], *, not_found: type[AppError], id_field: str) -> None:
        super().__init__(model, not_found=not_found)
        self.error = not_found
        self.id_field = id_field

    async def require(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        row_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> ModelT:
        row = await self.get(session, user_id, row_id, for_update=for_update)
        if row is None:
            raise self.error(details={self.id_field: str(row_id)})
        return row
