"""adscale-api.md "Creatives": CRUD, the list filter and paging, isolation, and AI copy
generation."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

COPY = {
    "headline": kit.STR,
    "description": kit.STR,
    "call_to_action": kit.STR,
    "provider": kit.one_of("builtin", "chat_completions"),
    "platform": kit.one_of("google", "meta"),
}
BODY = {
    "headline": "Fresh beans weekly",
    "description": "Roasted to order and shipped the same day.",
    "destination_url": "https://shop.example.com/beans?utm_source=adscale",
    "call_to_action": "Shop Now",
}


async def ad_groups_of(
    api: httpx.AsyncClient, member: kit.Member, count: int = 1, platform: str = "meta"
) -> list[str]:
    account = await api.post(
        "/accounts",
        json={"platform": platform, "account_id_external": f"c-{time.time_ns()}"},
        headers=member.headers,
    )
    campaign = await api.post(
        "/campaigns",
        json={"ad_account_id": account.json()["id"], "name": "C", "objective": "sales"},
        headers=member.headers,
    )
    assert campaign.status_code == 201, campaign.text
    bodies = [{"campaign_id": campaign.json()["id"], "name": f"G{n}"} for n in range(count)]
    return await kit.created_ids(api, member, "/ad-groups", bodies)


async def create(
    api: httpx.AsyncClient, member: kit.Member, group: str, **fields: Any
) -> httpx.Response:
    return await api.post(
        "/creatives", json={"ad_group_id": group, **BODY, **fields}, headers=member.headers
    )


async def test_create_and_get_return_every_documented_field(api: httpx.AsyncClient):
    member = await kit.register(api, "creatives")
    (group,) = await ad_groups_of(api, member)
    created = await create(api, member, group, status="paused")
    assert created.status_code == 201, created.text
    creative = kit.conforms(created.json(), kit.CREATIVE)
    assert creative["ad_group_id"] == group and creative["status"] == "paused"
    assert {k: creative[k] for k in BODY} == BODY
    got = await api.get(f"/creatives/{creative['id']}", headers=member.headers)
    assert got.status_code == 200 and kit.conforms(got.json(), kit.CREATIVE) == creative

    no_cta = await api.post(
        "/creatives",
        json={"ad_group_id": group, **{k: v for k, v in BODY.items() if k != "call_to_action"}},
        headers=member.headers,
    )
    assert no_cta.status_code == 201, no_cta.text
    plain = kit.conforms(no_cta.json(), kit.CREATIVE)
    assert (plain["call_to_action"], plain["status"]) == (None, "active")


async def test_create_validation_and_key_errors(api: httpx.AsyncClient):
    member = await kit.register(api, "badcreatives")
    stranger = await kit.register(api, "badcreatives-stranger")
    (meta_group,) = await ad_groups_of(api, member, platform="meta")
    kit.validation_error(
        await api.post("/creatives", json={}, headers=member.headers),
        ["body", "ad_group_id"],
        ["body", "headline"],
        ["body", "description"],
        ["body", "destination_url"],
    )
    for fields, loc in (
        ({"status": "archived"}, ["body", "status"]),
        ({"destination_url": "ftp://files.example.com"}, ["body", "destination_url"]),
        ({"destination_url": "not a url"}, ["body", "destination_url"]),
        ({"headline": ""}, ["body", "headline"]),
        ({"call_to_action": "C" * 31}, ["body", "call_to_action"]),
    ):
        kit.validation_error(await create(api, member, meta_group, **fields), loc)
    # Text limits follow the campaign's platform (campaigns README: Meta headline 40).
    assert (await create(api, member, meta_group, headline="H" * 40)).status_code == 201
    kit.validation_error(await create(api, member, meta_group, headline="H" * 41))
    kit.detail_error(await create(api, member, kit.NIL_UUID4), 404)
    kit.detail_error(await create(api, stranger, meta_group), 404)
    assert (await api.get("/creatives", headers=stranger.headers)).json()["total"] == 0


async def test_list_filters_by_ad_group_and_paginates(api: httpx.AsyncClient):
    member = await kit.register(api, "listcreatives")
    first, second = await ad_groups_of(api, member, 2)
    in_first = [(await create(api, member, first)).json()["id"] for _ in range(3)]
    in_second = [(await create(api, member, second)).json()["id"] for _ in range(2)]
    everything = await kit.walk_pages(api, "/creatives", member.headers, kit.CREATIVE, size=2)
    assert sorted(c["id"] for c in everything) == sorted(in_first + in_second)
    filtered = await kit.walk_pages(
        api, f"/creatives?ad_group_id={second}", member.headers, kit.CREATIVE, size=1
    )
    assert sorted(c["id"] for c in filtered) == sorted(in_second)
    middle = kit.page(
        await api.get(f"/creatives?ad_group_id={first}&offset=1&limit=1", headers=member.headers),
        kit.CREATIVE,
        offset=1,
        limit=1,
    )
    assert middle["total"] == 3 and len(middle["items"]) == 1


async def test_partial_update_and_delete(api: httpx.AsyncClient):
    member = await kit.register(api, "editcreatives")
    stranger = await kit.register(api, "editcreatives-stranger")
    (group,) = await ad_groups_of(api, member)
    creative = (await create(api, member, group)).json()
    path = f"/creatives/{creative['id']}"

    patched = await api.patch(
        path, json={"headline": "New headline", "status": "paused"}, headers=member.headers
    )
    assert patched.status_code == 200, patched.text
    after = kit.conforms(patched.json(), kit.CREATIVE)
    assert (after["headline"], after["status"]) == ("New headline", "paused")
    for field in ("description", "destination_url", "call_to_action", "ad_group_id", "id"):
        assert after[field] == creative[field]
    cleared = await api.patch(path, json={"call_to_action": None}, headers=member.headers)
    assert cleared.status_code == 200 and cleared.json()["call_to_action"] is None
    for body, loc in (
        ({"status": "deleted"}, ["body", "status"]),
        ({"destination_url": "mailto:x@example.com"}, ["body", "destination_url"]),
        ({"ad_group_id": group}, ["body", "ad_group_id"]),
    ):
        kit.validation_error(await api.patch(path, json=body, headers=member.headers), loc)
    kit.validation_error(await api.patch(path, json={"headline": None}, headers=member.headers))

    for method in ("GET", "PATCH", "DELETE"):
        response = await api.request(
            method, path, headers=stranger.headers, json={"status": "active"}
        )
        kit.detail_error(response, 404)
    deleted = await api.delete(path, headers=member.headers)
    assert deleted.status_code == 204 and deleted.content == b""
    kit.detail_error(await api.get(path, headers=member.headers), 404)
    kit.detail_error(await api.patch(path, json={"status": "active"}, headers=member.headers), 404)
    kit.detail_error(await api.delete(path, headers=member.headers), 404)
    assert (await api.get("/creatives", headers=member.headers)).json()["total"] == 0


async def test_generate_copy(api: httpx.AsyncClient):
    member = await kit.register(api, "copy")
    product = {
        "product_name": "Brewly",
        "product_description": "Cold brew kits for busy mornings. Ships in two days.",
    }
    plain = await api.post("/creatives/generate-copy", json=product, headers=member.headers)
    assert plain.status_code == 200, plain.text
    copy = kit.conforms(plain.json(), COPY)
    assert "Brewly" in copy["headline"] + copy["description"]
    # Google (the default) has the tighter limits: headline 30, description 90.
    assert len(copy["headline"]) <= 30 and len(copy["description"]) <= 90
    assert len(copy["call_to_action"]) <= 30

    tones = {}
    for tone in ("professional", "casual", "energetic"):
        response = await api.post(
            "/creatives/generate-copy",
            json={**product, "tone": tone, "target_audience": "night-shift nurses"},
            headers=member.headers,
        )
        assert response.status_code == 200, response.text
        tones[tone] = kit.conforms(response.json(), COPY)
    assert len({(c["headline"], c["description"]) for c in tones.values()}) == 3

    kit.validation_error(
        await api.post("/creatives/generate-copy", json={}, headers=member.headers),
        ["body", "product_name"],
        ["body", "product_description"],
    )
    kit.validation_error(
        await api.post(
            "/creatives/generate-copy",
            json={**product, "product_name": ""},
            headers=member.headers,
        ),
        ["body", "product_name"],
    )
