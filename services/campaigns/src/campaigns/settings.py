"""Campaigns settings (env prefix ``CAMPAIGNS_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import Field, SecretStr

from adscale_common.settings import CipherSettings, ServiceSettings


class Settings(ServiceSettings, CipherSettings, env_prefix="CAMPAIGNS_"):
    """The cipher (``CAMPAIGNS_ENCRYPTION_KEYS``) keeps ad accounts' access tokens."""

    service_name: ClassVar[str] = "campaigns"
    worker_metrics_port: int = 9102
    port: int = 8102

    # Optional OpenAI-compatible chat-completions provider for POST /creatives/generate-copy.
    copy_llm_url: str = ""
    copy_llm_api_key: SecretStr = Field(default=SecretStr(""), repr=False)
    copy_llm_model: str = ""
    copy_llm_timeout_seconds: float = Field(default=10.0, gt=0)

    # Worker schedules.
    metrics_sync_interval_seconds: float = Field(default=3600.0, gt=0)
    metrics_sync_lookback_days: int = Field(default=7, ge=1, le=90)
    rules_tick_seconds: float = Field(default=60.0, gt=0)
    rules_interval_seconds: float = Field(default=3600.0, gt=0)
    platform_push_lease_seconds: float = Field(default=300.0, gt=0)
    platform_push_max_attempts: int = Field(default=5, ge=1)
    platform_http_timeout_seconds: float = Field(default=30.0, gt=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
