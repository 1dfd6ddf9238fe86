"""Shared checks for the audience-sync contract tests (spec: audience-sync-api.md).

Import after ``sys.path.insert(0, str(Path(__file__).parent))`` (pytest runs with
``--import-mode=importlib``). Builds on ``contract_kit`` (``conforms`` and its validators)
(``profiles`` and ``new_segment`` build and fill a segment).

* Shapes: every documented body of the Platform, Audience and Sync endpoints and of the
  house segment endpoints, as ``conforms`` specs (exact key sets; the spec's fields plus the
  extras services/audience-sync/README.md documents).
* ``error(response, status, code)``: the ``{"error": {"code", "message", "details"}}``
  envelope, JSON content type included.
* The sandbox: ``Sandbox.fault`` queues a fault scoped by a path substring that only this
  test's objects have (an ad account id, an audience id), so tests running side by side
  never take each other's faults; faults are never cleared globally.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from adscale_platforms.google import parse_user_list_name
from adscale_platforms.identifiers import FIELDS as identifier_fields
from adscale_platforms.identifiers import hash_many
from adscale_platforms.tiktok import split_audience_id

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit
from contract_kit import (
    BOOL,
    INT,
    NUMBER,
    STR,
    TIMESTAMP,
    UUID4,
    Check,
    equals,
    list_of,
    nullable,
    one_of,
    shape,
)

AS = "/cdp/audience-sync"
SEGMENTS = "/cdp/segments"
SANDBOX = kit.SANDBOX
NIL = kit.NIL_UUID4
PLATFORMS = ("meta", "google", "tiktok", "snapchat")
JOB_STATUSES = ("pending", "running", "completed", "failed", "cancelled")
# Identifier fields an audience may send: every field the platforms take but the key.
FIELDS = tuple(f for f in identifier_fields if f != "external_id")


# --- documented shapes ---------------------------------------------------------------------

AD_ACCOUNT: dict[str, Check] = {
    "id": STR,
    "name": STR,
    "currency": nullable(STR),
    "connected_at": TIMESTAMP,
}
PLATFORM_OFF: dict[str, Check] = {
    "platform": one_of(*PLATFORMS),
    "connected": equals(False),
    "ad_accounts": equals([]),
}
PLATFORM_ON: dict[str, Check] = {
    "platform": one_of(*PLATFORMS),
    "connected": equals(True),
    "ad_accounts": list_of(shape(AD_ACCOUNT)),
    "scopes": list_of(STR),
    "expires_at": nullable(TIMESTAMP),
    "status": one_of("connected", "expired"),
}
CONNECT: dict[str, Check] = {"authorization_url": STR, "state": STR, "expires_at": TIMESTAMP}
DISCONNECTED: dict[str, Check] = {
    "disconnected": equals(True),
    "platform": one_of(*PLATFORMS),
    "ad_accounts_removed": INT,
}
# PlatformAudience, plus the documented extras additive_only, limited_data_use (issue 18)
# and identifier_fields.
AUDIENCE: dict[str, Check] = {
    "id": UUID4,
    "segment_id": UUID4,
    "segment_name": STR,
    "platform": one_of(*PLATFORMS),
    "platform_audience_id": nullable(STR),
    "platform_audience_name": STR,
    "ad_account_id": STR,
    "description": nullable(STR),
    "is_active": BOOL,
    "auto_sync": BOOL,
    "sync_interval_hours": INT,
    "additive_only": BOOL,
    "limited_data_use": BOOL,
    "identifier_fields": list_of(one_of(*FIELDS)),
    "last_sync_at": nullable(TIMESTAMP),
    "last_sync_status": nullable(one_of(*JOB_STATUSES)),
    "platform_size": nullable(INT),
    "matched_size": nullable(INT),
    "match_rate": nullable(NUMBER),
    "next_sync_at": nullable(TIMESTAMP),
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
SYNC_STATS: dict[str, Check] = {
    "total_syncs": INT,
    "successful_syncs": INT,
    "failed_syncs": INT,
    "avg_match_rate": nullable(NUMBER),
    "profiles_added": INT,
    "profiles_removed": INT,
}


def counts_of(check: Check) -> Check:
    """A JSON object from identifier field names to values passing ``check``."""

    def inner(value: Any) -> None:
        assert isinstance(value, dict), value
        for name, item in value.items():
            assert name in FIELDS, name
            check(item)

    return inner


AUDIENCE_DETAIL: dict[str, Check] = {
    **AUDIENCE,
    "segment_profile_count": INT,
    "identifier_coverage": counts_of(INT),
    "extra_identifiers": shape({"emails": INT, "phones": INT}),
    "sync_stats_30d": shape(SYNC_STATS),
}
INITIAL_SYNC: dict[str, Check] = {
    "job_id": UUID4,
    "status": one_of(*JOB_STATUSES),
    "profiles_sent": INT,
    "matched": nullable(INT),
    "match_rate": nullable(NUMBER),
    "duration_ms": nullable(INT),
    "error_code": nullable(STR),
    "error_message": nullable(STR),
}
CREATED: dict[str, Check] = {"audience": shape(AUDIENCE), "initial_sync": shape(INITIAL_SYNC)}
DELETED: dict[str, Check] = {
    "deleted": equals(True),
    "audience_id": UUID4,
    "platform_audience_deleted": BOOL,
}
ESTIMATED: dict[str, Check] = {"to_add": INT, "to_remove": INT, "exact": BOOL}
TRIGGERED: dict[str, Check] = {
    "job_id": UUID4,
    "status": equals("pending"),
    "operation": one_of("update", "replace"),
    "segment_size": INT,
    "estimated_changes": shape(ESTIMATED),
}
OPERATIONS = ("create", "update", "replace", "delete")
TRIGGERS = ("manual", "scheduled", "api")
HISTORY_ENTRY: dict[str, Check] = {
    "job_id": UUID4,
    "operation": one_of(*OPERATIONS),
    "status": one_of(*JOB_STATUSES),
    "profiles_sent": INT,
    "profiles_added": INT,
    "profiles_removed": INT,
    "profiles_failed": INT,
    "profiles_skipped_consent": INT,  # additive (issue 18): denied consent, not sent
    "match_rate": nullable(NUMBER),
    "triggered_by": one_of(*TRIGGERS),
    "started_at": nullable(TIMESTAMP),
    "completed_at": nullable(TIMESTAMP),
    "duration_ms": nullable(INT),
    "error_code": nullable(STR),
    "error_message": nullable(STR),
}
HISTORY_SUMMARY: dict[str, Check] = {
    "total_syncs": INT,
    "successful": INT,
    "failed": INT,
    "avg_match_rate": nullable(NUMBER),
}
HISTORY: dict[str, Check] = {
    "audience_id": UUID4,
    "history": list_of(shape(HISTORY_ENTRY)),
    "summary": shape(HISTORY_SUMMARY),
}
PLATFORM_RESPONSE: dict[str, Check] = {
    "audience_id": STR,
    "audience_size": nullable(INT),
    "status": one_of("ready", "processing"),
    "platform_status": nullable(STR),
    "members_uploaded": INT,
}


def ANY(value: Any) -> None:
    """Any JSON value (checked elsewhere)."""


def CODE(value: Any) -> None:
    """A platform's error code: a number or a string, or null."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
        raise AssertionError(f"{value!r} is not a platform error code")


