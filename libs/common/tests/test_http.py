from __future__ import annotations

import httpx
import respx

from adscale_common.http import make_http_client, send_with_retries


@respx.mock
async def test_retries_503_then_succeeds():
    route = respx.get("https://api.example.test/x").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(503),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    async with make_http_client() as client:
        response = await send_with_retries(
            lambda: client.get("https://api.example.test/x"), max_wait=0.01
        )
    assert response.status_code == 200 and route.call_count == 3


@respx.mock
async def test_does_not_retry_client_errors():
    route = respx.get("https://api.example.test/x").mock(return_value=httpx.Response(400))
    async with make_http_client() as client:
        response = await send_with_retries(lambda: client.get("https://api.example.test/x"))
    assert response.status_code == 400 and route.call_count == 1


@respx.mock
async def test_honours_retry_after_and_returns_last_retryable_answer():
    route = respx.get("https://api.example.test/x").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "0"})
    )
    async with make_http_client() as client:
        response = await send_with_retries(
            lambda: client.get("https://api.example.test/x"), attempts=3, max_wait=0.01
        )
    assert response.status_code == 429 and route.call_count == 3


@respx.mock
async def test_retries_connection_errors_then_raises():
    route = respx.get("https://api.example.test/x").mock(side_effect=httpx.ConnectError("refused"))
    async with make_http_client() as client:
        try:
            await send_with_retries(
                lambda: client.get("https://api.example.test/x"), attempts=2, max_wait=0.01
            )
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("expected ConnectError")
    assert route.call_count == 2
