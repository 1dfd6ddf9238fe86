"""Daily metrics from the ad platforms (``adscale_platforms`` insights).

Three phases, so no database transaction is open during a platform call:
load what to fetch (decrypting the token), fetch, store (upsert per campaign
and day). A token the platform refuses (``TokenExpired``) disconnects the
account, and so does a stored token no configured key decrypts (a key dropped from
``CAMPAIGNS_ENCRYPTION_KEYS`` too early): the user reconnects it, and the other
accounts' sync goes on. The scheduled job runs under a PostgreSQL advisory lock, so
several worker instances never sync at the same time.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from adscale_common.crypto import TokenCipher
from adscale_platforms.errors import PlatformError, TokenExpired
from campaigns.account import repository as accounts
from campaigns.account.schemas import is_connected
from campaigns.crypto import StoredTokenUnreadable, account_token, disconnect_unreadable
from campaigns.metrics import repository
from campaigns.models import AdAccount, Campaign
from campaigns.platforms import DailyInsight, PlatformGateway, describe_platform_error

logger = logging.getLogger(__name__)

# pg advisory lock key of the scheduled sync (any constant shared by all instances).
SYNC_LOCK_KEY = 0x0CA4_5EED


def today() -> date:
    return datetime.now(UTC).date()


@dataclass
class SyncTarget:
    account_id: uuid.UUID
    platform: str
    external_account_id: str
    token: str = field(repr=False)
    # external campaign id -> local campaign id
    campaigns: dict[str, uuid.UUID]


async def load_target(
    session: AsyncSession,
    account: AdAccount,
    cipher: TokenCipher,
    *,
    only: Sequence[uuid.UUID] | None = None,
) -> SyncTarget | None:
    """What to fetch for one account; None when it can't be called or has nothing linked.
    Raises :class:`StoredTokenUnreadable` when no configured key decrypts its token."""
    if not is_connected(account) or account.access_token_encrypted is None:
        return None
    stmt = sa.select(col(Campaign.id), col(Campaign.external_campaign_id)).where(
        col(Campaign.ad_account_id) == account.id,
        col(Campaign.external_campaign_id).is_not(None),
    )
    if only is not None:
        stmt = stmt.where(col(Campaign.id).in_(only))
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    return SyncTarget(
        account_id=account.id,
        platform=account.platform,
        external_account_id=account.account_id_external,
        token=account_token(cipher, account.id, account.access_token_encrypted),
        campaigns={str(ext): cid for cid, ext in rows},
    )


async def fetch(
    platforms: PlatformGateway, target: SyncTarget, since: date, until: date
) -> list[DailyInsight]:
    return await platforms.get_campaign_insights(
        target.platform, target.token, target.external_account_id, since, until
    )


async def store(session: AsyncSession, target: SyncTarget, insights: Sequence[DailyInsight]) -> int:
    grouped: dict[uuid.UUID, list[DailyInsight]] = {}
    for insight in insights:
        campaign_id = target.campaigns.get(insight.campaign_external_id)
        if campaign_id is not None:
            grouped.setdefault(campaign_id, []).append(insight)
    # Skip campaigns deleted since the fetch; FOR SHARE keeps the rest until we commit.
    existing = set(
        (
            await session.execute(
                sa.select(col(Campaign.id))
                .where(col(Campaign.id).in_(list(grouped)))
                .with_for_update(read=True)
            )
        ).scalars()
    )
    count = 0
    for campaign_id, rows in grouped.items():
        if campaign_id in existing:
            count += await repository.upsert(session, campaign_id, rows)
    await accounts.mark_synced(session, target.account_id)
    return count


async def sync_account(
    sessionmaker: async_sessionmaker[AsyncSession],
    platforms: PlatformGateway,
    cipher: TokenCipher,
    account_id: uuid.UUID,
    since: date,
    until: date,
) -> int:
    try:
        async with sessionmaker() as session:
            account = await session.get(AdAccount, account_id)
            target = await load_target(session, account, cipher) if account else None
    except StoredTokenUnreadable:
        async with sessionmaker() as session, session.begin():
            await disconnect_unreadable(session, account_id)
        return 0
    if target is None:
        return 0
    try:
        insights = await fetch(platforms, target, since, until)
    except TokenExpired as exc:
        async with sessionmaker() as session, session.begin():
            await accounts.mark_disconnected(session, account_id, describe_platform_error(exc))
        logger.warning(
            "metrics sync: token refused; account disconnected",
            extra={"account_id": str(account_id)},
        )
        return 0
    async with sessionmaker() as session, session.begin():
        return await store(session, target, insights)


async def sync_all(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    platforms: PlatformGateway,
    cipher: TokenCipher,
    lookback_days: int,
) -> int | None:
    """One sync of every connected account; None when another instance holds the lock."""
    async with engine.connect() as lock_conn:
        got = (
            await lock_conn.execute(sa.select(sa.func.pg_try_advisory_lock(SYNC_LOCK_KEY)))
        ).scalar_one()
        await lock_conn.commit()
        if not got:
            return None
        try:
            async with sessionmaker() as session:
                ids = [a.id for a in await accounts.connected_with_token(session)]
            until = today()
            since = until - timedelta(days=lookback_days - 1)
            total = 0
            for account_id in ids:
                try:
                    total += await sync_account(
                        sessionmaker, platforms, cipher, account_id, since, until
                    )
                except PlatformError as exc:
                    logger.error(
                        "metrics sync failed for an account",
                        extra={
                            "account_id": str(account_id),
                            "error": describe_platform_error(exc),
                        },
                    )
            logger.info("metrics sync done", extra={"accounts": len(ids), "rows": total})
            return total
        finally:
            await lock_conn.execute(sa.select(sa.func.pg_advisory_unlock(SYNC_LOCK_KEY)))
            await lock_conn.commit()