PLATFORM_FAILURE: dict[str, Check] = {
    "error": shape(
        {
            "platform": one_of(*PLATFORMS),
            "platform_error_code": CODE,
            "platform_error_subcode": CODE,
            "platform_error_message": STR,
        }
    )
}
# AudienceSyncJob, plus the documented extras (README "SyncJobRead").
JOB: dict[str, Check] = {
    **HISTORY_ENTRY,  # a job says all its history entry does, and:
    "audience_id": UUID4,
    "platform": one_of(*PLATFORMS),
    "triggered_by_user_id": nullable(UUID4),
    "platform_response": ANY,  # checked per state: PLATFORM_RESPONSE / PLATFORM_FAILURE
    "profiles_invalid": INT,
    "invalid_samples": list_of(ANY),
    "identifier_counts": counts_of(shape({"sent": INT, "invalid": INT})),
    "segment_size": nullable(INT),
    "estimated_changes": nullable(shape(ESTIMATED)),
    "created_at": TIMESTAMP,
}
SEGMENT: dict[str, Check] = {
    "id": UUID4,
    "name": STR,
    "description": nullable(STR),
    "profile_count": INT,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}


# --- errors ----------------------------------------------------------------------------------


error = kit.envelope_error
validation = kit.envelope_validation


def bad_path(response: httpx.Response, name: str) -> dict[str, Any]:
    """400 ``INVALID_PATH_PARAMETER`` naming the path parameter ``name``."""
    inner = error(response, 400, "INVALID_PATH_PARAMETER")
    assert [e["loc"] for e in inner["details"]["errors"]] == [["path", name]], inner
    return inner


