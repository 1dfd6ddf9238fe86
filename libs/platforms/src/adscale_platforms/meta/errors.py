"""Meta Graph API errors: ``{"error": {"code", "error_subcode", "message", "type",
"fbtrace_id"}}`` mapped to the typed errors of :mod:`adscale_platforms.errors`, and the
wait Meta asks for, read from its usage headers (``X-Business-Use-Case-Usage``,
``X-Ad-Account-Usage``) and ``Retry-After``.
"""

from __future__ import annotations

import json
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
    status_error,
)

__all__ = ["meta_error", "meta_retry_after"]

PLATFORM = "meta"

TOKEN_CODES = frozenset({102, 190, 463, 467})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80003} | set(range(80000, 80015)))
PERMISSION_CODES = frozenset({3, 10, 2654} | set(range(200, 300)))
TRANSIENT_CODES = frozenset({1, 2})
# "The object does not exist, cannot be loaded due to missing permissions, or does not
# support this operation" (code 100, subcode 33).
NOT_FOUND_SUBCODES = frozenset({33})
TOO_SMALL_HINTS = ("too small", "minimum", "below")


def _json_header(headers: httpx.Headers, name: str) -> dict[str, Any]:
    """A header holding a JSON object (Meta's usage headers); ``{}`` when absent or not one."""
    value = headers.get(name)
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def meta_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds until access is regained, from Meta's usage headers.

    ``X-Business-Use-Case-Usage`` holds ``estimated_time_to_regain_access`` in minutes per
    business use case; ``X-Ad-Account-Usage`` holds ``reset_time_duration`` in seconds;
    ``Retry-After`` is honoured when present.
    """
    waits: list[float] = []
    for entries in _json_header(headers, "x-business-use-case-usage").values():
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                minutes = entry.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float) and minutes > 0:
                    waits.append(float(minutes) * 60)
    seconds = _json_header(headers, "x-ad-account-usage").get("reset_time_duration")
    if isinstance(seconds, int | float) and seconds > 0:
        waits.append(float(seconds))
    header = parse_retry_after(headers.get("retry-after"))
    if header is not None:
        waits.append(header)
    return max(waits) if waits else None


def meta_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
    """Map a Graph API response to a typed error (``None`` for a success)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        if status < 400:
            return None
        message = f"HTTP {status}"
        return status_error(
            PLATFORM, status, None, message, retry_after=meta_retry_after(headers), raw=body
        ) or InvalidRequest(PLATFORM, None, message, http_status=status, raw=body)
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = str(error.get("error_user_msg") or error.get("message") or "Graph API error")
    args: dict[str, Any] = {"http_status": status, "raw": body}
    if code in TOKEN_CODES:
        return TokenExpired(PLATFORM, code, message, subcode, **args)
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimited(
            PLATFORM, code, message, subcode, retry_after=meta_retry_after(headers), **args
        )
    if code in PERMISSION_CODES:
        return PermissionDenied(PLATFORM, code, message, subcode, **args)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
        return PlatformUnavailable(PLATFORM, code, message, subcode, **args)
    lowered = message.lower()
    if code == 2650 and any(hint in lowered for hint in TOO_SMALL_HINTS):
        return AudienceTooSmall(PLATFORM, code, message, subcode, **args)
    if code == 100 and subcode in NOT_FOUND_SUBCODES:
        return NotFound(PLATFORM, code, message, subcode, **args)
    samples = error.get("error_data")
    return InvalidRequest(
        PLATFORM,
        code,
        message,
        subcode,
        samples=[samples] if samples else None,
        **args,
    )
