"""adscale-api.md "API Keys": create (raw key once, prefix adscale_live_), list without raw
keys, revoke; paging, isolation, validation.

(test_identity.py covers the key's use on /auth/provision and the gateway forgetting a
revoked key within two seconds.)
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

CREATED = {**kit.API_KEY, "key": kit.STR}
del CREATED["last_used_at"]


async def test_create_returns_the_raw_key_once(api: httpx.AsyncClient):
    member = await kit.register(api, "keys")
    response = await api.post(
        "/api-keys", json={"name": "  warehouse sync  "}, headers=member.headers
    )
    assert response.status_code == 201, response.text
    created = kit.conforms(response.json(), CREATED)
    raw = created["key"]
    assert raw.startswith("adscale_live_") and len(raw) > len("adscale_live_") + 20
    assert raw.startswith(created["prefix"]) and created["prefix"] != raw
    assert created["name"] == "warehouse sync"
    assert abs(kit.utc(created["created_at"]).timestamp() - time.time()) < 120

    listed = kit.page(await api.get("/api-keys", headers=member.headers), kit.API_KEY)
    [shown] = listed["items"]
    assert shown == {k: v for k, v in created.items() if k != "key"} | {"last_used_at": None}
    assert raw not in (await api.get("/api-keys", headers=member.headers)).text
    # Every key is different, even with the same name.
    again = await api.post("/api-keys", json={"name": "warehouse sync"}, headers=member.headers)
    assert again.json()["key"] != raw and again.json()["id"] != created["id"]


async def test_list_is_newest_first_and_paginates(api: httpx.AsyncClient):
    member = await kit.register(api, "pagekeys")
    ids = []
    for n in range(4):
        ids.append(
            (await api.post("/api-keys", json={"name": f"k{n}"}, headers=member.headers)).json()[
                "id"
            ]
        )
        await asyncio.sleep(0.01)
    walked = await kit.walk_pages(api, "/api-keys", member.headers, kit.API_KEY, size=3)
    assert [k["id"] for k in walked] == list(reversed(ids))
    tail = kit.page(
        await api.get("/api-keys?offset=3&limit=3", headers=member.headers),
        kit.API_KEY,
        offset=3,
        limit=3,
    )
    assert tail["total"] == 4 and [k["id"] for k in tail["items"]] == [ids[0]]


async def test_create_validation(api: httpx.AsyncClient):
    member = await kit.register(api, "badkeys")
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "n" * 101}, {"name": 7}):
        kit.validation_error(
            await api.post("/api-keys", json=body, headers=member.headers), ["body", "name"]
        )
    assert (
        await api.post("/api-keys", json={"name": "n" * 100}, headers=member.headers)
    ).status_code == 201


async def test_revoke(api: httpx.AsyncClient):
    member = await kit.register(api, "revoke")
    stranger = await kit.register(api, "revoke-stranger")
    await kit.upgrade(api, member, "pro")
    doomed = (await api.post("/api-keys", json={"name": "old"}, headers=member.headers)).json()
    kept = (await api.post("/api-keys", json={"name": "new"}, headers=member.headers)).json()
    assert (await api.get("/usage", headers={"X-API-Key": doomed["key"]})).status_code == 200

    kit.detail_error(await api.delete(f"/api-keys/{doomed['id']}", headers=stranger.headers), 404)
    assert (await api.get("/usage", headers={"X-API-Key": doomed["key"]})).status_code == 200
    kit.detail_error(await api.delete("/api-keys/not-a-uuid", headers=member.headers), 400)

    await kit.deleted_leaving(api, member, "/api-keys", doomed["id"], kept["id"])
    deadline = time.monotonic() + 5
    while True:
        refused = await api.get("/usage", headers={"X-API-Key": doomed["key"]})
        if refused.status_code == 401 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    kit.detail_error(refused, 401)
    assert (await api.get("/usage", headers={"X-API-Key": kept["key"]})).status_code == 200


async def test_api_access_follows_the_plan(api: httpx.AsyncClient):
    """Free: no API access. A key made on Free starts working on payment and stops when
    the subscription ends (the gateway forgets cached answers on the owner's plan change)."""
    member = await kit.register(api, "keyplan")
    key = {"X-API-Key": await kit.api_key(api, member)}
    kit.detail_error(await api.get("/usage", headers=key), 403)
    subscription = await kit.upgrade(api, member, "pro")
    assert (await api.get("/usage", headers=key)).status_code == 200
    await kit.cancel(api, member, subscription, "pro")
    deadline = time.monotonic() + 5
    while (response := await api.get("/usage", headers=key)).status_code == 200:
        assert time.monotonic() < deadline, "a Free user's key still works after 5 s"
        await asyncio.sleep(0.1)
    kit.detail_error(response, 403)
    kit.detail_error(
        await api.post(
            "/auth/provision",
            json={"email": kit.unique_email("late"), "external_user_id": "late"},
            headers=key,
        ),
        403,
    )
    await kit.upgrade(api, member, "enterprise")
    deadline = time.monotonic() + 5
    while (response := await api.get("/usage", headers=key)).status_code == 403:
        assert time.monotonic() < deadline, "the key stays refused after paying again"
        await asyncio.sleep(0.1)
    assert response.status_code == 200 and response.json()["plan"] == "enterprise"
