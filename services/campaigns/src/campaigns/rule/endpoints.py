from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from adscale_common.pagination import Offset, OffsetPage
from campaigns.dependencies import Push, Session, UserId
from campaigns.routes import collection_routes, item_routes
from campaigns.rule import backtest, push, repository, service
from campaigns.rule.schemas import (
    ActionRead,
    BacktestRequest,
    BacktestResult,
    ExecuteResult,
    ExecutionRead,
    RuleCreate,
    RuleRead,
    RuleUpdate,
)

router = APIRouter(prefix="/api/v1/rules", tags=["optimization rules"])


collection_routes(router, "rule", "rules", service, RuleRead, RuleCreate, read=service.to_read)


@router.get("/{rule_id}", response_model=RuleRead)
async def get_rule(
    rule_id: uuid.UUID,
    session: Session,
    user_id: UserId,
    expand: Annotated[
        bool, Query(description="Fill conditions with the filters, action and scope that run")
    ] = False,
) -> RuleRead:
    return service.to_read(await service.get_owned(session, user_id, rule_id), expand=expand)


item_routes(
    router, "rule", service, RuleRead, RuleUpdate, read=service.to_read, only=("update", "delete")
)


@router.post("/{rule_id}/execute", response_model=ExecuteResult)
async def execute_rule(
    rule_id: uuid.UUID,
    session: Session,
    user_id: UserId,
    pushing: Push,
    dry_run: Annotated[bool, Query(description="Preview: change and record nothing")] = False,
) -> ExecuteResult:
    outcome = await service.execute(
        session,
        user_id,
        rule_id,
        dry_run=dry_run,
        max_push_attempts=pushing.settings.platform_push_max_attempts,
    )
    actions = await push.push_and_describe(
        session, pushing, outcome.pending_push, outcome.applied, see="GET /rules/{id}/executions"
    )
    return ExecuteResult(
        rule_id=outcome.rule_id,
        campaigns_affected=outcome.campaigns_affected,
        actions_taken=actions,
        dry_run=outcome.dry_run,
        execution_id=outcome.execution_id,
        campaigns_evaluated=outcome.campaigns_evaluated,
        window_start=outcome.window_start,
        window_end=outcome.window_end,
    )


@router.post("/{rule_id}/backtest", response_model=BacktestResult)
async def backtest_rule(
    rule_id: uuid.UUID, body: BacktestRequest, session: Session, user_id: UserId
) -> BacktestResult:
    """Replay the rule day by day over the stored daily metrics; nothing is changed."""
    rule = await service.get_owned(session, user_id, rule_id)
    return await backtest.backtest(session, rule, body)


@router.get("/{rule_id}/executions", response_model=OffsetPage[ExecutionRead])
async def list_executions(
    rule_id: uuid.UUID, session: Session, user_id: UserId, page: Offset
) -> OffsetPage[ExecutionRead]:
    rule = await service.get_owned(session, user_id, rule_id)
    rows, actions, total = await repository.executions(session, rule.id, page.offset, page.limit)
    items = [
        ExecutionRead.model_validate(
            {**e.model_dump(), "actions": [ActionRead.model_validate(a) for a in actions[e.id]]}
        )
        for e in rows
    ]
    return OffsetPage.of(items, total, page)
