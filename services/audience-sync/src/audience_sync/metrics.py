"""audience-sync's own Prometheus metrics: sync jobs, webhook deliveries, export jobs.

Definitions only; the call sites (``SyncEngine.run``, ``Deliverer.deliver``,
``run_export``) record with one call each. Platform API calls are counted by
``adscale_platforms.metrics`` in the clients' HTTP layer.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import ParamSpec

from prometheus_client import Counter, Histogram

P = ParamSpec("P")

LONG_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

SYNC_JOBS = Counter(
    "adscale_sync_jobs_total",
    "Sync job runs by outcome (completed, failed, lost: cancelled or taken over).",
    ["platform", "operation", "status"],
)
SYNC_DURATION = Histogram(
    "adscale_sync_duration_seconds",
    "Wall time of one sync job run.",
    ["platform", "operation"],
    buckets=LONG_BUCKETS,
)
SYNC_PROFILES = Counter(
    "adscale_sync_profiles_sent_total",
    "Profiles sent to a platform by sync runs (rate() gives profiles per second).",
    ["platform", "operation"],
)
WEBHOOK_DELIVERIES = Counter(
    "adscale_webhook_deliveries_total",
    "Webhook delivery attempts by result (succeeded, retrying, failed).",
    ["result"],
)
WEBHOOK_LATENCY = Histogram(
    "adscale_webhook_delivery_duration_seconds",
    "Time of one webhook delivery attempt, to the subscriber's response or the error.",
    ["result"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
EXPORT_JOBS = Counter(
    "adscale_export_jobs_total",
    "Export job runs by outcome (completed, failed, skipped).",
    ["status"],
)
EXPORT_DURATION = Histogram(
    "adscale_export_duration_seconds",
    "Wall time of one export job run.",
    buckets=LONG_BUCKETS,
)


def record_sync(
    platform: str, operation: str, status: str | None, seconds: float, sent: int
) -> None:
    SYNC_JOBS.labels(platform, operation, status or "lost").inc()
    SYNC_DURATION.labels(platform, operation).observe(seconds)
    SYNC_PROFILES.labels(platform, operation).inc(sent)


def record_webhook(status: str, latency_ms: float | None) -> None:
    """``status`` is the delivery's next state: pending (will retry), succeeded, failed."""
    result = "retrying" if status == "pending" else status
    WEBHOOK_DELIVERIES.labels(result).inc()
    if latency_ms is not None:
        WEBHOOK_LATENCY.labels(result).observe(latency_ms / 1000)


def counted_export(run: Callable[P, Awaitable[str]]) -> Callable[P, Awaitable[str]]:
    """Count an export run by the outcome it returns and time it."""

    @functools.wraps(run)
    async def counted(*args: P.args, **kwargs: P.kwargs) -> str:
        started = time.monotonic()
        outcome = await run(*args, **kwargs)
        EXPORT_JOBS.labels(outcome).inc()
        EXPORT_DURATION.observe(time.monotonic() - started)
        return outcome

    return counted
