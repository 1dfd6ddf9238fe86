"""Retries: only RateLimited and PlatformUnavailable (and transport errors) are retried."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from adscale_platforms import GoogleClient, MetaClient, RefreshingToken, TokenSet
from adscale_platforms.errors import (
    InvalidRequest,
    PermissionDenied,
    PlatformUnavailable,
    TokenExpired,
)

GRAPH = "https://graph.facebook.com/v25.0"
AUDIENCE = {
    "id": "2385",
    "approximate_count_lower_bound": 10,
    "operation_status": {"code": 200, "description": "Normal"},
}


def graph_error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> httpx.Response:
    return httpx.Response(
        status,
        headers=headers,
        json={"error": {"message": message, "type": "OAuthException", "code": code, **extra}},
    )


@pytest.fixture
def meta(http: httpx.AsyncClient, settings: Any, sleeps: Any) -> MetaClient:
    return MetaClient(http, settings, sleep=sleeps)


@respx.mock
async def test_rate_limited_is_retried_after_the_platforms_delay(
    meta: MetaClient, sleeps: Any
) -> None:
    usage = json.dumps({"42": [{"type": "custom_audience", "estimated_time_to_regain_access": 1}]})
    route = respx.get(f"{GRAPH}/2385").mock(
        side_effect=[
            graph_error(
                400,
                80003,
                "There have been too many calls to this ad-account.",
                {"X-Business-Use-Case-Usage": usage},
            ),
            httpx.Response(200, json=AUDIENCE),
        ]
    )
    info = await meta.get_audience("tok", "2385")
    assert info.size == 10
    assert route.call_count == 2
    assert sleeps.calls == [60.0]  # one minute, from estimated_time_to_regain_access


@respx.mock
async def test_retry_wait_is_capped_by_setting(
    http: httpx.AsyncClient, settings_factory: Any, sleeps: Any
) -> None:
    client = MetaClient(http, settings_factory(max_retry_wait_seconds=3), sleep=sleeps)
    usage = json.dumps({"42": [{"estimated_time_to_regain_access": 30}]})
    respx.get(f"{GRAPH}/2385").mock(
        side_effect=[
            graph_error(
                400, 17, "User request limit reached", {"X-Business-Use-Case-Usage": usage}
            ),
            httpx.Response(200, json=AUDIENCE),
        ]
    )
    await client.get_audience("tok", "2385")
    assert sleeps.calls == [3.0]


@respx.mock
@pytest.mark.parametrize(
    ("response", "error"),
    [
        (graph_error(403, 200, "(#200) Permissions error"), PermissionDenied),
        (graph_error(400, 100, "(#100) Invalid parameter"), InvalidRequest),
        (graph_error(400, 190, "Error validating access token", error_subcode=463), TokenExpired),
    ],
)
async def test_4xx_semantics_are_never_retried(
    meta: MetaClient, sleeps: Any, response: httpx.Response, error: type[Exception]
) -> None:
    route = respx.get(f"{GRAPH}/2385").mock(return_value=response)
    with pytest.raises(error):
        await meta.get_audience("tok", "2385")
    assert route.call_count == 1
    assert sleeps.calls == []


@respx.mock
async def test_unavailable_and_transport_errors_are_retried_with_backoff(
    meta: MetaClient, sleeps: Any
) -> None:
    route = respx.get(f"{GRAPH}/2385").mock(
        side_effect=[
            graph_error(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
                is_transient=True,
            ),
            httpx.ConnectError("connection refused"),
            httpx.ReadTimeout("timed out"),
            httpx.Response(200, json=AUDIENCE),
        ]
    )
    await meta.get_audience("tok", "2385")
    assert route.call_count == 4
    assert len(sleeps.calls) == 3
    # exponential: 0.5, 1, 2 seconds plus up to 0.5 s of jitter
    for attempt, wait in enumerate(sleeps.calls):
        assert 0.5 * 2**attempt <= wait <= 0.5 * 2**attempt + 0.5


@respx.mock
async def test_attempts_are_bounded(meta: MetaClient, sleeps: Any) -> None:
    route = respx.get(f"{GRAPH}/2385").mock(side_effect=httpx.ConnectError("down"))
    with pytest.raises(PlatformUnavailable) as caught:
        await meta.get_audience("tok", "2385")
    assert caught.value.code == "ConnectError"
    assert route.call_count == 4
    assert len(sleeps.calls) == 3


@respx.mock
async def test_rate_limit_without_signal_uses_backoff(meta: MetaClient, sleeps: Any) -> None:
    respx.get(f"{GRAPH}/2385").mock(
        side_effect=[
            graph_error(400, 4, "Application request limit reached"),
            httpx.Response(200, json=AUDIENCE),
        ]
    )
    await meta.get_audience("tok", "2385")
    assert len(sleeps.calls) == 1 and 0.5 <= sleeps.calls[0] <= 1.0


@respx.mock
async def test_refreshing_token_recovers_from_expiry(
    http: httpx.AsyncClient, settings: Any, sleeps: Any
) -> None:
    client = GoogleClient(http, settings, sleep=sleeps)
    name = "accountTypes/GOOGLE_ADS/accounts/1/userLists/2"
    expired = httpx.Response(
        401,
        json={
            "error": {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED",
            }
        },
    )
    get = respx.get(f"https://datamanager.googleapis.com/v1/{name}").mock(
        side_effect=[
            expired,
            httpx.Response(
                200, json={"name": name, "sizeInfo": {"displayNetworkMembersCount": "5"}}
            ),
        ]
    )
    token_route = respx.post("https://oauth2.googleapis.com/token").mock(
        return_value=httpx.Response(200, json={"access_token": "fresh", "expires_in": 3599})
    )
    stored: list[TokenSet] = []

    async def on_refresh(tokens: TokenSet) -> None:
        stored.append(tokens)

    source = RefreshingToken(client, TokenSet("stale", "1//refresh", None), on_refresh)
    info = await client.get_audience(source, name)
    assert info.size == 5
    assert [c.request.headers["authorization"] for c in get.calls] == [
        "Bearer stale",
        "Bearer fresh",
    ]
    assert token_route.call_count == 1
    assert stored and stored[0].access_token == "fresh"
    assert stored[0].refresh_token == "1//refresh"  # kept when the platform does not resend it
    assert source.tokens.access_token == "fresh"
    assert sleeps.calls == []


@respx.mock
async def test_refresh_happens_once_per_call(http: httpx.AsyncClient, settings: Any) -> None:
    client = GoogleClient(http, settings)
    name = "accountTypes/GOOGLE_ADS/accounts/1/userLists/2"
    respx.get(f"https://datamanager.googleapis.com/v1/{name}").mock(
        return_value=httpx.Response(
            401, json={"error": {"code": 401, "message": "expired", "status": "UNAUTHENTICATED"}}
        )
    )
    token_route = respx.post("https://oauth2.googleapis.com/token").mock(
        return_value=httpx.Response(200, json={"access_token": "fresh", "expires_in": 3599})
    )
    with pytest.raises(TokenExpired):
        await client.get_audience(RefreshingToken(client, TokenSet("stale", "1//r", None)), name)
    assert token_route.call_count == 1


async def test_refreshing_token_without_refresh_token(
    http: httpx.AsyncClient, settings: Any
) -> None:
    source = RefreshingToken(GoogleClient(http, settings), TokenSet("stale", None, None))
    with pytest.raises(TokenExpired):
        await source.refresh("stale")


async def test_concurrent_refreshes_share_one_new_token(
    http: httpx.AsyncClient, settings: Any
) -> None:
    calls: list[str] = []

    class FakeClient:
        async def refresh(self, refresh_token: str) -> TokenSet:
            calls.append(refresh_token)
            return TokenSet(f"fresh-{len(calls)}", refresh_token, None)

    source = RefreshingToken(FakeClient(), TokenSet("stale", "r", None))
    first = await source.refresh("stale")
    second = await source.refresh("stale")  # a request that saw the old token
    assert first == second == "fresh-1"
    assert calls == ["r"]


def test_logs_never_carry_tokens_or_queries(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    import logging

    async def run() -> None:
        async with httpx.AsyncClient() as http:
            with respx.mock:
                respx.get(f"{GRAPH}/oauth/access_token").mock(
                    return_value=httpx.Response(
                        200, json={"access_token": "EAAsecret", "expires_in": 10}
                    )
                )
                from adscale_platforms.settings import PlatformSettings

                await MetaClient(http, PlatformSettings(meta_client_secret="s3cr3t")).exchange_code(
                    "c0de", "https://x"
                )

    with caplog.at_level(logging.DEBUG, logger="adscale_platforms"):
        asyncio.run(run())
    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records
    assert "s3cr3t" not in text and "c0de" not in text and "EAAsecret" not in text
