"""Platform API calls as Prometheus metrics, recorded once in the clients' HTTP layer
(``BaseClient._once``): every client and every call site is covered without knowing it."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from adscale_platforms.errors import PlatformError

PLATFORM_CALLS = Counter(
    "adscale_platform_api_calls_total",
    "HTTP calls to an ad platform by method and response status (transport_error: none).",
    ["platform", "method", "status"],
)
PLATFORM_ERRORS = Counter(
    "adscale_platform_api_errors_total",
    "Platform calls that ended in an error, by error kind and the platform's code.",
    ["platform", "error", "code"],
)
PLATFORM_CALL_DURATION = Histogram(
    "adscale_platform_api_call_duration_seconds",
    "Time of one HTTP call to an ad platform (each retry is a call).",
    ["platform"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)


def record_call(platform: str, method: str, status: int | str, seconds: float) -> None:
    PLATFORM_CALLS.labels(platform, method, str(status)).inc()
    PLATFORM_CALL_DURATION.labels(platform).observe(seconds)


def record_error(error: PlatformError) -> None:
    code = "" if error.code is None else str(error.code)[:64]
    PLATFORM_ERRORS.labels(error.platform, type(error).__name__, code).inc()
