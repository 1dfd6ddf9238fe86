"""TikTok imitation: advertisers, segment API, file API with APPEND/REMOVE/REPLACE and its floor."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

API = "/tiktok/business/open_api/v1.3"


async def setup(kit: Any, client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    data = await kit.tiktok()
    headers = {"Access-Token": data["access_token"]}
    r = await client.get(
        f"{API}/oauth2/advertiser/get/",
        params={"app_id": "tt-app", "secret": "tt-secret"},
        headers=headers,
    )
    body = r.json()
    assert body["code"] == 0
    advertisers = body["data"]["list"]
    assert [a["advertiser_id"] for a in advertisers] == data["advertiser_ids"]
    return headers, advertisers[0]["advertiser_id"]


async def post_file(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    advertiser: str,
    content: bytes,
    signature: str | None = None,
) -> httpx.Response:
    """``dmp/custom_audience/file/upload/`` of ``content`` (with ``signature`` when given)."""
    data = {"advertiser_id": advertiser, "calculate_type": "EMAIL_SHA256"}
    if signature is not None:
        data["file_signature"] = signature
    return await client.post(
        f"{API}/dmp/custom_audience/file/upload/",
        headers=headers,
        data=data,
        files={"file": ("audience.txt", content, "text/plain")},
    )


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], advertiser: str, hashes: list[str]
) -> str:
    content = ("\n".join(hashes) + "\n").encode()
    r = await post_file(client, headers, advertiser, content, hashlib.md5(content).hexdigest())
    body = r.json()
    assert body["code"] == 0, body
    path: str = body["data"]["file_path"]
    return path


async def create_segment(
    client: httpx.AsyncClient, headers: dict[str, str], advertiser: str, name: str
) -> str:
    r = await client.post(
        f"{API}/segment/audience/",
        headers=headers,
        json={"advertiser_id": advertiser, "custom_audience_name": name, "action": "create"},
    )
    audience_id: str = r.json()["data"]["audience_id"]
    return audience_id


async def mapping(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    advertiser: str,
    action: str,
    id_schema: list[str],
    batch_data: list[Any],
) -> httpx.Response:
    return await client.post(
        f"{API}/segment/mapping/",
        headers=headers,
        json={
            "advertiser_ids": [advertiser],
            "action": action,
            "id_schema": id_schema,
            "batch_data": batch_data,
        },
    )


async def update_from_file(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    advertiser: str,
    audience_id: str,
    hashes: list[str],
    action: str | None = None,
) -> dict[str, Any]:
    """Upload ``hashes`` as a file, then ``custom_audience/update/`` with it (and ``action``)."""
    path = await upload(client, headers, advertiser, hashes)
    body: dict[str, Any] = {"advertiser_id": advertiser, "custom_audience_id": audience_id}
    if action is not None:
        body["action"] = action
    body["file_paths"] = [path]
    r = await client.post(f"{API}/dmp/custom_audience/update/", headers=headers, json=body)
    result: dict[str, Any] = r.json()
    return result


async def details(
    client: httpx.AsyncClient, headers: dict[str, str], advertiser: str, audience_id: str
) -> dict[str, Any]:
    r = await client.get(
        f"{API}/dmp/custom_audience/get/",
        headers=headers,
        params={"advertiser_id": advertiser, "custom_audience_ids": f'["{audience_id}"]'},
    )
    body = r.json()
    assert body["code"] == 0, body
    result: dict[str, Any] = body["data"]["list"][0]["audience_details"]
    return result


async def test_segment_api_add_and_delete(kit: Any, client: httpx.AsyncClient) -> None:
    headers, advertiser = await setup(kit, client)
    audience_id = await create_segment(client, headers, advertiser, "Streamed")
    emails = kit.hashes(300, "e")
    phones = kit.hashes(300, "p")
    r = await mapping(
        client,
        headers,
        advertiser,
        "add",
        ["EMAIL_SHA256", "PHONE_SHA256"],
        [
            [{"id": e, "audience_ids": [audience_id]}, {"id": p, "audience_ids": [audience_id]}]
            for e, p in zip(emails, phones, strict=True)
        ],
    )
    assert r.json()["code"] == 0, r.json()
    r = await mapping(
        client,
        headers,
        advertiser,
        "delete",
        ["EMAIL_SHA256"],
        [[{"id": e, "audience_ids": [audience_id]}] for e in emails[:100]],
    )
    assert r.json()["code"] == 0
    admin = await kit.members("tiktok", audience_id, hashes=True)
    assert sorted(admin["hashes"]) == sorted(emails[100:] + phones)
    info = await details(client, headers, advertiser, audience_id)
    # A user is one person: those whose email left keep matching on their phone.
    people = [[p] for p in phones[:100]] + [
        [e, p] for e, p in zip(emails[100:], phones[100:], strict=True)
    ]
    assert info["cover_num"] == kit.matched_people(people)
    assert admin["count"] == 300
    assert info["is_valid"] is True


async def test_segment_mapping_rejects_bad_rows(kit: Any, client: httpx.AsyncClient) -> None:
    headers, advertiser = await setup(kit, client)
    audience_id = await create_segment(client, headers, advertiser, "S")
    bad = await mapping(
        client,
        headers,
        advertiser,
        "add",
        ["EMAIL_SHA256"],
        [[{"id": "x" * 64, "audience_ids": [audience_id]}]],
    )
    assert bad.status_code == 200
    assert bad.json()["code"] == 40002
    assert "batch_data[0][0]" in bad.json()["message"]
    schema = await mapping(
        client,
        headers,
        advertiser,
        "add",
        ["EMAIL_MD5"],
        [[{"id": kit.sha("a"), "audience_ids": [audience_id]}]],
    )
    assert schema.json()["code"] == 40002
    too_many = await mapping(
        client,
        headers,
        advertiser,
        "add",
        ["EMAIL_SHA256"],
        [[{"id": h, "audience_ids": [audience_id]}] for h in kit.hashes(10_001)],
    )
    assert too_many.json()["code"] == 40002
    assert (await kit.members("tiktok", audience_id))["count"] == 0


async def test_file_api_replace_is_default_and_floor_holds(
    kit: Any, client: httpx.AsyncClient
) -> None:
    headers, advertiser = await setup(kit, client)
    first = kit.hashes(2000, "first")
    path = await upload(client, headers, advertiser, first)
    r = await client.post(
        f"{API}/dmp/custom_audience/create/",
        headers=headers,
        json={
            "advertiser_id": advertiser,
            "custom_audience_name": "From file",
            "file_paths": [path],
            "calculate_type": "EMAIL_SHA256",
        },
    )
    audience_id = r.json()["data"]["custom_audience_id"]
    assert (await kit.members("tiktok", audience_id))["count"] == 2000

    second = kit.hashes(1500, "second")
    result = await update_from_file(client, headers, advertiser, audience_id, second)
    assert result["code"] == 0, result
    admin = await kit.members("tiktok", audience_id, hashes=True)
    assert sorted(admin["hashes"]) == sorted(second), "an update without action replaces"

    result = await update_from_file(
        client, headers, advertiser, audience_id, second[:600], "REMOVE"
    )
    assert result["code"] == 40002
    assert "1000" in result["message"]
    assert (await kit.members("tiktok", audience_id))["count"] == 1500

    small = kit.hashes(999, "small")
    result = await update_from_file(client, headers, advertiser, audience_id, small, "REPLACE")
    assert result["code"] == 40002
    assert (await kit.members("tiktok", audience_id))["count"] == 1500

    result = await update_from_file(
        client, headers, advertiser, audience_id, small + second[:10], "APPEND"
    )
    assert result["code"] == 0
    admin = await kit.members("tiktok", audience_id, hashes=True)
    assert sorted(admin["hashes"]) == sorted(second + small)
    assert admin["stats"]["duplicates"] >= 10

    result = await update_from_file(client, headers, advertiser, audience_id, small[:500], "REMOVE")
    assert result["code"] == 0
    assert (await kit.members("tiktok", audience_id))["count"] == 1500 + 499

    info = await details(client, headers, advertiser, audience_id)
    assert info["calculate_type"] == "EMAIL_SHA256"
    assert info["cover_num"] == kit.matched(second + small[500:])

    listed = await client.get(
        f"{API}/dmp/custom_audience/list/",
        headers=headers,
        params={"advertiser_id": advertiser, "page": 1, "page_size": 10},
    )
    assert listed.json()["data"]["page_info"]["total_number"] == 1
    deleted = await client.post(
        f"{API}/dmp/custom_audience/delete/",
        headers=headers,
        json={"advertiser_id": advertiser, "custom_audience_ids": [audience_id]},
    )
    assert deleted.json()["code"] == 0
    gone = await client.get(
        f"{API}/dmp/custom_audience/get/",
        headers=headers,
        params={"advertiser_id": advertiser, "custom_audience_ids": f'["{audience_id}"]'},
    )
    assert gone.json()["code"] == 40002


async def test_file_upload_checks_signature_and_content(
    kit: Any, client: httpx.AsyncClient
) -> None:
    headers, advertiser = await setup(kit, client)
    hashes = b"\n".join(h.encode() for h in kit.hashes(3))
    r = await post_file(client, headers, advertiser, hashes, "0" * 32)
    assert r.json()["code"] == 40002
    r = await post_file(client, headers, advertiser, b"not-a-hash\n1234\n")
    assert r.json()["code"] == 40002


async def test_foreign_advertiser_is_refused(kit: Any, client: httpx.AsyncClient) -> None:
    headers, _ = await setup(kit, client)
    r = await client.post(
        f"{API}/segment/audience/",
        headers=headers,
        json={"advertiser_id": "123", "custom_audience_name": "x", "action": "create"},
    )
    assert r.json()["code"] == 40001
