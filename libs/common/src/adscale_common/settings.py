"""Settings base shared by every service.

Each service subclasses :class:`ServiceSettings` with its own env prefix as a class
keyword and its name::

    class Settings(ServiceSettings, env_prefix="CAMPAIGNS_"):
        service_name: ClassVar[str] = "campaigns"

Values that every process needs to agree on (Kafka, the internal-token key) can also
come from the ``ADSCALE_`` names, which ``make up`` exports once for all processes. A
service that stores secrets at rest adds :class:`CipherSettings`.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adscale_common.crypto import TokenCipher, cipher_from_keys

SHARED_PREFIX = "ADSCALE_"


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set ``model_config`` with their prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: ClassVar[str] = "service"

    # Unset: the service's own database on this machine, adscale_<service> (local_database_url).
    database_url: str = ""
    kafka_bootstrap: str = "127.0.0.1:9092"
    redis_url: str = "redis://127.0.0.1:6379/0"
    internal_token_key: str = Field(default="", repr=False)
    log_level: str = "INFO"
    log_json: bool = True
    db_pool_size: int = 10
    # Connections opened past the pool under load (None: db_pool_size more).
    db_max_overflow: int | None = Field(default=None, ge=0)
    outbox_poll_seconds: float = 1.0
    # The worker process serves Prometheus metrics here (0: not served). Each service's
    # settings give it its own default port; API processes serve /metrics on their port.
    worker_metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    # Partitions of the topics a worker creates or grows (ADSCALE_KAFKA_PARTITIONS): at least
    # the number of worker instances, so each consumer of a group gets a share.
    kafka_partitions: int = Field(default=3, ge=1)

    def __init__(self, **values: Any) -> None:
        # Fall back to the shared ADSCALE_* variable for any field whose
        # prefixed variable is unset; explicit keyword values win over both.
        prefix = str(self.model_config.get("env_prefix", ""))
        for name in type(self).model_fields:
            if name in values:
                continue
            if prefix and os.environ.get(f"{prefix}{name}".upper()) is not None:
                continue
            shared = os.environ.get(f"{SHARED_PREFIX}{name}".upper())
            if shared is not None:
                values[name] = shared
        super().__init__(**values)

    @model_validator(mode="after")
    def _own_database(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = local_database_url(self.service_name)
        return self


class CipherSettings(BaseSettings):
    """Secrets at rest (platform tokens, webhook signing secrets): Fernet keys,
    comma-separated; the first encrypts, every one decrypts (rotation)."""

    encryption_keys: SecretStr = Field(default=SecretStr(""), repr=False)

    def cipher(self) -> TokenCipher | None:
        """The service's one cipher; ``None`` while no key is set (routes that need one: 503)."""
        prefix = str(self.model_config.get("env_prefix", ""))
        return cipher_from_keys(self.encryption_keys, setting=f"{prefix}ENCRYPTION_KEYS")


def local_database_url(service_name: str) -> str:
    """``adscale_<service>`` on this machine, as deploy/provision.sh creates it."""
    name = "adscale_" + service_name.replace("-", "_")
    return f"postgresql+asyncpg://{name}@127.0.0.1:5432/{name}"


def async_database_url(url: str) -> str:
    """Turn ``postgresql://`` into the asyncpg dialect SQLAlchemy needs."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url[len(plain) :]
    return url
