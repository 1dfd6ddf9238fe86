"""The API's two error formats as typed exceptions.

AdScale routes answer ``{"detail": "..."}`` (422: FastAPI's list of ``loc/msg/type``);
audience-sync routes (``/cdp/...``) answer ``{"error": {"code", "message", "details"}}``.
Either way the SDK raises one ``ApiError`` subclass chosen by the status, carrying the
code (audience-sync's, or ``HTTP_<status>`` for AdScale routes), the message, the details
and, on 429, ``retry_after`` in seconds.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx


class AdScaleError(Exception):
    """Anything the SDK raises."""


class TransportError(AdScaleError):
    """The API could not be reached (connection refused, timeout)."""


class JobFailedError(AdScaleError):
    """A sync job or export that was waited for finished without success."""

    def __init__(self, kind: str, job: dict[str, Any]) -> None:
        self.kind = kind
        self.job = job
        code = job.get("error_code") or (job.get("error") or {}).get("code") or "FAILED"
        message = (
            job.get("error_message") or (job.get("error") or {}).get("message") or job["status"]
        )
        self.code = str(code)
        super().__init__(f"{kind} {job.get('status')}: {code}: {message}")


class ApiError(AdScaleError):
    """An error answer of the API."""

    status_code: int = 0

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        details: Any = None,
        family: str = "adscale",
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details
        self.family = family
        self.retry_after = retry_after
        self.request_id = request_id


class BadRequestError(ApiError):
    """400."""


class AuthenticationError(ApiError):
    """401: missing, wrong or expired credentials (or a platform's expired token)."""


class PermissionDeniedError(ApiError):
    """403: the plan does not allow it (plan limits, API access on Free)."""


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409."""


class ValidationError(ApiError):
    """422: the payload was refused field by field (``details``)."""


class RateLimitError(ApiError):
    """429: ``retry_after`` says when to try again."""


class ServerError(ApiError):
    """5xx: the API or a platform behind it failed."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _validation_message(items: list[Any]) -> str:
    parts = []
    for item in items:
        if isinstance(item, dict):
            loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
            parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
    return "; ".join(parts) or "validation failed"


def error_from_response(response: httpx.Response) -> ApiError:
    """The exception for an error answer (its body must have been read)."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    family = "adscale"
    details: Any = None
    code = f"HTTP_{status}"
    message = response.reason_phrase or "error"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        family = "audience-sync"
        inner = body["error"]
        code = str(inner.get("code") or code)
        message = str(inner.get("message") or message)
        details = inner.get("details")
    elif isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        if isinstance(detail, list):
            code = "VALIDATION_ERROR" if status == 422 else code
            message = _validation_message(detail)
            details = detail
        else:
            message = str(detail)
    elif response.text:
        message = response.text[:500]
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return cls(
        status,
        code,
        message,
        details=details,
        family=family,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        request_id=response.headers.get("X-Request-ID"),
    )
