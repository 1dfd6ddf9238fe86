"""Units of work on the sandbox database (run through :meth:`Store.run`).

Everything that touches SQL lives here; the platform modules translate
requests and responses and call these functions.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from adscale_sandbox import key_index
from adscale_sandbox.audience import Audience
from adscale_sandbox.key_index import span
from adscale_sandbox.people import (
    ChangeResult,
    Person,
    Row,
    add_members,
    as_people,
    change_members,
    is_match,
    remove_members,
)
from adscale_sandbox.people_bulk import (
    delete_all,
    recount,
    remove_all_members,
)
from adscale_sandbox.store import as_record

__all__ = [
    "Audience",
    "ChangeResult",
    "Person",
    "Row",
    "add_members",
    "as_people",
    "change_members",
    "is_match",
    "recount",
    "remove_all_members",
    "remove_members",
]

# --------------------------------------------------------------------------- ids


def stable_int(*parts: object, digits: int) -> int:
    """A deterministic positive integer with exactly ``digits`` digits."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    low: int = 10 ** (digits - 1)
    return low + int.from_bytes(digest[:12], "big") % (9 * low)


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "adscale-sandbox:" + "|".join(map(str, parts))))


def next_counter(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute(
        "INSERT INTO counter (name, value) VALUES (?, 1) "
        "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        (name,),
    ).fetchone()
    return int(row[0])


def new_request_id() -> str:
    return secrets.token_hex(12)


# --------------------------------------------------------------------------- matching


# --------------------------------------------------------------------------- accounts

_META_CAMPAIGNS = ("Prospecting - Broad", "Retargeting - 30d", "Lookalike 1%", "Catalog Sales")
_GOOGLE_CAMPAIGNS = ("Search - Brand", "Search - Generic", "Performance Max", "Display Remarketing")
_OTHER_CAMPAIGNS = ("Awareness", "Traffic", "Conversions", "App Installs")
_OBJECTIVES = {
    "meta": ("OUTCOME_AWARENESS", "OUTCOME_SALES", "OUTCOME_LEADS", "OUTCOME_SALES"),
    "google": ("SEARCH", "SEARCH", "PERFORMANCE_MAX", "DISPLAY"),
}


def account_ids_for(platform: str, user_id: str, count: int) -> list[str]:
    digits = {"meta": 15, "google": 10, "tiktok": 19, "snapchat": 0}[platform]
    if platform == "snapchat":
        return [stable_uuid("snapchat", user_id, "account", i) for i in range(1, count + 1)]
    return [
        str(stable_int(platform, user_id, "account", i, digits=digits)) for i in range(1, count + 1)
    ]


def user_numeric_id(platform: str, user_id: str) -> str:
    return str(stable_int(platform, "user", user_id, digits=16))


def organization_id_for(user_id: str) -> str:
    return stable_uuid("snapchat", user_id, "organization")


def ensure_user(
    conn: sqlite3.Connection, platform: str, user_id: str, accounts: int, campaigns: int
) -> None:
    """Seed the user's ad accounts and their campaigns (idempotent, deterministic)."""
    exists = conn.execute(
        "SELECT 1 FROM ad_account WHERE platform = ? AND user_id = ? LIMIT 1", (platform, user_id)
    ).fetchone()
    if exists:
        return
    currency = "USD"
    timezone = "America/Los_Angeles"
    org = organization_id_for(user_id) if platform == "snapchat" else None
    names = {
        "meta": _META_CAMPAIGNS,
        "google": _GOOGLE_CAMPAIGNS,
    }.get(platform, _OTHER_CAMPAIGNS)
    objectives = _OBJECTIVES.get(platform, ("REACH", "TRAFFIC", "CONVERSIONS", "APP_PROMOTION"))
    for position, account_id in enumerate(account_ids_for(platform, user_id, accounts), start=1):
        conn.execute(
            "INSERT OR IGNORE INTO ad_account (platform, account_id, user_id, name, currency, "
            "timezone, organization_id, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                platform,
                account_id,
                user_id,
                f"Sandbox {platform.capitalize()} Account {position}",
                currency,
                timezone,
                org,
                position,
            ),
        )
        for index in range(campaigns):
            digits = {"meta": 18, "google": 11}.get(platform, 19)
            campaign_id = str(stable_int(platform, account_id, "campaign", index, digits=digits))
            budget_id = str(stable_int(platform, account_id, "budget", index, digits=digits))
            start = date(2024, 1, 1) + timedelta(
                days=stable_int(platform, campaign_id, "start", digits=6) % 180
            )
            budget_micros = (20 + stable_int(platform, campaign_id, "budget", digits=6) % 180) * (
                1_000_000
            )
            conn.execute(
                "INSERT OR IGNORE INTO campaign (platform, campaign_id, account_id, name, status, "
                "objective, daily_budget_micros, budget_id, start_date, position, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    platform,
                    campaign_id,
                    account_id,
                    f"{names[index % len(names)]} #{index + 1}",
                    "ACTIVE" if platform == "meta" else "ENABLED",
                    objectives[index % len(objectives)],
                    budget_micros,
                    budget_id,
                    start.isoformat(),
                    index,
                ),
            )


