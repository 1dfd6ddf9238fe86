"""The one request layer of a service app: its server span (parented by the incoming W3C
context, named by route template, refusals included), no span for /health and /metrics,
and the access line carrying the request id and the trace id."""

from __future__ import annotations

import logging
import uuid

import httpx
import orjson
import pytest
from fastapi import APIRouter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from adscale_common.app import create_service_app
from adscale_common.internal_auth import CurrentUser
from adscale_common.metrics_testing import metric_value
from adscale_common.observability import JsonFormatter
from adscale_common.testing import internal_headers
from plumbing_kit import AppSettings

KEY = "test-internal-key-" + "l" * 20
SERVICE = "layertest"
TRACE_ID = "5bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


def _app(database_url: str):
    router = APIRouter()

    @router.get("/api/v1/things/{thing_id}")
    async def thing(thing_id: str, user: CurrentUser) -> dict[str, str]:
        return {"id": thing_id}

    @router.get("/api/v1/metrics/overview")  # a route of its own, not the /metrics page
    async def overview(user: CurrentUser) -> dict[str, int]:
        return {"campaigns": 0}

    @router.get("/api/v1/broken")
    async def broken(user: CurrentUser) -> dict[str, str]:
        raise RuntimeError("boom")

    settings = AppSettings(database_url=database_url, internal_token_key=KEY, log_json=False)
    return create_service_app(settings, service=SERVICE, title="t", routers=[router])


@pytest.fixture
async def client(engine_a):
    app = _app(engine_a.url.render_as_string(hide_password=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            yield c


@pytest.fixture
def access_lines():
    """The JSON access lines the service writes while the test runs."""
    lines: list[dict[str, object]] = []
    formatter = JsonFormatter(SERVICE)

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(orjson.loads(formatter.format(record)))

    handler = Keep()
    logger = logging.getLogger("adscale.request")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def _server_spans(exporter: InMemorySpanExporter):
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]


async def test_a_request_is_one_server_span_under_the_callers_context_and_its_line_says_so(
    client, spans, access_lines
):
    headers = {
        **internal_headers(KEY, user_id=uuid.uuid4()),
        "traceparent": f"00-{TRACE_ID}-{PARENT}-01",
        "X-Request-ID": "req-layer-0001",
    }
    response = await client.get("/api/v1/things/abc/", headers=headers)  # trailing slash too
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "req-layer-0001"
    (span,) = _server_spans(spans)
    assert span.name == "GET /api/v1/things/{thing_id}"
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == PARENT
    assert span.attributes["http.route"] == "/api/v1/things/{thing_id}"
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["http.response.status_code"] == 200
    (line,) = [entry for entry in access_lines if entry["msg"] == "request"]
    assert line["request_id"] == "req-layer-0001"
    assert line["trace_id"] == TRACE_ID
    assert line["span_id"] == format(span.context.span_id, "016x")
    assert (line["status"], line["path"]) == (200, "/api/v1/things/abc/")


async def test_a_refused_request_is_traced_counted_and_logged_like_any_other(
    client, spans, access_lines
):
    labels = {"service": SERVICE, "route": "/api/v1/things/{thing_id}", "status": "401"}
    before = metric_value(
        (await client.get("/metrics")).text, "adscale_http_requests_total", **labels
    )
    response = await client.get("/api/v1/things/x")  # no internal token
    assert response.status_code == 401
    assert response.headers["x-request-id"]
    (span,) = _server_spans(spans)
    assert span.attributes["http.response.status_code"] == 401
    after = metric_value(
        (await client.get("/metrics")).text, "adscale_http_requests_total", **labels
    )
    assert after == before + 1
    assert [entry["status"] for entry in access_lines if entry["path"] == "/api/v1/things/x"] == [
        401
    ]


async def test_an_unknown_path_is_a_span_named_by_its_method_alone(client, spans):
    response = await client.get(
        "/api/v1/nowhere", headers=internal_headers(KEY, user_id=uuid.uuid4())
    )
    assert response.status_code == 404
    (span,) = _server_spans(spans)
    assert span.name == "GET"
    assert "http.route" not in span.attributes


async def test_an_unhandled_error_is_a_500_span_with_the_exception(client, spans):
    headers = internal_headers(KEY, user_id=uuid.uuid4())
    response = await client.get("/api/v1/broken", headers=headers)
    assert response.status_code == 500
    (span,) = _server_spans(spans)
    assert span.attributes["http.response.status_code"] == 500
    assert span.status.status_code is StatusCode.ERROR
    assert any(event.name == "exception" for event in span.events)


async def test_health_and_metrics_are_not_traced_but_a_route_named_metrics_is(client, spans):
    assert (await client.get("/health")).status_code in (200, 503)
    assert (await client.get("/metrics")).status_code == 200
    assert _server_spans(spans) == []
    headers = internal_headers(KEY, user_id=uuid.uuid4())
    assert (await client.get("/api/v1/metrics/overview", headers=headers)).status_code == 200
    assert [s.name for s in _server_spans(spans)] == ["GET /api/v1/metrics/overview"]
