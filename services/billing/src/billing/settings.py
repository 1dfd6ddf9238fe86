"""Billing settings (env prefix ``BILLING_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from adscale_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore")
    service_name: ClassVar[str] = "billing"

    database_url: str = "postgresql+asyncpg://adscale_billing@127.0.0.1:5432/adscale_billing"
    port: int = 8104


@lru_cache
def get_settings() -> Settings:
    return Settings()
