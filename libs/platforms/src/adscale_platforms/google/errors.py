"""Google error mapping: ``google.rpc.Status`` bodies (``{"error": {"code", "message",
"status", "details"}}``, a list of them from ``searchStream``) and OAuth ``{"error",
"error_description"}`` bodies, to the typed errors of :mod:`adscale_platforms.errors`."""

from __future__ import annotations

from typing import Any

import httpx

from adscale_platforms.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    TokenExpired,
    parse_duration,
    parse_retry_after,
)

__all__ = ["PLATFORM", "google_error"]

PLATFORM = "google"

TOKEN_STATUSES = frozenset({"UNAUTHENTICATED"})
PERMISSION_STATUSES = frozenset({"PERMISSION_DENIED"})
RATE_STATUSES = frozenset({"RESOURCE_EXHAUSTED"})
TRANSIENT_STATUSES = frozenset(
    {"UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED", "UNKNOWN"}
)


def _retry_delay(details: list[Any]) -> float | None:
    for detail in details:
        if not isinstance(detail, dict):
            continue
        delay = parse_duration(detail.get("retryDelay"))
        if delay is not None:
            return delay
        for item in detail.get("errors", []) if isinstance(detail.get("errors"), list) else []:
            quota = (
                (item.get("details") or {}).get("quotaErrorDetails")
                if isinstance(item, dict)
                else None
            )
            if isinstance(quota, dict):
                delay = parse_duration(quota.get("retryDelay"))
                if delay is not None:
                    return delay
    return None


def _reason_and_samples(details: list[Any]) -> tuple[str | None, list[Any]]:
    reason: str | None = None
    samples: list[Any] = []
    for detail in details:
        if not isinstance(detail, dict):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.rpc.ErrorInfo") and reason is None:
            reason = detail.get("reason")
        elif kind.endswith("google.rpc.BadRequest"):
            for violation in detail.get("fieldViolations", []) or []:
                if isinstance(violation, dict):
                    samples.append(
                        {
                            "field": violation.get("field"),
                            "description": violation.get("description"),
                            "reason": violation.get("reason"),
                        }
                    )
        elif kind.endswith("GoogleAdsFailure"):
            for item in detail.get("errors", []) or []:
                if not isinstance(item, dict):
                    continue
                code = item.get("errorCode") or {}
                if reason is None and isinstance(code, dict) and code:
                    reason = str(next(iter(code.values())))
                samples.append(
                    {
                        "message": item.get("message"),
                        "errorCode": code,
                        "location": item.get("location"),
                    }
                )
    return reason, samples


def google_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
    """Map a Google (rpc Status or OAuth) response to a typed error."""
    if isinstance(body, list):
        body = next((item for item in body if isinstance(item, dict) and "error" in item), None)
    error = body.get("error") if isinstance(body, dict) else None
    if status < 400 and error is None:
        return None
    retry_after = parse_retry_after(headers.get("retry-after"))
    # OAuth token endpoint: {"error": "invalid_grant", "error_description": "..."}
    if isinstance(error, str):
        description = (
            str(body.get("error_description") or error) if isinstance(body, dict) else error
        )
        if error == "invalid_grant":
            return TokenExpired(PLATFORM, error, description, http_status=status, raw=body)
        if error in {"unauthorized_client", "access_denied", "invalid_client"}:
            return PermissionDenied(PLATFORM, error, description, http_status=status, raw=body)
        if status == 429 or error == "rate_limit_exceeded":
            return RateLimited(
                PLATFORM, error, description, http_status=status, retry_after=retry_after, raw=body
            )
        if status >= 500:
            return PlatformUnavailable(PLATFORM, error, description, http_status=status, raw=body)
        return InvalidRequest(PLATFORM, error, description, http_status=status, raw=body)
    if not isinstance(error, dict):
        error = {}
    rpc_status = str(error.get("status") or "")
    message = str(error.get("message") or f"HTTP {status}")
    raw_details = error.get("details")
    details: list[Any] = raw_details if isinstance(raw_details, list) else []
    reason, samples = _reason_and_samples(details)
    code: str | int = rpc_status or status
    args: dict[str, Any] = {"http_status": status, "raw": body}
    if rpc_status in TOKEN_STATUSES or (not rpc_status and status == 401):
        return TokenExpired(PLATFORM, code, message, reason, **args)
    if rpc_status in RATE_STATUSES or status == 429:
        return RateLimited(
            PLATFORM,
            code,
            message,
            reason,
            retry_after=retry_after if retry_after is not None else _retry_delay(details),
            **args,
        )
    if rpc_status in PERMISSION_STATUSES or (not rpc_status and status == 403):
        return PermissionDenied(PLATFORM, code, message, reason, **args)
    if rpc_status in TRANSIENT_STATUSES or status >= 500:
        return PlatformUnavailable(PLATFORM, code, message, reason, **args)
    if rpc_status == "NOT_FOUND" or status == 404:
        return NotFound(PLATFORM, code, message, reason, samples=samples, **args)
    return InvalidRequest(PLATFORM, code, message, reason, samples=samples, **args)
