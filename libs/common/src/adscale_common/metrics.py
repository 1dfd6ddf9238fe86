"""Prometheus metric families of the shared plumbing, and how a process exposes them.

Definitions only (plus exposition): the call sites (HTTP middleware, outbox relay,
consumer runner, lag sampler, pool collector) do ``.inc()`` / ``.observe()`` /
``.set()``. Names follow ``adscale_<area>_<thing>_<unit>``; label values are
bounded (route templates, topics, consumer groups, service names).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)

logger = logging.getLogger(__name__)

# Seconds: from a 5 ms cache hit to a 10 s platform round trip.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# HTTP (every service app built by create_service_app).
HTTP_REQUESTS = Counter(
    "adscale_http_requests_total",
    "HTTP requests answered, by route template, method and status.",
    ["service", "route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "adscale_http_request_duration_seconds",
    "Time from request to the last byte of the response.",
    ["service", "route", "method"],
    buckets=LATENCY_BUCKETS,
)

# Transactional outbox (sampled by the relay).
OUTBOX_PENDING = Gauge(
    "adscale_outbox_pending_events",
    "Outbox rows not yet published to Kafka.",
    ["service"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "adscale_outbox_oldest_pending_age_seconds",
    "Age of the oldest unpublished outbox row (0 when none is pending).",
    ["service"],
)
OUTBOX_PUBLISHED = Counter(
    "adscale_outbox_published_events_total",
    "Outbox rows published to Kafka and acknowledged.",
    ["service", "topic"],
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "adscale_outbox_publish_failures_total",
    "Relay batches that failed to publish (retried with backoff).",
    ["service"],
)

# Consumers (ConsumerRunner).
EVENTS_HANDLED = Counter(
    "adscale_consumer_events_handled_total",
    "Events whose handler committed (duplicates skipped by the inbox not included).",
    ["group", "topic"],
)
EVENTS_DUPLICATE = Counter(
    "adscale_consumer_events_duplicate_total",
    "Events skipped because the inbox had already recorded them.",
    ["group", "topic"],
)
EVENTS_FAILED = Counter(
    "adscale_consumer_events_failed_total",
    "Handler attempts that raised (each retry counts once).",
    ["group", "topic"],
)
EVENTS_DEAD_LETTERED = Counter(
    "adscale_consumer_events_dead_lettered_total",
    "Messages sent to <topic>.dlq (undecodable, or failed every attempt).",
    ["group", "topic"],
)
CONSUMER_LAG = Gauge(
    "adscale_kafka_consumer_lag_messages",
    "High watermark minus the group's position, per assigned partition.",
    ["group", "topic", "partition"],
)

# Database pools (sampled at scrape time by adscale_common.pool_metrics).
DB_POOL_CONNECTIONS = Gauge(
    "adscale_db_pool_connections",
    "Connections of a process's SQLAlchemy pool by state (checked_out, idle, overflow).",
    ["service", "state"],
)
DB_POOL_MAX = Gauge(
    "adscale_db_pool_max_connections",
    "Most connections the pool may open (pool size + max overflow).",
    ["service"],
)


def exposition() -> tuple[bytes, str]:
    """The text exposition of this process's registry and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def serve_metrics(port: int, host: str = "127.0.0.1") -> Any | None:
    """Serve ``/metrics`` on ``host:port`` from a daemon thread (a worker's metrics port).

    A port that is taken is reported and skipped: a worker without its metrics
    endpoint still does its work. Returns the server (``shutdown()`` stops it), or None.
    """
    try:
        server, thread = start_http_server(port, addr=host)
    except OSError as exc:
        logger.warning("metrics port unavailable", extra={"port": port, "error": repr(exc)})
        return None
    assert isinstance(thread, threading.Thread)
    logger.info("metrics served", extra={"port": server.server_port})
    return server
