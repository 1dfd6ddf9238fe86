"""Spans without an exporter: not recorded, yet every trace and span id a recorded span
would carry is still there (log lines, the outbox row, Kafka headers, an outgoing
``traceparent``); the first span processor switches recording on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from adscale_common.tracer_provider import OnDemandTracerProvider
from adscale_common.tracing import current_traceparent, extract_context

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SCRIPT = Path(__file__).with_name("unrecorded_service.py")


def _provider() -> OnDemandTracerProvider:
    return OnDemandTracerProvider(resource=Resource.create({"service.name": "t"}))


def test_without_a_processor_a_span_continues_the_callers_trace_unrecorded():
    tracer = _provider().get_tracer("adscale")
    for flags in ("01", "00"):
        parent = extract_context({"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-{flags}"})
        span = tracer.start_span("GET /x", context=parent, kind=SpanKind.SERVER)
        assert not span.is_recording()
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            version, trace_id, span_id, sent_flags = (current_traceparent() or "").split("-")
        finally:
            otel_context.detach(token)
        assert (version, trace_id, sent_flags) == ("00", TRACE_ID, flags)
        assert span_id not in ("00f067aa0ba902b7", "0" * 16)


def test_without_a_processor_a_root_span_starts_a_sampled_trace_of_its_own():
    tracer = _provider().get_tracer("adscale")
    with tracer.start_as_current_span("root") as root, tracer.start_as_current_span("child"):
        child = trace.get_current_span()
        first = current_traceparent() or ""
    assert not root.is_recording() and not child.is_recording()
    assert root.get_span_context().is_valid and root.get_span_context().trace_flags.sampled
    assert child.get_span_context().trace_id == root.get_span_context().trace_id
    assert child.get_span_context().span_id != root.get_span_context().span_id
    with tracer.start_as_current_span("another root"):
        second = current_traceparent() or ""
    assert first.split("-")[1] != second.split("-")[1]


def test_the_first_processor_switches_recording_on_for_tracers_handed_out_before():
    provider = _provider()
    tracer = provider.get_tracer("adscale")
    calls: list[str] = []
    provider.on_recording(lambda: calls.append("on"))
    with tracer.start_as_current_span("before"):
        pass
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    provider.on_recording(lambda: calls.append("late"))  # already recording: at once
    parent = extract_context({"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
    with tracer.start_as_current_span("after", context=parent) as span:
        assert span.is_recording()
    assert calls == ["on", "late"]
    (finished,) = exporter.get_finished_spans()
    assert finished.name == "after"
    assert format(finished.context.trace_id, "032x") == TRACE_ID
    assert finished.parent is not None and finished.parent.span_id == 0x00F067AA0BA902B7


def test_a_service_without_an_exporter_keeps_trace_ids_in_logs_outbox_and_kafka_headers(
    engine_a,
):
    """In a process of its own: the test process's provider has the in-memory exporters
    of other tests, and the global provider is set once per process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["ADSCALE_TEST_SCRATCH_URL"] = engine_a.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), TRACE_ID],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 202
    assert seen["recording"] is False
    assert seen["asyncpg_instrumented"] is False
    assert seen["stored"].startswith(f"00-{TRACE_ID}-") and seen["stored"].endswith("-01")
    assert seen["logged_trace_ids"] and set(seen["logged_trace_ids"]) == {TRACE_ID}
    published = seen["kafka_traceparent"].split("-")
    assert published[1] == TRACE_ID and published[3] == "01"
    assert published[2] != seen["stored"].split("-")[2]  # the producer's own span id
