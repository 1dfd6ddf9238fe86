"""Google imitation: Data Manager user lists and members, Google Ads reports and mutates."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

DM = "/google/datamanager/v1"
ADS = "/google/ads/v21"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "developer-token": "dev-token"}


async def create_list(client: httpx.AsyncClient, token: str, customer: str, name: str = "L") -> str:
    r = await client.post(
        f"{DM}/accountTypes/GOOGLE_ADS/accounts/{customer}/userLists",
        headers=auth(token),
        json={
            "displayName": name,
            "description": "synced",
            "membershipDuration": f"{30 * 86400}s",
            "ingestedUserListInfo": {"uploadKeyTypes": ["CONTACT_ID"]},
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"].endswith(f"/userLists/{r.json()['id']}")
    list_id: str = r.json()["id"]
    return list_id


def destination(customer: str, list_id: str) -> dict[str, Any]:
    return {
        "operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": customer},
        "productDestinationId": list_id,
    }


def members_body(customer: str, list_id: str, hashes: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "destinations": [destination(customer, list_id)],
        "audienceMembers": [
            {"userData": {"userIdentifiers": [{"emailAddress": h}]}} for h in hashes
        ],
        "consent": {"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_GRANTED"},
        "encoding": "HEX",
        **extra,
    }


async def mutate(
    client: httpx.AsyncClient, token: str, resource: str, mask: str | None = None, **fields: str
) -> httpx.Response:
    """One ``update`` of ``fields`` on ``resource`` (``customers/{id}/{service}/{id}``)
    through its service's ``:mutate``, with ``mask`` as the update mask when given."""
    customer, service = resource.split("/")[1:3]
    operation: dict[str, Any] = {"update": {"resourceName": resource, **fields}}
    if mask is not None:
        operation["updateMask"] = mask
    return await client.post(
        f"{ADS}/customers/{customer}/{service}:mutate",
        headers=auth(token),
        json={"operations": [operation]},
    )


async def setup(kit: Any) -> tuple[str, str]:
    tokens = await kit.google()
    return tokens["access_token"], await kit.google_customer(tokens["access_token"])


async def test_list_accessible_customers_needs_developer_token(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, _ = await setup(kit)
    r = await client.get(f"{ADS}/customers:listAccessibleCustomers", headers=auth(token))
    names = r.json()["resourceNames"]
    assert len(names) == 3 and all(n.startswith("customers/") for n in names)
    missing = await client.get(
        f"{ADS}/customers:listAccessibleCustomers", headers={"Authorization": f"Bearer {token}"}
    )
    assert missing.status_code == 400
    failure = missing.json()["error"]["details"][0]
    assert failure["errors"][0]["errorCode"] == {
        "requestError": "DEVELOPER_TOKEN_PARAMETER_MISSING"
    }


async def test_user_list_lifecycle_and_match_rate(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    list_id = await create_list(client, token, customer)
    members = kit.hashes(3000)
    r = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body(customer, list_id, members),
    )
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"requestId"}
    r = await client.post(
        f"{DM}/audienceMembers:remove",
        headers=auth(token),
        json=members_body(customer, list_id, members[:1000]),
    )
    assert r.status_code == 200
    path = f"{DM}/accountTypes/GOOGLE_ADS/accounts/{customer}/userLists/{list_id}"
    body = (await client.get(path, headers=auth(token))).json()
    remaining = members[1000:]
    matched = kit.matched(remaining)
    assert body["sizeInfo"]["displayNetworkMembersCount"] == str(matched)
    assert body["sizeInfo"]["searchNetworkMembersCount"] == str(matched)
    rate = body["ingestedUserListInfo"]["contactIdInfo"]["matchRatePercentage"]
    assert rate == round(matched * 100 / 2000)
    assert body["targetNetworkInfo"]["eligibleForSearch"] is True
    admin = await kit.members("google", list_id, hashes=True)
    assert sorted(admin["hashes"]) == sorted(remaining)

    listed = await client.get(
        f"{DM}/accountTypes/GOOGLE_ADS/accounts/{customer}/userLists", headers=auth(token)
    )
    assert [u["id"] for u in listed.json()["userLists"]] == [list_id]
    r = await client.delete(path, headers=auth(token))
    assert r.status_code == 200 and r.json() == {}
    gone = await client.get(path, headers=auth(token))
    assert gone.status_code == 404
    assert gone.json()["error"]["status"] == "NOT_FOUND"


