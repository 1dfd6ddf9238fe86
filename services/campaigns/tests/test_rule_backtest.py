"""Backtest: a day-by-day replay over seeded metrics against a hand-checked answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kit import Api, flt, set_plan
from kit import seed_day as seed

RANGE = {"start_date": "2026-03-01", "end_date": "2026-03-05"}


async def backtest(api: Api, rule_id: str, body: dict[str, Any] = RANGE) -> Any:
    return await api.client.post(f"/api/v1/rules/{rule_id}/backtest", json=body, headers=api.h)


async def daily(session: AsyncSession, cid: str, rows: dict[int, tuple[str, str]]) -> None:
    for day, (spend, revenue) in rows.items():
        await seed(session, cid, date(2026, 3, day), spend=spend, revenue=revenue)


async def test_pause_preset_replayed_day_by_day(api: Api, session: AsyncSession):
    await set_plan(session, api.user_id, "pro")
    acc = (await api.account())["id"]
    x = await api.campaign(acc, name="X", status="active")
    y = await api.campaign(acc, name="Y", status="active")
    await daily(
        session,
        x["id"],
        {1: ("10", "20"), 2: ("10", "5"), 3: ("20", "5"), 4: ("10", "30"), 5: ("10", "10")},
    )
    await daily(session, y["id"], {1: ("50", "10")})
    rule = await api.rule("pause_low_roas", 1, conditions={"lookback_days": 2})
    r = await backtest(api, rule["id"])
    assert r.status_code == 200, r.text
    result = r.json()
    # By hand, two-day windows ending on each day:
    #  1 Mar: X 20/10 = 2.00 holds; Y 10/50 = 0.20 -> pause Y (spend 50, revenue 10 that day)
    #  2 Mar: X (1-2 Mar) 25/20 = 1.25 holds; Y is paused from here on
    #  3 Mar: X (2-3 Mar) 10/30 = 0.33 -> pause X (spend 20, revenue 5 that day)
    #  4, 5 Mar: nothing active left
    summary = [
        (d["date"], d["objects_evaluated"], [a["description"] for a in d["actions"]])
        for d in result["days"]
    ]
    assert summary == [
        ("2026-03-01", 2, ["Would pause campaign 'Y': ROAS 0.20 < 1.00 over the last 2 days"]),
        ("2026-03-02", 1, []),
        ("2026-03-03", 1, ["Would pause campaign 'X': ROAS 0.33 < 1.00 over the last 2 days"]),
        ("2026-03-04", 0, []),
        ("2026-03-05", 0, []),
    ]
    touched = [(d["spend_touched"], d["roas_touched"]) for d in result["days"]]
    assert touched == [
        ("50.00", 0.2),
        ("0.00", None),
        ("20.00", 0.25),
        ("0.00", None),
        ("0.00", None),
    ]
    assert (result["actions_total"], result["spend_touched"], result["roas_touched"]) == (
        2,
        "70.00",
        0.2143,
    )
    # Nothing changed, nothing recorded.
    for c in (x, y):
        got = await api.get(f"/api/v1/campaigns/{c['id']}")
        assert got.json()["status"] == "active"
    runs = await api.get(f"/api/v1/rules/{rule['id']}/runs")
    assert runs.json()["total"] == 0


async def test_budget_changes_compound_up_to_the_cap(api: Api, session: AsyncSession):
    z = await api.campaign(name="Z", status="active", budget_daily="10.00")
    await daily(
        session, z["id"], {1: ("10", "30"), 2: ("10", "10"), 3: ("10", "40"), 4: ("10", "50")}
    )
    rid = (
        await api.rule(
            "increase_budget_high_roas",
            2,
            conditions={
                "filters": [flt("roas", ">=", 2, "today")],
                "action": {"type": "change_budget", "percent": 50, "max": "20.00"},
                "cooldown_hours": 0,
            },
        )
    )["id"]
    result = (await backtest(api, rid)).json()
    # 1 Mar ROAS 3: 10 -> 15; 2 Mar ROAS 1; 3 Mar ROAS 4: 15 -> 22.50 capped at 20;
    # 4 Mar ROAS 5 but already at the cap; 5 Mar no data.
    moves = [
        (d["date"], [(a["old_value"], a["new_value"]) for a in d["actions"]])
        for d in result["days"]
    ]
    assert moves == [
        ("2026-03-01", [("10.00", "15.00")]),
        ("2026-03-02", []),
        ("2026-03-03", [("15.00", "20.00")]),
        ("2026-03-04", []),
        ("2026-03-05", []),
    ]
    assert (result["spend_touched"], result["roas_touched"]) == ("20.00", 3.5)
    got = await api.get(f"/api/v1/campaigns/{z['id']}")
    assert got.json()["budget_daily"] == "10.00"


async def test_backtest_errors(api: Api, other: Api):
    rid = (await api.rule("pause_low_roas", 1))["id"]
    for body in (
        {"start_date": "2026-03-05", "end_date": "2026-03-01"},
        {"start_date": "2026-01-01", "end_date": "2026-04-01"},
        {"start_date": "2026-03-01"},
        {**RANGE, "extra": 1},
    ):
        assert (await backtest(api, rid, body)).status_code == 422, body
    assert (await backtest(other, rid)).status_code == 404
