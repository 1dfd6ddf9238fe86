"""Creatives: in one of the caller's ad groups; text within the campaign platform's limits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.errors import invalid
from campaigns.ad_group import repository as ad_groups
from campaigns.creative import repository
from campaigns.creative.copy import CopyGenerator, CopyRequest, GeneratedCopy
from campaigns.creative.limits import limits_for
from campaigns.creative.schemas import CreativeCreate, CreativeUpdate, GenerateCopyRequest
from campaigns.models import Creative

# Load-or-404 and the paged list, scoped to the caller (adscale_common.repository).
get_owned = repository.owned.require
list_owned = repository.owned.page


def check_text(platform: str, values: dict[str, Any]) -> None:
    limits = limits_for(platform)
    for field, limit in (
        ("headline", limits.headline),
        ("description", limits.description),
        ("call_to_action", limits.call_to_action),
    ):
        value = values.get(field)
        if isinstance(value, str) and len(value) > limit:
            raise invalid(
                [field],
                f"{field} must have at most {limit} characters on {platform} (got {len(value)})",
                "string_too_long",
            )


async def create(session: AsyncSession, user_id: uuid.UUID, data: CreativeCreate) -> Creative:
    group = await ad_groups.owned.require(session, user_id, data.ad_group_id)
    check_text(await repository.platform_of_ad_group(session, group.id), data.model_dump())
    return await repository.owned.insert(session, Creative(**data.model_dump(), user_id=user_id))


async def update(
    session: AsyncSession, user_id: uuid.UUID, creative_id: uuid.UUID, data: CreativeUpdate
) -> Creative:
    creative = await get_owned(session, user_id, creative_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    check_text(await repository.platform_of_ad_group(session, creative.ad_group_id), changes)
    await repository.owned.apply(session, creative, changes)
    return creative


async def delete(session: AsyncSession, user_id: uuid.UUID, creative_id: uuid.UUID) -> None:
    creative = await get_owned(session, user_id, creative_id, for_update=True)
    await repository.owned.delete(session, creative)


async def generate_copy(generator: CopyGenerator, data: GenerateCopyRequest) -> GeneratedCopy:
    request = CopyRequest(
        product_name=data.product_name,
        product_description=data.product_description,
        target_audience=data.target_audience,
        tone=data.tone,
    )
    return await generator.generate(request, limits_for(data.platform))
