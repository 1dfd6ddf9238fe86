"""Identity settings (env prefix ``IDENTITY_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from adscale_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")
    service_name: ClassVar[str] = "identity"

    database_url: str = "postgresql+asyncpg://adscale_identity@127.0.0.1:5432/adscale_identity"
    port: int = 8101


@lru_cache
def get_settings() -> Settings:
    return Settings()
