"""Google client: Data Manager / Google Ads / OAuth request shapes, asserted with respx."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from adscale_platforms import GoogleClient
from adscale_platforms.errors import InvalidRequest, TokenExpired
from adscale_platforms.google import parse_user_list_name
from adscale_platforms.oauth import code_challenge_s256, new_code_verifier
from kit import body_of, form_of, hashes, split_url

CLIENT = GoogleClient  # the class the shared ``client`` fixture builds

DM = "https://datamanager.googleapis.com/v1"
ADS = "https://googleads.googleapis.com/v22"
LIST = "accountTypes/GOOGLE_ADS/accounts/1234567890/userLists/987"


def test_authorization_url_with_pkce(client: GoogleClient) -> None:
    verifier = new_code_verifier()
    challenge = code_challenge_s256(verifier)
    url = client.authorization_url("st-9", "https://app.test/cb", challenge)
    endpoint, query = split_url(url)
    assert endpoint == "https://accounts.google.com/o/oauth2/v2/auth"
    assert query["client_id"] == "google-client"
    assert query["response_type"] == "code"
    assert query["state"] == "st-9"
    assert query["access_type"] == "offline"
    assert query["code_challenge"] == challenge
    assert query["code_challenge_method"] == "S256"
    assert query["scope"].split() == [
        "https://www.googleapis.com/auth/datamanager",
        "https://www.googleapis.com/auth/adwords",
    ]
    assert client.supports_pkce is True
    assert 43 <= len(verifier) <= 128


def test_pkce_challenge_matches_rfc7636_example() -> None:
    # RFC 7636, appendix B.
    assert (
        code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@respx.mock
async def test_exchange_code_and_refresh(client: GoogleClient) -> None:
    route = respx.post("https://oauth2.googleapis.com/token").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "access_token": "ya29.a",
                    "expires_in": 3599,
                    "refresh_token": "1//r",
                    "scope": "https://www.googleapis.com/auth/datamanager https://www.googleapis.com/auth/adwords",
                    "token_type": "Bearer",
                },
            ),
            httpx.Response(
                200, json={"access_token": "ya29.b", "expires_in": 3599, "token_type": "Bearer"}
            ),
        ]
    )
    tokens = await client.exchange_code("4/code", "https://app.test/cb", "verifier-123")
    assert form_of(route.calls[0].request) == {
        "code": "4/code",
        "client_id": "google-client",
        "client_secret": "google-secret",
        "redirect_uri": "https://app.test/cb",
        "grant_type": "authorization_code",
        "code_verifier": "verifier-123",
    }
    assert tokens.refresh_token == "1//r"
    assert tokens.scopes == (
        "https://www.googleapis.com/auth/datamanager",
        "https://www.googleapis.com/auth/adwords",
    )
    refreshed = await client.refresh("1//r")
    assert form_of(route.calls[1].request) == {
        "client_id": "google-client",
        "client_secret": "google-secret",
        "refresh_token": "1//r",
        "grant_type": "refresh_token",
    }
    assert refreshed.access_token == "ya29.b"
    assert refreshed.refresh_token == "1//r"  # Google does not resend it


@respx.mock
async def test_refresh_with_revoked_token(client: GoogleClient) -> None:
    respx.post("https://oauth2.googleapis.com/token").mock(
        return_value=httpx.Response(
            400,
            json={
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            },
        )
    )
    with pytest.raises(TokenExpired):
        await client.refresh("1//gone")


@respx.mock
async def test_list_ad_accounts(client: GoogleClient) -> None:
    respx.get(f"{ADS}/customers:listAccessibleCustomers").mock(
        return_value=httpx.Response(
            200, json={"resourceNames": ["customers/1234567890", "customers/555"]}
        )
    )
    search = respx.post(url__regex=rf"{ADS}/customers/\d+/googleAds:searchStream").mock(
        side_effect=[
            httpx.Response(
                200,
                json=[
                    {
                        "results": [
                            {
                                "customer": {
                                    "resourceName": "customers/1234567890",
                                    "id": "1234567890",
                                    "descriptiveName": "Shop",
                                    "currencyCode": "EUR",
                                }
                            }
                        ],
                        "fieldMask": "customer.id,customer.descriptiveName,customer.currencyCode",
                        "requestId": "r1",
                    }
                ],
            ),
            httpx.Response(
                403,
                json={
                    "error": {
                        "code": 403,
                        "message": "The customer account can't be accessed because it is not "
                        "yet enabled or has been deactivated.",
                        "status": "PERMISSION_DENIED",
                    }
                },
            ),
        ]
    )
    accounts = await client.list_ad_accounts("ya29.a")
    assert [(a.id, a.name, a.currency) for a in accounts] == [("1234567890", "Shop", "EUR")]
    sent = search.calls[0].request
    assert sent.headers["developer-token"] == "dev-token"
    assert sent.headers["authorization"] == "Bearer ya29.a"
    assert "FROM customer" in body_of(sent)["query"]


@respx.mock
async def test_user_list_lifecycle(client: GoogleClient) -> None:
    create = respx.post(f"{DM}/accountTypes/GOOGLE_ADS/accounts/1234567890/userLists").mock(
        return_value=httpx.Response(200, json={"name": LIST, "id": "987", "displayName": "Buyers"})
    )
    audience_id = await client.create_audience("t", "123-456-7890", "Buyers", "CRM buyers")
    assert audience_id == LIST
    assert body_of(create.calls.last.request) == {
        "displayName": "Buyers",
        "description": "CRM buyers",
        "membershipDuration": f"{540 * 86400}s",
        "ingestedUserListInfo": {
            "uploadKeyTypes": ["CONTACT_ID"],
            "contactIdInfo": {"dataSourceType": "DATA_SOURCE_TYPE_FIRST_PARTY"},
        },
    }
    respx.get(f"{DM}/{LIST}").mock(
        return_value=httpx.Response(
            200,
            json={
                "name": LIST,
                "id": "987",
                "membershipStatus": "OPEN",
                "sizeInfo": {
                    "displayNetworkMembersCount": "22175",
                    "searchNetworkMembersCount": "21000",
                },
                "ingestedUserListInfo": {
                    "uploadKeyTypes": ["CONTACT_ID"],
                    "contactIdInfo": {"matchRatePercentage": 88},
                },
            },
        )
    )
    info = await client.get_audience("t", LIST)
    assert (info.size, info.match_rate, info.status) == (22175, 0.88, "OPEN")
    delete = respx.delete(f"{DM}/{LIST}").mock(return_value=httpx.Response(200, json={}))
    await client.delete_audience("t", LIST)
    assert delete.called
    with pytest.raises(ValueError):
        await client.get_audience("t", "987")


def test_parse_user_list_name() -> None:
    assert parse_user_list_name(LIST) == ("GOOGLE_ADS", "1234567890", "987")


def ingest_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json={"requestId": "req-" + str(len(body_of(request)["audienceMembers"]))}
    )


@respx.mock
async def test_ingest_request_shape_and_batches(client: GoogleClient) -> None:
    route = respx.post(f"{DM}/audienceMembers:ingest").mock(side_effect=ingest_ok)
    result = await client.members("add", "t", LIST, "email", hashes(25_000))
    bodies = [body_of(c.request) for c in route.calls]
    assert [len(b["audienceMembers"]) for b in bodies] == [10_000, 10_000, 5_000]
    first = bodies[0]
    assert first["destinations"] == [
        {
            "operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": "1234567890"},
            "productDestinationId": "987",
        }
    ]
    assert first["audienceMembers"][0] == {
        "userData": {"userIdentifiers": [{"emailAddress": hashes(1)[0]}]}
    }
    assert first["encoding"] == "HEX"
    assert first["consent"] == {
        "adUserData": "CONSENT_GRANTED",
        "adPersonalization": "CONSENT_GRANTED",
    }
    assert first["termsOfService"] == {"customerMatchTermsOfServiceStatus": "ACCEPTED"}
    assert route.calls[0].request.headers["authorization"] == "Bearer t"
    assert (result.received, result.batches) == (25_000, 3)


@respx.mock
async def test_members_carry_their_own_consent_after_their_identifiers(
    client: GoogleClient,
) -> None:
    route = respx.post(f"{DM}/audienceMembers:ingest").mock(side_effect=ingest_ok)
    emails = hashes(3)
    rows = [
        (emails[0], "granted", "denied"),
        (emails[1], "", ""),  # unspecified: the request-level consent applies
        (emails[2], "granted", ""),
    ]
    await client.members("add", "t", LIST, ["email"], rows)
    body = body_of(route.calls.last.request)
    members = body["audienceMembers"]
    assert members[0]["consent"] == {
        "adUserData": "CONSENT_GRANTED",
        "adPersonalization": "CONSENT_DENIED",
    }
    assert "consent" not in members[1]
    assert members[2]["consent"] == {"adUserData": "CONSENT_GRANTED"}
    assert members[0]["userData"] == {"userIdentifiers": [{"emailAddress": emails[0]}]}
    assert body["consent"] == {
        "adUserData": "CONSENT_GRANTED",
        "adPersonalization": "CONSENT_GRANTED",
    }


@respx.mock
async def test_remove_request_shape(client: GoogleClient) -> None:
    route = respx.post(f"{DM}/audienceMembers:remove").mock(side_effect=ingest_ok)
    await client.members("remove", "t", LIST, "phone", hashes(3))
    body = body_of(route.calls.last.request)
    assert body["audienceMembers"][2] == {
        "userData": {"userIdentifiers": [{"phoneNumber": hashes(3)[2]}]}
    }
    assert body["encoding"] == "HEX"
    assert "consent" not in body


@respx.mock
async def test_replace_notes_time_before_first_ingest_then_removes_all(
    client: GoogleClient,
) -> None:
    events: list[tuple[str, datetime, Any]] = []

    def on_ingest(request: httpx.Request) -> httpx.Response:
        events.append(("ingest", datetime.now(UTC), body_of(request)))
        return ingest_ok(request)

    def on_remove_all(request: httpx.Request) -> httpx.Response:
        events.append(("removeAll", datetime.now(UTC), body_of(request)))
        return httpx.Response(200, json={"requestId": "ra-1"})

    respx.post(f"{DM}/audienceMembers:ingest").mock(side_effect=on_ingest)
    respx.post(f"{DM}/audienceMembers:removeAll").mock(side_effect=on_remove_all)
    reports = [
        r async for r in client.stream_members("replace", "t", LIST, "email", hashes(12_000))
    ]

    assert [kind for kind, _, _ in events] == ["ingest", "ingest", "removeAll"]
    remove_body = events[-1][2]
    assert remove_body["destinations"][0]["productDestinationId"] == "987"
    as_of = datetime.fromisoformat(remove_body["removeAsOfTime"].replace("Z", "+00:00"))
    assert remove_body["removeAsOfTime"].endswith("Z")
    assert as_of <= events[0][1]  # noted before the first ingest was sent
    assert [r.rows for r in reports] == [10_000, 2_000, 0]
    assert [r.last for r in reports] == [False, False, True]
    assert reports[-1].raw == {"requestId": "ra-1"}


@respx.mock
async def test_replace_with_empty_set_removes_everything(client: GoogleClient) -> None:
    ingest = respx.post(f"{DM}/audienceMembers:ingest").mock(side_effect=ingest_ok)
    remove_all = respx.post(f"{DM}/audienceMembers:removeAll").mock(
        return_value=httpx.Response(200, json={"requestId": "ra"})
    )
    result = await client.members("replace", "t", LIST, "email", [])
    assert not ingest.called
    assert remove_all.call_count == 1
    assert result.received == 0


@respx.mock
async def test_members_replace_is_the_platform_replace(client: GoogleClient) -> None:
    ingest = respx.post(f"{DM}/audienceMembers:ingest").mock(side_effect=ingest_ok)
    remove_all = respx.post(f"{DM}/audienceMembers:removeAll").mock(
        return_value=httpx.Response(200, json={"requestId": "ra"})
    )
    result = await client.members("replace", "t", LIST, "email", hashes(5))
    assert (ingest.call_count, remove_all.call_count) == (1, 1)
    assert (result.received, result.batches) == (5, 2)
    await client.members("add", "t", LIST, "email", hashes(5))
    assert (ingest.call_count, remove_all.call_count) == (2, 1)


@respx.mock
async def test_multi_identifier_members_with_address(client: GoogleClient) -> None:
    route = respx.post(f"{DM}/audienceMembers:ingest").mock(side_effect=ingest_ok)
    fields = ["email", "phone", "first_name", "last_name", "country", "zip"]
    rows = [
        ("e" * 64, "", "f" * 64, "1" * 64, "US", "94043"),
        ("", "", "", "", "", ""),
    ]
    result = await client.members("add", "t", LIST, fields, rows)
    members = body_of(route.calls.last.request)["audienceMembers"]
    assert members == [
        {
            "userData": {
                "userIdentifiers": [
                    {"emailAddress": "e" * 64},
                    {
                        "address": {
                            "givenName": "f" * 64,
                            "familyName": "1" * 64,
                            "regionCode": "US",
                            "postalCode": "94043",
                        }
                    },
                ]
            }
        }
    ]
    assert (result.received, result.invalid) == (1, 1)
    with pytest.raises(ValueError):
        await client.members("add", "t", LIST, ["email", "zip"], [("a", "b")])
    with pytest.raises(ValueError):
        await client.members("add", "t", LIST, "madid", ["x"])


@respx.mock
async def test_invalid_rows_surface_with_samples(client: GoogleClient) -> None:
    respx.post(f"{DM}/audienceMembers:ingest").mock(
        return_value=httpx.Response(
            400,
            json={
                "error": {
                    "code": 400,
                    "message": "There was a problem with the request.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.BadRequest",
                            "fieldViolations": [
                                {
                                    "field": "audience_members.audience_members[0]"
                                    ".user_data.user_identifiers[0]",
                                    "description": "Invalid hex",
                                    "reason": "INVALID_HEX_ENCODING",
                                }
                            ],
                        }
                    ],
                }
            },
        )
    )
    with pytest.raises(InvalidRequest) as caught:
        await client.members("add", "t", LIST, "email", ["zz"])
    assert caught.value.samples[0]["reason"] == "INVALID_HEX_ENCODING"


@respx.mock
async def test_campaign_insights(client: GoogleClient) -> None:
    route = respx.post(f"{ADS}/customers/1234567890/googleAds:searchStream").mock(
        return_value=httpx.Response(
            200,
            json=[
                {
                    "results": [
                        {
                            "campaign": {
                                "resourceName": "customers/1234567890/campaigns/111",
                                "id": "111",
                            },
                            "segments": {"date": "2026-02-01"},
                            "metrics": {
                                "impressions": "2000",
                                "clicks": "55",
                                "conversions": 2.5,
                                "costMicros": "12345678",
                                "conversionsValue": 80.25,
                            },
                        },
                        {
                            "campaign": {
                                "resourceName": "customers/1234567890/campaigns/111",
                                "id": "111",
                            },
                            "segments": {"date": "2026-02-02"},
                            "metrics": {"impressions": "0", "clicks": "0", "costMicros": "0"},
                        },
                    ]
                }
            ],
        )
    )
    rows = await client.get_campaign_insights("t", "1234567890", date(2026, 2, 1), date(2026, 2, 2))
    query = body_of(route.calls.last.request)["query"]
    assert "FROM campaign" in query
    assert "segments.date BETWEEN '2026-02-01' AND '2026-02-02'" in query
    assert "metrics.cost_micros" in query
    first, second = rows
    assert (first.campaign_external_id, first.date) == ("111", date(2026, 2, 1))
    assert (first.impressions, first.clicks) == (2000, 55)
    assert first.conversions == Decimal("2.5")
    assert first.spend == Decimal("12.345678")
    assert first.revenue == Decimal("80.25")
    assert (second.spend, second.conversions, second.revenue) == (
        Decimal(0),
        Decimal(0),
        Decimal(0),
    )


@respx.mock
async def test_update_campaign_status_and_budget(client: GoogleClient) -> None:
    mutate = respx.post(f"{ADS}/customers/1234567890/campaigns:mutate").mock(
        return_value=httpx.Response(
            200, json={"results": [{"resourceName": "customers/1234567890/campaigns/111"}]}
        )
    )
    respx.post(f"{ADS}/customers/1234567890/googleAds:searchStream").mock(
        return_value=httpx.Response(
            200,
            json=[
                {
                    "results": [
                        {
                            "campaign": {
                                "id": "111",
                                "campaignBudget": "customers/1234567890/campaignBudgets/77",
                            }
                        }
                    ]
                }
            ],
        )
    )
    budget = respx.post(f"{ADS}/customers/1234567890/campaignBudgets:mutate").mock(
        return_value=httpx.Response(
            200, json={"results": [{"resourceName": "customers/1234567890/campaignBudgets/77"}]}
        )
    )
    await client.update_campaign(
        "t", "123-456-7890", "111", status="PAUSED", daily_budget=Decimal("42.10")
    )
    assert body_of(mutate.calls.last.request) == {
        "operations": [
            {
                "update": {
                    "resourceName": "customers/1234567890/campaigns/111",
                    "status": "PAUSED",
                },
                "updateMask": "status",
            }
        ]
    }
    assert body_of(budget.calls.last.request) == {
        "operations": [
            {
                "update": {
                    "resourceName": "customers/1234567890/campaignBudgets/77",
                    "amountMicros": "42100000",
                },
                "updateMask": "amount_micros",
            }
        ]
    }
    assert mutate.calls.last.request.headers["developer-token"] == "dev-token"
    await client.update_campaign("t", "1234567890", "111", status="active")
    assert body_of(mutate.calls.last.request)["operations"][0]["update"]["status"] == "ENABLED"
