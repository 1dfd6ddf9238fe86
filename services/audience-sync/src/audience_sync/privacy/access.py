"""Subject access: everything AdScale holds about one person, as JSON.

Per profile (one per segment): its fields and traits as stored, and each platform audience
of the segment the platform accepted it into, with the audience's sync dates. AdScale does
not stamp each member with the time it was sent; ``first_sent_by_sync_at`` is when the
first sync of that audience completed after the profile was created (the sync that sent
it, unless a later one did because it lacked an identifier then), ``last_sync_at`` the
audience's latest sync. Also whether the person's identifiers are suppressed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from audience_sync.db import driver
from audience_sync.privacy import person
from audience_sync.privacy.errors import PersonNotFound
from audience_sync.privacy.schemas import (
    HashedIdentifier,
    Membership,
    PersonRead,
    ProfileHeld,
)
from audience_sync.safeguards.identity import Identifier
from audience_sync.segment import service as segments


async def profiles_held(apg: Any, user_id: uuid.UUID, keys: list[tuple[Any, str]]) -> list[Any]:
    return list(
        await apg.fetch(
            """
            SELECT p.*, s.name AS segment_name
            FROM profile p JOIN segment s ON s.id = p.segment_id
            JOIN unnest($2::uuid[], $3::text[]) AS k(segment_id, external_id)
              ON k.segment_id = p.segment_id AND k.external_id = p.external_id
            WHERE s.user_id = $1
            ORDER BY s.name, p.segment_id
            """,
            user_id,
            [k[0] for k in keys],
            [k[1] for k in keys],
        )
    )


async def memberships(apg: Any, segment_id: uuid.UUID, external_id: str) -> list[Any]:
    return list(
        await apg.fetch(
            """
            SELECT a.id, a.platform, a.platform_audience_id, a.platform_audience_name,
                   a.ad_account_id, a.identifier_fields, a.created_at, a.last_sync_at,
                   (SELECT min(j.completed_at) FROM sync_job j
                     WHERE j.audience_id = a.id AND j.status = 'completed'
                       AND j.completed_at >= p.created_at) AS first_sent
            FROM audience_member m JOIN audience a ON a.id = m.audience_id
            JOIN profile p ON p.segment_id = a.segment_id AND p.external_id = m.external_id
            WHERE a.segment_id = $1 AND m.external_id = $2
            ORDER BY a.platform, a.platform_audience_name
            """,
            segment_id,
            external_id,
        )
    )


async def suppressed(apg: Any, user_id: uuid.UUID, hashes: list[str]) -> bool:
    found = await apg.fetchval(
        "SELECT 1 FROM suppression WHERE user_id = $1 AND hash = ANY($2::text[]) LIMIT 1",
        user_id,
        hashes,
    )
    return found is not None


async def person_report(session: AsyncSession, user_id: uuid.UUID, who: Identifier) -> PersonRead:
    apg = await driver(session)
    found = await person.find(apg, user_id, who)
    if not found:
        raise PersonNotFound(details={who.kind: "not held"})
    rows = await profiles_held(apg, user_id, [(r["segment_id"], r["external_id"]) for r in found])
    profiles = []
    for row in rows:
        audiences = await memberships(apg, row["segment_id"], row["external_id"])
        held = segments.profile_read({**row, "traits": person.decode_json(row["traits"])})
        profiles.append(
            ProfileHeld(
                **held.model_dump(),
                segment_id=row["segment_id"],
                segment_name=row["segment_name"],
                audiences=[
                    Membership(
                        audience_id=a["id"],
                        platform=a["platform"],
                        platform_audience_id=a["platform_audience_id"],
                        audience_name=a["platform_audience_name"],
                        ad_account_id=a["ad_account_id"],
                        identifier_fields=person.decode_json(a["identifier_fields"]) or [],
                        audience_created_at=a["created_at"],
                        first_sent_by_sync_at=a["first_sent"],
                        last_sync_at=a["last_sync_at"],
                    )
                    for a in audiences
                ],
            )
        )
    hashes = person.identifier_hashes(who, list(found))
    return PersonRead(
        requested=HashedIdentifier(kind=who.kind, sha256=who.sha256),
        identifiers=[HashedIdentifier(kind=k, sha256=h) for k, h in hashes],
        suppressed=await suppressed(apg, user_id, [h for _, h in hashes]),
        profiles=profiles,
        platforms=sorted({m.platform for p in profiles for m in p.audiences}),
    )
