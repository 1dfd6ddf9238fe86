"""Platform audiences: create (with the initial sync), read, settings, delete."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.types import utcnow
from adscale_platforms.errors import NotFound as PlatformNotFound
from adscale_platforms.errors import PlatformError
from audience_sync.audience import repository
from audience_sync.audience.schemas import (
    AudienceCreate,
    AudienceCreated,
    AudienceDetail,
    AudienceRead,
    AudienceUpdate,
    InitialSync,
)
from audience_sync.db import unit_of_work
from audience_sync.models import Audience, SyncJob
from audience_sync.platform import repository as connections
from audience_sync.platform.errors import CredentialsExpired, PlatformNotConnected
from audience_sync.platform.service import account_id_for, api_error, load_token
from audience_sync.platforms import PlatformRegistry
from audience_sync.segment import repository as segments
from audience_sync.settings import Settings
from audience_sync.sync import service as syncs
from audience_sync.sync.engine import SyncEngine
from audience_sync.sync.fields import audience_fields
from audience_sync.types import read_as

logger = logging.getLogger(__name__)


def read(audience: Audience, segment_name: str) -> AudienceRead:
    return read_as(
        AudienceRead,
        audience,
        segment_name=segment_name,
        identifier_fields=list(audience.identifier_fields or []),
    )


async def get_owned(session: AsyncSession, user_id: uuid.UUID, audience_id: uuid.UUID) -> Audience:
    return await repository.owned.require(session, user_id, audience_id)


async def detail(session: AsyncSession, audience: Audience) -> AudienceDetail:
    segment = await repository.segment_of(session, audience)
    coverage = await segments.field_coverage(session, segment.id)
    return AudienceDetail(
        **read(audience, segment.name).model_dump(),
        segment_profile_count=segment.profile_count,
        identifier_coverage={f: coverage.get(f, 0) for f in audience.identifier_fields or []},
        extra_identifiers={
            kind: coverage.get(f"extra_{kind}", 0)
            if field in (audience.identifier_fields or [])
            else 0
            for field, kind in (("email", "emails"), ("phone", "phones"))
        },
        sync_stats_30d=await syncs.stats_30d(session, audience.id),
    )


def next_sync(audience: Audience) -> datetime | None:
    if not (audience.auto_sync and audience.is_active):
        return None
    base = audience.last_sync_at or utcnow()
    return base + timedelta(hours=audience.sync_interval_hours)


async def update(session: AsyncSession, audience: Audience, body: AudienceUpdate) -> Audience:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in changes.items():
        setattr(audience, name, value)
    if changes:
        audience.next_sync_at = next_sync(audience)
        audience.updated_at = utcnow()
        await session.flush()
    return audience


async def create(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    engine: SyncEngine,
    cipher: TokenCipher,
    registry: PlatformRegistry,
    settings: Settings,
    user_id: uuid.UUID,
    triggered_by: str,
    body: AudienceCreate,
) -> AudienceCreated:
    """Create the platform audience, record it, and run the initial sync: in this request
    for segments of at most ``initial_sync_inline_max_profiles`` profiles, else on a worker
    (the answer then says ``pending``)."""
    platform = body.platform
    ad_account_id = account_id_for(platform, body.ad_account_id)
    async with unit_of_work(sessionmaker) as session:
        segment = await segments.owned.require(session, user_id, body.segment_id)
        connection = await connections.get_connection(session, user_id, platform)
        if connection is None:
            raise PlatformNotConnected(details={"platform": platform})
        if connection.status == "expired":
            raise CredentialsExpired(details={"platform": platform})
        if not await connections.has_ad_account(session, connection.id, ad_account_id):
            raise PlatformNotConnected(
                "The ad account is not among the connected platform's ad accounts",
                details={"platform": platform, "ad_account_id": ad_account_id},
            )
        fields = audience_fields(platform, await segments.field_coverage(session, segment.id))
        profile_count = segment.profile_count
        segment_name = segment.name

    token = await load_token(
        sessionmaker, cipher=cipher, registry=registry, user_id=user_id, platform=platform
    )
    client = registry.client(platform)
    try:
        await token.ensure_fresh()
        platform_audience_id = await client.create_audience(
            token,
            ad_account_id,
            body.audience_name,
            body.description or "",
            schema_field=fields[0],
        )
    except PlatformError as exc:
        raise api_error(exc, "create the audience") from exc

    inline = profile_count <= settings.initial_sync_inline_max_profiles
    try:
        async with unit_of_work(sessionmaker) as session:
            audience = Audience(
                user_id=user_id,
                segment_id=body.segment_id,
                platform=platform,
                ad_account_id=ad_account_id,
                platform_audience_id=platform_audience_id,
                platform_audience_name=body.audience_name,
                description=body.description,
                identifier_fields=fields,
                auto_sync=body.auto_sync,
                sync_interval_hours=body.sync_interval_hours,
                additive_only=body.additive_only,
                limited_data_use=body.limited_data_use,
            )
            session.add(audience)
            await session.flush()
            job = await syncs.create_job(
                session,
                audience,
                operation="create",
                triggered_by=triggered_by,
                user_id=user_id,
                segment_size=profile_count,
            )
            if not inline:
                await syncs.request_job(session, job)
            audience_id, job_id = audience.id, job.id
    except Exception:
        try:  # do not leave an orphan audience on the platform
            await client.delete_audience(token, platform_audience_id)
        except PlatformError:
            logger.warning(
                "could not delete the orphan platform audience", extra={"platform": platform}
            )
        raise

    if inline:
        await engine.run(job_id)
    async with sessionmaker() as session:
        audience_row = await session.get(Audience, audience_id)
        job_row = await session.get(SyncJob, job_id)
        assert audience_row is not None and job_row is not None
        return AudienceCreated(
            audience=read(audience_row, segment_name),
            initial_sync=read_as(
                InitialSync, job_row, job_id=job_row.id, matched=audience_row.matched_size
            ),
        )


async def delete(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cipher: TokenCipher,
    registry: PlatformRegistry,
    user_id: uuid.UUID,
    audience_id: uuid.UUID,
    delete_from_platform: bool,
) -> bool:
    """Delete the audience (its members and jobs go with it; a running job stops at its next
    checkpoint), first on the platform unless told not to. Returns whether the platform
    audience was deleted."""
    async with unit_of_work(sessionmaker) as session:
        audience = await get_owned(session, user_id, audience_id)
        platform, platform_audience_id = audience.platform, audience.platform_audience_id
    deleted_there = False
    if delete_from_platform and platform_audience_id:
        token = await load_token(
            sessionmaker, cipher=cipher, registry=registry, user_id=user_id, platform=platform
        )
        try:
            await registry.client(platform).delete_audience(token, platform_audience_id)
        except PlatformNotFound:
            pass  # already gone on the platform
        except PlatformError as exc:
            raise api_error(exc, "delete the audience") from exc
        deleted_there = True
    async with unit_of_work(sessionmaker) as session:
        audience = await get_owned(session, user_id, audience_id)
        await repository.delete(session, audience)
    return deleted_there
