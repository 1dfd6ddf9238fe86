from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from audience_sync.models import (
    Audience,
    OAuthState,
    PlatformAdAccount,
    PlatformConnection,
    SyncJob,
    table,
)


async def get_connection(
    session: AsyncSession, user_id: uuid.UUID, platform: str, *, for_update: bool = False
) -> PlatformConnection | None:
    stmt = sa.select(PlatformConnection).where(
        col(PlatformConnection.user_id) == user_id, col(PlatformConnection.platform) == platform
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def connections_of(session: AsyncSession, user_id: uuid.UUID) -> Sequence[PlatformConnection]:
    stmt = sa.select(PlatformConnection).where(col(PlatformConnection.user_id) == user_id)
    return list((await session.execute(stmt)).scalars())


async def ad_accounts_of(
    session: AsyncSession, connection_ids: Sequence[uuid.UUID]
) -> Sequence[PlatformAdAccount]:
    if not connection_ids:
        return []
    stmt = (
        sa.select(PlatformAdAccount)
        .where(col(PlatformAdAccount.connection_id).in_(connection_ids))
        .order_by(col(PlatformAdAccount.account_id))
    )
    return list((await session.execute(stmt)).scalars())


async def has_ad_account(session: AsyncSession, connection_id: uuid.UUID, account_id: str) -> bool:
    stmt = sa.select(sa.literal(1)).where(
        col(PlatformAdAccount.connection_id) == connection_id,
        col(PlatformAdAccount.account_id) == account_id,
    )
    return (await session.execute(stmt)).first() is not None


async def replace_ad_accounts(
    session: AsyncSession, connection_id: uuid.UUID, accounts: Sequence[PlatformAdAccount]
) -> None:
    """Keep the accounts still granted (with their ``connected_at``), add new, drop gone."""
    existing = {a.account_id: a for a in await ad_accounts_of(session, [connection_id])}
    wanted = {a.account_id for a in accounts}
    for account_id, row in existing.items():
        if account_id not in wanted:
            await session.delete(row)
    for account in accounts:
        current = existing.get(account.account_id)
        if current is None:
            session.add(account)
        else:
            current.name = account.name
            current.currency = account.currency
    await session.flush()


async def delete_connection(session: AsyncSession, connection: PlatformConnection) -> int:
    """Delete the connection and its ad accounts; returns how many accounts went with it."""
    count = (
        await session.execute(
            sa.select(sa.func.count())
            .select_from(PlatformAdAccount)
            .where(col(PlatformAdAccount.connection_id) == connection.id)
        )
    ).scalar_one()
    await session.execute(
        sa.delete(PlatformConnection).where(col(PlatformConnection.id) == connection.id)
    )
    return int(count)


async def update_tokens(
    session: AsyncSession,
    connection_id: uuid.UUID,
    *,
    access: str,
    refresh: str | None,
    expires_at: datetime | None,
    status: str = "connected",
    refreshed: bool = True,
) -> None:
    values: dict[str, object] = {
        "access_token_encrypted": access,
        "refresh_token_encrypted": refresh,
        "token_expires_at": expires_at,
        "status": status,
        "updated_at": sa.func.now(),
    }
    if refreshed:
        values["refreshed_at"] = sa.func.now()
    await session.execute(
        sa.update(PlatformConnection)
        .where(col(PlatformConnection.id) == connection_id)
        .values(**values)
    )


async def set_status(session: AsyncSession, connection_id: uuid.UUID, status: str) -> None:
    await session.execute(
        sa.update(PlatformConnection)
        .where(col(PlatformConnection.id) == connection_id)
        .values(status=status, updated_at=sa.func.now())
    )


async def add_state(session: AsyncSession, state: OAuthState) -> None:
    session.add(state)
    await session.flush()


async def consume_state(
    session: AsyncSession, state_hash: str, user_id: uuid.UUID, platform: str
) -> OAuthState | None:
    """Delete and return the state when it belongs to this user and platform (single use)."""
    states = table(OAuthState)
    row = (
        await session.execute(
            sa.delete(states)
            .where(
                states.c.state_hash == state_hash,
                states.c.user_id == user_id,
                states.c.platform == platform,
            )
            .returning(*states.c)
        )
    ).first()
    return OAuthState.model_validate(dict(row._mapping)) if row is not None else None


async def purge_states(session: AsyncSession, before: datetime) -> None:
    await session.execute(sa.delete(OAuthState).where(col(OAuthState.expires_at) < before))


async def all_connections_for_update(session: AsyncSession) -> Sequence[PlatformConnection]:
    stmt = sa.select(PlatformConnection).with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


async def pause_platform(
    session: AsyncSession, user_id: uuid.UUID, platform: str
) -> Sequence[uuid.UUID]:
    """Stop the user's audiences on ``platform`` from syncing: paused, no next sync, pending
    and running jobs cancelled (a running job stops at its next checkpoint)."""
    ids = list(
        (
            await session.execute(
                sa.update(Audience)
                .where(col(Audience.user_id) == user_id, col(Audience.platform) == platform)
                .values(is_active=False, next_sync_at=None, updated_at=sa.func.now())
                .returning(col(Audience.id))
            )
        ).scalars()
    )
    if ids:
        await session.execute(
            sa.update(SyncJob)
            .where(
                col(SyncJob.audience_id).in_(ids),
                col(SyncJob.status).in_(("pending", "running")),
            )
            .values(
                status="cancelled",
                completed_at=sa.func.now(),
                lease_owner=None,
                lease_expires_at=None,
                error_code="PLATFORM_NOT_CONNECTED",
                error_message="cancelled: the platform was disconnected",
                updated_at=sa.func.now(),
            )
        )
    return ids
