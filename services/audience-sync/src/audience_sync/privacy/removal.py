"""Removing erased people from the platform audiences they were in.

One remove operation per audience for every person of the run (the platform client packs
the rows into its largest requests: Meta 10,000 a request, Google 10,000 members...). The
client makes one attempt per call here (the worker's registry is built with
``max_attempts=1``); the retries are ours, so each attempt and the platform's answer are
written onto the receipt. Retryable answers (rate limits, 5xx, transport errors) are
retried with exponential backoff (or the platform's Retry-After); an audience the platform
no longer has holds nobody (``completed``); any other refusal fails that audience.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from adscale_common.errors import AppError
from adscale_platforms.errors import NotFound, PlatformError, RateLimited
from audience_sync.db import driver_of
from audience_sync.platform.service import load_token
from audience_sync.privacy import store
from audience_sync.privacy.person import decode_json
from audience_sync.privacy.run import ErasureRun
from audience_sync.sync import fields as wire

logger = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_answer(error: BaseException) -> dict[str, Any]:
    if isinstance(error, PlatformError):
        answer: dict[str, Any] = {
            "platform": error.platform,
            "http_status": error.http_status,
            "platform_error_code": error.code,
            "platform_error_subcode": error.subcode,
            "platform_error_message": error.message,
        }
        if isinstance(error, RateLimited):
            answer["retry_after"] = error.retry_after
        return answer
    if isinstance(error, AppError):
        return {"error_code": error.code, "message": error.message}
    return {"error": type(error).__name__}


async def _record(
    eraser: ErasureRun,
    audience_id: uuid.UUID,
    erasure_ids: list[uuid.UUID],
    attempt: int,
    outcome: str,
    answer: dict[str, Any],
    final: str | None,
) -> None:
    entry = {"attempt": attempt, "at": _now(), "outcome": outcome, "platform_answer": answer}
    async with eraser.engine.begin() as conn:
        await store.record_attempt(
            await driver_of(conn), audience_id, erasure_ids, orjson.dumps(entry).decode(), final
        )


def erasure_rows(platform: str, fields: list[str], keys: list[Any]) -> list[tuple[str, ...]]:
    """Only the strong keys travel in a removal (what the platforms key members by), the
    person's extra emails and phones included (the columns of ``wire.wire_fields``)."""
    columns = [[k[f] for k in keys] if f in wire.STRONG_FIELDS else None for f in fields]
    extras = {f: [k[c] for k in keys] for f, c in wire.EXTRA_KEYS.items()}
    rows = wire.wire_rows(platform, fields, columns, len(keys), extras)
    return [r for r in rows if any(r)]


async def remove_all(eraser: ErasureRun, erasure_ids: list[uuid.UUID]) -> None:
    async with eraser.engine.begin() as conn:
        targets = await store.pending_targets(await driver_of(conn), erasure_ids)
    await asyncio.gather(*(remove_from(eraser, t) for t in targets))


async def remove_from(eraser: ErasureRun, target: Any) -> None:
    audience_id: uuid.UUID = target["audience_id"]
    ids: list[uuid.UUID] = list(target["erasure_ids"])
    fields = decode_json(target["identifier_fields"])
    platform: str = target["platform"]
    if fields is None or not target["platform_audience_id"]:
        await _record(
            eraser,
            audience_id,
            ids,
            1,
            "ok",
            {"skipped": "the audience no longer exists"},
            "completed",
        )
        return
    async with eraser.engine.begin() as conn:
        keys = await store.member_keys(await driver_of(conn), audience_id, ids)
    rows = erasure_rows(platform, list(fields), list(keys))
    if not rows:
        await _record(
            eraser, audience_id, ids, 1, "ok", {"skipped": "no key to remove"}, "completed"
        )
        return
    try:
        assert eraser.cipher is not None, "token encryption is not configured"
        token = await load_token(
            eraser.sessionmaker,
            cipher=eraser.cipher,
            registry=eraser.registry,
            user_id=target["user_id"],
            platform=platform,
        )
    except (AppError, AssertionError) as exc:
        await _record(eraser, audience_id, ids, 1, "error", error_answer(exc), "failed")
        return
    client = eraser.registry.client(platform)
    settings = eraser.settings
    for attempt in range(1, settings.erasure_max_attempts + 1):
        try:
            result = await client.members(
                "remove",
                token,
                target["platform_audience_id"],
                wire.wire_fields(platform, fields),
                rows,
            )
        except NotFound as exc:
            answer = {**error_answer(exc), "note": "the platform no longer has the audience"}
            await _record(eraser, audience_id, ids, attempt, "ok", answer, "completed")
            return
        except PlatformError as exc:
            last = attempt == settings.erasure_max_attempts or not exc.retryable
            await _record(
                eraser,
                audience_id,
                ids,
                attempt,
                "error",
                error_answer(exc),
                "failed" if last else None,
            )
            if last:
                return
            wait = settings.erasure_backoff_seconds * 2 ** (attempt - 1)
            if isinstance(exc, RateLimited) and exc.retry_after is not None:
                wait = max(wait, exc.retry_after)
            logger.warning(
                "erasure removal retried",
                extra={"audience_id": str(audience_id), "attempt": attempt, "wait": wait},
            )
            await asyncio.sleep(min(wait, settings.erasure_max_wait_seconds))
            continue
        answer = {
            "rows_sent": len(rows),
            "received": result.received,
            "invalid": result.invalid,
            "requests": result.batches,
        }
        await _record(eraser, audience_id, ids, attempt, "ok", answer, "completed")
        return
