"""Text limits per platform (character counts), chosen from each platform's ad specs.

* Google (responsive search ads): headline at most 30 characters, description
  at most 90 — hard limits the Google Ads API enforces.
* Meta (feed ads): headline 40 and primary text 125 characters — Meta's
  recommended lengths, past which text is truncated behind "See more" (the API
  itself accepts far longer text; AdScale enforces the readable length).

The creative's ``description`` is the Google description / the Meta primary text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextLimits:
    headline: int
    description: int
    call_to_action: int = 30


LIMITS: dict[str, TextLimits] = {
    "google": TextLimits(headline=30, description=90),
    "meta": TextLimits(headline=40, description=125),
}


def limits_for(platform: str) -> TextLimits:
    return LIMITS.get(platform, LIMITS["google"])
