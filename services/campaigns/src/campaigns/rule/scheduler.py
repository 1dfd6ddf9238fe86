"""Scheduled rule runs (worker), safe with any number of worker instances.

* A rule with ``conditions.schedule`` runs once per slot (:mod:`campaigns.rule.slots`)
  in its time zone (the schedule's, else its owner's oldest ad account's, else
  UTC). The run records its slot and ``rule_execution`` is unique on
  (rule, slot): a second worker that reaches the same slot finds the rule
  locked (``SKIP LOCKED``) or its insert refused, and leaves it. Slots that began
  before the rule was created are not run.
* A rule without a schedule runs when it was last executed at least
  ``rules_interval_seconds`` ago, claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.types import utcnow
from campaigns.models import Rule
from campaigns.platforms import PlatformGateway
from campaigns.rule import push, repository, runner
from campaigns.rule.language import Schedule
from campaigns.rule.slots import current_slot
from campaigns.settings import Settings

logger = logging.getLogger(__name__)


async def due_slots(session: AsyncSession, now: datetime) -> list[tuple[uuid.UUID, datetime]]:
    """(rule id, slot) for every scheduled rule whose current slot has not run yet."""
    rows = await repository.scheduled(session)
    zones = await repository.first_account_zones(session, (r.user_id for r in rows))
    due: list[tuple[uuid.UUID, datetime]] = []
    for rule_id, user_id, conditions, created_at in rows:
        schedule = Schedule.model_validate(conditions["schedule"])
        slot = current_slot(schedule, schedule.time_zone or zones.get(user_id, "UTC"), now)
        if slot >= created_at:
            due.append((rule_id, slot))
    taken = await repository.slots_taken(session, due)
    return [pair for pair in due if pair not in taken]


async def run_due_rules(
    sessionmaker: async_sessionmaker[AsyncSession],
    platforms: PlatformGateway,
    cipher: TokenCipher | None,
    settings: Settings,
    *,
    max_rules: int = 1000,
    now: datetime | None = None,
) -> int:
    """Run every due rule once (``now`` freezes the clock); returns how many ran."""
    ran = await _run_slots(sessionmaker, platforms, cipher, settings, now or utcnow())
    while ran < max_rules:
        at = now or utcnow()
        async with sessionmaker() as session:
            rule = await repository.claim_due(
                session, at - timedelta(seconds=settings.rules_interval_seconds)
            )
            if rule is None:
                break
            outcome = await _run(session, rule, settings, at, None)
            if outcome is None:
                await _postpone(session, rule.id)
                continue
            ran += 1
        await _push(sessionmaker, platforms, cipher, settings, outcome.pending_push)
    # Leftovers: pushes a crashed process left behind, and retryable failures.
    await _push(sessionmaker, platforms, cipher, settings, None)
    return ran


async def _run_slots(
    sessionmaker: async_sessionmaker[AsyncSession],
    platforms: PlatformGateway,
    cipher: TokenCipher | None,
    settings: Settings,
    now: datetime,
) -> int:
    async with sessionmaker() as session:
        due = await due_slots(session, now)
    ran = 0
    for rule_id, slot in due:
        async with sessionmaker() as session:
            rule = await repository.lock_skip(session, rule_id)
            if rule is None:
                continue  # another worker is running it
            outcome = await _run(session, rule, settings, now, slot)
        if outcome is not None:
            ran += 1
            await _push(sessionmaker, platforms, cipher, settings, outcome.pending_push)
    return ran


async def _run(
    session: AsyncSession, rule: Rule, settings: Settings, now: datetime, slot: datetime | None
) -> runner.ExecutionOutcome | None:
    """One scheduled run, committed; ``None`` when it did not happen."""
    rule_id = rule.id
    try:
        outcome = await runner.run(
            session,
            rule,
            trigger="schedule",
            now=now,
            slot_at=slot,
            max_push_attempts=settings.platform_push_max_attempts,
        )
        await session.commit()
    except IntegrityError:
        await session.rollback()  # another worker ran this slot first
        logger.info("rule slot already ran", extra={"rule_id": str(rule_id)})
        return None
    except Exception:
        logger.exception("scheduled rule execution failed", extra={"rule_id": str(rule_id)})
        await session.rollback()
        return None
    return outcome


async def _push(
    sessionmaker: async_sessionmaker[AsyncSession],
    platforms: PlatformGateway,
    cipher: TokenCipher | None,
    settings: Settings,
    action_ids: list[uuid.UUID] | None,
) -> None:
    if action_ids is not None and not action_ids:
        return
    async with sessionmaker() as session:
        await push.push_with(session, platforms, cipher, settings, action_ids)


async def _postpone(session: AsyncSession, rule_id: object) -> None:
    """A rule that crashed waits for its next interval instead of spinning."""
    rule = await session.get(Rule, rule_id)
    if rule is not None:
        rule.last_executed = utcnow()
        await session.commit()
