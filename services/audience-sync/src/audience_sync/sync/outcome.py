"""The end of a job: size and match rate read back from the platform, the job completed or
failed, the audience updated, and ``audience_sync.completed`` / ``audience_sync.failed``
emitted through the outbox in the same transaction as the job's final state.

Every count is of profiles. Profiles of the segment with no usable identifier for the
platform are failed, with a reason per sample (never a value); profiles with an
identifier the platform's normalizer refused are counted in ``profiles_invalid``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import orjson

from adscale_common.outbox import emit
from adscale_contracts.events import SyncCompleted, SyncFailed, build
from adscale_platforms.errors import PlatformError, TokenExpired
from adscale_platforms.models import AudienceInfo
from audience_sync.db import driver, driver_of, unit_of_work
from audience_sync.platforms import describe
from audience_sync.sync import members as member_table
from audience_sync.sync import repository
from audience_sync.sync.context import Job, JobLost, Run, Services
from audience_sync.sync.fields import EXTRA_SLOTS, INVALID_BITS, invalid_mask
from audience_sync.sync.planner import refresh_statistics, usable_sql

logger = logging.getLogger(__name__)

SOURCE = "audience-sync"
MAX_INVALID_SAMPLES = 10


@dataclass
class Readback:
    size: int | None = None
    match_rate: float | None = None
    status: str | None = None
    processing: bool = False
    raw_status: str | None = None
    error: str | None = None


async def readback(run: Run) -> Readback:
    """The platform's size and match rate, waiting while it says it is processing."""
    settings = run.services.settings
    deadline = time.monotonic() + settings.readback_timeout_seconds
    while True:
        try:
            info = await run.client.get_audience(run.token, run.target.platform_audience_id)
        except PlatformError as exc:
            if isinstance(exc, TokenExpired):
                raise
            return Readback(error=describe(exc))
        result = readback_of(run.target.platform, info)
        if not result.processing or time.monotonic() >= deadline:
            return result
        await asyncio.sleep(settings.readback_poll_seconds)


def readback_of(platform: str, info: AudienceInfo) -> Readback:
    raw = info.raw or {}
    size = info.size
    processing = False
    raw_status = info.status
    if platform == "meta":
        lower = raw.get("approximate_count_lower_bound")
        upper = raw.get("approximate_count_upper_bound")
        if isinstance(lower, int | float) and isinstance(upper, int | float) and upper >= 0:
            size = round((lower + upper) / 2)
        operation = raw.get("operation_status")
        if isinstance(operation, dict):
            processing = operation.get("code") == 300
            raw_status = str(operation.get("description") or operation.get("code"))
    elif platform == "snapchat":
        processing = str(raw.get("upload_status", "")).upper() == "PROCESSING"
    elif platform == "tiktok":
        processing = raw.get("is_valid") is False
    rate = info.match_rate * 100 if info.match_rate is not None else None
    return Readback(
        size=size,
        match_rate=rate,
        status=info.status,
        processing=processing,
        raw_status=raw_status,
    )


def match_rate_of(readback: Readback, members: int) -> float | None:
    """Matched profiles / profiles the audience holds, in percent with one decimal: the
    platform's own figure when it gives one, else its matched size over our members."""
    rate = readback.match_rate
    if rate is None and readback.size is not None and members:
        rate = min(100.0, readback.size * 100.0 / members)
    return round(rate, 1) if rate is not None else None


async def gather(run: Run) -> tuple[Readback, Refused]:
    """The platform's readback and the segment's refused profiles, side by side: the count
    (a scan of the segment's digests) runs while the readback waits for the platform to
    finish processing the job's uploads. After a first send, the member and digest tables'
    statistics are refreshed in that wait too (the next update's plan needs them, and
    autovacuum would get to them only later)."""

    async def refused() -> Refused:
        async with run.services.engine.connect() as conn:
            try:
                return await _refused_profiles(await driver_of(conn), run)
            finally:
                await conn.rollback()

    async def statistics() -> None:
        if not run.bulk_rows:
            return
        async with run.services.engine.begin() as conn:
            tables = ("audience_member", "profile_digest")
            await refresh_statistics(await driver_of(conn), tables, run.bulk_rows)

    back, counted, _ = await asyncio.gather(readback(run), refused(), statistics())
    return back, counted


