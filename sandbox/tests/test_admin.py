"""Admin API: exact member sets, upload stats, reset, runtime config."""

from __future__ import annotations

import json
from typing import Any

import httpx

from adscale_sandbox.main import create_app
from adscale_sandbox.settings import Settings


async def test_members_and_upload_stats(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    audience = await kit.meta_audience(token, name="a")
    first = kit.hashes(100)
    second = kit.hashes(100, start=50)  # 50 already present
    for batch in (first, second + second[:10]):  # and 10 repeated inside the batch
        await client.post(
            f"/meta/graph/v25.0/{audience}/users",
            data={
                "payload": json.dumps({"schema": "EMAIL_SHA256", "data": batch}),
                "access_token": token,
            },
        )
    body = await kit.members("meta", audience, hashes=True)
    assert body["count"] == 150
    assert body["matched_count"] == kit.matched(first + second)
    assert sorted(body["hashes"]) == sorted(set(first + second))
    assert body["stats"] == {
        "accepted_batches": 2,
        "received_rows": 210,
        "duplicates": 60,
        "invalid_rows": 0,
        "removed_rows": 0,
    }
    limited = await client.get(
        f"/_admin/audiences/meta/{audience}/members", params={"include_hashes": "true", "limit": 5}
    )
    assert len(limited.json()["hashes"]) == 5
    missing = await client.get("/_admin/audiences/meta/404/members")
    assert missing.status_code == 404


async def test_reset_wipes_state_and_faults(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    await client.post("/_admin/faults", json={"platform": "meta", "kind": "permission", "count": 5})
    await client.patch("/_admin/config", json={"processing_delay_seconds": 3})
    r = await client.post("/_admin/reset")
    assert r.json() == {"reset": True}
    assert (await client.get("/_admin/faults")).json()["faults"] == []
    assert (await client.get("/_admin/config")).json()["processing_delay_seconds"] == 0
    gone = await client.get("/meta/graph/v25.0/me", params={"access_token": token})
    assert gone.json()["error"]["code"] == 190
    assert (
        await client.get("/meta/graph/v25.0/me", params={"access_token": await kit.meta()})
    ).status_code == 200


async def test_state_survives_a_restart(kit: Any, tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path / "persist", processing_delay_seconds=0)
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        helper = type(kit)(c)
        token = await helper.meta()
        audience = await helper.meta_audience(token, name="p")
    app.state.sandbox.store.close()

    again = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=again), base_url="http://s"
    ) as c:
        r = await c.get(
            f"/meta/graph/v25.0/{audience}", params={"access_token": token, "fields": "name"}
        )
        assert r.json() == {"id": audience, "name": "p"}
    again.state.sandbox.store.close()


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
