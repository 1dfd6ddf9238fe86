"""Settings of segment exports and outbound webhooks (env prefix ``AUDIENCE_SYNC_``).

:class:`ExportWebhookSettings` is a mixin: the service's ``Settings`` inherits it, so every
field below is read from ``AUDIENCE_SYNC_<FIELD>`` (or ``ADSCALE_<FIELD>``) like the others.
It also stands alone (tests, the bench) with the same prefix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from adscale_common.settings import CipherSettings

STANDARD_WEBHOOKS_SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)


class ExportWebhookSettings(CipherSettings):
    """Webhook signing secrets are stored under the service's one cipher (CipherSettings's
    ``encryption_keys``)."""

    model_config = SettingsConfigDict(env_prefix="AUDIENCE_SYNC_", extra="ignore")

    # Where links in API answers point (the gateway's public address).
    public_base_url: str = "http://localhost:8107"

    # --- exports ------------------------------------------------------------------------
    export_dir: Path = Path(".adscale/exports")
    # A finished file and its download link live this long; the cleanup task deletes it after.
    export_link_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    # HMAC key of download links (``deploy/devsecrets.py`` generates it for ``make up``).
    export_signing_key: SecretStr = SecretStr("")
    # Rows per server-side cursor fetch (and per hashing task).
    export_chunk_rows: int = Field(default=50_000, ge=100)
    # Processes hashing and formatting chunks (0: a thread of the calling process).
    export_processes: int = Field(default=2, ge=0)
    # A running export extends its lease as it goes; a lapsed lease means its worker died.
    export_lease_seconds: float = Field(default=300.0, gt=0)
    export_max_attempts: int = Field(default=3, ge=1)
    # An export still waiting for a worker after this long is failed (EXPORT_TIMEOUT).
    export_pending_timeout_seconds: float = Field(default=6 * 3600.0, gt=0)
    export_cleanup_interval_seconds: float = Field(default=300.0, gt=0)
    # CSV with include_traits: one column per trait key up to this many keys, else a single
    # JSON ``traits`` column.
    export_max_trait_columns: int = Field(default=200, ge=0)

    # --- webhooks -----------------------------------------------------------------------
    # Development only: lets subscriptions and deliveries reach 127.0.0.0/8 and ::1.
    webhooks_allow_loopback: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Delay before each retry (Standard Webhooks schedule), scaled by +-jitter.
    webhook_retry_schedule_seconds: list[float] = Field(
        default_factory=lambda: list(STANDARD_WEBHOOKS_SCHEDULE)
    )
    webhook_retry_jitter: float = Field(default=0.1, ge=0, lt=1)
    # A subscription whose deliveries keep failing this long is disabled.
    webhook_disable_after_seconds: float = Field(default=5 * 86400.0, gt=0)
    # After a secret rotation, the previous secret keeps signing this long.
    webhook_secret_overlap_seconds: float = Field(default=24 * 3600.0, ge=0)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_batch: int = Field(default=50, ge=1)
    webhook_concurrency: int = Field(default=20, ge=1)
    # A delivery claimed by a process that died is retried once this lease lapses.
    webhook_inflight_lease_seconds: float = Field(default=60.0, gt=0)
    webhooks_consumer_group: str = "audience-sync-webhooks"
    # Consumer of campaigns.events turning rule actions into rule.executed deliveries.
    rule_webhooks_consumer_group: str = "audience-sync-rule-webhooks"

    @model_validator(mode="after")
    def _check(self) -> ExportWebhookSettings:
        if any(delay < 0 for delay in self.webhook_retry_schedule_seconds):
            raise ValueError("webhook_retry_schedule_seconds must not be negative")
        if self.webhook_inflight_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError("webhook_inflight_lease_seconds must exceed webhook_timeout_seconds")
        return self


def require_settings(settings: Any) -> ExportWebhookSettings:
    """``settings`` as the mixin, or a clear error when the service forgot to inherit it."""
    if not isinstance(settings, ExportWebhookSettings):
        raise TypeError(
            "the service Settings must inherit audience_sync.export_webhook_settings."
            "ExportWebhookSettings to run exports and webhooks"
        )
    return settings
