"""Erasure requests, receipts and the suppression list. Flushes, never commits."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.crypto import TokenCipher
from adscale_common.outbox import emit, emit_many
from adscale_contracts.jobs import JOBS_TOPIC, job_envelope
from audience_sync.privacy import repository
from audience_sync.privacy.errors import SuppressionNotFound
from audience_sync.privacy.models import Erasure, ErasureTarget
from audience_sync.privacy.person import decode_json
from audience_sync.privacy.schemas import (
    Attempt,
    Deleted,
    ErasureBatchCreate,
    ErasureCreate,
    ErasureRead,
    HashedIdentifier,
    Matched,
    SuppressionLifted,
    TargetRead,
)
from audience_sync.safeguards.identity import Identifier
from audience_sync.types import read_as

logger = logging.getLogger(__name__)


def _still_answers(earlier: Erasure | None, suppressed: bool) -> bool:
    """An earlier erasure answers a new request while it is under way, or done and the
    person still suppressed (a lifted suppression makes a new request a new erasure)."""
    return earlier is not None and (
        earlier.status in ("pending", "running") or (earlier.status == "completed" and suppressed)
    )


def _new_erasure(
    cipher: TokenCipher, user_id: uuid.UUID, who: Identifier, reason: str | None
) -> Erasure:
    return Erasure(
        user_id=user_id,
        kind=who.kind,
        key_hash=who.sha256,
        subject_encrypted=cipher.encrypt(who.value),
        reason=reason,
        identifier_hashes=[],
    )


async def request_erasure(
    session: AsyncSession, cipher: TokenCipher, user_id: uuid.UUID, body: ErasureCreate
) -> tuple[Erasure, bool]:
    """The erasure for this person: the one already asked for (pending, running, or done
    and still suppressed), or a new one queued for the worker. ``(erasure, created)``."""
    who = body.identifier()
    await repository.lock_key(session, user_id, who.sha256)
    earlier = await repository.latest_for_key(session, user_id, who.kind, who.sha256)
    if earlier is not None and _still_answers(
        earlier,
        earlier.status == "completed"
        and await repository.is_suppressed(session, user_id, who.sha256),
    ):
        return earlier, False
    erasure = _new_erasure(cipher, user_id, who, body.reason)
    session.add(erasure)
    await session.flush()
    await emit(session, job_envelope("erasure", erasure.id, erasure.user_id), topic=JOBS_TOPIC)
    logger.info("erasure requested", extra={"erasure_id": str(erasure.id), "kind": who.kind})
    return erasure, True


async def request_erasures(
    session: AsyncSession, cipher: TokenCipher, user_id: uuid.UUID, body: ErasureBatchCreate
) -> list[tuple[Erasure, bool]]:
    """:func:`request_erasure` for every item, set-based: one lock, one lookup of earlier
    erasures, one of suppressions, one insert. The same person twice in the batch (by the
    same identifier) gets one erasure. In the order of ``body.people``."""
    people = [p.identifier() for p in body.people]
    await repository.lock_user(session, user_id)
    keys = list(dict.fromkeys((who.kind, who.sha256) for who in people))
    earlier = await repository.latest_for_keys(session, user_id, keys)
    suppressed = await repository.suppressed_among(
        session, user_id, [e.key_hash for e in earlier.values() if e.status == "completed"]
    )
    answer: dict[tuple[str, str], tuple[Erasure, bool]] = {}
    fresh: list[Erasure] = []
    items: list[tuple[Erasure, bool]] = []
    for who in people:
        key = (who.kind, who.sha256)
        if key in answer:  # the same person again in this batch
            items.append((answer[key][0], False))
            continue
        found = earlier.get(key)
        if found is not None and _still_answers(found, found.key_hash in suppressed):
            answer[key] = (found, False)
        else:
            answer[key] = (_new_erasure(cipher, user_id, who, body.reason), True)
            fresh.append(answer[key][0])
        items.append(answer[key])
    session.add_all(fresh)
    await session.flush()
    await emit_many(
        session, [job_envelope("erasure", e.id, e.user_id) for e in fresh], topic=JOBS_TOPIC
    )
    logger.info("erasures requested", extra={"queued": len(fresh), "items": len(people)})
    return items


async def get_owned(session: AsyncSession, user_id: uuid.UUID, erasure_id: uuid.UUID) -> Erasure:
    return await repository.owned.require(session, user_id, erasure_id)


def target_read(t: ErasureTarget) -> TargetRead:
    answers = [Attempt.model_validate(a) for a in decode_json(t.answers) or []]
    return read_as(TargetRead, t, retries=max(t.attempts - 1, 0), answers=answers)


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
