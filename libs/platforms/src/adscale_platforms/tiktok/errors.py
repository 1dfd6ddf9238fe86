"""TikTok errors: responses are ``{"code", "message", "request_id", "data"}`` and ``code != 0``
is an error even with HTTP 200; mapped to the typed errors of :mod:`adscale_platforms.errors`."""

from __future__ import annotations

from typing import Any

import httpx

from adscale_platforms.errors import (
    AudienceTooSmall,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    TokenExpired,
    parse_retry_after,
)

__all__ = ["PLATFORM", "tiktok_error"]

PLATFORM = "tiktok"

# TikTok return codes (HTTP 200, ``code`` in the body).
RATE_LIMIT_CODES = frozenset({40100})
# 40102 expired, 40104 empty, 40105 incorrect or revoked, 40107 refresh token invalid.
TOKEN_CODES = frozenset({40102, 40104, 40105, 40107})
PERMISSION_CODES = frozenset({40001, 40007})
NOT_FOUND_CODES = frozenset({40300})
TOO_SMALL_HINTS = ("1,000", "1000", "too small", "less than")


def tiktok_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
    """Map a TikTok response (``code != 0`` even on HTTP 200) to a typed error."""
    code = body.get("code") if isinstance(body, dict) else None
    if status < 400 and code in (0, None) and isinstance(body, dict):
        return None
    message = (
        str((body or {}).get("message") or f"HTTP {status}")
        if isinstance(body, dict)
        else f"HTTP {status}"
    )
    args: dict[str, Any] = {"http_status": status, "raw": body}
    retry_after = parse_retry_after(headers.get("retry-after"))
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimited(PLATFORM, code, message, retry_after=retry_after, **args)
    if code in TOKEN_CODES or status == 401:
        return TokenExpired(PLATFORM, code, message, **args)
    if code in PERMISSION_CODES or status == 403:
        return PermissionDenied(PLATFORM, code, message, **args)
    if (isinstance(code, int) and code >= 50000) or status >= 500:
        return PlatformUnavailable(PLATFORM, code, message, **args)
    if code in NOT_FOUND_CODES or status == 404:
        return NotFound(PLATFORM, code, message, **args)
    if any(hint in message.lower() for hint in TOO_SMALL_HINTS) and "audience" in message.lower():
        return AudienceTooSmall(PLATFORM, code, message, **args)
    return InvalidRequest(PLATFORM, code, message, **args)
