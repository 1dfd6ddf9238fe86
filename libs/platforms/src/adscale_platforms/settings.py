"""Settings for the ad-platform clients (environment prefix ``PLATFORMS_``).

Every base URL is a setting whose default is the platform's real host, one per
host. Pointing a client at the platform sandbox is only a matter of changing
these URLs; nothing in the clients knows about the sandbox.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlatformSettings(BaseSettings):
    """Hosts, OAuth credentials, limits and retry policy for all four platforms."""

    model_config = SettingsConfigDict(
        env_prefix="PLATFORMS_", extra="ignore", populate_by_name=True
    )

    # --- hosts (one setting per real host) -------------------------------------------
    meta_graph_url: str = "https://graph.facebook.com"
    meta_www_url: str = "https://www.facebook.com"
    meta_api_version: str = "v25.0"

    google_datamanager_url: str = "https://datamanager.googleapis.com"
    google_ads_url: str = "https://googleads.googleapis.com"
    google_accounts_url: str = "https://accounts.google.com"
    google_oauth2_url: str = "https://oauth2.googleapis.com"
    # Google Ads API docs: "The latest active version is v26".
    google_ads_api_version: str = "v26"

    tiktok_business_url: str = "https://business-api.tiktok.com"
    # The advertiser authorization page lives on the same host, under /portal/auth.
    tiktok_auth_url: str = "https://business-api.tiktok.com"

    snapchat_adsapi_url: str = "https://adsapi.snapchat.com"
    snapchat_accounts_url: str = "https://accounts.snapchat.com"

    # --- OAuth ------------------------------------------------------------------------
    redirect_uri: str = "http://localhost:8107/api/v1/cdp/audience-sync/oauth/callback"

    meta_client_id: str = ""
    meta_client_secret: SecretStr = SecretStr("")
    meta_scopes: list[str] = Field(default_factory=lambda: ["ads_management", "ads_read"])

    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    google_scopes: list[str] = Field(
        default_factory=lambda: [
            "https://www.googleapis.com/auth/datamanager",
            "https://www.googleapis.com/auth/adwords",
        ]
    )
    google_developer_token: SecretStr = SecretStr("")
    # Manager (MCC) account used as login-customer-id / loginAccount, when any.
    google_login_customer_id: str = ""

    tiktok_app_id: str = ""
    # TikTok calls it the app's "secret"; PLATFORMS_TIKTOK_CLIENT_SECRET (the name the
    # other platforms use) is read too.
    tiktok_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("PLATFORMS_TIKTOK_SECRET", "PLATFORMS_TIKTOK_CLIENT_SECRET"),
    )

    snapchat_client_id: str = ""
    snapchat_client_secret: SecretStr = SecretStr("")
    snapchat_scopes: list[str] = Field(default_factory=lambda: ["snapchat-marketing-api"])

    # --- identifiers ------------------------------------------------------------------
    default_phone_region: str | None = "US"

    # --- retries / transport ----------------------------------------------------------
    max_attempts: int = Field(default=5, ge=1)
    # Upper bound for one wait, whatever the platform's retry-after says.
    max_retry_wait_seconds: float = Field(default=60.0, ge=0)
    # Exponential backoff used when a retryable error carries no retry-after.
    backoff_initial_seconds: float = Field(default=0.5, ge=0)
    backoff_max_seconds: float = Field(default=30.0, ge=0)
    request_timeout_seconds: float = Field(default=60.0, gt=0)

    # --- audience defaults ------------------------------------------------------------
    meta_customer_file_source: str = "USER_PROVIDED_ONLY"
    # Action types counted as conversions / revenue in Meta insights, first match wins.
    meta_conversion_action_types: list[str] = Field(
        default_factory=lambda: [
            "omni_purchase",
            "purchase",
            "offsite_conversion.fb_pixel_purchase",
        ]
    )
    google_membership_duration_days: int = Field(default=540, ge=1, le=540)
    # Request-level consent sent with Data Manager ingests (EU user consent policy).
    google_consent_ad_user_data: str = "CONSENT_GRANTED"
    google_consent_ad_personalization: str = "CONSENT_GRANTED"
    google_customer_match_terms_accepted: bool = True
    snapchat_retention_in_days: int = Field(default=9999, ge=1)

    # --- batch limits (rows per request, serialized bytes per request) ----------------
    meta_batch_max_rows: int = Field(default=10_000, ge=1, le=10_000)
    meta_batch_max_bytes: int = Field(default=8_000_000, ge=1_024)
    google_batch_max_rows: int = Field(default=10_000, ge=1, le=10_000)
    google_batch_max_bytes: int = Field(default=5_000_000, ge=1_024)
    tiktok_batch_max_rows: int = Field(default=1_000, ge=1)
    tiktok_batch_max_bytes: int = Field(default=1_000_000, ge=1_024)
    tiktok_file_max_rows: int = Field(default=500_000, ge=1)
    tiktok_file_max_bytes: int = Field(default=50_000_000, ge=1_024)
    snapchat_batch_max_rows: int = Field(default=100_000, ge=1, le=100_000)
    snapchat_batch_max_bytes: int = Field(default=10_000_000, ge=1_024)

    @classmethod
    def for_sandbox(cls, base: str, **overrides: Any) -> PlatformSettings:
        """Every host pointed at the platform sandbox served at ``base`` (which serves each
        host under ``/<platform>/<host>``), the sandbox's made-up client credentials, then
        ``overrides`` (retry policy, a client id, ...). For tests, benches and local runs."""
        values: dict[str, Any] = {
            "meta_graph_url": f"{base}/meta/graph",
            "meta_www_url": f"{base}/meta/www",
            "google_datamanager_url": f"{base}/google/datamanager",
            "google_ads_url": f"{base}/google/ads",
            "google_accounts_url": f"{base}/google/accounts",
            "google_oauth2_url": f"{base}/google/oauth2",
            "tiktok_business_url": f"{base}/tiktok/business",
            "tiktok_auth_url": f"{base}/tiktok/business",
            "snapchat_adsapi_url": f"{base}/snapchat/adsapi",
            "snapchat_accounts_url": f"{base}/snapchat/accounts",
            "meta_client_id": "adscale-meta",
            "meta_client_secret": SecretStr("meta-secret"),
            "google_client_id": "adscale-google",
            "google_client_secret": SecretStr("google-secret"),
            "google_developer_token": SecretStr("dev-token"),
            "tiktok_app_id": "adscale-tiktok",
            "tiktok_secret": SecretStr("tiktok-secret"),
            "snapchat_client_id": "adscale-snap",
            "snapchat_client_secret": SecretStr("snap-secret"),
        }
        return cls(**{**values, **overrides})


@lru_cache(maxsize=1)
def get_settings() -> PlatformSettings:
    """The process-wide settings, read from the environment once."""
    return PlatformSettings()
