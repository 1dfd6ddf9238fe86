"""Per-member consent on the way out: each Google member carries its profile's own
``consent`` (the request-level setting stays the default for ``unspecified``).

Profiles that denied either kind of consent never reach a send (the sync's desired set
leaves them out, :data:`audience_sync.sync.planner.CONSENTED`), so what travels here is
``granted`` or unspecified.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

CONSENT_PLATFORMS = frozenset({"google"})


async def attach(
    conn: asyncpg.Connection[Any],
    platform: str,
    segment_id: uuid.UUID,
    ids: Sequence[str],
    wire: list[tuple[str, ...]],
) -> list[tuple[str, ...]]:
    """``wire`` rows with ``(ad_user_data, ad_personalization)`` appended (``""`` for
    unspecified), for the platforms whose members carry their own consent."""
    if platform not in CONSENT_PLATFORMS or not ids:
        return wire
    rows = await conn.fetch(
        "SELECT external_id, consent_ad_user_data, consent_ad_personalization FROM profile "
        "WHERE segment_id = $1 AND external_id = ANY($2::text[]) "
        "AND (consent_ad_user_data IS NOT NULL OR consent_ad_personalization IS NOT NULL)",
        segment_id,
        list(ids),
    )
    if not rows:
        return wire
    given = {
        r["external_id"]: (r["consent_ad_user_data"] or "", r["consent_ad_personalization"] or "")
        for r in rows
    }
    return [(*w, *given.get(i, ("", ""))) for i, w in zip(ids, wire, strict=True)]
