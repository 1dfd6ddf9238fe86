"""Forwarding behaviour: request ids, streaming, upstream failures, error families."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).parent))

from gateway.settings import Settings
from kit import KEY, echo_app, identity_app, in_process, serve


async def test_request_id_kept_when_well_formed_and_generated_otherwise(gateway, upstreams):
    kept = await gateway.get("/api/v1/campaigns", headers={"X-Request-ID": "client-chosen-id-42"})
    assert kept.headers["x-request-id"] == "client-chosen-id-42"
    assert upstreams.seen[-1]["request_id"] == "client-chosen-id-42"
    assert upstreams.seen[-1]["headers"]["x-request-id"] == "client-chosen-id-42"
    fresh = await gateway.get("/api/v1/campaigns", headers={"X-Request-ID": "<script>"})
    assert fresh.headers["x-request-id"] != "<script>"
    assert upstreams.seen[-1]["request_id"] == fresh.headers["x-request-id"]
    assert len(fresh.headers.get_list("x-request-id")) == 1


async def test_path_query_method_and_body_are_forwarded(gateway, upstreams):
    response = await gateway.post("/api/v1/campaigns/abc?x=1&y=two", json={"name": "n"})
    assert response.status_code == 201
    seen = upstreams.seen[-1]
    assert seen["path"] == "/api/v1/campaigns/abc" and seen["query"] == "x=1&y=two"
    assert seen["headers"]["x-forwarded-for"] == "203.0.113.7"


async def test_large_body_streams_through_unchanged(gateway, upstreams):
    body = b"external_id,email\n" + b"".join(
        b"%d,u%d@example.com\n" % (i, i) for i in range(120_000)
    )
    assert len(body) > 1_048_576  # above the buffering threshold

    async def chunks():
        for i in range(0, len(body), 65536):
            yield body[i : i + 65536]

    response = await gateway.post(
        "/api/v1/cdp/segments/s1/profiles/import",
        content=chunks(),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 201
    seen = upstreams.seen[-1]
    assert seen["body_len"] == len(body)
    assert seen["body_sha"] == base64.b64encode(hashlib.sha256(body).digest()).decode()


async def test_streaming_response_is_relayed(gateway):
    response = await gateway.get("/api/v1/campaigns/stream")
    assert response.status_code == 200
    assert response.text == "".join(f"chunk-{i}\n" for i in range(5))


async def test_upstream_down_is_503_and_timeout_is_504(gateway):
    down = await gateway.get("/api/v1/billing/plans")
    assert down.status_code == 503 and down.json() == {"detail": "billing is unavailable"}

    async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(never_answers, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    upstreams = gateway.gateway.forwarder.upstreams
    upstreams["campaigns"] = upstreams["audience-sync"] = f"http://127.0.0.1:{port}"
    try:
        slow = await gateway.get("/api/v1/campaigns")
        assert slow.status_code == 504 and "did not answer in time" in slow.json()["detail"]
        slow_cdp = await gateway.get("/api/v1/cdp/audience-sync/audiences")
        assert slow_cdp.status_code == 504
        assert slow_cdp.json()["error"]["code"] == "GATEWAY_TIMEOUT"
    finally:
        server.close()


async def test_unrouted_paths_are_404_in_family(gateway):
    detail = await gateway.get("/api/v1/nowhere")
    assert detail.status_code == 404 and detail.json() == {"detail": "Not Found"}
    envelope = await gateway.get("/api/v1/cdp/nowhere")
    assert envelope.status_code == 404 and envelope.json()["error"]["code"] == "NOT_FOUND"


async def test_idle_upstream_connections_are_dropped_before_the_services_keep_alive(
    upstreams, redis_clean, adscale_infra
):
    """The services (uvicorn) close idle connections after their keep-alive; the gateway
    drops its own idle ones first, so it never reuses a connection a service is closing
    (which failed a request with 502 "closed the connection")."""
    assert Settings().upstream_keepalive_seconds < uvicorn.Config(app=None).timeout_keep_alive
    async with serve(identity_app(upstreams)) as identity, serve(echo_app(upstreams)) as echo:
        settings = Settings(
            internal_token_key=KEY,
            redis_url=redis_clean,
            kafka_bootstrap=adscale_infra.kafka_bootstrap,
            identity_url=identity,
            campaigns_url=echo,
            upstream_keepalive_seconds=0.3,
            log_json=False,
        )
        async with in_process(settings, "203.0.113.8") as client:
            token = upstreams.keys[0].token()
            auth = {"Authorization": f"Bearer {token}"}

            async def port() -> int:
                response = await client.get("/api/v1/campaigns", headers=auth)
                assert response.status_code == 200, response.text
                return int(upstreams.seen[-1]["client_port"])

            first = await port()
            assert await port() == first  # kept alive between close requests
            await asyncio.sleep(0.8)  # idle past the gateway's keep-alive only
            assert await port() != first