async def test_base64_encoding_and_address(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    list_id = await create_list(client, token, customer)
    email = kit.sha("b64@example.com")
    encoded = base64.b64encode(bytes.fromhex(email)).decode()
    body = {
        "destinations": [destination(customer, list_id)],
        "audienceMembers": [
            {
                "userData": {
                    "userIdentifiers": [
                        {"emailAddress": encoded},
                        {
                            "address": {
                                "givenName": base64.b64encode(
                                    bytes.fromhex(kit.sha("ann"))
                                ).decode(),
                                "familyName": base64.b64encode(
                                    bytes.fromhex(kit.sha("lee"))
                                ).decode(),
                                "regionCode": "US",
                                "postalCode": "94043",
                            }
                        },
                    ]
                }
            }
        ],
        "encoding": "BASE64",
    }
    r = await client.post(f"{DM}/audienceMembers:ingest", headers=auth(token), json=body)
    assert r.status_code == 200, r.text
    admin = await kit.members("google", list_id, hashes=True)
    # One member, one person: its address only helps matching it.
    assert admin["count"] == 1
    assert admin["hashes"] == [email]


async def test_bad_hash_and_too_many_members(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    list_id = await create_list(client, token, customer)
    hashes = kit.hashes(3)
    hashes[1] = hashes[1][:60]
    r = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body(customer, list_id, hashes),
    )
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    violations = next(d for d in error["details"] if d["@type"].endswith("BadRequest"))
    assert violations["fieldViolations"] == [
        {
            "field": "audience_members[1].user_data.user_identifiers[0].email_address",
            "description": "The SHA256 encoded value is malformed.",
            "reason": "INVALID_SHA256_FORMAT",
        }
    ]
    assert (await kit.members("google", list_id))["count"] == 0

    big = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body(customer, list_id, kit.hashes(10_001)),
    )
    assert big.status_code == 400
    reasons = [
        v["reason"]
        for d in big.json()["error"]["details"]
        if d["@type"].endswith("BadRequest")
        for v in d["fieldViolations"]
    ]
    assert reasons == ["TOO_MANY_AUDIENCE_MEMBERS"]


async def test_unknown_list_and_foreign_account(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    r = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body(customer, "123", kit.hashes(1)),
    )
    assert r.status_code == 400
    assert "INVALID_USER_LIST_ID" in r.text
    foreign = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body("1111111111", "123", kit.hashes(1)),
    )
    assert foreign.status_code == 403
    assert foreign.json()["error"]["status"] == "PERMISSION_DENIED"


async def test_remove_all_with_remove_as_of_time(kit: Any, client: httpx.AsyncClient) -> None:
    """The gap-free replace: note T, ingest the new set, then removeAll(removeAsOfTime=T)."""
    token, customer = await setup(kit)
    list_id = await create_list(client, token, customer)
    old = kit.hashes(800, "old")
    kept = kit.hashes(200, "kept")
    await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body(customer, list_id, old + kept),
    )
    await asyncio.sleep(0.05)
    cut = datetime.now(UTC)
    await asyncio.sleep(0.05)
    new = kit.hashes(500, "new")
    r = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body(customer, list_id, new + kept),
    )
    assert r.status_code == 200
    r = await client.post(
        f"{DM}/audienceMembers:removeAll",
        headers=auth(token),
        json={
            "destinations": [destination(customer, list_id)],
            "removeAsOfTime": cut.isoformat().replace("+00:00", "Z"),
        },
    )
    assert r.status_code == 200, r.text
    admin = await kit.members("google", list_id, hashes=True)
    assert sorted(admin["hashes"]) == sorted(new + kept)

    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    r = await client.post(
        f"{DM}/audienceMembers:removeAll",
        headers=auth(token),
        json={"destinations": [destination(customer, list_id)], "removeAsOfTime": future},
    )
    assert r.status_code == 400
    r = await client.post(
        f"{DM}/audienceMembers:removeAll",
        headers=auth(token),
        json={"destinations": [destination(customer, list_id)]},
    )
    assert r.status_code == 200
    assert (await kit.members("google", list_id))["count"] == 0


async def test_request_status(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    list_id = await create_list(client, token, customer)
    r = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json=members_body(customer, list_id, kit.hashes(1200)),
    )
    request_id = r.json()["requestId"]
    status = await client.get(
        f"{DM}/requestStatus:retrieve", params={"requestId": request_id}, headers=auth(token)
    )
    entry = status.json()["requestStatusPerDestination"][0]
    assert entry["requestStatus"] == "SUCCESS"
    ingestion = entry["audienceMembersIngestionStatus"]["userDataIngestionStatus"]
    assert ingestion["recordCount"] == "1200"
    assert ingestion["uploadMatchRateRange"] == "MATCH_RATE_RANGE_81_TO_90"


