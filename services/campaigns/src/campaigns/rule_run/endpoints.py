from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from adscale_common.pagination import Offset, OffsetPage
from campaigns.dependencies import Push, Session, UserId
from campaigns.rule import push
from campaigns.rule_run import service
from campaigns.rule_run.schemas import (
    Outcome,
    RunDetail,
    RunObjectRead,
    RunRead,
    UndoResult,
)

router = APIRouter(tags=["optimization rules"])


@router.get("/api/v1/rules/{rule_id}/runs", response_model=OffsetPage[RunRead])
async def list_runs(
    rule_id: uuid.UUID, session: Session, user_id: UserId, page: Offset
) -> OffsetPage[RunRead]:
    """Every run of the rule, newest first: scheduled, manual, dry runs and undos."""
    rows, total = await service.list_for_rule(session, user_id, rule_id, page.offset, page.limit)
    return OffsetPage.of([RunRead.model_validate(r) for r in rows], total, page)


@router.get("/api/v1/rule-runs/{run_id}", response_model=RunDetail)
async def get_run(
    run_id: uuid.UUID,
    session: Session,
    user_id: UserId,
    page: Offset,
    outcome: Annotated[Outcome | None, Query(description="Only objects with this outcome")] = None,
) -> RunDetail:
    """The run and, paginated, each object it judged (acted on first)."""
    run = await service.get_owned(session, user_id, run_id)
    rows, total = await service.objects(session, run, outcome, page.offset, page.limit)
    return RunDetail(
        **RunRead.model_validate(run).model_dump(),
        objects=OffsetPage.of([RunObjectRead.model_validate(r) for r in rows], total, page),
    )


@router.post("/api/v1/rule-runs/{run_id}/undo", response_model=UndoResult)
async def undo_run(
    run_id: uuid.UUID,
    session: Session,
    user_id: UserId,
    pushing: Push,
) -> UndoResult:
    """Restore what the rule's latest run changed, here and on the platform (409 if moved since)."""
    outcome = await service.undo(session, user_id, run_id)
    actions = await push.push_and_describe(
        session,
        pushing,
        outcome.pending_push,
        outcome.descriptions,
        see=f"GET /rule-runs/{outcome.undo_run_id}",
    )
    return UndoResult(
        run_id=outcome.run_id,
        undo_run_id=outcome.undo_run_id,
        objects_restored=len(outcome.descriptions),
        actions_taken=actions,
    )
