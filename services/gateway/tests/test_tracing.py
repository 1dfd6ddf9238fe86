"""The gateway joins the caller's W3C trace and hands it to the service it forwards to."""

from __future__ import annotations

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


async def test_forwarded_request_carries_the_callers_trace_with_the_gateways_span(
    gateway, upstreams
):
    incoming = f"00-{TRACE_ID}-b7ad6b7169203331-01"
    response = await gateway.get("/api/v1/campaigns", headers={"traceparent": incoming})
    assert response.status_code == 200
    forwarded = upstreams.seen[-1]["headers"]["traceparent"]
    version, trace_id, parent_id, flags = forwarded.split("-")
    assert (version, trace_id, flags) == ("00", TRACE_ID, "01")
    assert parent_id != "b7ad6b7169203331"  # the gateway's own span sits in between


async def test_a_request_without_context_starts_a_trace_the_service_continues(gateway, upstreams):
    await gateway.get("/api/v1/campaigns")
    await gateway.get("/api/v1/campaigns")
    first, second = (seen["headers"]["traceparent"] for seen in upstreams.seen[-2:])
    assert first.split("-")[1] != second.split("-")[1]  # one trace per request
    assert len(first.split("-")[1]) == 32 and int(first.split("-")[1], 16) != 0


async def test_each_request_is_one_server_span_the_service_is_parented_by(gateway, upstreams):
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        incoming = f"00-{TRACE_ID}-b7ad6b7169203331-01"
        response = await gateway.get("/api/v1/campaigns/x", headers={"traceparent": incoming})
        assert response.status_code == 200
        ours = [
            span
            for span in exporter.get_finished_spans()
            # the stand-in services are FastAPI apps with spans of their own
            if span.context.trace_id == int(TRACE_ID, 16)
            and span.instrumentation_scope is not None
            and span.instrumentation_scope.name.startswith("adscale")
        ]
    finally:
        exporter.shutdown()
    assert [(s.name, s.kind) for s in ours] == [("GET /api/v1/campaigns", SpanKind.SERVER)]
    span = ours[0]
    assert span.parent is not None and span.parent.span_id == 0xB7AD6B7169203331
    assert span.attributes["http.response.status_code"] == 200
    forwarded = upstreams.seen[-1]["headers"]["traceparent"]
    assert forwarded.split("-")[2] == format(span.context.span_id, "016x")
