"""A tracer provider that records spans only once something will receive them.

OpenTelemetry's SDK builds a full span (attributes, events, start and end times, the
span processors' hooks) for every sampled span, whether or not a span processor exists to
export it. A process without ``OTEL_EXPORTER_OTLP_ENDPOINT`` has none, so every span it
recorded went nowhere; on identity's ``GET /auth/me`` that was a sixth of the request
(services/identity/README.md, "Spans that go nowhere").

:class:`OnDemandTracerProvider` hands out tracers that, while the provider has no span
processor, make the span the SDK would have made *minus its recording*: the same trace id
(the parent's, or a new one for a root), a new span id, the trace flags and trace state the
configured sampler decides, as a ``NonRecordingSpan``. So everything that reads the
current span context keeps working without an exporter: log lines carry ``trace_id``, the
outbox row stores the ``traceparent`` and the Kafka headers carry it, and an outgoing
``traceparent`` keeps its sampled flag (a downstream process that exports still records).
The first :meth:`add_span_processor` (the OTLP exporter's at start-up, a test's in-memory
exporter later) switches recording on for every tracer of the provider, at once.

``on_recording`` callbacks run when recording switches on (``adscale_common.tracing``
installs the asyncpg instrumentation then: its per-query wrapper only makes spans, it
propagates nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace as trace_api
from opentelemetry.sdk.trace import SpanProcessor, Tracer, TracerProvider
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags
from opentelemetry.util.types import Attributes


class OnDemandTracerProvider(TracerProvider):
    """The SDK's provider, recording only once a span processor has been added."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.recording = False
        self._on_recording: list[Callable[[], None]] = []

    def on_recording(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when recording switches on (at once if it already is)."""
        if self.recording:
            callback()
        else:
            self._on_recording.append(callback)

    def add_span_processor(self, span_processor: SpanProcessor) -> None:
        super().add_span_processor(span_processor)
        if not self.recording:
            self.recording = True
            callbacks, self._on_recording = self._on_recording, []
            for callback in callbacks:
                callback()

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace_api.Tracer:
        tracer = super().get_tracer(*args, **kwargs)
        if not isinstance(tracer, Tracer):  # OTEL_SDK_DISABLED: the SDK's no-op tracer
            return tracer
        return OnDemandTracer(tracer, self)  # holds no state: the SDK caches the tracer


class OnDemandTracer(trace_api.Tracer):
    """The SDK tracer while its provider records; ``NonRecordingSpan``\\ s otherwise."""

    def __init__(self, tracer: Tracer, provider: OnDemandTracerProvider) -> None:
        self.sdk_tracer = tracer
        self.provider = provider

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> Span:
        if self.provider.recording:
            return self.sdk_tracer.start_span(name, *args, **kwargs)
        return self._unrecorded(name, *args, **kwargs)[0]

    def start_as_current_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The context manager of the SDK's tracer, or ``use_span`` of an unrecorded span."""
        if self.provider.recording:
            return self.sdk_tracer.start_as_current_span(name, *args, **kwargs)
        span, end_on_exit = self._unrecorded(name, *args, **kwargs)
        return trace_api.use_span(span, end_on_exit=end_on_exit)

    def _unrecorded(
        self,
        name: str,
        context: otel_context.Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[Link] | None = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> tuple[Span, bool]:
        """The context the SDK's ``start_span`` would give the span, without the span (the
        arguments of ``start_as_current_span``; what only a recorded span uses is unused),
        and ``end_on_exit``."""
        ids = self.sdk_tracer.id_generator
        parent = trace_api.get_current_span(context).get_span_context()
        if parent.is_valid:
            trace_id = parent.trace_id
            random_trace_id = parent.trace_flags.random_trace_id
        else:
            trace_id = ids.generate_trace_id()
            random_trace_id = ids.is_trace_id_random()
        sampled = self.sdk_tracer.sampler.should_sample(
            context, trace_id, name, kind, attributes, links
        )
        sample = sampled.decision.is_sampled()  # type: ignore[no-untyped-call]
        flags = TraceFlags.SAMPLED if sample else TraceFlags.DEFAULT
        if random_trace_id:
            flags |= TraceFlags.RANDOM_TRACE_ID
        span_context = SpanContext(
            trace_id,
            ids.generate_span_id(),
            is_remote=False,
            trace_flags=TraceFlags(flags),
            trace_state=sampled.trace_state,
        )
        return NonRecordingSpan(span_context), end_on_exit
