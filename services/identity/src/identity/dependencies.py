"""Request dependencies for the service's own collaborators (settings, keys, hasher)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from identity.mail.sealing import TokenSeal
from identity.security import KeyConfigurationError, KeyRing, Passwords
from identity.settings import Settings


@dataclass
class Security:
    """Built once per app from its settings (eagerly at startup, lazily in tests)."""

    settings: Settings
    keys: KeyRing
    passwords: Passwords
    seal: TokenSeal

    @classmethod
    def from_settings(cls, settings: Settings) -> Security:
        for name in ("api_key_hmac_secret", "reset_token_secret"):
            if len(getattr(settings, name)) < 16:
                raise KeyConfigurationError(f"IDENTITY_{name.upper()} must be set (16+ characters)")
        return cls(
            settings=settings,
            keys=KeyRing(
                settings.jwt_signing_key,
                settings.jwt_previous_keys,
                ttl_seconds=settings.access_token_ttl_seconds,
            ),
            passwords=Passwords(
                time_cost=settings.password_time_cost,
                memory_cost_kib=settings.password_memory_cost_kib,
                parallelism=settings.password_parallelism,
            ),
            seal=TokenSeal(settings.reset_token_secret),
        )


def security_of(app: FastAPI) -> Security:
    existing = getattr(app.state, "security", None)
    if isinstance(existing, Security):
        return existing
    settings: Settings = app.state.settings
    built = Security.from_settings(settings)
    app.state.security = built
    return built


def _security(request: Request) -> Security:
    return security_of(request.app)


AppSecurity = Annotated[Security, Depends(_security)]
