from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from adscale_common.pagination import Offset, OffsetPage
from campaigns.campaign import service
from campaigns.campaign.schemas import CampaignCreate, CampaignRead, CampaignStatus, CampaignUpdate
from campaigns.dependencies import Session, UserId
from campaigns.routes import item_routes

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CampaignRead)
async def create_campaign(body: CampaignCreate, session: Session, user_id: UserId) -> CampaignRead:
    return CampaignRead.model_validate(await service.create(session, user_id, body))


@router.get("", response_model=OffsetPage[CampaignRead])
async def list_campaigns(
    session: Session,
    user_id: UserId,
    page: Offset,
    ad_account_id: Annotated[uuid.UUID | None, Query()] = None,
    status: Annotated[CampaignStatus | None, Query()] = None,
) -> OffsetPage[CampaignRead]:
    rows, total = await service.list_owned(
        session, user_id, page.offset, page.limit, ad_account_id=ad_account_id, status=status
    )
    return OffsetPage.of([CampaignRead.model_validate(c) for c in rows], total, page)


item_routes(router, "campaign", service, CampaignRead, CampaignUpdate)
