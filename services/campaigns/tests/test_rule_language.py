"""The rule language: every operator, metric, window (in the account's time zone),
the `any` group, validation, and what presets expand to."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.metrics.ingest import today
from campaigns.rule import service
from kit import Api, flt, language_rule, preview, set_plan
from kit import seed_day as seed


@pytest.mark.parametrize(
    ("operator", "value", "matches"),
    [
        (">", 1.5, True),
        (">", 2, False),
        (">=", 2, True),
        (">=", 2.01, False),
        ("<", 2.5, True),
        ("<", 2, False),
        ("<=", 2, True),
        ("<=", 1.99, False),
        ("between", [1, 2], True),
        ("between", [2.01, 3], False),
        ("not_between", [2.01, 3], True),
        ("not_between", [1, 3], False),
    ],
)
async def test_each_operator_on_roas(
    api: Api, session: AsyncSession, operator: str, value: Any, matches: bool
):
    c = await api.campaign(name="Two", status="active")
    await seed(session, c["id"], today(), spend="50.00", revenue="100.00")  # ROAS 2
    rid = await language_rule(api, [flt("roas", operator, value)])
    result = await preview(api, rid)
    assert result["campaigns_affected"] == (1 if matches else 0), result


async def test_every_metric_is_computed(api: Api, session: AsyncSession):
    acc = (await api.account())["id"]
    c = await api.campaign(
        acc, name="All", status="active", budget_daily="40.00", start_date="2026-01-01"
    )
    await session.execute(
        sa.text("UPDATE campaign SET created_at = now() - interval '400 days' WHERE id = :c"),
        {"c": c["id"]},
    )
    await seed(
        session,
        c["id"],
        today(),
        spend="80.00",
        revenue="200.00",
        impressions=4000,
        clicks=40,
        conversions=4,
    )
    age = (today() - date(2026, 1, 1)).days
    expected = {
        "spend": 80,
        "revenue": 200,
        "impressions": 4000,
        "clicks": 40,
        "conversions": 4,
        "roas": 2.5,
        "ctr": 0.01,
        "cpc": 2,
        "cpa": 20,
        "daily_budget": 40,
        "age_days": age,
    }
    exact = [flt(m, "between", [v, v], "today") for m, v in expected.items()]
    assert (await preview(api, await language_rule(api, exact)))["campaigns_affected"] == 1
    for metric, value in expected.items():
        off = [f for f in exact if f["metric"] != metric]
        off.append(flt(metric, "between", [value + 1, value + 2], "today"))
        result = await preview(api, await language_rule(api, off))
        assert result["campaigns_affected"] == 0, metric


async def test_metrics_without_a_denominator_never_match(api: Api, session: AsyncSession):
    c = await api.campaign(name="Idle", status="active", budget_lifetime="100.00")
    await seed(session, c["id"], today())
    for metric in ("roas", "ctr", "cpc", "cpa", "daily_budget"):
        for operator, value in (("<", 1000000), (">=", 0)):
            rid = await language_rule(api, [flt(metric, operator, value)])
            assert (await preview(api, rid))["campaigns_affected"] == 0, metric


async def test_windows_at_a_frozen_clock(api: Api, session: AsyncSession):
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    c = await api.campaign(name="W", status="active")
    for days_ago, spend in ((0, "1.00"), (1, "2.00"), (2, "4.00"), (5, "8.00"), (40, "16.00")):
        await seed(session, c["id"], date(2026, 3, 10) - timedelta(days=days_ago), spend=spend)
    await seed(session, c["id"], date(2026, 3, 11), spend="100.00")  # tomorrow: never counted
    expected = {
        "today": 1,
        "yesterday": 2,
        "last_3_days": 7,
        "last_7_days": 15,
        "last_14_days": 15,
        "last_30_days": 15,
        "lifetime": 31,
    }
    user = api.user_id
    for window, spend in expected.items():
        rid = await language_rule(api, [flt("spend", "between", [spend, spend], window)])
        hit = await service.execute(session, user, uuid.UUID(rid), dry_run=True, now=now)
        assert hit.campaigns_affected == 1, window
        rid = await language_rule(api, [flt("spend", "between", [spend + 1, 999], window)])
        miss = await service.execute(session, user, uuid.UUID(rid), dry_run=True, now=now)
        assert miss.campaigns_affected == 0, window


async def test_windows_count_days_in_the_account_time_zone(api: Api, session: AsyncSession):
    # 23:30 UTC on 10 March is already 11 March in Tokyo, still 10 March in New York.
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    tokyo = await api.campaign(
        (await api.account(time_zone="Asia/Tokyo"))["id"], name="Tokyo", status="active"
    )
    york = await api.campaign(
        (await api.account(time_zone="America/New_York"))["id"], name="NY", status="active"
    )
    for c in (tokyo, york):
        await seed(session, c["id"], date(2026, 3, 11), spend="5.00")
        await seed(session, c["id"], date(2026, 3, 10), spend="3.00")
    today_spend = await language_rule(api, [flt("spend", "between", [5, 5], "today")])
    outcome = await service.execute(
        session, api.user_id, uuid.UUID(today_spend), dry_run=True, now=now
    )
    assert outcome.applied == [
        "Would notify about campaign 'Tokyo': spend 5.00 between 5.00 and 5.00 today"
    ]
    yesterday = await language_rule(api, [flt("spend", "between", [3, 3], "yesterday")])
    outcome = await service.execute(
        session, api.user_id, uuid.UUID(yesterday), dry_run=True, now=now
    )
    assert [a.split("'")[1] for a in outcome.applied] == ["Tokyo"]
    ny_today = await language_rule(api, [flt("spend", "between", [3, 3], "today")])
    outcome = await service.execute(
        session, api.user_id, uuid.UUID(ny_today), dry_run=True, now=now
    )
    assert [a.split("'")[1] for a in outcome.applied] == ["NY"]


async def test_account_time_zone_is_validated_and_shown(api: Api):
    acc = await api.account(time_zone="Europe/Paris")
    assert acc["time_zone"] == "Europe/Paris"
    assert (await api.account())["time_zone"] == "UTC"
    r = await api.client.post(
        "/api/v1/accounts",
        json={"platform": "meta", "account_id_external": "x1", "time_zone": "Mars/Olympus"},
        headers=api.h,
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "time_zone"]
    r = await api.client.patch(
        f"/api/v1/accounts/{acc['id']}", json={"time_zone": "Asia/Tokyo"}, headers=api.h
    )
    assert r.status_code == 200 and r.json()["time_zone"] == "Asia/Tokyo"


async def test_all_filters_and_the_any_group(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    names = {"A": ("100.00", "50.00", 0), "B": ("100.00", "50.00", 3), "C": ("10.00", "5.00", 0)}
    for name, (spend, revenue, conversions) in names.items():
        c = await api.campaign(acc, name=name, status="active")
        await seed(session, c["id"], today(), spend=spend, revenue=revenue, conversions=conversions)
    both = await language_rule(api, [flt("spend", ">=", 50), flt("roas", "<", 1)])
    assert sorted(a.split("'")[1] for a in (await preview(api, both))["actions_taken"]) == [
        "A",
        "B",
    ]
    grouped = await language_rule(
        api,
        [flt("roas", "<", 1)],
        any=[flt("conversions", "<=", 0), flt("spend", ">", 500)],
    )
    assert sorted(a.split("'")[1] for a in (await preview(api, grouped))["actions_taken"]) == [
        "A",
        "C",
    ]
    only_any = (
        await api.rule(
            "pause_low_roas",
            1,
            conditions={"any": [flt("conversions", ">=", 3)], "action": {"type": "notify"}},
        )
    )["id"]
    assert [a.split("'")[1] for a in (await preview(api, only_any))["actions_taken"]] == ["B"]


async def test_presets_expand_to_filters(api: Api):
    rule = await api.rule(
        "pause_no_conversions", 50, conditions={"lookback_days": 3, "campaign_ids": None}
    )
    plain = (await api.get(f"/api/v1/rules/{rule['id']}")).json()
    assert "filters" not in plain["conditions"]
    got = await api.get(f"/api/v1/rules/{rule['id']}?expand=true")
    conditions = got.json()["conditions"]
    assert conditions["filters"] == [
        {"metric": "conversions", "operator": "<=", "value": 0.0, "window": "last_3_days"},
        {"metric": "spend", "operator": ">=", "value": 50.0, "window": "last_3_days"},
    ]
    assert conditions["action"]["type"] == "pause"
    assert conditions["scope"] == {
        "level": "campaign",
        "ids": None,
        "name_contains": None,
        "statuses": ["active"],
        "platforms": None,
    }
    mine = await api.campaign()
    narrowed = await api.rule("pause_low_roas", 1, conditions={"campaign_ids": [mine["id"]]})
    got = await api.get(f"/api/v1/rules/{narrowed['id']}?expand=true")
    assert got.status_code == 200, got.text
    assert got.json()["conditions"]["campaign_ids"] == [mine["id"]]
    assert got.json()["conditions"]["scope"]["ids"] is None
    grow = await api.rule(
        "increase_budget_high_roas", 3, conditions={"budget_change_percent": 15, "max_budget": 90}
    )
    got = await api.get(f"/api/v1/rules/{grow['id']}?expand=true")
    action = got.json()["conditions"]["action"]
    assert (action["type"], action["percent"], action["max"]) == ("change_budget", 15.0, "90.00")
    assert got.json()["conditions"]["filters"][0] == {
        "metric": "roas",
        "operator": ">=",
        "value": 3.0,
        "window": "last_7_days",
    }


async def test_a_decrease_preset_with_a_max_below_the_default_floor(
    api: Api, session: AsyncSession
):
    """max_budget caps increases only: a decrease rule whose max_budget is below the
    default 1.00 floor still expands and runs (it was a 500 found by schemathesis)."""
    c = await api.campaign(name="Low CTR", status="active", budget_daily="10.00")
    await seed(session, c["id"], today(), impressions=1000, clicks=1)
    rule = await api.rule("decrease_budget_low_ctr", 0.01, conditions={"max_budget": "0.50"})
    got = await api.get(f"/api/v1/rules/{rule['id']}?expand=true")
    assert got.status_code == 200, got.text
    action = got.json()["conditions"]["action"]
    assert (action["percent"], action["min"], action["max"]) == (-20.0, "1.00", None)
    assert (await preview(api, rule["id"]))["actions_taken"] == [
        "Would decrease daily budget of 'Low CTR' from 10.00 to 8.00: "
        "CTR 0.10% < 1.00% over the last 7 days"
    ]


@pytest.mark.parametrize(
    ("conditions", "where"),
    [
        ({"filters": [flt("reach", ">", 1)]}, "metric"),
        ({"filters": [flt("spend", "=", 1)]}, "operator"),
        ({"filters": [flt("spend", "between", 1)]}, "filters"),
        ({"filters": [flt("spend", "between", [5, 1])]}, "filters"),
        ({"filters": [flt("spend", ">", [1, 2])]}, "filters"),
        ({"filters": [flt("spend", ">", 1, "last_91_days")]}, "window"),
        ({"filters": [flt("spend", ">", 1, "last_week")]}, "window"),
        ({"filters": []}, "conditions"),
        ({"action": {"type": "explode"}}, "type"),
        ({"action": {"type": "change_budget"}}, "action"),
        ({"action": {"type": "set_budget", "percent": 5, "amount": 1}}, "action"),
        ({"action": {"type": "pause", "amount": 5}}, "action"),
        ({"action": {"type": "set_bid", "amount": 5}}, "conditions"),
        (
            {"action": {"type": "set_budget", "amount": 5}, "scope": {"level": "ad_group"}},
            "conditions",
        ),
        ({"action": {"type": "change_budget", "percent": 5, "min": 9, "max": 1}}, "action"),
        ({"scope": {"level": "keyword"}}, "level"),
        ({"scope": {"statuses": ["sleeping"]}}, "statuses"),
        ({"scope": {"ids": []}, "campaign_ids": []}, "conditions"),
        ({"action": {"type": "pause"}, "min_budget": 3}, "body"),
    ],
)
async def test_language_validation(api: Api, conditions: dict[str, Any], where: str):
    r = await api.try_rule(conditions)
    assert r.status_code == 422, r.text
    assert where in r.json()["detail"][0]["loc"], r.json()
