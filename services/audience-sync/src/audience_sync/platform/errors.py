from __future__ import annotations

from typing import Any

from adscale_common.errors import AppError, BadGateway, BadRequest, Unauthorized
from adscale_platforms.errors import PlatformError
from audience_sync.platforms import PLATFORM_NAMES


class PlatformNotConnected(
    BadRequest, code="PLATFORM_NOT_CONNECTED", message="Platform not connected"
): ...


class CredentialsExpired(
    Unauthorized,
    code="CREDENTIALS_EXPIRED",
    message="Platform credentials expired; reconnect the platform",
): ...


class InvalidOAuthState(
    BadRequest, code="INVALID_OAUTH_STATE", message="Unknown, expired or already used OAuth state"
): ...


class InvalidOAuthCode(
    BadRequest,
    code="INVALID_OAUTH_CODE",
    message="The platform refused the authorization code; start the connection again",
):
    """The platform refused the authorization code (wrong, expired or already used): the
    caller's input, so 400 rather than PLATFORM_ERROR 502."""


class PlatformApiError(BadGateway, code="PLATFORM_ERROR", message="Platform API error"): ...


def platform_error(error: PlatformError, action: str) -> AppError:
    """``PLATFORM_ERROR`` (502) with the platform's own code and message in ``details``."""
    name = PLATFORM_NAMES.get(error.platform, error.platform)
    details: dict[str, Any] = {
        "platform": error.platform,
        "platform_error_code": error.code,
        "platform_error_message": error.message,
    }
    if error.subcode is not None:
        details["platform_error_subcode"] = error.subcode
    return PlatformApiError(f"Failed to {action} on {name}", details=details)
