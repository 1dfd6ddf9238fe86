"""An audience as the store holds it (one row of ``audiences``): what the platform modules
and the people model read, apart from the queries that load and change it (``state``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Audience:
    pk: int
    platform: str
    audience_id: str
    account_id: str
    name: str
    description: str
    kind: str
    identifier_type: str | None
    attrs: dict[str, Any]
    member_count: int
    matched_count: int
    pub_member_count: int
    pub_matched_count: int
    uploads: int
    last_change_at: float | None
    created_at: float
    updated_at: float
    accepted_batches: int
    received_rows: int
    duplicate_rows: int
    invalid_rows: int
    removed_rows: int
    processing: bool = False

    @property
    def visible_members(self) -> int:
        return self.pub_member_count

    @property
    def visible_matched(self) -> int:
        return self.pub_matched_count
