"""Meta's Limited Data Use (LDU) for customer-list uploads: per profile, or for a whole
audience.

Meta documents it in "Data Processing Options for US Users" (Marketing API): a customer-list
upload names ``DATA_PROCESSING_OPTIONS``, ``DATA_PROCESSING_OPTIONS_COUNTRY`` and
``DATA_PROCESSING_OPTIONS_STATE`` in its ``schema``, and each row holds ``["LDU"]`` (or
``[]``), the country (``1`` the US, ``0`` let Meta geolocate the person) and the state
(``1000`` California and the other codes Meta lists, ``0`` geolocate).

A profile asks for it with ``data_processing_options = "LDU"`` (optionally
``data_processing_options_country`` / ``_state``: Meta's codes); an audience with
``limited_data_use: true`` sends every row with it (country and state ``0`` unless the
profile gives its own). The other platforms have no such option: nothing changes there.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

LDU_FIELDS: tuple[str, ...] = (
    "data_processing_options",
    "data_processing_options_country",
    "data_processing_options_state",
)
LDU = "LDU"
COUNTRIES = frozenset({"0", "1"})
# 0 (geolocate) and Meta's US state codes (1000 California, 1001 Colorado, ...).
STATES = frozenset({"0", *(str(code) for code in range(1000, 1051))})
LDU_PLATFORMS = frozenset({"meta"})


class InvalidLdu(ValueError):
    """A malformed data processing option (``args[0]`` is the reason)."""


def clean_ldu(field: str, text: str) -> str | None:
    """The stored form of one LDU field (``text`` is trimmed, not empty)."""
    if field == "data_processing_options":
        value = text.strip("[]\"' ").upper()
        if value not in (LDU, ""):
            raise InvalidLdu('data_processing_options must be "LDU" (or empty)')
        return value or None
    allowed = COUNTRIES if field.endswith("_country") else STATES
    if text not in allowed:
        what = "1 (US) or 0" if allowed is COUNTRIES else "a Meta US state code (1000...) or 0"
        raise InvalidLdu(f"{field} must be {what}")
    return text


async def needs_columns(
    session: AsyncSession, platform: str, audience_ldu: bool, segment_id: uuid.UUID
) -> bool:
    """Whether a run's rows carry the three LDU columns: a Meta audience that asks for LDU,
    or whose segment has a profile that does."""
    if platform not in LDU_PLATFORMS:
        return False
    if audience_ldu:
        return True
    found = await session.scalar(
        sa.text(
            "SELECT 1 FROM profile WHERE segment_id = :s AND data_processing_options IS NOT "
            "NULL LIMIT 1"
        ),
        {"s": segment_id},
    )
    return found is not None


async def attach(
    conn: asyncpg.Connection[Any],
    segment_id: uuid.UUID,
    ids: Sequence[str],
    wire: list[tuple[str, ...]],
    *,
    audience_ldu: bool,
) -> list[tuple[str, ...]]:
    """``wire`` rows with ``(options, country, state)`` appended: ``("LDU", country,
    state)`` for a profile (or an audience) that asks for it, ``("", "", "")`` otherwise."""
    rows = await conn.fetch(
        "SELECT external_id, data_processing_options_country, data_processing_options_state "
        "FROM profile WHERE segment_id = $1 AND external_id = ANY($2::text[]) "
        "AND data_processing_options IS NOT NULL",
        segment_id,
        list(ids),
    )
    asked = {r[0]: (LDU, r[1] or "0", r[2] or "0") for r in rows}
    default = (LDU, "0", "0") if audience_ldu else ("", "", "")
    return [(*w, *asked.get(i, default)) for i, w in zip(ids, wire, strict=True)]
