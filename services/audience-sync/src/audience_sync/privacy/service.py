"""Erasure requests, receipts and the suppression list. Flushes, never commits."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.crypto import TokenCipher
from adscale_common.events import Envelope
from adscale_common.outbox import emit
from adscale_contracts.jobs import JOBS_TOPIC, JobRequested
from audience_sync.privacy import repository
from audience_sync.privacy.errors import ErasureNotFound, SuppressionNotFound
from audience_sync.privacy.models import Erasure, ErasureTarget
from audience_sync.privacy.person import decode_json
from audience_sync.privacy.schemas import (
    Attempt,
    Deleted,
    ErasureCreate,
    ErasureRead,
    HashedIdentifier,
    Matched,
    SuppressionLifted,
    TargetRead,
)

logger = logging.getLogger(__name__)

JOB_REQUESTED = "audience_sync.job_requested"
SOURCE = "audience-sync"


def job_envelope(erasure: Erasure) -> Envelope:
    request = JobRequested(kind="erasure", job_id=erasure.id, user_id=erasure.user_id)
    return Envelope(
        type=JOB_REQUESTED,
        source=SOURCE,
        subject=str(erasure.id),
        data=request.model_dump(mode="json"),
    )


async def request_erasure(
    session: AsyncSession, cipher: TokenCipher, user_id: uuid.UUID, body: ErasureCreate
) -> tuple[Erasure, bool]:
    """The erasure for this person: the one already asked for (pending, running, or done
    and still suppressed), or a new one queued for the worker. ``(erasure, created)``."""
    who = body.identifier()
    await repository.lock_key(session, user_id, who.sha256)
    earlier = await repository.latest_for_key(session, user_id, who.kind, who.sha256)
    if earlier is not None and (
        earlier.status in ("pending", "running")
        or (
            earlier.status == "completed"
            and await repository.is_suppressed(session, user_id, who.sha256)
        )
    ):
        return earlier, False
    erasure = Erasure(
        user_id=user_id,
        kind=who.kind,
        key_hash=who.sha256,
        subject_encrypted=cipher.encrypt(who.value),
        reason=body.reason,
        identifier_hashes=[],
    )
    session.add(erasure)
    await session.flush()
    await emit(session, job_envelope(erasure), topic=JOBS_TOPIC)
    logger.info("erasure requested", extra={"erasure_id": str(erasure.id), "kind": who.kind})
    return erasure, True


async def get_owned(session: AsyncSession, user_id: uuid.UUID, erasure_id: uuid.UUID) -> Erasure:
    erasure = await repository.get_owned(session, user_id, erasure_id)
    if erasure is None:
        raise ErasureNotFound(details={"erasure_id": str(erasure_id)})
    return erasure


def target_read(t: ErasureTarget) -> TargetRead:
    answers = [Attempt.model_validate(a) for a in decode_json(t.answers) or []]
    return TargetRead(
        audience_id=t.audience_id,
        platform=t.platform,
        platform_audience_id=t.platform_audience_id,
        audience_name=t.audience_name,
        profiles=t.profiles,
        status=t.status,  # type: ignore[arg-type]
        attempts=t.attempts,
        retries=max(t.attempts - 1, 0),
        answers=answers,
        completed_at=t.completed_at,
    )


def to_read(erasure: Erasure, targets: list[ErasureTarget]) -> ErasureRead:
    hashes = decode_json(erasure.identifier_hashes) or []
    planned = erasure.planned_at is not None
    return ErasureRead(
        erasure_id=erasure.id,
        status=erasure.status,  # type: ignore[arg-type]
        failure_reason=erasure.failure_reason,
        reason=erasure.reason,
        requested=HashedIdentifier(kind=erasure.kind, sha256=erasure.key_hash),  # type: ignore[arg-type]
        requested_at=erasure.created_at,
        started_at=erasure.started_at,
        completed_at=erasure.completed_at,
        nothing_matched=planned and erasure.profiles_matched == 0,
        matched=Matched(
            profiles=erasure.profiles_matched,
            segments=erasure.segments_matched,
            identifiers=[HashedIdentifier.model_validate(h) for h in hashes],
        ),
        deleted=Deleted(
            profiles=erasure.profiles_deleted,
            digests=erasure.digests_deleted,
            audience_members=erasure.members_deleted,
            exports_revoked=erasure.exports_revoked,
        ),
        audiences=[target_read(t) for t in targets],
    )


async def receipt(session: AsyncSession, erasure: Erasure) -> ErasureRead:
    targets = await repository.targets_of(session, [erasure.id])
    return to_read(erasure, targets[erasure.id])


async def receipts(session: AsyncSession, erasures: list[Erasure]) -> list[ErasureRead]:
    targets = await repository.targets_of(session, [e.id for e in erasures])
    return [to_read(e, targets[e.id]) for e in erasures]


async def lift_suppression(
    session: AsyncSession, user_id: uuid.UUID, hash_: str
) -> SuppressionLifted:
    key = hash_.strip().lower()
    kind = await repository.delete_suppression(session, user_id, key)
    if kind is None:
        raise SuppressionNotFound(details={"hash": key})
    logger.warning("suppression lifted", extra={"user_id": str(user_id), "hash": key, "kind": kind})
    return SuppressionLifted(lifted=True, hash=key, kind=kind)
