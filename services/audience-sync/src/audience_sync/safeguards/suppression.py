"""The suppression list at the door: rows of an import, a profiles upsert or a
``cdp.profiles`` message that carry an erased identifier are refused (reason
``suppressed``), the rest of the batch goes in.

:func:`screen` runs on the staged rows of one chunk, in the import's transaction, just
before they are upserted: one indexed query when the user has no suppression (the usual
case); otherwise the external ids and emails are hashed in SQL and, when phone numbers are
suppressed, the chunk's phones are normalized (E.164) and hashed here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from audience_sync.safeguards.identity import normalize_phone, sha256_hex

REASON = "suppressed"
MAX_SAMPLES = 20


async def screen(
    conn: asyncpg.Connection[Any], segment_id: uuid.UUID, stage_table: str
) -> list[tuple[int, str]]:
    """Delete the staged rows of suppressed people; their ``(line, external_id)``."""
    rows = await conn.fetch(
        "SELECT s.hash, s.kind FROM suppression s JOIN segment g ON g.user_id = s.user_id "
        "WHERE g.id = $1",
        segment_id,
    )
    if not rows:
        return []
    hashes: dict[str, list[str]] = {"external_id": [], "email": [], "phone": []}
    for r in rows:
        hashes[r["kind"]].append(r["hash"])
    refused: dict[int, str] = {}
    found = await conn.fetch(
        f"SELECT line, external_id FROM {stage_table} "  # noqa: S608 - generated name
        "WHERE encode(sha256(convert_to(external_id, 'UTF8')), 'hex') = ANY($1::text[]) "
        "OR (email IS NOT NULL AND "
        "encode(sha256(convert_to(lower(btrim(email)), 'UTF8')), 'hex') = ANY($2::text[]))",
        hashes["external_id"],
        hashes["email"],
    )
    refused.update((r["line"], r["external_id"]) for r in found)
    if hashes["phone"]:
        phones = set(hashes["phone"])
        staged = await conn.fetch(
            f"SELECT line, external_id, phone FROM {stage_table} "  # noqa: S608
            "WHERE phone IS NOT NULL"
        )
        for r in staged:
            number = normalize_phone(r["phone"])
            if number is not None and sha256_hex(number) in phones:
                refused[r["line"]] = r["external_id"]
    if refused:
        await conn.execute(
            f"DELETE FROM {stage_table} WHERE line = ANY($1::bigint[])",  # noqa: S608
            list(refused),
        )
    return sorted(refused.items())


def report(refused: Sequence[tuple[int, str]], position: str) -> dict[str, Any]:
    """The result fields: ``suppressed`` (rows refused) and ``suppressed_rows`` (up to 20
    samples; ``position`` is ``index`` for JSON bodies, ``line`` for CSV)."""
    return {
        "suppressed": len(refused),
        "suppressed_rows": [
            {position: line, "external_id": key, "reason": REASON}
            for line, key in refused[:MAX_SAMPLES]
        ],
    }
