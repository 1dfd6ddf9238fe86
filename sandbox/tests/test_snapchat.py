"""Snapchat imitation: organizations with ad accounts, segments, users, remove-all."""

from __future__ import annotations

from typing import Any

import httpx

ADS = "/snapchat/adsapi/v1"


def users(hashes: list[str], schema: str = "EMAIL_SHA256") -> dict[str, Any]:
    return {"users": [{"schema": [schema], "data": [[h] for h in hashes]}]}


async def setup(kit: Any) -> tuple[dict[str, str], str]:
    tokens = await kit.snapchat()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return headers, await kit.snapchat_account(tokens["access_token"])


async def create_segment(client: httpx.AsyncClient, headers: dict[str, str], account: str) -> str:
    r = await client.post(
        f"{ADS}/adaccounts/{account}/segments",
        headers=headers,
        json={
            "segments": [
                {
                    "name": "Loyal",
                    "description": "repeat buyers",
                    "source_type": "FIRST_PARTY",
                    "retention_in_days": 180,
                    "ad_account_id": account,
                }
            ]
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["request_status"] == "SUCCESS"
    segment = body["segments"][0]["segment"]
    assert segment["upload_status"] == "NO_UPLOAD"
    assert segment["targetable_status"] == "NOT_READY"
    segment_id: str = segment["id"]
    return segment_id


async def test_organizations_with_ad_accounts(kit: Any, client: httpx.AsyncClient) -> None:
    headers, account = await setup(kit)
    r = await client.get(
        f"{ADS}/me/organizations", params={"with_ad_accounts": "true"}, headers=headers
    )
    org = r.json()["organizations"][0]["organization"]
    assert len(org["ad_accounts"]) == 3
    assert org["ad_accounts"][0]["id"] == account
    plain = await client.get(f"{ADS}/me/organizations", headers=headers)
    assert "ad_accounts" not in plain.json()["organizations"][0]["organization"]


async def test_segment_lifecycle(kit: Any, client: httpx.AsyncClient) -> None:
    headers, account = await setup(kit)
    segment_id = await create_segment(client, headers, account)
    members = kit.hashes(1500)
    r = await client.post(
        f"{ADS}/segments/{segment_id}/users", headers=headers, json=users(members)
    )
    assert r.status_code == 200
    assert r.json()["users"][0]["user"]["number_uploaded_users"] == 1500
    r = await client.request(
        "DELETE", f"{ADS}/segments/{segment_id}/users", headers=headers, json=users(members[:200])
    )
    assert r.status_code == 200
    r = await client.get(f"{ADS}/segments/{segment_id}", headers=headers)
    segment = r.json()["segments"][0]["segment"]
    assert segment["upload_status"] == "COMPLETE"
    assert segment["approximate_number_users"] == kit.matched(members[200:])
    assert segment["targetable_status"] == "READY"

    r = await client.delete(f"{ADS}/segments/{segment_id}/all_users", headers=headers)
    assert r.status_code == 200
    assert r.json()["segments"][0]["segment"]["approximate_number_users"] == 0
    assert (await kit.members("snapchat", segment_id))["count"] == 0

    r = await client.post(
        f"{ADS}/segments/{segment_id}/users", headers=headers, json=users(members[:50])
    )
    segment = (await client.get(f"{ADS}/segments/{segment_id}", headers=headers)).json()
    assert segment["segments"][0]["segment"]["targetable_status"] == "TOO_FEW_USERS"

    r = await client.delete(f"{ADS}/segments/{segment_id}", headers=headers)
    assert r.status_code == 200
    missing = await client.get(f"{ADS}/segments/{segment_id}", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["request_status"] == "ERROR"


async def test_one_identifier_type_per_request(kit: Any, client: httpx.AsyncClient) -> None:
    headers, account = await setup(kit)
    segment_id = await create_segment(client, headers, account)
    mixed = users(kit.hashes(2))
    mixed["users"].append(users(kit.hashes(2, "p"), "PHONE_SHA256")["users"][0])
    r = await client.post(f"{ADS}/segments/{segment_id}/users", headers=headers, json=mixed)
    assert r.status_code == 400
    assert r.json()["request_status"] == "ERROR"
    # Types in separate requests (lanes) are all taken by one segment.
    for body in (users(kit.hashes(2)), users(kit.hashes(2, "p"), "PHONE_SHA256")):
        r = await client.post(f"{ADS}/segments/{segment_id}/users", headers=headers, json=body)
        assert r.status_code == 200, r.text
    admin = await kit.members("snapchat", segment_id, hashes=True)
    assert sorted(admin["hashes"]) == sorted(kit.hashes(2) + kit.hashes(2, "p"))


async def test_bad_hash_and_request_limit(kit: Any, client: httpx.AsyncClient) -> None:
    headers, account = await setup(kit)
    segment_id = await create_segment(client, headers, account)
    bad = kit.hashes(3)
    bad[2] = bad[2] + "00"
    r = await client.post(f"{ADS}/segments/{segment_id}/users", headers=headers, json=users(bad))
    assert r.status_code == 400
    assert "data[2]" in r.json()["debug_message"]
    r = await client.post(
        f"{ADS}/segments/{segment_id}/users", headers=headers, json=users(kit.hashes(100_001))
    )
    assert r.status_code == 400
    assert (await kit.members("snapchat", segment_id))["count"] == 0
    r = await client.post(
        f"{ADS}/segments/{segment_id}/users", headers=headers, json=users(kit.hashes(100_000))
    )
    assert r.status_code == 200
    assert (await kit.members("snapchat", segment_id))["count"] == 100_000


async def test_foreign_ad_account(kit: Any, client: httpx.AsyncClient) -> None:
    headers, _ = await setup(kit)
    r = await client.get(
        f"{ADS}/adaccounts/00000000-0000-0000-0000-000000000000/segments", headers=headers
    )
    assert r.status_code == 403
