"""Audience Sync settings (env prefix ``AUDIENCE_SYNC_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from adscale_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUDIENCE_SYNC_", extra="ignore")
    service_name: ClassVar[str] = "audience-sync"

    database_url: str = (
        "postgresql+asyncpg://adscale_audience_sync@127.0.0.1:5432/adscale_audience_sync"
    )
    port: int = 8103


@lru_cache
def get_settings() -> Settings:
    return Settings()