async def complete(run: Run, back: Readback, refused: Refused) -> str:
    services, target, job = run.services, run.target, run.job
    async with unit_of_work(services.sessionmaker) as session:
        apg = await driver(session)
        members = await member_table.member_count(apg, target.id)
        match_rate = match_rate_of(back, members)
        response: dict[str, Any] = {
            "audience_id": target.platform_audience_id,
            "audience_size": back.size,
            "status": "processing" if back.processing else "ready",
            "platform_status": back.raw_status,
            "members_uploaded": members,
        }
        if back.error:
            response["status"] = "unknown"
            response["read_error"] = back.error
        counts = {"sent": run.field_counts(), "invalid": refused.per_field}
        if run.counters.dropped:
            run.notes.append(
                f"{run.counters.dropped} extra emails/phones beyond the "
                f"{EXTRA_SLOTS[target.platform]} per person {target.platform} takes were not sent"
            )
        row = await repository.complete_job(
            apg,
            job.id,
            services.owner,
            match_rate=match_rate,
            response=_json(response),
            invalid=refused.invalid,
            samples=_json(_merge(refused.invalid_samples, refused.unusable_samples)),
            failed=refused.unusable,
            counts=_json(counts),
            notes="; ".join(run.notes) or None,
        )
        if row is None:
            raise JobLost()
        await repository.audience_synced(apg, target.id, "completed", back.size, match_rate)
        await emit(
            session,
            build(
                SyncCompleted(
                    job_id=job.id,
                    audience_id=target.id,
                    user_id=job.user_id,
                    platform=job.platform,  # type: ignore[arg-type]
                    operation=row["operation"],
                    profiles_sent=int(row["profiles_sent"]),
                    profiles_added=int(row["profiles_added"]),
                    profiles_removed=int(row["profiles_removed"]),
                    profiles_failed=int(row["profiles_failed"]),
                    match_rate=match_rate,
                    duration_ms=int(row["duration_ms"] or 0),
                ),
                source=SOURCE,
            ),
        )
    return "completed"


async def fail(
    services: Services, job: Job, code: str, message: str, error: BaseException | None
) -> str | None:
    response: dict[str, Any] | None = None
    if isinstance(error, PlatformError):
        response = {
            "error": {
                "platform": error.platform,
                "platform_error_code": error.code,
                "platform_error_subcode": error.subcode,
                "platform_error_message": error.message,
            }
        }
    text = message[:2000]
    try:
        async with unit_of_work(services.sessionmaker) as session:
            apg = await driver(session)
            body = _json(response) if response is not None else None
            if not await repository.fail_job(apg, job.id, services.owner, code, text, body):
                return None
            await repository.audience_synced(apg, job.audience_id, "failed", None, None)
            await emit(
                session,
                build(
                    SyncFailed(
                        job_id=job.id,
                        audience_id=job.audience_id,
                        user_id=job.user_id,
                        platform=job.platform,  # type: ignore[arg-type]
                        error_code=code,
                        error_message=text,
                    ),
                    source=SOURCE,
                ),
            )
    except Exception:
        logger.exception("could not record the job failure", extra={"job_id": str(job.id)})
        return None
    logger.warning(
        "sync job failed", extra={"job_id": str(job.id), "error_code": code, "error": text[:300]}
    )
    return "failed"


@dataclass
class Refused:
    """The segment's profiles the platform cannot take whole: ``invalid`` have an
    identifier its normalizer refused (``per_field`` counts them by field), ``unusable``
    have no identifier it can match on (failed, never sent); a few samples of each
    (external id and reason, never a value)."""

    invalid: int
    invalid_samples: list[dict[str, Any]]
    per_field: dict[str, int]
    unusable: int
    unusable_samples: list[dict[str, Any]]


async def _refused_profiles(apg: Any, run: Run) -> Refused:
    """:class:`Refused`, counted in one scan of the digests (samples read only when there
    is something to show)."""
    target = run.target
    fields = target.fields
    invalid_if = f"d.invalid & {invalid_mask(fields)} <> 0"
    unusable_if = f"NOT {usable_sql(target.platform, target.fields)}"
    invalid, unusable, *by_field = await repository.digest_counts(
        apg,
        target.segment_id,
        target.platform,
        [invalid_if, unusable_if, *(f"d.invalid & {INVALID_BITS[n]} <> 0" for n in fields)],
    )

    async def samples(condition: str, count: int) -> list[Any]:
        if not count:
            return []
        return await repository.digest_samples(
            apg, target.segment_id, target.platform, condition, MAX_INVALID_SAMPLES
        )

    unusable_samples = []
    for row in await samples(unusable_if, unusable):
        reason = f"no usable identifier for {target.platform}"
        if row["invalid"] & invalid_mask(fields):
            reason += f" ({_refused(fields, row['invalid'])})"
        unusable_samples.append({"external_id": row["external_id"], "reason": reason})
    return Refused(
        invalid=invalid,
        invalid_samples=[
            {"external_id": row["external_id"], "reason": _refused(fields, row["invalid"])}
            for row in await samples(invalid_if, invalid)
        ],
        per_field=dict(zip(fields, by_field, strict=True)),
        unusable=unusable,
        unusable_samples=unusable_samples,
    )


def _merge(*lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One sample per profile (the later lists' reasons win), in external id order."""
    merged: dict[str, dict[str, Any]] = {}
    for samples in lists:
        merged.update({s["external_id"]: s for s in samples})
    return [merged[k] for k in sorted(merged)][:MAX_INVALID_SAMPLES]


def _refused(fields: list[str], mask: int) -> str:
    return ", ".join(f"{n} cannot be normalized" for n in fields if mask & INVALID_BITS[n])


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
