"""Push applied rule actions to the ad platform, and record what the platform said.

Actions are committed ``pending`` together with the campaign change; then:

1. claim (short transaction): ``pending`` rows, or ``pushing`` rows whose lease
   expired (a pusher died), move to ``pushing`` — ``FOR UPDATE SKIP LOCKED`` so
   several pushers never take the same row;
2. call the platform with no transaction open;
3. record: ``succeeded``; or ``failed`` with the platform's error (a refused
   token also disconnects the account, as a stored one no configured key opens does at
   the claim); a retryable error goes back to
   ``pending`` until ``max_attempts``.

Errors are never swallowed: each one is stored on its action row and logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.crypto import TokenCipher
from adscale_common.types import utcnow
from adscale_platforms.errors import PlatformError, TokenExpired
from campaigns.account import repository as accounts
from campaigns.account.schemas import is_connected
from campaigns.crypto import StoredTokenUnreadable, account_token, disconnect_unreadable
from campaigns.models import AdAccount, Campaign, RuleAction
from campaigns.platforms import PlatformGateway, describe_platform_error
from campaigns.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class PushJob:
    action_id: uuid.UUID
    action: str
    new_value: str | None
    attempts: int
    campaign_external_id: str | None = None
    account_id: uuid.UUID | None = None
    platform: str | None = None
    external_account_id: str | None = None
    token: str | None = field(default=None, repr=False)
    problem: str | None = None


@dataclass
class PushResult:
    action_id: uuid.UUID
    status: str
    error: str | None


async def _claim(
    session: AsyncSession,
    cipher: TokenCipher | None,
    action_ids: Sequence[uuid.UUID] | None,
    lease_seconds: float,
    limit: int,
) -> list[PushJob]:
    now = utcnow()
    pickable = sa.or_(
        col(RuleAction.platform_status) == "pending",
        sa.and_(
            col(RuleAction.platform_status) == "pushing",
            col(RuleAction.platform_claimed_at) < now - timedelta(seconds=lease_seconds),
        ),
    )
    stmt = (
        sa.select(RuleAction)
        .where(pickable)
        .order_by(col(RuleAction.created_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if action_ids is not None:
        stmt = stmt.where(col(RuleAction.id).in_(action_ids))
    rows = list((await session.execute(stmt)).scalars())
    jobs: list[PushJob] = []
    for row in rows:
        row.platform_status = "pushing"
        row.platform_claimed_at = now
        row.platform_attempts = row.platform_attempts + 1
        job = PushJob(row.id, row.action, row.new_value, row.platform_attempts)
        pair = (
            (
                await session.execute(
                    sa.select(Campaign, AdAccount)
                    .join(AdAccount, col(AdAccount.id) == col(Campaign.ad_account_id))
                    .where(col(Campaign.id) == row.campaign_id)
                )
            ).first()
            if row.campaign_id is not None
            else None
        )
        if pair is None:
            job.problem = "the campaign was deleted before the push"
        else:
            campaign, account = pair[0], pair[1]
            job.campaign_external_id = campaign.external_campaign_id
            job.account_id = account.id
            job.platform = account.platform
            job.external_account_id = account.account_id_external
            if not is_connected(account) or account.access_token_encrypted is None:
                job.problem = "the ad account is not connected"
            elif campaign.external_campaign_id is None:
                job.problem = "the campaign has no external_campaign_id"
            elif cipher is None:
                job.problem = "token encryption is not configured"
            else:
                try:
                    job.token = account_token(cipher, account.id, account.access_token_encrypted)
                except StoredTokenUnreadable:
                    # As a refused token: the account is disconnected, the user reconnects.
                    await disconnect_unreadable(session, account.id)
                    job.problem = "no configured key decrypts the ad account's stored token"
        jobs.append(job)
    await session.flush()
    return jobs


async def _call(platforms: PlatformGateway, job: PushJob) -> None:
    assert job.platform and job.token and job.external_account_id and job.campaign_external_id
    if job.action in ("pause", "unpause"):
        await platforms.update_campaign(
            job.platform,
            job.token,
            job.external_account_id,
            job.campaign_external_id,
            status="PAUSED" if job.action == "pause" else "ACTIVE",
        )
    else:
        await platforms.update_campaign(
            job.platform,
            job.token,
            job.external_account_id,
            job.campaign_external_id,
            daily_budget=Decimal(str(job.new_value)),
        )


async def push_actions(
    session: AsyncSession,
    platforms: PlatformGateway,
    cipher: TokenCipher | None,
    *,
    action_ids: Sequence[uuid.UUID] | None = None,
    lease_seconds: float = 300.0,
    max_attempts: int = 5,
    limit: int = 100,
) -> list[PushResult]:
    """Claim, push and record up to ``limit`` actions. Commits its own short transactions."""
    jobs = await _claim(session, cipher, action_ids, lease_seconds, limit)
    await session.commit()
    if not jobs:
        return []
    results: list[PushResult] = []
    disconnect: dict[uuid.UUID, str] = {}
    for job in jobs:
        if job.problem is not None:
            results.append(PushResult(job.action_id, "failed", job.problem))
            continue
        try:
            await _call(platforms, job)
        except TokenExpired as exc:
            error = describe_platform_error(exc)
            if job.account_id is not None:
                disconnect[job.account_id] = error
            results.append(PushResult(job.action_id, "failed", error))
        except PlatformError as exc:
            error = describe_platform_error(exc)
            retry = exc.retryable and job.attempts < max_attempts
            results.append(PushResult(job.action_id, "pending" if retry else "failed", error))
        except ValueError as exc:
            results.append(PushResult(job.action_id, "failed", f"invalid update: {exc}"[:1000]))
        else:
            results.append(PushResult(job.action_id, "succeeded", None))
    now = utcnow()
    for result in results:
        await session.execute(
            sa.update(RuleAction)
            .where(col(RuleAction.id) == result.action_id)
            .values(
                platform_status=result.status,
                platform_error=result.error,
                platform_pushed_at=now if result.status == "succeeded" else None,
            )
        )
        if result.status != "succeeded":
            logger.error(
                "rule action push to the platform failed",
                extra={
                    "action_id": str(result.action_id),
                    "status": result.status,
                    "error": result.error,
                },
            )
    for account_id, reason in disconnect.items():
        await accounts.mark_disconnected(session, account_id, reason)
    await session.commit()
    return results


@dataclass(frozen=True)
class Pushing:
    """What a request needs to push rule actions after it commits: the platforms, the
    token cipher and the settings (lease, attempts)."""

    platforms: PlatformGateway
    cipher: TokenCipher | None
    settings: Settings


async def push_and_describe(
    session: AsyncSession,
    pushing: Pushing,
    action_ids: Sequence[uuid.UUID],
    described: Sequence[str],
    *,
    see: str,
) -> list[str]:
    """Commit the request's work, then push ``action_ids`` (no transaction held during the
    calls); answers ``actions_taken``: ``described``, and when some pushes failed a last
    line saying how many and where to look (``see``)."""
    actions = list(described)
    if not action_ids:
        return actions
    await session.commit()
    results = await push_with(
        session, pushing.platforms, pushing.cipher, pushing.settings, action_ids
    )
    failed = sum(1 for r in results if r.status != "succeeded")
    if failed:
        actions.append(f"{failed} platform update(s) did not go through; see {see}")
    return actions


async def push_with(
    session: AsyncSession,
    platforms: PlatformGateway,
    cipher: TokenCipher | None,
    settings: Settings,
    action_ids: Sequence[uuid.UUID] | None,
) -> list[PushResult]:
    """:func:`push_actions` with the configured lease and attempts (``None``: any due)."""
    return await push_actions(
        session,
        platforms,
        cipher,
        action_ids=action_ids,
        lease_seconds=settings.platform_push_lease_seconds,
        max_attempts=settings.platform_push_max_attempts,
    )
