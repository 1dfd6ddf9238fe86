"""Identity settings (env prefix ``IDENTITY_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from adscale_common.settings import ServiceSettings

# OWASP Password Storage Cheat Sheet: argon2id with any of these
# (minimum memory in KiB, minimum iterations) pairs, parallelism 1 or more.
OWASP_ARGON2_MINIMUMS: tuple[tuple[int, int], ...] = (
    (47104, 1),
    (19456, 2),
    (12288, 3),
    (9216, 4),
    (7168, 5),
)


# Mailpit's SMTP address as deploy/provision.sh runs it.
DEV_SMTP_HOST = "127.0.0.1"
DEV_SMTP_PORT = 1025


class Settings(ServiceSettings, env_prefix="IDENTITY_"):
    service_name: ClassVar[str] = "identity"
    worker_metrics_port: int = 9101
    port: int = 8101
    # A fixed pool: every request of the gateway checks a user or a key here, and
    # connections opened past the pool and closed again cost a PostgreSQL backend start
    # and a SCRAM exchange each (README "The pool"). Requests beyond 20 at once wait for
    # a connection instead; the ceiling is the 20 connections it had before (10 + 10).
    db_pool_size: int = 20
    db_max_overflow: int | None = Field(default=0, ge=0)

    # Access tokens (EdDSA JWT). Keys are base64 of a PKCS8 PEM Ed25519 private key
    # (deploy/devsecrets.py); previous keys stay in the JWKS so their tokens keep verifying.
    jwt_signing_key: str = Field(default="", repr=False)
    jwt_previous_keys: str = Field(default="", repr=False)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)

    # API keys are stored as HMAC-SHA256(secret, raw key).
    api_key_hmac_secret: str = Field(default="", repr=False)
    api_key_last_used_resolution_seconds: int = Field(default=60, ge=0)

    # Password resets: token stored as HMAC-SHA256(secret, token).
    reset_token_secret: str = Field(default="", repr=False)
    reset_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    # At most this many reset mails per address per window; more requests still get 202.
    reset_mail_limit: int = Field(default=3, ge=1)
    reset_mail_window_seconds: int = Field(default=3600, ge=1)

    # argon2id parameters (defaults: argon2-cffi's RFC 9106 low-memory profile,
    # stronger than OWASP's minimum). Anything weaker than OWASP is refused.
    password_time_cost: int = 3
    password_memory_cost_kib: int = 65536
    password_parallelism: int = Field(default=4, ge=1)

    # "development" lets mail go to the local Mailpit (default 127.0.0.1:1025) over plain
    # SMTP; anywhere else the mailer refuses to run without an SMTP host (and /health
    # says degraded), and a remote host needs STARTTLS or SSL.
    environment: Literal["development", "test", "production"] = "production"
    # The gateway's public URL: mailed links point at {public_url}/reset-password?token=...
    public_url: str = "http://localhost:8107"

    # Mail delivery of reset links (worker): SMTP only, never the log.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "AdScale <no-reply@adscale.local>"
    mail_poll_seconds: float = Field(default=1.0, gt=0)
    mail_max_attempts: int = Field(default=8, ge=1)

    # Worker housekeeping: drop refresh tokens and resets this long after expiry.
    purge_after_days: int = Field(default=7, ge=0)
    purge_interval_seconds: float = 3600.0

    @model_validator(mode="after")
    def _mailpit_in_development(self) -> Settings:
        """Development without an SMTP host sends to the local Mailpit (``make up`` runs it)."""
        if self.environment == "development" and not self.smtp_host:
            self.smtp_host = DEV_SMTP_HOST
            if "smtp_port" not in self.model_fields_set:
                self.smtp_port = DEV_SMTP_PORT
            if "smtp_starttls" not in self.model_fields_set:
                self.smtp_starttls = False
        return self

    @model_validator(mode="after")
    def _argon2_at_least_owasp(self) -> Settings:
        strong_enough = any(
            self.password_memory_cost_kib >= memory and self.password_time_cost >= iterations
            for memory, iterations in OWASP_ARGON2_MINIMUMS
        )
        if not strong_enough:
            raise ValueError("argon2id parameters are weaker than OWASP's minimum")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
