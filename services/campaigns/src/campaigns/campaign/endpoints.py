from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from adscale_common.pagination import Offset, OffsetPage
from campaigns.campaign import service
from campaigns.campaign.schemas import CampaignCreate, CampaignRead, CampaignStatus, CampaignUpdate
from campaigns.dependencies import Session, UserId

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


@router.get("/{campaign_id}", response_model=CampaignRead)
async def get_campaign(campaign_id: uuid.UUID, session: Session, user_id: UserId) -> CampaignRead:
    return CampaignRead.model_validate(await service.get_owned(session, user_id, campaign_id))


@router.patch("/{campaign_id}", response_model=CampaignRead)
async def update_campaign(
    campaign_id: uuid.UUID, body: CampaignUpdate, session: Session, user_id: UserId
) -> CampaignRead:
    return CampaignRead.model_validate(await service.update(session, user_id, campaign_id, body))


@router.delete("/{campaign_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_campaign(campaign_id: uuid.UUID, session: Session, user_id: UserId) -> Response:
    await service.delete(session, user_id, campaign_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
