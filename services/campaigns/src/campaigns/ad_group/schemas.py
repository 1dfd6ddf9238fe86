from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from adscale_common.types import UtcDateTime
from campaigns.encoding import Money, PositiveMoney
from campaigns.patch import Patch

BidStrategy = Literal["auto_cpc", "manual_cpc", "target_roas"]
AdGroupStatus = Literal["active", "paused"]

MIN_AGE = 13
MAX_AGE = 65
_AGE = re.compile(r"^(\d{1,2})(?:-(\d{1,2})(\+)?|(\+))$")
# ISO 3166-1 alpha-2, from pycountry's copy of the ISO list (249 codes).
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)


def parse_age(value: str) -> tuple[int, int | None]:
    """``"25-45"`` -> (25, 45); ``"18-65+"`` / ``"65+"`` -> (.., None = no upper bound)."""
    match = _AGE.fullmatch(value.strip())
    if not match:
        raise ValueError('age must look like "25-45", "18-65+" or "65+"')
    low = int(match.group(1))
    if match.group(4):  # "N+"
        high: int | None = None
    else:
        high = int(match.group(2))
        if match.group(3):
            if high != MAX_AGE:
                raise ValueError(f'only "{MAX_AGE}+" may be open-ended')
            high = None
    if not MIN_AGE <= low <= MAX_AGE or (high is not None and not MIN_AGE <= high <= MAX_AGE):
        raise ValueError(f"ages must be between {MIN_AGE} and {MAX_AGE} ({MAX_AGE}+ allowed)")
    if high is not None and low > high:
        raise ValueError("the minimum age must not exceed the maximum age")
    return low, high


def _age(value: str) -> str:
    parse_age(value)
    return value.strip()


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


Interest = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
CountryCode = Annotated[str, AfterValidator(_country)]


class Targeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age: Annotated[str, AfterValidator(_age)] | None = None
    interests: list[Interest] | None = Field(default=None, max_length=100)
    locations: list[CountryCode] | None = Field(default=None, max_length=250)
    audiences: list[uuid.UUID] | None = Field(
        default=None,
        max_length=50,
        description="AdScale audience ids this ad group targets (audience-health rules)",
    )

    @field_validator("interests", "locations", "audiences")
    @classmethod
    def _unique(cls, value: list[Any] | None) -> list[Any] | None:
        if value is None:
            return None
        return list(dict.fromkeys(value))

    # No return annotation on purpose: pydantic then documents the model's own fields as
    # the serialized schema (with `-> dict[str, Any]` the OpenAPI showed a bare object).
    @model_serializer(mode="wrap")
    def _audiences_when_set(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        data: dict[str, Any] = handler(self)
        if data.get("audiences") is None:
            data.pop("audiences", None)
        return data


def _check_bid(strategy: str | None, amount: object) -> None:
    if strategy == "manual_cpc" and amount is None:
        raise ValueError("bid_amount is required with bid_strategy manual_cpc")
    if strategy is not None and strategy != "manual_cpc" and amount is not None:
        raise ValueError("bid_amount is only used with bid_strategy manual_cpc")


class AdGroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    campaign_id: uuid.UUID
    name: str = Field(min_length=1, max_length=255)
    targeting: Targeting = Field(default_factory=Targeting)
    bid_strategy: BidStrategy = "auto_cpc"
    bid_amount: PositiveMoney | None = None
    status: AdGroupStatus = "active"

    @model_validator(mode="after")
    def _bid(self) -> AdGroupCreate:
        _check_bid(self.bid_strategy, self.bid_amount)
        return self


class AdGroupUpdate(Patch):
    not_null = ("name", "targeting", "bid_strategy", "status")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    targeting: Targeting | None = None
    bid_strategy: BidStrategy | None = None
    bid_amount: PositiveMoney | None = None
    status: AdGroupStatus | None = None


class AdGroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    campaign_id: uuid.UUID
    name: str
    targeting: Targeting
    bid_strategy: BidStrategy
    bid_amount: Money | None
    status: AdGroupStatus
    created_at: UtcDateTime
    updated_at: UtcDateTime
