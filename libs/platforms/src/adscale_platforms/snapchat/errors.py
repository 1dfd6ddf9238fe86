"""Snapchat errors: ``{"request_status": "ERROR", "request_id", "debug_message",
"display_message", "error_code"}`` with HTTP 400/401/403/404/429/5xx, mapped to the typed
errors of :mod:`adscale_platforms.errors`."""

from __future__ import annotations

from typing import Any

import httpx

from adscale_platforms.errors import (
    AudienceTooSmall,
    InvalidRequest,
    PlatformError,
    TokenExpired,
    parse_retry_after,
    status_error,
)

__all__ = ["PLATFORM", "snapchat_error"]

PLATFORM = "snapchat"


def snapchat_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
    """Map a Snapchat response to a typed error (HTTP status first, then ``error_code``)."""
    request_status = str(body.get("request_status", "")).upper() if isinstance(body, dict) else ""
    if status < 400 and request_status != "ERROR":
        return None
    if isinstance(body, dict):
        code = body.get("error_code") or status
        message = str(
            body.get("display_message")
            or body.get("debug_message")
            or body.get("error")
            or body.get("error_description")
            or f"HTTP {status}"
        )
    else:
        code, message = status, f"HTTP {status}"
    args: dict[str, Any] = {"http_status": status, "raw": body}
    oauth_error = body.get("error") if isinstance(body, dict) else None
    if oauth_error == "invalid_grant":
        return TokenExpired(PLATFORM, code or oauth_error, message, **args)
    by_status = status_error(
        PLATFORM,
        status,
        code,
        message,
        retry_after=parse_retry_after(headers.get("retry-after")),
        raw=body,
    )
    if by_status is not None:
        return by_status
    if "too few" in message.lower() or "too small" in message.lower():
        return AudienceTooSmall(PLATFORM, code, message, **args)
    samples = (
        [
            entry
            for entry in (body.get("users") or body.get("segments") or [])
            if isinstance(entry, dict)
            and str(entry.get("sub_request_status", "")).upper() == "ERROR"
        ]
        if isinstance(body, dict)
        else []
    )
    return InvalidRequest(PLATFORM, code, message, samples=samples, **args)
