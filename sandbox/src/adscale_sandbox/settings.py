"""Sandbox settings, read from the environment (prefix ``SANDBOX_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PLATFORMS = ("meta", "google", "tiktok", "snapchat")


class Settings(BaseSettings):
    """Everything that may differ between machines or test runs."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8110
    data_dir: Path = Path(".adscale/sandbox")

    access_token_lifetime_seconds: int = Field(default=3600, ge=1)
    refresh_token_lifetime_seconds: int = Field(default=30 * 86400, ge=1)
    auth_code_lifetime_seconds: int = Field(default=600, ge=1)

    # Audience sizes and match rates become visible this long after the last change.
    processing_delay_seconds: float = Field(default=0.5, ge=0)
    # A hash "matches" iff int(hash[:8], 16) % 1000 < match_permille (887 -> ~88.7 %).
    match_permille: int = Field(default=887, ge=0, le=1000)

    # Requests per minute per platform and access token (fixed one-minute windows).
    rate_limit_meta_per_minute: int = Field(default=6000, ge=1)
    rate_limit_google_per_minute: int = Field(default=6000, ge=1)
    rate_limit_tiktok_per_minute: int = Field(default=6000, ge=1)
    rate_limit_snapchat_per_minute: int = Field(default=6000, ge=1)

    # The pre-approved account every authorize endpoint signs in.
    test_user: str = "sandbox-user"
    ad_accounts_per_user: int = Field(default=3, ge=1, le=20)
    campaigns_per_account: int = Field(default=4, ge=1, le=50)

    # The Google Ads API refuses calls without a developer-token header.
    google_ads_require_developer_token: bool = True

    # Group commit: requests share one SQLite transaction for up to this long (0: commit
    # each request). A crash may lose this window of changes.
    commit_seconds: float = Field(default=1.0, ge=0, le=10)

    # Python's cyclic GC runs a young collection every this many new container objects
    # while the app runs (0: Python's default, 700). A bulk upload builds hundreds of
    # thousands of lists and tuples a request, none of them in a cycle, and at 700 the
    # collections that walk them cost about a sixth of the sandbox's CPU.
    gc_young_threshold: int = Field(default=100_000, ge=0)

    log_level: str = "info"

    def rate_limit(self, platform: str) -> int:
        value: int = getattr(self, f"rate_limit_{platform}_per_minute")
        return value

    @property
    def database_path(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"
