"""AdScale's typed Python SDK: ``Client`` and ``AsyncClient`` on httpx.

from adscale import Client
with Client(api_key="adscale_live_...") as client:
    for campaign in client.campaigns.iter(status="active"):
        print(campaign.name)
"""

from adscale import models
from adscale._async_client import AsyncClient
from adscale._sync_client import Client
from adscale.auth import Tokens
from adscale.errors import (
    AdScaleError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)
from adscale.settings import DEFAULT_BASE_URL, VERSION

__version__ = VERSION
__all__ = [
    "DEFAULT_BASE_URL",
    "AdScaleError",
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "JobFailedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "Tokens",
    "TransportError",
    "ValidationError",
    "models",
]