async def test_duplicate_list_name_and_validation(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    await create_list(client, token, customer, "Same")
    dup = await client.post(
        f"{DM}/accountTypes/GOOGLE_ADS/accounts/{customer}/userLists",
        headers=auth(token),
        json={"displayName": "Same"},
    )
    assert dup.status_code == 409
    bad = await client.post(
        f"{DM}/accountTypes/GOOGLE_ADS/accounts/{customer}/userLists",
        headers=auth(token),
        json={"displayName": "X", "membershipDuration": "100s"},
    )
    assert bad.status_code == 400


STREAM_QUERY = (
    "SELECT campaign.id, campaign.name, metrics.impressions, metrics.clicks, "
    "metrics.conversions, metrics.cost_micros, metrics.conversions_value, segments.date "
    "FROM campaign WHERE segments.date BETWEEN '2025-02-01' AND '2025-02-07' "
    "ORDER BY segments.date"
)


async def test_search_stream_metrics_are_deterministic(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    url = f"{ADS}/customers/{customer}/googleAds:searchStream"
    first = await client.post(url, headers=auth(token), json={"query": STREAM_QUERY})
    assert first.status_code == 200, first.text
    batches = first.json()
    assert isinstance(batches, list) and len(batches) == 1
    rows = batches[0]["results"]
    assert len(rows) == 4 * 7
    assert batches[0]["fieldMask"] == (
        "campaign.id,campaign.name,metrics.impressions,metrics.clicks,metrics.conversions,"
        "metrics.costMicros,metrics.conversionsValue,segments.date"
    )
    row = rows[0]
    assert row["segments"]["date"] == "2025-02-01"
    assert isinstance(row["metrics"]["impressions"], str)
    assert isinstance(row["metrics"]["costMicros"], str)
    assert isinstance(row["metrics"]["conversions"], float)
    assert (
        row["campaign"]["resourceName"] == f"customers/{customer}/campaigns/{row['campaign']['id']}"
    )
    dates = [r["segments"]["date"] for r in rows]
    assert dates == sorted(dates)
    second = await client.post(url, headers=auth(token), json={"query": STREAM_QUERY})
    assert [{k: v for k, v in b.items() if k != "requestId"} for b in second.json()] == [
        {k: v for k, v in b.items() if k != "requestId"} for b in batches
    ]


async def test_gaql_errors_and_filters(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer = await setup(kit)
    url = f"{ADS}/customers/{customer}/googleAds:searchStream"
    open_range = await client.post(
        url,
        headers=auth(token),
        json={
            "query": "SELECT campaign.id, segments.date FROM campaign "
            "WHERE segments.date >= '2025-01-01'"
        },
    )
    assert open_range.status_code == 400
    code = open_range.json()["error"]["details"][0]["errors"][0]["errorCode"]
    assert code == {"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"}
    unknown = await client.post(
        url, headers=auth(token), json={"query": "SELECT campaign.flavour FROM campaign"}
    )
    assert unknown.status_code == 400
    listing = await client.post(
        url,
        headers=auth(token),
        json={
            "query": "SELECT campaign.id, campaign.status FROM campaign "
            "WHERE campaign.status = 'ENABLED' LIMIT 2"
        },
    )
    results = listing.json()[0]["results"]
    assert len(results) == 2 and all(r["campaign"]["status"] == "ENABLED" for r in results)


async def test_campaign_and_budget_mutates_are_reflected(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, customer = await setup(kit)
    url = f"{ADS}/customers/{customer}/googleAds:searchStream"
    query = (
        "SELECT campaign.id, campaign.status, campaign.campaign_budget, "
        "campaign_budget.amount_micros FROM campaign"
    )
    rows = (await client.post(url, headers=auth(token), json={"query": query})).json()[0]["results"]
    target = rows[0]
    campaign_resource = target["campaign"]["resourceName"]
    budget_resource = target["campaign"]["campaignBudget"]
    r = await mutate(client, token, campaign_resource, "status", status="PAUSED")
    assert r.status_code == 200, r.text
    assert r.json() == {"results": [{"resourceName": campaign_resource}]}
    r = await mutate(client, token, budget_resource, "amount_micros", amountMicros="75000000")
    assert r.status_code == 200, r.text
    rows = (await client.post(url, headers=auth(token), json={"query": query})).json()[0]["results"]
    updated = next(x for x in rows if x["campaign"]["resourceName"] == campaign_resource)
    assert updated["campaign"]["status"] == "PAUSED"
    assert updated["campaignBudget"]["amountMicros"] == "75000000"

    bad = await mutate(client, token, campaign_resource, "status", status="ASLEEP")
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["errors"][0]["errorCode"] == {
        "requestError": "INVALID_ENUM_VALUE"
    }
    odd = await mutate(client, token, budget_resource, amountMicros="123")
    assert odd.status_code == 400
