"""JSON encodings of the campaigns API, one choice for the whole service (see README).

* money (budgets, bids, spend, revenue, CPA) -> JSON **string** with two decimals,
  ``"12.50"``; accepted on input as a JSON number or string;
* ratios (ROAS, CTR) and counts -> JSON numbers;
* timestamps -> ISO 8601 UTC with ``Z`` (``2026-02-14T12:34:56Z``); dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

CENT = Decimal("0.01")


def money_str(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


Money = Annotated[Decimal, PlainSerializer(money_str, return_type=str, when_used="json")]
# Money on input: > 0, at most 12 digits before and 2 after the point (NUMERIC(14,2)).
PositiveMoney = Annotated[
    Decimal,
    Field(gt=0, max_digits=14, decimal_places=2),
    PlainSerializer(money_str, return_type=str, when_used="json"),
]
Ratio = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def ratio(numerator: Decimal | int, denominator: Decimal | int, places: int = 4) -> Decimal | None:
    """``numerator / denominator`` rounded, ``None`` when the denominator is zero."""
    if not denominator:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(numerator) / Decimal(denominator)).quantize(quantum, rounding=ROUND_HALF_UP)
