"""Value objects returned by the platform clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class TokenSet:
    """OAuth tokens. ``expires_at`` is timezone-aware UTC, ``None`` when the token does not expire.

    Meta has no refresh token: its ``refresh_token`` is the long-lived access token
    itself, which ``refresh`` exchanges (``fb_exchange_token``) for a fresh one.
    """

    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scopes: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class AdAccount:
    id: str
    name: str
    currency: str | None


@dataclass(frozen=True, slots=True)
class AudienceInfo:
    """What a platform tells about an audience.

    ``size`` is the platform's (approximate) count of matched users, ``None`` while it is
    not known; ``match_rate`` is a fraction in ``[0, 1]`` when the platform reports one
    (Google ``matchRatePercentage``), else ``None``; ``status`` is the platform's own
    processing/targetability status.
    """

    id: str
    size: int | None
    match_rate: float | None
    status: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class BatchReport:
    """One accepted request of a member operation (for checkpointing).

    ``rows_done`` counts the input rows covered by this and every earlier batch of the same
    operation, so a caller can resume after it.
    """

    operation: str
    batch_index: int
    rows: int
    rows_done: int
    received: int
    invalid: int
    invalid_samples: tuple[str, ...] = ()
    last: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # Identifiers of these rows left out because a member takes no more (Google: 10).
    dropped: int = 0


@dataclass(frozen=True, slots=True)
class UploadResult:
    """The sum of a member operation's batches."""

    received: int
    invalid: int
    invalid_samples: list[str] = field(default_factory=list)
    batches: int = 0


@dataclass(frozen=True, slots=True)
class DailyInsight:
    campaign_external_id: str
    date: date
    impressions: int
    clicks: int
    conversions: Decimal
    spend: Decimal
    revenue: Decimal
