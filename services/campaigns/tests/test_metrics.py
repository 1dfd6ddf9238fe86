"""Metrics: overview from sums, daily rows with ratios, refresh and scheduled sync (sandbox)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.crypto import TokenCipher
from adscale_common.db import make_sessionmaker
from campaigns.metrics.ingest import SYNC_LOCK_KEY, sync_all, today
from campaigns.platforms import PlatformGateway
from kit import FERNET_KEY, META_VERSION, Api, meta_login, scalar, seed_days
from kit import seed_day as seed


async def test_overview_totals_and_ratios_from_sums(api: Api, other: Api, session: AsyncSession):
    c1 = await api.campaign()
    c2 = await api.campaign()
    d = date(2026, 1, 10)
    theirs = await other.campaign()
    # Averaging per-row ROAS would give (4 + 0.5) / 2 = 2.25; from sums it is 220 / 110 = 2.0.
    days = [  # campaign, day, impressions, clicks, conversions, spend, revenue
        (c1, d, 1000, 50, 4, "10.00", "40.00"),
        (c2, d, 3000, 30, 1, "100.00", "50.00"),
        (c1, d + timedelta(days=1), 1000, 20, 0, "0", "130.00"),
        (c1, d - timedelta(days=5), 999, 9, 0, "9.99", "1"),
        (theirs, d, 10**6, 10**4, 0, "999.00", "1.00"),
    ]
    await seed_days(session, days)

    r = await api.client.get(
        "/api/v1/metrics/overview?start_date=2026-01-10&end_date=2026-01-11", headers=api.h
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total_spend"] == "110.00" and body["total_revenue"] == "220.00"
    assert body["total_impressions"] == 5000 and body["total_clicks"] == 100
    assert body["total_conversions"] == 5
    assert body["avg_roas"] == 2.0
    assert body["avg_ctr"] == 0.02
    assert body["avg_cpa"] == "22.00"

    # overview == sum of the daily rows of the range
    rows = []
    for c in (c1, c2):
        page = await api.client.get(
            f"/api/v1/metrics/campaign/{c['id']}?start_date=2026-01-10&end_date=2026-01-11",
            headers=api.h,
        )
        rows += page.json()["items"]
    assert sum(Decimal(x["spend"]) for x in rows) == Decimal(body["total_spend"])
    assert sum(x["impressions"] for x in rows) == body["total_impressions"]

    everything = (await api.get("/api/v1/metrics/overview")).json()
    assert everything["total_impressions"] == 5999


async def test_null_ratios_on_zero_denominators(api: Api, session: AsyncSession):
    empty = (await api.get("/api/v1/metrics/overview")).json()
    assert empty["total_spend"] == "0.00" and empty["total_impressions"] == 0
    assert empty["avg_roas"] is None and empty["avg_ctr"] is None and empty["avg_cpa"] is None
    c = await api.campaign()
    await seed(
        session,
        c["id"],
        date(2026, 2, 1),
        impressions=0,
        clicks=0,
        conversions=0,
        spend="0",
        revenue="0",
    )
    row = (await api.get(f"/api/v1/metrics/campaign/{c['id']}")).json()["items"][0]
    assert row["roas"] is None and row["ctr"] is None and row["cpa"] is None
    assert row["date"] == "2026-02-01"


async def test_campaign_rows_paginated_with_per_row_ratios(
    api: Api, other: Api, session: AsyncSession
):
    c = await api.campaign()
    start = date(2026, 3, 1)
    for i in range(5):
        await seed(
            session,
            c["id"],
            start + timedelta(days=i),
            impressions=1000,
            clicks=10 * (i + 1),
            conversions=i,
            spend="20.00",
            revenue=str(10 * i),
        )
    r = await api.get(f"/api/v1/metrics/campaign/{c['id']}?offset=1&limit=2")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 5 and body["offset"] == 1 and body["limit"] == 2
    first = body["items"][0]
    assert first == {
        "date": "2026-03-02",
        "impressions": 1000,
        "clicks": 20,
        "conversions": 1.0,
        "spend": "20.00",
        "revenue": "10.00",
        "roas": 0.5,
        "ctr": 0.02,
        "cpa": "20.00",
    }
    assert (await other.get(f"/api/v1/metrics/campaign/{c['id']}")).status_code == 404
    assert (await api.get("/api/v1/metrics/campaign/xyz")).status_code == 400
    bad = await api.client.get(
        "/api/v1/metrics/overview?start_date=2026-03-05&end_date=2026-03-01", headers=api.h
    )
    assert bad.status_code == 422
    assert (await api.get("/api/v1/metrics/overview?start_date=yesterday")).status_code == 422
    assert (await api.client.get("/api/v1/metrics/overview")).status_code == 401


async def test_refresh_from_the_sandbox_matches_the_platform(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await meta_login(sandbox)
    account = await api.account(
        "meta", account_id_external=login.account_id, access_token=login.token
    )
    external = login.campaign_ids[0]
    campaign = await api.campaign(account["id"], external_campaign_id=external)
    until = today() - timedelta(days=1)
    since = until - timedelta(days=13)
    r = await api.client.post(
        f"/api/v1/metrics/campaign/{campaign['id']}/refresh"
        f"?start_date={since.isoformat()}&end_date={until.isoformat()}",
        headers=api.h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["rows_upserted"] == 14
    # Refreshing again upserts (no duplicates).
    again = await api.client.post(
        f"/api/v1/metrics/campaign/{campaign['id']}/refresh"
        f"?start_date={since.isoformat()}&end_date={until.isoformat()}",
        headers=api.h,
    )
    assert again.json()["rows_upserted"] == 14
    rows = (await api.get(f"/api/v1/metrics/campaign/{campaign['id']}?limit=200")).json()
    assert rows["total"] == 14
    overview = (
        await api.client.get(
            f"/api/v1/metrics/overview?start_date={since}&end_date={until}", headers=api.h
        )
    ).json()
    assert overview["total_impressions"] == sum(x["impressions"] for x in rows["items"])
    assert Decimal(overview["total_spend"]) == sum(Decimal(x["spend"]) for x in rows["items"])
    assert Decimal(overview["total_revenue"]) == sum(Decimal(x["revenue"]) for x in rows["items"])
    # ... and equal to what the platform itself reports for the whole range.
    platform = await sandbox.get(
        f"/meta/graph/{META_VERSION}/{external}/insights",
        params={
            "fields": "impressions,clicks,spend",
            "time_range": f'{{"since":"{since}","until":"{until}"}}',
        },
        headers={"Authorization": f"Bearer {login.token}"},
    )
    total = platform.json()["data"][0]
    assert overview["total_impressions"] == int(total["impressions"])
    assert overview["total_clicks"] == int(total["clicks"])
    assert Decimal(overview["total_spend"]) == Decimal(total["spend"])


async def test_refresh_errors(
    api: Api, other: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    unlinked = await api.campaign()
    r = await api.client.post(f"/api/v1/metrics/campaign/{unlinked['id']}/refresh", headers=api.h)
    assert r.status_code == 409
    r = await other.client.post(
        f"/api/v1/metrics/campaign/{unlinked['id']}/refresh", headers=other.h
    )
    assert r.status_code == 404
    login = await meta_login(sandbox)
    account = await api.account(
        "meta", account_id_external=login.account_id, access_token=login.token
    )
    campaign = await api.campaign(account["id"], external_campaign_id=login.campaign_ids[0])
    revoked = await sandbox.post(
        "/_admin/tokens/revoke", json={"platform": "meta", "token": login.token}
    )
    assert revoked.json()["revoked"] >= 1
    r = await api.client.post(f"/api/v1/metrics/campaign/{campaign['id']}/refresh", headers=api.h)
    assert r.status_code == 409 and "disconnected" in r.json()["detail"]
    body = (await api.get(f"/api/v1/accounts/{account['id']}")).json()
    assert body["status"] == "disconnected" and body["is_connected"] is False


async def test_scheduled_sync_under_an_advisory_lock(
    engine: AsyncEngine, sandbox: httpx.AsyncClient, platforms: PlatformGateway
):
    login = await meta_login(sandbox)
    cipher = TokenCipher(FERNET_KEY)
    user = uuid.uuid4()
    account_id, campaign_id = uuid.uuid4(), uuid.uuid4()
    sessions = make_sessionmaker(engine)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO ad_account (id, user_id, platform, account_id_external, "
                "access_token_encrypted) VALUES (:a, :u, 'meta', :ext, :tok)"
            ),
            {
                "a": account_id,
                "u": user,
                "ext": login.account_id,
                "tok": cipher.encrypt(login.token),
            },
        )
        await conn.execute(
            sa.text(
                "INSERT INTO campaign (id, user_id, ad_account_id, platform, name, objective, "
                "status, external_campaign_id) "
                "VALUES (:c, :u, :a, 'meta', 'n', 'sales', 'active', :x)"
            ),
            {"c": campaign_id, "u": user, "a": account_id, "x": login.campaign_ids[1]},
        )
    try:
        # Another instance holds the lock: this one does nothing.
        async with engine.connect() as holder:
            await holder.execute(sa.select(sa.func.pg_advisory_lock(SYNC_LOCK_KEY)))
            assert await sync_all(engine, sessions, platforms, cipher, 3) is None
            await holder.execute(sa.select(sa.func.pg_advisory_unlock(SYNC_LOCK_KEY)))
            await holder.commit()
        rows = await sync_all(engine, sessions, platforms, cipher, 3)
        assert rows is not None and rows >= 3
        async with engine.connect() as conn:
            days = await scalar(
                conn, "SELECT count(*) FROM campaign_metric WHERE campaign_id = :c", c=campaign_id
            )
            synced = await scalar(
                conn, "SELECT metrics_synced_at FROM ad_account WHERE id = :a", a=account_id
            )
        assert days == 3 and synced is not None
    finally:
        async with engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM ad_account WHERE id = :a"), {"a": account_id})


def _under_a_dropped_key(token: str) -> str:
    """``token`` encrypted under a key the service no longer has."""
    return TokenCipher(Fernet.generate_key().decode()).encrypt(token)


async def test_refresh_of_an_account_whose_token_no_key_decrypts_disconnects_it(
    api: Api, sandbox: httpx.AsyncClient, session: AsyncSession
):
    login = await meta_login(sandbox)
    account = await api.account(
        "meta", account_id_external=login.account_id, access_token=login.token
    )
    campaign = await api.campaign(account["id"], external_campaign_id=login.campaign_ids[0])
    await session.execute(  # the requests' session (the test's transaction)
        sa.text("UPDATE ad_account SET access_token_encrypted = :t WHERE id = :a"),
        {"t": _under_a_dropped_key(login.token), "a": account["id"]},
    )
    r = await api.client.post(f"/api/v1/metrics/campaign/{campaign['id']}/refresh", headers=api.h)
    assert r.status_code == 409, r.text  # was a 500
    assert "can't be decrypted" in r.json()["detail"]
    body = (await api.get(f"/api/v1/accounts/{account['id']}")).json()
    assert body["status"] == "disconnected" and body["is_connected"] is False
    assert "reconnect" in body["disconnected_reason"]


async def test_scheduled_sync_disconnects_an_unreadable_account_and_syncs_the_others(
    engine: AsyncEngine, sandbox: httpx.AsyncClient, platforms: PlatformGateway
):
    login = await meta_login(sandbox)
    cipher = TokenCipher(FERNET_KEY)
    readable, unreadable = uuid.uuid4(), uuid.uuid4()
    campaigns = {readable: uuid.uuid4(), unreadable: uuid.uuid4()}
    tokens = {readable: cipher.encrypt(login.token), unreadable: _under_a_dropped_key(login.token)}
    sessions = make_sessionmaker(engine)
    async with engine.begin() as conn:
        for index, (account_id, stored) in enumerate(tokens.items()):
            user = uuid.uuid4()  # one account per user: both name the same platform account
            await conn.execute(
                sa.text(
                    "INSERT INTO ad_account (id, user_id, platform, account_id_external, "
                    "access_token_encrypted) VALUES (:a, :u, 'meta', :ext, :tok)"
                ),
                {"a": account_id, "u": user, "ext": f"{login.account_id}", "tok": stored},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO campaign (id, user_id, ad_account_id, platform, name, "
                    "objective, status, external_campaign_id) "
                    "VALUES (:c, :u, :a, 'meta', 'n', 'sales', 'active', :x)"
                ),
                {
                    "c": campaigns[account_id],
                    "u": user,
                    "a": account_id,
                    "x": login.campaign_ids[index],
                },
            )
    try:
        rows = await sync_all(engine, sessions, platforms, cipher, 3)
        assert rows is not None and rows >= 3
        async with engine.connect() as conn:
            days = await scalar(
                conn,
                "SELECT count(*) FROM campaign_metric WHERE campaign_id = :c",
                c=campaigns[readable],
            )
            status = await scalar(conn, "SELECT status FROM ad_account WHERE id = :a", a=unreadable)
            reason = await scalar(
                conn, "SELECT disconnected_reason FROM ad_account WHERE id = :a", a=unreadable
            )
        assert days == 3
        assert status == "disconnected"
        assert "can't be decrypted" in reason
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("DELETE FROM ad_account WHERE id = ANY(:a)"), {"a": list(tokens)}
            )
