"""What a metrics read covers: a range of days and, for a list, the page of it asked for.

The routes build these once per request (``endpoints.py``, which also refuses a range
that ends before it starts); the service and the repository take them whole.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from adscale_common.pagination import OffsetParams


@dataclass(frozen=True, slots=True)
class DateRange:
    """The days from ``start`` through ``end``, both included; None leaves that side open."""

    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class RangePage:
    """A list's range of days and the page of its rows asked for."""

    dates: DateRange
    page: OffsetParams


@dataclass(frozen=True, slots=True)
class CampaignRangePage(RangePage):
    """A range page of one campaign's rows (the path's ``campaign_id``)."""

    campaign_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class FilteredRangePage(RangePage):
    """A range page of campaigns' sums, of ``only`` these campaigns when any."""

    only: tuple[uuid.UUID, ...] = ()
