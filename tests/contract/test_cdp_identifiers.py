"""A person's several emails and phones, through the gateway: Meta's customer-list template
(one person with three emails and two phones) imports as three people, syncs to Meta as
ONE row holding the person's three email hashes (the sandbox's request log) and to Google as
one member; an extra email that changes is sent again and the old one leaves the
platform's member set."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

import cdp_kit as cdp
from cdp_kit import AS, SEGMENTS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "services" / "audience-sync" / "tests" / "fixtures" / "customer_lists"
TRI = ["tri.one@example.com", "tri.two@example.com", "tri.three@example.com"]


def sha(email: str) -> str:
    """Meta's and Google's email key for these plain addresses: trimmed, lowercased, SHA-256."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


async def new_segment(api: httpx.AsyncClient, user: Any, name: str) -> str:
    created = await api.post(SEGMENTS, json={"name": name}, headers=user.headers)
    assert created.status_code == 201, created.text
    segment_id: str = created.json()["id"]
    return segment_id


async def imported(api: httpx.AsyncClient, user: Any, segment_id: str, content: bytes) -> None:
    response = await api.post(
        f"{SEGMENTS}/{segment_id}/profiles/import",
        content=content,
        headers={**user.headers, "content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text


async def logged(sandbox: cdp.Sandbox, platform: str) -> list[dict[str, Any]]:
    response = await sandbox.client.get(f"/_admin/requests/{platform}", params={"limit": 1000})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["requests"]
    return found


async def synced(api: httpx.AsyncClient, user: Any, audience_id: str) -> dict[str, Any]:
    response = await api.post(
        f"{AS}/audiences/{audience_id}/sync", json={"operation": "update"}, headers=user.headers
    )
    assert response.status_code == 202, response.text
    job = await cdp.finished(api, user.headers, response.json()["job_id"])
    assert job["status"] == "completed", job
    return job


async def test_three_emails_are_one_person_one_row_and_a_changed_one_is_replaced(
    api: httpx.AsyncClient, user: Any, sandbox: cdp.Sandbox
) -> None:
    segment_id = await new_segment(api, user, "Template")
    content = (TEMPLATE / "meta_customer_list.csv").read_bytes()
    await imported(api, user, segment_id, content)
    detail = (await api.get(f"{SEGMENTS}/{segment_id}", headers=user.headers)).json()
    assert detail["profile_count"] == 3  # the person with three emails counts once

    meta = await cdp.connect(api, user.headers, "meta")
    body = await cdp.created(api, user.headers, segment_id, "meta", meta.account)
    assert body["initial_sync"]["profiles_sent"] == 3
    audience = body["audience"]
    pid = audience["platform_audience_id"]
    upload = next(r for r in await logged(sandbox, "meta") if r.get("audience_id") == pid)
    emails = [i for i, key in enumerate(upload["schema"]) if key == "EMAIL"]
    expected = {sha(e) for e in TRI}
    rows = [row for row in upload["rows"] if {row[i] for i in emails} & expected]
    assert len(rows) == 1, rows  # ONE row for the person...
    assert {rows[0][i] for i in emails} == expected  # ...holding its three email hashes
    assert expected <= await sandbox.held("meta", pid)

    google = await cdp.connect(api, user.headers, "google")
    gbody = await cdp.created(api, user.headers, segment_id, "google", google.account)
    assert gbody["initial_sync"]["profiles_sent"] == 3
    gpid = gbody["audience"]["platform_audience_id"]
    list_id = cdp.sandbox_id("google", gpid)
    ingest = next(
        r
        for r in await logged(sandbox, "google")
        if r["kind"] == "ingest" and list_id in str(r["destinations"])
    )
    assert ingest["record_count"] == 3 and ingest["unique"] == 3  # one member per person
    assert expected <= await sandbox.held("google", gpid)

    # One extra email changes: the person is sent again, the old hash leaves Meta's members.
    await imported(
        api, user, segment_id, content.replace(b"tri.three@example.com", b"tri.new@example.com")
    )
    job = await synced(api, user, audience["id"])
    assert (job["profiles_sent"], job["profiles_added"], job["profiles_removed"]) == (1, 0, 0)
    held = await sandbox.held("meta", pid)
    assert sha("tri.new@example.com") in held
    assert sha("tri.three@example.com") not in held
    assert {sha("tri.one@example.com"), sha("tri.two@example.com")} <= held
    # Nothing changed since: nothing travels.
    assert (await synced(api, user, audience["id"]))["profiles_sent"] == 0


LDU_SCHEMA = [
    "DATA_PROCESSING_OPTIONS",
    "DATA_PROCESSING_OPTIONS_COUNTRY",
    "DATA_PROCESSING_OPTIONS_STATE",
]


def ldu_cells(upload: dict[str, Any]) -> dict[str, list[Any]]:
    """An upload's Limited Data Use cells, by the row's (first) email hash."""
    at = [upload["schema"].index(k) for k in LDU_SCHEMA]
    email = upload["schema"].index("EMAIL")
    return {row[email]: [row[i] for i in at] for row in upload["rows"]}


async def test_meta_limited_data_use_per_profile_and_per_audience(
    api: httpx.AsyncClient, user: Any, sandbox: cdp.Sandbox
) -> None:
    segment_id = await new_segment(api, user, "LDU")
    await imported(
        api,
        user,
        segment_id,
        b"id,email,data_processing_options,data_processing_options_country,"
        b"data_processing_options_state\n"
        b"l1,ca@example.com,LDU,1,1000\nl2,ny@example.com,,,\n",
    )
    meta = await cdp.connect(api, user.headers, "meta")

    # The profile asks for LDU: its row carries it, the other row does not.
    body = await cdp.created(api, user.headers, segment_id, "meta", meta.account)
    assert body["audience"]["limited_data_use"] is False
    pid = body["audience"]["platform_audience_id"]
    upload = next(r for r in await logged(sandbox, "meta") if r.get("audience_id") == pid)
    cells = ldu_cells(upload)
    assert cells == {sha("ca@example.com"): [["LDU"], 1, 1000], sha("ny@example.com"): [[], "", ""]}

    # The audience asks for it: every row carries it.
    wide = await cdp.created(
        api, user.headers, segment_id, "meta", meta.account, limited_data_use=True
    )
    assert wide["audience"]["limited_data_use"] is True
    wpid = wide["audience"]["platform_audience_id"]
    upload = next(r for r in await logged(sandbox, "meta") if r.get("audience_id") == wpid)
    cells = ldu_cells(upload)
    assert cells == {
        sha("ca@example.com"): [["LDU"], 1, 1000],
        sha("ny@example.com"): [["LDU"], 0, 0],
    }
