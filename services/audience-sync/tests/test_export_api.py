"""Export routes: request, status, signed download (works, 403 when tampered, 410 once
expired or cleaned up), and every error in the spec's envelope."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from adscale_common.messaging import outbox_event
from adscale_common.testing import internal_headers
from adscale_contracts.jobs import JOBS_TOPIC, JobRequested
from audience_sync.export.jobs import cleanup_once, run_export
from audience_sync.export.links import sign
from kit import error_of
from xw_kit import (
    AS,
    KEY,
    PUBLIC_BASE,
    Caller,
    profile_row,
    seed_segment,
    settle_outbox,
    update_row,
)

# Fixtures shared with the other export/webhook modules.

pytestmark = pytest.mark.usefixtures("settle_export_jobs")

EXPORT = f"{AS}/audiences/export"


async def request_export(api: Caller, segment_id: uuid.UUID, **body: object) -> dict[str, object]:
    response = await api.post(EXPORT, json={"segment_id": str(segment_id), **body})
    assert response.status_code == 202, response.text
    created: dict[str, object] = response.json()
    return created


async def test_request_answers_processing_and_queues_an_export_job(caller, xw_sessions):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(i) for i in range(7)])

    response = await caller.post(
        EXPORT,
        json={
            "segment_id": str(segment),
            "format": "csv",
            "options": {
                "include_traits": True,
                "include_events": False,
                "identifier_types": ["email", "phone"],
                "hash_identifiers": True,
            },
        },
    )

    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"export_id", "status", "segment_id", "profile_count"}
    assert body["status"] == "processing"
    assert body["segment_id"] == str(segment)
    assert body["profile_count"] == 7
    async with xw_sessions() as session:
        rows = (
            await session.execute(
                sa.select(outbox_event).where(outbox_event.c.key == body["export_id"])
            )
        ).all()
    assert len(rows) == 1
    assert rows[0].topic == JOBS_TOPIC
    job = JobRequested.model_validate(rows[0].payload["data"])
    assert (job.kind, str(job.job_id), job.user_id) == ("export", body["export_id"], caller.user_id)
    await settle_outbox(xw_sessions, [rows[0].id])

    status = await caller.get(f"{AS}/exports/{body['export_id']}")
    assert status.status_code == 200, status.text
    view = status.json()
    assert view["status"] == "processing"
    assert view["download_url"] is None
    assert view["format"] == "csv"
    assert view["profile_count"] == 7


async def test_completed_export_links_to_a_file_anyone_with_the_link_can_download(
    caller, xw_sessions, xw_settings
):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(i) for i in range(25)])
    export = await request_export(
        caller, segment, format="jsonl", options={"identifier_types": ["email", "external_id"]}
    )
    assert await run_export(
        xw_sessions, uuid.UUID(str(export["export_id"])), settings=xw_settings
    ) == ("completed")

    view = (await caller.get(f"{AS}/exports/{export['export_id']}")).json()
    assert view["status"] == "completed"
    assert view["profile_count"] == 25
    assert view["format"] == "jsonl"
    assert view["expires_at"].endswith("Z")
    assert view["error"] is None
    url = view["download_url"]
    assert url.startswith(f"{PUBLIC_BASE}{AS}/exports/{export['export_id']}/download?")
    path = url.removeprefix(PUBLIC_BASE)

    download = await caller.anonymous_get(path)

    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("application/x-ndjson")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert f"segment-export-{export['export_id']}.jsonl" in download.headers["content-disposition"]
    assert (
        int(download.headers["content-length"]) == view["file_size_bytes"] == len(download.content)
    )
    lines = download.content.splitlines()
    assert len(lines) == 25
    assert set(orjson.loads(lines[0])) == {"email", "external_id"}


async def test_tampered_links_are_403_and_expired_links_410(caller, xw_sessions, xw_settings):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(i) for i in range(3)])
    export = await request_export(caller, segment)
    export_id = uuid.UUID(str(export["export_id"]))
    await run_export(xw_sessions, export_id, settings=xw_settings)
    url = (await caller.get(f"{AS}/exports/{export_id}")).json()["download_url"]
    query = parse_qs(urlsplit(url).query)
    expires, signature = query["expires"][0], query["signature"][0]
    base = f"{AS}/exports/{export_id}/download"

    cases = {
        "wrong signature": f"{base}?expires={expires}&signature={'A' * len(signature)}",
        "later expiry": f"{base}?expires={int(expires) + 3600}&signature={signature}",
        "other export": f"{AS}/exports/{uuid.uuid4()}/download?"
        f"expires={expires}&signature={signature}",
        "no signature": f"{base}?expires={expires}",
        "no expiry": f"{base}?signature={signature}",
        "garbage expiry": f"{base}?expires=soon&signature={signature}",
    }
    for label, path in cases.items():
        response = await caller.anonymous_get(path)
        assert response.status_code == 403, (label, response.text)
        assert error_of(response)["code"] == "INVALID_SIGNATURE", label

    # A correctly signed link whose time has passed.
    past = 1_700_000_000
    good = sign(xw_settings.export_signing_key.get_secret_value(), export_id, past)
    expired = await caller.anonymous_get(f"{base}?expires={past}&signature={good}")
    assert expired.status_code == 410, expired.text
    assert error_of(expired)["code"] == "EXPORT_EXPIRED"

    # The real link still works...
    assert (
        await caller.anonymous_get(f"{base}?expires={expires}&signature={signature}")
    ).status_code == 200


async def test_the_link_answers_410_once_the_export_expired_and_its_file_is_cleaned_up(
    caller, xw_sessions, xw_settings, xw_export_dir
):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(i) for i in range(3)])
    export = await request_export(caller, segment)
    export_id = uuid.UUID(str(export["export_id"]))
    await run_export(xw_sessions, export_id, settings=xw_settings)
    view = (await caller.get(f"{AS}/exports/{export_id}")).json()
    link = view["download_url"].removeprefix(PUBLIC_BASE)
    assert (await caller.anonymous_get(link)).status_code == 200
    file = xw_export_dir / f"{export_id}.csv"
    assert file.is_file()

    # Time passes: the export's expiry is behind us.
    await update_row(
        xw_sessions, "segment_export", export_id, "expires_at = now() - interval '1 second'"
    )
    counts = await cleanup_once(xw_sessions, xw_settings)

    assert counts["files_deleted"] >= 1
    assert not file.exists()
    gone = await caller.anonymous_get(link)
    assert gone.status_code == 410, gone.text
    assert error_of(gone)["code"] == "EXPORT_EXPIRED"
    after = (await caller.get(f"{AS}/exports/{export_id}")).json()
    assert after["status"] == "completed"
    assert after["download_url"] is None


async def test_include_events_is_refused_never_ignored(caller, xw_sessions):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(1)])

    response = await caller.post(
        EXPORT, json={"segment_id": str(segment), "options": {"include_events": True}}
    )

    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["errors"][0]["loc"] == ["body", "options", "include_events"]
    assert "event data is not available" in error["details"]["errors"][0]["msg"]


async def test_invalid_requests_are_422_in_the_envelope(caller, xw_sessions):
    segment = str(await seed_segment(xw_sessions, caller.user_id, [profile_row(1)]))
    bodies = [
        {"segment_id": segment, "format": "xlsx"},
        {"segment_id": segment, "options": {"identifier_types": []}},
        {"segment_id": segment, "options": {"identifier_types": ["email", "ssn"]}},
        {"segment_id": segment, "options": {"platform": "myspace"}},
        {"segment_id": segment, "options": {"unknown": True}},
        {"segment_id": "not-a-uuid"},
        {},
    ]
    for body in bodies:
        response = await caller.post(EXPORT, json=body)
        assert response.status_code == 422, (body, response.text)
        assert error_of(response)["code"] == "VALIDATION_ERROR"


async def test_repeated_identifier_types_are_dropped_before_the_length_check(caller, xw_sessions):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(1)])
    all_ten = [
        "email", "phone", "first_name", "last_name", "city",
        "state", "zip", "country", "madid", "external_id",
    ]  # fmt: skip

    response = await caller.post(
        EXPORT,
        json={"segment_id": str(segment), "options": {"identifier_types": [*all_ten, "email"]}},
    )

    assert response.status_code == 202, response.text
    async with xw_sessions() as session:
        stored = (
            await session.execute(
                sa.text("SELECT options FROM segment_export WHERE id = :id"),
                {"id": response.json()["export_id"]},
            )
        ).scalar_one()
    assert stored["identifier_types"] == all_ten
    eleven = [*all_ten, "ssn"]
    refused = await caller.post(
        EXPORT, json={"segment_id": str(segment), "options": {"identifier_types": eleven}}
    )
    assert refused.status_code == 422, refused.text


async def test_unknown_and_foreign_segments_are_segment_not_found(caller, stranger, xw_sessions):
    theirs = await seed_segment(xw_sessions, stranger.user_id, [profile_row(1)])
    for segment in (uuid.uuid4(), theirs):
        response = await caller.post(EXPORT, json={"segment_id": str(segment)})
        assert response.status_code == 404, response.text
        assert error_of(response)["code"] == "SEGMENT_NOT_FOUND"


async def test_exports_of_other_users_and_unknown_ids_are_404(caller, stranger, xw_sessions):
    segment = await seed_segment(xw_sessions, stranger.user_id, [profile_row(1)])
    export = await request_export(stranger, segment)

    for export_id in (export["export_id"], uuid.uuid4()):
        response = await caller.get(f"{AS}/exports/{export_id}")
        assert response.status_code == 404, response.text
        assert error_of(response)["code"] == "EXPORT_NOT_FOUND"
    bad = await caller.get(f"{AS}/exports/not-a-uuid")
    assert bad.status_code == 400
    assert error_of(bad)["code"] == "INVALID_PATH_PARAMETER"


async def test_routes_need_a_user_except_the_download(xw_client, caller, xw_sessions):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(1)])
    anonymous = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")

    refused = await xw_client.post(EXPORT, json={"segment_id": str(segment)}, headers=anonymous)
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "UNAUTHORIZED"
    status = await xw_client.get(f"{AS}/exports/{uuid.uuid4()}", headers=anonymous)
    assert status.status_code == 401
    no_token = await xw_client.get(f"{AS}/exports/{uuid.uuid4()}/download?expires=1&signature=x")
    assert no_token.status_code == 401


async def test_a_failed_export_reports_its_error(caller, xw_sessions, xw_settings):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(1)])
    export = await request_export(caller, segment)
    export_id = uuid.UUID(str(export["export_id"]))
    async with xw_sessions() as session, session.begin():
        await session.execute(sa.text("DELETE FROM segment WHERE id = :id"), {"id": segment})

    assert await run_export(xw_sessions, export_id, settings=xw_settings) == "failed"

    view = (await caller.get(f"{AS}/exports/{export_id}")).json()
    assert view["status"] == "failed"
    assert view["download_url"] is None
    assert view["error"]["code"] == "SEGMENT_NOT_FOUND"
    assert view["segment_id"] is None


async def test_without_a_signing_key_links_and_webhooks_are_503(
    caller, xw_sessions, xw_settings, xw_unconfigured_app
):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(1)])
    export = await request_export(caller, segment)
    export_id = uuid.UUID(str(export["export_id"]))
    await run_export(xw_sessions, export_id, settings=xw_settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=xw_unconfigured_app), base_url="http://as"
    ) as client:
        misconfigured = Caller(client, caller.user_id)
        status = await misconfigured.get(f"{AS}/exports/{export_id}")
        download = await misconfigured.anonymous_get(
            f"{AS}/exports/{export_id}/download?expires=1&signature=x"
        )
        hook = await misconfigured.post(
            f"{AS}/webhooks",
            json={"url": "http://127.0.0.1:9/", "events": ["audience_sync.failed"]},
        )
    for response in (status, download, hook):
        assert response.status_code == 503, response.text
        assert error_of(response)["code"] == "SERVICE_UNAVAILABLE"
    assert "AUDIENCE_SYNC_ENCRYPTION_KEYS" in error_of(hook)["message"]
