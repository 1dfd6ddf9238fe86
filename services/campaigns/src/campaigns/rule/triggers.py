"""Event-triggered runs: an audience's sync result runs its owner's audience-health rules.

Called by the ``audience_sync.events`` consumer inside its transaction, right after
the projection changed, so an ad group whose audience failed is acted on as soon
as the event arrives (``trigger`` ``event``). A rule another run holds is left to
its next run.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.rule import repository, runner

logger = logging.getLogger(__name__)


async def run_audience_rules(session: AsyncSession, user_id: uuid.UUID) -> int:
    ran = 0
    for rule in await repository.active_rules_of(session, user_id):
        if not runner.definition_of(rule).reads_audiences:
            continue
        locked = await repository.lock_skip(session, rule.id)
        if locked is None:
            continue
        outcome = await runner.run(session, locked, trigger="event")
        ran += 1
        logger.info(
            "audience-health rule ran",
            extra={"rule_id": str(rule.id), "affected": outcome.campaigns_affected},
        )
    return ran
