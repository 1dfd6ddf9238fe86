"""Rule runs: history, and undoing the latest run of a rule.

Undo is all or nothing. It holds the rule's lock (a concurrent execution or
undo gets 409 ``RULE_EXECUTING``) and locks every object the run changed; when
one of them no longer holds the value the run gave it (someone or something
changed it since, or it was deleted), nothing is restored and the answer is 409
``RULE_RUN_OBJECT_CHANGED`` naming it. Otherwise each object gets its old value
back, the undo is recorded as a run of its own (``trigger`` ``undo``), and
campaign changes are pushed to the platform like any rule action.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.types import utcnow
from campaigns.account import repository as accounts
from campaigns.account.schemas import is_connected
from campaigns.ad_group import service as ad_groups
from campaigns.campaign import service as campaigns
from campaigns.encoding import money_str
from campaigns.events import publish
from campaigns.models import AdGroup, Campaign, RuleAction, RuleExecution
from campaigns.rule import repository as rules_repository
from campaigns.rule import service as rules
from campaigns.rule.runner import PUSHED_ACTIONS, executed_event
from campaigns.rule_run import repository
from campaigns.rule_run.errors import ObjectChangedSince, RunNotUndoable

REVERSE = {
    "pause": "unpause",
    "unpause": "pause",
    "increase_budget": "decrease_budget",
    "decrease_budget": "increase_budget",
    "increase_bid": "decrease_bid",
    "decrease_bid": "increase_bid",
}


# Load-or-404, scoped to the caller (adscale_common.repository).
get_owned = repository.owned.require


async def list_for_rule(
    session: AsyncSession, user_id: uuid.UUID, rule_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[RuleExecution], int]:
    rule = await rules.get_owned(session, user_id, rule_id)
    return await rules_repository.runs(session, rule.id, offset, limit, real_only=False)


async def objects(
    session: AsyncSession, run: RuleExecution, outcome: str | None, offset: int, limit: int
) -> tuple[Sequence[RuleAction], int]:
    return await repository.objects(session, run.id, outcome, offset, limit)


@dataclass
class UndoOutcome:
    run_id: uuid.UUID
    undo_run_id: uuid.UUID
    descriptions: list[str] = field(default_factory=list)
    pending_push: list[uuid.UUID] = field(default_factory=list)


def _current(action: RuleAction, campaign: Campaign | None, group: AdGroup | None) -> str | None:
    """The value the object holds now, in the form the action recorded."""
    target: Campaign | AdGroup | None = group if action.object_type == "ad_group" else campaign
    if target is None:
        return None
    if action.action in ("pause", "unpause"):
        return target.status
    if action.action.endswith("_budget"):
        return money_str(campaign.budget_daily) if campaign and campaign.budget_daily else None
    return money_str(group.bid_amount) if group and group.bid_amount is not None else None


def _label(action: RuleAction) -> str:
    if action.object_type == "ad_group":
        return f"ad group '{action.ad_group_name}'"
    return f"campaign '{action.campaign_name}'"


async def _check_undoable(session: AsyncSession, run: RuleExecution) -> None:
    if run.dry_run:
        raise RunNotUndoable("A dry run changed nothing; there is nothing to undo")
    if run.trigger == "undo":
        raise RunNotUndoable("An undo cannot itself be undone; run the rule again instead")
    if run.undone_at is not None:
        raise RunNotUndoable("This run was already undone")
    latest = await repository.latest_change_run(session, run.rule_id)
    if latest is None or latest.id != run.id:
        raise RunNotUndoable("Only the latest run of a rule can be undone")


async def undo(session: AsyncSession, user_id: uuid.UUID, run_id: uuid.UUID) -> UndoOutcome:
    run = await get_owned(session, user_id, run_id)
    rule = await rules.lock(session, run.rule_id)
    await _check_undoable(session, run)
    changed = [a for a in await repository.changes(session, run.id) if a.undone_at is None]
    if not changed:
        raise RunNotUndoable("This run changed nothing; there is nothing to undo")
    found = await repository.lock_by_id(
        session, Campaign, sorted({a.campaign_id for a in changed if a.campaign_id is not None})
    )
    groups = await repository.lock_by_id(
        session, AdGroup, sorted({a.ad_group_id for a in changed if a.ad_group_id is not None})
    )
    moved = []
    for action in changed:
        campaign = found.get(action.campaign_id) if action.campaign_id else None
        group = groups.get(action.ad_group_id) if action.ad_group_id else None
        now_value = _current(action, campaign, group)
        if now_value != action.new_value:
            shown = "deleted" if now_value is None else now_value
            moved.append(f"{_label(action)} is {shown}, the run left it {action.new_value}")
    if moved:
        raise ObjectChangedSince(
            "Not undone: changed since this run: " + "; ".join(moved),
            details={"objects": moved},
        )

    now = utcnow()
    undo_run = RuleExecution(
        rule_id=rule.id,
        user_id=rule.user_id,
        trigger="undo",
        started_at=now,
        window_start=run.window_start,
        window_end=run.window_end,
        campaigns_evaluated=len(changed),
        campaigns_affected=len(changed),
    )
    session.add(undo_run)
    await session.flush()
    outcome = UndoOutcome(run.id, undo_run.id)
    for action in changed:
        campaign = found[action.campaign_id] if action.campaign_id else None
        group = groups.get(action.ad_group_id) if action.ad_group_id else None
        description = await _restore(session, action, campaign, group)
        outcome.descriptions.append(description)
        push = False
        if group is None and campaign is not None and action.action in PUSHED_ACTIONS:
            account = await accounts.get(session, campaign.ad_account_id)
            push = (
                account is not None
                and is_connected(account)
                and campaign.external_campaign_id is not None
            )
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "execution_id": undo_run.id,
            "rule_id": rule.id,
            "campaign_id": action.campaign_id,
            "campaign_name": action.campaign_name,
            "object_type": action.object_type,
            "ad_group_id": action.ad_group_id,
            "ad_group_name": action.ad_group_name,
            "action": REVERSE[action.action],
            "outcome": "applied",
            "reason": f"undo of run {run.id}",
            "old_value": action.new_value,
            "new_value": action.old_value,
            "description": description,
            "platform_status": "pending" if push else "not_applicable",
            "created_at": now,
        }
        reverse = RuleAction(**row)
        session.add(reverse)
        await session.flush()
        await publish(session, executed_event(rule, undo_run, row))
        if push:
            outcome.pending_push.append(reverse.id)
        action.undone_at = now
    run.undone_at = now
    undo_run.finished_at = utcnow()
    await session.flush()
    return outcome


async def _restore(
    session: AsyncSession,
    action: RuleAction,
    campaign: Campaign | None,
    group: AdGroup | None,
) -> str:
    old = action.old_value
    assert old is not None
    label = _label(action)
    if action.action in ("pause", "unpause"):
        if group is not None:
            await ad_groups.apply_rule_changes(session, [(group, old, None)])
        elif campaign is not None:
            await campaigns.apply_rule_changes(session, [(campaign, old, None)])
        return f"Restored {label} to {old} (was {action.new_value})"
    amount = Decimal(old)
    if group is not None:
        await ad_groups.apply_rule_changes(session, [(group, None, amount)])
        what = "bid"
    else:
        assert campaign is not None
        await campaigns.apply_rule_changes(session, [(campaign, None, amount)])
        what = "daily budget"
    return f"Restored the {what} of {label} to {old} (was {action.new_value})"
