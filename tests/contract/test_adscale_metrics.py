"""adscale-api.md "Metrics": the overview across all campaigns (with its date range) and a
campaign's paginated daily rows, on metrics fetched from the platform sandbox."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit
from contract_kit import Advertiser

DAILY = kit.DAILY_METRIC
OVERVIEW = {
    "start_date": kit.nullable(kit.DATE),
    "end_date": kit.nullable(kit.DATE),
    "total_spend": kit.MONEY,
    "total_revenue": kit.MONEY,
    "total_impressions": kit.INT,
    "total_clicks": kit.INT,
    "total_conversions": kit.NUMBER,
    "avg_roas": kit.nullable(kit.NUMBER),
    "avg_ctr": kit.nullable(kit.NUMBER),
    "avg_cpa": kit.nullable(kit.MONEY),
}
DAYS = 30


@pytest.fixture(scope="module")
async def advertiser(stack: str) -> Advertiser:
    """A member with two Meta campaigns linked to the sandbox, 30 days of metrics each."""
    return await kit.advertiser_with_metrics(stack, "metrics", DAYS)


async def rows_of(
    api: httpx.AsyncClient, advertiser: Advertiser, campaign: str, query: str = ""
) -> list[dict]:
    response = await api.get(
        f"/metrics/campaign/{campaign}?limit=200{query}", headers=advertiser.member.headers
    )
    return list(kit.page(response, DAILY, offset=0, limit=200)["items"])


def check_ratios(row: dict, prefix: str = "") -> None:
    """Ratios are computed from the sums (campaigns README): ROAS = revenue / spend,
    CTR = clicks / impressions, CPA = spend / conversions; null on a zero denominator."""
    spend, revenue = Decimal(row[f"{prefix}spend"]), Decimal(row[f"{prefix}revenue"])
    clicks, impressions = row[f"{prefix}clicks"], row[f"{prefix}impressions"]
    conversions = Decimal(str(row[f"{prefix}conversions"]))
    roas, ctr, cpa = ("avg_roas", "avg_ctr", "avg_cpa") if prefix else ("roas", "ctr", "cpa")
    if spend:
        assert abs(Decimal(str(row[roas])) - revenue / spend) < Decimal("0.0001")
    else:
        assert row[roas] is None
    if impressions:
        assert abs(Decimal(str(row[ctr])) - Decimal(clicks) / impressions) < Decimal("0.000001")
    else:
        assert row[ctr] is None
    if conversions:
        assert abs(Decimal(row[cpa]) - spend / conversions) <= Decimal("0.005")
    else:
        assert row[cpa] is None


async def test_a_member_without_metrics(api: httpx.AsyncClient):
    member = await kit.register(api, "nometrics")
    account = await kit.connect_account(api, member, platform="google", account_id_external="0")
    campaign = await api.post(
        "/campaigns",
        json={"ad_account_id": account["id"], "name": "New", "objective": "traffic"},
        headers=member.headers,
    )
    empty = kit.page(
        await api.get(f"/metrics/campaign/{campaign.json()['id']}", headers=member.headers), DAILY
    )
    assert (empty["items"], empty["total"]) == ([], 0)
    response = await api.get("/metrics/overview", headers=member.headers)
    assert response.status_code == 200, response.text
    assert kit.conforms(response.json(), OVERVIEW) == {
        "start_date": None,
        "end_date": None,
        "total_spend": "0.00",
        "total_revenue": "0.00",
        "total_impressions": 0,
        "total_clicks": 0,
        "total_conversions": 0,
        "avg_roas": None,
        "avg_ctr": None,
        "avg_cpa": None,
    }


async def test_daily_rows_field_by_field(api: httpx.AsyncClient, advertiser: Advertiser):
    rows = await rows_of(api, advertiser, advertiser.campaigns[0])
    expected_days = (advertiser.last_day - advertiser.first_day).days + 1
    assert len(rows) == expected_days
    days = [date.fromisoformat(r["date"]) for r in rows]
    assert days == [advertiser.first_day + timedelta(days=n) for n in range(expected_days)]
    assert sum(r["impressions"] for r in rows) > 0
    for row in rows:
        assert row["clicks"] <= row["impressions"]
        check_ratios(row)


async def test_daily_rows_paginate_and_filter_by_date(
    api: httpx.AsyncClient, advertiser: Advertiser
):
    campaign = advertiser.campaigns[0]
    h = advertiser.member.headers
    everything = await rows_of(api, advertiser, campaign)
    default = kit.page(await api.get(f"/metrics/campaign/{campaign}", headers=h), DAILY)
    assert default["total"] == len(everything)
    walked = []
    offset = 0
    while offset < len(everything):
        response = await api.get(f"/metrics/campaign/{campaign}?offset={offset}&limit=7", headers=h)
        walked.extend(kit.page(response, DAILY, offset=offset, limit=7)["items"])
        offset += 7
    assert walked == everything
    beyond = kit.page(
        await api.get(f"/metrics/campaign/{campaign}?offset={len(everything)}&limit=7", headers=h),
        DAILY,
        offset=len(everything),
        limit=7,
    )
    assert beyond["items"] == [] and beyond["total"] == len(everything)

    start, end = everything[3]["date"], everything[9]["date"]
    window = await rows_of(api, advertiser, campaign, f"&start_date={start}&end_date={end}")
    assert window == everything[3:10]
    kit.validation_error(
        await api.get(f"/metrics/campaign/{campaign}?start_date={end}&end_date={start}", headers=h),
        ["query", "end_date"],
    )
    kit.validation_error(
        await api.get(f"/metrics/campaign/{campaign}?start_date=2026-02-30", headers=h),
        ["query", "start_date"],
    )


async def test_overview_aggregates_every_campaign(api: httpx.AsyncClient, advertiser: Advertiser):
    h = advertiser.member.headers
    rows = [r for c in advertiser.campaigns for r in await rows_of(api, advertiser, c)]
    response = await api.get("/metrics/overview", headers=h)
    assert response.status_code == 200, response.text
    overview = kit.conforms(response.json(), OVERVIEW)
    assert overview["total_impressions"] == sum(r["impressions"] for r in rows)
    assert overview["total_clicks"] == sum(r["clicks"] for r in rows)
    assert Decimal(overview["total_spend"]) == sum(Decimal(r["spend"]) for r in rows)
    assert Decimal(overview["total_revenue"]) == sum(Decimal(r["revenue"]) for r in rows)
    assert Decimal(str(overview["total_conversions"])) == sum(
        Decimal(str(r["conversions"])) for r in rows
    )
    check_ratios(overview, prefix="total_")


async def test_overview_date_range(api: httpx.AsyncClient, advertiser: Advertiser):
    h = advertiser.member.headers
    start = advertiser.first_day + timedelta(days=5)
    end = advertiser.first_day + timedelta(days=11)
    rows = [
        r
        for c in advertiser.campaigns
        for r in await rows_of(api, advertiser, c, f"&start_date={start}&end_date={end}")
    ]
    assert len(rows) == 14
    response = await api.get(f"/metrics/overview?start_date={start}&end_date={end}", headers=h)
    overview = kit.conforms(response.json(), OVERVIEW)
    assert (overview["start_date"], overview["end_date"]) == (str(start), str(end))
    assert overview["total_impressions"] == sum(r["impressions"] for r in rows)
    assert Decimal(overview["total_spend"]) == sum(Decimal(r["spend"]) for r in rows)
    check_ratios(overview, prefix="total_")
    only_start = kit.conforms(
        (await api.get(f"/metrics/overview?start_date={end}", headers=h)).json(), OVERVIEW
    )
    assert (only_start["start_date"], only_start["end_date"]) == (str(end), None)
    tail = [
        r
        for c in advertiser.campaigns
        for r in await rows_of(api, advertiser, c, f"&start_date={end}")
    ]
    assert only_start["total_impressions"] == sum(r["impressions"] for r in tail) > 0
    kit.validation_error(
        await api.get(f"/metrics/overview?start_date={end}&end_date={start}", headers=h),
        ["query", "end_date"],
    )
    kit.validation_error(
        await api.get("/metrics/overview?end_date=yesterday", headers=h), ["query", "end_date"]
    )
    before = await api.get("/metrics/overview?end_date=2000-01-01", headers=h)
    assert before.json()["total_impressions"] == 0 and before.json()["avg_roas"] is None


async def test_other_members_metrics_are_invisible(api: httpx.AsyncClient, advertiser: Advertiser):
    stranger = await kit.register(api, "metrics-stranger")
    for campaign in advertiser.campaigns:
        kit.detail_error(
            await api.get(f"/metrics/campaign/{campaign}", headers=stranger.headers), 404
        )
    overview = (await api.get("/metrics/overview", headers=stranger.headers)).json()
    assert overview["total_impressions"] == 0
