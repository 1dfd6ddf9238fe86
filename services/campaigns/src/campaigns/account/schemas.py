from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from adscale_common.types import UtcDateTime
from adscale_contracts.platforms import AdPlatform
from campaigns.models import AdAccount
from campaigns.patch import Patch
from campaigns.timezones import check_zone

AccountStatus = Literal["active", "disconnected"]
TimeZone = Annotated[
    str,
    Field(
        max_length=64,
        description="IANA time zone the account reports in; rule windows count its days",
    ),
    AfterValidator(check_zone),
]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    platform: AdPlatform
    account_id_external: str = Field(min_length=1, max_length=255)
    account_name: str | None = Field(default=None, max_length=255)
    access_token: SecretStr | None = Field(default=None, max_length=8192)
    time_zone: TimeZone = "UTC"


class AccountUpdate(Patch):
    """House extension (``PATCH /accounts/{id}``): rename, or reconnect with a new token."""

    account_name: str | None = Field(default=None, max_length=255)
    access_token: SecretStr | None = Field(default=None, min_length=1, max_length=8192)
    time_zone: TimeZone | None = None


class AccountRead(BaseModel):
    id: uuid.UUID
    platform: AdPlatform
    account_id_external: str
    account_name: str | None
    is_connected: bool
    status: AccountStatus
    disconnected_reason: str | None
    time_zone: str
    connected_at: UtcDateTime
    metrics_synced_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @classmethod
    def of(cls, account: AdAccount) -> AccountRead:
        # The row's columns (the encrypted token is not a field here) and what they imply.
        return cls.model_validate({**account.model_dump(), "is_connected": is_connected(account)})


def is_connected(account: AdAccount) -> bool:
    """Connected = active and holding a token we can call the platform with."""
    return account.status == "active" and account.access_token_encrypted is not None
