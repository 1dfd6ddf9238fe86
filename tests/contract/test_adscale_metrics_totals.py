"""House extensions of "Metrics" (campaigns README): ``/metrics/daily`` (each day's sums over
every campaign) and ``/metrics/campaigns`` (each campaign's sums over a range), on metrics
fetched from the platform sandbox, agreeing with ``/metrics/overview`` and the daily rows."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit
from contract_kit import Advertiser

DAILY = kit.DAILY_METRIC
CAMPAIGN_TOTALS = {
    "campaign_id": kit.UUID4,
    "name": kit.STR,
    "platform": kit.one_of("google", "meta"),
    "status": kit.one_of("draft", "active", "paused", "completed"),
    **{k: v for k, v in DAILY.items() if k != "date"},
}
SUMS = ("impressions", "clicks", "conversions", "spend", "revenue")
DAYS = 30


@pytest.fixture(scope="module")
async def advertiser(stack: str) -> Advertiser:
    """A member with two Meta campaigns linked to the sandbox, 30 days of metrics each."""
    return await kit.advertiser_with_metrics(stack, "metrics-totals", DAYS)


def number(row: dict[str, Any], key: str) -> Decimal:
    return Decimal(str(row[key]))


def check_ratios(row: dict[str, Any]) -> None:
    """Ratios from the row's sums: ROAS = revenue / spend, CTR = clicks / impressions,
    CPA = spend / conversions; null on a zero denominator."""
    spend, revenue, conversions = (number(row, k) for k in ("spend", "revenue", "conversions"))
    if spend:
        assert abs(Decimal(str(row["roas"])) - revenue / spend) < Decimal("0.0001")
    else:
        assert row["roas"] is None
    if row["impressions"]:
        ctr = Decimal(row["clicks"]) / row["impressions"]
        assert abs(Decimal(str(row["ctr"])) - ctr) < Decimal("0.000001")
    else:
        assert row["ctr"] is None
    if conversions:
        assert abs(Decimal(row["cpa"]) - spend / conversions) <= Decimal("0.005")
    else:
        assert row["cpa"] is None


def assert_sums_match_overview(rows: list[dict[str, Any]], overview: dict[str, Any]) -> None:
    for key in SUMS:
        assert sum(number(r, key) for r in rows) == number(overview, f"total_{key}"), key


async def campaign_rows(
    api: httpx.AsyncClient, advertiser: Advertiser, campaign: str, query: str
) -> list[dict[str, Any]]:
    response = await api.get(
        f"/metrics/campaign/{campaign}?limit=200&{query}", headers=advertiser.member.headers
    )
    return list(kit.page(response, DAILY, offset=0, limit=200)["items"])


async def test_daily_sums_every_campaign_per_day(api: httpx.AsyncClient, advertiser: Advertiser):
    h = advertiser.member.headers
    start = advertiser.first_day + timedelta(days=5)
    end = advertiser.first_day + timedelta(days=11)
    for query in ("", f"start_date={start}&end_date={end}"):
        response = await api.get(f"/metrics/daily?limit=200&{query}", headers=h)
        days = kit.page(response, DAILY, offset=0, limit=200)["items"]
        expected: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for campaign in advertiser.campaigns:
            for row in await campaign_rows(api, advertiser, campaign, query):
                for key in SUMS:
                    expected[row["date"]][key] += number(row, key)
        assert [d["date"] for d in days] == sorted(expected)
        for day in days:
            assert {k: number(day, k) for k in SUMS} == expected[day["date"]], day["date"]
            check_ratios(day)
        overview = (await api.get(f"/metrics/overview?{query}", headers=h)).json()
        assert_sums_match_overview(days, overview)
    assert len(days) == 7


async def test_campaign_totals_most_spend_first(api: httpx.AsyncClient, advertiser: Advertiser):
    h = advertiser.member.headers
    start = advertiser.first_day + timedelta(days=3)
    for query in ("", f"start_date={start}"):
        response = await api.get(f"/metrics/campaigns?{query}", headers=h)
        items = kit.page(response, CAMPAIGN_TOTALS)["items"]
        assert sorted(i["campaign_id"] for i in items) == sorted(advertiser.campaigns)
        keys = [(-number(i, "spend"), i["name"], i["campaign_id"]) for i in items]
        assert keys == sorted(keys)
        for item in items:
            assert (item["platform"], item["status"]) == ("meta", "active")
            rows = await campaign_rows(api, advertiser, item["campaign_id"], query)
            for key in SUMS:
                assert number(item, key) == sum(number(r, key) for r in rows), key
            check_ratios(item)
        overview = (await api.get(f"/metrics/overview?{query}", headers=h)).json()
        assert_sums_match_overview(items, overview)
    first = kit.page(
        await api.get("/metrics/campaigns?offset=0&limit=1", headers=h), CAMPAIGN_TOTALS, limit=1
    )
    second = kit.page(
        await api.get("/metrics/campaigns?offset=1&limit=1", headers=h),
        CAMPAIGN_TOTALS,
        offset=1,
        limit=1,
    )
    assert first["total"] == second["total"] == 2
    assert {first["items"][0]["campaign_id"], second["items"][0]["campaign_id"]} == set(
        advertiser.campaigns
    )


async def test_refusals_and_other_members(api: httpx.AsyncClient, advertiser: Advertiser):
    h = advertiser.member.headers
    start, end = advertiser.first_day + timedelta(days=9), advertiser.first_day
    stranger = await kit.register(api, "metrics-totals-stranger")
    for path in ("/metrics/daily", "/metrics/campaigns"):
        kit.validation_error(
            await api.get(f"{path}?start_date={start}&end_date={end}", headers=h),
            ["query", "end_date"],
        )
        kit.validation_error(await api.get(f"{path}?limit=201", headers=h), ["query", "limit"])
        kit.detail_error(await api.get(path, headers=advertiser.member.anonymous), 401)
        nothing = kit.page(
            await api.get(path, headers=stranger.headers),
            DAILY if path.endswith("daily") else CAMPAIGN_TOTALS,
        )
        assert (nothing["items"], nothing["total"]) == ([], 0)