utc = kit.epoch


# --- segments ----------------------------------------------------------------------------------


def profiles(start: int, count: int) -> list[dict[str, str]]:
    """Profiles with an email and a phone, written as people write them (case, spaces)."""
    return [
        {
            "external_id": f"p{i}",
            "email": f"Person.{i}@Example.com",
            "phone": f"+1 415 {200 + i // 10000 % 800:03d} {i % 10000:04d}",
        }
        for i in range(start, start + count)
    ]


async def new_segment(api: httpx.AsyncClient, user: Any, rows: list[dict[str, Any]]) -> str:
    """A new segment of ``user`` (anything with ``headers``) holding ``rows``, every one
    accepted."""
    created = await api.post("/cdp/segments", json={"name": "VIPs"}, headers=user.headers)
    assert created.status_code == 201, created.text
    segment_id: str = created.json()["id"]
    if rows:
        filled = await api.post(
            f"/cdp/segments/{segment_id}/profiles", json={"profiles": rows}, headers=user.headers
        )
        assert filled.status_code == 200, filled.text
        assert filled.json()["invalid"] == 0, filled.text
    return segment_id


# --- the sandbox (plays the platforms) --------------------------------------------------------


def sandbox_id(platform: str, platform_audience_id: str) -> str:
    """The id the sandbox's admin API knows an audience by."""
    if platform == "google":
        return parse_user_list_name(platform_audience_id)[2]
    if platform == "tiktok":
        return split_audience_id(platform_audience_id)[1]
    return platform_audience_id


def hashes(platform: str, rows: list[dict[str, str]], fields: Iterable[str]) -> set[str]:
    """What the platform should hold for these profiles' emails and phones: each identifier
    normalized and hashed by the platform's own rules."""
    out: set[str] = set()
    for name in fields:
        values = [r[name] for r in rows if r.get(name)]
        out.update(h for h in hash_many(platform, name, values) if h)
    return out


@dataclass
class Sandbox:
    client: httpx.AsyncClient

    async def fault(
        self,
        platform: str,
        kind: str,
        path_contains: str,
        *,
        method: str | None = None,
        count: int = 1,
        latency_ms: int = 0,
    ) -> None:
        assert len(path_contains) >= 8, "scope faults to this test's own objects"
        response = await self.client.post(
            "/_admin/faults",
            json={
                "platform": platform,
                "kind": kind,
                "count": count,
                "latency_ms": latency_ms,
                "path_contains": path_contains,
                "method": method,
            },
        )
        assert response.status_code == 201, response.text

    async def members(self, platform: str, platform_audience_id: str) -> httpx.Response:
        return await self.client.get(
            f"/_admin/audiences/{platform}/{sandbox_id(platform, platform_audience_id)}/members",
            params={"include_hashes": "true", "limit": 100_000},
        )

    async def held(self, platform: str, platform_audience_id: str) -> set[str]:
        response = await self.members(platform, platform_audience_id)
        assert response.status_code == 200, response.text
        return set(response.json()["hashes"])

    async def revoke(self, platform: str, sandbox_user: str) -> int:
        response = await self.client.post(
            "/_admin/tokens/revoke", json={"platform": platform, "user_id": sandbox_user}
        )
        assert response.status_code == 200, response.text
        return int(response.json()["revoked"])


# --- flows -------------------------------------------------------------------------------------


async def start_connect(
    api: httpx.AsyncClient, headers: dict[str, str], platform: str, **body: Any
) -> dict[str, Any]:
    response = await api.post(
        f"{AS}/platforms/{platform}/connect", json=body or None, headers=headers
    )
    assert response.status_code == 200, response.text
    return kit.conforms(response.json(), CONNECT)


