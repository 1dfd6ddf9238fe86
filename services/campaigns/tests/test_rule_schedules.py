"""Schedules: slots per frequency in a time zone (frozen clock), a slot runs once
across worker instances, and schedule validation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.crypto import TokenCipher
from adscale_common.db import make_sessionmaker
from campaigns.platforms import PlatformGateway
from campaigns.rule.language import Schedule
from campaigns.rule.scheduler import run_due_rules
from campaigns.rule.slots import current_slot
from kit import FERNET_KEY, Api, forget_user, settings_for


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def z(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("schedule", "zone", "now", "slot"),
    [
        ({"frequency": "continuous"}, "UTC", "2027-01-04 10:44", "2027-01-04 10:30"),
        ({"frequency": "continuous"}, "UTC", "2027-01-04 10:29", "2027-01-04 10:00"),
        ({"frequency": "hourly"}, "UTC", "2027-01-04 10:44", "2027-01-04 10:00"),
        # Kolkata is UTC+05:30: its hours start at :30 UTC.
        ({"frequency": "hourly"}, "Asia/Kolkata", "2027-01-04 10:44", "2027-01-04 10:30"),
        (
            {"frequency": "daily", "time": "09:00"},
            "Europe/Paris",
            "2027-01-04 07:30",
            "2027-01-03 08:00",
        ),
        (
            {"frequency": "daily", "time": "09:00"},
            "Europe/Paris",
            "2027-01-04 08:01",
            "2027-01-04 08:00",
        ),
        # New York moved to summer time on 14 March 2027: 09:00 there is 13:00 UTC.
        (
            {"frequency": "daily", "time": "09:00"},
            "America/New_York",
            "2027-03-15 13:05",
            "2027-03-15 13:00",
        ),
        (
            {"frequency": "custom", "days": ["mon", "wed"], "hours": [9, 17]},
            "America/New_York",
            "2027-01-06 15:00",  # Wednesday 10:00 in New York
            "2027-01-06 14:00",
        ),
        (
            {"frequency": "custom", "days": ["mon", "wed"], "hours": [9, 17]},
            "America/New_York",
            "2027-01-05 15:00",  # Tuesday: Monday 17:00 was the last slot
            "2027-01-04 22:00",
        ),
        ({"frequency": "custom", "days": ["sun"]}, "UTC", "2027-01-06 15:00", "2027-01-03 00:00"),
        ({"frequency": "custom", "hours": [6]}, "UTC", "2027-01-06 05:00", "2027-01-05 06:00"),
    ],
)
def test_slots(schedule: dict[str, Any], zone: str, now: str, slot: str):
    assert current_slot(Schedule.model_validate(schedule), zone, utc(now)) == utc(slot)


@pytest.fixture
async def scheduled(engine: AsyncEngine, committed_client: httpx.AsyncClient) -> AsyncIterator[Api]:
    api = Api(committed_client)
    yield api
    await forget_user(engine, api.user_id)


async def runs(api: Api, rule_id: str) -> list[dict[str, Any]]:
    r = await api.get(f"/api/v1/rules/{rule_id}/runs")
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_a_slot_runs_once_in_the_account_time_zone(
    scheduled: Api, engine: AsyncEngine, platforms: PlatformGateway, database_url: str
):
    api = scheduled
    await api.campaign((await api.account(time_zone="Asia/Kolkata"))["id"], status="active")
    rule = await api.rule(
        "pause_low_roas",
        1,
        conditions={"schedule": {"frequency": "hourly"}, "action": {"type": "notify"}},
    )
    sessions = make_sessionmaker(engine)
    settings = settings_for(database_url)
    cipher = TokenCipher(FERNET_KEY)
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10, minutes=40)

    two = await asyncio.gather(
        *[run_due_rules(sessions, platforms, cipher, settings, now=at) for _ in range(2)]
    )
    assert sum(two) == 1  # two workers, one slot, one run
    await run_due_rules(sessions, platforms, cipher, settings, now=at + timedelta(minutes=19))
    [first] = await runs(api, rule["id"])
    expected = at.replace(minute=30)  # 16:00 in Kolkata
    assert (first["trigger"], first["slot_at"]) == (
        "schedule",
        expected.isoformat().replace("+00:00", "Z"),
    )
    await run_due_rules(sessions, platforms, cipher, settings, now=at + timedelta(minutes=51))
    later = await runs(api, rule["id"])
    assert [r["slot_at"] for r in later] == [z(expected + timedelta(hours=1)), z(expected)]
    got = (await api.get(f"/api/v1/rules/{rule['id']}")).json()
    assert got["executions_count"] == 2


async def test_slots_before_the_rule_existed_and_inactive_rules_do_not_run(
    scheduled: Api, engine: AsyncEngine, platforms: PlatformGateway, database_url: str
):
    api = scheduled
    daily = {"frequency": "daily", "time": "00:00", "time_zone": "UTC"}
    rule = await api.rule("pause_low_roas", 1, conditions={"schedule": daily})
    idle = await api.rule(
        "pause_low_roas", 1, is_active=False, conditions={"schedule": {"frequency": "hourly"}}
    )
    sessions = make_sessionmaker(engine)
    settings = settings_for(database_url)
    cipher = TokenCipher(FERNET_KEY)
    now = datetime.now(UTC)
    assert await run_due_rules(sessions, platforms, cipher, settings, now=now) == 0
    assert await runs(api, rule["id"]) == []
    tomorrow = now + timedelta(days=1)
    assert await run_due_rules(sessions, platforms, cipher, settings, now=tomorrow) == 1
    assert [r["slot_at"][11:] for r in await runs(api, rule["id"])] == ["00:00:00Z"]
    assert await runs(api, idle["id"]) == []


@pytest.mark.parametrize(
    "schedule",
    [
        {"frequency": "daily"},
        {"frequency": "hourly", "time": "09:00"},
        {"frequency": "daily", "time": "24:00"},
        {"frequency": "custom"},
        {"frequency": "custom", "hours": [24]},
        {"frequency": "custom", "days": ["someday"]},
        {"frequency": "hourly", "days": ["mon"]},
        {"frequency": "hourly", "time_zone": "Mars/Olympus"},
        {"frequency": "weekly"},
    ],
)
async def test_schedule_validation(api: Api, schedule: dict[str, Any]):
    r = await api.try_rule({"schedule": schedule})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][:3] == ["body", "conditions", "schedule"]
