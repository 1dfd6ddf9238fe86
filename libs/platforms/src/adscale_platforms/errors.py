"""Typed errors raised by every platform client.

Each carries the platform's own ``code`` (and ``subcode`` where the platform has one),
its message, and the HTTP status. Only :class:`RateLimited` and
:class:`PlatformUnavailable` are retryable; everything else is a 4xx semantic the
caller has to act on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any


class PlatformError(Exception):
    """An error answered by (or on the way to) an ad platform."""

    retryable: bool = False

    def __init__(
        self,
        platform: str,
        code: str | int | None,
        message: str,
        subcode: str | int | None = None,
        http_status: int | None = None,
        *,
        raw: Any = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.code = code
        self.message = message
        self.subcode = subcode
        self.http_status = http_status
        self.raw = raw

    def __str__(self) -> str:
        parts = [f"{self.platform}"]
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.subcode is not None:
            parts.append(f"subcode={self.subcode}")
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        return f"[{' '.join(parts)}] {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(platform={self.platform!r}, code={self.code!r}, "
            f"subcode={self.subcode!r}, http_status={self.http_status!r}, "
            f"message={self.message!r})"
        )


class RateLimited(PlatformError):
    """Throttled; ``retry_after`` seconds come from the platform's own signal when it gives one."""

    retryable = True

    def __init__(
        self,
        platform: str,
        code: str | int | None,
        message: str,
        subcode: str | int | None = None,
        http_status: int | None = None,
        *,
        retry_after: float | None = None,
        raw: Any = None,
    ) -> None:
        super().__init__(platform, code, message, subcode, http_status, raw=raw)
        self.retry_after = retry_after


class TokenExpired(PlatformError):
    """The access token is expired, revoked or invalid: refresh it, or re-authorize."""


class PermissionDenied(PlatformError):
    """The token is valid but may not touch this account or object."""


class AudienceTooSmall(PlatformError):
    """The platform refused a removal/replace that would leave the audience too small."""


class InvalidRequest(PlatformError):
    """The request or some of its rows were refused; ``samples`` holds per-row details."""

    def __init__(
        self,
        platform: str,
        code: str | int | None,
        message: str,
        subcode: str | int | None = None,
        http_status: int | None = None,
        *,
        samples: list[Any] | None = None,
        raw: Any = None,
    ) -> None:
        super().__init__(platform, code, message, subcode, http_status, raw=raw)
        self.samples: list[Any] = list(samples or [])


class NotFound(InvalidRequest):
    """The audience, account or campaign does not exist (or is not visible to this token)."""


class PlatformUnavailable(PlatformError):
    """5xx, timeouts and transport failures: worth retrying later."""

    retryable = True


__all__ = [
    "AudienceTooSmall",
    "InvalidRequest",
    "NotFound",
    "PermissionDenied",
    "PlatformError",
    "PlatformUnavailable",
    "RateLimited",
    "TokenExpired",
    "parse_duration",
    "parse_retry_after",
    "status_error",
]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_duration(value: object) -> float | None:
    """Seconds from a protobuf JSON duration such as ``"30s"`` or ``"1.5s"``."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.endswith("s"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    return None


def status_error(
    platform: str,
    status: int,
    code: str | int | None,
    message: str,
    *,
    retry_after: float | None = None,
    raw: Any = None,
) -> PlatformError | None:
    """The typed error plain HTTP semantics give a status (5xx, 429, 401, 403, 404), else ``None``.

    For platforms whose error bodies add nothing (or nothing that decides) to the status.
    """
    if status >= 500:
        return PlatformUnavailable(platform, code, message, http_status=status, raw=raw)
    if status == 429:
        return RateLimited(
            platform, code, message, http_status=status, retry_after=retry_after, raw=raw
        )
    if status == 401:
        return TokenExpired(platform, code, message, http_status=status, raw=raw)
    if status == 403:
        return PermissionDenied(platform, code, message, http_status=status, raw=raw)
    if status == 404:
        return NotFound(platform, code, message, http_status=status, raw=raw)
    return None
