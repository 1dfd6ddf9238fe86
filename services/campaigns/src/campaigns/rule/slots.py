"""Schedule slots: the wall-clock moments a scheduled rule runs at, in a time zone.

``current_slot`` answers the latest slot that has started at ``now`` (UTC):

* ``continuous``: every half hour (:00 and :30);
* ``hourly``: the top of every hour;
* ``daily``: ``time`` (HH:MM) every day;
* ``custom``: the listed ``hours`` (default 00:00) on the listed ``days`` (default every day).

A run records its slot (``rule_execution.slot_at``, unique per rule), so however
many workers look, a slot runs once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from campaigns.rule.language import WEEKDAYS, Schedule
from campaigns.timezones import zone


def current_slot(schedule: Schedule, time_zone: str, now: datetime) -> datetime:
    tz = zone(time_zone)
    local = now.astimezone(tz)
    if schedule.frequency == "continuous":
        start = local.replace(minute=0 if local.minute < 30 else 30, second=0, microsecond=0)
        return start.astimezone(UTC)
    if schedule.frequency == "hourly":
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    if schedule.frequency == "daily":
        assert schedule.time is not None
        hour, minute = (int(part) for part in schedule.time.split(":"))
        times = [time(hour, minute)]
        days = set(WEEKDAYS)
    else:
        times = [time(h) for h in sorted(set(schedule.hours or [0]))]
        days = set(schedule.days or WEEKDAYS)
    for back in range(8):
        day = local.date() - timedelta(days=back)
        if WEEKDAYS[day.weekday()] not in days:
            continue
        for at in reversed(times):
            start = datetime.combine(day, at, tzinfo=tz)
            if start <= local:
                return start.astimezone(UTC)
    raise ValueError("a schedule without any slot in a week")  # pragma: no cover - validated
