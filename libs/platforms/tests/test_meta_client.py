"""Meta client: real Graph API request shapes, asserted with respx."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from adscale_platforms import MetaClient
from adscale_platforms.errors import PermissionDenied
from adscale_platforms.models import BatchReport
from kit import body_of, form_of, hashes

CLIENT = MetaClient  # the class the shared ``client`` fixture builds

GRAPH = "https://graph.facebook.com/v25.0"


@respx.mock
async def test_exchange_code_and_refresh(client: MetaClient) -> None:
    route = respx.get(f"{GRAPH}/oauth/access_token").mock(
        return_value=httpx.Response(
            200, json={"access_token": "EAAlong", "token_type": "bearer", "expires_in": 5183944}
        )
    )
    tokens = await client.exchange_code("the-code", "https://app.test/cb")
    sent = route.calls.last.request
    assert dict(sent.url.params) == {
        "client_id": "meta-app",
        "client_secret": "meta-secret",
        "redirect_uri": "https://app.test/cb",
        "code": "the-code",
    }
    assert tokens.access_token == "EAAlong"
    assert tokens.refresh_token == "EAAlong"  # Meta refreshes by exchanging the token itself
    assert tokens.expires_at is not None
    assert 5183900 < (tokens.expires_at - datetime.now(UTC)).total_seconds() <= 5183944

    await client.refresh("EAAlong")
    assert dict(route.calls.last.request.url.params) == {
        "grant_type": "fb_exchange_token",
        "client_id": "meta-app",
        "client_secret": "meta-secret",
        "fb_exchange_token": "EAAlong",
    }


@respx.mock
async def test_list_ad_accounts_follows_paging(client: MetaClient) -> None:
    next_url = f"{GRAPH}/me/adaccounts?after=abc&fields=account_id%2Cname%2Ccurrency&limit=100"
    route = respx.get(f"{GRAPH}/me/adaccounts").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "data": [{"id": "act_1", "account_id": "1", "name": "One", "currency": "USD"}],
                    "paging": {"cursors": {"after": "abc"}, "next": next_url},
                },
            ),
            httpx.Response(
                200,
                json={
                    "data": [{"id": "act_2", "account_id": "2", "name": "Two", "currency": "EUR"}]
                },
            ),
        ]
    )
    accounts = await client.list_ad_accounts("tok")
    assert [(a.id, a.name, a.currency) for a in accounts] == [
        ("1", "One", "USD"),
        ("2", "Two", "EUR"),
    ]
    first = route.calls[0].request
    assert first.headers["authorization"] == "Bearer tok"
    assert first.url.params["fields"] == "account_id,name,currency"
    assert route.calls[1].request.url.params["after"] == "abc"


@respx.mock
async def test_create_get_delete_audience(client: MetaClient) -> None:
    create = respx.post(f"{GRAPH}/act_42/customaudiences").mock(
        return_value=httpx.Response(200, json={"id": "2385"})
    )
    audience_id = await client.create_audience("tok", "42", "Buyers", "CRM buyers")
    assert audience_id == "2385"
    assert body_of(create.calls.last.request) == {
        "name": "Buyers",
        "subtype": "CUSTOM",
        "description": "CRM buyers",
        "customer_file_source": "USER_PROVIDED_ONLY",
    }

    respx.get(f"{GRAPH}/2385").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": "2385",
                "approximate_count_lower_bound": 21800,
                "approximate_count_upper_bound": 25600,
                "operation_status": {"code": 200, "description": "Normal"},
                "delivery_status": {"code": 200, "description": "This audience is ready for use."},
            },
        )
    )
    info = await client.get_audience("tok", "2385")
    assert (info.id, info.size, info.match_rate, info.status) == ("2385", 21800, None, "Normal")

    delete = respx.delete(f"{GRAPH}/2385").mock(
        return_value=httpx.Response(200, json={"success": True})
    )
    await client.delete_audience("tok", "2385")
    assert delete.called


def users_response(request: httpx.Request) -> httpx.Response:
    if request.headers["content-type"] == "application/x-www-form-urlencoded":
        body = {name: json.loads(value) for name, value in form_of(request).items()}
    else:
        body = body_of(request)
    data = body["payload"]["data"]
    return httpx.Response(
        200,
        json={
            "audience_id": "2385",
            "session_id": body["session"]["session_id"],
            "num_received": len(data),
            "num_invalid_entries": 0,
            "invalid_entry_samples": {},
        },
    )


@respx.mock
async def test_add_members_sessions_and_batches(client: MetaClient) -> None:
    route = respx.post(f"{GRAPH}/2385/users").mock(side_effect=users_response)
    reports: list[BatchReport] = []
    result = await client.members(
        "add", "tok", "2385", "email", hashes(25_000), on_batch=reports.append
    )
    bodies = [body_of(call.request) for call in route.calls]
    assert [len(b["payload"]["data"]) for b in bodies] == [10_000, 10_000, 5_000]
    assert {b["payload"]["schema"] for b in bodies} == {"EMAIL_SHA256"}
    sessions = [b["session"] for b in bodies]
    assert len({s["session_id"] for s in sessions}) == 1
    assert isinstance(sessions[0]["session_id"], int) and sessions[0]["session_id"] > 0
    assert [s["batch_seq"] for s in sessions] == [1, 2, 3]
    assert [s["last_batch_flag"] for s in sessions] == [False, False, True]
    assert {s["estimated_num_total"] for s in sessions} == {25_000}
    assert bodies[0]["payload"]["data"][0] == hashes(1)[0]
    assert route.calls[0].request.headers["content-type"] == "application/json"
    assert (result.received, result.invalid, result.batches) == (25_000, 0, 3)
    assert [(r.batch_index, r.rows, r.rows_done, r.last) for r in reports] == [
        (0, 10_000, 10_000, False),
        (1, 10_000, 20_000, False),
        (2, 5_000, 25_000, True),
    ]


@respx.mock
async def test_remove_members_uses_delete_with_form_body(client: MetaClient) -> None:
    route = respx.delete(f"{GRAPH}/2385/users").mock(side_effect=users_response)
    result = await client.members("remove", "tok", "2385", "phone", hashes(1_000))
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.url.query == b""  # nothing in the URL: Graph breaks on long ones
    form = form_of(sent)
    assert set(form) == {"payload", "session"}
    body = {name: json.loads(value) for name, value in form.items()}
    assert body["payload"]["schema"] == "PHONE_SHA256"
    assert body["session"]["batch_seq"] == 1
    assert body["session"]["last_batch_flag"] is True
    assert result.received == 1_000


@respx.mock
async def test_replace_members_usersreplace_session(client: MetaClient) -> None:
    route = respx.post(f"{GRAPH}/2385/usersreplace").mock(side_effect=users_response)

    def generator() -> Any:  # not Sized: the total is unknown up front
        yield from hashes(12_000, "r")

    await client.members("replace", "tok", "2385", "email", generator())
    sessions = [body_of(c.request)["session"] for c in route.calls]
    assert [s["batch_seq"] for s in sessions] == [1, 2]
    assert [s["last_batch_flag"] for s in sessions] == [False, True]
    assert sessions[0]["session_id"] == sessions[1]["session_id"]
    # unknown total: the running count is reported
    assert [s["estimated_num_total"] for s in sessions] == [10_000, 12_000]


@respx.mock
@pytest.mark.parametrize(
    ("operation", "method", "edge"),
    [("add", "POST", "users"), ("remove", "DELETE", "users"), ("replace", "POST", "usersreplace")],
)
async def test_members_takes_the_operation_as_a_value(
    client: MetaClient, operation: Any, method: str, edge: str
) -> None:
    route = respx.route(method=method, url=f"{GRAPH}/2385/{edge}").mock(side_effect=users_response)
    reports = [r async for r in client.stream_members(operation, "tok", "2385", "email", hashes(3))]
    result = await client.members(operation, "tok", "2385", "email", hashes(4))
    assert [(r.operation, r.rows, r.last) for r in reports] == [(operation, 3, True)]
    assert (result.received, result.batches) == (4, 1)
    assert route.call_count == 2


async def test_replace_with_nothing_is_refused(client: MetaClient) -> None:
    with pytest.raises(ValueError, match="usersreplace"):
        await client.members("replace", "tok", "2385", "email", [])


@respx.mock
async def test_stream_from_async_iterable_with_estimated_total(client: MetaClient) -> None:
    route = respx.post(f"{GRAPH}/2385/users").mock(side_effect=users_response)

    async def source() -> AsyncIterator[str]:
        for h in hashes(15_000):
            yield h

    reports = [
        r
        async for r in client.stream_members(
            "add", "tok", "2385", "email", source(), estimated_total=20_000
        )
    ]
    assert [r.rows for r in reports] == [10_000, 5_000]
    assert {body_of(c.request)["session"]["estimated_num_total"] for c in route.calls} == {20_000}


@respx.mock
async def test_invalid_entries_are_reported(client: MetaClient) -> None:
    respx.post(f"{GRAPH}/2385/users").mock(
        return_value=httpx.Response(
            200,
            json={
                "audience_id": "2385",
                "session_id": 1,
                "num_received": 3,
                "num_invalid_entries": 1,
                "invalid_entry_samples": {"zz": "EMAIL_SHA256 is not a valid hash"},
            },
        )
    )
    result = await client.members("add", "tok", "2385", "email", ["a" * 64, "b" * 64, "zz"])
    assert (result.received, result.invalid) == (3, 1)
    assert result.invalid_samples == ["zz: EMAIL_SHA256 is not a valid hash"]


@respx.mock
async def test_multi_key_schema(client: MetaClient) -> None:
    route = respx.post(f"{GRAPH}/2385/users").mock(side_effect=users_response)
    rows = [("e" * 64, "f" * 64, "us"), ("1" * 64, "", "fr")]
    await client.members("add", "tok", "2385", ["email", "first_name", "country"], rows)
    payload = body_of(route.calls.last.request)["payload"]
    assert payload["schema"] == ["EMAIL", "FN", "COUNTRY"]
    assert payload["data"] == [["e" * 64, "f" * 64, "us"], ["1" * 64, "", "fr"]]
    with pytest.raises(ValueError):
        await client.members("add", "tok", "2385", ["email", "first_name"], [("only-one",)])


@respx.mock
async def test_bytes_cap_splits_batches(http: httpx.AsyncClient, settings_factory: Any) -> None:
    client = MetaClient(http, settings_factory(meta_batch_max_bytes=200_000))
    route = respx.post(f"{GRAPH}/2385/users").mock(side_effect=users_response)
    await client.members("add", "tok", "2385", "email", hashes(6_000))
    sizes = [len(call.request.content) for call in route.calls]
    assert len(sizes) > 1
    assert max(sizes) <= 200_000
    assert sum(len(body_of(c.request)["payload"]["data"]) for c in route.calls) == 6_000


@respx.mock
async def test_permission_error_surfaces_with_code(client: MetaClient) -> None:
    route = respx.post(f"{GRAPH}/2385/users").mock(
        return_value=httpx.Response(
            403,
            json={
                "error": {
                    "message": "(#200) Permissions error",
                    "type": "OAuthException",
                    "code": 200,
                }
            },
        )
    )
    with pytest.raises(PermissionDenied) as caught:
        await client.members("add", "tok", "2385", "email", hashes(5))
    assert caught.value.code == 200
    assert route.call_count == 1  # never retried


@respx.mock
async def test_campaign_insights(client: MetaClient) -> None:
    route = respx.get(f"{GRAPH}/act_42/insights").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [
                    {
                        "campaign_id": "120001",
                        "impressions": "1534",
                        "clicks": "41",
                        "spend": "12.37",
                        "actions": [
                            {"action_type": "link_click", "value": "41"},
                            {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"},
                            {"action_type": "omni_purchase", "value": "3"},
                            {"action_type": "purchase", "value": "3"},
                        ],
                        "action_values": [
                            {"action_type": "omni_purchase", "value": "89.70"},
                            {"action_type": "purchase", "value": "89.70"},
                        ],
                        "date_start": "2026-02-01",
                        "date_stop": "2026-02-01",
                    },
                    {
                        "campaign_id": "120002",
                        "impressions": "10",
                        "clicks": "0",
                        "spend": "0.05",
                        "date_start": "2026-02-02",
                        "date_stop": "2026-02-02",
                    },
                ]
            },
        )
    )
    rows = await client.get_campaign_insights("tok", "42", date(2026, 2, 1), date(2026, 2, 2))
    params = route.calls.last.request.url.params
    assert params["level"] == "campaign"
    assert params["time_increment"] == "1"
    assert json.loads(params["time_range"]) == {"since": "2026-02-01", "until": "2026-02-02"}
    assert set(params["fields"].split(",")) >= {
        "campaign_id",
        "impressions",
        "clicks",
        "spend",
        "actions",
        "action_values",
    }
    first, second = rows
    assert first.campaign_external_id == "120001"
    assert first.date == date(2026, 2, 1)
    assert (first.impressions, first.clicks) == (1534, 41)
    assert first.conversions == Decimal(3)  # counted once, not once per action type
    assert first.spend == Decimal("12.37")
    assert first.revenue == Decimal("89.70")
    assert (second.conversions, second.revenue) == (Decimal(0), Decimal(0))


@respx.mock
async def test_update_campaign_status_and_budget(client: MetaClient) -> None:
    respx.get(f"{GRAPH}/act_42").mock(
        return_value=httpx.Response(200, json={"id": "act_42", "currency": "USD"})
    )
    update = respx.post(f"{GRAPH}/120001").mock(
        return_value=httpx.Response(200, json={"success": True})
    )
    await client.update_campaign(
        "tok", "42", "120001", status="paused", daily_budget=Decimal("25.50")
    )
    assert body_of(update.calls.last.request) == {"status": "PAUSED", "daily_budget": "2550"}

    respx.get(f"{GRAPH}/act_43").mock(
        return_value=httpx.Response(200, json={"id": "act_43", "currency": "JPY"})
    )
    await client.update_campaign("tok", "43", "120001", daily_budget=Decimal("3000"))
    assert body_of(update.calls.last.request) == {"daily_budget": "3000"}

    with pytest.raises(ValueError):
        await client.update_campaign("tok", "42", "120001", status="LAUNCHED")
