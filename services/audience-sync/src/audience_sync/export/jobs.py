"""Export work in the worker: :func:`run_export` for ``JobRequested(kind="export")`` and
:func:`cleanup_expired_exports`, the periodic task that deletes expired files and hands
exports whose worker stopped to a new run.

An export runs once at a time: :func:`run_export` claims it with a lease (extended while it
streams), so a redelivered job message for an export that is running or finished does
nothing. The file is written to ``<export_dir>/<id>.<format>.tmp-<token>`` and renamed
into place only when complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from concurrent.futures import Executor
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.outbox import emit
from adscale_common.worker import WorkerContext, repeat
from adscale_contracts.jobs import JOBS_TOPIC, job_envelope
from audience_sync.export import repository
from audience_sync.export.models import SegmentExport
from audience_sync.export.writer import (
    RenderSpec,
    TraitsMode,
    render_executor,
    trait_keys,
    write_segment,
)
from audience_sync.export_webhook_settings import ExportWebhookSettings, require_settings
from audience_sync.metrics import counted_export

logger = logging.getLogger(__name__)

SessionFactory = async_sessionmaker[AsyncSession]


async def _raw(session: AsyncSession) -> Any:
    """The asyncpg connection under the session, inside its (already started) transaction."""
    connection = await session.connection()
    await connection.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    raw = await connection.get_raw_connection()
    return raw.driver_connection


def _spec(export: SegmentExport, keys: list[str] | None, max_trait_columns: int) -> RenderSpec:
    options = export.options
    traits: TraitsMode = "none"
    if options.get("include_traits"):
        if export.format == "jsonl":
            traits = "json"
        elif keys is not None and len(keys) <= max_trait_columns:
            traits = "columns"
        else:
            traits = "json"
    return RenderSpec(
        format="jsonl" if export.format == "jsonl" else "csv",
        fields=tuple(options.get("identifier_types") or ()),
        hash_platform=(options.get("platform") or "meta")
        if options.get("hash_identifiers", True)
        else None,
        traits=traits,
        trait_keys=tuple(keys or ()) if traits == "columns" else (),
    )


@counted_export
async def run_export(
    session_factory: SessionFactory,
    job_id: uuid.UUID,
    *,
    settings: ExportWebhookSettings | None = None,
    executor: Executor | None = None,
) -> str:
    """Build the export ``job_id`` if it is waiting (or its previous run died).

    Returns the outcome: ``completed``, ``failed`` or ``skipped`` (finished, running
    elsewhere or unknown). A failure of the export itself is recorded on the export and not
    raised; only infrastructure errors (database gone) propagate, and the lease then lets a
    later run take over.
    """
    settings = settings or ExportWebhookSettings()
    token = uuid.uuid4()
    async with session_factory() as session, session.begin():
        export = await repository.claim(session, job_id, token, settings.export_lease_seconds)
    if export is None:
        logger.info("export not claimable; skipped", extra={"export_id": str(job_id)})
        return "skipped"
    if export.segment_id is None:
        async with session_factory() as session, session.begin():
            await repository.fail(
                session, job_id, code="SEGMENT_NOT_FOUND", message="Source segment was deleted"
            )
        return "failed"

    directory = Path(settings.export_dir)
    final_name = f"{export.id}.{export.format}"
    temp = directory / f"{final_name}.tmp-{token.hex[:12]}"
    if executor is None:
        executor = render_executor(settings.export_processes)
    started = time.monotonic()
    last_beat = started

    async def heartbeat(rows: int) -> None:
        nonlocal last_beat
        now = time.monotonic()
        if now - last_beat < settings.export_lease_seconds / 3:
            return
        last_beat = now
        async with session_factory() as beat, beat.begin():
            if not await repository.extend_lease(
                beat, job_id, token, settings.export_lease_seconds
            ):
                raise LeaseLost()

    try:
        await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
        async with session_factory() as session, session.begin():
            conn = await _raw(session)
            keys: list[str] | None = None
            if export.options.get("include_traits") and export.format == "csv":
                keys = await trait_keys(conn, export.segment_id, settings.export_max_trait_columns)
            spec = _spec(export, keys, settings.export_max_trait_columns)
            result = await write_segment(
                conn,
                spec=spec,
                segment_id=export.segment_id,
                path=temp,
                chunk_rows=settings.export_chunk_rows,
                executor=executor,
                parallelism=max(1, settings.export_processes),
                progress=heartbeat,
            )
        await asyncio.to_thread(temp.replace, directory / final_name)
    except LeaseLost:
        await _remove(temp)
        logger.warning("export lease lost; another run owns it", extra={"export_id": str(job_id)})
        return "skipped"
    except (
        asyncio.CancelledError,
        OSError,
        sa.exc.DBAPIError,
        sa.exc.InterfaceError,
        asyncpg.InterfaceError,
        asyncpg.PostgresConnectionError,
    ) as exc:
        # Worker stopping, disk or database trouble: leave the export running; its lease
        # lapses and the cleanup task hands it to another run (or fails it after
        # ``export_max_attempts``). A full disk is an OSError too: it gets the same retries.
        await _remove(temp)
        logger.warning(
            "export interrupted", extra={"export_id": str(job_id), "error": type(exc).__name__}
        )
        raise
    except Exception as exc:
        await _remove(temp)
        logger.exception("export failed", extra={"export_id": str(job_id)})
        async with session_factory() as session, session.begin():
            await repository.fail(
                session,
                job_id,
                token=token,
                code="EXPORT_FAILED",
                message=f"The export could not be built ({type(exc).__name__})",
            )
        return "failed"

    async with session_factory() as session, session.begin():
        done = await repository.complete(
            session,
            job_id,
            token,
            file_name=final_name,
            size=result.size_bytes,
            rows=result.rows,
            ttl_seconds=settings.export_link_ttl_seconds,
        )
    elapsed = time.monotonic() - started
    logger.info(
        "export completed" if done else "export finished after its lease was taken over",
        extra={
            "export_id": str(job_id),
            "rows": result.rows,
            "bytes": result.size_bytes,
            "seconds": round(elapsed, 3),
        },
    )
    return "completed" if done else "skipped"


class LeaseLost(Exception):
    """Another run took the export over (this one was presumed dead)."""


async def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        await asyncio.to_thread(path.unlink)


# --------------------------------------------------------------------------- cleanup


async def cleanup_once(
    session_factory: SessionFactory, settings: ExportWebhookSettings
) -> dict[str, int]:
    """One pass: delete expired files, requeue (or fail) stranded exports, fail exports that
    never found a worker, remove temporary files left by crashed runs."""
    directory = Path(settings.export_dir)
    counts = {"files_deleted": 0, "requeued": 0, "failed": 0, "temp_removed": 0}
    while True:
        async with session_factory() as session, session.begin():
            expired = await repository.expired_files(session, 500)
            for export in expired:
                if export.file_name:
                    await _remove(directory / export.file_name)
            if expired:
                await repository.mark_file_deleted(session, [e.id for e in expired])
        counts["files_deleted"] += len(expired)
        if len(expired) < 500:
            break

    async with session_factory() as session, session.begin():
        for export in await repository.stranded(session, 100):
            if export.attempts >= settings.export_max_attempts:
                await repository.fail(
                    session,
                    export.id,
                    code="EXPORT_FAILED",
                    message="The export was interrupted too many times",
                )
                counts["failed"] += 1
            else:
                await repository.requeue(session, export.id)
                await emit(
                    session, job_envelope("export", export.id, export.user_id), topic=JOBS_TOPIC
                )
                counts["requeued"] += 1
        counts["failed"] += await repository.fail_waiting_since(
            session,
            timedelta(seconds=settings.export_pending_timeout_seconds),
            code="EXPORT_TIMEOUT",
            message="No worker picked the export up in time",
        )

    def sweep_temp() -> int:
        if not directory.is_dir():
            return 0
        removed = 0
        cutoff = time.time() - max(settings.export_lease_seconds * 4, 3600)
        for path in directory.glob("*.tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed

    counts["temp_removed"] = await asyncio.to_thread(sweep_temp)
    return counts


async def cleanup_expired_exports(ctx: WorkerContext) -> None:
    """Worker task: :func:`cleanup_once` every ``export_cleanup_interval_seconds``."""
    settings = require_settings(ctx.settings)

    async def tick() -> None:
        counts = await cleanup_once(ctx.sessionmaker, settings)
        if any(counts.values()):
            logger.info("export cleanup", extra=counts)

    await repeat(
        ctx, settings.export_cleanup_interval_seconds, tick, failed="export cleanup failed"
    )
