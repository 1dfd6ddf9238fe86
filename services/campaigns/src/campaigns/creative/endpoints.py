from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from adscale_common.app import from_app_state
from campaigns.creative import service
from campaigns.creative.copy import CopyGenerator
from campaigns.creative.schemas import (
    CreativeCreate,
    CreativeRead,
    CreativeUpdate,
    GenerateCopyRequest,
    GenerateCopyResponse,
)
from campaigns.dependencies import UserId
from campaigns.routes import collection_routes, item_routes

router = APIRouter(prefix="/api/v1/creatives", tags=["creatives"])
Copy = Annotated[CopyGenerator, Depends(from_app_state("copy_generator"))]


collection_routes(
    router,
    "creative",
    "creatives",
    service,
    CreativeRead,
    CreativeCreate,
    filters={"ad_group_id": uuid.UUID | None},
)


@router.post("/generate-copy", response_model=GenerateCopyResponse)
async def generate_copy(
    body: GenerateCopyRequest, user_id: UserId, generator: Copy
) -> GenerateCopyResponse:
    copy = await service.generate_copy(generator, body)
    return GenerateCopyResponse(
        headline=copy.headline,
        description=copy.description,
        call_to_action=copy.call_to_action,
        provider=copy.provider,
        platform=body.platform,
    )


item_routes(router, "creative", service, CreativeRead, CreativeUpdate)
