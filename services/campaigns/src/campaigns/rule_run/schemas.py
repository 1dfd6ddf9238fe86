from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from adscale_common.pagination import OffsetPage
from adscale_common.types import UtcDateTime
from campaigns.rule.schemas import JudgedObject, Trigger

Outcome = Literal["applied", "skipped", "no_match"]


class FilterVerdict(BaseModel):
    metric: str
    window: str
    operator: str
    value: str | list[str]
    seen: str | None
    held: bool
    group: Literal["all", "any"]


class RunObjectRead(JudgedObject):
    """One object a run judged: the filters' values and verdicts, the action and its result."""

    outcome: Outcome
    evaluation: list[FilterVerdict]
    undone_at: UtcDateTime | None

    @field_validator("evaluation", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value  # runs recorded before the rule language


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_id: uuid.UUID
    trigger: Trigger
    dry_run: bool
    slot_at: UtcDateTime | None
    started_at: UtcDateTime
    finished_at: UtcDateTime | None
    window_start: date
    window_end: date
    campaigns_evaluated: int
    campaigns_affected: int
    undone_at: UtcDateTime | None


class RunDetail(RunRead):
    objects: OffsetPage[RunObjectRead]


class UndoResult(BaseModel):
    run_id: uuid.UUID
    undo_run_id: uuid.UUID
    objects_restored: int
    actions_taken: list[str]
