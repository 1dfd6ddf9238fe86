"""Gateway settings (env prefix ``GATEWAY_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from adscale_common.settings import ServiceSettings


class Settings(ServiceSettings, env_prefix="GATEWAY_"):
    service_name: ClassVar[str] = "gateway"

    port: int = 8107
    # Prometheus metrics on a port of their own (the main port is public); 0: off.
    metrics_port: int = 9107
    identity_url: str = "http://127.0.0.1:8101"
    campaigns_url: str = "http://127.0.0.1:8102"
    audience_sync_url: str = "http://127.0.0.1:8103"
    billing_url: str = "http://127.0.0.1:8104"
    # Several instances of a service (`make up SCALE=N`): comma-separated base URLs, balanced
    # round-robin over the healthy ones (gateway.upstreams); empty: the single URL above.
    identity_urls: str = ""
    campaigns_urls: str = ""
    audience_sync_urls: str = ""
    billing_urls: str = ""
    upstream_health_interval_seconds: float = Field(default=1.0, gt=0)

    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 3.0
    # Idle upstream connections are dropped after this long. It must stay below the
    # services' own keep-alive (uvicorn closes idle connections after 5 s): otherwise the
    # gateway can reuse a connection the service is closing at that moment, and the request
    # fails with a 502 "closed the connection".
    upstream_keepalive_seconds: float = Field(default=4.0, gt=0)
    health_timeout_seconds: float = 2.0
    openapi_cache_seconds: float = 30.0
    max_buffered_body_bytes: int = 1_048_576

    # API-key answers from identity are cached this long while the revocation listener is
    # live, and at most `api_key_untrusted_cache_seconds` while it is not (README: "API keys").
    api_key_cache_seconds: float = Field(default=30.0, gt=0)
    api_key_untrusted_cache_seconds: float = Field(default=1.0, ge=0, le=2.0)
    # The listener counts as not live once a partition had no fetch response for this long.
    revocations_stale_seconds: float = Field(default=1.5, gt=0.5, le=2.0)

    # House rate limits (requests per window); the spec's audience-sync limits are fixed.
    rate_limit_user_per_minute: int = 600
    rate_limit_anonymous_per_minute: int = 120
    rate_limit_login_per_ip_per_minute: int = 30
    rate_limit_login_per_email_per_5_minutes: int = 10

    # The dashboard: its production build (default: web/dist of this checkout) and how long
    # the browser keeps the refresh-token cookie (identity's refresh-token lifetime).
    web_dist_dir: str = ""
    session_cookie_max_age_seconds: int = Field(default=30 * 86400, gt=0)

    def web_dist_path(self) -> Path:
        from gateway.web import default_dist

        return Path(self.web_dist_dir) if self.web_dist_dir else default_dist()

    def upstream_urls(self) -> dict[str, str]:
        return {
            "identity": self.identity_url,
            "campaigns": self.campaigns_url,
            "audience-sync": self.audience_sync_url,
            "billing": self.billing_url,
        }

    def upstream_url_lists(self) -> dict[str, list[str]]:
        lists = {
            "identity": self.identity_urls,
            "campaigns": self.campaigns_urls,
            "audience-sync": self.audience_sync_urls,
            "billing": self.billing_urls,
        }
        single = self.upstream_urls()
        return {
            service: [u.strip() for u in raw.split(",") if u.strip()] or [single[service]]
            for service, raw in lists.items()
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
