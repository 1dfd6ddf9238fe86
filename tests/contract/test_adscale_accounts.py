"""adscale-api.md "Ad Accounts": connect, list, disconnect; every field and key error."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

connect = kit.connect_account


async def test_connect_returns_every_documented_field(api: httpx.AsyncClient):
    member = await kit.register(api, "accounts")
    with_token = await connect(
        api,
        member,
        platform="google",
        account_id_external="123-456-7890",
        account_name="Main store",
        access_token="ya29.a-token-we-never-show",
    )
    assert (with_token["platform"], with_token["account_id_external"]) == ("google", "123-456-7890")
    assert with_token["account_name"] == "Main store"
    assert (with_token["is_connected"], with_token["status"]) == (True, "active")
    assert abs(kit.utc(with_token["connected_at"]).timestamp() - time.time()) < 120
    without_token = await connect(api, member, platform="meta", account_id_external="act_42")
    assert without_token["account_name"] is None
    # No token to call the platform with: active, but not connected.
    assert (without_token["is_connected"], without_token["status"]) == (False, "active")
    listed = await api.get("/accounts", headers=member.headers)
    assert "a-token-we-never-show" not in listed.text
    assert {a["id"] for a in listed.json()["items"]} == {with_token["id"], without_token["id"]}


async def test_duplicates_are_per_platform_and_per_user(api: httpx.AsyncClient):
    member = await kit.register(api, "dupaccounts")
    body = {"platform": "meta", "account_id_external": "act_1001"}
    await connect(api, member, **body)
    kit.detail_error(await api.post("/accounts", json=body, headers=member.headers), 409)
    kit.detail_error(
        await api.post("/accounts", json={**body, "account_name": "again"}, headers=member.headers),
        409,
    )
    await connect(api, member, platform="google", account_id_external="act_1001")
    other = await kit.register(api, "dupaccounts2")
    await connect(api, other, **body)


async def test_connect_validation(api: httpx.AsyncClient):
    member = await kit.register(api, "badaccounts")
    h = member.headers
    kit.validation_error(
        await api.post("/accounts", json={}, headers=h),
        ["body", "platform"],
        ["body", "account_id_external"],
    )
    kit.validation_error(
        await api.post(
            "/accounts", json={"platform": "bing", "account_id_external": "1"}, headers=h
        ),
        ["body", "platform"],
    )
    kit.validation_error(
        await api.post(
            "/accounts", json={"platform": "google", "account_id_external": ""}, headers=h
        ),
        ["body", "account_id_external"],
    )
    # Read-only fields can't be set by the client.
    kit.validation_error(
        await api.post(
            "/accounts",
            json={"platform": "google", "account_id_external": "1", "status": "disconnected"},
            headers=h,
        ),
        ["body", "status"],
    )
    assert (await api.get("/accounts", headers=h)).json()["total"] == 0


async def test_list_paginates_with_offset_and_limit(api: httpx.AsyncClient):
    member = await kit.register(api, "pageaccounts")
    created = [
        (await connect(api, member, platform="google", account_id_external=f"100-000-000{n}"))["id"]
        for n in range(5)
    ]
    walked = await kit.walk_pages(api, "/accounts", member.headers, kit.ACCOUNT, size=2)
    assert sorted(a["id"] for a in walked) == sorted(created)
    first = kit.page(
        await api.get("/accounts?offset=0&limit=3", headers=member.headers),
        kit.ACCOUNT,
        offset=0,
        limit=3,
    )
    last = kit.page(
        await api.get("/accounts?offset=3&limit=3", headers=member.headers),
        kit.ACCOUNT,
        offset=3,
        limit=3,
    )
    assert first["total"] == last["total"] == 5
    assert (len(first["items"]), len(last["items"])) == (3, 2)
    beyond = kit.page(
        await api.get("/accounts?offset=5&limit=3", headers=member.headers),
        kit.ACCOUNT,
        offset=5,
        limit=3,
    )
    assert beyond["items"] == [] and beyond["total"] == 5


async def test_disconnect(api: httpx.AsyncClient):
    member = await kit.register(api, "disconnect")
    stranger = await kit.register(api, "disconnect-stranger")
    account = await connect(api, member, platform="google", account_id_external="555-555-5555")
    kept = await connect(api, member, platform="meta", account_id_external="act_555")

    kit.detail_error(await api.delete(f"/accounts/{account['id']}", headers=stranger.headers), 404)
    assert (await api.get("/accounts", headers=stranger.headers)).json()["total"] == 0
    kit.detail_error(await api.delete("/accounts/not-a-uuid", headers=member.headers), 400)

    await kit.deleted_leaving(api, member, "/accounts", account["id"], kept["id"])
    # Once disconnected, the same external account can be connected again.
    await connect(api, member, platform="google", account_id_external="555-555-5555")


async def test_disconnecting_an_account_removes_its_campaigns(api: httpx.AsyncClient):
    member = await kit.register(api, "acctcascade")
    account = await connect(api, member, platform="meta", account_id_external="act_777")
    campaign = await api.post(
        "/campaigns",
        json={"ad_account_id": account["id"], "name": "Gone with it", "objective": "traffic"},
        headers=member.headers,
    )
    assert campaign.status_code == 201, campaign.text
    assert (
        await api.delete(f"/accounts/{account['id']}", headers=member.headers)
    ).status_code == 204
    kit.detail_error(
        await api.get(f"/campaigns/{campaign.json()['id']}", headers=member.headers), 404
    )
    assert (await api.get("/campaigns", headers=member.headers)).json()["total"] == 0


async def test_status_turns_disconnected_when_the_platform_refuses_the_token(
    api: httpx.AsyncClient,
):
    """`status` is `active` or `disconnected`; `is_connected` reflects it (campaigns README:
    the platform refusing the token during a metrics fetch disconnects the account)."""
    member = await kit.register(api, "tokenrefused")
    login = await kit.meta_login()
    account = await connect(
        api,
        member,
        platform="meta",
        account_id_external=login.account_id,
        access_token="EAA-revoked-by-the-user",
    )
    assert (account["status"], account["is_connected"]) == ("active", True)
    campaign = await api.post(
        "/campaigns",
        json={
            "ad_account_id": account["id"],
            "name": "Linked",
            "objective": "sales",
            "external_campaign_id": login.campaign_ids[0],
        },
        headers=member.headers,
    )
    assert campaign.status_code == 201, campaign.text
    refresh = await api.post(
        f"/metrics/campaign/{campaign.json()['id']}/refresh", headers=member.headers
    )
    kit.detail_error(refresh, 409)
    listed = (await api.get("/accounts", headers=member.headers)).json()["items"]
    after = kit.conforms(listed[0], kit.ACCOUNT)
    assert (after["status"], after["is_connected"]) == ("disconnected", False)
    assert after["disconnected_reason"] and after["connected_at"] == account["connected_at"]
