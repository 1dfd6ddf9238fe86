"""Owned rows whose 404 names the id that was asked for.

Segments, audiences, erasures and sync jobs answer a missing (or another user's) row with
their ``*_NOT_FOUND`` error carrying ``details`` ``{"<kind>_id": "<id>"}``; this is
:class:`OwnedRepository` with that one difference in :meth:`missing`.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from adscale_common.errors import AppError
from adscale_common.repository import OwnedRepository

ModelT = TypeVar("ModelT")


class OwnedById(OwnedRepository[ModelT]):
    def __init__(self, model: type[ModelT], *, not_found: type[AppError], id_field: str) -> None:
        super().__init__(model, not_found=not_found)
        self.error = not_found
        self.id_field = id_field

    def missing(self, row_id: uuid.UUID) -> Exception:
        return self.error(details={self.id_field: str(row_id)})