@dataclass(frozen=True)
class AdAccount:
    platform: str
    account_id: str
    user_id: str
    name: str
    currency: str
    timezone: str
    organization_id: str | None


def list_accounts(conn: sqlite3.Connection, platform: str, user_id: str) -> list[AdAccount]:
    rows = conn.execute(
        "SELECT * FROM ad_account WHERE platform = ? AND user_id = ? ORDER BY position",
        (platform, user_id),
    ).fetchall()
    return [as_record(AdAccount, r) for r in rows]


def get_account(conn: sqlite3.Connection, platform: str, account_id: str) -> AdAccount | None:
    row = conn.execute(
        "SELECT * FROM ad_account WHERE platform = ? AND account_id = ?", (platform, account_id)
    ).fetchone()
    return as_record(AdAccount, row) if row else None


# --------------------------------------------------------------------------- campaigns


@dataclass(frozen=True)
class Campaign:
    platform: str
    campaign_id: str
    account_id: str
    name: str
    status: str
    objective: str
    daily_budget_micros: int
    budget_id: str
    start_date: date


def _campaign(row: sqlite3.Row) -> Campaign:
    return as_record(Campaign, row, start_date=date.fromisoformat(row["start_date"]))


def list_campaigns(conn: sqlite3.Connection, platform: str, account_id: str) -> list[Campaign]:
    rows = conn.execute(
        "SELECT * FROM campaign WHERE platform = ? AND account_id = ? ORDER BY position",
        (platform, account_id),
    ).fetchall()
    return [_campaign(r) for r in rows]


def get_campaign(conn: sqlite3.Connection, platform: str, campaign_id: str) -> Campaign | None:
    row = conn.execute(
        "SELECT * FROM campaign WHERE platform = ? AND campaign_id = ?", (platform, campaign_id)
    ).fetchone()
    return _campaign(row) if row else None


def get_campaign_by_budget(
    conn: sqlite3.Connection, platform: str, budget_id: str
) -> Campaign | None:
    row = conn.execute(
        "SELECT * FROM campaign WHERE platform = ? AND budget_id = ?", (platform, budget_id)
    ).fetchone()
    return _campaign(row) if row else None


def update_campaign(
    conn: sqlite3.Connection,
    platform: str,
    campaign_id: str,
    *,
    status: str | None = None,
    daily_budget_micros: int | None = None,
    name: str | None = None,
    now: float,
) -> None:
    if status is not None:
        conn.execute(
            "UPDATE campaign SET status = ?, updated_at = ? WHERE platform = ? AND campaign_id = ?",
            (status, now, platform, campaign_id),
        )
    if daily_budget_micros is not None:
        conn.execute(
            "UPDATE campaign SET daily_budget_micros = ?, updated_at = ? "
            "WHERE platform = ? AND campaign_id = ?",
            (daily_budget_micros, now, platform, campaign_id),
        )
    if name is not None:
        conn.execute(
            "UPDATE campaign SET name = ?, updated_at = ? WHERE platform = ? AND campaign_id = ?",
            (name, now, platform, campaign_id),
        )


# --------------------------------------------------------------------------- audiences

_AUDIENCE_ID_BASE = {
    "meta": 23_850_000_000_000_000,
    "google": 9_100_000_000,
    "tiktok": 7_300_000_000,
    "snapchat": 5_400_000_000_000_000,
}


def _audience(row: sqlite3.Row) -> Audience:
    return as_record(Audience, row, attrs=json.loads(row["attrs"]))


def create_audience(
    conn: sqlite3.Connection,
    platform: str,
    account_id: str,
    name: str,
    *,
    description: str = "",
    kind: str = "",
    identifier_type: str | None = None,
    attrs: dict[str, Any] | None = None,
    now: float,
) -> Audience:
    seq = next_counter(conn, f"audience:{platform}")
    audience_id = str(_AUDIENCE_ID_BASE[platform] + seq)
    conn.execute(
        "INSERT INTO audience (platform, audience_id, account_id, name, description, kind, "
        "identifier_type, attrs, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            platform,
            audience_id,
            account_id,
            name,
            description,
            kind,
            identifier_type,
            json.dumps(attrs or {}),
            now,
            now,
        ),
    )
    audience = get_audience(conn, platform, audience_id, now=now, delay=0)
    assert audience is not None
    return audience


