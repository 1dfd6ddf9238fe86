"""What an export file holds: hashes equal ``hash_identifier`` of the source values (csv and
jsonl, chunk boundaries, the process pool), raw values, traits, other platforms' rules; and
how runs behave: one at a time, taken over when a worker dies, failed when hopeless."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

import xw_kit as xw
from adscale_common.metrics import exposition
from adscale_common.metrics_testing import metric_value
from adscale_contracts.platforms import IDENTIFIER_FIELDS
from adscale_platforms.identifiers import hash_identifier
from audience_sync.export.jobs import cleanup_once, run_export
from audience_sync.export.models import SegmentExport
from audience_sync.export.writer import render_executor
from xw_kit import AS, Caller, profile_row, seed_segment

pytestmark = pytest.mark.usefixtures("settle_export_jobs")

FIELDS = list(IDENTIFIER_FIELDS)


def sources(count: int) -> list[dict[str, Any]]:
    rows = [profile_row(i) for i in range(count)]
    # Gaps and values no rule accepts: empty cells, never a hash of garbage.
    rows[1].update(email=None, phone="12", country="Atlantis", madid="not-a-uuid")
    rows[2].update(first_name="  ", zip=None, traits=None)
    rows[4].update(email="Ünïcødé.User@Exämple.org", city="São Paulo", traits={"tier": 3})
    return rows


@pytest.fixture
def segment_of(caller, xw_sessions):
    """Seed a segment of ``caller`` holding ``profiles``; its id."""

    async def seed(profiles: list[dict[str, Any]]) -> uuid.UUID:
        return await seed_segment(xw_sessions, caller.user_id, profiles)

    return seed


@pytest.fixture
def export_file(caller, xw_sessions, xw_settings):
    """Export ``segment`` as ``caller`` (``body`` is the request's), run the job with
    ``settings`` (the service's by default); the export's view and the downloaded file."""

    async def export(
        segment: uuid.UUID, *, settings: Any = None, **body: Any
    ) -> tuple[dict[str, Any], bytes]:
        response = await caller.post(
            f"{AS}/audiences/export", json={"segment_id": str(segment), **body}
        )
        assert response.status_code == 202, response.text
        export_id = uuid.UUID(response.json()["export_id"])
        runs = metric_value(
            exposition()[0].decode(), "adscale_export_jobs_total", status="completed"
        )
        done = await run_export(xw_sessions, export_id, settings=settings or xw_settings)
        assert done == "completed"
        after = exposition()[0].decode()
        assert metric_value(after, "adscale_export_jobs_total", status="completed") == runs + 1
        assert metric_value(after, "adscale_export_duration_seconds_count") >= 1
        view = (await caller.get(f"{AS}/exports/{export_id}")).json()
        download = await caller.anonymous_get(view["download_url"].removeprefix(xw.PUBLIC_BASE))
        assert download.status_code == 200, download.text
        return view, download.content

    return export


def expected(platform: str, field: str, value: str | None) -> str:
    if value is None:
        return ""
    return hash_identifier(platform, field, value) or ""


async def test_every_hash_in_a_csv_equals_hash_identifier_meta_of_the_source(
    segment_of, export_file
):
    profiles = sources(2_345)  # several cursor chunks of 1,000
    segment = await segment_of(profiles)

    view, content = await export_file(
        segment,
        format="csv",
        options={"identifier_types": FIELDS, "hash_identifiers": True},
    )

    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert view["profile_count"] == len(rows) == len(profiles)
    assert view["file_size_bytes"] == len(content)
    by_id = {p["external_id"]: p for p in profiles}
    seen = set()
    for row in rows:
        assert list(row) == FIELDS
        source = by_id[row["external_id"]]
        seen.add(row["external_id"])
        for field in FIELDS:
            assert row[field] == expected("meta", field, source[field]), (field, source[field])
    assert seen == set(by_id)
    # Sanity: real hashes, blanks where nothing valid was there.
    assert len(rows[0]["email"]) == 64
    odd = next(r for r in rows if r["external_id"] == profiles[1]["external_id"])
    assert odd["email"] == odd["phone"] == odd["country"] == odd["madid"] == ""


async def test_every_hash_in_a_jsonl_file_matches_too_with_the_process_pool(
    xw_settings, segment_of, export_file
):
    profiles = sources(3_001)
    segment = await segment_of(profiles)
    pooled = xw_settings.model_copy(update={"export_processes": 2, "export_chunk_rows": 500})
    _, content = await export_file(
        segment,
        settings=pooled,
        format="jsonl",
        options={"identifier_types": ["email", "phone", "madid", "zip"]},
    )
    lines = [orjson.loads(line) for line in content.splitlines()]
    assert len(lines) == len(profiles)
    by_order = sorted(profiles, key=lambda p: p["external_id"])
    for line, source in zip(lines, by_order, strict=True):
        assert list(line) == ["email", "phone", "madid", "zip"]
        for field, value in line.items():
            assert (value or "") == expected("meta", field, source[field]), field


async def test_options_platform_switches_to_that_platforms_rules(segment_of, export_file):
    profiles = sources(50)
    segment = await segment_of(profiles)

    _, content = await export_file(
        segment,
        options={"identifier_types": ["email", "phone", "zip", "city"], "platform": "google"},
    )

    rows = list(csv.DictReader(io.StringIO(content.decode())))
    for row, source in zip(rows, sorted(profiles, key=lambda p: p["external_id"]), strict=True):
        for field in ("email", "phone", "zip", "city"):
            assert row[field] == expected("google", field, source[field])
    assert rows[0]["phone"] != hash_identifier("meta", "phone", profiles[0]["phone"])
    assert all(row["city"] == "" for row in rows)  # Google takes no city


async def test_without_hashing_the_stored_values_are_written_verbatim(segment_of, export_file):
    profiles = sources(20)
    segment = await segment_of(profiles)

    _, content = await export_file(
        segment,
        format="jsonl",
        options={"identifier_types": ["external_id", "email", "phone"], "hash_identifiers": False},
    )

    lines = [orjson.loads(line) for line in content.splitlines()]
    by_id = {p["external_id"]: p for p in profiles}
    for line in lines:
        source = by_id[line["external_id"]]
        assert line == {k: source[k] for k in ("external_id", "email", "phone")}


async def test_csv_traits_get_one_column_per_key_and_jsonl_an_object(segment_of, export_file):
    profiles = sources(30)
    segment = await segment_of(profiles)
    by_id = {p["external_id"]: p for p in profiles}

    _, content = await export_file(
        segment,
        options={"identifier_types": ["external_id"], "include_traits": True},
    )
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert list(rows[0]) == ["external_id", "trait_ltv", "trait_tags", "trait_tier"]
    for row in rows:
        traits = by_id[row["external_id"]]["traits"] or {}
        for key in ("ltv", "tags", "tier"):
            cell = row[f"trait_{key}"]
            if key not in traits:
                assert cell == ""
            elif isinstance(traits[key], str):
                assert cell == traits[key]  # strings bare
            else:
                assert orjson.loads(cell) == traits[key]  # anything else as JSON text

    _, content = await export_file(
        segment,
        format="jsonl",
        options={"identifier_types": ["external_id"], "include_traits": True},
    )
    for line in content.splitlines():
        parsed = orjson.loads(line)
        assert parsed["traits"] == by_id[parsed["external_id"]]["traits"]


async def test_csv_with_more_trait_keys_than_the_limit_gets_one_json_column(
    caller, xw_sessions, xw_settings, segment_of
):
    profiles = [profile_row(i, traits={f"k{i}": i, "shared": "x,y"}) for i in range(5)]
    segment = await segment_of(profiles)
    narrow = xw_settings.model_copy(update={"export_max_trait_columns": 3})
    response = await caller.post(
        f"{AS}/audiences/export",
        json={
            "segment_id": str(segment),
            "options": {"identifier_types": ["external_id"], "include_traits": True},
        },
    )
    export_id = uuid.UUID(response.json()["export_id"])
    assert await run_export(xw_sessions, export_id, settings=narrow) == "completed"

    rows = list(csv.DictReader(io.StringIO((narrow.export_dir / f"{export_id}.csv").read_text())))
    assert list(rows[0]) == ["external_id", "traits"]
    assert [orjson.loads(r["traits"]) for r in rows] == [p["traits"] for p in profiles]


async def test_an_empty_segment_gives_a_header_only_file(segment_of, export_file):
    segment = await segment_of([])
    view, content = await export_file(segment, options={"identifier_types": ["email"]})
    assert content == b"email\n"
    assert view["profile_count"] == 0


async def _new_export(api: Caller, sessions: Any, count: int = 10) -> uuid.UUID:
    segment = await seed_segment(sessions, api.user_id, [profile_row(i) for i in range(count)])
    response = await api.post(f"{AS}/audiences/export", json={"segment_id": str(segment)})
    return uuid.UUID(response.json()["export_id"])


async def _state(sessions: Any, export_id: uuid.UUID) -> SegmentExport:
    async with sessions() as session:
        export = await session.get(SegmentExport, export_id)
        assert export is not None
        return export


async def test_a_redelivered_job_does_not_run_a_finished_or_running_export_again(
    caller, xw_sessions, xw_settings
):
    export_id = await _new_export(caller, xw_sessions)
    assert await run_export(xw_sessions, export_id, settings=xw_settings) == "completed"
    assert await run_export(xw_sessions, export_id, settings=xw_settings) == "skipped"
    assert await run_export(xw_sessions, uuid.uuid4(), settings=xw_settings) == "skipped"

    running = await _new_export(caller, xw_sessions)
    await xw.update_row(
        xw_sessions,
        "segment_export",
        running,
        "status = 'running', attempts = 1, lease_expires_at = now() + interval '5 minutes'",
    )
    assert await run_export(xw_sessions, running, settings=xw_settings) == "skipped"
    assert (await _state(xw_sessions, running)).status == "running"


async def test_an_export_whose_worker_died_is_requeued_then_failed_after_max_attempts(
    caller, xw_sessions, xw_settings
):
    export_id = await _new_export(caller, xw_sessions)

    async def die() -> None:
        await xw.update_row(
            xw_sessions,
            "segment_export",
            export_id,
            "status = 'running', attempts = attempts + 1, "
            "lease_expires_at = now() - interval '1 second'",
        )

    await die()
    counts = await cleanup_once(xw_sessions, xw_settings)
    assert counts["requeued"] >= 1
    assert (await _state(xw_sessions, export_id)).status == "pending"
    async with xw_sessions() as session:
        queued = (
            await session.execute(
                sa.text(
                    "SELECT count(*) FROM outbox_event "
                    "WHERE key = :id AND topic = 'audience_sync.jobs'"
                ),
                {"id": str(export_id)},
            )
        ).scalar_one()
    assert queued == 2  # the request's job message and the requeue's

    # A lapsed lease also lets the next job message take it over directly.
    await die()
    assert await run_export(xw_sessions, export_id, settings=xw_settings) == "completed"

    hopeless = await _new_export(caller, xw_sessions)
    export_id = hopeless
    for _ in range(xw_settings.export_max_attempts):
        await die()
    await cleanup_once(xw_sessions, xw_settings)
    state = await _state(xw_sessions, hopeless)
    assert (state.status, state.error_code) == ("failed", "EXPORT_FAILED")


async def test_an_export_no_worker_picked_up_times_out(caller, xw_sessions, xw_settings):
    export_id = await _new_export(caller, xw_sessions)
    await xw.update_row(
        xw_sessions, "segment_export", export_id, "created_at = now() - interval '7 hours'"
    )
    await cleanup_once(xw_sessions, xw_settings)
    state = await _state(xw_sessions, export_id)
    assert (state.status, state.error_code) == ("failed", "EXPORT_TIMEOUT")


async def test_cleanup_removes_temp_files_left_by_crashed_runs(xw_sessions, xw_settings):
    stale = xw_settings.export_dir / f"{uuid.uuid4()}.csv.tmp-deadbeef0000"
    fresh = xw_settings.export_dir / f"{uuid.uuid4()}.csv.tmp-deadbeef0001"
    for path in (stale, fresh):
        path.write_bytes(b"partial")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))

    counts = await cleanup_once(xw_sessions, xw_settings)

    assert counts["temp_removed"] >= 1
    assert not stale.exists()
    assert fresh.exists()
    fresh.unlink()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_no_temporary_file_is_left_behind(fmt, caller, xw_sessions, xw_settings):
    segment = await seed_segment(xw_sessions, caller.user_id, [profile_row(i) for i in range(5)])
    response = await caller.post(
        f"{AS}/audiences/export", json={"segment_id": str(segment), "format": fmt}
    )
    export_id = response.json()["export_id"]
    await run_export(xw_sessions, uuid.UUID(export_id), settings=xw_settings)
    names = [p.name for p in xw_settings.export_dir.iterdir() if p.name.startswith(export_id)]
    assert names == [f"{export_id}.{fmt}"]


async def test_a_process_pool_whose_worker_died_is_replaced():
    from concurrent.futures.process import BrokenProcessPool

    from audience_sync.export.writer import RenderSpec, render_chunk

    loop = asyncio.get_running_loop()
    pool = render_executor(1)
    with pytest.raises(BrokenProcessPool):
        await loop.run_in_executor(pool, os._exit, 1)

    fresh = render_executor(1)
    assert fresh is not pool
    spec = RenderSpec(format="csv", fields=("email",), hash_platform="meta")
    out = await loop.run_in_executor(fresh, render_chunk, spec, [["A@B.co"]], [])
    assert out.decode() == hash_identifier("meta", "email", "A@B.co") + "\n"
