"""Every query of the webhook package."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.paged import page_of
from adscale_common.repository import OwnedRepository
from audience_sync.webhook.errors import WebhookNotFound
from audience_sync.webhook.models import (
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookSubscription,
    attempt_table,
    delivery_table,
    subscription_table,
)


def _in(seconds: float) -> sa.ColumnElement[datetime]:
    return sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, seconds)


# --------------------------------------------------------------------------- subscriptions


owned = OwnedRepository(WebhookSubscription, not_found=WebhookNotFound)


async def subscribers(
    session: AsyncSession, user_id: uuid.UUID, event_type: str
) -> Sequence[WebhookSubscription]:
    t = subscription_table().c
    stmt = sa.select(WebhookSubscription).where(
        t.user_id == user_id,
        t.enabled.is_(True),
        t.events.contains([event_type]),
    )
    return list((await session.execute(stmt)).scalars())


async def delete(session: AsyncSession, webhook_id: uuid.UUID) -> None:
    t = subscription_table()
    await session.execute(sa.delete(t).where(t.c.id == webhook_id))


async def all_secrets(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> Sequence[WebhookSubscription]:
    t = subscription_table().c
    stmt = sa.select(WebhookSubscription).order_by(t.id).limit(limit).with_for_update()
    if after is not None:
        stmt = stmt.where(t.id > after)
    return list((await session.execute(stmt)).scalars())


# --------------------------------------------------------------------------- deliveries


async def add_deliveries(session: AsyncSession, rows: list[dict[str, object]]) -> int:
    """Insert deliveries; an event already recorded for a subscription is skipped."""
    if not rows:
        return 0
    result = await session.execute(
        insert(delivery_table())
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_webhook_delivery_event")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Claimed:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    attempt: int
    body: str
    url: str
    enabled: bool
    secret_encrypted: str
    previous_secret_encrypted: str | None
    previous_secret_expires_at: datetime | None


async def claim_due(
    session: AsyncSession, token: uuid.UUID, limit: int, lease_seconds: float
) -> list[Claimed]:
    """Due deliveries (and those whose process died mid-send), marked in flight under
    ``token``. Concurrent processes skip each other's rows."""
    d = delivery_table()
    s = subscription_table()
    due = (
        sa.select(d.c.id)
        .where(
            sa.or_(
                sa.and_(d.c.status == "pending", d.c.next_attempt_at <= sa.func.now()),
                sa.and_(d.c.status == "in_flight", d.c.lease_expires_at < sa.func.now()),
            )
        )
        .order_by(d.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    claimed = (
        await session.execute(
            sa.update(d)
            .where(d.c.id == due.c.id)
            .values(
                status="in_flight",
                claim_token=token,
                lease_expires_at=_in(lease_seconds),
                updated_at=sa.func.now(),
            )
            .returning(d.c.id, d.c.subscription_id, d.c.attempt, d.c.body)
        )
    ).all()
    if not claimed:
        return []
    subs = {
        row.id: row
        for row in (
            await session.execute(
                sa.select(
                    s.c.id,
                    s.c.url,
                    s.c.enabled,
                    s.c.secret_encrypted,
                    s.c.previous_secret_encrypted,
                    s.c.previous_secret_expires_at,
                ).where(s.c.id.in_({row.subscription_id for row in claimed}))
            )
        ).all()
    }
    out = []
    for row in claimed:
        sub = subs[row.subscription_id]
        out.append(
            Claimed(
                delivery_id=row.id,
                subscription_id=row.subscription_id,
                attempt=row.attempt,
                body=row.body,
                url=sub.url,
                enabled=sub.enabled,
                secret_encrypted=sub.secret_encrypted,
                previous_secret_encrypted=sub.previous_secret_encrypted,
                previous_secret_expires_at=sub.previous_secret_expires_at,
            )
        )
    return out


async def record_attempt(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    attempt: int,
    *,
    success: bool,
    response_code: int | None,
    latency_ms: int | None,
    error: str | None,
) -> None:
    await session.execute(
        insert(attempt_table())
        .values(
            delivery_id=delivery_id,
            attempt=attempt,
            success=success,
            response_code=response_code,
            latency_ms=latency_ms,
            error=error,
        )
        .on_conflict_do_nothing()
    )


async def finish(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    token: uuid.UUID,
    *,
    status: str,
    attempt: int,
    response_code: int | None,
    latency_ms: int | None,
    error: str | None,
    retry_in: float | None,
) -> bool:
    """Record an attempt's outcome on the delivery, if this process still holds it."""
    d = delivery_table()
    values: dict[str, object] = {
        "status": status,
        "attempt": attempt,
        "response_code": response_code,
        "latency_ms": latency_ms,
        "last_error": error,
        "last_attempt_at": sa.func.now(),
        "claim_token": None,
        "lease_expires_at": None,
        "next_attempt_at": _in(retry_in) if retry_in is not None else None,
        "updated_at": sa.func.now(),
    }
    if status == "succeeded":
        values["delivered_at"] = sa.func.now()
    result = await session.execute(
        sa.update(d)
        .where(d.c.id == delivery_id, d.c.claim_token == token, d.c.status == "in_flight")
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel_pending(session: AsyncSession, subscription_id: uuid.UUID, reason: str) -> int:
    d = delivery_table()
    result = await session.execute(
        sa.update(d)
        .where(d.c.subscription_id == subscription_id, d.c.status == "pending")
        .values(
            status="cancelled",
            last_error=reason,
            next_attempt_at=None,
            updated_at=sa.func.now(),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def mark_succeeded(session: AsyncSession, subscription_id: uuid.UUID) -> None:
    s = subscription_table()
    await session.execute(
        sa.update(s)
        .where(s.c.id == subscription_id, s.c.failing_since.is_not(None))
        .values(failing_since=None, updated_at=sa.func.now())
    )


async def mark_failing(
    session: AsyncSession, subscription_id: uuid.UUID, disable_after_seconds: float
) -> bool:
    """Note a failed attempt; disable the subscription when it has been failing for
    ``disable_after_seconds``. Returns True when this call disabled it."""
    s = subscription_table()
    row = (
        await session.execute(
            sa.update(s)
            .where(s.c.id == subscription_id)
            .values(failing_since=sa.func.coalesce(s.c.failing_since, sa.func.now()))
            .returning(
                s.c.enabled,
                (
                    s.c.failing_since
                    <= sa.func.now()
                    - sa.func.make_interval(0, 0, 0, 0, 0, 0, disable_after_seconds)
                ).label("expired"),
            )
        )
    ).first()
    if row is None or not row.enabled or not row.expired:
        return False
    await disable(session, subscription_id, "failing")
    return True


async def disable(session: AsyncSession, subscription_id: uuid.UUID, reason: str) -> None:
    s = subscription_table()
    await session.execute(
        sa.update(s)
        .where(s.c.id == subscription_id)
        .values(
            enabled=False,
            disabled_reason=reason,
            disabled_at=sa.func.now(),
            updated_at=sa.func.now(),
        )
    )
    await cancel_pending(session, subscription_id, f"subscription disabled ({reason})")


async def list_deliveries(
    session: AsyncSession,
    subscription_id: uuid.UUID,
    offset: int,
    limit: int,
    status: str | None,
) -> tuple[list[WebhookDelivery], dict[uuid.UUID, list[WebhookDeliveryAttempt]], int]:
    d = delivery_table().c
    conditions = [d.subscription_id == subscription_id]
    if status is not None:
        conditions.append(d.status == status)
    deliveries, total = await page_of(
        session,
        sa.select(WebhookDelivery).where(*conditions),
        d.created_at.desc(),
        d.id,
        offset=offset,
        limit=limit,
    )
    attempts: dict[uuid.UUID, list[WebhookDeliveryAttempt]] = {x.id: [] for x in deliveries}
    if deliveries:
        a = attempt_table().c
        for attempt in (
            await session.execute(
                sa.select(WebhookDeliveryAttempt)
                .where(a.delivery_id.in_(list(attempts)))
                .order_by(a.delivery_id, a.attempt)
            )
        ).scalars():
            attempts[attempt.delivery_id].append(attempt)
    return deliveries, attempts, total
