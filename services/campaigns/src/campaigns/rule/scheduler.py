"""Scheduled rule runs (worker): claim due rules with ``FOR UPDATE SKIP LOCKED``.

Safe with several worker instances: a rule is claimed by one transaction at a
time, and that transaction is the execution. A rule is due when it is active
and was last executed at least ``rules_interval_seconds`` ago.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.types import utcnow
from campaigns.models import Rule
from campaigns.platforms import CampaignPlatforms
from campaigns.rule import push, repository, runner
from campaigns.settings import Settings

logger = logging.getLogger(__name__)


async def run_due_rules(
    sessionmaker: async_sessionmaker[AsyncSession],
    platforms: CampaignPlatforms,
    cipher: TokenCipher | None,
    settings: Settings,
    *,
    max_rules: int = 1000,
) -> int:
    """Execute every due rule once; returns how many ran."""
    ran = 0
    while ran < max_rules:
        now = utcnow()
        async with sessionmaker() as session:
            rule = await repository.claim_due(
                session, now - timedelta(seconds=settings.rules_interval_seconds)
            )
            if rule is None:
                break
            rule_id = rule.id
            try:
                outcome = await runner.run(
                    session,
                    rule,
                    trigger="schedule",
                    now=now,
                    max_push_attempts=settings.platform_push_max_attempts,
                )
                await session.commit()
            except Exception:
                logger.exception("scheduled rule execution failed", extra={"rule_id": str(rule_id)})
                await session.rollback()
                await _postpone(session, rule_id)
                continue
            ran += 1
        if outcome.pending_push:
            async with sessionmaker() as session:
                await push.push_actions(
                    session,
                    platforms,
                    cipher,
                    action_ids=outcome.pending_push,
                    lease_seconds=settings.platform_push_lease_seconds,
                    max_attempts=settings.platform_push_max_attempts,
                )
    # Leftovers: pushes a crashed process left behind, and retryable failures.
    async with sessionmaker() as session:
        await push.push_actions(
            session,
            platforms,
            cipher,
            lease_seconds=settings.platform_push_lease_seconds,
            max_attempts=settings.platform_push_max_attempts,
        )
    return ran


async def _postpone(session: AsyncSession, rule_id: object) -> None:
    """A rule that crashed waits for its next interval instead of spinning."""
    rule = await session.get(Rule, rule_id)
    if rule is not None:
        rule.last_executed = utcnow()
        await session.commit()