def get_audience(
    conn: sqlite3.Connection, platform: str, audience_id: str, *, now: float, delay: float
) -> Audience | None:
    """Load an audience, publishing its counts once the processing delay has passed."""
    row = conn.execute(
        "SELECT * FROM audience WHERE platform = ? AND audience_id = ?", (platform, audience_id)
    ).fetchone()
    if row is None:
        return None
    return _publish(conn, _audience(row), now=now, delay=delay)


def list_audiences(
    conn: sqlite3.Connection, platform: str, account_id: str, *, now: float, delay: float
) -> list[Audience]:
    rows = conn.execute(
        "SELECT * FROM audience WHERE platform = ? AND account_id = ? ORDER BY pk",
        (platform, account_id),
    ).fetchall()
    return [_publish(conn, _audience(r), now=now, delay=delay) for r in rows]


def _publish(conn: sqlite3.Connection, audience: Audience, *, now: float, delay: float) -> Audience:
    if audience.last_change_at is None:
        return audience
    ready = now >= audience.last_change_at + delay
    stale = (
        audience.pub_member_count != audience.member_count
        or audience.pub_matched_count != audience.matched_count
    )
    if ready and stale:
        conn.execute(
            "UPDATE audience SET pub_member_count = member_count, "
            "pub_matched_count = matched_count WHERE pk = ?",
            (audience.pk,),
        )
        audience.pub_member_count = audience.member_count
        audience.pub_matched_count = audience.matched_count
    audience.processing = not ready
    return audience


def update_audience_fields(
    conn: sqlite3.Connection,
    audience: Audience,
    *,
    name: str | None = None,
    description: str | None = None,
    identifier_type: str | None = None,
    attrs: dict[str, Any] | None = None,
    now: float,
) -> None:
    if name is not None:
        audience.name = name
    if description is not None:
        audience.description = description
    if identifier_type is not None:
        audience.identifier_type = identifier_type
    if attrs is not None:
        audience.attrs.update(attrs)
    conn.execute(
        "UPDATE audience SET name = ?, description = ?, identifier_type = ?, attrs = ?, "
        "updated_at = ? WHERE pk = ?",
        (
            audience.name,
            audience.description,
            audience.identifier_type,
            json.dumps(audience.attrs),
            now,
            audience.pk,
        ),
    )


def delete_audience(conn: sqlite3.Connection, audience: Audience) -> None:
    delete_all(conn, audience)
    conn.execute("DELETE FROM staged_member WHERE audience_pk = ?", (audience.pk,))
    conn.execute("DELETE FROM upload_session WHERE audience_pk = ?", (audience.pk,))
    conn.execute("DELETE FROM audience WHERE pk = ?", (audience.pk,))


# --------------------------------------------------------------------------- members
# Members are people: see :mod:`adscale_sandbox.people`.


def member_count(conn: sqlite3.Connection, audience: Audience) -> int:
    row = conn.execute("SELECT member_count FROM audience WHERE pk = ?", (audience.pk,)).fetchone()
    return int(row[0])


def count_existing(conn: sqlite3.Connection, audience: Audience, hashes: Sequence[bytes]) -> int:
    """How many of ``hashes`` (deduplicated) are current members."""
    return len(key_index.find(conn, "member", audience.pk, list(set(hashes)), "1"))


def member_hashes(conn: sqlite3.Connection, audience: Audience, limit: int | None) -> list[str]:
    sql = "SELECT hash FROM member WHERE id BETWEEN ? AND ? ORDER BY hash"
    params: tuple[Any, ...] = span(audience.pk)
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, limit)
    return [bytes(r[0]).hex() for r in conn.execute(sql, params)]


# --------------------------------------------------------------------------- ingest requests


def save_request(
    conn: sqlite3.Connection, request_id: str, platform: str, detail: dict[str, Any], now: float
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO ingest_request (request_id, platform, detail, created_at) "
        "VALUES (?, ?, ?, ?)",
        (request_id, platform, json.dumps(detail), now),
    )


def list_requests(conn: sqlite3.Connection, platform: str, limit: int) -> list[dict[str, Any]]:
    """The platform's logged member requests, newest first."""
    rows = conn.execute(
        "SELECT request_id, detail FROM ingest_request WHERE platform = ? "
        "ORDER BY created_at DESC LIMIT ?",
        (platform, limit),
    ).fetchall()
    return [{"request_id": r[0], **json.loads(r[1])} for r in rows]


def get_request(conn: sqlite3.Connection, request_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT detail FROM ingest_request WHERE request_id = ?", (request_id,)
    ).fetchone()
    if row is None:
        return None
    detail: dict[str, Any] = json.loads(row[0])
    return detail
