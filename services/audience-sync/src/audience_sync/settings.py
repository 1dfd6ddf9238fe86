"""Audience Sync settings (env prefix ``AUDIENCE_SYNC_``).

Platform hosts, OAuth client ids/secrets, batch limits and retry policy belong to the
platform clients and come from their own ``PLATFORMS_*`` settings
(:class:`adscale_platforms.settings.PlatformSettings`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import Field

from adscale_common.settings import ServiceSettings
from audience_sync.export_webhook_settings import ExportWebhookSettings


class Settings(ServiceSettings, ExportWebhookSettings, env_prefix="AUDIENCE_SYNC_"):
    """The cipher (``AUDIENCE_SYNC_ENCRYPTION_KEYS``) keeps platform tokens and webhook
    signing secrets."""

    service_name: ClassVar[str] = "audience-sync"
    worker_metrics_port: int = 9103
    port: int = 8103

    # OAuth: how long a connect ``state`` stays valid; where platforms send the user back
    # (defaults to PLATFORMS_REDIRECT_URI).
    oauth_state_ttl_seconds: int = Field(default=600, ge=30)
    oauth_redirect_uri: str | None = None
    # Used when PLATFORMS_<PLATFORM>_CLIENT_ID is unset (development against the sandbox).
    default_client_id: str = "adscale-dev"

    # POST /audiences runs the initial sync inside the request up to this many profiles;
    # larger segments answer ``pending`` and the worker runs it.
    initial_sync_inline_max_profiles: int = Field(default=10_000, ge=0)

    # CSV import: rows per COPY + upsert chunk (memory stays bounded by one chunk).
    import_chunk_rows: int = Field(default=50_000, ge=100)

    # POST /sync computes ``estimated_changes`` from the real diff; profiles whose hashes
    # are not cached yet are hashed in the request up to this many, beyond it the estimate
    # counts them as additions (``exact: false``).
    estimate_rehash_limit: int = Field(default=100_000, ge=0)
    # An update's diff up to this many keys is kept as the job's plan (the worker skips
    # hashing and diffing when the segment has not changed since the request).
    plan_max_rows: int = Field(default=200_000, ge=0)

    # Sync engine.
    hash_processes: int = Field(default=2, ge=0)
    # The hashing processes' niceness: below the event loop, PostgreSQL and the platform
    # (an initial sync hashes ahead of its sends; at equal priority its hashing finished
    # early and the sends trailed it alone; see README, Performance).
    hash_nice: int = Field(default=10, ge=0, le=19)
    hash_chunk_rows: int = Field(default=25_000, ge=100)
    # An audience's first send goes out behind the hashing, chunk by chunk (off: the whole
    # segment is hashed first, then sent).
    overlap_hashing: bool = True
    # work_mem of the transactions that diff whole segments against audiences.
    diff_work_mem: str = "128MB"
    # Identifier fields sent side by side (each its own lane of requests).
    send_concurrency: int = Field(default=3, ge=1, le=8)
    job_lease_seconds: float = Field(default=30.0, gt=0)
    readback_timeout_seconds: float = Field(default=5.0, ge=0)
    readback_poll_seconds: float = Field(default=0.5, gt=0)
    platform_timeout_seconds: float = Field(default=60.0, gt=0)

    # Worker: scheduler and job recovery.
    scheduler_interval_seconds: float = Field(default=15.0, gt=0)
    scheduler_batch: int = Field(default=100, ge=1)
    requeue_after_seconds: float = Field(default=120.0, gt=0)

    # Privacy: erasures one worker run takes together (their removals share requests), and
    # the attempts (with exponential backoff from erasure_backoff_seconds, or the
    # platform's Retry-After) a removal gets before the erasure fails.
    erasure_batch: int = Field(default=10_000, ge=1)
    erasure_max_attempts: int = Field(default=5, ge=1)
    erasure_backoff_seconds: float = Field(default=1.0, ge=0)
    erasure_max_wait_seconds: float = Field(default=60.0, ge=0)

    # The worker's youngest-generation GC threshold (0 keeps Python's default).
    gc_threshold: int = Field(default=100_000, ge=0)

    # Kafka.
    jobs_consumer_group: str = "audience-sync-jobs"
    jobs_max_poll_interval_ms: int = Field(default=3_600_000, ge=10_000)
    cdp_profiles_topic: str = "cdp.profiles"
    cdp_profiles_consumer_group: str = "audience-sync-cdp-profiles"
    cdp_profiles_batch: int = Field(default=500, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
