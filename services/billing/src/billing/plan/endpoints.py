"""``GET /api/v1/billing/plans`` (public)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from adscale_common.internal_auth import CurrentPrincipal
from billing.plan.catalogue import PLANS, price_id
from billing.plan.schemas import PlanRead
from billing.settings import Settings

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])


@router.get("/plans", response_model=list[PlanRead], summary="List all plan tiers with pricing")
async def list_plans(request: Request, _: CurrentPrincipal) -> list[PlanRead]:
    settings: Settings = request.app.state.settings
    return [PlanRead.of(plan, price_id(settings, plan.id)) for plan in PLANS.values()]