async def consent(authorization_url: str, sandbox_user: str) -> dict[str, list[str]]:
    """The user approves on the platform's consent screen; returns the redirect's query."""
    async with httpx.AsyncClient(timeout=30) as browser:
        answer = await browser.get(f"{authorization_url}&sandbox_user={sandbox_user}")
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)


def code_of(query: dict[str, list[str]]) -> str:
    return (query.get("code") or query.get("auth_code") or [""])[0]


@dataclass
class Connection:
    platform: str
    sandbox_user: str
    body: dict[str, Any]

    @property
    def account(self) -> str:
        return str(self.body["ad_accounts"][0]["id"])


async def connect(
    api: httpx.AsyncClient, headers: dict[str, str], platform: str, sandbox_user: str = ""
) -> Connection:
    """Connect ``platform`` through the sandbox's OAuth consent as a sandbox user of its own."""
    started = await start_connect(api, headers, platform)
    return await finish_connect(api, headers, platform, started, sandbox_user)


async def finish_connect(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    platform: str,
    started: dict[str, Any],
    sandbox_user: str = "",
) -> Connection:
    """The rest of :func:`connect` once ``started`` (the connect answer) is in hand: consent
    on the sandbox, the callback, the connected platform entry."""
    sandbox_user = sandbox_user or f"cdp-{uuid.uuid4().hex[:10]}"
    query = await consent(started["authorization_url"], sandbox_user)
    assert query["state"] == [started["state"]]
    done = await api.post(
        f"{AS}/platforms/{platform}/callback",
        json={"code": code_of(query), "state": started["state"]},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    return Connection(platform, sandbox_user, kit.conforms(done.json(), PLATFORM_ON))


async def create(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    segment_id: str,
    platform: str,
    account: str,
    **extra: Any,
) -> httpx.Response:
    body = {
        "segment_id": segment_id,
        "platform": platform,
        "ad_account_id": account,
        "audience_name": f"VIPs {uuid.uuid4().hex[:8]}",
        **extra,
    }
    return await api.post(f"{AS}/audiences", json=body, headers=headers)


async def created(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    segment_id: str,
    platform: str,
    account: str,
    **extra: Any,
) -> dict[str, Any]:
    """Create an audience whose initial sync completes in the request; returns the body."""
    response = await create(api, headers, segment_id, platform, account, **extra)
    assert response.status_code == 201, response.text
    body = kit.conforms(response.json(), CREATED)
    assert body["initial_sync"]["status"] == "completed", body
    return body


async def accepted_sync(
    api: httpx.AsyncClient, headers: dict[str, str], audience_id: str, operation: str = "update"
) -> dict[str, Any]:
    """``POST /audiences/{audience_id}/sync`` answered 202: the queued job as answered."""
    response = await api.post(
        f"{AS}/audiences/{audience_id}/sync", json={"operation": operation}, headers=headers
    )
    assert response.status_code == 202, response.text
    return dict(response.json())


async def job_of(api: httpx.AsyncClient, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    response = await api.get(f"{AS}/sync-jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.text
    return kit.conforms(response.json(), JOB)


async def finished(
    api: httpx.AsyncClient, headers: dict[str, str], job_id: str, seconds: float = 60
) -> dict[str, Any]:
    """Poll the job until it has finished (completed, failed or cancelled)."""
    deadline = time.monotonic() + seconds
    while True:
        job = await job_of(api, headers, job_id)
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)


async def until(
    probe: Callable[[], Any], condition: Callable[[Any], bool], seconds: float = 15
) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = await probe()
        if condition(value):
            return value
        assert time.monotonic() < deadline, value
        await asyncio.sleep(0.2)


async def audience_detail(
    api: httpx.AsyncClient, headers: dict[str, str], audience_id: str
) -> dict[str, Any]:
    response = await api.get(f"{AS}/audiences/{audience_id}", headers=headers)
    assert response.status_code == 200, response.text
    return kit.conforms(response.json(), AUDIENCE_DETAIL)


def user_id_of(headers: dict[str, str]) -> str:
    return str(kit.claims(headers["Authorization"].split(" ", 1)[1])["sub"])
