"""OpenTelemetry tracing: one W3C trace from a request through the outbox and Kafka to
the consumer that handles the event (and the platform calls it makes).

* ``configure_tracing(service)``: the process's tracer provider (once), with OTLP/HTTP
  export only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set. Without it (and until a span
  processor is added, as tests do) spans are not recorded but still carry their trace and
  span ids (``adscale_common.tracer_provider``): log lines keep ``trace_id``, the outbox row
  and the Kafka headers keep ``traceparent``. The httpx and aiohttp-client
  instrumentations (which also propagate ``traceparent``) are switched on once per
  process; the asyncpg one (spans only) once spans are recorded.
* server spans: ``adscale_common.request_middleware`` makes one per request (services and
  gateway), parented by the incoming ``traceparent`` (``extract_context``).
* ``current_traceparent()``: what ``emit`` stores in the outbox row.
* ``publish_span`` / ``consume_span``: the relay's producer span (a child of the stored
  context, injected into the Kafka headers) and the consumer's span (a child of those).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adscale_common.tracer_provider import OnDemandTracerProvider

TRACEPARENT = "traceparent"
OTLP_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
# FastAPI's own OpenTelemetry support switches itself on once a tracer provider exists
# (configure_tracing installs one): a second server span per request plus spans around
# dependency resolution, the endpoint and serialization. The trace is our own
# server span and the client spans; FastAPI's copy is off.
NATIVE_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

_propagator = TraceContextTextMapPropagator()
_lock = threading.Lock()
_configured = False
tracer = trace.get_tracer("adscale")

Headers = Sequence[tuple[str, bytes]]


def configure_tracing(service: str) -> TracerProvider:
    """Install the process's tracer provider and instrumentations (idempotent)."""
    global _configured
    with _lock:
        current = trace.get_tracer_provider()
        if _configured and isinstance(current, TracerProvider):
            return current
        provider = OnDemandTracerProvider(resource=Resource.create({"service.name": service}))
        provider.on_recording(_instrument_database)
        if os.environ.get(OTLP_ENDPOINT_ENV):
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _instrument_clients()
        _configured = True
        active = trace.get_tracer_provider()
        assert isinstance(active, TracerProvider)
        return active


def _instrument_clients() -> None:
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    _instrument([HTTPXClientInstrumentor(), AioHttpClientInstrumentor()])


def _instrument_database() -> None:
    """asyncpg's instrumentation wraps every query in a span (a coroutine frame, a regex
    and the span's attributes each time) and sends nothing to PostgreSQL: worth it only
    when the spans are recorded."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    _instrument([AsyncPGInstrumentor()])  # type: ignore[no-untyped-call]


def _instrument(instrumentors: list[Any]) -> None:
    for instrumentor in instrumentors:
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def extract_context(carrier: dict[str, str]) -> otel_context.Context:
    """The context an incoming ``traceparent`` (and ``tracestate``) names."""
    return _propagator.extract(carrier)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, None outside any trace."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT)


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


@contextlib.contextmanager
def publish_span(topic: str, traceparent: str | None) -> Iterator[Headers]:
    """A producer span under the stored ``traceparent``; yields the headers to send."""
    parent = _propagator.extract({TRACEPARENT: traceparent}) if traceparent else None
    with tracer.start_as_current_span(
        f"{topic} publish",
        context=parent or otel_context.Context(),
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic},
    ) as span:
        yield _headers_of(span)


def _headers_of(span: Span) -> Headers:
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=trace.set_span_in_context(span))
    return [(key, value.encode()) for key, value in carrier.items()]


@contextlib.contextmanager
def consume_span(group: str, topic: str, partition: int, headers: Headers | None) -> Iterator[Span]:
    """The consumer's span, a child of the producer span named in the record's headers."""
    carrier = {
        key: value.decode("latin-1")
        for key, value in headers or ()
        if key == TRACEPARENT and isinstance(value, bytes)
    }
    parent = _propagator.extract(carrier) if carrier else otel_context.Context()
    with tracer.start_as_current_span(
        f"{topic} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.consumer.group.name": group,
            "messaging.destination.partition.id": str(partition),
        },
    ) as span:
        yield span
