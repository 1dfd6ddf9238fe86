"""Queries of the privacy routes (the worker's live in :mod:`.store`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from audience_sync.owned import OwnedById
from audience_sync.privacy.errors import ErasureNotFound
from audience_sync.privacy.models import Erasure, ErasureTarget, Suppression, SuppressionLift


async def lock_key(session: AsyncSession, user_id: uuid.UUID, key_hash: str) -> None:
    """Serialize requests for one person of one user until the transaction ends (and
    share the user's lock, which a batch request takes alone)."""
    await session.execute(
        sa.text(
            "SELECT pg_advisory_xact_lock_shared(hashtextextended(:u, 0)), "
            "pg_advisory_xact_lock(hashtextextended(:k, 0))"
        ),
        {"u": f"erasure:{user_id}", "k": f"erasure:{user_id}:{key_hash}"},
    )


async def lock_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """A batch request: every person of the user at once (one lock, not 10,000)."""
    await session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:u, 0))"),
        {"u": f"erasure:{user_id}"},
    )


async def latest_for_key(
    session: AsyncSession, user_id: uuid.UUID, kind: str, key_hash: str
) -> Erasure | None:
    result = await session.execute(
        select(Erasure)
        .where(
            col(Erasure.user_id) == user_id,
            col(Erasure.key_hash) == key_hash,
            col(Erasure.kind) == kind,
        )
        .order_by(col(Erasure.created_at).desc())
        .limit(1)
    )
    return result.scalars().first()


async def latest_for_keys(
    session: AsyncSession, user_id: uuid.UUID, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Erasure]:
    """The newest erasure of each ``(kind, key_hash)``, in one statement."""
    if not keys:
        return {}
    wanted = sa.select(
        sa.func.unnest(sa.literal([k for k, _ in keys], sa.ARRAY(sa.Text))).label("kind"),
        sa.func.unnest(sa.literal([h for _, h in keys], sa.ARRAY(sa.Text))).label("key_hash"),
    ).subquery("wanted")
    rows = await session.execute(
        select(Erasure)
        .join(
            wanted,
            sa.and_(col(Erasure.kind) == wanted.c.kind, col(Erasure.key_hash) == wanted.c.key_hash),
        )
        .where(col(Erasure.user_id) == user_id)
        .order_by(col(Erasure.created_at))
    )
    return {(e.kind, e.key_hash): e for e in rows.scalars()}  # the newest wins


async def is_suppressed(session: AsyncSession, user_id: uuid.UUID, hash_: str) -> bool:
    found = await session.execute(
        sa.select(sa.literal(1)).where(
            col(Suppression.user_id) == user_id, col(Suppression.hash) == hash_
        )
    )
    return found.first() is not None


owned = OwnedById(Erasure, not_found=ErasureNotFound, id_field="erasure_id")


async def targets_of(
    session: AsyncSession, erasure_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ErasureTarget]]:
    out: dict[uuid.UUID, list[ErasureTarget]] = {i: [] for i in erasure_ids}
    if not erasure_ids:
        return out
    rows = (
        await session.execute(
            select(ErasureTarget)
            .where(col(ErasureTarget.erasure_id).in_(list(erasure_ids)))
            .order_by(col(ErasureTarget.platform), col(ErasureTarget.audience_name))
        )
    ).scalars()
    for t in rows:
        out[t.erasure_id].append(t)
    return out


async def delete_suppression(session: AsyncSession, user_id: uuid.UUID, hash_: str) -> Any:
    """Remove the hash from the list and log the lift; the removed row's kind, or ``None``."""
    kind = (
        await session.execute(
            sa.delete(Suppression)
            .where(col(Suppression.user_id) == user_id, col(Suppression.hash) == hash_)
            .returning(col(Suppression.kind))
        )
    ).scalar_one_or_none()
    if kind is not None:
        session.add(SuppressionLift(user_id=user_id, hash=hash_, kind=kind))
        await session.flush()
    return kind


async def suppressed_among(
    session: AsyncSession, user_id: uuid.UUID, hashes: Sequence[str]
) -> set[str]:
    if not hashes:
        return set()
    rows = await session.execute(
        sa.select(col(Suppression.hash)).where(
            col(Suppression.user_id) == user_id, col(Suppression.hash).in_(sorted(set(hashes)))
        )
    )
    return {str(h) for h in rows.scalars()}
