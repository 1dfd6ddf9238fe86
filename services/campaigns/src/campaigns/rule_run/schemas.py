from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from adscale_common.pagination import OffsetPage
from adscale_common.types import UtcDateTime
from campaigns.api import Ratio
from campaigns.rule.schemas import ActionName, Trigger

Outcome = Literal["applied", "skipped", "no_match"]


class FilterVerdict(BaseModel):
    metric: str
    window: str
    operator: str
    value: str | list[str]
    seen: str | None
    held: bool
    group: Literal["all", "any"]


class RunObjectRead(BaseModel):
    """One object a run judged: the filters' values and verdicts, the action and its result."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    object_type: Literal["campaign", "ad_group"]
    campaign_id: uuid.UUID | None
    campaign_name: str
    ad_group_id: uuid.UUID | None
    ad_group_name: str | None
    outcome: Outcome
    action: ActionName
    reason: str
    evaluation: list[FilterVerdict]
    metric_value: Ratio | None
    old_value: str | None
    new_value: str | None
    description: str
    platform_status: Literal["not_applicable", "pending", "pushing", "succeeded", "failed"]
    platform_error: str | None
    platform_pushed_at: UtcDateTime | None
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
