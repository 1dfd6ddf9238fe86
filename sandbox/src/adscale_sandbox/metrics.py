"""Deterministic daily campaign metrics: the same campaign and day always give the same numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class DailyMetrics:
    day: date
    impressions: int
    clicks: int
    spend_micros: int
    conversions: int
    revenue_micros: int
    reach: int

    def __add__(self, other: DailyMetrics) -> DailyMetrics:
        return DailyMetrics(
            day=min(self.day, other.day),
            impressions=self.impressions + other.impressions,
            clicks=self.clicks + other.clicks,
            spend_micros=self.spend_micros + other.spend_micros,
            conversions=self.conversions + other.conversions,
            revenue_micros=self.revenue_micros + other.revenue_micros,
            reach=self.reach + other.reach,
        )


def daily_metrics(platform: str, campaign_id: str, day: date) -> DailyMetrics:
    """Realistic-looking numbers: a per-campaign profile, a weekday rhythm and daily noise."""
    base_impressions = 3_000 + int(_unit(platform, campaign_id, "impr") * 57_000)
    ctr = 0.008 + _unit(platform, campaign_id, "ctr") * 0.027
    cpc_micros = 300_000 + int(_unit(platform, campaign_id, "cpc") * 2_200_000)
    cvr = 0.02 + _unit(platform, campaign_id, "cvr") * 0.06
    order_value = 25.0 + _unit(platform, campaign_id, "aov") * 155.0

    weekday = 0.82 if day.weekday() >= 5 else 1.0
    seasonal = 1.0 + 0.15 * ((day.timetuple().tm_yday % 91) / 91.0 - 0.5)
    noise = [0.75 + 0.5 * _unit(platform, campaign_id, day.isoformat(), k) for k in range(5)]

    impressions = max(1, int(base_impressions * weekday * seasonal * noise[0]))
    clicks = round(impressions * ctr * noise[1])
    spend_micros = round(clicks * cpc_micros * noise[2] / 10_000) * 10_000
    conversions = round(clicks * cvr * noise[3])
    revenue_micros = round(conversions * order_value * noise[4] * 100) * 10_000
    reach = int(impressions / (1.2 + 0.6 * noise[0]))
    return DailyMetrics(day, impressions, clicks, spend_micros, conversions, revenue_micros, reach)


def days(since: date, until: date) -> Iterator[date]:
    current = since
    while current <= until:
        yield current
        current += timedelta(days=1)


def active_days(start: date, since: date, until: date, today: date) -> Iterator[date]:
    """Days in [since, until] on which the campaign could have delivered (started, not future)."""
    yield from days(max(since, start), min(until, today))


def preset_range(name: str, today: date, last_days: int | None = None) -> tuple[date, date] | None:
    """The window of a relative date preset, as both Meta and GAQL define them: ``today``,
    ``yesterday``, ``this_month`` (to today), ``last_month``, or, with ``last_days``, that
    many days before today. ``None`` for anything else (each platform names its own)."""
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if last_days is not None:
        return today - timedelta(days=last_days), today - timedelta(days=1)
    return None
