"""Google Data Manager: every proto3 JSON form of a request, and enum numbers on request."""

from __future__ import annotations

from typing import Any

import httpx

DM = "/google/datamanager/v1"
INT_ENUMS = {"$alt": "json;enum-encoding=int"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def setup(kit: Any) -> tuple[str, str, str]:
    """A token, its first Google Ads account and that account's userLists collection."""
    token: str = (await kit.google())["access_token"]
    customer: str = await kit.google_customer(token)
    return token, customer, f"{DM}/accountTypes/GOOGLE_ADS/accounts/{customer}/userLists"


async def post_list(
    client: httpx.AsyncClient,
    token: str,
    parent: str,
    body: dict[str, Any],
    params: dict[str, str] | None = None,
) -> httpx.Response:
    """``POST`` the UserList ``body`` to the ``parent`` collection."""
    return await client.post(parent, params=params, headers=auth(token), json=body)


async def test_user_list_with_enum_numbers_and_proto_names(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, _, parent = await setup(kit)
    r = await post_list(
        client,
        token,
        parent,
        {
            "display_name": "Numbers",
            "membership_status": 1,
            "ingested_user_list_info": {
                "upload_key_types": [1],
                "contact_id_info": {"data_source_type": 1},
            },
        },
        INT_ENUMS,
    )
    assert r.status_code == 200, r.text
    created = r.json()
    assert created["displayName"] == "Numbers"
    assert created["membershipStatus"] == 1
    assert created["accessReason"] == 1 and created["accountAccessStatus"] == 1
    assert created["ingestedUserListInfo"]["uploadKeyTypes"] == [1]
    assert created["ingestedUserListInfo"]["contactIdInfo"]["dataSourceType"] == 1

    named = (await client.get(f"{parent}/{created['id']}", headers=auth(token))).json()
    assert named["membershipStatus"] == "OPEN"
    assert named["ingestedUserListInfo"]["uploadKeyTypes"] == ["CONTACT_ID"]
    assert named["ingestedUserListInfo"]["contactIdInfo"]["dataSourceType"] == (
        "DATA_SOURCE_TYPE_FIRST_PARTY"
    )

    r = await client.patch(
        f"{parent}/{created['id']}",
        params={"update_mask": "display_name,membership_status"},
        headers=auth(token),
        json={"display_name": "Renamed", "membership_status": 2, "description": "ignored"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["displayName"] == "Renamed" and r.json()["membershipStatus"] == "CLOSED"
    assert r.json()["description"] == ""


async def test_members_with_enum_numbers_everywhere(kit: Any, client: httpx.AsyncClient) -> None:
    token, customer, parent = await setup(kit)
    r = await post_list(
        client,
        token,
        parent,
        {"displayName": "L", "ingestedUserListInfo": {"uploadKeyTypes": ["CONTACT_ID"]}},
    )
    list_id = r.json()["id"]
    hashes = kit.hashes(5)
    body = {
        "destinations": [
            {
                "operating_account": {"account_type": 1, "account_id": customer},
                "product_destination_id": list_id,
            }
        ],
        "audience_members": [
            {"user_data": {"user_identifiers": [{"email_address": h}]}} for h in hashes
        ],
        "consent": {"ad_user_data": 1, "ad_personalization": 1},
        "terms_of_service": {"customer_match_terms_of_service_status": 1},
        "encoding": 1,
    }
    checked = await client.post(
        f"{DM}/audienceMembers:ingest",
        params=INT_ENUMS,
        headers=auth(token),
        json={**body, "validate_only": True},
    )
    assert checked.status_code == 200, checked.text
    assert (await kit.members("google", list_id))["count"] == 0

    r = await client.post(
        f"{DM}/audienceMembers:ingest", params=INT_ENUMS, headers=auth(token), json=body
    )
    assert r.status_code == 200, r.text
    assert (await kit.members("google", list_id))["count"] == 5

    status = await client.get(
        f"{DM}/requestStatus:retrieve",
        params={**INT_ENUMS, "request_id": r.json()["requestId"]},
        headers=auth(token),
    )
    assert status.status_code == 200, status.text
    entry = status.json()["requestStatusPerDestination"][0]
    assert entry["requestStatus"] == 1  # SUCCESS
    assert entry["destination"]["operatingAccount"]["accountType"] == 1
    ingestion = entry["audienceMembersIngestionStatus"]["userDataIngestionStatus"]
    assert ingestion["uploadMatchRateRange"] == 1  # NOT_ELIGIBLE: under 1,000 members

    body["audience_members"] = body["audience_members"][:2]
    r = await client.post(f"{DM}/audienceMembers:remove", headers=auth(token), json=body)
    assert r.status_code == 200, r.text
    assert (await kit.members("google", list_id))["count"] == 3

    r = await client.post(
        f"{DM}/audienceMembers:removeAll",
        headers=auth(token),
        json={"destinations": body["destinations"]},
    )
    assert r.status_code == 200, r.text
    assert (await kit.members("google", list_id))["count"] == 0


async def test_unknown_enum_number_and_twice_named_field_are_refused(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, customer, parent = await setup(kit)
    r = await post_list(
        client, token, parent, {"displayName": "L", "ingestedUserListInfo": {"uploadKeyTypes": [9]}}
    )
    assert r.status_code == 400
    violation = r.json()["error"]["details"][1]["fieldViolations"][0]
    assert violation["reason"] == "INVALID_ENUM_VALUE"

    r = await post_list(client, token, parent, {"displayName": "A", "display_name": "B"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["details"][1]["fieldViolations"][0]["reason"] == "INVALID_FORMAT"
    assert "displayName" in error["details"][1]["fieldViolations"][0]["description"]

    r = await client.post(
        f"{DM}/audienceMembers:ingest",
        headers=auth(token),
        json={
            "destinations": [
                {
                    "operatingAccount": {"accountType": 1, "accountId": customer},
                    "productDestinationId": "1",
                }
            ],
            "audienceMembers": [{"userData": {"userIdentifiers": [{"emailAddress": "a" * 64}]}}],
            "encoding": 7,
        },
    )
    assert r.status_code == 400
    fields = r.json()["error"]["details"][1]["fieldViolations"]
    assert [(f["field"], f["reason"]) for f in fields] == [("encoding", "INVALID_ENUM_VALUE")]
