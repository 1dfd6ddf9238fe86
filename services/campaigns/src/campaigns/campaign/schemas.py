from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from adscale_common.types import UtcDateTime
from adscale_contracts.platforms import AdPlatform
from campaigns.encoding import Money, PositiveMoney
from campaigns.patch import Patch

Objective = Literal["sales", "traffic", "awareness", "leads", "app_installs"]
CampaignStatus = Literal["draft", "active", "paused", "completed"]
ExternalId = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ad_account_id: uuid.UUID
    name: str = Field(min_length=1, max_length=255)
    objective: Objective
    budget_daily: PositiveMoney | None = None
    budget_lifetime: PositiveMoney | None = None
    status: CampaignStatus = "draft"
    start_date: date | None = None
    end_date: date | None = None
    external_campaign_id: str | None = ExternalId

    @model_validator(mode="after")
    def _consistent(self) -> CampaignCreate:
        if self.budget_daily is not None and self.budget_lifetime is not None:
            raise ValueError("budget_daily and budget_lifetime are mutually exclusive")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class CampaignUpdate(Patch):
    """Partial update; ``null`` clears a budget, a date or the external id."""

    not_null = ("name", "objective", "status")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    objective: Objective | None = None
    budget_daily: PositiveMoney | None = None
    budget_lifetime: PositiveMoney | None = None
    status: CampaignStatus | None = None
    start_date: date | None = None
    end_date: date | None = None
    external_campaign_id: str | None = ExternalId

    @model_validator(mode="after")
    def _consistent(self) -> CampaignUpdate:
        if self.budget_daily is not None and self.budget_lifetime is not None:
            raise ValueError("budget_daily and budget_lifetime are mutually exclusive")
        return self


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    ad_account_id: uuid.UUID
    name: str
    platform: AdPlatform
    objective: Objective
    budget_daily: Money | None
    budget_lifetime: Money | None
    status: CampaignStatus
    start_date: date | None
    end_date: date | None
    external_campaign_id: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
