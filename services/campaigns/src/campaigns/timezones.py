"""IANA time zones: ad accounts and rule schedules count days and hours in one."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def check_zone(name: str) -> str:
    """``name`` if it is an IANA zone (``Europe/Paris``, ``UTC``), else ``ValueError``."""
    if name not in _known():
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. 'Europe/Paris', 'UTC')")
    return name


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # a stored zone the system no longer knows
        return ZoneInfo("UTC")


def local_today(now: datetime, name: str) -> date:
    return now.astimezone(zone(name)).date()
