"""House extensions: the user's daily sums across campaigns (/metrics/daily) and each
campaign's sums over a range (/metrics/campaigns), agreeing with /metrics/overview."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from kit import Api, seed_days, set_plan
from kit import seed_day as seed

D = date(2026, 1, 10)
RANGE = f"start_date={D}&end_date={D + timedelta(days=2)}"


async def two_campaigns_and_a_stranger(api: Api, other: Api, session: AsyncSession) -> None:
    c1 = await api.campaign()
    c2 = await api.campaign()
    theirs = await other.campaign()
    await seed_days(
        session,
        [  # campaign, day, impressions, clicks, conversions, spend, revenue
            (c1, D, 1000, 50, 4, "10.00", "40.00"),
            (c2, D, 3000, 30, 1, "100.00", "50.00"),
            (c1, D + timedelta(days=1), 500, 5, 0, "0", "12.50"),  # only one campaign
            (c2, D - timedelta(days=1), 7, 1, 1, "1.00", "1.00"),  # before the range
            (c1, D + timedelta(days=3), 9, 1, 1, "2.00", "2.00"),  # after the range
            (theirs, D, 10**6, 10**4, 10, "999.00", "1.00"),
            (theirs, D + timedelta(days=2), 10**6, 10**4, 10, "999.00", "1.00"),
        ],
    )


async def test_daily_sums_every_campaign_per_day(api: Api, other: Api, session: AsyncSession):
    await two_campaigns_and_a_stranger(api, other, session)
    r = await api.get(f"/api/v1/metrics/daily?{RANGE}")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "items": [
            {
                "date": "2026-01-10",
                "impressions": 4000,
                "clicks": 80,
                "conversions": 5.0,
                "spend": "110.00",
                "revenue": "90.00",
                "roas": 0.8182,
                "ctr": 0.02,
                "cpa": "22.00",
            },
            {  # one campaign's row; zero spend and conversions: null ROAS and CPA
                "date": "2026-01-11",
                "impressions": 500,
                "clicks": 5,
                "conversions": 0.0,
                "spend": "0.00",
                "revenue": "12.50",
                "roas": None,
                "ctr": 0.01,
                "cpa": None,
            },
        ],
        "total": 2,  # 2026-01-12 has only the stranger's row
        "offset": 0,
        "limit": 50,
    }
    everything = (await api.get("/api/v1/metrics/daily")).json()
    assert [row["date"] for row in everything["items"]] == [
        "2026-01-09",
        "2026-01-10",
        "2026-01-11",
        "2026-01-13",
    ]
    assert everything["total"] == 4
    theirs = (await other.get("/api/v1/metrics/daily")).json()
    assert [row["date"] for row in theirs["items"]] == ["2026-01-10", "2026-01-12"]
    assert theirs["items"][0]["impressions"] == 10**6


async def test_daily_pages_oldest_first(api: Api, session: AsyncSession):
    c1 = await api.campaign()
    c2 = await api.campaign()
    start = date(2026, 3, 1)
    for i in range(5):
        await seed(session, c1["id"], start + timedelta(days=i), impressions=100, clicks=i)
        await seed(session, c2["id"], start + timedelta(days=i), impressions=10, clicks=1)
    r = await api.get("/api/v1/metrics/daily?offset=1&limit=2")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["offset"], body["limit"]) == (5, 1, 2)
    assert [(x["date"], x["impressions"], x["clicks"]) for x in body["items"]] == [
        ("2026-03-02", 110, 2),
        ("2026-03-03", 110, 3),
    ]
    last = (await api.get("/api/v1/metrics/daily?offset=4&limit=2")).json()
    assert [x["date"] for x in last["items"]] == ["2026-03-05"] and last["total"] == 5
    beyond = (await api.get("/api/v1/metrics/daily?offset=5&limit=2")).json()
    assert beyond["items"] == [] and beyond["total"] == 5


async def test_daily_and_campaigns_add_up_to_the_overview(
    api: Api, other: Api, session: AsyncSession
):
    await two_campaigns_and_a_stranger(api, other, session)
    for query in (RANGE, f"start_date={D}", f"end_date={D}", ""):
        overview = (await api.get(f"/api/v1/metrics/overview?{query}")).json()
        for route in ("daily", "campaigns"):
            rows = (await api.get(f"/api/v1/metrics/{route}?{query}&limit=200")).json()["items"]
            assert rows, (route, query)
            assert sum(Decimal(x["spend"]) for x in rows) == Decimal(overview["total_spend"])
            assert sum(Decimal(x["revenue"]) for x in rows) == Decimal(overview["total_revenue"])
            assert sum(x["impressions"] for x in rows) == overview["total_impressions"]
            assert sum(x["clicks"] for x in rows) == overview["total_clicks"]
            assert sum(x["conversions"] for x in rows) == overview["total_conversions"]


async def test_campaign_totals_sum_the_range_most_spend_first(
    api: Api, other: Api, session: AsyncSession
):
    await set_plan(session, api.user_id, "pro")
    account = (await api.account())["id"]
    zeta = await api.campaign(account, name="Zeta", status="active")
    # Same spend: by name, although Alpha's id sorts after Beta's.
    beta, alpha = sorted([await api.campaign(account) for _ in range(2)], key=lambda c: c["id"])
    for campaign, patch in (
        (beta, {"name": "Beta"}),
        (alpha, {"name": "Alpha", "status": "paused"}),
    ):
        r = await api.client.patch(f"/api/v1/campaigns/{campaign['id']}", json=patch, headers=api.h)
        assert r.status_code == 200, r.text
        campaign.update(r.json())
    same = sorted(
        [await api.campaign(account, name="Same") for _ in range(2)], key=lambda c: c["id"]
    )
    quiet = await api.campaign(account, name="Quiet")  # rows only outside the range
    await api.campaign(account, name="Never")  # no rows at all
    theirs = await other.campaign(name="Theirs")
    start = date(2026, 4, 1)
    await seed_days(
        session,
        [
            (zeta, start, 100, 1, 1, "100.00", "10.00"),
            (alpha, start, 1000, 10, 1, "25.00", "50.00"),
            (alpha, start + timedelta(days=9), 1000, 10, 1, "25.00", "50.00"),
            (beta, start + timedelta(days=2), 10, 0, 0, "50.00", "0"),
            (same[1], start, 1, 0, 0, "20.00", "0"),
            (same[0], start, 1, 0, 0, "20.00", "0"),
            (quiet, start - timedelta(days=1), 5, 5, 5, "500.00", "5.00"),
            (theirs, start, 5, 5, 5, "1000.00", "5.00"),
        ],
    )
    query = "start_date=2026-04-01&end_date=2026-04-30"
    r = await api.get(f"/api/v1/metrics/campaigns?{query}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["offset"], body["limit"]) == (5, 0, 50)
    order = [(x["name"], x["campaign_id"]) for x in body["items"]]
    assert order == [(c["name"], c["id"]) for c in (zeta, alpha, beta, same[0], same[1])]
    assert body["items"][1] == {
        "campaign_id": alpha["id"],
        "name": "Alpha",
        "platform": "meta",
        "status": "paused",
        "impressions": 2000,
        "clicks": 20,
        "conversions": 2.0,
        "spend": "50.00",
        "revenue": "100.00",
        "roas": 2.0,
        "ctr": 0.01,
        "cpa": "25.00",
    }
    assert body["items"][2]["ctr"] == 0.0 and body["items"][2]["cpa"] is None  # Beta
    walked = []
    for offset in (0, 2, 4):
        page = (await api.get(f"/api/v1/metrics/campaigns?{query}&offset={offset}&limit=2")).json()
        assert (page["total"], page["offset"], page["limit"]) == (5, offset, 2)
        walked += page["items"]
    assert walked == body["items"]
    everything = (await api.get("/api/v1/metrics/campaigns")).json()
    names = [x["name"] for x in everything["items"]]
    assert names == ["Quiet", "Zeta", "Alpha", "Beta", "Same", "Same"]
    theirs_only = (await other.get("/api/v1/metrics/campaigns")).json()
    assert [x["campaign_id"] for x in theirs_only["items"]] == [theirs["id"]]

    # Some campaigns only (as a page of the campaigns list asks): those of them with rows,
    # never another user's.
    picked = "&".join(f"campaign_id={c['id']}" for c in (beta, zeta, theirs))
    chosen = (await api.get(f"/api/v1/metrics/campaigns?{query}&{picked}")).json()
    assert [x["name"] for x in chosen["items"]] == ["Zeta", "Beta"] and chosen["total"] == 2
    too_many = "&".join(f"campaign_id={uuid.uuid4()}" for _ in range(101))
    r = await api.get(f"/api/v1/metrics/campaigns?{too_many}")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "campaign_id"]
    r = await api.get("/api/v1/metrics/campaigns?campaign_id=nope")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["query", "campaign_id"]


async def test_zero_denominators_give_null_ratios(api: Api, session: AsyncSession):
    c = await api.campaign()
    await seed(session, c["id"], date(2026, 2, 1))  # every value 0
    day = (await api.get("/api/v1/metrics/daily")).json()["items"][0]
    campaign = (await api.get("/api/v1/metrics/campaigns")).json()["items"][0]
    for row in (day, campaign):
        assert row["spend"] == "0.00" and row["revenue"] == "0.00" and row["impressions"] == 0
        assert row["roas"] is None and row["ctr"] is None and row["cpa"] is None
    empty = (await api.get("/api/v1/metrics/daily?start_date=2026-02-02")).json()
    assert (empty["items"], empty["total"]) == ([], 0)
    empty = (await api.get("/api/v1/metrics/campaigns?end_date=2026-01-31")).json()
    assert (empty["items"], empty["total"]) == ([], 0)


async def test_errors_as_the_other_metric_routes(api: Api):
    backwards = "start_date=2026-03-05&end_date=2026-03-01"
    overview = await api.get(f"/api/v1/metrics/overview?{backwards}")
    assert overview.status_code == 422
    assert overview.json()["detail"][0]["loc"] == ["query", "end_date"]
    for route in ("daily", "campaigns"):
        path = f"/api/v1/metrics/{route}"
        r = await api.get(f"{path}?{backwards}")
        assert (r.status_code, r.json()) == (422, overview.json())
        r = await api.get(f"{path}?start_date=yesterday")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "start_date"]
        r = await api.get(f"{path}?limit=201")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
        assert (await api.get(f"{path}?limit=200")).status_code == 200
        r = await api.get(f"{path}?offset=-1")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "offset"]
        assert (await api.client.get(path)).status_code == 401


async def test_the_range_is_checked_after_every_other_parameter(api: Api):
    """A backwards range is reported only when every other parameter reads well; several
    unreadable ones come in one list, the page's first, then the rest (a malformed id is
    refused alone)."""
    backwards = "start_date=2026-03-05&end_date=2026-03-01"
    overview = await api.get(f"/api/v1/metrics/overview?{backwards}")
    c = await api.campaign()
    r = await api.get(f"/api/v1/metrics/campaign/{c['id']}?{backwards}")
    assert (r.status_code, r.json()) == (422, overview.json())

    def locs(r: httpx.Response) -> list[list[object]]:
        assert r.status_code == 422, r.text
        return [e["loc"][:2] for e in r.json()["detail"]]

    for route in ("daily", "campaigns", f"campaign/{c['id']}"):
        path = f"/api/v1/metrics/{route}"
        assert locs(await api.get(f"{path}?{backwards}&limit=0")) == [["query", "limit"]]
        r = await api.get(f"{path}?start_date=yesterday&end_date=nope&offset=-1")
        assert locs(r) == [["query", "offset"], ["query", "start_date"], ["query", "end_date"]]
    r = await api.get(f"/api/v1/metrics/campaigns?{backwards}&campaign_id=nope")
    assert locs(r) == [["query", "campaign_id"]]
    r = await api.get("/api/v1/metrics/campaigns?campaign_id=nope&start_date=x&limit=0")
    assert locs(r) == [["query", "limit"], ["query", "start_date"], ["query", "campaign_id"]]

    not_an_id = await api.get("/api/v1/metrics/campaign/xyz")
    assert not_an_id.status_code == 400
    r = await api.get(f"/api/v1/metrics/campaign/xyz?{backwards}")
    assert (r.status_code, r.json()) == (400, not_an_id.json())
    r = await api.get("/api/v1/metrics/campaign/xyz?start_date=x&limit=0")
    assert (r.status_code, r.json()) == (400, not_an_id.json())  # the id is refused first
